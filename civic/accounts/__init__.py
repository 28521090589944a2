"""Accounts: sign-up, login, profile, my data, roles."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from civic.accounts import permissions, views  # noqa: E402,F401  (registers rules and routes)
