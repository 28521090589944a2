"""The quartier map, end to end in a browser: a resident places a point on a phone by
tapping the map (or by choosing a landmark), a moderator publishes it and it shows on the
map and in the list; an animator records a walk on a tablet and prints its report; and the
map still works when no tile can be fetched, in French and in Arabic.

Nothing leaves the live server: every other request (OpenStreetMap's tiles) is aborted, so
the journeys also check that the perimeter and the points show without a background.
Points the server writes carry the real clock; seeded ones are dated from ``factories.NOW``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Locator, Page, Route, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.map.geometry import bounds
from civic.map.models import Landmark
from civic.territory.geo import read_qpv_features
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import (
    address_of,
    fits,
    flash,
    heading,
    log_in,
    nav,
    pending,
    selected,
)

Audit = Callable[[Page], None]

QPV_FILE = Path(__file__).resolve().parents[2] / "civic/demo_data/qpv2015_toulouse_4.geojson"
CODE = "QP031007"
NAME = "Grand Mirail"
MAP_PATH = f"/quartiers/{CODE}/carte"
LIST_PATH = f"/quartiers/{CODE}/carte/liste"
ADD_PATH = f"/quartiers/{CODE}/carte/ajouter"
WALKS_PATH = f"/quartiers/{CODE}/marches"
TILE_HOST = "tile.openstreetmap.org"
#: Spots well inside Grand Mirail's perimeter (latitude, longitude), far apart on screen.
SOUTH_WEST = (43.5630, 1.3960)
CENTRE = (43.5705, 1.4040)
NORTH_EAST = (43.5810, 1.4120)
#: 500 m south-east of the perimeter, still on the map.
OUTSIDE = (43.5620, 1.4120)
OUTSIDE_ERROR = ("Ce point est en dehors du quartier. Placez-le dans le périmètre, ou à 200 "
                 "mètres au plus.")
PICKED = "Point placé ici. Touchez ailleurs pour le déplacer."
PENDING_NOTICE = "Ce point attend la relecture du conseil citoyen."
POSITION_REQUIRED = ("Touchez la carte à l’endroit du point, ou choisissez le lieu le plus "
                     "proche.")
FORM_ERRORS = "Le formulaire contient des erreurs"
FORBIDDEN = "Cette page ne vous est pas ouverte"

#: The markers the map shows: single pins plus the points counted in cluster icons (the
#: point being placed is not one of them).
_SHOWN_MARKERS = """() => {
  const pane = document.querySelector('.map-box .leaflet-marker-pane');
  if (!pane) { return -1; }
  const pins = pane.querySelectorAll('.pin:not(.pin-picked)').length;
  const clustered = Array.from(pane.querySelectorAll('.marker-cluster'))
    .reduce((sum, cluster) => sum + parseInt(cluster.textContent, 10), 0);
  return pins + clustered;
}"""
#: Where a position (latitude, longitude) is on the map, relative to its box.
_CONTAINER_POINT = """([lat, lng]) => {
  const box = document.querySelector('.map-box');
  const point = window[box.getAttribute('data-map-var')].latLngToContainerPoint([lat, lng]);
  return {x: point.x, y: point.y};
}"""


# --- Seeding -----------------------------------------------------------------------------


def _grand_mirail_perimeter() -> dict[str, Any]:
    """The real perimeter of Grand Mirail (Toulouse), as the QPV import reads it."""
    features, _skipped = read_qpv_features(json.loads(QPV_FILE.read_text(encoding="utf-8")))
    [mirail] = [feature for feature in features if feature.code == CODE]
    return mirail.geometry


def _quartier(seed: Session) -> Any:
    contract = factories.make_contract(seed, name="Contrat de ville de Toulouse")
    return factories.make_quartier(seed, contract, code=CODE, name=NAME, commune="Toulouse",
                                   perimeter=_grand_mirail_perimeter())


# --- Network -----------------------------------------------------------------------------


def _offline(page: Page, live_server: str) -> list[str]:
    """Abort every request that is not to the live server; returns what was refused."""
    refused: list[str] = []

    def handle(route: Route) -> None:
        if route.request.url.startswith(live_server + "/"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", handle)
    return refused


def _only_tiles(refused: list[str]) -> None:
    """The map asked for its tiles (and they were refused), and for nothing else outside."""
    hosts = {urlsplit(url).hostname for url in refused}
    assert hosts == {TILE_HOST}, f"requests to other sites: {sorted(refused)[:5]}"


# --- Pages -------------------------------------------------------------------------------


def _point_heading(page: Page, name: str) -> None:
    """A point's page: the + or − pin in its title is hidden from screen readers."""
    expect(page.get_by_role("heading", level=1, name=name, exact=True)).to_be_visible()


