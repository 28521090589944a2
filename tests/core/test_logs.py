"""Logs as an operator reads them and as an attacker with a copy of them would: one JSON
object a line, each with its request's id, and none with a resident's address, name,
phone, password, token, vote code, IP address or what they typed in a URL."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import runpy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civic import ROOT, create_app
from civic.core import logs
from tests import factories
from tests.conftest import test_config

IP = "203.0.113.7"
GUEST = {"name": "Fatou Diallo", "phone": "06 12 34 56 78", "email": "fatou.diallo@example.org",
         "party_size": "1", "consent": "y"}
NEWCOMER = {"display_name": "Lina Haddad", "email": "lina.haddad@example.org",
            "password": "un mot de passe long", "quartier_id": ""}
WRONG_PASSWORD = "pas-le-bon-mot-de-passe"
CODE = "ABCD-EFGH-JK"
QUERY_VALUE = "valeur-de-requete-privee"


@pytest.fixture
def logging_state() -> Iterator[None]:
    """Whatever a test does to the logging setup is undone after it."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {
        name: (logger.level, list(logger.handlers), logger.propagate)
        for name, logger in logging.Logger.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)})
    yield
    handlers, level, loggers = saved
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, (logger_level, logger_handlers, propagate) in loggers.items():
        logger = logging.getLogger(name)
        logger.setLevel(logger_level)
        logger.handlers[:] = logger_handlers
        logger.propagate = propagate


