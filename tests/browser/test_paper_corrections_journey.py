"""Paper votes corrected at a permanence, end to end in a browser on two tablets: an
animator writes two paper voters in the register and types in their ballots; a third
ballot is refused (one too many would block the count). The second ballot was typed
wrong: the animator asks for it to be voided by its receipt, and a pilot, the second
person, confirms it on their own tablet. Once the vote is over, the animator adds a
person forgotten in the register and types in the last ballots, so that the register
and the box agree before the count.

Rounds are dated from the real clock, since the live server reads it; the journey closes
the vote by changing the round's dates in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget import box, trustees
from civic.budget.models import Channel, Round, SealedBallot
from civic.budget.services import seal_intact
from civic.core import clock
from tests import factories
from tests.browser.conftest import TABLET, _open_page
from tests.browser.pages import fact, flash, heading, log_in

Audit = Callable[[Page], None]

ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
ROUND_TITLE = "Vote des Tilleuls"
PAPER_TITLE = f"Vote sur papier — {ROUND_TITLE}"
PLACE = "Maison des Tilleuls"
PROJECTS = (("Fête des voisins", 80_000), ("Bancs au square", 120_000),
            ("Atelier vélo", 45_000))
RECEIPT = re.compile(r"Son reçu : ([0-9A-F]{4}(?:-[0-9A-F]{4}){3}) ")
ONE_TOO_MANY = ("Chaque personne inscrite sur papier ici a déjà son bulletin saisi. Si "
                "quelqu’un a été oublié dans le registre, ajoutez-le d’abord.")
NOT_EQUAL = "Les deux nombres doivent être égaux avant le dépouillement."
WAITING = "En attente d’une deuxième personne."
CONFIRM = "Confirmer : retirer ce bulletin de l’urne"
VOTERS = "Votants sur papier inscrits ici"
BALLOTS = "Bulletins papier saisis ici"


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    round_id: int
    permanence_id: int
    projects: dict[str, int]
    animator: str
    pilot: str

    @property
    def paper_path(self) -> str:
        return f"/permanence/{self.permanence_id}/papier/{self.round_id}"


def _dates(phase: str) -> dict[str, Any]:
    """The dates that put a round in ``phase`` now, by the real clock."""
    now = clock.now()
    return {name: now + offset * factories.DAY
            for name, offset in zip(ROUND_DATES, factories.PHASE_OFFSETS[phase], strict=True)}


def _setting(seed: Session) -> Setting:
    """Les Tilleuls: an open vote (approval, 1 to 3 of three projects), today's permanence
    with its animator, and a pilot."""
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    fund = factories.make_fund(seed, quartier, vote_method="approval", approval_min=1,
                               approval_max=3)
    round_ = factories.make_round(seed, fund, "vote", title=ROUND_TITLE, **_dates("vote"))
    projects = {title: factories.make_project(seed, round_, title=title, amount_cents=cents).id
                for title, cents in PROJECTS}
    animator = factories.make_user(seed, display_name="Aïcha",
                                   roles=[(Role.ANIMATOR, quartier)])
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    now = clock.now()
    permanence = factories.make_permanence(seed, quartier, animator, place=PLACE,
                                           starts_at=now - factories.DAY / 24,
                                           ends_at=now + 3 * factories.DAY / 24)
    assert animator.email is not None
    assert pilot.email is not None
    setting = Setting(round_.id, permanence.id, projects, animator.email, pilot.email)
    seed.commit()
    return setting


def _close_the_vote(seed: Session, round_id: int) -> None:
    """The vote ended yesterday and nobody has started the count."""
    seed.expire_all()
    round_ = seed.get(Round, round_id)
    assert round_ is not None
    for name, value in _dates("counting").items():
        setattr(round_, name, value)
    seed.commit()


def _opened_box(seed: Session, round_id: int) -> list[tuple[list[str], str, int | None]]:
    """The sealed ballots of the round, opened as the count opens them (two trustees'
    shares): each one's chosen project ids, its channel and its permanence."""
    seed.expire_all()
    round_ = seed.get(Round, round_id)
    assert round_ is not None
    assert seal_intact(seed, round_)
    key, _ = trustees.open_key(round_, factories.SHARES[round_id][:2])
    sealed = seed.scalars(select(SealedBallot).where(SealedBallot.round_id == round_id)).all()
    opened = [(sorted(box.decrypt(key, s.ciphertext or b"")), s.channel, s.permanence_id)
              for s in sealed]
    seed.rollback()  # no transaction left open
    return opened