# --- The map -----------------------------------------------------------------------------


def _map(page: Page) -> Locator:
    return page.locator(".map-box")


def _map_shows(page: Page, markers: int | None) -> None:
    """map.js ran; the perimeter is drawn (tiles or not) and, when the page loads points,
    ``markers`` of them are on the map, alone or in clusters."""
    box = _map(page)
    expect(box).to_have_attribute("data-ready", "1")
    expect(box.locator(".leaflet-overlay-pane svg path:not(.walk-route)")).to_have_count(1)
    if markers is None:
        expect(box).not_to_have_attribute("data-markers", re.compile("."))
        return
    expect(box).to_have_attribute("data-markers", str(markers))
    page.wait_for_function(f"({_SHOWN_MARKERS})() === {markers}")
    # Every cluster icon is named in the page's language, with its number of points.
    for cluster in box.locator(".marker-cluster [role=img]").all():
        number = cluster.inner_text().strip()
        expect(cluster).to_have_attribute("aria-label", re.compile(
            rf"^{number} (points ici|points here|نقاط هنا)"))


def _tap(page: Page, at: tuple[float, float] | None = None) -> None:
    """Tap the map in its centre, or where the position ``at`` is drawn."""
    expect(_map(page)).to_have_attribute("data-ready", "1")
    surface = _map(page).locator(".folium-map")
    if at is None:
        surface.click()
    else:
        surface.click(position=page.evaluate(_CONTAINER_POINT, list(at)))
    expect(page.locator("[data-pick-status]")).to_have_text(PICKED)


def _placed(page: Page) -> tuple[float, float]:
    """The position the tap wrote into the form's hidden fields."""
    latitude = page.locator("input[name=latitude]").input_value()
    longitude = page.locator("input[name=longitude]").input_value()
    assert re.fullmatch(r"-?\d+\.\d{6}", latitude)
    assert re.fullmatch(r"-?\d+\.\d{6}", longitude)
    return float(latitude), float(longitude)


def _near(found: tuple[float, float], wanted: tuple[float, float]) -> bool:
    """Within about 50 m: a tap lands on a pixel, not on a coordinate."""
    return abs(found[0] - wanted[0]) < 0.0005 and abs(found[1] - wanted[1]) < 0.0005


# --- 1. A resident's point, from the tap to the map -----------------------------------------


