"""Refused changes and error pages.

``RuleBroken`` is what every service raises when a rule of its part says no: ``code``
names the rule (a key of the part's messages), ``field`` the form field it concerns
(``None``: the whole form), ``details`` the figures its message shows. Each part
subclasses it once (``EventError``, ``BudgetError``…) so that a view catches only its
own. Error pages are in the visitor's language; anonymous visitors refused a page go to
log in.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.wrappers import Response

from civic.core.db import session
from civic.core.permissions import PermissionDenied


class RuleBroken(ValueError):
    def __init__(self, code: str, field: str | None = None, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.details = details


def init_app(app: Flask) -> None:
    @app.errorhandler(PermissionDenied)
    def _denied(error: PermissionDenied) -> Response | tuple[str, int]:
        if error.anonymous:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return render_template("errors/error.html", code=403), 403

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A request for a host the site does not serve: no page can be built for it
        # (its links would point to that host), so a plain answer.
        return "Bad request: unknown host.\n", 400, {"Content-Type": "text/plain"}

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return render_template("errors/error.html", code="csrf"), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return render_template("errors/error.html", code=error.code), error.code

    if app.config["TESTING"]:
        return  # let tests see the traceback of an unexpected error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return render_template("errors/error.html", code=500), 500
