"""What the views of every part ask the same way: who visits, and in which time zone
the site lives."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user


def visitor() -> Any:
    """The logged-in account, or ``None`` for an anonymous visitor."""
    return current_user if current_user.is_authenticated else None


def timezone() -> str:
    return str(current_app.config["TIMEZONE"])
