"""A resident with an account who asked for it finds their declaration filled in on the
next vote of the same quartier: shown, to be checked and confirmed, never sent for them;
forgotten on request or by unticking the box; part of their data; gone with the account."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts import services as accounts
from civic.budget.models import RememberedDeclaration
from tests import factories
from tests.factories import NOW, PASSWORD


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def ballot(round_: Any, step: str, **values: str) -> dict[str, Any]:
    return {"name": "Fatima Benali", "birth_date": "1980-05-06", "lives_in_quartier": "y",
            "project": [str(round_.projects[0].id)], "step": step, **values}


def voting(db: Any, quartier: Any, year: int) -> Any:
    round_ = factories.make_round(db, factories.make_fund(db, quartier, year=year), "vote")
    factories.make_project(db, round_, amount_cents=40_000)
    assert round_.projects
    return round_


def value_of(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert found, name
    value = re.search(r'value="([^"]*)"', found[0])
    return value[1] if value else None


def test_the_declaration_is_remembered_on_request_and_checked_again(
        login_as: Any, db: Any, people: dict, quartier: Any, other_quartier: Any) -> None:
    first, second = voting(db, quartier, 2025), voting(db, quartier, 2026)
    elsewhere = voting(db, other_quartier, 2026)
    client = login_as(people["resident"])
    review = client.post(f"/fph/{first.id}/voter", data=ballot(first, "review"))
    assert "Retenir mon nom et ma date de naissance" in review.get_data(as_text=True)
    client.post(f"/fph/{first.id}/voter", data=ballot(first, "cast", remember="y"))
    kept = db.get(RememberedDeclaration, people["resident"].id)
    assert (kept.name, kept.birth_date, kept.quartier_id) == (
        "Fatima Benali", date(1980, 5, 6), quartier.id)

    page = client.get(f"/fph/{second.id}/voter").get_data(as_text=True)
    assert value_of(page, "name") == "Fatima Benali"
    assert value_of(page, "birth_date") == "1980-05-06"
    assert not re.search(r'name="lives_in_quartier"[^>]*checked', page)  # confirmed anew
    assert "sont repris de votre dernier vote dans ce quartier" in page
    unconfirmed = client.post(f"/fph/{second.id}/voter", data=ballot(
        second, "review", lives_in_quartier=""))
    assert unconfirmed.status_code == 400  # nothing goes through without the tick
    other = client.get(f"/fph/{elsewhere.id}/voter").get_data(as_text=True)
    assert value_of(other, "name") in (None, "")  # another quartier: nothing filled in

    confirm = client.post(f"/fph/{second.id}/voter", data=ballot(second, "review"))
    assert re.search(r'id="remember" name="remember" value="y" checked',
                     confirm.get_data(as_text=True))
    client.post(f"/fph/{second.id}/voter", data=ballot(second, "cast"))  # unticked
    assert db.get(RememberedDeclaration, people["resident"].id) is None


def test_it_is_shown_exported_forgotten_and_erased(login_as: Any, db: Any, people: dict,
                                                   quartier: Any) -> None:
    round_ = voting(db, quartier, 2026)
    resident = people["resident"]
    client = login_as(resident)
    assert "Votre nom pour voter" in client.get("/compte").get_data(as_text=True)
    nothing = client.get("/compte/vote-fph").get_data(as_text=True)
    assert "Le site ne retient rien pour vos votes" in nothing
    client.post(f"/fph/{round_.id}/voter", data=ballot(round_, "cast", remember="y"))
    shown = client.get("/compte/vote-fph").get_data(as_text=True)
    assert "Fatima Benali" in shown
    assert "un bulletin ne porte jamais de nom" in shown
    exported = accounts.export_data(db, db.get(type(resident), resident.id))
    assert exported["fph"]["remembered_declaration"]["name"] == "Fatima Benali"
    done = client.post("/compte/vote-fph", follow_redirects=True)
    assert "C’est oublié" in done.get_data(as_text=True)
    assert db.get(RememberedDeclaration, resident.id) is None

    other = factories.make_user(db)
    db.add(RememberedDeclaration(user_id=other.id, quartier_id=quartier.id, name="Awa Diallo",
                                 birth_date=date(1990, 1, 1), saved_at=NOW))
    db.flush()
    accounts.delete_account(db, other, PASSWORD, now=NOW)
    assert db.scalars(select(RememberedDeclaration)).all() == []


def test_the_kiosk_never_fills_anything_in(login_as: Any, db: Any, people: dict,
                                          quartier: Any) -> None:
    round_ = voting(db, quartier, 2026)
    animator = people["animator"]
    db.add(RememberedDeclaration(user_id=animator.id, quartier_id=quartier.id,
                                 name="Aïcha Animatrice", birth_date=date(1985, 1, 1),
                                 saved_at=NOW))
    db.flush()
    permanence = factories.make_permanence(db, quartier, animator)
    page = login_as(animator).get(f"/permanence/{permanence.id}/kiosque/{round_.id}")
    assert "Aïcha Animatrice" not in page.get_data(as_text=True)
