"""Link previews: every public page carries Open Graph and Twitter card tags, with an
image the site draws (a round's, an event's, a survey's card, or the site's); cards are
real PNGs of 1200×630, hold no personal data, and are drawn once per content. Sharing
uses plain links, never a script from another site."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from PIL import Image

from civic.events.models import Event
from civic.outreach import preview_views, previews
from tests import factories
from tests.factories import NOW

BASE = "http://localhost"
TAGS = ("og:title", "og:description", "og:url", "og:image", "og:type", "og:locale",
        "twitter:card", "twitter:title", "twitter:description", "twitter:image")


def meta(html: str) -> dict[str, str]:
    """The page's meta tags, by property or name."""
    return {key: unescape(value) for key, value in re.findall(
        r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', html)}


def image(client: Any, address: str) -> Image.Image:
    parts = urlsplit(address)
    assert f"{parts.scheme}://{parts.netloc}" == BASE, address
    response = client.get(parts.path, query_string=parts.query)
    assert response.status_code == 200, address
    assert response.mimetype == "image/png"
    found = Image.open(io.BytesIO(response.data))
    found.load()
    return found


@pytest.fixture
def public_pages(db: Any, quartier: Any, signatory: Any, event: Any, fph_round: Any,
                 survey: Any) -> list[str]:
    """One address of each kind of public page, on demo-like data."""
    idea = factories.make_idea(db, quartier)
    project = factories.make_project(db, fph_round)
    point = factories.make_point(db, quartier)
    done = factories.make_round(db, factories.make_fund(db, quartier, year=2025),
                                phase="results", results={
                                    "rule": "greedy", "envelope_cents": 200_000,
                                    "spent_cents": 0, "left_cents": 200_000, "voters": 0,
                                    "ballots": 0, "population": None, "turnout_rate": None,
                                    "turnout": {}, "selected": [], "projects": []})
    code = quartier.code
    return ["/", f"/quartiers/{code}", f"/quartiers/{code}/idees", f"/idees/{idea.id}",
            "/evenements", "/evenements/calendrier", f"/quartiers/{code}/evenements",
            f"/evenements/{event.id}", f"/fph/{fph_round.id}", f"/fph/projets/{project.id}",
            f"/fph/{done.id}/resultats", f"/quartiers/{code}/carte",
            f"/quartiers/{code}/carte/liste", f"/points/{point.id}",
            f"/quartiers/{code}/evenements/calendrier", "/qui-fait-quoi",
            f"/qui-fait-quoi/{signatory.id}",
            "/evaluation", f"/evaluation/{survey.evaluation_id}", "/enquetes",
            f"/enquetes/{survey.id}", "/donnees-ouvertes", "/credits",
            "/confidentialite", "/facile-a-lire", "/connexion", "/inscription"]


def test_every_public_page_has_its_preview_tags(client: Any, public_pages: list[str]) -> None:
    for path in public_pages:
        response = client.get(path)
        assert response.status_code == 200, path
        tags = meta(response.get_data(as_text=True))
        missing = [tag for tag in TAGS if not tags.get(tag, "").strip()]
        assert not missing, (path, missing)
        assert tags["og:url"] == BASE + path
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["og:locale"] == "fr_FR"
        assert tags["twitter:image"] == tags["og:image"]
        assert tags["og:image"].startswith(f"{BASE}/apercu/"), path
        assert image(client, tags["og:image"]).size == (1200, 630), path


def test_pages_with_a_card_of_their_own(client: Any, event: Any, fph_round: Any,
                                        survey: Any, quartier: Any) -> None:
    expected = {f"/evenements/{event.id}": f"/apercu/evenement/{event.id}.png",
                f"/fph/{fph_round.id}": f"/apercu/fph/{fph_round.id}.png",
                f"/enquetes/{survey.id}": f"/apercu/enquete/{survey.id}.png",
                f"/quartiers/{quartier.code}/idees": "/apercu/site.png"}
    for page, card in expected.items():
        address = meta(client.get(page).get_data(as_text=True))["og:image"]
        assert urlsplit(address).path == card, page
        assert re.fullmatch(r"v=[0-9a-f]{16}", urlsplit(address).query), page


def test_pages_describe_themselves(client: Any, event: Any, fph_round: Any,
                                   quartier: Any) -> None:
    described = {
        f"/evenements/{event.id}": "Repas partagé — Les Tilleuls — samedi 21 mars 2026, "
                                   "11:00 — Maison de quartier",
        f"/fph/{fph_round.id}": "Fonds de participation des habitants — Les Tilleuls — "
                                "Vote : du 13 mars 2026 au 18 mars 2026",
        f"/quartiers/{quartier.code}/idees": "Les idées des habitants du quartier "
                                             "Les Tilleuls",
    }
    for page, words in described.items():
        tags = meta(client.get(page).get_data(as_text=True))
        assert words in tags["og:description"], page
        assert tags["description"] == tags["og:description"]


def test_the_preview_speaks_the_page_language(client: Any, event: Any) -> None:
    with client.session_transaction() as session:
        session["lang"] = "ar"
    html = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    assert 'dir="rtl"' in html
    assert meta(html)["og:locale"] == "ar_AR"


# --- The cards -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["site", "fph", "evenement", "enquete"])
def test_cards_are_pngs_of_1200_by_630(client: Any, event: Any, fph_round: Any,
                                       survey: Any, kind: str) -> None:
    ids = {"fph": fph_round.id, "evenement": event.id, "enquete": survey.id}
    path = "/apercu/site.png" if kind == "site" else f"/apercu/{kind}/{ids[kind]}.png"
    drawn = image(client, BASE + path)
    assert drawn.format == "PNG"
    assert drawn.size == (1200, 630)
    assert not getattr(drawn, "text", {})  # no metadata: no text chunk, no date


def test_a_card_says_what_the_page_says(app: Flask, event: Any, fph_round: Any,
                                        survey: Any) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "ar"}):
        assert preview_views.card_url("evenement", event).startswith(BASE)
        event_card = preview_views._own_card("evenement", event)
        round_card = preview_views._own_card("fph", fph_round)
        survey_card = preview_views._own_card("enquete", survey)
    assert event_card == previews.Card(
        label="Repas partagé", title="Repas de printemps",
        lines=("Les Tilleuls", "samedi 21 mars 2026, 11:00", "Maison de quartier"),
        footer="localhost")
    assert round_card is not None
    assert round_card.lines == ("Les Tilleuls", "Vote : du 13 mars au 18 mars 2026")
    assert survey_card is not None
    assert survey_card.title == "Les stages (fr)"
    assert survey_card.lines == ("Réponses : du 13 mars au 23 mars 2026",)