@pytest.fixture
def pilot_tablet(browser: Browser, live_server: str) -> Iterator[Page]:
    """The pilot's own tablet (1024×768), a browser apart from the animator's."""
    yield from _open_page(browser, live_server, TABLET)


# --- Pages -------------------------------------------------------------------------------


def _figures(page: Page, voters: int, ballots: int) -> None:
    expect(fact(page, VOTERS)).to_have_text(str(voters))
    expect(fact(page, BALLOTS)).to_have_text(str(ballots))


def _section(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name)


def _requests(page: Page) -> Locator:
    return _section(page, "Demandes d’annulation")


def _register(page: Page, name: str, birth_date: str, *, button: str) -> None:
    """The animator writes a paper voter in the register, after checking with them."""
    page.get_by_label("Vos prénom et nom").fill(name)
    page.get_by_label("Votre date de naissance").fill(birth_date)
    page.get_by_label("Je déclare sur l’honneur habiter le quartier").check()
    page.get_by_label("J’ai vérifié la déclaration avec la personne").check()
    page.get_by_role("button", name=button).click()
    heading(page, PAPER_TITLE)
    flash(page, "La personne est inscrite : donnez-lui un bulletin papier.")


def _type_in(page: Page, *titles: str) -> str:
    """The animator types in one paper ballot; returns the receipt the page shows."""
    ballot = _section(page, "2. Saisir un bulletin papier")
    for title in titles:
        ballot.get_by_role("checkbox", name=title, exact=True).check()
    ballot.get_by_role("button", name="Saisir ce bulletin").click()
    heading(page, PAPER_TITLE)
    saved = page.get_by_role("status").filter(has_text="Le bulletin papier est saisi.")
    expect(saved).to_have_text(RECEIPT)
    found = RECEIPT.search(saved.inner_text())
    assert found is not None
    return found[1]


# --- The journey -------------------------------------------------------------------------