def test_resident_places_a_point_that_is_moderated_then_shown_on_a_phone(
        phone: Page, tablet: Page, live_server: str, seed: Session, mailbox: Mailbox,
        audit: Audit) -> None:
    page = phone
    refused = _offline(page, live_server)
    quartier = _quartier(seed)
    seed.add(Landmark(quartier_id=quartier.id, name="École Didier-Daurat",
                      latitude=SOUTH_WEST[0], longitude=SOUTH_WEST[1]))
    author = address_of(factories.make_user(seed, display_name="Nadia", quartier_id=quartier.id))
    moderator = address_of(factories.make_user(seed, display_name="Moussa",
                                             roles=[(Role.MODERATOR, quartier)]))
    assert quartier.moderation_mode == "pre"
    seed.commit()
    text = "Des sacs d’ordures s’entassent au pied de l’immeuble depuis une semaine."
    by_school = "Le jardin partagé derrière l’école est magnifique."

    # From the quartier's page to its map, which has nothing on it yet.
    log_in(page, audit, author)
    page.get_by_role("link", name=re.compile(f"^{NAME}")).click()
    heading(page, NAME)
    section = page.get_by_role("region", name="Carte du quartier")
    expect(section).to_contain_text("0 point publié.")
    section.get_by_role("link", name="Voir la carte").click()
    expect(page).to_have_url(re.compile(f"{MAP_PATH}$"))
    heading(page, f"Carte du quartier — {NAME}")
    # The map comes first on a phone; the filters and the legend fold under it.
    assert page.locator(".map-box").bounding_box()["y"] < 400  # type: ignore[index]
    expect(page.get_by_role("list", name="Légende")).to_be_hidden()
    page.get_by_text("Filtrer les points et lire la légende").click()
    expect(page.get_by_role("list", name="Légende").get_by_role("listitem")).to_contain_text(
        ["Rond avec + : ce qui va bien", "Losange avec − : ce qui ne va pas"])
    _map_shows(page, 0)
    fits(page)
    audit(page)

    page.get_by_role("link", name="Ajouter un point").click()
    expect(page).to_have_url(re.compile(f"{ADD_PATH}$"))
    heading(page, "Ajouter un point")
    expect(page.get_by_text("Le conseil citoyen relit les points avant de les publier.")
           ).to_be_visible()
    _map_shows(page, None)
    place = page.get_by_role("group", name="Où ?")
    expect(place.get_by_text("Touchez la carte à l’endroit du point.")).to_be_visible()
    # « Me localiser » is offered first, above the map; refused, the map and the places
    # stay.
    locate = page.get_by_role("button", name="Me localiser")
    assert locate.bounding_box()["y"] < _map(page).bounding_box()["y"]  # type: ignore[index]
    locate.click()
    expect(page.get_by_text("Position introuvable. Touchez la carte ou choisissez un lieu.")
           ).to_be_visible()
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 43.5751, "longitude": 1.4051})
    locate.click()
    expect(page.get_by_text("Position enregistrée.")).to_be_visible()
    expect(page.locator("input[name=latitude]")).to_have_value("43.575100")
    page.locator("input[name=latitude]").evaluate("e => { e.value = ''; }")
    page.locator("input[name=longitude]").evaluate("e => { e.value = ''; }")
    fits(page)
    audit(page)

    # Sent without a place: the error sits in the « Où ? » fieldset; the rest is kept.
    page.get_by_label("Ce qui ne va pas").check()
    page.get_by_label("Sujet").select_option(label="Propreté")
    page.get_by_label("Ce que vous voyez").fill(text)
    page.get_by_role("button", name="Envoyer le point").click()
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    landmark = page.get_by_label("Près de")
    expect(place.locator(".error")).to_have_text(POSITION_REQUIRED)
    expect(landmark).to_have_attribute("aria-invalid", "true")
    expect(landmark).to_have_accessible_description(re.compile(re.escape(POSITION_REQUIRED)))
    expect(page.get_by_label("Ce que vous voyez")).to_have_value(text)
    expect(page.get_by_label("Ce que vous voyez")).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Ce qui ne va pas")).to_be_checked()
    expect(selected(page, "Sujet")).to_have_text("Propreté")
    _map_shows(page, None)
    fits(page)
    audit(page)

    # Tapped outside the quartier: refused, and said so in the same place.
    _tap(page, OUTSIDE)
    assert _near(_placed(page), OUTSIDE)
    page.get_by_role("button", name="Envoyer le point").click()
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    expect(place.get_by_role("alert")).to_have_text(OUTSIDE_ERROR)
    expect(page.get_by_label("Ce que vous voyez")).to_have_value(text)
    _map_shows(page, None)
    expect(page.locator("[data-pick-status]")).to_have_text(PICKED)  # where it was tapped
    assert _near(_placed(page), OUTSIDE)
    audit(page)

    # A tap in the middle of the map moves the point there.
    _tap(page)
    (south, west), (north, east) = bounds(_grand_mirail_perimeter())
    assert _near(_placed(page), ((south + north) / 2, (west + east) / 2))  # fitted on it
    expect(_map(page).locator(".pin-picked")).to_have_count(1)
    audit(page)
    page.get_by_role("button", name="Envoyer le point").click()

    expect(page).to_have_url(re.compile(r"/points/\d+$"))
    tap_path = urlsplit(page.url).path
    _point_heading(page, "Négatif · Propreté")
    flash(page, "Merci ! Le conseil citoyen relit chaque point avant de le publier. Vous "
          "recevrez un courriel quand le vôtre sera sur la carte.")
    expect(page.get_by_role("status").filter(has_text=PENDING_NOTICE)).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_role("button", name="Moi aussi")).to_have_count(0)
    fits(page)
    audit(page)

    # Without a tap, a landmark chosen in « Près de » places the point.
    page.goto(ADD_PATH)
    heading(page, "Ajouter un point")
    page.get_by_label("Ce qui va bien").check()
    page.get_by_label("Sujet").select_option(label="Espaces verts")
    page.get_by_label("Ce que vous voyez").fill(by_school)
    page.get_by_label("Près de").select_option(label="École Didier-Daurat")
    page.get_by_role("button", name="Envoyer le point").click()
    expect(page).to_have_url(re.compile(r"/points/\d+$"))
    _point_heading(page, "Positif · Espaces verts")
    expect(page.get_by_text("près de École Didier-Daurat")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=PENDING_NOTICE)).to_be_visible()
    audit(page)

    # Neither is in the list while the conseil citoyen reads them.
    page.goto(LIST_PATH)
    heading(page, f"Points du quartier — {NAME}")
    expect(page.get_by_text("Aucun point ne correspond.")).to_be_visible()
    fits(page)
    audit(page)

    # A moderator publishes the tapped one, on a tablet.
    desk = tablet
    _offline(desk, live_server)
    log_in(desk, audit, moderator)
    nav(desk).get_by_role("link", name="À relire").click()
    heading(desk, "À relire")
    expect(pending(desk)).to_have_count(2)
    audit(desk)
    pending(desk).get_by_role("link", name="Décider : Négatif · Propreté").click()
    expect(desk).to_have_url(re.compile(r"/moderation/point/\d+$"))
    heading(desk, "Négatif · Propreté")
    expect(desk.get_by_text(text)).to_be_visible()
    audit(desk)
    desk.get_by_role("button", name="Publier", exact=True).click()
    heading(desk, "À relire")
    flash(desk, "C’est fait. L’auteur est prévenu.")
    expect(pending(desk)).to_have_count(1)
    audit(desk)
    assert mailbox.last_to(author)["Subject"] == "Votre message est en ligne"

    # The list shows it, the map counts it; the landmark's point still waits.
    page.goto(LIST_PATH)
    heading(page, f"Points du quartier — {NAME}")
    points = page.locator("main ul.idea-list > li")
    expect(points).to_have_count(1)
    expect(points.get_by_role("heading", level=3)).to_have_text("− Négatif · Propreté")
    expect(points).to_contain_text(text)
    expect(page.get_by_text(by_school)).to_have_count(0)
    fits(page)
    audit(page)
    page.get_by_role("link", name="Voir sur la carte").click()
    expect(page).to_have_url(re.compile(f"{MAP_PATH}$"))
    _map_shows(page, 1)
    pin = _map(page).get_by_role("button", name="Négatif · Propreté")
    expect(pin).to_have_count(1)
    fits(page)
    audit(page)

    # Its pin opens a pop-up with the text and the way to the point's page.
    pin.click()
    popup = _map(page).locator(".leaflet-popup")
    expect(popup).to_contain_text(text)
    expect(popup).to_have_css("opacity", "1")  # faded in: axe reads the colours as shown
    audit(page)
    popup.get_by_role("link", name="Ouvrir").click()
    expect(page).to_have_url(re.compile(f"{tap_path}$"))
    _point_heading(page, "Négatif · Propreté")
    expect(page.get_by_text(PENDING_NOTICE)).to_have_count(0)
    expect(page.get_by_role("heading", level=2, name="0 « moi aussi »")).to_be_visible()
    expect(page.get_by_role("button", name="Moi aussi")).to_have_count(0)  # one's own point
    audit(page)

    # The moderator says « moi aussi » and may turn it into an idea to follow.
    desk.goto(tap_path)
    _point_heading(desk, "Négatif · Propreté")
    expect(desk.get_by_role("link", name="En faire une idée à suivre")).to_be_visible()
    expect(desk.get_by_role("link", name="Signaler ce point")).to_be_visible()
    audit(desk)
    desk.get_by_role("button", name="Moi aussi").click()
    flash(desk, "C’est noté : vous aussi.")
    expect(desk.get_by_role("heading", level=2, name="1 « moi aussi »")).to_be_visible()
    expect(desk.get_by_role("button", name="Retirer mon « moi aussi »")).to_be_visible()
    audit(desk)

    page.goto(MAP_PATH)
    _map_shows(page, 1)
    _map(page).get_by_role("button", name="Négatif · Propreté").click()
    expect(_map(page).locator(".leaflet-popup")).to_contain_text("1 « moi aussi »")
    _only_tiles(refused)


