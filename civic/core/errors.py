"""Refused changes and error pages.

``RuleBroken`` is what every service raises when a rule of its part says no: ``code``
names the rule (a key of the part's messages), ``field`` the form field it concerns
(``None``: the whole form), ``details`` the figures its message shows. Each part
subclasses it once (``EventError``, ``BudgetError``…) so that a view catches only its
own. Error pages are in the visitor's language; anonymous visitors refused a page go to
log in. Under ``/api/`` errors are JSON (``{"error": …}``), never a page, and keep the
headers their status calls for (``Allow`` of a 405, ``Retry-After`` of a 429).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError, TooManyRequests
from werkzeug.wrappers import Response

from civic.core.db import session
from civic.core.permissions import PermissionDenied

#: Paths whose errors are answered in JSON: the API's programs read no HTML.
API_PREFIX = "/api/"


def _api_error(error: HTTPException) -> Response:
    """The JSON answer to an HTTP error on an API path, with the error's own headers."""
    message = error.name.lower()
    if isinstance(error, TooManyRequests) and error.description:
        message = f"{message} ({error.description})"  # the limit, e.g. "120 per 1 minute"
    response = jsonify({"error": message})
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers.add(name, value)
    return response


def _server_error() -> tuple[str, int] | tuple[Response, int]:
    if request.path.startswith(API_PREFIX):
        return jsonify({"error": "internal server error"}), 500
    return render_template("errors/error.html", code=500), 500


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
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith(API_PREFIX):
            return _api_error(error)
        return render_template("errors/error.html", code=error.code), error.code

    if app.config["TESTING"]:
        return  # let tests see the traceback of an unexpected error

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int] | tuple[Response, int]:
        session.rollback()
        app.logger.exception("unhandled error", exc_info=error)
        return _server_error()
