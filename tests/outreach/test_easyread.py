"""The easy-read pages (« Facile à lire »): in French, English and Arabic, short sentences,
pictograms served from static/ with a text alternative and their licence, figures read
from the settings, and a link to them on every page and on the four pages they mirror."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from civic.outreach import easyread
from tests import factories
from tests.factories import NOW

ROOT = Path(__file__).resolve().parents[2]
PICTOGRAMS = ROOT / "static" / "img" / "pictograms"
INDEX = "/facile-a-lire"
PAGES = [INDEX] + [f"{INDEX}/{p.slug}" for p in easyread.PAGES]
#: Inclusion Europe asks for short sentences (about 15 words); none may pass this.
MAX_WORDS = 20
MIRROR_LINK = "Lire cette page en version facile à lire"


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


class EasyRead(HTMLParser):
    """What a reader of the page meets: the <html> attributes, the images, and the text
    of each paragraph and list item of the easy-read part, one string each."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html: dict[str, str | None] = {}
        self.images: list[dict[str, str | None]] = []
        self.lines: list[str] = []
        self.styled: list[str] = []
        self._depth = 0  # open <div>s since the easy-read part began; 0: outside it
        self._open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.html = found
        elif tag == "img":
            self.images.append(found)
        elif tag == "div" and (self._depth or "easy-read" in (found.get("class") or "").split()):
            self._depth += 1
        elif self._depth and tag in ("p", "li"):
            self._open.append([])
        elif self._depth and tag in ("i", "em", "cite"):
            self.styled.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            self._depth -= 1
        elif tag in ("p", "li") and self._open:
            self.lines.append(" ".join("".join(self._open.pop()).split()))

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].append(data)


def read(html: str) -> EasyRead:
    parsed = EasyRead()
    parsed.feed(html)
    parsed.close()
    return parsed


def sentences(line: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+", line) if s.strip()]


def words(sentence: str) -> int:
    """Words as a reader counts them: « », colons and dashes are not words."""
    return sum(1 for token in sentence.split() if re.search(r"\w", token))


def too_long(html: str) -> list[str]:
    return [s for line in read(html).lines for s in sentences(line) if words(s) > MAX_WORDS]


# --- Languages -----------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize(("language", "direction"), [("fr", "ltr"), ("en", "ltr"),
                                                     ("ar", "rtl")])
def test_every_page_answers_in_each_language(client: Any, path: str, language: str,
                                             direction: str) -> None:
    answer = client.get(path, headers={"Accept-Language": language})
    page = read(answer.get_data(as_text=True))
    assert answer.status_code == 200
    assert page.html.get("lang") == language
    assert page.html.get("dir") == direction
    assert page.lines, "the easy-read part is empty"


def test_a_page_that_does_not_exist_is_not_found(client: Any) -> None:
    assert client.get(f"{INDEX}/bulletin").status_code == 404


def test_the_list_leads_to_the_four_pages(client: Any) -> None:
    html = client.get(INDEX).get_data(as_text=True)
    for page in easyread.PAGES:
        assert f'href="{INDEX}/{page.slug}"' in html
        assert str(page.title) in html, page.slug


# --- Sentences -----------------------------------------------------------------------


def test_the_sentence_check_finds_a_long_sentence() -> None:
    html = ('<div class="easy-read"><p>Court.</p><p>Une phrase bien trop longue qui dit '
            'une chose, puis une autre, puis encore une autre, et ne finit jamais '
            'vraiment avant la fin.</p></div><p>Hors de la partie facile à lire, une '
            'phrase longue ne compte pas pour ce contrôle, même quand elle continue '
            'encore et encore.</p>')
    assert len(too_long(html)) == 1
    assert words("« À l’étude » : l’équipe regarde.") == 4


