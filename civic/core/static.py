"""Static files with their content's hash in the URL, kept a year by browsers.

``url_for("static", filename="css/civic.css")`` gives ``/static/css/civic.css?v=<hash>``,
where the hash is the first 12 hex digits of the file's SHA-256. A new version of a file
has a new URL, so the old one may be kept forever: a request whose ``v`` is the hash of
the file being served is answered ``Cache-Control: public, max-age=31536000, immutable``.

Any other request keeps a short cache: without ``v`` (Leaflet's CSS loads its images by a
relative URL) five minutes; with a ``v`` that is not the file's hash, none (the browser
asks again each time). The second case happens while a new version is rolled out: a page
from an updated machine asks an older machine for the new file, gets the old one, and
must not keep it for a year under the new URL.

Hashes are computed once per file and process, and again only when the file's size or
modification time changes (a file edited while the development server runs).
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, current_app, request, send_from_directory
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

#: A year, for a URL whose content never changes.
YEAR = 365 * 24 * 3600
#: Unversioned URLs (relative references between static files).
SHORT = 5 * 60
#: Hex digits of the SHA-256 kept in the URL.
DIGITS = 12


class Versions:
    """The version of each file under one folder, computed once and kept."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[tuple[int, int, int], str]] = {}

    def of(self, folder: str, filename: str) -> str | None:
        """The file's version, or ``None`` when there is no such file under ``folder``."""
        path = safe_join(folder, filename)
        if path is None:
            return None
        try:
            found = os.stat(path)
        except OSError:
            return None
        stamp = (found.st_size, found.st_mtime_ns, found.st_ino)
        known = self._known.get(path)
        if known is None or known[0] != stamp:
            with open(path, "rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()[:DIGITS]
            known = (stamp, digest)
            self._known[path] = known
        return known[1]


def _versions() -> Versions:
    versions: Versions = current_app.extensions["civic.static_versions"]
    return versions


def _folder() -> str:
    return str(current_app.static_folder)


def send_static(filename: str) -> Response:
    """The static view: the file, cached a year when the URL names its version."""
    asked = request.args.get("v")
    if asked is None:
        max_age = SHORT
    elif asked == _versions().of(_folder(), filename):
        max_age = YEAR
    else:
        max_age = 0
    response = send_from_directory(_folder(), filename, max_age=max_age)
    if max_age == YEAR:
        response.cache_control.immutable = True
    elif max_age == 0:
        response.cache_control.max_age = None
        response.cache_control.no_cache = True
        response.headers.pop("Expires", None)
    return response


def init_app(app: Flask) -> None:
    app.extensions["civic.static_versions"] = Versions()
    app.view_functions["static"] = send_static

    @app.url_defaults
    def _version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or "v" in values or "filename" not in values:
            return
        version = _versions().of(_folder(), values["filename"])
        if version is not None:
            values["v"] = version
