"""Logs: one JSON object a line in production, with the request's id and no personal data.

``LOG_FORMAT`` chooses ``json`` (the default in production) or ``text`` (development and
tests). Either way every line written during a request carries the request's id:
``X-Request-Id`` from the reverse proxy when it is a short ``[A-Za-z0-9-]`` string, else a
new one; the response sends it back in the same header, so a resident's "it failed at
10:32" and an operator's log meet.

Each request writes one access line (logger ``civic.access``): method, the URL *rule*
(``/evenements/annulation/<token>``, never the path itself, which carries tokens and ids),
endpoint, status and duration. What is never written, since logs are copied, kept and read
more widely than the database: e-mail addresses, names, phone numbers, the client's IP
address (not even hashed: the reverse proxy may keep it under its own retention if it
must), query strings, form fields, tokens, vote codes and ballot choices. The access
line is built from the fields above only; the message of any other line, and the text
values of its ``extra`` fields, go through :func:`scrub`, which blanks addresses, phone
numbers, IPs, query strings, signed tokens and vote codes that a library might write.
An exception is logged as its type and where it was raised, not its message: a database
error's message holds the values of the row (a name, an address).

werkzeug's own request log (the development server's, with the client's address and the
raw path) is switched off in production and with JSON logs. gunicorn writes no access log
and its error log goes through the same formatter: see ``gunicorn.conf.py``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request, request_finished, request_started
from flask.logging import default_handler
from werkzeug.wrappers import Response

HEADER = "X-Request-Id"
#: A request id given by the proxy is kept when it is short and plain, else replaced.
VALID_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
#: Fields of the access line, in this order.
ACCESS_FIELDS = ("method", "rule", "endpoint", "status", "duration_ms")

#: Addresses that are never a person's: where the server listens.
_SERVER_ADDRESSES = frozenset({"127.0.0.1", "0.0.0.0"})  # noqa: S104


def _ip(found: re.Match[str]) -> str:
    return found[0] if found[0] in _SERVER_ADDRESSES else "<ip>"


_PATTERNS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}"), "<e-mail>"),
    # Query strings: `?` directly followed by something (a question ends with a space).
    (re.compile(r"\?[^\s\"'<>]+"), "?<query>"),
    # Signed tokens (itsdangerous, JWT): three dot-separated runs of base64url.
    (re.compile(r"[\w-]{8,}\.[\w-]{4,}\.[\w-]{8,}"), "<token>"),
    (re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"), _ip),
    (re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?![\w:])"), "<ip>"),
    # French and international phone numbers: 06 12 34 56 78, +33 6 12 34 56 78, 0612345678.
    (re.compile(r"(?<![\w+])(?:\+\d{2,3}[\s.-]?|0)[1-9](?:[\s.-]?\d{2}){4}(?!\w)"), "<phone>"),
    # Single-use vote codes (civic.permanence.codes), with or without dashes.
    (re.compile(r"\b[A-HJKMNP-Z2-9]{4}-?[A-HJKMNP-Z2-9]{4}-?[A-HJKMNP-Z2-9]{2}\b"), "<code>"),
    # Any other long opaque string (an unsigned token, a key) with letters and digits.
    (re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{24,}\b"), "<secret>"),
)

#: What a LogRecord holds by itself; everything else on it came through ``extra=``.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}


def scrub(text: str) -> str:
    """``text`` with the personal data and secrets a log line must not hold blanked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def new_request_id(given: str | None) -> str:
    """The proxy's id when it is valid, else a new random one."""
    if given and VALID_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def _value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    return scrub(str(value))


def _where(exc_info: Any) -> dict[str, Any]:
    """An exception's type and the frames it went through, without its message."""
    kind, _error, trace = exc_info
    frames = traceback.extract_tb(trace)
    return {"type": getattr(kind, "__qualname__", str(kind)),
            "frames": [f"{frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]}


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON: time (UTC, ISO 8601), level, logger, message,
    request_id, the access fields or ``extra`` values it has, and an exception's type."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and name not in entry:
                entry[name] = _value(value)
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = _where(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: the same fields on one readable line, tracebacks whole."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        copy = logging.makeLogRecord(vars(record))  # other handlers see the record unchanged
        copy.request_id = getattr(record, "request_id", None) or current_request_id() or "-"
        copy.msg, copy.args = scrub(record.getMessage()), ()
        return super().format(copy)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a line is written (a test's capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


def _formatter(log_format: str) -> type[logging.Formatter]:
    if log_format not in FORMATTERS:
        raise RuntimeError(f"CIVIC_LOG_FORMAT must be json or text, not {log_format!r}.")
    return FORMATTERS[log_format]


def install(log_format: str, level: str) -> logging.Handler:
    """Send every logger's lines to stderr in ``log_format``: one handler on the root
    logger (replacing the one a previous call installed); civic's own loggers at
    ``level``, other libraries at WARNING."""
    formatter = _formatter(log_format)()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "civic", False):
            root.removeHandler(handler)
    handler = _Stderr()
    handler.civic = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter)
    root.addHandler(handler)
    logging.getLogger("civic").setLevel(level.upper())
    return handler


def gunicorn_logging(log_format: str = "json") -> dict[str, Any]:
    """gunicorn's ``logconfig_dict``: its error log through civic's formatter, no access
    log (the app writes its own), the root logger left to the app."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"civic": {"()": _formatter(log_format)}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "civic",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "WARNING", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }


def _started(_app: Flask, **_extra: Any) -> None:
    g.request_id = new_request_id(request.headers.get(HEADER))
    g.request_started = time.perf_counter()


def _finished(app: Flask, response: Response, **_extra: Any) -> None:
    started = g.get("request_started")
    if started is None:  # the request failed before request_started was sent
        return
    response.headers[HEADER] = g.request_id
    rule = request.url_rule
    fields = {"method": request.method, "rule": rule.rule if rule else None,
              "endpoint": request.endpoint, "status": response.status_code,
              "duration_ms": round((time.perf_counter() - started) * 1000, 1)}
    logging.getLogger("civic.access").info(
        "%s %s %s %s ms", fields["method"], fields["rule"] or "-", fields["status"],
        fields["duration_ms"], extra=fields)


def init_app(app: Flask) -> None:
    log_format = str(app.config.get("LOG_FORMAT", "text"))
    install(log_format, str(app.config.get("LOG_LEVEL", "INFO")))
    app.logger.removeHandler(default_handler)  # the root's handler writes civic's lines
    if log_format == "json" or app.config.get("ENV") == "production":
        # The development server's request log holds the client's address and raw path.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    request_started.connect(_started, app, weak=False)
    request_finished.connect(_finished, app, weak=False)
