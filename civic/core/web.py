"""The application class, and what the views of every part ask the same way: who
visits, and in which time zone the site lives.

``App`` is Flask with two of the house's rules:

- **One transaction per request**: the view's work is committed as soon as the view
  returns, whatever the status it answers, before the response is built, so that
  nothing is announced (a redirect, a mail) that was not saved. A view that raises, an
  ``abort`` included, saves nothing: the session is rolled back when the app context ends.
- **Links that leave the site are built from ``BASE_URL``**, never from the request's
  ``Host`` header: a mail asked for with ``Host: attacker.example`` still links to the
  site (``url_for(..., _external=True)``). ``TRUSTED_HOSTS`` refuses other hosts too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from civic.core.db import commit, session
from civic.core.forms import DB_INT_MAX


class App(Flask):
    def dispatch_request(self) -> ResponseReturnValue:
        returned = super().dispatch_request()
        commit(session)
        return returned

    def url_for(self, endpoint: str, *, _anchor: str | None = None,
                _method: str | None = None, _scheme: str | None = None,
                _external: bool | None = None, **values: Any) -> str:
        if not _external:
            return super().url_for(endpoint, _anchor=_anchor, _method=_method,
                                   _scheme=_scheme, _external=_external, **values)
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method,
                               _external=False, **values)
        return base_url(self) + path


def base_url(app: Flask | None = None) -> str:
    """The site's address as its visitors reach it, without a trailing slash."""
    return str((app or current_app).config["BASE_URL"]).rstrip("/")


def visitor() -> Any:
    """The logged-in account, or ``None`` for an anonymous visitor."""
    return current_user if current_user.is_authenticated else None


def timezone() -> str:
    return str(current_app.config["TIMEZONE"])


class DatabaseInt(IntegerConverter):
    """``<int:…>`` within the database's range: 20 digits in a path are "not found", not
    an overflow in the driver."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Bound ``<int:…>`` to the database's range; believe the forwarding headers of
    ``PROXY_FIX`` proxies (the client's address for rate limits, https for cookies), and
    only theirs."""
    app.url_map.converters["int"] = DatabaseInt
    proxies = int(app.config["PROXY_FIX"])
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
