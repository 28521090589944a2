"""The declaration of a voter, end to end in a browser on two phones: Fatima votes in the
spring FPH vote of her quartier and asks the site to remember her name and birth date.
Someone else, from another account on another phone, then declares « BENALI fatima »
with her birth date: the same person for the register, whatever the order of the words,
so the ballot is refused and the box keeps one. In the autumn vote of the same quartier,
Fatima finds her declaration filled in, but nothing goes through until she ticks the
declaration on honour again and checks her vote; then, from her account, she sees what
the site remembers and has it forgotten.

Rounds are dated from the real clock, since the live server reads it; the journey
closes the spring vote and opens the autumn one by changing their dates in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.budget.models import Participation, RememberedDeclaration, Round, SealedBallot
from civic.core import clock
from tests import factories
from tests.browser.conftest import PHONE, _open_page
from tests.browser.pages import address_of, fact, fits, flash, heading, log_in, nav

Audit = Callable[[Page], None]

ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
QUARTIER = "Les Tilleuls"
SPRING = "Vote de printemps des Tilleuls"
AUTUMN = "Vote d’automne des Tilleuls"
NAME, SWAPPED, BIRTH_DATE = "Fatima Benali", "BENALI fatima", "1980-05-06"
HONOUR = "Je déclare sur l’honneur habiter le quartier"
REMEMBER = "Retenir mon nom et ma date de naissance pour les prochains votes de ce quartier"
ALREADY_VOTED = ("Une personne avec ce nom et cette date de naissance a déjà voté. "
                 "On ne peut voter qu’une fois.")
FILLED_IN = ("Votre nom et votre date de naissance sont repris de votre dernier vote dans ce "
             "quartier. Vérifiez-les, puis cochez la case.")
NOTHING_KEPT = ("Le site ne retient rien pour vos votes : à chaque vote, vous tapez votre nom "
                "et votre date de naissance.")
RECEIPT = re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")
FORGOTTEN = ("C’est oublié : au prochain vote, vous taperez à nouveau votre nom et votre date "
             "de naissance.")


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    spring: int
    autumn: int
    quartier_id: int
    fatima_id: int
    fatima: str
    other: str


def _dates(phase: str) -> dict[str, Any]:
    """The dates that put a round in ``phase`` now, by the real clock."""
    now = clock.now()
    return {name: now + offset * factories.DAY
            for name, offset in zip(ROUND_DATES, factories.PHASE_OFFSETS[phase], strict=True)}


def _setting(seed: Session) -> Setting:
    """Les Tilleuls: the spring vote open (approval, 1 to 3 of three projects), the
    autumn vote of the same fund still to come; Fatima's account and another one."""
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name=QUARTIER, commune="Testville")
    fund = factories.make_fund(seed, quartier, vote_method="approval", approval_min=1,
                               approval_max=3)
    spring = factories.make_round(seed, fund, "vote", title=SPRING, **_dates("vote"))
    autumn = factories.make_round(seed, fund, "vote", title=AUTUMN, **_dates("upcoming"))
    for round_ in (spring, autumn):
        for title, cents in (("Fête des voisins", 80_000), ("Bancs au square", 120_000),
                             ("Atelier vélo", 45_000)):
            factories.make_project(seed, round_, title=title, amount_cents=cents)
    fatima = factories.make_user(seed, display_name="Fatima")
    other = factories.make_user(seed, display_name="F. B.")
    setting = Setting(spring.id, autumn.id, quartier.id, fatima.id, address_of(fatima),
                      address_of(other))
    seed.commit()
    return setting


def _autumn_comes(seed: Session, setting: Setting) -> None:
    """The spring vote is over (its count under way); the autumn vote is open."""
    seed.expire_all()
    for round_id, phase in ((setting.spring, "counting"), (setting.autumn, "vote")):
        round_ = seed.get(Round, round_id)
        assert round_ is not None
        for name, value in _dates(phase).items():
            setattr(round_, name, value)
    seed.commit()


def _in_box(seed: Session, round_id: int) -> tuple[int, int]:
    """(sealed ballots, lines of the register) of the round."""
    seed.expire_all()
    found = (seed.scalar(select(func.count()).select_from(SealedBallot)
                         .where(SealedBallot.round_id == round_id)) or 0,
             seed.scalar(select(func.count()).select_from(Participation)
                         .where(Participation.round_id == round_id)) or 0)
    seed.rollback()  # no transaction left open
    return found


def _kept(seed: Session, user_id: int) -> tuple[str, date, int] | None:
    """What the site remembers of the person's declaration: name, birth date, round's
    quartier."""
    seed.expire_all()
    kept = seed.get(RememberedDeclaration, user_id)
    found = (kept.name, kept.birth_date, kept.quartier_id) if kept else None
    seed.rollback()
    return found


@pytest.fixture
def other_phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """Another person's phone (390×844, touch), a browser apart from Fatima's."""
    yield from _open_page(browser, live_server, PHONE)


# --- Pages -------------------------------------------------------------------------------


def _open_vote(page: Page, round_id: int, title: str) -> None:
    """From the round's page to its ballot."""
    page.goto(f"/fph/{round_id}")
    heading(page, title)
    page.get_by_role("link", name="Voter", exact=True).click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/voter$"))
    heading(page, "Voter")


def _declare(page: Page, name: str, *projects: str) -> None:
    """Who votes, on honour, and the projects chosen; then to the review."""
    page.get_by_label("Vos prénom et nom").fill(name)
    page.get_by_label("Votre date de naissance").fill(BIRTH_DATE)
    page.get_by_label(HONOUR).check()
    for title in projects:
        page.get_by_role("checkbox", name=re.compile(f"^{title}")).check()