@pytest.fixture
def captured(logging_state: None) -> Iterator[io.StringIO]:
    """Every line written through the root logger, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logging.getLogger().addHandler(handler)
    logging.getLogger("civic").setLevel(logging.INFO)
    yield stream
    logging.getLogger().removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    raw = stream.getvalue().splitlines()
    assert raw, "nothing was logged"
    return [json.loads(line) for line in raw]  # every line is one JSON object


def _link(outbox: Any, path: str) -> str:
    bodies = " ".join(outbox.body(message) for message in outbox.messages)
    found = re.search(rf"https?://[^/\s]+(/{path}/[^\s\"]+)", bodies)
    assert found, bodies
    return found.group(1)


def _journey(client: Any, db: Any, quartier: Any, outbox: Any) -> tuple[list[str], list[str]]:
    """A resident's morning: signs up to an event as a guest, opens the signup's page,
    creates an account, logs in (once wrong), asks for a new password, opens the link,
    types a vote code and a filtered map URL. Returns the request ids and the tokens."""
    event = factories.make_event(db, quartier, title="Repas partagé")
    omar = factories.make_user(db, email="omar.benali@example.org", display_name="Omar Benali")
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "vote")
    factories.make_project(db, round_)
    ids: list[str] = []

    def send(method: str, url: str, **data: Any) -> Any:
        ids.append(f"journey-{len(ids) + 1}")
        response = client.open(url, method=method, data=data or None,
                               environ_base={"REMOTE_ADDR": IP},
                               headers={logs.HEADER: ids[-1]})
        assert response.headers[logs.HEADER] == ids[-1]
        return response

    signed_up = send("POST", f"/evenements/{event.id}/inscription", **GUEST)
    assert signed_up.status_code == 302
    signup_page = signed_up.headers["Location"]
    assert "Fatou Diallo" in send("GET", signup_page).get_data(as_text=True)
    outbox.__init__(outbox.directory)
    assert send("POST", "/inscription", **NEWCOMER).status_code == 302
    confirm = _link(outbox, "confirmer")
    assert send("GET", confirm).status_code == 302
    refused = send("POST", "/connexion", email=omar.email, password=WRONG_PASSWORD)
    assert "incorrect" in refused.get_data(as_text=True)
    assert send("POST", "/connexion", email=omar.email,
                password=factories.PASSWORD).status_code == 302
    send("POST", "/deconnexion")
    outbox.__init__(outbox.directory)
    assert send("POST", "/mot-de-passe-oublie", email=omar.email).status_code == 200
    reset = _link(outbox, "mot-de-passe")
    assert send("GET", reset).status_code == 200
    send("POST", f"/fph/{round_.id}/code", code=CODE, step="review")
    send("GET", f"/quartiers/{quartier.code}/carte?polarity=positive&note={QUERY_VALUE}")
    tokens = [url.rsplit("/", 1)[1] for url in (signup_page, confirm, reset)]
    return ids, tokens


def test_a_residents_journey_logs_json_lines_with_ids_and_nothing_personal(
        client: Any, db: Any, quartier: Any, outbox: Any, captured: io.StringIO,
        monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: factories.NOW)
    ids, tokens = _journey(client, db, quartier, outbox)
    lines = _lines(captured)

    for line in lines:
        assert {"time", "level", "logger", "message", "request_id"} <= set(line), line
        assert line["time"].endswith("Z"), line
        assert line["request_id"] in ids, line
    access = [line for line in lines if line["logger"] == "civic.access"]
    assert [line["request_id"] for line in access] == ids  # one access line a request
    for line in access:
        assert set(logs.ACCESS_FIELDS) <= set(line)
        assert isinstance(line["status"], int)
        assert line["duration_ms"] >= 0
    rules = {line["rule"] for line in access}
    assert {"/evenements/inscription/<token>", "/confirmer/<token>", "/mot-de-passe/<token>",
            "/evenements/<int:event_id>/inscription", "/quartiers/<code>/carte"} <= rules
    assert {"accounts.login", "accounts.reset_password"} <= {line["endpoint"] for line in access}
    assert 200 in {line["status"] for line in access if line["rule"] == "/connexion"}

    text = captured.getvalue()
    secrets = [GUEST["email"], "Fatou", "Diallo", GUEST["phone"], "0612345678",
               NEWCOMER["email"], "Lina", "Haddad", NEWCOMER["password"],
               "omar.benali@example.org", "Omar", "Benali", factories.PASSWORD, WRONG_PASSWORD,
               CODE, CODE.replace("-", ""), IP, QUERY_VALUE, "polarity=", "@example.org",
               *tokens]
    assert [secret for secret in secrets if secret in text] == []


def test_the_request_id_is_the_proxys_when_it_is_plain_else_a_new_one(
        client: Any, db: Any, captured: io.StringIO) -> None:
    given = client.get("/credits", headers={logs.HEADER: "3f2a-edge-7"})
    assert given.headers[logs.HEADER] == "3f2a-edge-7"
    made = {client.get("/credits").headers[logs.HEADER] for _ in range(2)}
    assert len(made) == 2
    for hostile in ("a b", "x" * 65, "fatou@example.org", "<script>", "id\u00e9", "1.2.3.4"):
        replaced = client.get("/credits", headers={logs.HEADER: hostile}).headers[logs.HEADER]
        assert replaced != hostile, hostile
        assert re.fullmatch(r"[0-9a-f]{32}", replaced), hostile
    ids = [line["request_id"] for line in _lines(captured)]
    assert "3f2a-edge-7" in ids
    assert made <= set(ids)
    assert "fatou@example.org" not in captured.getvalue()


def test_an_error_is_logged_by_its_type_and_place_not_its_message(
        database_url: str, outbox_dir: Path, logging_state: None, capsys: Any) -> None:
    """A crash whose message holds a resident's address (as a database error quoting the
    row would) is answered 500 and logged without the address, with the request id."""
    app = create_app(test_config(database_url, outbox_dir, TESTING=False, LOG_FORMAT="json"))

    def crash(token: str) -> str:
        raise ValueError(f"duplicate row ({GUEST['email']}, {GUEST['phone']}) from {IP}")

    app.add_url_rule("/panne/<token>", "crash", crash)
    capsys.readouterr()
    answer = app.test_client().get("/panne/eyJpZCI6NDJ9.Zk3xYw.abcdefghijkl?email=x@y.fr",
                                   headers={logs.HEADER: "crash-1"})
    assert answer.status_code == 500
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [error] = [line for line in lines if line["level"] == "ERROR"]
    assert error["request_id"] == "crash-1"
    assert error["exception"]["type"] == "ValueError"
    assert any("in crash" in frame for frame in error["exception"]["frames"])
    [access] = [line for line in lines if line["logger"] == "civic.access"]
    assert access["status"] == 500
    assert access["rule"] == "/panne/<token>"
    text = json.dumps(lines, ensure_ascii=False)
    for secret in (GUEST["email"], GUEST["phone"], IP, "eyJpZCI6NDJ9", "x@y.fr"):
        assert secret not in text


def test_a_rate_limited_address_is_not_written_down(
        database_url: str, outbox_dir: Path, logging_state: None, capsys: Any) -> None:
    """Flask-Limiter names the address it refuses; that line does not reach the log."""
    app = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True,
                                 LOGIN_RATE_LIMIT="2 per minute", LOG_FORMAT="json"))
    client = app.test_client()
    capsys.readouterr()
    codes = [client.post("/connexion", data={"email": "a@example.org", "password": "x"},
                         environ_base={"REMOTE_ADDR": IP}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [line["status"] for line in lines if line["logger"] == "civic.access"] == codes
    assert IP not in json.dumps(lines)
    assert "a@example.org" not in json.dumps(lines)


def test_json_in_production_text_in_development(database_url: str, outbox_dir: Path,
                                               logging_state: None, monkeypatch: Any,
                                               tmp_path: Path) -> None:
    from civic import config

    monkeypatch.delenv("CIVIC_LOG_FORMAT", raising=False)
    monkeypatch.setenv("CIVIC_ENV", "production")
    assert config.load(tmp_path)["LOG_FORMAT"] == "json"
    monkeypatch.setenv("CIVIC_ENV", "development")
    assert config.load(tmp_path)["LOG_FORMAT"] == "text"

    create_app(test_config(database_url, outbox_dir, LOG_FORMAT="json"))
    ours = [h for h in logging.getLogger().handlers if getattr(h, "civic", False)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, logs.JsonFormatter)
    # werkzeug's request line (client address, raw path) is not written.
    assert not logging.getLogger("werkzeug").isEnabledFor(logging.INFO)
    create_app(test_config(database_url, outbox_dir, LOG_FORMAT="text"))
    ours = [h for h in logging.getLogger().handlers if getattr(h, "civic", False)]
    assert len(ours) == 1
    assert isinstance(ours[0].formatter, logs.TextFormatter)
    with pytest.raises(RuntimeError, match="CIVIC_LOG_FORMAT"):
        create_app(test_config(database_url, outbox_dir, LOG_FORMAT="xml"))


@pytest.mark.parametrize(("written", "kept"), [
    ("mail to fatou.diallo@example.org refused", "mail to <e-mail> refused"),
    ("Invalid request from ip=203.0.113.7: bad", "Invalid request from ip=<ip>: bad"),
    ("peer 2001:db8::17 reset", "peer <ip> reset"),
    ("Listening at: http://0.0.0.0:8000, then 127.0.0.1:8000",
     "Listening at: http://0.0.0.0:8000, then 127.0.0.1:8000"),
    ("call 06 12 34 56 78 or +33 6 12 34 56 78", "call <phone> or <phone>"),
    ("Error handling request /connexion?next=/compte&email=a", "Error handling request "
                                                              "/connexion?<query>"),
    ("GET /mot-de-passe/eyJpZCI6NDIsImZwIjoiYWJjIn0.Zk3xYw.Q1w2E3r4T5y6U7i8O9p0 failed",
     "GET /mot-de-passe/<token> failed"),
    ("code ABCD-EFGH-JK refused, then ABCDEFGHJK", "code <code> refused, then <code>"),
    ("api key 9f8e7d6c5b4a39281706f5e4d3c2b1a0 used", "api key <secret> used"),
    ("job done at 10:32:07, 3 sent, took 12.5 ms", "job done at 10:32:07, 3 sent, took 12.5 ms"),
    ("Is the database up? yes", "Is the database up? yes"),
    ("GET /evenements/<int:event_id> 200", "GET /evenements/<int:event_id> 200"),
])
def test_scrub_blanks_what_a_library_might_write(written: str, kept: str) -> None:
    assert logs.scrub(written) == kept


def test_extra_fields_are_kept_and_their_text_scrubbed(captured: io.StringIO) -> None:
    logging.getLogger("civic.core.mail").warning(
        "delivery to %s failed", "karim@example.org",
        extra={"attempts": 3, "retry": True, "reason": "550 karim@example.org unknown"})
    [line] = _lines(captured)
    assert line["message"] == "delivery to <e-mail> failed"
    assert line["attempts"] == 3
    assert line["retry"] is True
    assert line["reason"] == "550 <e-mail> unknown"
    assert line["request_id"] is None  # written outside any request


def test_gunicorn_writes_no_access_log_and_its_errors_as_json(
        monkeypatch: Any, logging_state: None) -> None:
    monkeypatch.setenv("CIVIC_WORKERS", "3")
    monkeypatch.setenv("CIVIC_BIND", "0.0.0.0:8080")
    monkeypatch.setenv("CIVIC_FORWARDED_ALLOW_IPS", "10.0.0.2")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["workers"] == 3
    assert settings["bind"] == ["0.0.0.0:8080"]
    assert settings["forwarded_allow_ips"] == "10.0.0.2"
    assert settings["accesslog"] is None
    assert settings["errorlog"] == "-"

    logging.config.dictConfig(settings["logconfig_dict"])
    stream = io.StringIO()
    error_log = logging.getLogger("gunicorn.error")
    assert not error_log.propagate
    [handler] = error_log.handlers
    assert isinstance(handler.formatter, logs.JsonFormatter)
    handler.setStream(stream)
    error_log.info("Booting worker with pid: %s", 42)
    error_log.error("Error handling request /evenements/annulation/%s?x=1",
                    "eyJpZCI6NDJ9.Zk3xYw.Q1w2E3r4T5y6U7i8")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["logger"] == "gunicorn.error"
    assert first["message"].endswith("pid: 42")
    assert second["message"] == "Error handling request /evenements/annulation/<token>?<query>"
    assert not logging.getLogger("gunicorn.access").isEnabledFor(logging.INFO)


def test_gunicorn_defaults_listen_on_this_machine_only(monkeypatch: Any) -> None:
    for name in ("CIVIC_WORKERS", "CIVIC_BIND", "CIVIC_FORWARDED_ALLOW_IPS", "CIVIC_LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == ["127.0.0.1:8000"]
    assert settings["workers"] == 2
    assert settings["forwarded_allow_ips"] == "127.0.0.1,::1"
