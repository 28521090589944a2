"""Links that leave the site, the hosts it answers for, and the proxies it believes:
played by someone who controls the request's headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request

from civic import create_app
from tests import factories
from tests.conftest import Outbox, test_config


def test_a_reset_asked_with_a_foreign_host_still_links_to_the_site(
        client: Any, db: Any, outbox: Outbox) -> None:
    user = factories.make_user(db, email="nour@example.org")
    asked = client.post("/mot-de-passe-oublie", data={"email": user.email},
                        headers={"Host": "attacker.example"})
    assert asked.status_code == 200
    [mail] = outbox.messages
    body = outbox.body(mail)
    assert "attacker.example" not in body
    assert "http://localhost/mot-de-passe/" in body  # BASE_URL of the tests


def test_a_foreign_host_is_refused_where_hosts_are_trusted(
        database_url: str, outbox_dir: Path) -> None:
    app = create_app(test_config(database_url, outbox_dir, BASE_URL="https://civic.example",
                                 TRUSTED_HOSTS=["civic.example"]))
    client = app.test_client()
    assert client.get("/credits", headers={"Host": "attacker.example"}).status_code == 400
    assert client.get("/credits", headers={"Host": "civic.example"}).status_code == 200


def _echo(database_url: str, outbox_dir: Path, proxies: int) -> Flask:
    app = create_app(test_config(database_url, outbox_dir, PROXY_FIX=proxies))
    app.add_url_rule("/test/echo", "test_echo",
                     lambda: f"{request.remote_addr} {request.scheme}")
    return app


FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def test_forwarding_headers_are_ignored_without_a_proxy(database_url: str,
                                                        outbox_dir: Path) -> None:
    """A visitor cannot pose as another address (to dodge a rate limit) by saying so."""
    app = _echo(database_url, outbox_dir, 0)
    answer = app.test_client().get("/test/echo", headers=FORWARDED,
                                   environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert answer.get_data(as_text=True) == "198.51.100.1 http"


def test_behind_one_proxy_the_client_address_and_https_are_believed(
        database_url: str, outbox_dir: Path) -> None:
    app = _echo(database_url, outbox_dir, 1)
    answer = app.test_client().get("/test/echo", headers={
        "X-Forwarded-For": "192.0.2.66, 203.0.113.7", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "10.0.0.2"})
    # Only the last hop, added by our proxy, is believed: the first was typed by the client.
    assert answer.get_data(as_text=True) == "203.0.113.7 https"


@pytest.mark.parametrize("base", ["", "http://civic.example", "civic.example"])
def test_production_refuses_to_start_without_its_https_address(
        base: str, monkeypatch: Any) -> None:
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("CIVIC_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("CIVIC_BASE_URL", base)
    with pytest.raises(RuntimeError, match="CIVIC_BASE_URL"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_production_trusts_the_host_of_its_address(monkeypatch: Any, tmp_path: Path) -> None:
    from civic import config

    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.setenv("CIVIC_BASE_URL", "https://participer.example.fr")
    monkeypatch.setenv("CIVIC_TRUSTED_HOSTS", "www.participer.example.fr")
    assert config.load(tmp_path)["TRUSTED_HOSTS"] == ["participer.example.fr",
                                                      "www.participer.example.fr"]
