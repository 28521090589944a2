"""The moderation workflow and the queue, with every kind plugged in so far."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civic.core.audit import AuditEntry
from civic.ideas import queries as idea_queries
from civic.ideas.kinds import CommentKind, IdeaKind
from civic.moderation import queries, registry, services
from civic.moderation.models import Report
from civic.moderation.services import ModerationError
from tests import factories
from tests.factories import NOW

IDEA, COMMENT = IdeaKind(), CommentKind()


@pytest.fixture
def author(db: Any) -> Any:
    return factories.make_user(db, display_name="Autrice")


def test_every_kind_built_so_far_is_registered() -> None:
    assert {k.name for k in registry.kinds()} == {"idea", "comment", "project", "point", "event",
                                                  "eval_proposal", "survey_text"}


def test_publishing_is_audited_with_the_states_and_the_moderator(db: Any, people: dict,
                                                                  quartier: Any,
                                                                  author: Any) -> None:
    idea = factories.make_idea(db, quartier, author, moderation="pending")
    services.decide(db, IDEA, idea, "publish", actor=people["moderator"], now=NOW)
    assert idea.moderation == "published"
    assert idea.moderated_by_id == people["moderator"].id
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "moderation.publish")).one()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        people["moderator"].id, "idea", str(idea.id))
    assert entry.details == {"before": "pending", "after": "published", "reason": ""}


def test_a_rejection_needs_a_reason_that_becomes_public(db: Any, people: dict, quartier: Any,
                                                        author: Any) -> None:
    idea = factories.make_idea(db, quartier, author, moderation="pending")
    with pytest.raises(ModerationError) as refused:
        services.decide(db, IDEA, idea, "reject", reason="   ", actor=people["moderator"],
                        now=NOW)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert idea.moderation == "pending"
    services.decide(db, IDEA, idea, "reject", reason=" Publicité. ", actor=people["moderator"],
                    now=NOW)
    assert (idea.moderation, idea.moderation_reason) == ("rejected", "Publicité.")


def test_hide_then_restore_and_actions_that_do_not_fit_the_state(db: Any, people: dict,
                                                                 quartier: Any,
                                                                 author: Any) -> None:
    idea = factories.make_idea(db, quartier, author)
    moderator = people["moderator"]
    with pytest.raises(ModerationError, match="state"):
        services.decide(db, IDEA, idea, "publish", actor=moderator, now=NOW)
    with pytest.raises(ModerationError, match="reason_required"):
        services.decide(db, IDEA, idea, "hide", actor=moderator, now=NOW)
    services.decide(db, IDEA, idea, "hide", reason="Insulte.", actor=moderator, now=NOW)
    assert idea.moderation == "hidden"
    services.decide(db, IDEA, idea, "restore", actor=moderator, now=NOW)
    assert (idea.moderation, idea.moderation_reason) == ("published", "")
    with pytest.raises(ModerationError, match="action"):
        services.decide(db, IDEA, idea, "delete", actor=moderator, now=NOW)


@pytest.mark.parametrize("who", ["resident", "animator", "signatory", "pilot",
                                 "other_moderator", "self"])
def test_only_a_moderator_of_the_quartier_decides_and_never_on_their_own_post(
        db: Any, people: dict, quartier: Any, other_quartier: Any, who: str) -> None:
    from civic.accounts.models import Role

    if who == "other_moderator":
        actor = factories.make_user(db, roles=[(Role.MODERATOR, other_quartier)])
        idea = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    elif who == "self":
        actor = people["moderator"]
        idea = factories.make_idea(db, quartier, actor, moderation="pending")
    else:
        actor = people[who]
        idea = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    with pytest.raises(ModerationError, match="forbidden"):
        services.decide(db, IDEA, idea, "publish", actor=actor, now=NOW)
    with pytest.raises(ModerationError, match="forbidden"):
        services.edit_title(db, IDEA, idea, "Autre titre", actor=actor, now=NOW)
    assert idea.moderation == "pending"


def test_bulk_actions_skip_what_is_already_decided_or_own(db: Any, people: dict,
                                                          quartier: Any, author: Any) -> None:
    moderator = people["moderator"]
    fresh = [factories.make_idea(db, quartier, author, moderation="pending") for _ in range(3)]
    done_already = factories.make_idea(db, quartier, author, moderation="published")
    own = factories.make_idea(db, quartier, moderator, moderation="pending")
    done, skipped = services.decide_many(db, IDEA, [*fresh, done_already, own], "reject",
                                         reason="Hors sujet.", actor=moderator, now=NOW)
    assert done == fresh
    assert skipped == [done_already, own]
    assert [i.moderation for i in fresh] == ["rejected"] * 3
    assert own.moderation == "pending"
    assert done_already.moderation == "published"
    another = factories.make_idea(db, quartier, author, moderation="pending")
    with pytest.raises(ModerationError, match="reason_required"):
        services.decide_many(db, IDEA, [another], "reject", actor=moderator, now=NOW)
    assert another.moderation == "pending"


def test_a_reworded_title_keeps_the_authors_words_and_is_searchable(db: Any, people: dict,
                                                                    quartier: Any,
                                                                    author: Any) -> None:
    idea = factories.make_idea(db, quartier, author, title="bancs!!!", moderation="pending")
    services.edit_title(db, IDEA, idea, "  Des bancs   près de l’école ", actor=people[
        "moderator"], now=NOW)
    services.edit_title(db, IDEA, idea, "Des bancs à l’ombre", actor=people["moderator"],
                        now=NOW)
    assert (idea.title, idea.original_title) == ("Des bancs à l’ombre", "bancs!!!")
    services.decide(db, IDEA, idea, "publish", actor=people["moderator"], now=NOW)
    found, _more = idea_queries.browse(db, quartier.id, idea_queries.Filters(q="OMBRE"))
    assert [i.id for i, _count in found] == [idea.id]
    with pytest.raises(ModerationError, match="no_title"):
        services.edit_title(db, COMMENT, factories.make_comment(db, idea, author), "x",
                            actor=people["moderator"], now=NOW)
    with pytest.raises(ModerationError, match="title_long"):
        services.edit_title(db, IDEA, idea, "x" * 121, actor=people["moderator"], now=NOW)


def test_reports_are_counted_once_per_person_and_resolved_by_a_decision(
        db: Any, people: dict, quartier: Any, author: Any) -> None:
    idea = factories.make_idea(db, quartier, author)
    assert services.report(db, IDEA, idea, reason="insult", comment="", reporter=people[
        "resident"], now=NOW)
    assert not services.report(db, IDEA, idea, reason="spam", comment="",
                               reporter=people["resident"], now=NOW)
    assert services.report(db, IDEA, idea, reason="spam", comment="Pub", reporter=people[
        "animator"], now=NOW)
    with pytest.raises(ModerationError, match="forbidden"):  # one's own post
        services.report(db, IDEA, idea, reason="spam", comment="", reporter=author, now=NOW)
    with pytest.raises(ModerationError, match="report_reason"):
        services.report(db, IDEA, idea, reason="boring", comment="",
                        reporter=people["pilot"], now=NOW)
    work = queries.queue(db, {quartier.id}, NOW)
    assert [(e.item.id, len(e.reports)) for e in work.reported] == [(idea.id, 2)]
    services.decide(db, IDEA, idea, "hide", reason="Insulte.", actor=people["moderator"],
                    now=NOW)
    assert queries.queue(db, {quartier.id}, NOW).reported == []
    assert all(r.resolved_at == NOW for r in db.scalars(select(Report)))


def test_the_queue_holds_every_kind_of_the_quartier_oldest_first(
        db: Any, people: dict, quartier: Any, other_quartier: Any, author: Any) -> None:
    published = factories.make_idea(db, quartier, author)
    comment = factories.make_comment(db, published, author, moderation="pending",
                                     created_at=NOW - timedelta(hours=1))
    idea = factories.make_idea(db, quartier, author, moderation="pending",
                               created_at=NOW - timedelta(hours=3))
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "submission")
    project = factories.make_project(db, round_, author, status="submitted",
                                     created_at=NOW - timedelta(hours=2))
    factories.make_project(db, round_, author, status="admitted")
    factories.make_idea(db, other_quartier, author, moderation="pending")
    work = queries.queue(db, {quartier.id}, NOW)
    assert [(e.kind.name, e.item.id) for e in work.pending] == [
        ("idea", idea.id), ("project", project.id), ("comment", comment.id)]
    with pytest.raises(ModerationError, match="elsewhere"):
        services.decide(db, registry.get("project"), project, "publish",
                        actor=people["moderator"], now=NOW)


def test_an_fph_project_outside_its_review_phases_is_not_in_the_queue(
        db: Any, quartier: Any, author: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    factories.make_project(db, round_, author, status="submitted")
    assert queries.queue(db, {quartier.id}, NOW).pending == []


def test_the_moderation_mode_is_the_quartiers_choice(db: Any, people: dict,
                                                     quartier: Any) -> None:
    assert services.initial_state(quartier) == "pending"
    services.set_mode(db, quartier, "post", actor=people["moderator"], now=NOW)
    assert services.initial_state(quartier) == "published"
    with pytest.raises(ModerationError, match="mode"):
        services.set_mode(db, quartier, "never", actor=people["moderator"], now=NOW)
    assert db.scalars(select(AuditEntry).where(AuditEntry.action == "moderation.mode")).one(
        ).details == {"before": "pre", "after": "post"}