# --- 2. A walk on the animator's tablet ------------------------------------------------------


def test_animator_records_a_walk_and_prints_its_report_on_a_tablet(
        tablet: Page, phone: Page, live_server: str, seed: Session, audit: Audit) -> None:
    page = tablet
    refused = _offline(page, live_server)
    quartier = _quartier(seed)
    animator = address_of(factories.make_user(seed, display_name="Aïcha",
                                            roles=[(Role.ANIMATOR, quartier)]))
    resident = address_of(factories.make_user(seed, display_name="Samir"))
    seed.commit()
    title = "Marche du mardi : autour de la Reynerie"
    spots = (
        (SOUTH_WEST, "Ce qui ne va pas", "Propreté", "Dépôt sauvage près du local poubelles."),
        (CENTRE, "Ce qui ne va pas", "Sécurité et tranquillité",
         "Le passage sous la dalle n’est pas éclairé."),
        (NORTH_EAST, "Ce qui va bien", "Espaces verts", "Le parc est propre et ombragé."),
    )

    # The animator finds the walks on the quartier's page and prepares one.
    log_in(page, audit, animator, f"/quartiers/{CODE}")
    heading(page, NAME)
    page.get_by_role("region", name="Carte du quartier").get_by_role(
        "link", name="Marches dans le quartier").click()
    expect(page).to_have_url(re.compile(f"{WALKS_PATH}$"))
    heading(page, f"Marches dans le quartier — {NAME}")
    expect(page.get_by_text("Aucune marche pour l’instant.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Préparer une marche").click()
    heading(page, "Préparer une marche")
    expect(page.get_by_label("Jour")).not_to_have_value("")
    audit(page)
    page.get_by_label("Nom de la marche").fill(title)
    page.get_by_label("Heure de départ").fill("14:30")
    page.get_by_label("Point de rendez-vous").fill("Place Abbal, devant la médiathèque")
    page.get_by_label("Parcours").fill("Place Abbal, rue de Kiev, parc de la Reynerie")
    page.get_by_label("Nombre de participants").fill("12")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page).to_have_url(re.compile(r"/marches/\d+$"))
    walk_path = urlsplit(page.url).path
    heading(page, title)
    expect(page.get_by_text("Rendez-vous : Place Abbal, devant la médiathèque")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="0 point noté")).to_be_visible()
    _map_shows(page, 0)
    audit(page)

    # Three points, each tapped at its own spot and published at once.
    for number, (spot, polarity, subject, text) in enumerate(spots, start=1):
        _tap(page, spot)
        assert _near(_placed(page), spot), (_placed(page), spot)
        page.get_by_label(polarity).check()
        page.get_by_label("Sujet").select_option(label=subject)
        page.get_by_label("Ce que vous voyez").fill(text)
        page.get_by_role("button", name="Ajouter ce point").click()
        # Back at the form, where the map was, with the last sign and subject chosen.
        expect(page).to_have_url(re.compile(rf"{walk_path}\?sens=.*&vue=[\d.,-]+#noter$"))
        flash(page, "Point ajouté à la marche.")
        noted = f"{number} point noté" if number == 1 else f"{number} points notés"
        expect(page.get_by_role("heading", level=2, name=noted)).to_be_visible()
        _map_shows(page, number)
        expect(page.get_by_label(polarity)).to_be_checked()
        expect(page.get_by_label("Sujet").locator("option:checked")).to_have_text(subject)
        expect(_map(page).locator("path.walk-route")).to_have_count(1 if number > 1 else 0)
    walk_points = page.locator("main ol.idea-list > li")
    expect(walk_points).to_have_count(3)
    for _spot, _polarity, _subject, text in spots:
        expect(walk_points.filter(has_text=text)).to_have_count(1)
    audit(page)

    # The report: figures by subject and polarity, the points, the downloads.
    page.get_by_role("link", name="Compte rendu à imprimer").click()
    expect(page).to_have_url(re.compile(f"{walk_path}/rapport$"))
    heading(page, f"Compte rendu de la marche — {title}")
    _map_shows(page, 3)
    table = page.get_by_role("region", name="Points par sujet").get_by_role("table")

    def row(header: str) -> Locator:
        return table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=header, exact=True)).get_by_role("cell")

    expect(table.get_by_role("columnheader")).to_have_text(["Sujet", "+ Positif", "− Négatif"])
    expect(row("Propreté")).to_have_text(["0", "1"])
    expect(row("Sécurité et tranquillité")).to_have_text(["0", "1"])
    expect(row("Espaces verts")).to_have_text(["1", "0"])
    expect(row("Logement")).to_have_text(["0", "0"])
    expect(row("Total")).to_have_text(["1", "2"])
    listed = page.locator("main ol.report-points > li")
    expect(listed).to_have_count(3)
    expect(listed.first).to_contain_text("− Négatif · Propreté")
    expect(listed.first).to_contain_text(spots[0][3])
    expect(listed.last).to_contain_text("+ Positif · Espaces verts")
    expect(listed.last).to_contain_text(spots[2][3])
    audit(page)

    href = page.get_by_role("link", name="Télécharger en CSV").get_attribute("href")
    assert href
    download = page.request.get(href)
    assert download.ok
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    body = download.text()
    assert body.startswith("\ufeff")  # for spreadsheets that guess the encoding
    table_rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(table_rows) == 3
    # In the workshop's words, not the site's codes, with whole addresses.
    assert [(r["Positif ou négatif"], r["Sujet"], r["Ce qui est écrit"]) for r in table_rows] == [
        ("Ce qui ne va pas", "Propreté", spots[0][3]),
        ("Ce qui ne va pas", "Sécurité et tranquillité", spots[1][3]),
        ("Ce qui va bien", "Espaces verts", spots[2][3])]
    for csv_row, (spot, *_rest) in zip(table_rows, spots, strict=True):
        assert _near((float(csv_row["Latitude"]), float(csv_row["Longitude"])), spot)
        assert csv_row["Adresse de la page"].startswith("http")
    geojson_href = page.get_by_role("link", name="Télécharger en GeoJSON").get_attribute("href")
    assert geojson_href
    document = page.request.get(geojson_href).json()
    assert [f["properties"]["text"] for f in document["features"]] == [s[3] for s in spots]

    # Printed: no site header, no buttons; the figures and the points stay.
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(page.get_by_role("link", name="Télécharger en CSV")).to_be_hidden()
    expect(table).to_be_visible()
    expect(listed).to_have_count(3)
    audit(page)
    page.emulate_media(media="screen")
    expect(page.locator(".site-header")).to_be_visible()

    # The walk's points are on the quartier's map for everyone.
    page.goto(MAP_PATH)
    _map_shows(page, 3)
    _only_tiles(refused)

    # A resident may not open the walks, nor a walk's report.
    other = phone
    _offline(other, live_server)
    log_in(other, audit, resident, check=False)
    for path in (WALKS_PATH, f"{walk_path}/rapport"):
        response = other.goto(path)
        assert response is not None
        assert response.status == 403
        heading(other, FORBIDDEN)
    expect(other.get_by_role("link", name="Retour à l’accueil")).to_be_visible()
    audit(other)


