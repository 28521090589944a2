"""The life of an idea in the services: post, support, comment, answer, forward."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.core.audit import AuditEntry
from civic.ideas import queries, services
from civic.ideas.models import Follow, Support
from civic.ideas.search import like_pattern, normalise, terms
from civic.ideas.services import IdeaError
from tests import factories
from tests.factories import NOW

VALUES = {"title": "Des bancs", "body": "Près de l’école.", "orientation_id": None}


def test_a_new_idea_waits_for_the_conseil_citoyen_unless_the_quartier_chose_otherwise(
        db: Any, people: dict, quartier: Any) -> None:
    waiting = services.post(db, quartier, VALUES, author=people["resident"], now=NOW)
    assert waiting.moderation == "pending"
    quartier.moderation_mode = "post"
    online = services.post(db, quartier, VALUES, author=people["resident"], now=NOW)
    assert online.moderation == "published"
    assert online.moderated_at == NOW
    follows = db.scalar(select(func.count()).select_from(Follow).where(
        Follow.user_id == people["resident"].id))
    assert follows == 2  # an author follows their own ideas


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"title": "  "}, "title", "required"),
    ({"body": ""}, "body", "required"),
    ({"title": "x" * 121}, "title", "too_long"),
    ({"body": "x" * 2001}, "body", "too_long"),
    ({"latitude": 43.5}, "latitude", "position"),
    ({"latitude": 91.0, "longitude": 1.4}, "latitude", "position"),
])
def test_bad_ideas_are_refused_with_the_field_to_correct(db: Any, people: dict, quartier: Any,
                                                        values: dict, field: str,
                                                        code: str) -> None:
    with pytest.raises(IdeaError) as refused:
        services.post(db, quartier, {**VALUES, **values}, author=people["resident"], now=NOW)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_an_orientation_of_another_contract_is_refused(db: Any, people: dict,
                                                       quartier: Any) -> None:
    elsewhere = factories.make_orientation(db, factories.make_contract(db))
    with pytest.raises(IdeaError, match="orientation"):
        services.post(db, quartier, {**VALUES, "orientation_id": elsewhere.id},
                      author=people["resident"], now=NOW)


def test_an_animator_types_an_idea_for_a_named_person(db: Any, people: dict,
                                                      quartier: Any) -> None:
    with pytest.raises(IdeaError, match="required"):
        services.post(db, quartier, VALUES, author=None, entered_by=people["animator"],
                      now=NOW)
    idea = services.post(db, quartier, {**VALUES, "author_name": " Fatou "}, author=None,
                         entered_by=people["animator"], now=NOW)
    assert (idea.author_id, idea.shown_author, idea.entered_by_id) == (
        None, "Fatou", people["animator"].id)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "ideas.entered_for")).one()
    assert entry.actor_id == people["animator"].id


def test_one_support_per_account_counted_in_the_same_transaction(db: Any, people: dict,
                                                                 quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    assert services.support(db, idea, people["animator"], now=NOW)
    assert not services.support(db, idea, people["animator"], now=NOW)
    assert services.support(db, idea, people["pilot"], now=NOW)
    assert idea.support_count == 2
    assert services.withdraw_support(db, idea, people["animator"])
    assert not services.withdraw_support(db, idea, people["animator"])
    assert idea.support_count == 1 == db.scalar(select(func.count()).select_from(Support))
    with pytest.raises(IdeaError, match="own_idea"):
        services.support(db, idea, people["resident"], now=NOW)
    pending = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    with pytest.raises(IdeaError, match="not_published"):
        services.support(db, pending, people["pilot"], now=NOW)


def test_replies_go_one_level_deep(db: Any, people: dict, quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    first = services.comment(db, idea, "Bonne idée", author=people["animator"], now=NOW)
    reply = services.comment(db, idea, "Oui", author=people["pilot"], parent=first, now=NOW)
    deeper = services.comment(db, idea, "Moi aussi", author=people["resident"], parent=reply,
                              now=NOW)
    assert reply.parent_id == first.id
    assert deeper.parent_id == first.id
    assert first.moderation == "pending"  # comments follow the quartier's moderation mode
    other = factories.make_idea(db, quartier, people["resident"])
    with pytest.raises(IdeaError, match="parent"):
        services.comment(db, other, "Hop", author=people["pilot"], parent=first, now=NOW)
    with pytest.raises(IdeaError, match="too_long"):
        services.comment(db, idea, "x" * 1001, author=people["pilot"], now=NOW)


def test_the_thread_shows_published_comments_and_the_viewers_own_pending_one(
        db: Any, people: dict, quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    shown = factories.make_comment(db, idea, people["pilot"])
    mine = factories.make_comment(db, idea, people["animator"], moderation="pending")
    hidden = factories.make_comment(db, idea, people["pilot"], moderation="hidden",
                                    moderation_reason="Insulte.")
    factories.make_comment(db, idea, people["pilot"], moderation="pending")
    seen = [t.comment.id for t in queries.threads(db, idea, people["animator"])]
    assert seen == [shown.id, mine.id, hidden.id]
    assert [t.comment.id for t in queries.threads(db, idea, None)] == [shown.id, hidden.id]


def test_forwarding_to_a_signatory_and_its_answer_with_the_delay(
        db: Any, people: dict, quartier: Any, signatory: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    pilot = people["pilot"]
    forward = {"actor": pilot, "now": NOW, "signatory": signatory, "today": NOW.date()}
    with pytest.raises(IdeaError, match="response_required"):
        services.answer(db, idea, "forwarded", "", due_on=date(2026, 4, 30), **forward)
    with pytest.raises(IdeaError, match="due_required"):
        services.answer(db, idea, "forwarded", "Transmise.", **forward)
    with pytest.raises(IdeaError, match="due_past"):
        services.answer(db, idea, "forwarded", "Transmise.", due_on=date(2026, 3, 13), **forward)
    forwarding = services.answer(db, idea, "forwarded", "Transmise.",
                                 due_on=date(2026, 4, 30), message="Merci", **forward)
    assert forwarding is not None
    assert idea.status == "forwarded"
    assert idea.forwardings == [forwarding]
    with pytest.raises(IdeaError, match="already_forwarded"):
        services.answer(db, idea, "forwarded", "Encore.", due_on=date(2026, 4, 30), **forward)
    services.answer_forwarding(db, forwarding, "C’est prévu en mai.", actor=people["signatory"],
                               now=NOW + timedelta(days=9, hours=2))
    assert forwarding.delay_days == 9
    with pytest.raises(IdeaError, match="already_answered"):
        services.answer_forwarding(db, forwarding, "Encore.", actor=people["signatory"],
                                   now=NOW)
    actions = list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "idea").order_by(AuditEntry.id)))
    assert actions == ["ideas.answer", "ideas.forwarding_answered"]


def test_answers_need_a_known_status_a_published_idea_and_a_signatory_of_the_contract(
        db: Any, people: dict, quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    pilot = people["pilot"]
    for status in ("new", "maybe"):
        with pytest.raises(IdeaError, match="status"):
            services.answer(db, idea, status, "Texte", actor=pilot, now=NOW)
    stranger = factories.make_signatory(db, factories.make_contract(db))
    with pytest.raises(IdeaError, match="signatory"):
        services.answer(db, idea, "forwarded", "Texte", actor=pilot, now=NOW,
                        signatory=stranger, due_on=date(2026, 5, 1))
    services.answer(db, idea, "under_study", "", actor=pilot, now=NOW)  # no text needed yet
    services.answer(db, idea, "not_feasible", "Le terrain est privé.", actor=pilot, now=NOW)
    assert (idea.status, idea.response, idea.responded_at) == (
        "not_feasible", "Le terrain est privé.", NOW)
    pending = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    with pytest.raises(IdeaError, match="not_published"):
        services.answer(db, pending, "planned", "Oui", actor=pilot, now=NOW)


def test_search_ignores_case_accents_and_arabic_short_vowels() -> None:
    assert normalise("Éclairage RUE Négrier, s'il-vous-plaît") == \
        "eclairage rue negrier s il vous plait"
    assert normalise("مَدْرَسَة") == normalise("مدرسة")
    assert terms("école ECOLE bancs") == ["ecole", "bancs"]
    assert like_pattern("100%_x") == "%100\\%\\_x%"


def test_browse_filters_searches_and_sorts(db: Any, people: dict, quartier: Any,
                                           contract: Any) -> None:
    orientation = factories.make_orientation(db, contract)
    school = factories.make_idea(db, quartier, people["resident"], title="Bancs de l’École",
                                 orientation_id=orientation.id, support_count=1)
    lights = factories.make_idea(db, quartier, people["resident"], title="Éclairage 100%",
                                 body="Le soir, c’est noir.", status="planned", support_count=5,
                                 created_at=NOW - timedelta(days=1))
    factories.make_idea(db, quartier, people["resident"], title="École", moderation="pending")
    refused = factories.make_idea(db, quartier, people["resident"], moderation="rejected")

    def ids(**filters: Any) -> list[int]:
        return [i.id for i, _n in queries.browse(db, quartier.id, queries.Filters(**filters))[0]]

    assert ids() == [school.id, lights.id]
    assert ids(sort="supported") == [lights.id, school.id]
    assert ids(q="ecole") == [school.id]
    assert ids(q="100%") == [lights.id]
    assert ids(q="0_") == []
    assert ids(orientation_id=orientation.id) == [school.id]
    assert ids(status="planned") == [lights.id]
    assert ids(status="rejected") == [refused.id]


def test_browse_pages_and_comment_counts(db: Any, people: dict, quartier: Any) -> None:
    ideas = [factories.make_idea(db, quartier, people["resident"],
                                 created_at=NOW - timedelta(minutes=n)) for n in range(21)]
    factories.make_comment(db, ideas[0], people["pilot"])
    factories.make_comment(db, ideas[0], people["pilot"], moderation="pending")
    first, more = queries.browse(db, quartier.id, queries.Filters())
    assert len(first) == 20
    assert more
    assert first[0][1] == 1
    last, more = queries.browse(db, quartier.id, queries.Filters(page=2))
    assert [i.id for i, _n in last] == [ideas[20].id]
    assert not more


def test_who_does_what_gathers_commitments_and_answer_delays(db: Any, people: dict,
                                                             quartier: Any, contract: Any,
                                                             signatory: Any) -> None:
    from civic.ideas.models import Forwarding
    from civic.territory.models import Commitment

    orientation = factories.make_orientation(db, contract)
    db.add(Commitment(signatory_id=signatory.id, orientation_id=orientation.id,
                      text="Réparer vite."))
    for days in (2, 10, 30):
        idea = factories.make_idea(db, quartier, people["resident"])
        db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=NOW,
                          due_on=NOW.date(), answer="Oui",
                          answered_at=NOW + timedelta(days=days)))
    waiting = factories.make_idea(db, quartier, people["resident"])
    db.add(Forwarding(idea_id=waiting.id, signatory_id=signatory.id, forwarded_at=NOW,
                      due_on=NOW.date()))
    db.flush()
    [row] = [r for r in queries.who_does_what(db, contract) if r.signatory.id == signatory.id]
    assert row.commitments == {orientation.id: "Réparer vite."}
    assert (row.count, row.answered, row.median_delay) == (4, 3, 10.0)
    assert len(row.recent) == 4


def test_who_does_what_lists_the_latest_and_a_page_lists_them_all(
        db: Any, people: dict, quartier: Any, contract: Any, signatory: Any) -> None:
    """Under each signatory, the ten latest forwarded ideas; on its own page, all of them,
    fifty a page, newest first. An idea not published is in neither."""
    from civic.ideas.models import Forwarding

    made = []
    for n in range(queries.PER_PAGE + 5):
        idea = factories.make_idea(db, quartier, people["resident"], title=f"Idée {n}")
        db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id,
                          forwarded_at=NOW + timedelta(hours=n), due_on=NOW.date()))
        made.append(idea.title)
    hidden = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    db.add(Forwarding(idea_id=hidden.id, signatory_id=signatory.id,
                      forwarded_at=NOW + timedelta(days=30), due_on=NOW.date()))
    db.flush()
    [row] = [r for r in queries.who_does_what(db, contract) if r.signatory.id == signatory.id]
    assert row.count == queries.PER_PAGE + 5
    assert [f.idea.title for f in row.recent] == made[::-1][:queries.RECENT]
    first, more = queries.forwarded_to(db, contract, signatory, 1)
    second, last = queries.forwarded_to(db, contract, signatory, 2)
    assert more
    assert not last
    assert [f.idea.title for f in [*first, *second]] == made[::-1]