def _review(page: Page) -> None:
    page.get_by_role("button", name="Vérifier mon vote").click()
    heading(page, "Vérifiez votre vote")


def _cast(page: Page) -> None:
    page.get_by_role("button", name="Déposer mon bulletin").click()
    heading(page, "Merci pour votre vote !")
    expect(page.locator(".receipt code")).to_have_text(RECEIPT)


# --- The journey -------------------------------------------------------------------------


def test_one_person_votes_once_and_finds_her_declaration_remembered_on_a_phone(
        phone: Page, other_phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    setting = _setting(seed)

    # --- 1. Fatima votes in spring and asks the site to remember her declaration.
    log_in(page, audit, setting.fatima, f"/fph/{setting.spring}")
    heading(page, SPRING)
    expect(page.get_by_text("Bulletins dans l’urne : 0.")).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("link", name="Voter", exact=True).click()
    heading(page, "Voter")
    expect(page.get_by_text(FILLED_IN)).to_have_count(0)  # nothing remembered yet
    expect(page.get_by_label("Vos prénom et nom")).to_have_value("")
    fits(page)
    audit(page)
    _declare(page, NAME, "Fête des voisins", "Atelier vélo")
    _review(page)
    remember = page.get_by_label(REMEMBER)
    expect(remember).not_to_be_checked()  # only on request
    expect(remember).to_have_accessible_description(re.compile(
        "Vous pouvez les faire oublier à tout moment sur la page de votre compte."))
    remember.check()
    fits(page)
    audit(page)
    _cast(page)
    fits(page)
    audit(page)
    assert _in_box(seed, setting.spring) == (1, 1)
    kept = (NAME, date(1980, 5, 6), setting.quartier_id)
    assert _kept(seed, setting.fatima_id) == kept

    # --- 2. From another account, on another phone, « BENALI fatima » with the same
    # birth date: the same person for the register. The ballot is refused.
    other = other_phone
    log_in(other, audit, setting.other, f"/fph/{setting.spring}", check=False)
    heading(other, SPRING)
    other.get_by_role("link", name="Voter", exact=True).click()
    heading(other, "Voter")
    expect(other.get_by_label("Vos prénom et nom")).to_have_value("")  # not Fatima's
    _declare(other, SWAPPED, "Bancs au square")
    _review(other)
    expect(other.get_by_label(REMEMBER)).not_to_be_checked()
    other.get_by_role("button", name="Déposer mon bulletin").click()
    expect(other).to_have_url(re.compile(f"/fph/{setting.spring}$"))
    heading(other, SPRING)
    flash(other, ALREADY_VOTED)
    expect(other.get_by_text("Merci pour votre vote !")).to_have_count(0)
    expect(other.get_by_text("Vous avez voté. Merci !")).to_have_count(0)
    expect(other.get_by_text("Bulletins dans l’urne : 1.")).to_be_visible()
    fits(other)
    audit(other)
    assert _in_box(seed, setting.spring) == (1, 1)  # one ballot, one line of the register

    # --- 3. Autumn: Fatima's declaration is filled in, to be checked and confirmed.
    _autumn_comes(seed, setting)
    _open_vote(page, setting.autumn, AUTUMN)
    expect(page.get_by_text(FILLED_IN)).to_be_visible()
    expect(page.get_by_label("Vos prénom et nom")).to_have_value(NAME)
    expect(page.get_by_label("Votre date de naissance")).to_have_value(BIRTH_DATE)
    honour = page.get_by_label(HONOUR)
    expect(honour).not_to_be_checked()  # confirmed anew at each vote
    fits(page)
    audit(page)

    # Never sent as it is: without the declaration on honour, the vote stops there.
    page.get_by_role("checkbox", name=re.compile("^Bancs au square")).check()
    page.get_by_role("button", name="Vérifier mon vote").click()
    heading(page, "Voter")
    expect(honour).to_have_attribute("aria-invalid", "true")
    expect(honour).to_have_accessible_description(
        re.compile("Il faut habiter le quartier pour voter."))
    expect(page.get_by_label("Vos prénom et nom")).to_have_value(NAME)
    assert _in_box(seed, setting.autumn) == (0, 0)

    # She checks it, ticks the box, reviews her vote and casts it, still remembered.
    honour.check()
    _review(page)
    expect(page.get_by_label(REMEMBER)).to_be_checked()
    _cast(page)
    assert _in_box(seed, setting.autumn) == (1, 1)
    assert _kept(seed, setting.fatima_id) == kept

    # --- 4. From her account: what the site remembers, and forgetting it.
    nav(page).get_by_role("link", name="Mon compte").click()
    heading(page, "Mon compte")
    page.get_by_role("link", name="Ce que le site retient pour remplir vos prochains "
                                  "votes, et comment l’oublier").click()
    expect(page).to_have_url(re.compile("/compte/vote-fph$"))
    heading(page, "Votre nom pour voter")
    expect(fact(page, "Nom")).to_have_text(NAME)
    expect(fact(page, "Date de naissance")).to_have_text("6 mai 1980")
    expect(fact(page, "Quartier")).to_have_text(QUARTIER)
    expect(page.get_by_text("un bulletin ne porte jamais de nom")).to_be_visible()
    fits(page)
    audit(page)
    page.get_by_role("button", name="Oublier mon nom et ma date de naissance").click()
    expect(page).to_have_url(re.compile("/compte/vote-fph$"))
    heading(page, "Votre nom pour voter")
    flash(page, FORGOTTEN)
    expect(page.get_by_text(NOTHING_KEPT)).to_be_visible()
    expect(page.locator("dl.facts")).to_have_count(0)
    expect(page.get_by_role("button", name="Oublier mon nom et ma date de naissance")
           ).to_have_count(0)
    fits(page)
    audit(page)
    assert _kept(seed, setting.fatima_id) is None
