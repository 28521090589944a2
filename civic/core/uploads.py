"""Photos: re-encoded as JPEG, turned upright, stripped of EXIF (and so of location).

Each is stored under a random name in the backend ``UPLOAD_STORAGE`` chooses (``local``:
files under ``UPLOAD_DIR``; ``database``: the ``stored_files`` table, which every app
machine reads; see :mod:`civic.core.storage`) and served from ``/media/<name>``.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Callable, Mapping
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask, abort, current_app, has_app_context, request
from flask.cli import AppGroup
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from civic.core import clock
from civic.core.db import commit, session
from civic.core.i18n import _
from civic.core.storage import (
    JPEG,
    NAME,
    Backend,
    DatabaseBackend,
    LocalBackend,
    Photo,
    copy_missing,
    track_releases,
)

MAX_SIDE = 1600
#: What one photo may cost decoded: 16 megapixels in RGB (48 MB). An RGBA or 16-bit
#: image gets fewer pixels for the same memory; a large JPEG is decoded at 1/2, 1/4 or
#: 1/8 of its size first (``draft``), so a 48-megapixel phone photo still goes through.
MAX_DECODED_BYTES = 16_000_000 * 3
#: The formats a phone or a scanner sends; nothing else is even parsed.
FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")  # JPEG includes MPO
#: Bytes per pixel of a decoded mode (the others count as 4).
_BYTES = {"1": 1, "L": 1, "P": 1, "LA": 2, "I;16": 2, "RGB": 3, "YCbCr": 3, "RGBA": 4,
          "CMYK": 4, "I": 4, "F": 4}


class NotAPhoto(ValueError):
    """The file is not an image we can read."""


def decoded_size(image: Image.Image) -> int:
    """The memory the image takes once decoded, from its header alone."""
    return image.width * image.height * _BYTES.get(image.mode, 4)


def reencode(stream: IO[bytes]) -> bytes:
    """A clean JPEG of the image: no metadata survives, orientation applied. What its
    header says would take too much memory is refused before any decoding."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream, formats=FORMATS) as image:
                if image.format in ("JPEG", "MPO"):
                    image.draft("RGB", (MAX_SIDE, MAX_SIDE))
                if decoded_size(image) > MAX_DECODED_BYTES:
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


#: The backends ``UPLOAD_STORAGE`` may name, each built from the settings and a session.
BACKENDS: dict[str, Callable[[Mapping[str, Any], Session], Backend]] = {
    "local": lambda config, _db: LocalBackend(Path(config["UPLOAD_DIR"])),
    "database": lambda _config, db: DatabaseBackend(db),
}
#: A name never serves other bytes, so browsers and proxies may keep a photo this long.
CACHE_SECONDS = 365 * 24 * 3600


def backend(db: Session | None = None) -> Backend:
    """The current app's photo store, on ``db`` (the request's session by default)."""
    config = current_app.config
    return BACKENDS[config["UPLOAD_STORAGE"]](config, db if db is not None else session())


def store(data: bytes) -> str:
    """Store re-encoded image bytes; returns the stored file name."""
    name = f"{secrets.token_hex(16)}.jpg"
    backend().put(name, data, content_type=JPEG, now=clock.now())
    return name


def _committing_backend(committing: Session) -> Backend | None:
    """Where photos released by a commit are removed: the app's store; nowhere outside
    an app (a script's session keeps every file)."""
    return backend(committing) if has_app_context() else None


def photo_response(name: str, photo: Photo) -> Response:
    """The photo with the headers of an immutable resource, answered 304 when the
    browser already holds it and cut to a Range when one is asked for."""
    response = Response(photo.data, mimetype=photo.content_type)
    response.headers["Content-Disposition"] = "inline"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(name.removesuffix(".jpg"))  # the same on every machine
    response.last_modified = photo.created_at
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    response.cache_control.immutable = True
    response.expires = clock.now() + timedelta(seconds=CACHE_SECONDS)
    return response.make_conditional(request, accept_ranges=True,
                                     complete_length=len(photo.data))


uploads_cli = AppGroup("uploads", help="Uploaded photos and where they are stored.")


@uploads_cli.command("migrate-to-db")
def migrate_to_db_command() -> None:
    """Copy the photos under UPLOAD_DIR into the database (stored_files), skipping those
    already there: run it before switching UPLOAD_STORAGE to database, again at will."""
    db = session()
    copied = copy_missing(LocalBackend(Path(current_app.config["UPLOAD_DIR"])),
                          DatabaseBackend(db))
    commit(db)
    click.echo(f"{copied} photos copied into the database")


def init_app(app: Flask) -> None:
    if app.config["UPLOAD_STORAGE"] not in BACKENDS:
        raise RuntimeError(f"CIVIC_UPLOAD_STORAGE must be one of: {', '.join(BACKENDS)}.")
    track_releases(session, _committing_backend)

    @app.route("/media/<name>")
    def media(name: str) -> Response:
        if not NAME.fullmatch(name):
            abort(404)
        photo = backend().get(name)
        if photo is None:
            abort(404)
        return photo_response(name, photo)
