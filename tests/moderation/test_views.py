"""The moderation workspace through its pages, and the report form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from civic.ideas.models import Idea
from civic.moderation.models import Report
from civic.moderation.reasons import REJECTION_TEMPLATES
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_the_queue_lists_every_kind_and_links_projects_to_the_committee(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    author = factories.make_user(db, display_name="Nadia")
    idea = factories.make_idea(db, quartier, author, title="Des bancs", moderation="pending")
    published = factories.make_idea(db, quartier, author, title="Éclairage")
    factories.make_comment(db, published, author, body="Un commentaire", moderation="pending")
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "submission")
    project = factories.make_project(db, round_, author, title="Fresque", status="submitted")
    own = factories.make_idea(db, quartier, people["moderator"], title="Mon idée",
                              moderation="pending")
    page = _text(login_as(people["moderator"]).get("/moderation"))
    for text in ("Des bancs", "Un commentaire", "Fresque", "Mon idée"):
        assert text in page
    assert f"/moderation/idea/{idea.id}" in page
    assert f"/fph/projets/{project.id}/examen" in page
    assert f"/moderation/idea/{own.id}" not in page
    assert "un autre membre du conseil citoyen le relit" in page


def test_the_queue_filters_by_kind_and_names_deleted_accounts(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    author = factories.make_user(db, display_name="Nadia")
    factories.make_idea(db, quartier, author, title="Des bancs", moderation="pending")
    published = factories.make_idea(db, quartier, author, title="Éclairage")
    gone = factories.make_user(db, display_name="Parti")
    comment = factories.make_comment(db, published, gone, body="Un commentaire orphelin",
                                     moderation="pending")
    comment.author_id = None  # the account was deleted since (ON DELETE SET NULL)
    db.flush()
    db.expire(comment)
    client = login_as(people["moderator"])
    page = _text(client.get("/moderation"))
    assert "Compte supprimé" in page  # the comment's author is gone
    assert re.search(r'href="/moderation\?type=comment"\s*>Commentaire', page)
    comments = _text(client.get("/moderation?type=comment"))
    assert "Un commentaire orphelin" in comments
    assert "Des bancs" not in comments
    assert 'aria-current="page">Commentaire' in comments
    unknown = _text(client.get("/moderation?type=nothing"))
    assert "Des bancs" in unknown  # an unknown kind shows everything


def test_a_rejection_from_a_template_is_mailed_to_the_author_and_shown(
        login_as: Any, db: Any, people: dict, quartier: Any, outbox: Any) -> None:
    author = factories.make_user(db, display_name="Nadia", language="fr")
    idea = factories.make_idea(db, quartier, author, title="Vends canapé", moderation="pending")
    client = login_as(people["moderator"])
    refused = client.post(f"/moderation/idea/{idea.id}", data={"d-action": "reject"})
    assert refused.status_code == 400
    assert "Écrivez la raison" in _text(refused)
    done = client.post(f"/moderation/idea/{idea.id}", data={
        "d-action": "reject", "d-template": "advertising", "d-reason": ""})
    assert done.status_code == 302
    reason = str(REJECTION_TEMPLATES["advertising"])
    assert db.get(Idea, idea.id).moderation_reason == reason
    [mail] = outbox.messages
    assert mail["To"] == author.email
    assert reason in outbox.body(mail)
    assert reason in _text(client.get(f"/idees/{idea.id}"))


def test_publish_reword_and_bulk(login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    author = factories.make_user(db)
    first, second, third = (factories.make_idea(db, quartier, author, moderation="pending")
                            for _ in range(3))
    client = login_as(people["moderator"])
    retitled = client.post(f"/moderation/idea/{first.id}", data={"t-title": "Un titre clair"})
    assert retitled.status_code == 302
    client.post(f"/moderation/idea/{first.id}", data={"d-action": "publish"})
    shown = _text(client.get(f"/idees/{first.id}"))
    assert "Un titre clair" in shown
    assert "Titre modifié par la modération" in shown
    bulk = client.post("/moderation/lot", data={
        "items": [f"idea:{second.id}", f"idea:{third.id}", f"idea:{first.id}", "idea:x"],
        "action": "publish"})
    assert bulk.status_code == 302
    assert {db.get(Idea, i.id).moderation for i in (second, third)} == {"published"}
    no_reason = client.post("/moderation/lot", data={"items": [f"idea:{first.id}"],
                                                     "action": "reject"})
    assert no_reason.status_code == 302
    assert db.get(Idea, first.id).moderation == "published"


@pytest.mark.parametrize("who", ["resident", "animator", "signatory", "pilot"])
def test_others_cannot_open_the_queue_or_decide(login_as: Any, db: Any, people: dict,
                                                quartier: Any, who: str) -> None:
    idea = factories.make_idea(db, quartier, factories.make_user(db), moderation="pending")
    client = login_as(people[who])
    assert client.get("/moderation").status_code == 403
    assert client.post(f"/moderation/idea/{idea.id}",
                       data={"d-action": "publish"}).status_code == 403
    assert client.post("/moderation/lot", data={"items": [f"idea:{idea.id}"],
                                                "action": "publish"}).status_code == 403
    assert db.get(Idea, idea.id).moderation == "pending"


def test_a_moderator_of_another_quartier_cannot_decide(login_as: Any, db: Any, people: dict,
                                                       other_quartier: Any) -> None:
    idea = factories.make_idea(db, other_quartier, factories.make_user(db),
                               moderation="pending")
    client = login_as(people["moderator"])
    assert client.get(f"/moderation/idea/{idea.id}").status_code == 403
    client.post("/moderation/lot", data={"items": [f"idea:{idea.id}"], "action": "publish"})
    assert db.get(Idea, idea.id).moderation == "pending"


def test_residents_report_a_post_once_and_moderators_see_it(login_as: Any, db: Any,
                                                            people: dict,
                                                            quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, factories.make_user(db), title="Propos limites")
    client = login_as(people["resident"])
    form = client.get(f"/signaler/idea/{idea.id}")
    assert form.status_code == 200
    assert "Propos limites" in _text(form)
    assert client.post(f"/signaler/idea/{idea.id}", data={}).status_code == 400
    assert client.post(f"/signaler/idea/{idea.id}", data={
        "reason": "insult", "comment": "Blessant", "next": "https://evil.example"}
        ).headers["Location"] == f"/idees/{idea.id}"
    client.post(f"/signaler/idea/{idea.id}", data={"reason": "spam"})
    assert len(db.scalars(select(Report)).all()) == 1
    queue = _text(login_as(people["moderator"]).get("/moderation"))
    assert "Propos limites" in queue
    assert "1 signalement" in queue


def test_the_quartier_chooses_post_moderation(login_as: Any, db: Any, people: dict,
                                              quartier: Any, other_quartier: Any) -> None:
    client = login_as(people["moderator"])
    assert client.post(f"/moderation/quartiers/{quartier.id}",
                       data={"mode": "post"}).status_code == 302
    assert client.get(f"/moderation/quartiers/{other_quartier.id}").status_code == 403
    resident = login_as(people["resident"])
    resident.post(f"/quartiers/{quartier.code}/idees/proposer",
                  data={"title": "Tout de suite", "body": "En ligne"})
    assert db.scalars(select(Idea)).one().moderation == "published"
