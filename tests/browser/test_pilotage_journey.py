"""Steering data, end to end in a browser: the pilot narrows the dashboard to a quartier
and an orientation, downloads the workbook and prints the yearly report on a tablet; a
signatory reads the cooperative dashboard but not the pilot's; a visitor on a phone reads
the open data, where small counts are hidden, and then reads it in Arabic.

The live server reads the real clock and counts the current year in the contract's time
zone, so every row is dated a day before now (but never before the first of January).
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget.models import Participation
from civic.ideas.models import Forwarding
from civic.territory.models import Commitment
from tests import factories
from tests.browser.pages import address_of, fits, heading, log_in, nav

Audit = Callable[[Page], None]

TILLEULS, PARC = "Les Tilleuls", "Le Parc"
LIVING, WORK = "Cadre de vie", "Emploi"
CITY, LANDLORD = "Ville de Testville", "Habitat Sud"
DASHBOARD = "Tableau de bord du contrat de ville"
COOPERATIVE = "Tableau de bord coopératif"
FILTERS = "Choisir la période et le périmètre"
HIDDEN = "< 11"
#: The tables of the dashboard, in its order: one sheet each in the workbook.
SHEETS = ["participants", "participants_by_channel", "participation_by_month",
          "participants_by_gender", "participants_by_age", "fph_rounds", "fph_follow_up",
          "ideas_by_orientation", "ideas_by_signatory", "points_by_category",
          "events_by_kind", "Colonnes"]
#: The columns of « FPH : enveloppes et votes » that count people.
VOTER_COLUMNS = ("voters_online", "voters_permanence", "voters_paper", "voters")
#: Ideas posted this year: (quartier, orientation) → how many.
IDEAS = {(TILLEULS, LIVING): 3, (TILLEULS, WORK): 1, (PARC, LIVING): 2, (PARC, WORK): 6}


# --- Seeding -----------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _today() -> date:
    return _now().astimezone(ZoneInfo("Europe/Paris")).date()


def _moment() -> datetime:
    """When the seeded things happened: a day ago, within the current local year."""
    new_year = datetime(_today().year, 1, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))
    return max(_now() - timedelta(days=1), new_year.astimezone(UTC))


@dataclass
class Seeded:
    pilot: str
    signatory: str
    year: int


def _round(seed: Session, quartier: Any, envelope: int, voters: dict[str, int],
           funded: list[tuple[int, int]]) -> None:
    """An FPH round of ``quartier`` whose vote ended a day ago: its funded projects
    (amount in cents, orientation) and its register (channel → number of voters)."""
    at = _moment()
    fund = factories.make_fund(seed, quartier, year=at.year, envelope_cents=envelope)
    round_ = factories.make_round(
        seed, fund, "follow_up", title="Appel à projets de l’année",
        submission_starts_at=at - timedelta(days=60), review_starts_at=at - timedelta(days=40),
        vote_starts_at=at - timedelta(days=20), vote_ends_at=at, follow_up_starts_at=at)
    for amount, orientation_id in funded:
        factories.make_project(seed, round_, amount_cents=amount, orientation_id=orientation_id,
                               follow_up="in_progress", created_at=at, updated_at=at)
    for channel, count in voters.items():
        for _ in range(count):
            seed.add(Participation(id=uuid.uuid4().hex, round_id=round_.id,
                                   fingerprint=uuid.uuid4().hex, user_id=None,
                                   channel=channel, voted_on=_today()))
    seed.flush()


def _contract(seed: Session) -> Seeded:
    """Two quartiers, two orientations, ideas and FPH rounds in both, two signatories
    with their commitments and the ideas forwarded to them, a pilot and a signatory."""
    at = _moment()
    contract = factories.make_contract(seed)
    quartiers = {name: factories.make_quartier(seed, contract, name=name)
                 for name in (TILLEULS, PARC)}
    living = factories.make_orientation(seed, contract, name=LIVING, position=1)
    work = factories.make_orientation(seed, contract, name=WORK, position=2)
    orientations = {LIVING: living, WORK: work}
    city = factories.make_signatory(seed, contract, name=CITY)
    landlord = factories.make_signatory(seed, contract, name=LANDLORD, kind="landlord")
    seed.add_all([
        Commitment(signatory_id=city.id, orientation_id=living.id,
                   text="Rénover les aires de jeux des deux quartiers."),
        Commitment(signatory_id=city.id, orientation_id=work.id,
                   text="Ouvrir vingt stages aux jeunes des quartiers."),
        Commitment(signatory_id=landlord.id, orientation_id=living.id,
                   text="Repeindre les halls et réparer l’éclairage des parkings."),
    ])
    ideas = {key: [factories.make_idea(seed, quartiers[key[0]],
                                       orientation_id=orientations[key[1]].id, created_at=at)
                   for _ in range(count)] for key, count in IDEAS.items()}

    def forward(idea: Any, to: Any, title: str, due: date, answered: datetime | None
                ) -> None:
        idea.title, idea.status = title, "forwarded"
        seed.add(Forwarding(idea_id=idea.id, signatory_id=to.id,
                            forwarded_at=at, due_on=due, answered_at=answered,
                            answer="Un chantier ouvrira au printemps." if answered else ""))

    today = _today()
    forward(ideas[PARC, WORK][0], city, "Un chantier d’insertion au Parc",
            today + timedelta(days=14), at)
    forward(ideas[PARC, WORK][1], landlord, "Des permanences emploi au centre social",
            today + timedelta(days=14), None)
    forward(ideas[PARC, LIVING][0], landlord, "Éclairer le passage du Parc",
            today - timedelta(days=1), None)

    # Les Tilleuls: 1 200 € for the living conditions, 800 € for work; 3 paper voters.
    _round(seed, quartiers[TILLEULS], 1_000_000, {"kiosk": 12, "paper": 3},
           [(120_000, living.id), (80_000, work.id)])
    _round(seed, quartiers[PARC], 800_000, {"kiosk": 15}, [(300_000, work.id)])

    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    signatory = factories.make_user(seed, display_name="Sami", roles=[(Role.SIGNATORY, city)])
    seeded = Seeded(address_of(pilot), address_of(signatory), today.year)
    seed.commit()
    return seeded


# --- Pages -------------------------------------------------------------------------------


def _table(page: Page, caption: str) -> Locator:
    return page.get_by_role("table", name=caption, exact=True)


def _row(table: Locator, text: str) -> Locator:
    """The body row whose row header is ``text`` (its data cells, header left out)."""
    header = table.page.get_by_role("rowheader", name=text, exact=True)
    return table.get_by_role("row").filter(has=header).get_by_role("cell")


def _money(euros: str) -> re.Pattern[str]:
    """An amount as French pages write it (narrow spaces between thousands)."""
    return re.compile("^" + euros.replace(" ", r"\s") + r",00\s€$")


def _scope_line(page: Page) -> Locator:
    return page.get_by_role("main").locator("p.lead").filter(has_text="Année")


# --- 1. The pilot's dashboard, workbook and yearly report --------------------------------


def test_pilot_narrows_the_dashboard_downloads_and_prints_the_report_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    seeded = _contract(seed)
    year = seeded.year

    log_in(page, audit, seeded.pilot)
    nav(page).get_by_role("link", name="Pilotage").click()
    expect(page).to_have_url(re.compile("/pilotage$"))
    heading(page, DASHBOARD)
    expect(_scope_line(page)).to_have_text(f"Année {year} · tous les quartiers")
    expect(page.get_by_label("Année", exact=True)).to_have_value(str(year))

    # The whole contract: both quartiers, both orientations.
    ideas = _table(page, "Idées par orientation")
    expect(_row(ideas, LIVING).first).to_have_text("5")
    expect(_row(ideas, WORK).first).to_have_text("7")
    expect(_row(ideas, "Total").first).to_have_text("12")
    rounds = _table(page, "FPH : enveloppes et votes")
    expect(rounds.get_by_role("rowheader")).to_have_text([PARC, TILLEULS, "Total"])
    expect(_row(rounds, TILLEULS).nth(3)).to_have_text(_money("2 000"))
    expect(_row(rounds, "Total").nth(1)).to_have_text(_money("18 000"))
    expect(page.get_by_role("img", name="FPH : enveloppes et votes")).to_be_visible()
    audit(page)

    # Narrowed to Les Tilleuls and the living conditions.
    filters = page.get_by_role("form", name=FILTERS)
    filters.get_by_label("Quartier", exact=True).select_option(label=TILLEULS)
    filters.get_by_label("Orientation", exact=True).select_option(label=LIVING)
    filters.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"/pilotage\?.*quartier=QN"))
    heading(page, DASHBOARD)
    expect(_scope_line(page)).to_have_text(f"Année {year} · {TILLEULS} · {LIVING}")
    expect(page.get_by_label("Quartier", exact=True).locator("option:checked")
           ).to_have_text(TILLEULS)
    expect(page.get_by_label("Orientation", exact=True).locator("option:checked")
           ).to_have_text(LIVING)
    expect(ideas.get_by_role("rowheader")).to_have_text([LIVING, "Total"])
    expect(_row(ideas, LIVING)).to_have_text(["3", "3", "0", "0", "—"])
    expect(_row(ideas, "Total").first).to_have_text("3")
    expect(rounds.get_by_role("rowheader")).to_have_text([TILLEULS, "Total"])
    tilleuls = _row(rounds, TILLEULS)
    expect(tilleuls.nth(1)).to_have_text(_money("10 000"))  # the envelope
    expect(tilleuls.nth(3)).to_have_text(_money("1 200"))  # granted, living conditions only
    expect(tilleuls.nth(5)).to_have_text("1")  # one project funded
    expect(tilleuls.nth(-1)).to_have_text("15")  # voters
    audit(page)

    # The whole workbook, narrowed the same way: a sheet per table, then the columns.
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Tout télécharger (XLSX)").click()
    download = downloading.value
    assert download.suggested_filename == f"pilotage-{year}.xlsx"
    book = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert book.sheetnames == SHEETS
    sheet = list(book["ideas_by_orientation"].iter_rows(values_only=True))
    assert sheet[0][0] == "Idées par orientation"
    assert sheet[1][:2] == ("Orientation", "Proposées")
    assert [row[:2] for row in sheet[2:]] == [(LIVING, 3), ("Total", 3)]
    fph = list(book["fph_rounds"].iter_rows(values_only=True))
    assert fph[2][0] == TILLEULS
    assert fph[2][2] == 10_000
    assert fph[2][4] == 1_200
    book.close()

    # The yearly report, narrowed too, as the printer sees it.
    page.get_by_role("link", name="Rapport d’étape à imprimer").click()
    expect(page).to_have_url(re.compile(r"/pilotage/rapport\?"))
    heading(page, f"Rapport d’étape {year}")
    expect(_scope_line(page)).to_have_text(f"Année {year} · {TILLEULS} · {LIVING}")
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    audit(page)
    charts = page.locator("svg[role=img]")
    tables = page.get_by_role("table")
    expect(charts).to_have_count(3)
    expect(tables).to_have_count(6)
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).to_be_hidden()
    expect(nav(page)).to_be_hidden()
    expect(page.get_by_role("form", name=FILTERS)).to_be_hidden()
    expect(page.get_by_role("button", name="Imprimer")).to_be_hidden()
    expect(page.get_by_role("contentinfo")).to_be_hidden()
    heading(page, f"Rapport d’étape {year}")
    for n in range(3):
        expect(charts.nth(n)).to_be_visible()
    for n in range(6):
        expect(tables.nth(n)).to_be_visible()
    expect(_row(_table(page, "Idées par orientation"), LIVING).first).to_have_text("3")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 1000
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1


# --- 2. A signatory's cooperative dashboard ----------------------------------------------


def test_signatory_reads_the_cooperative_dashboard_but_not_the_pilots_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    seeded = _contract(seed)

    log_in(page, audit, seeded.signatory)
    expect(nav(page).get_by_role("link", name="Pilotage")).to_have_count(0)
    nav(page).get_by_role("link", name="Tableau coopératif").click()
    expect(page).to_have_url(re.compile("/pilotage/cooperatif$"))
    heading(page, COOPERATIVE)
    expect(_scope_line(page)).to_have_text(f"Année {seeded.year} · tous les quartiers")

    # Every signatory's commitments, not only the reader's own.
    commitments = _table(page, "Engagements des signataires")
    expect(commitments.get_by_role("rowheader")).to_have_text([LANDLORD, CITY, CITY])
    expect(commitments.get_by_role("row").filter(has_text=LANDLORD).get_by_role("cell")
           ).to_have_text([LIVING, "Repeindre les halls et réparer l’éclairage des parkings."])
    expect(commitments.get_by_role("row").filter(has_text="stages").get_by_role("cell")
           ).to_have_text([WORK, "Ouvrir vingt stages aux jeunes des quartiers."])

    # The forwarded ideas, each with where it stands.
    forwarded = _table(page, "Idées transmises et réponses")

    def state(title: str) -> Locator:
        return forwarded.get_by_role("row").filter(has_text=title).get_by_role("cell").last

    expect(forwarded.get_by_role("row")).to_have_count(4)  # the header, then three ideas
    expect(state("Un chantier d’insertion au Parc")).to_have_text("Répondue")
    expect(state("Des permanences emploi au centre social")).to_have_text("En attente")
    expect(state("Éclairer le passage du Parc")).to_have_text("En retard")
    expect(forwarded.get_by_role("row").filter(has_text="Éclairer le passage du Parc")
           ).to_contain_text(LANDLORD)
    by_signatory = _table(page, "Idées transmises aux signataires")
    expect(_row(by_signatory, LANDLORD)).to_have_text(["2", "0", "0", "1", "—"])
    expect(_row(by_signatory, CITY)).to_have_text(["1", "1", "0", "0", "0"])
    audit(page)

    # The pilot's dashboard is not theirs.
    response = page.goto("/pilotage")
    assert response is not None
    assert response.status == 403
    heading(page, "Cette page ne vous est pas ouverte")
    expect(page.get_by_text("Votre compte n’a pas le droit de voir cette page.")).to_be_visible()
    audit(page)


# --- 3. Open data on a visitor's phone, then in Arabic -----------------------------------


def test_visitor_reads_and_downloads_the_open_data_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    _contract(seed)

    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Données ouvertes").click()
    expect(page).to_have_url(re.compile("/donnees-ouvertes$"))
    heading(page, "Données ouvertes")
    expect(page.get_by_text(re.compile(f"remplacé par «\\s*{HIDDEN}\\s*»"))).to_be_visible()

    # Three paper voters in Les Tilleuls: too few to publish, and the kiosk's twelve with
    # them (else a subtraction would give the three back).
    rounds = _table(page, "FPH : enveloppes et votes")
    tilleuls = _row(rounds, TILLEULS)
    expect(tilleuls.nth(-2)).to_have_text(HIDDEN)  # voters on paper
    expect(tilleuls.nth(-3)).to_have_text(HIDDEN)  # voters at a permanence
    expect(_row(rounds, PARC).nth(-1)).to_have_text("15")
    channels = _table(page, "Participants par canal")
    expect(_row(channels, "Sur papier").last).to_have_text(HIDDEN)
    fits(page)
    audit(page)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="CSV — FPH : enveloppes et votes", exact=True).click()
    download = downloading.value
    assert download.suggested_filename.endswith(".csv")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [row["quartier"] for row in rows] == [PARC, TILLEULS, "Total"]
    assert rows[1]["voters_paper"] == HIDDEN
    for row in rows:
        for column in VOTER_COLUMNS:
            cell = row[column]
            assert cell == HIDDEN or (cell.isdigit() and (int(cell) == 0 or int(cell) >= 11)), (
                f"{column} = {cell!r} in {row}")

    # The same page, right to left in Arabic.
    expect(page.locator("html[lang=fr][dir=ltr]")).to_have_count(1)
    page.get_by_role("banner").get_by_role("button", name="العربية").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page).to_have_url(re.compile("/donnees-ouvertes$"))
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("table")).to_have_count(7)
    fits(page)
    audit(page)