def test_cards_hold_no_personal_data(app: Flask, db: Any, quartier: Any,
                                     fph_round: Any) -> None:
    author = factories.make_user(db, display_name="Rania Benali",
                                 email="rania.benali@example.org")
    proposed = factories.make_event(db, quartier, author=author, title="Vide-grenier",
                                    organiser="Association des locataires")
    factories.make_signup(db, proposed, name="Karim Ouali", email="karim@example.org")
    factories.make_project(db, fph_round, author=author, contact="06 12 34 56 78")
    with app.test_request_context("/"):
        cards = [preview_views._own_card("evenement", proposed),
                 preview_views._own_card("fph", fph_round), preview_views.site_card_text()]
    for card in cards:
        assert card is not None
        words = " ".join([card.label, card.title, *card.lines, card.footer])
        for personal in ("Rania", "Benali", "rania.benali@", "Karim", "karim@",
                         "06 12 34 56 78", "@"):
            assert personal not in words, (personal, words)


def test_what_is_not_public_has_no_card(db: Any, client: Any, login_as: Any, people: dict,
                                        quartier: Any, survey: Any) -> None:
    pending = factories.make_event(db, quartier, moderation="pending",
                                   author=people["resident"])
    survey.opens_at = NOW + timedelta(days=1)
    db.flush()
    assert client.get(f"/apercu/evenement/{pending.id}.png").status_code == 404
    assert client.get(f"/apercu/enquete/{survey.id}.png").status_code == 404
    assert client.get("/apercu/fph/999999.png").status_code == 404
    login_as(people["resident"])  # the author sees her pending event, with the site's card
    page = client.get(f"/evenements/{pending.id}").get_data(as_text=True)
    assert urlsplit(meta(page)["og:image"]).path == "/apercu/site.png"
    assert "wa.me" not in page  # nothing to share yet


