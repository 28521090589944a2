"""The animator's tablet through its pages: hub, kiosk, paper, codes and letters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.budget.models import Participation, SealedBallot
from civic.core.qr import qr_svg
from civic.permanence.models import KioskTicket, Permanence, VoteCode
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def voting(db: Any, quartier: Any) -> Any:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    for amount in (40_000, 60_000, 80_000):
        factories.make_project(db, round_, amount_cents=amount)
    assert len(round_.projects) == 3  # loaded now: pages detach it later
    return round_


def declaration(**values: Any) -> dict[str, str]:
    return {"name": "Karim Benali", "birth_date": "1985-04-04", "lives_in_quartier": "y",
            "checked": "y", **values}


def test_the_hub_is_the_animators_own(client: Any, login_as: Any, db: Any, people: dict,
                                      quartier: Any, other_quartier: Any) -> None:
    assert login_as(people["resident"]).get("/permanence").status_code == 403
    animator = login_as(people["animator"])
    elsewhere = animator.post("/permanence", data={
        "quartier_id": str(other_quartier.id), "place": "Ailleurs", "day": "2026-03-14",
        "starts": "09:00", "ends": "12:00"})
    assert elsewhere.status_code == 400
    wrong_times = animator.post("/permanence", data={
        "quartier_id": str(quartier.id), "place": "Centre social", "day": "2026-03-14",
        "starts": "12:00", "ends": "09:00"})
    assert "L’heure de fin doit venir après" in wrong_times.get_data(as_text=True)
    opened = animator.post("/permanence", data={
        "quartier_id": str(quartier.id), "place": "Centre social", "day": "2026-03-14",
        "starts": "09:00", "ends": "12:00"})
    permanence = db.scalar(select(Permanence))
    assert opened.headers["Location"] == f"/permanence/{permanence.id}"
    assert permanence.starts_at.isoformat() == "2026-03-14T08:00:00+00:00"
    assert "Centre social" in animator.get("/permanence").get_data(as_text=True)


def test_a_kiosk_vote_from_declaration_to_thanks(login_as: Any, db: Any, people: dict,
                                                 quartier: Any, voting: Any) -> None:
    permanence = factories.make_permanence(db, quartier, people["animator"])
    client = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/kiosque/{voting.id}"
    unchecked = client.post(url, data=declaration(checked=""))
    assert unchecked.status_code == 400
    assert "Cochez cette case" in unchecked.get_data(
        as_text=True)
    screen = client.post(url, data=declaration())
    assert screen.headers["Cache-Control"] == "no-store"
    ticket = re.search(r'name="ticket" value="([^"]+)"', screen.get_data(as_text=True))[1]
    assert "Karim" not in screen.get_data(as_text=True).replace(ticket, "")

    first, second, _ = (p.id for p in voting.projects)
    arabic = client.post(f"{url}/bulletin", data={"ticket": ticket, "lang": "fr",
                                                  "switch_lang": "ar",
                                                  "project": [str(first)]})
    page = arabic.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert f'value="{first}" data-cost="40000" aria-describedby="summary-{first}" checked' in page
    confirm = client.post(f"{url}/bulletin", data={"ticket": ticket, "lang": "ar",
                                                   "action": "confirm",
                                                   "project": [str(first), str(second)]})
    assert confirm.status_code == 200
    thanks = client.post(f"{url}/bulletin", data={"ticket": ticket, "lang": "ar",
                                                  "action": "cast",
                                                  "project": [str(first), str(second)]})
    assert "data-kiosk-return" in thanks.get_data(as_text=True)
    (ballot,) = db.scalars(select(SealedBallot))
    assert ballot.channel == "kiosk"
    assert ballot.permanence_id is None
    assert db.scalar(select(func.count()).select_from(KioskTicket)) == 0  # spent with it
    (line,) = db.scalars(select(Participation))
    assert line.permanence_id == permanence.id
    assert line.user_id is None

    again = client.post(url, data=declaration(name="KARIM BENALI"))
    assert again.status_code == 400
    assert "a déjà voté" in again.get_data(as_text=True)
    replay = client.post(f"{url}/bulletin", data={"ticket": ticket, "lang": "fr",
                                                  "action": "cast", "project": [str(first)]},
                         follow_redirects=True)
    assert "Le temps est écoulé" in replay.get_data(as_text=True)  # the ticket is spent
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1


def test_give_back_and_forged_tickets(login_as: Any, db: Any, people: dict, quartier: Any,
                                      voting: Any) -> None:
    permanence = factories.make_permanence(db, quartier)
    client = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/kiosque/{voting.id}"
    ticket = re.search(r'name="ticket" value="([^"]+)"',
                       client.post(url, data=declaration()).get_data(as_text=True))[1]
    empty = client.post(f"{url}/bulletin", data={"ticket": ticket, "action": "cast"})
    assert empty.status_code == 400  # the ballot again, with the message
    assert "Choisissez au moins un projet." in empty.get_data(as_text=True)
    forged = client.post(f"{url}/bulletin", data={"ticket": ticket + "x", "action": "cast",
                                                  "project": [str(voting.projects[0].id)]})
    assert forged.headers["Location"] == url
    back = client.post(f"{url}/bulletin", data={"ticket": ticket, "action": "giveback"})
    assert back.headers["Location"] == url
    after = client.post(f"{url}/bulletin", data={"ticket": ticket, "action": "cast",
                                                 "project": [str(voting.projects[0].id)]})
    assert after.headers["Location"] == url  # a given-back tablet votes no more
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 0


def test_an_animator_of_another_quartier_cannot_open_a_kiosk(login_as: Any, db: Any,
                                                              people: dict,
                                                              other_quartier: Any) -> None:
    permanence = factories.make_permanence(db, other_quartier)
    round_ = factories.make_round(db, factories.make_fund(db, other_quartier), "vote")
    client = login_as(people["animator"])
    assert client.get(f"/permanence/{permanence.id}/kiosque/{round_.id}").status_code == 403
    assert client.get(f"/permanence/{permanence.id}/papier/{round_.id}").status_code == 403


def test_paper_register_and_ballots(login_as: Any, db: Any, people: dict, quartier: Any,
                                    voting: Any) -> None:
    permanence = factories.make_permanence(db, quartier)
    client = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/papier/{voting.id}"
    client.post(url, data={"part": "voter", **{f"voter-{k}": v for k, v in
                                               declaration().items()}})
    page = client.get(url).get_data(as_text=True)
    assert "Les deux nombres doivent être égaux" in page
    bad = client.post(url, data={"part": "ballot"})
    assert bad.status_code == 400
    client.post(url, data={"part": "ballot", "project": [str(voting.projects[2].id)]})
    page = client.get(url).get_data(as_text=True)
    assert "Les deux nombres doivent être égaux" not in page
    (ballot,) = db.scalars(select(SealedBallot))
    assert (ballot.channel, ballot.permanence_id) == ("paper", permanence.id)


def test_codes_are_printed_once_and_vote_without_an_account(client: Any, login_as: Any,
                                                            db: Any, people: dict,
                                                            voting: Any) -> None:
    pilot = login_as(people["pilot"])
    letters = pilot.post(f"/admin/fph/sessions/{voting.id}/codes", data={"count": "2"})
    page = letters.get_data(as_text=True)
    assert letters.headers["Cache-Control"] == "no-store"
    assert page.count('class="letter"') == 2
    assert page.count("<svg") == 2
    printed = re.findall(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})</strong>", page)
    assert len(printed) == 2
    stored = set(db.scalars(select(VoteCode.digest)))
    assert not any(code.replace("-", "") in d for code in printed for d in stored)
    summary = pilot.get(f"/admin/fph/sessions/{voting.id}/codes").get_data(as_text=True)
    assert printed[0] not in summary

    with client.session_transaction() as session:
        session.clear()
    address = re.search(r"<code>(http://localhost/fph/\d+/code)</code>", page)[1]
    # The QR code holds the code in the fragment, which no browser sends to a server.
    assert "code?c=" not in page
    assert all(qr_svg(f"{address}#c={code}") in page
                                         for code in printed)
    opened = client.get(address.replace("http://localhost", "") + "?c=" + printed[0])
    assert f'value="{printed[0]}"' not in opened.get_data(as_text=True)  # not read from a query
    form = {"code": printed[0].lower(), "name": "Zoé", "birth_date": "1999-09-09",
            "lives_in_quartier": "y", "project": [str(voting.projects[0].id)]}
    assert "Vérifiez votre vote" in client.post(
        f"/fph/{voting.id}/code", data={**form, "step": "review"}).get_data(as_text=True)
    changing = client.post(f"/fph/{voting.id}/code", data={**form, "step": "choose"})
    page = changing.get_data(as_text=True)
    assert changing.status_code == 200
    assert "Vérifiez votre vote" not in page
    assert printed[0].lower() in page  # back to the form, with what was typed
    cast = client.post(f"/fph/{voting.id}/code", data={**form, "step": "cast"})
    assert 'class="receipt"' in cast.get_data(as_text=True)
    reused = client.post(f"/fph/{voting.id}/code", data={**form, "name": "Autre",
                                                         "step": "cast"})
    assert "déjà servi" in reused.get_data(as_text=True)
    (ballot,) = db.scalars(select(SealedBallot))
    assert ballot.channel == "code"


def test_an_animator_lands_on_the_tablet_hub(client: Any, db: Any, people: dict) -> None:
    client.post("/connexion", data={"email": people["animator"].email,
                                    "password": factories.PASSWORD})
    animator = client.post("/connexion/deuxieme-etape",  # the app's code: a staff account
                           data={"code": factories.app_code(people["animator"].email)})
    assert animator.headers["Location"] == "/permanence"
    client.post("/deconnexion")
    resident = client.post("/connexion", data={"email": people["resident"].email,
                                               "password": factories.PASSWORD})
    assert resident.headers["Location"] == "/"


def test_an_animator_prints_codes_for_the_permanence_and_pilots_see_every_run(
        login_as: Any, db: Any, people: dict, quartier: Any, other_quartier: Any,
        voting: Any) -> None:
    from civic.core.audit import AuditEntry
    from civic.permanence.models import VoteCode as Code

    permanence = factories.make_permanence(db, quartier, people["animator"],
                                           place="Centre social Abbal")
    animator = login_as(people["animator"])
    detail = animator.get(f"/permanence/{permanence.id}").get_data(as_text=True)
    url = f"/permanence/{permanence.id}/codes/{voting.id}"
    assert f'href="{url}">Imprimer des codes de vote' in detail
    letters = animator.post(url, data={"count": "3"})
    assert letters.status_code == 200
    assert letters.get_data(as_text=True).count('class="letter"') == 3
    assert {c.permanence_id for c in db.scalars(select(Code))} == {permanence.id}
    entry = db.scalar(select(AuditEntry).where(
        AuditEntry.action == "permanence.codes_generated"))
    assert (entry.actor_id, entry.details["permanence"]) == (people["animator"].id,
                                                            permanence.id)
    pilot = login_as(people["pilot"])
    pilot.post(f"/admin/fph/sessions/{voting.id}/codes", data={"count": "2"})
    every = pilot.get(f"/admin/fph/sessions/{voting.id}/codes").get_data(as_text=True)
    assert "Centre social Abbal" in every
    assert "Pilote" in every
    own = login_as(people["animator"]).get(url).get_data(as_text=True)
    assert own.count("<tr><td>") == 1  # the pilot's run is not the permanence's
    voided = login_as(people["animator"]).post(url, data={"void": "2"})  # the pilot's
    assert voided.status_code == 302
    assert db.scalar(select(func.count()).select_from(Code).where(Code.void.is_(True))) == 0
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    assert login_as(elsewhere).get(url).status_code == 403
