"""Security headers with a per-request CSP nonce, password hashing and signed links."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, Response, current_app, g
from itsdangerous import BadSignature, URLSafeTimedSerializer

_hasher = PasswordHasher()
#: Verified against when the account does not exist, so both answers take as long.
_DUMMY_HASH = _hasher.hash("civic-timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Argon2id verification; an unknown account costs the same time as a wrong password."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"civic.{purpose}")


def sign(purpose: str, payload: Any) -> str:
    return _serializer(purpose).dumps(payload)


def unsign(purpose: str, token: str, max_age: int) -> Any | None:
    """The payload of a valid, unexpired token for this purpose, else ``None``."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:
        return None


def no_store(body: str, status: int = 200) -> Response:
    """A page the browser must not keep (ballots, kiosk screens): going back shows
    nothing of the previous person."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def is_safe_redirect(target: str | None) -> bool:
    """Only same-site paths: ``/compte`` yes, ``//evil.example`` or ``https://…`` no."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and "\\" not in target


def _content_security_policy(app: Flask) -> str:
    img_sources = ["'self'", "data:"]
    tile_url = app.config.get("TILE_URL") or ""
    if tile_url.startswith("http"):
        tiles = urlsplit(tile_url.replace("{s}", "a"))
        img_sources.append(f"{tiles.scheme}://{tiles.netloc.replace('a.', '*.', 1)}")
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}'",
        "style-src 'self'",
        f"img-src {' '.join(img_sources)}",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", _content_security_policy(app))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
