"""Measured commitments, end to end in a browser on a tablet: the referent of a
signatory finds her commitment's indicator from her space, with no value yet (every
year reads « Pas de valeur », not zero), enters last year's value with a French decimal
comma after a first try without its source, and sees the latest value and the way
covered towards the target; a year not yet over is refused, another signatory's
indicator is not hers to fill, and the cooperative dashboard shows both indicators,
the one without a value left empty rather than counted as zero.

The live server reads the real clock, so the years are those of ``clock.now()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from playwright.sync_api import Locator, Page, expect
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core import clock
from civic.evaluation import services
from civic.territory.models import Commitment
from tests import factories
from tests.browser.pages import address_of, flash, heading, log_in, nav

Audit = Callable[[Page], None]

ORIENTATION = "Emploi et insertion"
CITY, LANDLORD = "Ville de Testville", "Habitat Sud"
OWN, OTHER = "Personnes reçues à la permanence emploi", "Halls d’immeubles rénovés"
BOARD = "Engagements mesurés"
ENTER = "Saisir une valeur"
FORM_ERRORS = "Le formulaire contient des erreurs"
REQUIRED = "Ce champ est obligatoire."
FUTURE = "Cette année n’est pas encore passée."
SOURCE = "D’où vient ce chiffre ?"
FIGURE = "Bilan annuel de la Mission locale, page 12"


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    referent: str
    own: int
    other: int


def _indicator(seed: Session, commitment: Commitment, label: str, unit: str) -> int:
    """From 120 in 2023 to 300 in 2030, no value yet."""
    values = {"label": label, "unit": unit, "baseline": Decimal(120), "baseline_year": 2023,
              "target": Decimal(300), "target_year": 2030}
    return services.add_indicator(seed, commitment, values, actor=None,
                                  now=clock.now()).id


def _contract(seed: Session) -> Seeded:
    """Two signatories, each committed under the same orientation and measured by one
    indicator, and the referent of the first (the city)."""
    contract = factories.make_contract(seed)
    orientation = factories.make_orientation(seed, contract, name=ORIENTATION)
    city = factories.make_signatory(seed, contract, name=CITY)
    landlord = factories.make_signatory(seed, contract, name=LANDLORD, kind="landlord")
    commitments = [Commitment(signatory_id=city.id, orientation_id=orientation.id,
                              text="Une permanence emploi chaque semaine."),
                   Commitment(signatory_id=landlord.id, orientation_id=orientation.id,
                              text="Rénover les halls d’immeubles.")]
    seed.add_all(commitments)
    seed.flush()
    own = _indicator(seed, commitments[0], OWN, "personnes")
    other = _indicator(seed, commitments[1], OTHER, "halls")
    referent = factories.make_user(seed, display_name="Nadia",
                                   roles=[(Role.SIGNATORY, city)])
    seeded = Seeded(address_of(referent), own, other)
    seed.commit()
    return seeded


# --- Pages -------------------------------------------------------------------------------


def _values(page: Page, label: str) -> Locator:
    return page.get_by_role("table", name=f"Valeurs de « {label} »", exact=True)


def _year(table: Locator, year: int) -> Locator:
    """The cells of the row of ``year`` (its header left out)."""
    header = table.page.get_by_role("rowheader", name=str(year), exact=True)
    return table.get_by_role("row").filter(has=header).get_by_role("cell")


def _measure(page: Page, label: str) -> Locator:
    """The block of one indicator on the board: from its heading to its actions."""
    return page.locator(".measure").filter(
        has=page.get_by_role("heading", level=4, name=re.compile(f"^{re.escape(label)}")))


def _enter_links(page: Page) -> Locator:
    return page.get_by_role("link", name=re.compile(f"^{ENTER}"))


def _send(page: Page, year: int, value: str, source: str) -> None:
    page.get_by_label("Année", exact=True).fill(str(year))
    page.get_by_label("Valeur", exact=True).fill(value)
    page.get_by_label(SOURCE).fill(source)
    page.get_by_role("button", name="Enregistrer la valeur").click()


# --- The journey -------------------------------------------------------------------------


def test_signatory_enters_a_yearly_value_of_a_measured_commitment_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    seeded = _contract(seed)
    this_year = clock.now().year
    last_year = this_year - 1
    years = range(2023, min(this_year, 2030) + 1)

    # --- 1. From her space to the board: no value yet, every year without one.
    log_in(page, audit, seeded.referent)
    nav(page).get_by_role("link", name="Espace signataire").click()
    expect(page).to_have_url(re.compile("/signataire$"))
    heading(page, "Espace signataire")
    page.get_by_role("link", name="Engagements mesurés : saisir les valeurs de l’année"
                     ).click()
    expect(page).to_have_url(re.compile("/engagements$"))
    heading(page, BOARD)
    expect(page.get_by_role("heading", level=2)).to_have_text([LANDLORD, CITY])
    own = _measure(page, OWN)
    expect(own).to_contain_text("Point de départ : 120 en 2023. Objectif : 300 en 2030.")
    expect(own.get_by_text("Pas encore de valeur.")).to_be_visible()
    expect(own.locator("meter")).to_have_count(0)
    table = _values(page, OWN)
    expect(table.get_by_role("rowheader")).to_have_text([str(y) for y in years])
    for year in years:
        expect(_year(table, year)).to_have_text(["—", "Pas de valeur"])
    # Hers only can be filled: one link, named after her indicator.
    expect(_enter_links(page)).to_have_count(1)
    expect(_enter_links(page)).to_have_accessible_name(f"{ENTER} — {OWN}")
    expect(_enter_links(_measure(page, OTHER))).to_have_count(0)
    expect(_measure(page, OTHER).get_by_text("Pas encore de valeur.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Modifier l’indicateur"))).to_have_count(0)
    audit(page)

    # --- 2. Her value, with a decimal comma; sent first without its source, and with a
    # year not over yet that only the full check would refuse.
    own.get_by_role("link", name=re.compile(f"^{ENTER}")).click()
    value_path = f"/engagements/indicateurs/{seeded.own}/valeur"
    expect(page).to_have_url(re.compile(re.escape(value_path) + "$"))
    heading(page, ENTER)
    expect(page.get_by_text(OWN, exact=True)).to_be_visible()
    expect(page.get_by_label("Année", exact=True)).to_have_value(str(last_year))
    audit(page)
    _send(page, this_year + 1, "210,5", "")
    heading(page, ENTER)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    source = page.get_by_label(SOURCE)
    expect(source).to_have_attribute("aria-invalid", "true")
    expect(source).to_have_accessible_description(re.compile(re.escape(REQUIRED)))
    expect(page.locator("#source-error")).to_have_text(REQUIRED)
    expect(page.get_by_label("Valeur", exact=True)).to_have_value("210,5")
    expect(page.get_by_label("Valeur", exact=True)).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Année", exact=True)).to_have_value(str(this_year + 1))
    expect(page.get_by_label("Année", exact=True)).not_to_have_attribute("aria-invalid", "true")
    audit(page)

    # With its source, for last year: saved, and the board shows where it stands.
    _send(page, last_year, "210,5", FIGURE)
    expect(page).to_have_url(re.compile("/engagements#indicateur-" + str(seeded.own) + "$"))
    heading(page, BOARD)
    flash(page, f"La valeur de {last_year} est enregistrée.")
    own = _measure(page, OWN)
    expect(own.get_by_text("Pas encore de valeur.")).to_have_count(0)
    expect(own).to_contain_text(f"Dernière valeur : 210,5 en {last_year}.")
    expect(own).to_contain_text("50 % du chemin vers l’objectif.")  # (210,5 − 120) / 180
    expect(own.get_by_role("meter", name="Chemin parcouru vers l’objectif")
           ).to_have_attribute("value", "50")
    table = _values(page, OWN)
    expect(_year(table, last_year)).to_have_text(["210,5", FIGURE])
    for year in years:
        if year != last_year:
            expect(_year(table, year)).to_have_text(["—", "Pas de valeur"])
    expect(_measure(page, OTHER).get_by_text("Pas encore de valeur.")).to_be_visible()
    audit(page)

    # --- 3. Next year is not over: refused next to the year, nothing saved.
    page.goto(value_path)
    heading(page, ENTER)
    expect(page.get_by_text(f"Déjà saisi : {last_year} : 210,5.")).to_be_visible()
    _send(page, this_year + 1, "250", "Estimation de la Mission locale")
    heading(page, ENTER)
    expect(page.get_by_role("alert").filter(has_text=FORM_ERRORS)).to_be_visible()
    year_field = page.get_by_label("Année", exact=True)
    expect(year_field).to_have_attribute("aria-invalid", "true")
    expect(year_field).to_have_accessible_description(re.compile(re.escape(FUTURE)))
    expect(page.locator("#year-error")).to_have_text(FUTURE)
    expect(page.get_by_label(SOURCE)).not_to_have_attribute("aria-invalid", "true")

    # --- 4. The other signatory's indicator is not hers to fill.
    response = page.goto(f"/engagements/indicateurs/{seeded.other}/valeur")
    assert response is not None
    assert response.status == 403
    heading(page, "Cette page ne vous est pas ouverte")

    # --- 5. The cooperative dashboard: her value and its progress; the other's empty.
    page.goto("/pilotage/cooperatif")
    heading(page, "Tableau de bord coopératif")
    measured = page.get_by_role("table", name=BOARD, exact=True)

    def row(signatory: str) -> Locator:
        header = page.get_by_role("rowheader", name=signatory, exact=True)
        return measured.get_by_role("row").filter(has=header).get_by_role("cell")

    expect(measured.get_by_role("rowheader")).to_have_text([LANDLORD, CITY])
    expect(row(CITY)).to_have_text([ORIENTATION, OWN, "personnes", "120", "2023", "300",
                                    "2030", str(last_year), "210,5", "50 %"])
    expect(row(LANDLORD)).to_have_text([ORIENTATION, OTHER, "halls", "120", "2023", "300",
                                        "2030", "", "—", "—"])
    audit(page)
