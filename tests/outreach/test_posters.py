"""Posters: a pilot, or an animator for their quartier, prints an A4 or A3 poster in
French and a second language (Arabic right to left), with the dates, a QR code to the
page, its short address and the quartier's permanence hours."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date

from civic.accounts.models import Role
from civic.core.permissions import can
from civic.core.qr import qr_svg
from civic.permanence import slots
from tests import factories
from tests.factories import NOW

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "poster.css"
SCRIPT = "<script>alert('civic')</script>"
HOSTILE = [SCRIPT, "A" * 10_000, "a5", "nul\x00byte", "99999999999999999999", "-1", "\u0661", ""]
#: The café's day, as each language writes it.
EVENT_DAY = {lang: format_date(date(2026, 3, 21), "EEEE d MMMM y", locale=lang)
             for lang in ("fr", "en", "ar")}


def _print(client: Any, kind: str, key: Any, **args: str) -> Any:
    return client.get(f"/affiches/{kind}/{key}/imprimer", query_string=args)


def _text(html: str) -> str:
    """The words of ``html`` as read: blocks apart, inline tags (<bdi>) joined."""
    spaced = re.sub(r"</?(?:p|li|ul|section|div|h\d|header|article)\b[^>]*>", " ", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", spaced)).split())


def blocks(html: str) -> list[tuple[str, str, str]]:
    """Each language block of the sheet: (lang, dir, its text)."""
    return [(lang, direction, _text(body)) for lang, direction, body in re.findall(
        r'<section class="sheet-language" lang="(\w+)" dir="(\w+)"[^>]*>(.*?)</section>',
        html, re.S)]


def hours(html: str) -> str:
    """The text of the sheet's permanence hours ("" without them)."""
    found = re.search(r'<section class="sheet-hours".*?</section>', html, re.S)
    return _text(found[0]) if found else ""


def qr_path(svg: str) -> str:
    found = re.search(r'<path[^>]* d="([^"]+)"', svg)
    assert found is not None
    return found[1]


def drawn_qr(html: str) -> str:
    found = re.search(r'<div class="sheet-qr"[^>]*>(<svg.*?</svg>)</div>', html, re.S)
    assert found is not None, "no QR code on the sheet"
    return qr_path(found[1])


def sheet_classes(html: str) -> set[str]:
    found = re.search(r'<article class="([^"]+)"', html)
    assert found is not None
    return set(found[1].split())


# --- The print page, in three languages ------------------------------------------------


def test_a_poster_in_french_and_english(login_as: Any, people: dict, event: Any) -> None:
    client = login_as(people["animator"])
    response = _print(client, "evenement", event.id, format="a4", langue="en")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    found = blocks(html)
    assert [(lang, direction) for lang, direction, _words in found] == [
        ("fr", "ltr"), ("en", "ltr")]
    french, english = found[0][2], found[1][2]
    assert f"{EVENT_DAY['fr']}, 11:00 – 13:00" in french
    assert EVENT_DAY["en"] in english
    assert "Maison de quartier, 2 place Abbal" in english
    assert "Repas de printemps" in _text(html)
    assert "two-languages" in sheet_classes(html)


def test_a_poster_in_french_and_arabic_reads_right_to_left(login_as: Any, people: dict,
                                                           event: Any) -> None:
    html = _print(login_as(people["pilot"]), "evenement", event.id, format="a4",
                  langue="ar").get_data(as_text=True)
    found = blocks(html)
    assert [(lang, direction) for lang, direction, _words in found] == [
        ("fr", "ltr"), ("ar", "rtl")]
    assert EVENT_DAY["ar"] in found[1][2]
    assert EVENT_DAY["fr"] not in found[1][2]


def test_a_poster_in_french_only(login_as: Any, people: dict, event: Any) -> None:
    html = _print(login_as(people["pilot"]), "evenement", event.id, format="a4",
                  langue="").get_data(as_text=True)
    assert [lang for lang, _dir, _words in blocks(html)] == ["fr"]
    assert "two-languages" not in sheet_classes(html)


