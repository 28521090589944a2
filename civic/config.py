"""Settings, read from ``CIVIC_*`` environment variables with documented defaults.

Every setting is listed in README.md. ``load(instance_path, overrides)`` returns the
plain mapping that ``create_app`` gives to ``app.config``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: The key every development machine would share if nobody generated one.
INSECURE_KEY = "dev-insecure-key"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CIVIC_{name}", default)


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """The key from the environment, or one generated once into ``instance/secret_key``."""
    given = os.environ.get("CIVIC_SECRET_KEY")
    if given:
        return given
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _trusted_hosts(production: bool) -> list[str] | None:
    """BASE_URL's host and CIVIC_TRUSTED_HOSTS in production; ``None`` (any) otherwise."""
    extra = [h.strip() for h in _env("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if not production and not extra:
        return None
    host = urlsplit(_env("BASE_URL", "")).hostname
    return [*([host] if host else []), *extra]


def load(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = _env("ENV", "development")
    production = env == "production"
    config: dict[str, Any] = {
        "ENV": env,
        "TESTING": False,
        "SECRET_KEY": _secret_key(instance_path) if not production else os.environ.get(
            "CIVIC_SECRET_KEY", INSECURE_KEY
        ),
        "DATABASE_URL": _env("DATABASE_URL", f"sqlite:///{instance_path / 'civic.db'}"),
        # Mail: "outbox" writes .eml files to MAIL_OUTBOX; "smtp" sends them.
        "MAIL_BACKEND": _env("MAIL_BACKEND", "smtp" if production else "outbox"),
        "MAIL_OUTBOX": _env("MAIL_OUTBOX", str(instance_path / "outbox")),
        "MAIL_SERVER": _env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(_env("MAIL_PORT", "587")),
        "MAIL_USERNAME": _env("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD", ""),
        "MAIL_STARTTLS": _flag("MAIL_STARTTLS", True),
        "MAIL_SENDER": _env("MAIL_SENDER", "civic <no-reply@civic.localhost>"),
        "MAIL_TIMEOUT": int(_env("MAIL_TIMEOUT", "10")),
        # A mail that failed this many times is marked failed (pilots can resend it).
        "MAIL_MAX_ATTEMPTS": int(_env("MAIL_MAX_ATTEMPTS", "8")),
        # Jobs (mail delivery, reminders, purges): "inline" runs them in the process
        # right after the commit; "procrastinate" queues them in PostgreSQL for
        # `flask worker`.
        "JOBS_BACKEND": _env("JOBS_BACKEND", "procrastinate" if production else "inline"),
        # Flask-Limiter: memory:// by default; redis://127.0.0.1:6379 in production.
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": _flag("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Per network address, on the login, sign-up and reset pages: loose, since many
        # people may share one address (a permanence's Wi-Fi, a mobile operator).
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", "30 per minute;300 per hour"),
        # Per account (civic/accounts/throttle.py), whatever address the tries come from:
        # failed logins before waits of 2, 4, 8… seconds, the longest wait in seconds, and
        # the sign-up and reset mails one address may be sent.
        "LOGIN_FREE_TRIES": int(_env("LOGIN_FREE_TRIES", "5")),
        "LOGIN_MAX_DELAY": int(_env("LOGIN_MAX_DELAY", "900")),
        "ACCOUNT_MAIL_RATE_LIMIT": _env("ACCOUNT_MAIL_RATE_LIMIT", "3 per hour;10 per day"),
        # Map tiles: a URL template; empty: no tiles (perimeters and points on a plain
        # background, and no request leaves the site). Default: OpenStreetMap's standard
        # tiles, asked for without a Referer.
        "TILE_URL": _env("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "TILE_ATTRIBUTION": _env(
            "TILE_ATTRIBUTION",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'),
        # Aggregates about people are only published from this many people (INSEE secrecy).
        "SMALL_CELL_THRESHOLD": int(_env("SMALL_CELL_THRESHOLD", "11")),
        # Days after a year's end before its open data is published, once and for good
        # (late paper ballots and attendance are in by then).
        "OPEN_DATA_SETTLE_DAYS": int(_env("OPEN_DATA_SETTLE_DAYS", "31")),
        # Hours a quartier letter's confirmation link works.
        "LETTER_CONFIRM_HOURS": int(_env("LETTER_CONFIRM_HOURS", "48")),
        "TIMEZONE": _env("TIMEZONE", "Europe/Paris"),
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", "Europe/Paris"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parents[1] / "translations"),
        "LANGUAGES": ("fr", "en", "ar"),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # "Remember me" lasts a month (Flask-Login's default is a year).
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "REMEMBER_COOKIE_NAME": "remember_token",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        # Logs: "json" (one object a line, request id, no personal data) or "text".
        "LOG_FORMAT": _env("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        # Photos, re-encoded without EXIF.
        "UPLOAD_DIR": _env("UPLOAD_DIR", str(instance_path / "uploads")),
        # Where photos are kept: "local" (files under UPLOAD_DIR, one machine) or
        # "database" (the stored_files table, read by every app machine).
        "UPLOAD_STORAGE": _env("UPLOAD_STORAGE", "database" if production else "local"),
        # The register's key of a round is destroyed this many months after its results.
        "FPH_SECRET_MONTHS": int(_env("FPH_SECRET_MONTHS", "6")),
        # Where the site is reached (scheme and host): every link that leaves the site
        # (mails, feeds, QR codes) is built from it, never from the request's Host.
        # Required in production.
        "BASE_URL": _env("BASE_URL", "" if production else "http://127.0.0.1:5000"),
        # Hosts the site answers for (besides BASE_URL's), comma-separated; others get
        # a 400. Empty in development: any host.
        "TRUSTED_HOSTS": _trusted_hosts(production),
        # How many reverse proxies stand in front (each adds X-Forwarded-For/-Proto):
        # their headers are believed, and only theirs. 0: none believed.
        "PROXY_FIX": int(_env("PROXY_FIX", "0")),
        # Names and contact details of an event's signups are deleted this many days
        # after it ends; the event keeps the counts.
        "EVENT_SIGNUP_RETENTION_DAYS": int(_env("EVENT_SIGNUP_RETENTION_DAYS", "30")),
        # Signed links: account confirmation and password reset lifetimes, in seconds.
        "CONFIRM_MAX_AGE": 7 * 24 * 3600,
        "RESET_MAX_AGE": 2 * 3600,
    }
    if overrides:
        config.update(overrides)
    return config


def check(config: dict[str, Any]) -> None:
    """Refuse to start in production with a key anybody could know, or with mail that
    a request would wait for."""
    if config["ENV"] != "production":
        return
    if config["SECRET_KEY"] in {INSECURE_KEY, ""}:
        raise RuntimeError(
            "CIVIC_SECRET_KEY must be set to a long random value when CIVIC_ENV=production."
        )
    base = urlsplit(config["BASE_URL"])
    if base.scheme != "https" or not base.hostname:
        raise RuntimeError("CIVIC_BASE_URL must be the site's https:// address when "
                           "CIVIC_ENV=production: mails link to it.")
    if config["MAIL_BACKEND"] == "smtp" and config["JOBS_BACKEND"] != "procrastinate":
        raise RuntimeError("CIVIC_JOBS_BACKEND=procrastinate (and `flask worker`) is needed "
                           "to send mail by SMTP when CIVIC_ENV=production.")
