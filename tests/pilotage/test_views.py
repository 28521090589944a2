"""The steering pages through HTTP: who reads what, the dashboard's filter and figures,
its charts, the exports, open data with small cells hidden, the yearly report, API
tokens and the pages in other languages."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def at(month: int, day: int, year: int = 2026) -> datetime:
    """Noon UTC: the same local day in Paris, winter or summer."""
    return datetime(year, month, day, 12, tzinfo=UTC)


def vote(db: Any, round_: Any, channel: str, user: Any = None, day: date | None = None
         ) -> Any:
    """A line of the register (who voted, never what)."""
    from civic.budget.models import Participation

    line = Participation(id=uuid.uuid4().hex, round_id=round_.id,
                         fingerprint=uuid.uuid4().hex * 2, channel=channel,
                         user_id=user.id if user else None,
                         voted_on=day or date(2026, 3, 11))
    db.add(line)
    db.flush()
    return line


def build_dataset(db: Any, people: dict, quartier: Any, other_quartier: Any,
                  signatory: Any) -> dict[str, Any]:
    """A small contract year whose figures are worked out by hand (2026, the clock on
    14 March):

    - the resident posts an idea (Emploi, quartier A, 1 Feb; answered 1 March, forwarded
      to the signatory on 5 Feb who answered on 15 Feb) and a map point (A, 2 Feb);
    - two voters vote online and one person at the kiosk in A's round (11 March), which
      funds « Fête des voisins » (500 €, 100 € spent, in progress);
    - someone without an account leaves an idea (Cadre de vie, B, 15 January);
    - a café in B on 20 February has 7 people present; the signatory's workshop in A on
      5 March has 6;
    - one of the voters posted an idea in A in June 2025.

    2026: 3 accounts and 15 people without one (2 at a permanence, 13 at events) make
    18 participants; 1 account was already active in 2025, 2 are new. Quartier A: 3 + 7
    = 10, quartier B: 0 + 8 = 8. By month: January 1, February 8, March 9."""
    from civic.ideas.models import Forwarding
    from civic.territory.models import Commitment

    contract = quartier.contract
    jobs = factories.make_orientation(db, contract, name="Emploi", position=1)
    living = factories.make_orientation(db, contract, name="Cadre de vie", position=2)
    voters = [factories.make_user(db, display_name=f"Votant {n}") for n in (1, 2)]
    resident = people["resident"]
    idea = factories.make_idea(db, quartier, resident, title="Un banc devant l’école",
                               orientation_id=jobs.id, created_at=at(2, 1),
                               status="planned", response="Il sera posé en avril.",
                               responded_at=at(3, 1))
    factories.make_idea(db, other_quartier, None, title="Des arbres rue Abbal",
                        orientation_id=living.id, created_at=at(1, 15))
    factories.make_idea(db, quartier, voters[0], title="Idée de l’an passé",
                        created_at=at(6, 1, 2025))
    factories.make_point(db, quartier, resident, polarity="positive", category="green",
                         created_at=at(2, 2))
    factories.make_event(db, other_quartier, kind="cafe", title="Café de février",
                         starts_at=at(2, 20), attendance=7, walk_ins=7)
    factories.make_event(db, quartier, kind="workshop", title="Atelier CV",
                         starts_at=at(3, 5), attendance=6, walk_ins=6,
                         signatory_id=signatory.id)
    db.add(Commitment(signatory_id=signatory.id, orientation_id=jobs.id,
                      text="Accueillir vingt jeunes en stage"))
    db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=at(2, 5),
                      due_on=date(2026, 3, 5), answer="Nous regardons.",
                      answered_at=at(2, 15)))
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "follow_up", title="FPH 2026")
    factories.make_project(db, round_, title="Fête des voisins", amount_cents=50_000,
                           follow_up="in_progress", spent_cents=10_000,
                           orientation_id=jobs.id)
    for voter in voters:
        vote(db, round_, "online", voter)
    vote(db, round_, "kiosk")
    return {"jobs": jobs, "living": living, "voters": voters, "round": round_,
            "idea": idea}


@pytest.fixture
def dataset(db: Any, people: dict, quartier: Any, other_quartier: Any, signatory: Any
            ) -> dict[str, Any]:
    return build_dataset(db, people, quartier, other_quartier, signatory)


def _plain(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def table_rows(page: str, caption: str) -> list[list[str]]:
    """The rows (header, body, total) of the table with this caption, as plain texts."""
    found = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", page, re.S)
    assert found, caption
    return [[_plain(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)]


def big_figures(page: str) -> dict[str, str]:
    block = re.search(r'<dl class="facts big-figures">(.*?)</dl>', page, re.S)
    assert block
    return {_plain(dt): _plain(dd) for dt, dd in re.findall(
        r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1), re.S)}


def lead(page: str) -> str:
    """The line that says what the figures are about (period · quartier · orientation)."""
    found = re.findall(r'<p class="lead">(.*?)</p>', page, re.S)
    assert found
    return _plain(found[-1])


def csv_rows(response: Any, separator: str = ",") -> list[list[str]]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=separator))


CHANNELS = [["Canal", "Avec un compte", "Sans compte", "Participants"],
            ["En ligne", "3", "0", "3"],
            ["À une permanence", "0", "2", "2"],
            ["Sur papier", "0", "0", "0"],
            ["À un événement", "0", "13", "13"],
            ["Total (chaque compte une fois)", "3", "15", "18"]]


# --- Who sees what -------------------------------------------------------------------------

ROLES = ["anonymous", "resident", "moderator", "animator", "signatory", "pilot"]
EVERYBODY = set(ROLES)
COOPERATIVE = {"signatory", "pilot"}
#: (url, the roles that read it)
PAGES: list[tuple[str, set[str]]] = [
    ("/pilotage", {"pilot"}),
    ("/pilotage?annee=2025", {"pilot"}),
    ("/pilotage/rapport", {"pilot"}),
    ("/pilotage/export.xlsx", {"pilot"}),
    ("/pilotage/tableaux/participants.csv", {"pilot"}),
    ("/pilotage/tableaux/participants_by_channel.xlsx", {"pilot"}),
    ("/pilotage/tableaux/fph_rounds.csv?sep=;", {"pilot"}),
    ("/pilotage/tableaux/events_by_kind.xlsx", {"pilot"}),
    ("/pilotage/cooperatif", COOPERATIVE),
    ("/pilotage/tableaux/commitments.csv", COOPERATIVE),
    ("/pilotage/tableaux/forwardings.xlsx", COOPERATIVE),
    ("/pilotage/tableaux/signatory_events.csv", COOPERATIVE),
    ("/pilotage/tableaux/ideas_by_signatory.csv", COOPERATIVE),
    ("/compte/jetons", COOPERATIVE),
    ("/donnees-ouvertes", EVERYBODY),
    ("/donnees-ouvertes/participants_by_channel.csv", EVERYBODY),
    ("/donnees-ouvertes/fph_rounds.csv?annee=2026", EVERYBODY),
    ("/pilotage/colonnes", EVERYBODY),
]


@pytest.mark.parametrize(("url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
def test_who_reads_which_page(client: Any, login_as: Any, people: dict, dataset: dict,
                              url: str, allowed: set[str]) -> None:
    for role in ROLES:
        if role != "anonymous":
            login_as(people[role])
        response = client.get(url)
        if role in allowed:
            assert response.status_code == 200, (role, url)
        elif role == "anonymous":
            assert response.status_code == 302, url
            assert response.headers["Location"].startswith("/connexion?next=")
        else:
            assert response.status_code == 403, (role, url)


def test_a_resident_finds_the_figures_only_in_open_data(client: Any, login_as: Any,
                                                         people: dict, dataset: dict) -> None:
    resident = login_as(people["resident"])
    page = _text(resident.get("/donnees-ouvertes"))
    assert "/pilotage/tableaux/" not in page
    assert "/pilotage/export" not in page
    assert "/donnees-ouvertes/participants_by_channel.csv" in page
    assert "Un banc devant l’école" not in page  # aggregates, never what a person wrote
    assert resident.get("/pilotage/tableaux/participants.xlsx").status_code == 403


def test_unknown_tables_and_formats_are_not_found(login_as: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    for url in ("/pilotage/tableaux/nothing.csv", "/pilotage/tableaux/participants.pdf",
                "/pilotage/tableaux/participants.json", "/donnees-ouvertes/nothing.csv",
                # steering and cooperative tables are not open data, whoever asks
                "/donnees-ouvertes/participants.csv", "/donnees-ouvertes/forwardings.csv",
                "/donnees-ouvertes/participants_by_channel.xlsx"):
        assert client.get(url).status_code == 404, url


def test_every_download_link_works_for_whoever_sees_it(login_as: Any, people: dict,
                                                        dataset: dict) -> None:
    for role, url in (("pilot", "/pilotage"), ("signatory", "/pilotage/cooperatif"),
                      ("pilot", "/pilotage/cooperatif"), ("resident", "/donnees-ouvertes")):
        client = login_as(people[role])
        page = _text(client.get(url))
        links = [unescape(href) for href in re.findall(
            r'<a href="([^"]+)">(?:CSV|XLSX|JSON)', page)]
        assert links, url
        for link in links:
            if link.startswith("/api/"):
                continue  # the API reads tokens, not sessions: tested with the API
            response = client.get(link)
            assert response.status_code == 200, (role, link)
            assert "attachment" in response.headers["Content-Disposition"]


# --- The dashboard -------------------------------------------------------------------------


def test_the_dashboard_shows_the_years_figures(login_as: Any, people: dict,
                                               dataset: dict) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage"))
    assert lead(page) == "Année 2026 · tous les quartiers"
    assert big_figures(page) == {"Participants": "18", "Nouveaux comptes": "2",
                                 "Déjà actifs l’an passé": "1"}
    assert table_rows(page, "Participants")[1] == ["18", "3", "15", "2", "1"]
    assert table_rows(page, "Participants par canal") == CHANNELS
    months = table_rows(page, "Participants par mois")
    assert [r[0] for r in months[1:]] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [r[3] for r in months[1:4]] == ["1", "8", "9"]
    fph = table_rows(page, "FPH : enveloppes et votes")
    assert fph[1][:2] == ["Les Tilleuls", "FPH 2026"]
    assert [c.replace("\u202f", " ").replace("\xa0", " ") for c in fph[1][2:]] == [
        "10 000,00 €", "500,00 €", "500,00 €", "5 %", "1", "100,00 €", "2", "1", "0", "3"]
    follow_up = {r[0]: r[1] for r in table_rows(page, "FPH : suivi des projets financés")}
    assert follow_up["En cours"] == "1"
    assert follow_up["Réalisé"] == "0"
    ideas = {r[0]: r[1:5] for r in table_rows(page, "Idées par orientation")}
    assert ideas["Emploi"] == ["1", "1", "0", "1"]
    assert ideas["Cadre de vie"] == ["1", "1", "0", "0"]
    assert ideas["Total"] == ["2", "2", "0", "1"]
    signatories = {r[0]: r[1:5] for r in table_rows(page, "Idées transmises aux signataires")}
    assert signatories["Ville de Testville"] == ["1", "1", "0", "0"]
    points = {r[0]: r[1:3] for r in table_rows(page, "Points de la carte par sujet")}
    assert points["Total"] == ["1", "0"]
    events = {r[0]: r[1:5] for r in table_rows(page, "Événements par type")}
    assert events["Total"] == ["2", "0", "0", "13"]
    # Gender and age are hidden below the threshold even for the pilot.
    genders = {r[0]: r[1:] for r in table_rows(page, "Participants par genre")}
    assert genders["Non dit"] == ["< 11", "0", "< 11"]


@pytest.mark.parametrize(("query", "expected", "scope"), [
    ("annee=2025", "1", "Année 2025 · tous les quartiers"),
    ("annee=2026", "18", "Année 2026 · tous les quartiers"),
    ("quartier={a}", "10", "Année 2026 · Les Tilleuls"),
    ("quartier={b}", "8", "Année 2026 · Le Parc"),
    ("quartier={a}&annee=2025", "1", "Année 2025 · Les Tilleuls"),
    ("quartier={b}&annee=2025", "0", "Année 2025 · Le Parc"),
    ("du=2026-02-01&au=2026-02-28", "8", "Du "),
    ("du=2026-01-01&au=2026-01-31&annee=2025", "1", "Du "),  # two dates win over a year
    ("du=2026-03-01&au=2026-03-31&quartier={a}", "9", "Du "),
])
def test_the_filter_narrows_the_figures(login_as: Any, people: dict, dataset: dict,
                                        quartier: Any, other_quartier: Any, query: str,
                                        expected: str, scope: str) -> None:
    query = query.format(a=quartier.code, b=other_quartier.code)
    page = _text(login_as(people["pilot"]).get(f"/pilotage?{query}"))
    assert '<p class="error"' not in page
    assert big_figures(page)["Participants"] == expected
    assert lead(page).startswith(scope)
    # The downloads carry the same filter.
    for name, value in (pair.split("=") for pair in query.split("&")):
        if name != "annee" or "du=" not in query:
            assert f"{name}={value}" in page.split("Participants par canal", 1)[1]


def test_two_dates_give_the_months_between_them(login_as: Any, people: dict,
                                                dataset: dict) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage?du=2026-02-01&au=2026-03-31"))
    assert 'value="2026-02-01"' in page
    assert 'value="2026-03-31"' in page
    months = table_rows(page, "Participants par mois")
    assert [r[0] for r in months[1:]] == ["2026-02", "2026-03"]
    assert [r[3] for r in months[1:]] == ["8", "9"]
    assert big_figures(page)["Participants"] == "17"


def test_an_orientation_narrows_fph_and_ideas(login_as: Any, people: dict,
                                              dataset: dict) -> None:
    client = login_as(people["pilot"])
    jobs = _text(client.get(f"/pilotage?orientation={dataset['jobs'].id}"))
    assert lead(jobs) == "Année 2026 · tous les quartiers · Emploi"
    ideas = table_rows(jobs, "Idées par orientation")
    assert [r[0] for r in ideas[1:]] == ["Emploi", "Total"]
    assert ideas[-1][1] == "1"
    living = _text(client.get(f"/pilotage?orientation={dataset['living'].id}"))
    ideas = table_rows(living, "Idées par orientation")
    assert [r[0] for r in ideas[1:]] == ["Cadre de vie", "Total"]
    follow_up = {r[0]: r[1] for r in table_rows(living, "FPH : suivi des projets financés")}
    assert follow_up["En cours"] == "0"  # the funded project is about Emploi
    # Participation is not narrowed by an orientation.
    assert big_figures(living)["Participants"] == "18"


#: (query, the field whose message shows)
WRONG_FILTERS = [
    ("annee=abc", "annee"),
    ("annee=1800", "annee"),
    ("annee=-1", "annee"),
    ("annee=2026.5", "annee"),
    ("du=2026-03-01&au=2026-02-01", "au"),
    ("du=garbage&au=2026-02-01", "du"),
    ("du=2026-02-01&au=31/12/2026", "au"),
    ("du=2026-02-30&au=2026-03-01", "du"),
    ("du=0001-01-01&au=0001-12-31", "du"),
    ("du=2026-01-01&au=9999-12-31", "au"),
    ("du=2000-01-01&au=2026-01-01", "au"),  # more than ten years
    ("quartier=unknown", "quartier"),
    ("quartier=QN999999", "quartier"),
    ("orientation=99999999999999999999999999", "orientation"),
    ("orientation=abc", "orientation"),
    ("orientation=-3", "orientation"),
]


@pytest.mark.parametrize(("query", "field"), WRONG_FILTERS, ids=[w[0] for w in WRONG_FILTERS])
def test_a_wrong_filter_is_said_next_to_its_field(login_as: Any, people: dict,
                                                  dataset: dict, query: str,
                                                  field: str) -> None:
    client = login_as(people["pilot"])
    grid = field in ("annee", "quartier", "orientation")  # open data has no dates
    for url in ("/pilotage", "/pilotage/rapport", "/pilotage/cooperatif",
                *(["/donnees-ouvertes"] if grid else [])):
        response = client.get(f"{url}?{query}")
        # Off its grid, open data answers 400 (the dashboards show what they can).
        assert response.status_code == (400 if "ouvertes" in url else 200), url
        page = _text(response)
        assert re.search(rf'<p class="error" id="{field}-error">[^<]+</p>', page), url
        assert re.search(rf'aria-describedby="[^"]*{field}-error[^"]*" aria-invalid="true" '
                         rf'id="{field}"', page), url
        # The figures fall back on the current year, every quartier.
        assert lead(page) == "Année 2026 · tous les quartiers", url
    page = _text(client.get(f"/pilotage?{query}"))
    assert big_figures(page)["Participants"] == "18"
    if field != "annee":  # a wrong year stays as typed, next to its message
        assert 'name="annee" type="number" value="2026"' in page


def test_an_export_with_a_wrong_filter_falls_back_too(login_as: Any, people: dict,
                                                      dataset: dict) -> None:
    client = login_as(people["pilot"])
    for query in ("annee=abc", "du=2026-03-01&au=2026-02-01", "quartier=nowhere"):
        response = client.get(f"/pilotage/tableaux/participants.csv?{query}")
        assert response.status_code == 200
        assert csv_rows(response)[1][0] == "18"
        assert 'filename="participants-2026.csv"' in response.headers["Content-Disposition"]


def test_the_charts_are_svg_pictures_next_to_their_tables(login_as: Any, people: dict,
                                                          dataset: dict) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage"))
    figures = re.findall(r'<figure class="chart">(.*?)</figure>(.*?)<caption[^>]*>(.*?)</caption>',
                         page, re.S)
    assert len(figures) == 3
    titles = []
    for svg, between, caption in figures:
        assert svg.startswith("<svg ")
        assert svg.endswith("</svg>")
        assert 'role="img"' in svg.split(">", 1)[0]
        title_id, title = re.search(r'<title id="([^"]+)">([^<]+)</title>', svg).groups()  # type: ignore[union-attr]
        assert title_id in re.search(r'aria-labelledby="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
        assert "<desc" in svg
        # The table right after the chart carries the same figures, under the same title.
        assert "<figure" not in between
        assert "<table" in between
        assert unescape(caption) == unescape(title)
        titles.append(unescape(title))
    assert titles == ["Participants par mois", "FPH : enveloppes et votes",
                      "Points de la carte par sujet"]
    assert "<script" not in "".join(svg for svg, _b, _c in figures)


def test_a_year_without_anything_still_draws(login_as: Any, people: dict) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage?annee=2000"))
    assert big_figures(page)["Participants"] == "0"
    assert "Rien sur cette période." in page  # the empty FPH table says so


# --- Exports -------------------------------------------------------------------------------


def test_the_csv_has_the_figures_of_the_page(login_as: Any, people: dict, dataset: dict,
                                             db: Any) -> None:
    from civic.core.audit import AuditEntry

    client = login_as(people["pilot"])
    response = client.get("/pilotage/tableaux/participants_by_channel.csv?annee=2026")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="participants_by_channel-2026.csv"')
    assert response.get_data().startswith(b"\xef\xbb\xbf")  # spreadsheets need the BOM
    rows = csv_rows(response)
    assert rows[0] == ["label", "accounts", "without_account", "people"]
    assert rows[1:] == CHANNELS[1:]
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "pilotage.export"))
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.details) == (
        people["pilot"].id, "table", "participants_by_channel", {"format": "csv"})


def test_a_french_spreadsheet_gets_semicolons_and_decimal_commas(login_as: Any,
                                                                 people: dict,
                                                                 dataset: dict) -> None:
    client = login_as(people["pilot"])
    # For a spreadsheet, the columns' names in the reader's language, as in the workbook.
    labelled = client.get("/pilotage/tableaux/fph_rounds.csv?sep=;")
    assert labelled.get_data().decode("utf-8-sig").splitlines()[0] == (
        "Quartier;Appel à projets;Enveloppe;Demandé;Accordé;Part de l’enveloppe;"
        "Projets financés;Dépensé;Votants en ligne;Votants en permanence;"
        "Votants sur papier;Votants")
    response = client.get("/pilotage/tableaux/fph_rounds.csv?sep=;&entetes=cles")
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == ("quartier;round;envelope;requested;granted;use;funded;"
                                    "spent;voters_online;voters_permanence;voters_paper;"
                                    "voters")
    [header, row, total] = csv_rows(response, ";")
    assert len(header) == len(row) == len(total) == 12
    figures = dict(zip(header, row, strict=True))
    assert figures["quartier"] == "Les Tilleuls"
    assert figures["round"] == "FPH 2026"
    assert float(figures["envelope"].replace(",", ".")) == 10_000
    assert float(figures["spent"].replace(",", ".")) == 100
    assert figures["use"] == "5,0"
    assert figures["voters"] == "3"
    assert total[0] == "Total"
    plain = client.get("/pilotage/tableaux/fph_rounds.csv").get_data().decode("utf-8-sig")
    assert plain.splitlines()[0].startswith("quartier,round,envelope,")
    assert ",5.0," in plain.splitlines()[1]


def test_the_xlsx_has_the_figures_of_the_page(login_as: Any, people: dict, dataset: dict,
                                              db: Any, quartier: Any) -> None:
    from civic.core.audit import AuditEntry

    client = login_as(people["pilot"])
    response = client.get(f"/pilotage/tableaux/participants_by_channel.xlsx"
                          f"?quartier={quartier.code}")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sheet")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="participants_by_channel-2026.xlsx"')
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["participants_by_channel", "Colonnes"]
    sheet = [list(r) for r in book["participants_by_channel"].iter_rows(values_only=True)]
    assert sheet[0][0] == "Participants par canal"
    assert sheet[1] == CHANNELS[0]
    page = _text(client.get(f"/pilotage?quartier={quartier.code}"))
    assert [[str(v) for v in r] for r in sheet[2:]] == table_rows(
        page, "Participants par canal")[1:]
    assert sheet[2][1:] == [3, 0, 3]
    assert sheet[-1][1:] == [3, 7, 10]
    notes = list(book["Colonnes"].iter_rows(values_only=True))
    assert notes[0] == ("Colonne", "Libellé", "Ce qu’elle compte")
    assert notes[2][:2] == ("participants_by_channel.accounts", "Avec un compte")
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "pilotage.export"))
    assert entry.details == {"format": "xlsx"}
    assert entry.target_id == "participants_by_channel"


def test_the_workbook_has_every_table_of_the_dashboard(login_as: Any, people: dict,
                                                       dataset: dict, db: Any) -> None:
    from civic.core.audit import AuditEntry
    from civic.pilotage import indicators

    client = login_as(people["pilot"])
    response = client.get("/pilotage/export.xlsx?du=2026-02-01&au=2026-03-31")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pilotage-2026-02-01_2026-03-31.xlsx"')
    assert response.headers["Cache-Control"] == "no-store"
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == [spec.key for spec in indicators.DASHBOARD] + ["Colonnes"]
    # The twelve months before 1 February 2026 include January 2026, when one of the
    # three accounts already took part: two are new, one was already active.
    assert list(book["participants"].iter_rows(values_only=True))[2] == (17, 3, 14, 2, 1)
    fph = list(book["fph_rounds"].iter_rows(values_only=True))
    assert fph[2][:5] == ("Les Tilleuls", "FPH 2026", 10_000, 500, 500)
    assert book["fph_rounds"].cell(row=3, column=3).number_format == "#,##0.00 €"
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "pilotage.export"))
    assert (entry.target_id, entry.details) == ("all", {"format": "xlsx"})


def test_a_signatory_exports_the_cooperative_tables(login_as: Any, people: dict,
                                                    dataset: dict, db: Any) -> None:
    from civic.core.audit import AuditEntry

    client = login_as(people["signatory"])
    page = _text(client.get("/pilotage/cooperatif"))
    assert "Accueillir vingt jeunes en stage" in page
    forwardings = table_rows(page, "Idées transmises et réponses")
    assert forwardings[1][:2] == ["Ville de Testville", "Un banc devant l’école"]
    assert forwardings[1][-1] == "Répondue"
    events = table_rows(page, "Événements organisés par les signataires")
    assert events[1][:2] == ["Ville de Testville", "Atelier CV"]
    rows = csv_rows(client.get("/pilotage/tableaux/ideas_by_signatory.csv"))
    assert rows[0] == ["signatory", "forwarded", "answered", "answered_late", "overdue",
                       "median_days"]
    assert rows[1] == ["Ville de Testville", "1", "1", "0", "0", "10.0"]
    rows = csv_rows(client.get("/pilotage/tableaux/commitments.csv"))
    assert rows[1] == ["Ville de Testville", "Emploi", "Accueillir vingt jeunes en stage"]
    for key in ("participants", "participants_by_channel", "fph_rounds", "events_by_kind"):
        assert client.get(f"/pilotage/tableaux/{key}.csv").status_code == 403
        assert client.get(f"/pilotage/tableaux/{key}.xlsx").status_code == 403
    assert client.get("/pilotage/export.xlsx").status_code == 403
    audited = set(db.scalars(select(AuditEntry.target_id).where(
        AuditEntry.action == "pilotage.export")))
    assert audited == {"ideas_by_signatory", "commitments"}


# --- Open data -----------------------------------------------------------------------------


@pytest.fixture
def small_cells(db: Any, contract: Any) -> None:
    """2026 in a quartier of its own: 12 accounts post an idea each (online), 15 people
    vote at the kiosk and 3 on paper. The 3 is below the threshold."""
    quartier = factories.make_quartier(db, contract, name="La Gare")
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "follow_up", title="FPH 2026")
    for n in range(12):
        author = factories.make_user(db, display_name=f"Habitant {n}")
        factories.make_idea(db, quartier, author, created_at=at(2, 1 + n))
    for _n in range(15):
        vote(db, round_, "kiosk")
    for _n in range(3):
        vote(db, round_, "paper")


def test_open_data_hides_a_channel_of_three_people(client: Any, small_cells: None) -> None:
    page = _text(client.get("/donnees-ouvertes"))
    assert "moins de 11 personnes" in page.lower() or "Moins de 11" in page
    rows = {r[0]: r[1:] for r in table_rows(page, "Participants par canal")}
    assert rows["Sur papier"] == ["0", "< 11", "< 11"]  # the three paper voters
    # Secondary suppression: the 15 at the permanence would give the 3 back from the
    # column's total (18), and the 12 online from the grand total (30): both are hidden
    # too, and so is what would give them back in turn.
    assert rows["À une permanence"] == ["< 11", "< 11", "15"]
    assert rows["En ligne"] == ["< 11", "0", "< 11"]
    assert rows["Total (chaque compte une fois)"] == ["12", "18", "30"]
    assert page.count("&lt; 11</span>") >= 6
    rows = csv_rows(client.get("/donnees-ouvertes/participants_by_channel.csv"))
    assert rows[0] == ["label", "accounts", "without_account", "people"]
    paper = next(r for r in rows if r[0] == "Sur papier")
    assert paper[2:] == ["< 11", "< 11"]
    assert "3" not in paper
    permanence = next(r for r in rows if r[0] == "À une permanence")
    assert permanence[2] == "< 11"


def test_the_pilot_sees_what_open_data_hides(login_as: Any, people: dict,
                                             small_cells: None) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage"))
    rows = {r[0]: r[1:] for r in table_rows(page, "Participants par canal")}
    assert rows["Sur papier"] == ["0", "3", "3"]


@pytest.mark.parametrize("key", ["participants_by_channel", "participants_by_gender",
                                 "participants_by_age", "ideas_by_orientation",
                                 "points_by_category", "events_by_kind", "fph_rounds"])
def test_open_data_publishes_no_small_count(client: Any, db: Any, small_cells: None,
                                            dataset: dict, quartier: Any, key: str) -> None:
    from civic.pilotage import indicators, release
    from civic.pilotage.scope import for_year

    people_columns = indicators.ALL[key](db, for_year(2026)).people_columns()
    quarters = ["?trimestre=1", f"?trimestre=1&quartier={quartier.code}"] if (
        key in release.QUARTERLY) else []
    for query in ("", f"?quartier={quartier.code}", *quarters):
        response = client.get(f"/donnees-ouvertes/{key}.csv{query}")
        assert response.status_code == 200, query
        rows = csv_rows(response)
        header = rows[0]
        for row in rows[1:]:
            for column in people_columns:
                cell = row[header.index(column)]
                assert cell in ("0", "< 11") or int(cell) >= 11, (key, column, row)


def test_the_open_data_csv_is_cached_publicly(client: Any, small_cells: None) -> None:
    response = client.get("/donnees-ouvertes/participants_by_channel.csv?sep=;")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="participants_by_channel-2026.csv"')
    assert response.get_data().decode("utf-8-sig").startswith(
        "label;accounts;without_account;people\r\n")


# --- The yearly report ---------------------------------------------------------------------


def test_the_report_has_the_years_figures_and_lists(login_as: Any, people: dict,
                                                    dataset: dict) -> None:
    client = login_as(people["pilot"])
    response = client.get("/pilotage/rapport")
    assert response.status_code == 200
    page = _text(response)
    assert "Rapport d’étape 2026" in page
    assert "Contrat de ville de Testville" in page
    assert big_figures(page)["Participants"] == "18"
    assert table_rows(page, "Participants par canal") == CHANNELS
    funded = re.search(r"<h3>Projets financés</h3>\s*<ul[^>]*>(.*?)</ul>", page, re.S)
    assert funded
    items = [_plain(li) for li in re.findall(r"<li>(.*?)</li>", funded.group(1), re.S)]
    assert [i.replace("\u202f", " ").replace("\xa0", " ") for i in items] == [
        "Fête des voisins — Les Tilleuls — 500,00 € — En cours"]
    answered = re.search(r"<h3>Idées qui ont reçu une réponse</h3>\s*<ul[^>]*>(.*?)</ul>",
                         page, re.S)
    assert answered
    items = [_plain(li) for li in re.findall(r"<li>(.*?)</li>", answered.group(1), re.S)]
    assert items == ["Un banc devant l’école — Déjà prévue : Il sera posé en avril."]
    assert "Des arbres rue Abbal" not in page  # not answered
    assert page.count("<svg ") == 3
    assert "/pilotage/tableaux/" not in page  # a page to print, not to download from
    # Printed on A4: the page uses the stylesheet that says so.
    assert '/static/css/civic.css' in page
    css = (Path(client.application.static_folder) / "css" / "civic.css").read_text()
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    assert re.search(r"@media print\s*\{[^}]*\.no-print", css)
    assert 'class="no-print' in page
    assert "data-print" in page


def test_a_report_of_a_quiet_year_says_so(login_as: Any, people: dict,
                                          dataset: dict) -> None:
    page = _text(login_as(people["pilot"]).get("/pilotage/rapport?annee=2025"))
    assert "Rapport d’étape 2025" in page
    assert "Aucun projet financé sur cette période." in page
    assert "Aucune réponse sur cette période." in page
    assert big_figures(page)["Participants"] == "1"


def test_the_report_for_two_dates_and_a_quartier(login_as: Any, people: dict,
                                                 dataset: dict, other_quartier: Any) -> None:
    page = _text(login_as(people["pilot"]).get(
        f"/pilotage/rapport?du=2026-01-01&au=2026-02-28&quartier={other_quartier.code}"))
    assert "Rapport d’étape</h1>" in page  # no single year in the title
    assert "Le Parc" in lead(page)
    assert big_figures(page)["Participants"] == "8"
    assert "Aucun projet financé sur cette période." in page


# --- Languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_pages_in_english_and_arabic(login_as: Any, people: dict, dataset: dict,
                                         db: Any, language: str, direction: str) -> None:
    people["pilot"].language = language
    db.flush()
    client = login_as(people["pilot"])
    for url in ("/pilotage", "/pilotage?annee=abc&quartier=x", "/pilotage/cooperatif",
                "/pilotage/rapport", "/donnees-ouvertes", "/pilotage/colonnes",
                "/compte/jetons"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = _text(response)
        assert f'<html lang="{language}" dir="{direction}">' in page, url
        assert "Tableau de bord du contrat de ville" not in page, url
    page = _text(client.get("/pilotage"))
    assert page.count('role="img"') == 3
    assert page.count(f'direction="{direction}"') == 3
    rows = csv_rows(client.get("/pilotage/tableaux/participants_by_channel.csv"))
    assert rows[0] == ["label", "accounts", "without_account", "people"]  # stable keys
    assert rows[1][1:] == ["3", "0", "3"]
    assert rows[1][0] != "En ligne"


# --- Texts that look like formulas ---------------------------------------------------------


def _csv_column(response: Any, separator: str, column: str) -> list[str]:
    from tests.core.test_spreadsheet import read_csv

    assert response.status_code == 200
    header, *rows = read_csv(response.get_data(), separator)
    return [row[header.index(column)] for row in rows]


def _xlsx_column(response: Any, sheet: str, index: int) -> list[Any]:
    """The cells of a column under a table's title and labels, after checking that the
    file holds no formula at all."""
    from tests.core.test_spreadsheet import formulas_in

    assert response.status_code == 200
    body = response.get_data()
    assert formulas_in(body) == []
    return [row[index] for row in load_workbook(io.BytesIO(body))[sheet].iter_rows(min_row=3)]


def _assert_all_text(cells: list[Any], payloads: list[str]) -> None:
    """Each XLSX cell is one of the payloads, kept as text; every payload is there."""
    from tests.core.test_spreadsheet import as_xml_reads_it, assert_xlsx_text

    by_value = {as_xml_reads_it(p): p for p in payloads}
    assert sorted(c.value for c in cells) == sorted(by_value)
    for cell in cells:
        assert_xlsx_text(cell, by_value[cell.value])


def test_a_signatory_s_exports_keep_texts_that_look_like_formulas_as_text(
        login_as: Any, people: dict, db: Any, quartier: Any, signatory: Any) -> None:
    """A resident's idea forwarded to the signatory, its events and its commitments, each
    starting with a formula character, reach its CSV and XLSX files as text."""
    from civic.ideas.models import Forwarding
    from civic.territory.models import Commitment
    from tests.core.test_spreadsheet import PAYLOADS, assert_csv_text

    for n, payload in enumerate(PAYLOADS, start=1):
        axis = factories.make_orientation(db, quartier.contract, name=f"Axe {n}", position=n)
        idea = factories.make_idea(db, quartier, people["resident"], title=payload,
                                   created_at=at(2, n))
        db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id,
                          forwarded_at=at(2, n + 1), due_on=date(2026, 3, 31)))
        factories.make_event(db, quartier, title=payload, kind="workshop",
                             starts_at=at(3, n), signatory_id=signatory.id)
        db.add(Commitment(signatory_id=signatory.id, orientation_id=axis.id, text=payload))
    db.flush()
    client = login_as(people["signatory"])
    for key, column, index in (("forwardings", "idea", 1), ("signatory_events", "event", 1),
                               ("commitments", "commitment", 2)):
        for query, separator in (("", ","), ("?sep=;&entetes=cles", ";")):
            cells = _csv_column(client.get(f"/pilotage/tableaux/{key}.csv{query}"), separator,
                                column)
            assert sorted(cells) == sorted(f"'{p}" for p in PAYLOADS), key
            for cell in cells:
                assert_csv_text(cell, cell[1:])
        _assert_all_text(_xlsx_column(client.get(f"/pilotage/tableaux/{key}.xlsx"), key, index),
                         PAYLOADS)


def test_the_pilot_s_workbook_and_open_data_keep_round_titles_as_text(
        client: Any, login_as: Any, people: dict, db: Any, quartier: Any) -> None:
    """Rounds titled like formulas: the pilot's table and whole workbook, and the open
    data anyone downloads, write the titles as text."""
    from tests.core.test_spreadsheet import PAYLOADS, assert_csv_text

    fund = factories.make_fund(db, quartier)
    for payload in PAYLOADS:
        factories.make_round(db, fund, "follow_up", title=payload)
    for query, separator in (("", ","), ("?sep=;", ";")):
        cells = _csv_column(client.get(f"/donnees-ouvertes/fph_rounds.csv{query}"), separator,
                            "round")
        assert cells[-1] == ""  # the total has no title
        assert sorted(cells[:-1]) == sorted(f"'{p}" for p in PAYLOADS)
        for cell in cells[:-1]:
            assert_csv_text(cell, cell[1:])
    pilot = login_as(people["pilot"])
    cells = _csv_column(pilot.get("/pilotage/tableaux/fph_rounds.csv"), ",", "round")
    assert sorted(cells[:-1]) == sorted(f"'{p}" for p in PAYLOADS)
    for url in ("/pilotage/tableaux/fph_rounds.xlsx", "/pilotage/export.xlsx"):
        cells = _xlsx_column(pilot.get(url), "fph_rounds", 1)
        _assert_all_text(cells[:-1], PAYLOADS)


def test_a_fall_in_map_points_stays_a_negative_number(client: Any, login_as: Any,
                                                      people: dict, db: Any,
                                                      quartier: Any) -> None:
    """Three points about cleanliness last year, none this year: the change is the number
    -3, not a text with a quote in front, in every export."""
    for day in (1, 2, 3):
        factories.make_point(db, quartier, category="cleanliness", created_at=at(5, day, 2025))
    pilot = login_as(people["pilot"])
    for url, separator in (("/pilotage/tableaux/points_by_category.csv", ","),
                           ("/pilotage/tableaux/points_by_category.csv?sep=;&entetes=cles",
                            ";"),
                           ("/donnees-ouvertes/points_by_category.csv", ",")):
        changes = _csv_column(pilot.get(url), separator, "change")
        assert sorted(changes)[0] == "-3", url
        assert changes[-1] == "-3", url  # the total
        assert int(changes[-1]) == -3
    cells = _xlsx_column(pilot.get("/pilotage/tableaux/points_by_category.xlsx"),
                         "points_by_category", 5)
    assert [c.value for c in cells if c.value] == [-3, -3]
    assert {c.data_type for c in cells} == {"n"}
    assert not any(c.quotePrefix for c in cells)
