"""Sessions that end when they should: a cookie copied before a logout, a password
change, a reset or a role change opens nothing afterwards, on any device."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from civic.accounts.models import User
from tests import factories


def log_in(app: Flask, user: User, *, remember: bool = False) -> Any:
    client = app.test_client()
    answer = client.post("/connexion", data={"email": user.email, "password": factories.PASSWORD,
                                             **({"remember": "y"} if remember else {})})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert client.get("/compte").status_code == 200
    return client


def stolen(app: Flask, client: Any) -> Any:
    """Another browser holding copies of the client's cookies."""
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    return thief


def remember_only(app: Flask, client: Any) -> Any:
    """A browser that kept only the "remember me" cookie (the session one expired)."""
    thief = app.test_client()
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    thief.set_cookie("remember_token", cookie.value)
    return thief


def opens_account(client: Any) -> bool:
    return client.get("/compte").status_code == 200


def test_a_copied_cookie_stops_working_at_logout(app: Flask, db: Any) -> None:
    user = factories.make_user(db)
    client = log_in(app, user, remember=True)
    session_copy, remember_copy = stolen(app, client), remember_only(app, client)
    assert opens_account(session_copy)
    assert opens_account(remember_copy)
    client.post("/deconnexion")
    assert not opens_account(client)
    assert not opens_account(stolen(app, client))
    assert not opens_account(session_copy)
    assert not opens_account(remember_copy)


def test_a_password_change_logs_out_other_devices_but_not_this_one(app: Flask,
                                                                   db: Any) -> None:
    user = factories.make_user(db)
    here, other = log_in(app, user, remember=True), log_in(app, user, remember=True)
    remember_copy = remember_only(app, other)
    changed = here.post("/compte/mot-de-passe", data={
        "current_password": factories.PASSWORD, "new_password": "un tout autre mot de passe"})
    assert changed.status_code == 302
    assert opens_account(here)
    assert not opens_account(other)
    assert not opens_account(remember_copy)
    assert opens_account(remember_only(app, here))  # this device's own, renewed


def test_a_reset_ends_every_session(app: Flask, db: Any, outbox: Any) -> None:
    user = factories.make_user(db)
    victim_device = log_in(app, user, remember=True)
    thief = stolen(app, victim_device)
    anonymous = app.test_client()
    anonymous.post("/mot-de-passe-oublie", data={"email": user.email})
    [mail] = outbox.messages
    link = next(word for word in outbox.body(mail).split() if "/mot-de-passe/" in word)
    path = link.replace("http://localhost", "")
    anonymous.post(path, data={"password": "un nouveau mot de passe sûr",
                               "confirm": "un nouveau mot de passe sûr"})
    assert db.get(User, user.id).session_generation > 0
    assert not opens_account(thief)
    assert not opens_account(victim_device)


def test_a_role_change_ends_the_sessions_of_the_account(app: Flask, db: Any, people: dict,
                                                        quartier: Any) -> None:
    moderator = people["moderator"]
    client, pilot = app.test_client(), app.test_client()
    for browser, user in ((client, moderator), (pilot, people["pilot"])):
        with browser.session_transaction() as session:  # staff log in with two steps
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    assert opens_account(client)
    [grant] = db.get(User, moderator.id).roles
    pilot.post(f"/admin/roles/{grant.id}/retirer")
    assert not opens_account(client)  # what the moderator's pages held goes with the role


def test_log_out_everywhere(app: Flask, db: Any) -> None:
    user = factories.make_user(db)
    phone, laptop = log_in(app, user, remember=True), log_in(app, user, remember=True)
    remember_copy = remember_only(app, laptop)
    done = phone.post("/compte/deconnexion-partout")
    assert done.status_code == 302
    for device in (phone, laptop, remember_copy):
        assert not opens_account(device)
    assert log_in(app, user)  # and one logs in again as before


def test_a_deleted_account_s_cookie_opens_nothing(app: Flask, db: Any) -> None:
    user = factories.make_user(db)
    client = log_in(app, user)
    thief = stolen(app, client)
    client.post("/compte/supprimer", data={"password": factories.PASSWORD})
    assert not opens_account(thief)


def test_the_remember_cookie_lasts_a_month(app: Flask, db: Any) -> None:
    user = factories.make_user(db)
    client = app.test_client()
    answer = client.post("/connexion", data={"email": user.email,
                                             "password": factories.PASSWORD, "remember": "y"})
    header = next(h for h in answer.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    assert "Max-Age=2592000" in header or "Expires=" in header
    assert app.config["REMEMBER_COOKIE_DURATION"].days == 30


def test_a_forged_generation_opens_nothing(app: Flask, db: Any) -> None:
    user = factories.make_user(db)
    user.session_generation = 3
    db.flush()
    client = app.test_client()
    for forged in (f"{user.id}:2", f"{user.id}:4", f"{user.id}", f"{user.id}:x",
                   f"{user.id}:99999999999999999999"):
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["_fresh"] = True
        assert not opens_account(client), forged
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:3"
    assert opens_account(client)



@pytest.fixture
def limited(database_url: str, outbox_dir: Any) -> Flask:
    """An app with its rate limits on (made before ``db`` binds the test's transaction)."""
    from civic import create_app
    from tests.conftest import test_config

    return create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True))


@pytest.mark.parametrize("path", ["/compte/mot-de-passe", "/compte/supprimer"])
def test_a_borrowed_browser_cannot_guess_the_current_password(
        limited: Flask, db: Any, path: str) -> None:
    """Whoever finds a logged-in browser gets a few tries at the password that these pages
    ask for, then waits; the account is not changed nor deleted by guessing."""
    user = factories.make_user(db)
    browser = limited.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    guesses = [browser.post(path, data={"current_password": f"devinette {n}",
                                        "new_password": "un tout autre mot de passe",
                                        "password": f"devinette {n}"}).status_code
               for n in range(6)]
    assert guesses[:5] == [400] * 5
    assert guesses[5] == 429
    assert db.get(User, user.id).deleted_at is None
