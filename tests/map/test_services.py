"""The map's services: adding, supporting, turning into an idea, walks, landmarks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.core.audit import AuditEntry
from civic.map import queries, services
from civic.map.kinds import PointKind
from civic.map.models import Landmark, PointSupport
from civic.map.services import MapError
from civic.moderation import queries as moderation_queries
from civic.moderation import services as moderation
from tests import factories
from tests.factories import NOW

INSIDE = {"polarity": "negative", "category": "housing", "text": "La porte ne ferme plus.",
          "latitude": 43.575, "longitude": 1.405}


def test_a_residents_point_waits_for_the_conseil_citoyen(db: Any, people: dict,
                                                         quartier: Any) -> None:
    point = services.add_point(db, quartier, INSIDE, author=people["resident"], now=NOW)
    assert (point.moderation, point.latitude, point.walk_id) == ("pending", 43.575, None)
    work = moderation_queries.queue(db, {quartier.id}, NOW)
    assert [(e.kind.name, e.item.id) for e in work.pending] == [("point", point.id)]
    moderation.decide(db, PointKind(), point, "publish", actor=people["moderator"], now=NOW)
    assert point.moderation == "published"


@pytest.mark.parametrize(("values", "field", "code"), [
    ({"polarity": "meh"}, "polarity", "polarity"),
    ({"category": "weather"}, "category", "category"),
    ({"text": "  "}, "text", "required"),
    ({"text": "x" * 501}, "text", "too_long"),
    ({"latitude": None, "longitude": None}, "landmark_id", "position_required"),
    ({"latitude": 43.59}, "latitude", "outside"),  # 1.1 km north of the quartier
    ({"latitude": 95.0}, "latitude", "position"),
])
def test_bad_points_are_refused_with_the_field_to_correct(db: Any, people: dict,
                                                          quartier: Any, values: dict,
                                                          field: str, code: str) -> None:
    with pytest.raises(MapError) as refused:
        services.add_point(db, quartier, {**INSIDE, **values}, author=people["resident"],
                           now=NOW)
    assert (refused.value.field, refused.value.code) == (field, code)


def test_a_point_just_outside_the_perimeter_is_accepted(db: Any, people: dict,
                                                        quartier: Any) -> None:
    metre = 1 / 111_195
    point = services.add_point(db, quartier, {**INSIDE, "latitude": 43.58 + 150 * metre},
                               author=people["resident"], now=NOW)
    assert point.id


def test_a_landmark_places_a_point_without_a_tap(db: Any, people: dict, quartier: Any,
                                                 other_quartier: Any) -> None:
    school = services.add_landmark(db, quartier, " École   Jean-Jaurès ", 43.576, 1.406,
                                   actor=people["pilot"], now=NOW)
    assert school.name == "École Jean-Jaurès"
    point = services.add_point(db, quartier, {**INSIDE, "latitude": None, "longitude": None,
                                              "landmark_id": school.id},
                               author=people["resident"], now=NOW)
    assert (point.latitude, point.longitude, point.landmark_id) == (43.576, 1.406, school.id)
    with pytest.raises(MapError, match="position_required"):  # a landmark of elsewhere
        services.add_point(db, other_quartier, {**INSIDE, "latitude": None,
                                                "longitude": None, "landmark_id": school.id},
                           author=people["resident"], now=NOW)
    with pytest.raises(MapError, match="outside"):
        services.add_landmark(db, quartier, "Capitole", 43.6045, 1.444, actor=people["pilot"],
                              now=NOW)
    services.remove_landmark(db, school, actor=people["pilot"], now=NOW)
    assert db.scalar(select(func.count()).select_from(Landmark)) == 0


def test_moi_aussi_once_per_account_never_on_ones_own(db: Any, people: dict,
                                                      quartier: Any) -> None:
    point = factories.make_point(db, quartier, people["resident"])
    assert services.support(db, point, people["animator"], now=NOW)
    assert not services.support(db, point, people["animator"], now=NOW)
    assert services.support(db, point, people["pilot"], now=NOW)
    assert services.withdraw_support(db, point, people["pilot"])
    assert point.support_count == 1 == db.scalar(select(func.count()).select_from(PointSupport))
    with pytest.raises(MapError, match="own_point"):
        services.support(db, point, people["resident"], now=NOW)


def test_a_walk_records_points_published_at_once(db: Any, people: dict, quartier: Any,
                                                 other_quartier: Any) -> None:
    animator = people["animator"]
    with pytest.raises(MapError, match="required"):
        services.save_walk(db, quartier, None, {"title": "", "meeting_point": "Métro",
                                                "starts_at": NOW}, actor=animator, now=NOW)
    walk = services.save_walk(db, quartier, None, {
        "title": "Marche du printemps", "meeting_point": "Métro", "route": "",
        "starts_at": NOW, "participants": None}, actor=animator, now=NOW)
    assert walk.participants == 0
    for category, polarity in (("safety", "negative"), ("green", "positive"),
                               ("safety", "negative")):
        point = services.add_point(db, quartier, {**INSIDE, "category": category,
                                                  "polarity": polarity},
                                   author=animator, walk=walk, now=NOW)
        assert point.moderation == "published"
    assert queries.walk_counts(db, walk) == {("safety", "negative"): 2,
                                             ("green", "positive"): 1}
    assert len(queries.walk_points(db, walk)) == 3
    with pytest.raises(MapError, match="walk"):
        services.add_point(db, other_quartier, INSIDE, author=animator, walk=walk, now=NOW)
    services.save_walk(db, quartier, walk, {"title": "Marche du printemps",
                                            "meeting_point": "Métro", "route": "",
                                            "starts_at": NOW, "participants": 14},
                       actor=animator, now=NOW)
    assert walk.participants == 14
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "walk")
                         .order_by(AuditEntry.id))
    assert list(actions) == ["map.walk_created", "map.walk_updated"]


def test_a_point_becomes_an_idea_to_answer_and_forward(db: Any, people: dict,
                                                       quartier: Any) -> None:
    point = factories.make_point(db, quartier, people["resident"], text="Porte cassée",
                                 polarity="negative", category="housing")
    idea = services.to_idea(db, point, "Réparer la porte du 12", actor=people["moderator"],
                            now=NOW)
    assert (idea.title, idea.body, idea.moderation, idea.author_id) == (
        "Réparer la porte du 12", "Porte cassée", "published", people["resident"].id)
    assert point.idea_id == idea.id
    assert idea.latitude == point.latitude
    with pytest.raises(MapError, match="already_idea"):
        services.to_idea(db, point, "Encore", actor=people["moderator"], now=NOW)
    pending = factories.make_point(db, quartier, people["resident"], moderation="pending")
    with pytest.raises(MapError, match="not_published"):
        services.to_idea(db, pending, "Titre", actor=people["moderator"], now=NOW)


def test_filters_and_rows_for_the_map(db: Any, people: dict, quartier: Any,
                                      other_quartier: Any) -> None:
    old = factories.make_point(db, quartier, polarity="positive", category="green",
                               created_at=NOW - timedelta(days=100))
    new = factories.make_point(db, quartier)
    factories.make_point(db, quartier, moderation="pending")
    factories.make_point(db, other_quartier)

    def ids(**filters: Any) -> list[int]:
        return [r["id"] for r in queries.rows(db, quartier.id, queries.Filters(**filters), NOW)]

    assert ids() == [old.id, new.id]
    assert ids(polarity="positive") == [old.id]
    assert ids(category="cleanliness") == [new.id]
    assert ids(period="month") == [new.id]
    assert ids(period="year") == [old.id, new.id]
    count, newest, _changed, supports = queries.last_change(db, quartier.id)
    assert (count, newest, supports) == (2, new.id, 0)