def test_paper_ballot_typed_by_mistake_is_voided_by_two_people_on_tablets(
        tablet: Page, pilot_tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _setting(seed)

    # --- 1. The animator logs in, opens the paper page of today's permanence.
    log_in(page, audit, setting.animator)
    expect(page).to_have_url(re.compile("/permanence$"))
    heading(page, "Tablette de permanence")
    page.get_by_role("link", name=re.compile(f"^{PLACE}")).click()
    heading(page, PLACE)
    page.get_by_role("region", name=ROUND_TITLE).get_by_role(
        "link", name="Vote sur papier").click()
    expect(page).to_have_url(re.compile(re.escape(setting.paper_path) + "$"))
    heading(page, PAPER_TITLE)
    expect(page.get_by_role("heading", name="1. Inscrire une personne qui vote sur papier")
           ).to_be_visible()
    expect(page.get_by_role("heading", name="3. Annuler un bulletin saisi par erreur")
           ).to_be_visible()
    _figures(page, 0, 0)
    audit(page)

    # Two residents vote on paper: each is written in the register, then their ballots
    # are typed in. The second one is typed wrong (Atelier vélo instead of Bancs au square).
    _register(page, "Hélène Dupré-Lefèvre", "1984-02-29",
              button="Inscrire et donner un bulletin")
    _register(page, "Youssef Amrani", "1979-11-03", button="Inscrire et donner un bulletin")
    _figures(page, 2, 0)
    expect(page.get_by_text(NOT_EQUAL)).to_be_visible()
    first = _type_in(page, "Fête des voisins")
    _figures(page, 2, 1)
    wrong = _type_in(page, "Atelier vélo")
    assert wrong != first
    _figures(page, 2, 2)
    expect(page.get_by_text(NOT_EQUAL)).to_have_count(0)
    audit(page)

    # A third ballot, for nobody in the register: refused, nothing changes.
    page.get_by_role("checkbox", name="Bancs au square", exact=True).check()
    page.get_by_role("button", name="Saisir ce bulletin").click()
    heading(page, PAPER_TITLE)
    flash(page, ONE_TOO_MANY)
    expect(page.get_by_role("status").filter(has_text="Le bulletin papier est saisi.")
           ).to_have_count(0)
    _figures(page, 2, 2)
    audit(page)

    # --- 2. The animator asks for the wrong one to be voided, by its receipt.
    void = _section(page, "3. Annuler un bulletin saisi par erreur")
    void.get_by_label("Reçu du bulletin").fill(wrong)
    void.get_by_label("Pourquoi l’annuler ?").fill("mauvaise case cochée")
    void.get_by_role("button", name="Demander l’annulation").click()
    heading(page, PAPER_TITLE)
    flash(page, "L’annulation est demandée. Une autre personne doit la confirmer sur "
                "cette page.")
    request = _requests(page).get_by_role("listitem")
    expect(request).to_have_count(1)
    expect(request).to_contain_text(f"{wrong} — mauvaise case cochée")
    expect(request.get_by_text(WAITING)).to_be_visible()
    expect(page.get_by_role("button", name=CONFIRM)).to_have_count(0)
    expect(request.get_by_role("button", name="Retirer la demande")).to_be_visible()
    _figures(page, 2, 2)  # still in the box until a second person confirms
    audit(page)

    # --- 3. The pilot, on their own tablet, confirms it: the ballot leaves the box.
    other = pilot_tablet
    log_in(other, audit, setting.pilot, setting.paper_path, check=False)
    heading(other, PAPER_TITLE)
    _figures(other, 2, 2)
    request = _requests(other).get_by_role("listitem")
    expect(request).to_have_count(1)
    expect(request).to_contain_text(f"{wrong} — mauvaise case cochée")
    expect(request.get_by_text(WAITING)).to_have_count(0)
    expect(request.get_by_role("button", name=CONFIRM)).to_be_visible()
    audit(other)
    request.get_by_role("button", name=CONFIRM).click()
    heading(other, PAPER_TITLE)
    flash(other, "Le bulletin est retiré de l’urne.")
    _figures(other, 2, 1)
    expect(other.get_by_text(NOT_EQUAL)).to_be_visible()
    expect(request).to_contain_text(re.compile("Retiré de l’urne le "))
    expect(request.get_by_role("button")).to_have_count(0)
    audit(other)

    # The animator's page, reloaded, tells the same.
    page.reload()
    heading(page, PAPER_TITLE)
    _figures(page, 2, 1)
    expect(_requests(page).get_by_role("listitem")).to_contain_text(
        re.compile("Retiré de l’urne le "))
    expect(page.get_by_text(WAITING)).to_have_count(0)

    # --- 4. The vote closes before the right ballot is typed in, and a third person who
    # voted on paper turns out to be missing from the register.
    _close_the_vote(seed, setting.round_id)
    page.reload()
    heading(page, PAPER_TITLE)
    expect(page.get_by_role("heading", name="1. Ajouter une personne oubliée dans le registre")
           ).to_be_visible()
    expect(page.get_by_role("heading", name="1. Inscrire une personne qui vote sur papier")
           ).to_have_count(0)
    expect(page.get_by_text(NOT_EQUAL)).to_be_visible()
    expect(page.get_by_text("Une personne oubliée dans le registre ? Ajoutez-la plus bas.")
           ).to_be_visible()
    _figures(page, 2, 1)
    audit(page)
    _register(page, "Mireille Castañeda", "1961-07-14", button="Ajouter au registre")
    _figures(page, 3, 1)
    _type_in(page, "Bancs au square")  # the one meant by Youssef Amrani
    _type_in(page, "Fête des voisins", "Atelier vélo")  # Mireille Castañeda's
    _figures(page, 3, 3)
    expect(page.get_by_text(NOT_EQUAL)).to_have_count(0)
    expect(page.get_by_text("Le dépouillement a commencé")).to_have_count(0)
    audit(page)

    # Three paper ballots of this permanence in the box, the seal intact: the voided one
    # is gone, the others hold what was typed in.
    ids = setting.projects
    assert sorted(_opened_box(seed, setting.round_id)) == sorted(
        (sorted(str(ids[t]) for t in titles), Channel.PAPER.value, setting.permanence_id)
        for titles in (["Fête des voisins"], ["Bancs au square"],
                       ["Fête des voisins", "Atelier vélo"]))
