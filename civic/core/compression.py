"""Compressed responses (Flask-Compress): brotli or gzip, whichever the browser prefers.

What is compressed: JSON, GeoJSON, JavaScript, CSS, SVG, CSV, iCalendar and plain text,
from 500 bytes. brotli comes with Flask-Compress itself (its ``brotli`` wheel), so it
costs no dependency of ours; it is offered first and gzip second, for browsers that do
not take brotli. deflate (ambiguous in old browsers) and zstd are not offered.

What is never compressed: HTML. A page carries the CSRF token, whose value stays the same
for the whole session, next to what the visitor sent (a search, a form's values sent back
with its errors). Compressed together, the size of the response tells how much of a
guessed token matches the real one: someone who makes the victim's browser send requests
(from another site) and sees the sizes of the answers on the network recovers the token
byte by byte (BREACH), then forges the victim's requests. None of the other types
carries a secret next to what a visitor sent.

Flask-Compress gives a compressed response a validator of its own (``"<etag>:gzip"``,
``"<etag>:br"``), so that a cache never mixes the two forms. A view that answers
conditional requests itself (the map's GeoJSON) asks :func:`held_etag` which of those
validators the browser sent back.
"""

from __future__ import annotations

from flask import Flask, Response
from flask_compress import Compress
from werkzeug.datastructures import ETags

#: Media types worth compressing. text/html is left out on purpose (BREACH, above).
MIMETYPES = (
    "application/json",
    "application/geo+json",
    "application/javascript",
    "text/javascript",
    "text/css",
    "image/svg+xml",
    "text/csv",
    "text/calendar",
    "text/plain",
)

#: In order of preference, when the browser accepts both equally.
ALGORITHMS = ("br", "gzip")

#: Every suffix Flask-Compress may add to an ETag, whatever the settings above.
_SUFFIXES = ("br", "gzip", "zstd", "deflate")


def held_etag(etag: str, if_none_match: ETags) -> str | None:
    """The validator the browser holds for the content that ``etag`` names, if it sent one
    back: ``etag`` itself (it got the response uncompressed) or the validator of one of its
    compressed forms. ``None`` when the browser holds another version, or nothing."""
    for candidate in (etag, *(f"{etag}:{suffix}" for suffix in _SUFFIXES)):
        if if_none_match.contains_weak(candidate):
            return candidate
    return None


class _Compress(Compress):
    """Flask-Compress, except for a part of a file (206): its ``Content-Range`` counts the
    file's own bytes, which a compressed body would not match."""

    def after_request(self, response: Response | None) -> Response:
        if response is not None and response.status_code == 206:
            return response
        return super().after_request(response)


def init_app(app: Flask) -> None:
    settings = {
        "COMPRESS_MIMETYPES": list(MIMETYPES),
        "COMPRESS_ALGORITHM": list(ALGORITHMS),
        # Static files are sent as streams: the same choice, compressed as they go.
        "COMPRESS_STREAMS": True,
        "COMPRESS_ALGORITHM_STREAMING": list(ALGORITHMS),
        # A browser that sends back the validator of a compressed form gets a 304.
        "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": True,
        "COMPRESS_MIN_SIZE": 500,
    }
    for name, value in settings.items():
        app.config.setdefault(name, value)
    app.extensions["civic.compress"] = _Compress(app)
