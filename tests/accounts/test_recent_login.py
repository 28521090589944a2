"""Changing how one proves it is oneself needs the password again when the login is
older than ten minutes: a session cookie copied from a browser cannot swap the phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts.models import Role, TotpApp, User
from tests import factories
from tests.factories import NOW, PASSWORD


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def stolen_session(app: Any, user: User, *, logged_in_at: Any = None) -> Any:
    """A browser holding the account's session cookie, logged in at ``logged_in_at``
    (never, for a cookie older than this rule)."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        if logged_in_at is not None:
            session["civic.authenticated_at"] = logged_in_at.timestamp()
    return client


def apps_of(db: Any, user: User) -> int:
    return len(db.scalars(select(TotpApp).where(TotpApp.user_id == user.id)).all())


def test_an_old_session_cannot_remove_or_swap_the_second_factor(app: Any, db: Any,
                                                                 quartier: Any) -> None:
    moderator = factories.make_user(db, roles=[(Role.MODERATOR, quartier)])
    assert apps_of(db, moderator) == 1
    thief = stolen_session(app, moderator, logged_in_at=NOW - timedelta(hours=3))
    for path in ("/compte/deuxieme-etape/application/retirer",
                 "/compte/deuxieme-etape/codes"):
        refused = thief.post(path)
        assert refused.status_code == 302
        assert "/compte/confirmer" in refused.headers["Location"]
    assert thief.get("/compte/deuxieme-etape/application").status_code == 302
    key = thief.post("/compte/deuxieme-etape/cle/defi")
    assert key.status_code == 401
    assert "mot de passe" in key.get_json()["error"]
    assert apps_of(db, moderator) == 1
    wrong = thief.post("/compte/confirmer", data={"password": "pas le bon mot de passe"})
    assert wrong.status_code == 400
    assert thief.post("/compte/deuxieme-etape/application/retirer").status_code == 302
    assert apps_of(db, moderator) == 1


def test_the_password_opens_ten_minutes_of_changes(app: Any, db: Any, quartier: Any,
                                                   monkeypatch: Any) -> None:
    resident = factories.make_user(db)
    client = stolen_session(app, resident)  # a cookie from before the rule
    asked = client.get("/compte/deuxieme-etape")
    assert asked.status_code == 302
    target = asked.headers["Location"]
    page = client.get(target).get_data(as_text=True)
    assert "retapez votre mot de passe" in page
    confirmed = client.post(target, data={"password": PASSWORD})
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"].endswith("/compte/deuxieme-etape")
    assert client.get("/compte/deuxieme-etape").status_code == 200
    later = NOW + timedelta(minutes=11)
    monkeypatch.setattr("civic.core.clock.now", lambda: later)
    assert client.get("/compte/deuxieme-etape").status_code == 302


def test_a_fresh_login_goes_straight_to_enrolment(app: Any, db: Any, quartier: Any) -> None:
    """Forced enrolment right after the password asks nothing more."""
    newcomer = factories.make_user(db, second_factor=False,
                                   roles=[(Role.ANIMATOR, quartier)])
    client = app.test_client()
    logged = client.post("/connexion", data={"email": newcomer.email, "password": PASSWORD})
    assert logged.headers["Location"].endswith("/compte/deuxieme-etape")
    assert client.get("/compte/deuxieme-etape").status_code == 200
    assert client.get("/compte/deuxieme-etape/application").status_code == 200
