"""Photos: re-encoded as JPEG, turned upright, stripped of EXIF (and so of location).

Files are stored under ``UPLOAD_DIR`` with a random name and served from ``/media/``.
"""

from __future__ import annotations

import secrets
import warnings
from io import BytesIO
from pathlib import Path
from typing import IO, Any

from flask import Flask, abort, current_app, send_from_directory
from PIL import Image, ImageOps, UnidentifiedImageError
from werkzeug.wrappers import Response

from civic.core.i18n import _

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000


class NotAPhoto(ValueError):
    """The file is not an image we can read."""


def reencode(stream: IO[bytes]) -> bytes:
    """A clean JPEG of the image: no metadata survives, orientation applied."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise NotAPhoto("too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, SyntaxError, ValueError) as error:
        raise NotAPhoto(str(error)) from error
    upright = upright.convert("RGB")
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    out = BytesIO()
    clean.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def read_photo(field: Any) -> tuple[bool, bytes | None]:
    """A form's photo field as (readable, clean JPEG bytes): no photo sent is (True, None);
    an unreadable one is (False, None) with the message next to the field. Nothing is
    stored yet: the file is written only once the service has accepted the rest."""
    upload = field.data
    if not upload or not getattr(upload, "filename", ""):
        return True, None
    try:
        return True, reencode(upload.stream)
    except NotAPhoto:
        field.errors = [*field.errors, _("Cette photo ne peut pas être lue. "
                                         "Essayez une autre photo.")]
        return False, None


def store(data: bytes) -> str:
    """Store re-encoded image bytes; returns the stored file name."""
    directory = Path(current_app.config["UPLOAD_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (directory / name).write_bytes(data)
    return name


def init_app(app: Flask) -> None:
    @app.route("/media/<name>")
    def media(name: str) -> Response:
        if not name.endswith(".jpg") or "/" in name or name.startswith("."):
            abort(404)
        response = send_from_directory(app.config["UPLOAD_DIR"], name, max_age=86400)
        response.headers["Content-Disposition"] = "inline"
        return response