def test_the_choice_page_offers_sizes_and_languages(login_as: Any, people: dict,
                                                    event: Any) -> None:
    response = login_as(people["animator"]).get(f"/affiches/evenement/{event.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'action="/affiches/evenement/{event.id}/imprimer"' in html
    for value in ("a4", "a3", "en", "ar"):
        assert f'value="{value}"' in html
    assert 'lang="ar">العربية</label>' in html


@pytest.mark.parametrize("size", ["a4", "a3"])
def test_a3_and_a4_print_on_their_own_paper(login_as: Any, people: dict, event: Any,
                                            size: str) -> None:
    html = _print(login_as(people["pilot"]), "evenement", event.id,
                  format=size).get_data(as_text=True)
    assert size in sheet_classes(html)
    assert re.search(rf'<body class="poster-page {size}"', html)
    css = CSS.read_text()
    page = re.search(rf"@page {size} {{ size: ([^;]+);", css)
    assert page is not None
    assert page[1] == f"{size.upper()} portrait"
    assert re.search(rf"\.sheet\.{size} {{ page: {size}; }}", css)
    # The height print.js fits the words into: the paper's, less the two margins.
    margin = re.search(rf"@page {size} {{ [^}}]*margin: (\d+)mm;", css)
    assert margin is not None
    height = {"a4": 297, "a3": 420}[size] - 2 * int(margin[1])
    assert f'data-page-height="{height}mm"' in html


def test_print_sizes_are_read_from_two_metres() -> None:
    """On A4, text of 24 pt and a title of at least 60 pt; A3 is A4 times √2."""
    css = CSS.read_text()
    base = {size: float(re.search(rf"\.sheet\.{size} {{ font-size: calc\(([\d.]+)pt "
                                  r"\* var\(--fit\)\)", css)[1])
            for size in ("a4", "a3")}
    titles = [float(scale) for scale in re.findall(r"\.sheet-title[^{]*{[^}]*font-size: "
                                                    r"([\d.]+)em", css)]
    assert base["a4"] >= 24
    assert min(titles) * base["a4"] >= 60
    assert base["a3"] / base["a4"] == pytest.approx(2 ** 0.5, rel=0.01)


# --- What the poster says --------------------------------------------------------------


def test_the_qr_code_and_the_short_address_lead_to_the_page(login_as: Any, people: dict,
                                                            event: Any) -> None:
    html = _print(login_as(people["animator"]), "evenement", event.id,
                  format="a4").get_data(as_text=True)
    assert drawn_qr(html) == qr_path(qr_svg(f"http://localhost/evenements/{event.id}"))
    assert f'<p class="sheet-short" dir="ltr">localhost/a/{event.id}</p>' in html


def test_a_round_poster_calls_to_vote_with_its_dates(login_as: Any, people: dict,
                                                     fph_round: Any) -> None:
    html = _print(login_as(people["animator"]), "fph", fph_round.id,
                  format="a3").get_data(as_text=True)
    french = blocks(html)[0][2]
    assert "Votez pour les projets de votre quartier" in french
    assert "Vote : du 13 mars au 18 mars 2026" in french
    assert drawn_qr(html) == qr_path(qr_svg(f"http://localhost/fph/{fph_round.id}"))
    assert f"localhost/v/{fph_round.id}" in html


def test_a_round_taking_proposals_gives_both_periods(db: Any, login_as: Any, people: dict,
                                                     quartier: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), phase="submission")
    french = blocks(_print(login_as(people["pilot"]), "fph", round_.id,
                           format="a4").get_data(as_text=True))[0][2]
    assert "Proposez un projet pour votre quartier" in french
    assert "Propositions : du 13 mars au 16 mars 2026" in french
    assert "Vote : du 17 mars au 18 mars 2026" in french


def test_an_idea_box_poster(login_as: Any, people: dict, quartier: Any) -> None:
    html = _print(login_as(people["animator"]), "idees", quartier.code,
                  format="a4").get_data(as_text=True)
    assert "Donnez vos idées pour votre quartier" in blocks(html)[0][2]
    assert drawn_qr(html) == qr_path(qr_svg(f"http://localhost/quartiers/{quartier.code}"
                                            "/idees"))
    assert f"localhost/b/{quartier.code}" in html


def test_a_survey_poster_leads_to_its_poster_address(login_as: Any, people: dict,
                                                     survey: Any) -> None:
    """Answers that come through a poster count apart: its QR code and short address
    are the survey's address for posters."""
    html = _print(login_as(people["animator"]), "enquete", survey.id, format="a4",
                  langue="ar").get_data(as_text=True)
    assert "Les stages (fr)" in _text(html)
    french = blocks(html)[0][2]
    assert "Réponses : du 13 mars au 23 mars 2026" in french
    assert drawn_qr(html) == qr_path(qr_svg(f"http://localhost/e/{survey.id}"))
    assert f"localhost/e/{survey.id}" in html


