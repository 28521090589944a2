"""Security headers, safe redirects, secrets, rate limits."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from civic import config, create_app
from civic.core.security import hash_password, is_safe_redirect, verify_password
from tests.conftest import test_config


def test_every_page_carries_the_security_headers(client: Any) -> None:
    first, second = client.get("/"), client.get("/")
    csp = first.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    nonce = re.search(r"nonce-([\w-]+)", csp)
    assert nonce
    assert nonce.group(1) not in second.headers["Content-Security-Policy"]
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["Referrer-Policy"] == "same-origin"


def test_pages_reference_no_other_site(client: Any) -> None:
    for url in ["/", "/inscription", "/connexion", "/credits"]:
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", body), url


@pytest.mark.parametrize(("target", "safe"), [
    ("/compte", True), ("/quartiers/QN1?x=1", True), ("", False), (None, False),
    ("//evil.example", False), ("https://evil.example/", False), ("/\\evil.example", False),
    ("javascript:alert(1)", False),
])
def test_only_same_site_paths_are_followed_after_login(target: str | None, safe: bool) -> None:
    assert is_safe_redirect(target) is safe


def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("un mot de passe long")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "un mot de passe long")
    assert not verify_password(hashed, "un autre")
    assert not verify_password(None, "un mot de passe long")


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: Any) -> None:
    monkeypatch.setenv("CIVIC_ENV", "production")
    monkeypatch.delenv("CIVIC_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="CIVIC_SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_development_generates_a_secret_key_once(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.delenv("CIVIC_SECRET_KEY", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    assert len(first) > 40
    assert first == config.load(tmp_path)["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_session_cookie_is_httponly_and_samesite(client: Any, db: Any) -> None:
    response = client.post("/langue", data={"lang": "en"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_is_rate_limited(database_url: str, outbox_dir: Any) -> None:
    app = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True,
                                 LOGIN_RATE_LIMIT="3 per minute"))
    client = app.test_client()
    codes = [client.post("/connexion", data={"email": "a@example.org", "password": "x"},
                         environ_base={"REMOTE_ADDR": "10.9.9.9"}).status_code
             for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert "Trop d’essais" in client.post(
        "/connexion", environ_base={"REMOTE_ADDR": "10.9.9.9"}).get_data(as_text=True)