# --- 3. No tiles, and right to left ----------------------------------------------------------


def test_the_map_works_without_tiles_and_in_arabic_on_a_phone(
        phone: Page, live_server: str, seed: Session, audit: Audit) -> None:
    page = phone
    refused = _offline(page, live_server)
    quartier = _quartier(seed)
    resident = factories.make_user(seed, display_name="Samira")
    seeded = {
        "Dépôt sauvage derrière la tour Satie": dict(
            polarity="negative", category="cleanliness", latitude=CENTRE[0],
            longitude=CENTRE[1]),
        # A few metres away: the two are drawn as one cluster.
        "Lampadaire éteint dans le passage": dict(
            polarity="negative", category="safety", latitude=CENTRE[0] + 0.0001,
            longitude=CENTRE[1] + 0.0001),
        "Le parc de la Reynerie est bien entretenu": dict(
            polarity="positive", category="green", latitude=SOUTH_WEST[0],
            longitude=SOUTH_WEST[1]),
        "Le marché du samedi matin": dict(
            polarity="positive", category="shops", latitude=NORTH_EAST[0],
            longitude=NORTH_EAST[1]),
    }
    for n, (text, values) in enumerate(seeded.items()):
        factories.make_point(seed, quartier, resident, text=text,
                             created_at=factories.NOW - n * factories.DAY,
                             moderated_at=factories.NOW, **values)
    factories.make_point(seed, quartier, resident, text="Pas encore relu",
                         moderation="pending", latitude=CENTRE[0], longitude=CENTRE[1])
    seed.commit()
    positives = ["Le parc de la Reynerie est bien entretenu", "Le marché du samedi matin"]

    # Anyone may read the map: the perimeter and the points, with no tile.
    page.goto(MAP_PATH)
    heading(page, f"Carte du quartier — {NAME}")
    _map_shows(page, 4)
    box = _map(page)
    expect(box.locator(".marker-cluster")).to_have_count(1)
    expect(box.locator(".leaflet-marker-pane .pin")).to_have_count(2)
    expect(box.get_by_role("button", name="Positif · Espaces verts")).to_be_visible()
    expect(page.get_by_text("Pas de fond de carte ? Le périmètre et les points restent "
                            "visibles.")).to_be_visible()
    fits(page)
    audit(page)
    assert refused, "the map did not even ask for its tiles"
    _only_tiles(refused)

    # A tap on the cluster spreads out its two points, too close to be told apart.
    box.locator(".marker-cluster").click()
    expect(page.locator(".leaflet-cluster-anim")).to_have_count(0)
    expect(box.get_by_role("button", name="Négatif · Propreté")).to_be_visible()
    expect(box.get_by_role("button", name="Négatif · Sécurité et tranquillité")).to_be_visible()
    audit(page)

    # Filtered, the map and the list show the same points.
    page.get_by_text("Filtrer les points et lire la légende").click()
    page.get_by_label("Quels points ?").select_option(label="Ce qui va bien")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"polarity=positive"))
    _map_shows(page, 2)
    page.get_by_role("link", name="Les mêmes points en liste").click()
    expect(page).to_have_url(re.compile(f"{LIST_PATH}\\?.*polarity=positive"))
    heading(page, f"Points du quartier — {NAME}")
    items = page.locator("main ul.idea-list > li")
    expect(items.locator("p bdi")).to_have_text(positives)
    audit(page)
    page.get_by_label("Quels points ?").select_option(label="Tout")
    page.get_by_role("button", name="Afficher").click()
    expect(items.locator("p bdi")).to_have_text(list(seeded))
    expect(page.get_by_text("Pas encore relu")).to_have_count(0)
    fits(page)
    audit(page)

    # In Arabic, the map page reads right to left and still draws everything.
    page.goto(MAP_PATH)
    expect(page.locator("html[lang=fr][dir=ltr]")).to_have_count(1)
    page.get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile(f"{MAP_PATH}$"))
    _map_shows(page, 4)
    fits(page)
    audit(page)
    page.goto(LIST_PATH)
    expect(page.locator("html[lang=ar][dir=rtl]")).to_have_count(1)
    expect(page.locator("main ul.idea-list > li p bdi")).to_have_text(list(seeded))
    fits(page)
    audit(page)
    _only_tiles(refused)