def test_the_quartier_permanence_hours_and_closures(db: Any, login_as: Any, people: dict,
                                                    quartier: Any, event: Any) -> None:
    client = login_as(people["animator"])
    assert hours(_print(client, "evenement", event.id, format="a4").get_data(
        as_text=True)) == ""  # no hours yet: nothing printed of them
    for weekday, starts, place in ((1, 14, "Maison des associations"),
                                   (3, 9, "Centre social"), (5, 10, "Marché")):
        slots.add_slot(db, quartier, weekday=weekday, starts=time(starts),
                       ends=time(starts + 3), place=place, actor=None, now=NOW)
    alone = hours(_print(client, "evenement", event.id, format="a4").get_data(
        as_text=True))
    assert alone.startswith("Rencontrer un animateur")
    assert "Mardi · 14:00 – 17:00, Maison des associations" in alone
    assert "Jeudi · 09:00 – 12:00, Centre social" in alone
    assert "Samedi · 10:00 – 13:00, Marché" in alone
    slots.add_closure(db, quartier, first_day=date(2026, 3, 16), last_day=date(2026, 3, 18),
                      label="Formation de l’équipe", actor=None, now=NOW)
    closed = hours(_print(client, "evenement", event.id, format="a4").get_data(
        as_text=True))
    assert "16/03 – 18/03 : fermé (Formation de l’équipe)" in closed
    assert "Marché" not in closed  # the closure takes the last line
    html = _print(client, "evenement", event.id, format="a4", langue="ar").get_data(
        as_text=True)
    two = hours(html)
    assert "Centre social" not in two  # two languages: two lines
    assert "Maison des associations" in two
    assert '<span lang="ar" dir="rtl">' in re.search(
        r'<section class="sheet-hours".*?</section>', html, re.S)[0]


def test_a_contract_poster_prints_the_hours_of_a_chosen_quartier(
        db: Any, login_as: Any, people: dict, quartier: Any, other_quartier: Any) -> None:
    slots.add_slot(db, quartier, weekday=1, starts=time(14), ends=time(17),
                   place="Maison des associations", actor=None, now=NOW)
    contract_event = factories.make_event(db, None, title="Assises du contrat")
    client = login_as(people["animator"])
    form = client.get(f"/affiches/evenement/{contract_event.id}").get_data(as_text=True)
    assert f'<option selected value="{quartier.id}">' in form
    assert f'value="{other_quartier.id}"' not in form  # not one of hers
    chosen = _print(client, "evenement", contract_event.id, format="a4",
                    quartier=str(quartier.id)).get_data(as_text=True)
    assert "Rencontrer un animateur — Les Tilleuls" in hours(chosen)
    refused = _print(client, "evenement", contract_event.id, format="a4",
                     quartier=str(other_quartier.id))
    assert refused.status_code == 400
    assert "Choisissez un quartier de la liste" in refused.get_data(as_text=True)


# --- Who may print ---------------------------------------------------------------------


@pytest.fixture
def subjects(db: Any, quartier: Any, other_quartier: Any, survey: Any) -> dict[str, tuple]:
    """(kind, key) of a poster of each subject, mine (``quartier``) or another's."""
    return {
        "event": ("evenement", factories.make_event(db, quartier).id),
        "other event": ("evenement", factories.make_event(db, other_quartier).id),
        "contract event": ("evenement", factories.make_event(db, None).id),
        "round": ("fph", factories.make_round(db, factories.make_fund(db, quartier)).id),
        "other round": ("fph", factories.make_round(
            db, factories.make_fund(db, other_quartier)).id),
        "survey": ("enquete", survey.id),
        "idea box": ("idees", quartier.code),
        "other idea box": ("idees", other_quartier.code),
    }


MINE = {"event", "contract event", "round", "survey", "idea box"}
MATRIX = [(who, subject, who == "pilot" or (who == "animator" and subject in MINE))
          for who in ("resident", "moderator", "signatory", "animator", "pilot")
          for subject in ("event", "other event", "contract event", "round", "other round",
                          "survey", "idea box", "other idea box")]


@pytest.mark.parametrize(("who", "subject", "allowed"), MATRIX,
                         ids=[f"{w}-{s}" for w, s, _a in MATRIX])
def test_who_may_print_a_poster(login_as: Any, people: dict, subjects: dict, who: str,
                                subject: str, allowed: bool) -> None:
    kind, key = subjects[subject]
    client = login_as(people[who])
    for path in (f"/affiches/{kind}/{key}", f"/affiches/{kind}/{key}/imprimer"):
        assert client.get(path).status_code == (200 if allowed else 403), path


