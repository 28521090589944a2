"""The map through its pages and its GeoJSON."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from civic.map.geojson import problems
from civic.map.models import MapPoint
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_the_map_page_holds_the_perimeter_not_the_points(client: Any, db: Any,
                                                         quartier: Any) -> None:
    factories.make_point(db, quartier, text="Un texte qui ne doit pas être dans la page")
    response = client.get(f"/quartiers/{quartier.code}/carte")
    page = _text(response)
    assert response.status_code == 200
    assert "Un texte qui ne doit pas être dans la page" not in page
    assert f'data-points-url="/quartiers/{quartier.code}/carte/points.geojson"' in page
    assert "L.map(" in page
    assert "1.41, 43.58" in page.replace("[", "").replace("]", "")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce
    assert f'<script nonce="{nonce.group(1)}">' in page
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    scripts = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
    assert all(url.startswith("/") for url in scripts), scripts  # nothing from a CDN
    assert "/static/vendor/leaflet/leaflet.js" in [url.split("?")[0] for url in scripts]


def test_the_geojson_is_public_cached_and_valid(client: Any, db: Any, people: dict,
                                                quartier: Any) -> None:
    shown = factories.make_point(db, quartier, people["resident"], text="Porte cassée")
    factories.make_point(db, quartier, moderation="pending")
    response = client.get(f"/quartiers/{quartier.code}/carte/points.geojson")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    document = json.loads(response.data)
    assert problems(document) == []
    [feature] = document["features"]
    assert feature["id"] == shown.id
    assert feature["properties"]["text"] == "Porte cassée"
    assert "author" not in json.dumps(feature)
    assert "max-age=60" in response.headers["Cache-Control"]
    again = client.get(f"/quartiers/{quartier.code}/carte/points.geojson",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    factories.make_point(db, quartier, moderated_at=NOW)
    changed = client.get(f"/quartiers/{quartier.code}/carte/points.geojson",
                         headers={"If-None-Match": response.headers["ETag"]})
    assert changed.status_code == 200
    assert len(json.loads(changed.data)["features"]) == 2
    download = client.get(f"/quartiers/{quartier.code}/carte/points.geojson?telecharger=1")
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_list_shows_the_same_points_with_the_same_filters(client: Any, db: Any,
                                                              quartier: Any) -> None:
    factories.make_point(db, quartier, polarity="positive", category="green",
                         text="Le parc est beau")
    factories.make_point(db, quartier, text="Dépôt sauvage rue Kiev")
    page = _text(client.get(f"/quartiers/{quartier.code}/carte/liste?polarity=negative"))
    assert "Dépôt sauvage rue Kiev" in page
    assert "Le parc est beau" not in page
    geo = json.loads(client.get(
        f"/quartiers/{quartier.code}/carte/points.geojson?polarity=negative").data)
    assert [f["properties"]["text"] for f in geo["features"]] == ["Dépôt sauvage rue Kiev"]


def test_a_resident_adds_a_point_by_tap_or_landmark(login_as: Any, db: Any, people: dict,
                                                    quartier: Any) -> None:
    from civic.map.models import Landmark

    client = login_as(people["resident"])
    url = f"/quartiers/{quartier.code}/carte/ajouter"
    missing = client.post(url, data={"polarity": "negative", "category": "safety",
                                     "text": "Pas de lumière le soir"})
    assert missing.status_code == 400
    assert "Touchez la carte" in _text(missing)
    assert "Pas de lumière le soir" in _text(missing)
    outside = client.post(url, data={"polarity": "negative", "category": "safety",
                                     "text": "Loin", "latitude": "43.6045",
                                     "longitude": "1.444"})
    assert outside.status_code == 400
    assert "en dehors du quartier" in _text(outside)
    tapped = client.post(url, data={"polarity": "negative", "category": "safety",
                                    "text": "Pas de lumière le soir", "latitude": "43.575",
                                    "longitude": "1,405"})
    assert tapped.status_code == 302
    school = Landmark(quartier_id=quartier.id, name="École", latitude=43.571, longitude=1.401)
    db.add(school)
    db.flush()
    assert "École" in _text(client.get(url))
    assert client.post(url, data={"polarity": "positive", "category": "green",
                                  "text": "Beau jardin", "landmark_id": str(school.id)}
                       ).status_code == 302
    points = db.scalars(select(MapPoint).order_by(MapPoint.id)).all()
    assert [(p.longitude, p.landmark_id, p.moderation) for p in points] == [
        (1.405, None, "pending"), (1.401, school.id, "pending")]
    page = _text(client.get(f"/points/{points[0].id}"))
    assert "attend la relecture du conseil citoyen" in page


def test_moi_aussi_and_turning_a_point_into_an_idea(login_as: Any, db: Any, people: dict,
                                                    quartier: Any) -> None:
    point = factories.make_point(db, quartier, people["resident"], text="Porte cassée")
    client = login_as(people["animator"])
    client.post(f"/points/{point.id}/moi-aussi")
    assert "1 « moi aussi »" in _text(client.get(f"/points/{point.id}"))
    assert client.get(f"/points/{point.id}/vers-une-idee").status_code == 403
    moderator = login_as(people["moderator"])
    made = moderator.post(f"/points/{point.id}/vers-une-idee",
                          data={"title": "Réparer la porte"})
    assert made.status_code == 302
    assert "/idees/" in made.headers["Location"]
    page = _text(moderator.get(f"/points/{point.id}"))
    assert "Réparer la porte" in page
    assert "En faire une idée" not in page


def test_walks_belong_to_the_quartiers_animators(login_as: Any, db: Any, people: dict,
                                                 quartier: Any, other_quartier: Any) -> None:
    animator = login_as(people["animator"])
    created = animator.post(f"/quartiers/{quartier.code}/marches/nouvelle", data={
        "title": "Marche du printemps", "day": "2026-03-14", "time": "10:00",
        "meeting_point": "Métro", "participants": "12"})
    assert created.status_code == 302
    walk_url = created.headers["Location"]
    for n, (lat, polarity) in enumerate(((43.571, "negative"), (43.575, "positive"),
                                         (43.579, "negative"))):
        assert animator.post(walk_url, data={
            "polarity": polarity, "category": "safety", "text": f"Point {n}",
            "latitude": str(lat), "longitude": "1.405"}).status_code == 302
    report = _text(animator.get(f"{walk_url}/rapport"))
    assert "Point 0" in report
    assert "Point 2" in report
    assert "Marche du printemps" in report
    rows = list(csv.reader(io.StringIO(animator.get(f"{walk_url}/points.csv")
                                       .get_data(as_text=True).lstrip("\ufeff"))))
    # In the reader's words, with whole addresses: the file leaves the site.
    assert rows[0] == ["Numéro", "Positif ou négatif", "Sujet", "Ce qui est écrit", "Date",
                       "Moi aussi", "Photo du point", "Adresse de la page", "Latitude",
                       "Longitude"]
    assert len(rows) == 4
    assert {row[1] for row in rows[1:]} <= {"Ce qui va bien", "Ce qui ne va pas"}
    assert all(row[7].startswith("http://localhost/points/") for row in rows[1:])
    assert not {row[2] for row in rows[1:]} & {"cleanliness", "safety", "green", "other"}
    geo = json.loads(animator.get(f"{walk_url}/points.geojson").data)
    assert problems(geo) == []
    assert len(geo["features"]) == 3
    assert animator.get(f"/quartiers/{other_quartier.code}/marches/nouvelle").status_code == 403
    for who in ("resident", "moderator", "signatory"):
        assert login_as(people[who]).get(walk_url).status_code == 403
    pilot = login_as(people["pilot"])
    assert pilot.get(f"{walk_url}/rapport").status_code == 200
    assert pilot.post(walk_url, data={"polarity": "negative", "category": "safety",
                                      "text": "x", "latitude": "43.575",
                                      "longitude": "1.405"}).status_code == 403


def test_the_pilot_keeps_the_landmarks(login_as: Any, db: Any, people: dict,
                                       quartier: Any) -> None:
    client = login_as(people["pilot"])
    url = f"/admin/quartiers/{quartier.id}/reperes"
    bad = client.post(url, data={"name": "Stade", "latitude": "nord", "longitude": "1.405"})
    assert bad.status_code == 400
    assert "Stade" in _text(bad)
    assert client.post(url, data={"name": "Stade", "latitude": "43.575",
                                  "longitude": "1.405"}).status_code == 302
    assert "Stade" in _text(client.get(url))
    assert login_as(people["animator"]).get(url).status_code == 403


def test_the_zoom_buttons_are_named_in_the_page_language(client: Any, quartier: Any) -> None:
    """Leaflet's + and − get their names from the site's catalogues, not Leaflet's English."""
    page = client.get(f"/quartiers/{quartier.code}/carte").get_data(as_text=True)
    assert 'zoomInTitle: "Agrandir la carte"' in page
    assert 'zoomOutTitle: "R\\u00e9duire la carte"' in page  # JSON, ASCII-escaped
    client.post("/langue", data={"lang": "en", "next": "/"})
    english = client.get(f"/quartiers/{quartier.code}/carte").get_data(as_text=True)
    assert 'zoomInTitle: "Zoom in on the map"' in english


