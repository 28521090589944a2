"""The map's pages and GeoJSON send the same number of queries whatever the data."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.factories import NOW
from tests.test_query_counts import queries_for


def test_map_pages_do_not_grow_with_points(login_as: Any, db: Any, people: dict,
                                           quartier: Any, count_queries: Any) -> None:
    from civic.map.models import Landmark, Walk

    walk = Walk(quartier_id=quartier.id, title="Marche", starts_at=NOW, meeting_point="Métro",
                created_at=NOW)
    db.add(walk)
    db.flush()

    def add_data(times: int) -> None:
        for _ in range(times):
            landmark = Landmark(quartier_id=quartier.id, name="Lieu", latitude=43.575,
                                longitude=1.405)
            db.add(landmark)
            db.flush()
            factories.make_point(db, quartier, factories.make_user(db), landmark_id=landmark.id)
            factories.make_point(db, quartier, walk_id=walk.id, landmark_id=landmark.id)
            factories.make_point(db, quartier, moderation="pending")

    client = login_as(people["animator"])
    first = factories.make_point(db, quartier, factories.make_user(db))
    urls = [f"/quartiers/{quartier.code}/carte", f"/quartiers/{quartier.code}/carte/liste",
            f"/quartiers/{quartier.code}/carte/points.geojson",
            f"/quartiers/{quartier.code}/carte/ajouter", f"/marches/{walk.id}",
            f"/marches/{walk.id}/rapport", f"/marches/{walk.id}/points.csv", f"/points/{first.id}"]
    add_data(1)
    before = {url: queries_for(client, url, count_queries) for url in urls}
    add_data(6)
    assert {url: queries_for(client, url, count_queries) for url in urls} == before
