"""Flask extensions, created once and initialised in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def account_key() -> str:
    """Rate-limit key of the person: their account when logged in, else their address
    (the address limit, ``get_remote_address``, stays the default key)."""
    from flask import request
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return request.remote_addr or ""