@pytest.mark.parametrize("path", PAGES)
def test_sentences_are_short_and_never_in_italics(client: Any, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    assert too_long(html) == []
    assert read(html).styled == []


# --- Pictograms ----------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_every_pictogram_exists_and_has_a_text_alternative(client: Any, path: str) -> None:
    images = read(client.get(path).get_data(as_text=True)).images
    pictograms = [i for i in images if "/img/pictograms/" in (i.get("src") or "")]
    assert pictograms, f"no pictogram on {path}"
    for image in pictograms:
        src = str(image["src"])
        name = src.split("/img/pictograms/")[1].split("?")[0]
        assert (PICTOGRAMS / name).is_file(), name
        served = client.get(src)
        assert served.status_code == 200
        assert served.mimetype == "image/svg+xml"
        assert "alt" in image, f"{name} has no alt attribute on {path}"


def test_blocks_say_what_their_pictogram_shows(client: Any) -> None:
    """Next to a block the picture has words; in a link that names the page, none."""
    for path in PAGES[1:]:
        blocks = read(client.get(path).get_data(as_text=True)).images
        described = [i for i in blocks if "/img/pictograms/" in str(i.get("src"))
                     and i.get("alt")]
        assert len(described) >= 4, path
    index = read(client.get(INDEX).get_data(as_text=True)).images
    in_links = [i for i in index if "/img/pictograms/" in str(i.get("src"))][:4]
    assert [i.get("alt") for i in in_links] == ["", "", "", ""]


def test_pictograms_are_black_strokes_on_white_with_their_licence() -> None:
    readme = (PICTOGRAMS / "README.md").read_text(encoding="utf-8")
    assert "CC0" in readme
    files = sorted(PICTOGRAMS.glob("*.svg"))
    assert len(files) >= 8
    for path in files:
        svg = ET.parse(path).getroot()  # noqa: S314  (the site's own files)
        assert svg.get("viewBox") == "0 0 64 64", path.name
        assert svg.get("stroke") == "#000", path.name
        assert float(svg.get("stroke-width") or 0) >= 2.5, path.name
        assert f"`{path.name}`" in readme, f"{path.name} is not listed in README.md"


# --- Settings ------------------------------------------------------------------------


def test_the_threshold_shown_is_the_settings(client: Any, app: Flask,
                                             monkeypatch: Any) -> None:
    path = f"{INDEX}/vos-donnees"
    default = app.config["SMALL_CELL_THRESHOLD"]
    assert f"au moins {default} personnes" in client.get(path).get_data(as_text=True)
    monkeypatch.setitem(app.config, "SMALL_CELL_THRESHOLD", 7)
    monkeypatch.setitem(app.config, "EVENT_SIGNUP_RETENTION_DAYS", 45)
    monkeypatch.setitem(app.config, "FPH_SECRET_MONTHS", 9)
    monkeypatch.setitem(app.config, "TILE_URL", "")
    html = client.get(path).get_data(as_text=True)
    assert "au moins 7 personnes" in html
    assert f"au moins {default} personnes" not in html
    assert "efface 45 jours après l’événement" in html
    assert "chiffrés 9 mois après les résultats" in html
    assert "Le fond des cartes vient d’un autre site." not in html


def test_the_map_exception_is_told_when_maps_load_tiles(client: Any, app: Flask,
                                                        monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    html = client.get(f"{INDEX}/vos-donnees").get_data(as_text=True)
    assert "Le fond des cartes vient d’un autre site." in html


# --- Links ---------------------------------------------------------------------------


def spaced(html: str) -> str:
    """The page with its no-break spaces (« Voter », « À l’étude ») as plain ones."""
    return html.replace("\u00a0", " ")


def link_to(html: str, href: str, text: str) -> bool:
    return re.search(rf'<a href="{re.escape(href)}"[^>]*>{re.escape(text)}</a>',
                     spaced(html)) is not None


def test_the_home_page_shows_the_easy_read_link(client: Any, quartier: Any) -> None:
    assert link_to(client.get("/").get_data(as_text=True), INDEX, "Facile à lire")


def test_the_link_says_where_you_are_on_the_list(client: Any) -> None:
    assert 'href="/facile-a-lire" aria-current="page"' in client.get(INDEX).get_data(
        as_text=True)
    assert 'aria-current="page"' not in client.get(f"{INDEX}/fph").get_data(as_text=True)


def test_the_four_mirrored_pages_link_to_their_easy_read_version(
        client: Any, login_as: Any, db: Any, quartier: Any, people: dict) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    factories.make_project(db, round_, status="admitted")
    visits = {
        f"/fph/{round_.id}": f"{INDEX}/fph",
        f"/quartiers/{quartier.code}/idees": f"{INDEX}/idees",
        "/confidentialite": f"{INDEX}/vos-donnees",
    }
    for path, target in visits.items():
        answer = client.get(path)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200, path
        assert link_to(html, target, MIRROR_LINK), path
        assert link_to(html, INDEX, "Facile à lire"), path
    vote = login_as(people["resident"]).get(f"/fph/{round_.id}/voter")
    assert vote.status_code == 200
    assert link_to(vote.get_data(as_text=True), f"{INDEX}/voter", MIRROR_LINK)


def test_pages_lead_back_to_the_full_page_of_the_chosen_quartier(client: Any,
                                                                 quartier: Any) -> None:
    before = client.get(f"{INDEX}/idees").get_data(as_text=True)
    assert link_to(before, "/", "Voir la liste des quartiers")
    client.get(f"/quartiers/{quartier.code}")  # choosing a quartier remembers it
    after = client.get(f"{INDEX}/idees").get_data(as_text=True)
    assert link_to(after, f"/quartiers/{quartier.code}/idees",
                   "La boîte à idées de votre quartier")
    privacy = client.get(f"{INDEX}/vos-donnees").get_data(as_text=True)
    assert link_to(privacy, "/confidentialite", "La page complète « Vos données »")


def test_the_status_names_are_the_idea_boxs_own(client: Any) -> None:
    """The easy-read words for what happens to an idea are the ones its page shows."""
    from civic.ideas.labels import STATUSES

    html = spaced(client.get(f"{INDEX}/idees").get_data(as_text=True))
    for label in STATUSES.values():
        assert f"« {label} »" in html
