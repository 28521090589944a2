"""Paper votes can be corrected until the count, so that a mistake never blocks it.

The audit's dead end: three paper voters in the register and four ballots typed in;
from then on the count was refused every time and nothing could undo it. Now a ballot
beyond the register is refused, a ballot typed by mistake is taken out of the box by two
people (audited, by its receipt: its choices stay secret), and a voter left out of the
register is added after the vote closes (audited). The count then goes through."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.budget import box, counting
from civic.budget.models import PaperVoid, Participation, Round, SealedBallot
from civic.budget.services import seal_intact
from civic.core.audit import AuditEntry
from tests import factories
from tests.factories import NOW

CLOSED = NOW + timedelta(days=4, hours=1)  # the "vote" round's vote ended an hour ago


@pytest.fixture
def clock(monkeypatch: Any) -> dict[str, Any]:
    now = {"at": NOW}
    monkeypatch.setattr("civic.core.clock.now", lambda: now["at"])
    return now


@pytest.fixture
def voting(db: Any, quartier: Any) -> Any:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    for amount in (40_000, 60_000, 80_000):
        factories.make_project(db, round_, amount_cents=amount)
    assert len(round_.projects) == 3
    return round_


def voter(name: str, **values: str) -> dict[str, str]:
    return {f"voter-{k}": v for k, v in {"name": name, "birth_date": "1985-04-04",
                                         "lives_in_quartier": "y", "checked": "y",
                                         **values}.items()}


def enter(client: Any, url: str, project: Any) -> Any:
    return client.post(url, data={"part": "ballot", "project": [str(project.id)]},
                       follow_redirects=True)


def receipt_of(page: Any) -> str:
    found = re.search(r"Son reçu : ([0-9A-F]{4}(?:-[0-9A-F]{4}){3})", page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)
    return found[1]


def audit_actions(db: Any) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_ballot_beyond_the_register_is_refused(login_as: Any, db: Any, people: dict,
                                                 quartier: Any, voting: Any,
                                                 clock: dict) -> None:
    permanence = factories.make_permanence(db, quartier)
    client = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/papier/{voting.id}"
    for name in ("Awa Diallo", "Karim Benali", "Lucie Martin"):
        assert client.post(url, data={"part": "voter", **voter(name)}).status_code == 302
    for project in voting.projects:
        assert "Le bulletin papier est saisi" in enter(client, url, project).get_data(
            as_text=True)
    fourth = client.post(url, data={"part": "ballot",
                                    "project": [str(voting.projects[0].id)]})
    assert fourth.status_code == 400
    assert "Chaque personne inscrite sur papier ici a déjà son bulletin saisi" in (
        fourth.get_data(as_text=True))
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 3


def test_a_mistake_is_voided_by_two_people_then_the_count_goes_through(
        login_as: Any, db: Any, people: dict, quartier: Any, voting: Any,
        clock: dict) -> None:
    permanence = factories.make_permanence(db, quartier)
    animator = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/papier/{voting.id}"
    for name in ("Awa Diallo", "Karim Benali"):
        animator.post(url, data={"part": "voter", **voter(name)})
    enter(animator, url, voting.projects[0])
    wrong = receipt_of(enter(animator, url, voting.projects[2]))  # meant projects[1]

    # The animator asks; a receipt of another permanence or a typo is refused.
    unknown = animator.post(url, data={"part": "void", "void-receipt": "0000-0000-0000-0000",
                                       "void-reason": "saisi par erreur"})
    assert unknown.status_code == 400
    assert "Aucun bulletin papier de cette permanence n’a ce reçu" in unknown.get_data(
        as_text=True)
    asked = animator.post(url, data={"part": "void", "void-receipt": wrong.lower(),
                                     "void-reason": "mauvaise case cochée"},
                          follow_redirects=True)
    assert "Une autre personne doit la confirmer" in asked.get_data(as_text=True)
    void = db.scalar(select(PaperVoid))
    page = animator.get(url).get_data(as_text=True)
    assert "En attente d’une deuxième personne." in page
    assert "Confirmer : retirer ce bulletin" not in page
    alone = animator.post(url, data={"part": "void-decision", "void": str(void.id),
                                     "decision": "confirm"})
    assert alone.status_code == 400
    assert "on ne confirme pas sa propre demande" in alone.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 2

    # A pilot, the second person, confirms: the ballot leaves the box and the seal.
    pilot = login_as(people["pilot"])
    assert "Confirmer : retirer ce bulletin" in pilot.get(url).get_data(as_text=True)
    done = pilot.post(url, data={"part": "void-decision", "void": str(void.id),
                                 "decision": "confirm"}, follow_redirects=True)
    assert "Le bulletin est retiré de l’urne." in done.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1
    assert seal_intact(db, db.get(Round, voting.id))
    voided = [a for a in audit_actions(db) if a.startswith("budget.paper_void")]
    assert voided == ["budget.paper_void_asked", "budget.paper_void_confirmed"]
    entry = db.scalar(select(AuditEntry).where(
        AuditEntry.action == "budget.paper_void_confirmed"))
    assert entry.details["receipt"] == wrong
    assert entry.details["asked_by"] == people["animator"].id

    # The vote closes: a voter forgotten in the register is added (audited), and the
    # right ballots are typed in.
    animator = login_as(people["animator"])
    enter(animator, url, voting.projects[1])
    clock["at"] = CLOSED
    page = animator.get(url).get_data(as_text=True)
    assert "Ajouter une personne oubliée dans le registre" in page
    added = animator.post(url, data={"part": "voter", **voter("Lucie Martin")})
    assert added.status_code == 302
    entry = db.scalar(select(AuditEntry).where(
        AuditEntry.action == "budget.paper_voter_added"))
    assert entry.details == {"permanence": permanence.id}  # never the person
    twice = animator.post(url, data={"part": "voter", **voter("MARTIN lucie")})
    assert twice.status_code == 400
    enter(animator, url, voting.projects[1])
    assert db.scalar(select(func.count()).select_from(Participation)) == 3

    results = counting.count(db, db.get(Round, voting.id), factories.SHARES[voting.id][:2],
                             actor=people["pilot"], now=CLOSED, small=11)
    scores = {p["id"]: p["score"] for p in results["projects"]}
    assert [scores[p.id] for p in voting.projects] == [1, 2, 0]  # the voided one is gone
    assert results["ballots"] == 3

    # Once the count started, paper votes cannot change any more.
    late = animator.post(url, data={"part": "ballot", "project": [str(voting.projects[0].id)]})
    assert late.status_code == 400
    assert "Le dépouillement a commencé" in late.get_data(as_text=True)


def test_a_withdrawn_request_leaves_the_ballot(login_as: Any, db: Any, people: dict,
                                               quartier: Any, voting: Any,
                                               clock: dict) -> None:
    permanence = factories.make_permanence(db, quartier)
    animator = login_as(people["animator"])
    url = f"/permanence/{permanence.id}/papier/{voting.id}"
    animator.post(url, data={"part": "voter", **voter("Awa Diallo")})
    receipt = receipt_of(enter(animator, url, voting.projects[0]))
    animator.post(url, data={"part": "void", "void-receipt": receipt,
                             "void-reason": "erreur"})
    again = animator.post(url, data={"part": "void", "void-receipt": receipt,
                                     "void-reason": "erreur"})
    assert "déjà demandée" in again.get_data(as_text=True)
    void = db.scalar(select(PaperVoid))
    animator.post(url, data={"part": "void-decision", "void": str(void.id),
                             "decision": "withdraw"})
    assert db.scalar(select(func.count()).select_from(PaperVoid)) == 0
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1
    assert "budget.paper_void_withdrawn" in audit_actions(db)
    assert box.receipt(db.scalar(select(SealedBallot.tracker))) == receipt


def test_who_opens_the_paper_page(client: Any, login_as: Any, db: Any, people: dict,
                                  quartier: Any, other_quartier: Any, voting: Any,
                                  clock: dict) -> None:
    permanence = factories.make_permanence(db, quartier)
    url = f"/permanence/{permanence.id}/papier/{voting.id}"
    assert client.get(url).status_code in (302, 401, 403)
    assert login_as(people["resident"]).get(url).status_code == 403
    assert login_as(people["moderator"]).get(url).status_code == 403
    assert login_as(people["animator"]).get(url).status_code == 200
    pilot = login_as(people["pilot"])
    page = pilot.get(url).get_data(as_text=True)
    back = re.search(r'<p class="breadcrumb"><a href="([^"]+)"', page)
    assert back
    assert pilot.get(back[1]).status_code == 200  # no dead end for a pilot
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    assert login_as(elsewhere).get(url).status_code == 403
