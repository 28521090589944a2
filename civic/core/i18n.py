"""The only source of ``_``, ``_l`` and ``ngettext``; locale selection and formatting."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale, gettext, lazy_gettext, ngettext
from flask_login import current_user

_ = gettext
_l = lazy_gettext

__all__ = [
    "LANGUAGE_NAMES",
    "_",
    "_l",
    "format_date",
    "format_datetime",
    "get_locale",
    "ngettext",
    "select_locale",
    "text_direction",
]

#: Each language named in itself, for the language switch.
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "ar": "العربية"}
RTL_LANGUAGES = frozenset({"ar"})


def select_locale() -> str:
    """The account's language, else the one chosen in this browser, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, background work: the site's language
        return str(languages[0])
    user_language = getattr(current_user, "language", None) if current_user else None
    if user_language in languages:
        return str(user_language)
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def text_direction(locale: str | None = None) -> str:
    code = locale or str(get_locale())
    return "rtl" if code.split("_")[0] in RTL_LANGUAGES else "ltr"