def test_a_card_is_drawn_once_per_content(db: Any, client: Any, event: Any,
                                          monkeypatch: Any) -> None:
    drawn: list[str] = []
    draw = previews.draw

    def counting(card: previews.Card) -> Image.Image:
        drawn.append(card.title)
        return draw(card)

    monkeypatch.setattr(previews, "draw", counting)
    previews.png.cache_clear()
    path = f"/apercu/evenement/{event.id}.png"
    first = client.get(path)
    second = client.get(path)
    assert first.data == second.data
    assert drawn == ["Repas de printemps"]
    etag = first.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    db.get(Event, event.id).title = "Repas d’été"  # the requests closed the first session
    db.flush()
    changed = client.get(path)
    assert changed.headers["ETag"] != etag
    assert drawn == ["Repas de printemps", "Repas d’été"]
    previews.png.cache_clear()


def test_a_versioned_card_address_is_kept_long(client: Any, event: Any) -> None:
    page = client.get(f"/evenements/{event.id}").get_data(as_text=True)
    address = urlsplit(meta(page)["og:image"])
    versioned = client.get(address.path, query_string=address.query)
    assert versioned.headers["ETag"] == '"' + address.query.removeprefix("v=") + '"'
    assert "max-age=31536000" in versioned.headers["Cache-Control"]
    assert "public" in versioned.headers["Cache-Control"]
    plain = client.get(address.path)
    assert "max-age=3600" in plain.headers["Cache-Control"]
    stale = client.get(address.path, query_string="v=0000000000000000")
    assert "max-age=3600" in stale.headers["Cache-Control"]


def test_titles_too_long_for_a_card_still_make_one() -> None:
    card = previews.Card(label="Événement", title=" ".join(["Réunion"] * 80),
                         lines=("x" * 400, "Les Tilleuls"), footer="localhost")
    drawn = Image.open(io.BytesIO(previews.png(card)))
    assert drawn.size == (1200, 630)
    assert previews.right_to_left("مقهى السكان")
    assert not previews.right_to_left("« Café » مقهى")


# --- Sharing ---------------------------------------------------------------------------


def share_section(html: str) -> str:
    found = re.search(r'<section class="panel no-print share".*?</section>', html, re.S)
    assert found is not None, "no share block"
    return found[0]


def test_share_links_are_plain_addresses(client: Any, event: Any) -> None:
    response = client.get(f"/evenements/{event.id}")
    block = share_section(response.get_data(as_text=True))
    address = f"{BASE}/evenements/{event.id}"
    encoded = quote(address, safe="/")
    assert f'href="https://wa.me/?text=Repas%20de%20printemps%20{encoded}"' in block
    assert f'href="https://www.facebook.com/sharer/sharer.php?u={encoded}"' in block
    assert f'href="mailto:?subject=Repas%20de%20printemps&amp;body={encoded}"' in block
    scripts = re.findall(r"<script([^>]*)>", block)
    assert scripts == [' src="/static/js/share.js?v=' + scripts[0].split("?v=")[1]]
    assert '<li hidden data-share-item><button type="button"' in block
    policy = response.headers["Content-Security-Policy"]
    script_sources = re.search(r"script-src ([^;]+)", policy)
    assert script_sources is not None
    assert script_sources[1].split()[0] == "'self'"
    assert "http" not in script_sources[1]


def test_the_share_script_only_enhances() -> None:
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "share.js").read_text()
    assert 'typeof navigator.share !== "function"' in script
    assert "http" not in script