def test_anonymous_visitors_are_asked_to_log_in(client: Any, event: Any) -> None:
    response = client.get(f"/affiches/evenement/{event.id}/imprimer?format=a4")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")


def test_roles_without_a_second_step_print_nothing(login_as: Any, unenrolled: Any,
                                                   event: Any) -> None:
    assert login_as(unenrolled).get(f"/affiches/evenement/{event.id}").status_code == 403


def test_nothing_left_to_announce_prints_nothing(db: Any, people: dict, quartier: Any,
                                                 survey: Any) -> None:
    pilot = people["pilot"]
    pending = factories.make_event(db, quartier, moderation="pending")
    over = factories.make_event(db, quartier, starts_at=NOW - timedelta(days=2))
    cancelled = factories.make_event(db, quartier, cancelled_at=NOW)
    assert not can(pilot, "outreach.poster", pending, now=NOW)
    assert not can(pilot, "outreach.poster", over, now=NOW)
    assert not can(pilot, "outreach.poster", cancelled, now=NOW)
    assert can(pilot, "outreach.poster", survey, now=NOW)
    assert not can(pilot, "outreach.poster", survey, now=survey.closes_at)


@pytest.mark.parametrize("path", ["/affiches/evenement/999999", "/affiches/fph/x",
                                  "/affiches/idees/QN999999", "/affiches/enquete/-1",
                                  "/affiches/evenement/99999999999999999999/imprimer",
                                  "/affiches/projet/1"])
def test_unknown_subjects_are_not_found(login_as: Any, people: dict, path: str) -> None:
    assert login_as(people["pilot"]).get(path).status_code == 404


def test_the_pages_link_to_their_poster_for_those_who_may(
        login_as: Any, people: dict, client: Any, event: Any, fph_round: Any,
        quartier: Any, survey: Any) -> None:
    pages = {f"/evenements/{event.id}": f"/affiches/evenement/{event.id}",
             f"/fph/{fph_round.id}": f"/affiches/fph/{fph_round.id}",
             f"/quartiers/{quartier.code}/idees": f"/affiches/idees/{quartier.code}",
             f"/enquetes/{survey.id}": f"/affiches/enquete/{survey.id}"}
    for page, poster in pages.items():
        assert poster not in client.get(page).get_data(as_text=True), page
    login_as(people["resident"])
    for page, poster in pages.items():
        assert poster not in client.get(page).get_data(as_text=True), page
    login_as(people["animator"])
    for page, poster in pages.items():
        body = client.get(page).get_data(as_text=True)
        assert f'href="{poster}">Imprimer une affiche</a>' in body, page


# --- Hostile input ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["format", "langue", "quartier"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_choices_get_a_message_not_a_failure(db: Any, login_as: Any, people: dict,
                                                     field: str, value: str) -> None:
    contract_event = factories.make_event(db, None)
    args = {"format": "a4", "langue": "ar", field: value}
    client = login_as(people["pilot"])
    choice = client.get(f"/affiches/evenement/{contract_event.id}", query_string=args)
    assert choice.status_code == 200  # the choice page only fills in what it can
    assert SCRIPT not in choice.get_data(as_text=True)
    response = _print(client, "evenement", contract_event.id, **args)
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    if value == "" and field != "format":  # no second language; no hours
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert "Le formulaire contient des erreurs" in body
    message = {"format": "Choisissez A4 ou A3.",
               "langue": "Choisissez une des langues proposées.",
               "quartier": "Choisissez un quartier de la liste"}[field]
    assert message in body


def test_short_addresses_redirect_to_their_page(client: Any, event: Any, fph_round: Any,
                                                quartier: Any) -> None:
    for short, page in ((f"/a/{event.id}", f"/evenements/{event.id}"),
                        (f"/v/{fph_round.id}", f"/fph/{fph_round.id}"),
                        (f"/b/{quartier.code}", f"/quartiers/{quartier.code}/idees"),
                        (f"/b/{quartier.code.lower()}", f"/quartiers/{quartier.code}/idees")):
        response = client.get(short)
        assert response.status_code == 302, short
        assert response.headers["Location"] == page


@pytest.mark.parametrize("path", ["/a/999999", "/v/999999", "/b/QN000000"])
def test_short_addresses_of_nothing_are_not_found(client: Any, db: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_animator_of_another_quartier_only(db: Any, login_as: Any, other_quartier: Any,
                                           event: Any) -> None:
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    assert login_as(elsewhere).get(f"/affiches/evenement/{event.id}").status_code == 403