def test_a_walk_s_csv_keeps_point_texts_that_look_like_formulas_as_text(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    """Points of a walk whose texts start like formulas are text in the animator's CSV;
    a longitude west of Greenwich stays the negative number it is."""
    from civic.core.spreadsheet import FORMULA_STARTS
    from tests.core.test_spreadsheet import PAYLOADS, assert_csv_text, read_csv

    animator = login_as(people["animator"])
    walk_url = animator.post(f"/quartiers/{quartier.code}/marches/nouvelle", data={
        "title": "Marche d’automne", "day": "2026-03-14", "time": "10:00",
        "meeting_point": "Métro", "participants": "8"}).headers["Location"]
    walk_id = int(walk_url.rstrip("/").rsplit("/", 1)[-1])
    # The first one typed on the walk's page, as the animator does for a resident.
    assert animator.post(walk_url, data={
        "polarity": "negative", "category": "safety", "text": PAYLOADS[0],
        "latitude": "43.575", "longitude": "1.405"}).status_code == 302
    for payload in PAYLOADS[1:]:
        factories.make_point(db, quartier, text=payload, walk_id=walk_id)
    west = factories.make_point(db, quartier, text="Banc cassé", walk_id=walk_id,
                                latitude=47.218, longitude=-1.553)
    for query, separator in (("", ","), ("?sep=semicolon", ";")):
        response = animator.get(f"{walk_url}/points.csv{query}")
        assert response.status_code == 200
        header, *rows = read_csv(response.get_data(), separator)
        by_id = {row[header.index("Numéro")]: dict(zip(header, row, strict=True))
                 for row in rows}
        texts = [row["Ce qui est écrit"] for key, row in by_id.items() if key != str(west.id)]
        assert sorted(texts) == sorted(f"'{p}" for p in PAYLOADS)
        for text in texts:
            assert_csv_text(text, text[1:])
        for row in by_id.values():
            assert not row["Sujet"].startswith(FORMULA_STARTS)
        assert by_id[str(west.id)]["Ce qui est écrit"] == "Banc cassé"
        assert by_id[str(west.id)]["Longitude"] == "-1.553"
        assert float(by_id[str(west.id)]["Longitude"]) == -1.553


def test_the_map_for_the_thumb(login_as: Any, client: Any, db: Any, people: dict,
                               quartier: Any) -> None:
    """No subject chosen in advance; the map before its filters; a way to the list
    without JavaScript; and the map in the menu of a resident who chose a quartier."""
    resident = login_as(people["resident"])
    form = _text(resident.get(f"/quartiers/{quartier.code}/carte/ajouter"))
    assert re.search(r'<select id="category" name="category" required><option value="">'
                     r'Choisissez un sujet</option>', form)
    assert "selected" not in re.search(r'<select id="category".*?</select>', form, re.S)[0]
    # « Me localiser » comes first, before the map; a tap or a place stay possible.
    assert form.index("Me localiser") < form.index('class="map-box"')
    assert form.count('id="position"') == 1
    hurried = resident.post(f"/quartiers/{quartier.code}/carte/ajouter", data={
        "polarity": "negative", "category": "", "text": "Poubelles",
        "latitude": "43.575", "longitude": "1.405"})
    assert hurried.status_code == 400
    assert '<p class="error" id="category-error">Choisissez un sujet.</p>' in _text(hurried)
    page = _text(client.get(f"/quartiers/{quartier.code}/carte"))
    assert page.index('class="map-box"') < page.index('class="filters"')
    assert re.search(r"<noscript>.*?/carte/liste.*?</noscript>", page, re.S)
    with client.session_transaction() as session:
        session["quartier"] = quartier.code
    menu = _text(client.get("/"))
    assert f'href="/quartiers/{quartier.code}/carte">La carte</a>' in menu


def test_a_walk_keeps_the_last_choices_the_view_and_draws_its_route(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    animator = login_as(people["animator"])
    walk_url = animator.post(f"/quartiers/{quartier.code}/marches/nouvelle", data={
        "title": "Marche", "day": "2026-03-14", "time": "10:00", "meeting_point": "Métro",
        "participants": "8"}).headers["Location"]
    for lat in (43.573, 43.571, 43.577):
        sent = animator.post(walk_url, data={
            "polarity": "negative", "category": "green", "text": "Haie", "latitude": str(lat),
            "longitude": "1.405", "view": "43.575,1.405,17"})
    back = sent.headers["Location"]
    assert back.endswith("#noter")
    assert "sens=negative" in back
    assert "sujet=green" in back
    assert "vue=43.575000,1.405000,17" in back
    page = _text(animator.get(back.split("#")[0]))
    assert re.search(r'<input checked id="polarity-\d" name="polarity" required '
                     r'type="radio" value="negative">', page)
    assert re.search(r'<option selected value="green">', page)
    assert 'data-view="43.575000,1.405000,17"' in page
    route = json.loads(unescape(re.search(r"data-route='([^']*)'", page)[1]))
    assert route == [[43.573, 1.405], [43.571, 1.405], [43.577, 1.405]]  # in order
    assert '<body class="wide">' in page
    odd = _text(animator.get(walk_url + "?sens=x&sujet=green&vue=99,999,40"))
    assert "data-view" not in odd
    assert 'selected value="green"' not in odd
