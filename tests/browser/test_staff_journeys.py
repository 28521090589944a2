"""Three staff tasks, end to end in a browser on a tablet, in French.

A pilot moves an FPH round on by hand, from proposals to review, then to the vote: each
step first says what it does and what cannot be undone. With the vote open, the dates
form saves unchanged (the dates already passed stay as they are), refuses a close in the
past next to its field, and extends the vote: the round's page shows the new close, and
the journal says who changed it.

A member of the conseil citoyen reads the moderation queue of their quartier: the posts
of a resident who deleted their account are signed « Compte supprimé », and the filter
by kind leaves only ideas, then only map points.

An animator prints vote codes for their permanence and goes back to its print runs; an
animator of another quartier may not open that page; the pilot sees every print run,
the permanence's among them.

The live server reads the real clock: rounds are dated from it, to the minute, as dates
typed in a form are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from civic.accounts import services as accounts
from civic.accounts.models import Role
from civic.budget.models import Round
from civic.core import clock
from civic.core.audit import AuditEntry
from civic.permanence import services as permanence_services
from civic.permanence.models import VoteCode
from tests import factories
from tests.browser.pages import fact, flash, heading, log_in, log_out, nav, pending

Audit = Callable[[Page], None]

PARIS = ZoneInfo("Europe/Paris")
QUARTIER = "Les Tilleuls"
ROUND_TITLE = "Appel à projets 2026"
FUNDS = "Fonds de participation des habitants"
ROUND_FORM = f"Session du fonds {QUARTIER} 2026"
ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
TO_REVIEW = "Clore les propositions et passer à l’examen"
TO_VOTE = "Ouvrir le vote"
PASSED = "Cette date est passée : elle reste telle quelle."
EXTEND = "Le vote est ouvert : vous pouvez reculer sa clôture pour le prolonger."
IN_THE_PAST = ("Choisissez une date à venir. Pour passer à l’étape suivante tout de suite, "
               "utilisez le bouton de la liste des fonds.")
SAVED = "La session est enregistrée."
CLOSE = "Clôture du vote"
PLACE = "Maison des Tilleuls"
CODES_TITLE = f"Codes de vote — {ROUND_TITLE}"
CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}")
FORBIDDEN = "Cette page ne vous est pas ouverte"


# --- Seeding and reading -----------------------------------------------------------------


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _dates(*days: int) -> dict[str, datetime]:
    """The five dates of a round, so many days from now (by the real clock), to the
    minute."""
    now = _minute(clock.now())
    return {name: now + n * factories.DAY for name, n in zip(ROUND_DATES, days, strict=True)}


def _short(moment: datetime) -> str:
    """A moment as the French pages write it in short, in Paris time."""
    return format_datetime(moment, "short", tzinfo=PARIS, locale="fr")


def _typed(moment: datetime) -> str:
    """A moment as typed in a date and time field, in Paris time."""
    return clock.to_local(moment, "Europe/Paris").strftime("%Y-%m-%dT%H:%M")


def _quartier(seed: Session, name: str = QUARTIER) -> Any:
    contract = factories.make_contract(seed)
    return factories.make_quartier(seed, contract, name=name, commune="Testville")


def _address(user: Any) -> str:
    assert user.email is not None
    return str(user.email)


def _round(seed: Session, round_id: int) -> Round:
    seed.expire_all()
    round_ = seed.get(Round, round_id)
    assert round_ is not None
    return round_


def _entries(seed: Session, action: str) -> list[AuditEntry]:
    seed.expire_all()
    found = list(seed.scalars(select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)))
    seed.rollback()  # no transaction left open while the server writes
    return found


# --- Pages -------------------------------------------------------------------------------


def _round_line(page: Page) -> Locator:
    """The round's line on the pilot's list of funds."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=ROUND_TITLE, exact=True))


def _move_on(page: Page, step: str, warning: str, audit: Audit) -> None:
    """From the list of funds, the round's next step: a page names it and says what
    cannot be undone, then its button does it."""
    _round_line(page).get_by_role("link", name=f"{step} : {ROUND_TITLE}").click()
    heading(page, step)
    expect(page.get_by_text(f"{ROUND_TITLE} — {QUARTIER}")).to_be_visible()
    note = page.get_by_role("note")
    expect(note).to_contain_text("À savoir avant de confirmer :")
    expect(note).to_contain_text(warning)
    audit(page)
    page.get_by_role("button", name=f"Confirmer : {step.lower()}").click()
    heading(page, FUNDS)
    flash(page, f"C’est fait : {step.lower()}.")


def _open_dates(page: Page) -> None:
    page.get_by_role("link", name=f"Dates {ROUND_TITLE}").click()
    heading(page, ROUND_FORM)


# --- 1. A pilot opens the vote, then extends it --------------------------------------------


def test_pilot_opens_the_vote_step_by_step_then_extends_it_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    fund = factories.make_fund(seed, _quartier(seed))
    round_ = factories.make_round(seed, fund, "submission", title=ROUND_TITLE,
                                  **_dates(-1, 2, 3, 4, 10))
    factories.make_box(seed, round_)  # the trustees have their shares: the vote may open
    round_id = round_.id
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    address, pilot_id = _address(pilot), pilot.id
    seed.commit()

    # --- The pilot moves the round on twice, each time after reading what it means.
    log_in(page, audit, address, "/admin/fph")
    heading(page, FUNDS)
    expect(_round_line(page)).to_contain_text("Propositions ouvertes")
    audit(page)
    _move_on(page, TO_REVIEW, "Plus personne ne pourra proposer de projet. On ne peut pas "
                              "rouvrir les propositions.", audit)
    expect(_round_line(page)).to_contain_text("Examen des projets")
    audit(page)
    _move_on(page, TO_VOTE, "Les projets du bulletin, la façon de voter et l’enveloppe ne "
                            "pourront plus changer. On ne peut pas revenir à l’examen.", audit)
    expect(_round_line(page)).to_contain_text("Vote ouvert")
    expect(_round_line(page).get_by_role("link", name=f"Clore le vote : {ROUND_TITLE}")
           ).to_be_visible()
    moved = _round(seed, round_id)
    assert moved.phase(clock.now()) == "vote"
    stored = {name: getattr(moved, name) for name in ROUND_DATES}
    seed.rollback()

    # --- The dates form, saved as it is: the dates passed by hand stay, to the second.
    _open_dates(page)
    for label in ("Début des propositions", "Début de l’examen par le comité",
                  "Ouverture du vote"):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("readonly", "")
        expect(field).to_have_accessible_description(PASSED)
    close = page.get_by_label(CLOSE, exact=True)
    expect(close).to_have_value(_typed(stored["vote_ends_at"]))
    expect(close).to_have_accessible_description(EXTEND)
    expect(close).not_to_have_attribute("readonly", "")
    audit(page)
    page.get_by_role("button", name="Enregistrer").click()
    heading(page, FUNDS)
    flash(page, SAVED)
    kept = _round(seed, round_id)
    assert {name: getattr(kept, name) for name in ROUND_DATES} == stored
    seed.rollback()
    assert _entries(seed, "budget.round_updated") == []  # nothing changed, nothing logged

    # --- A close in the past is refused next to its field; what was typed stays.
    _open_dates(page)
    yesterday = _typed(clock.now() - factories.DAY)
    close.fill(yesterday)
    page.get_by_role("button", name="Enregistrer").click()
    heading(page, ROUND_FORM)
    expect(page.get_by_role("alert")).to_contain_text(f"{CLOSE} — {IN_THE_PAST}")
    expect(page.locator("#vote_ends_at-error")).to_have_text(IN_THE_PAST)
    expect(close).to_have_attribute("aria-invalid", "true")
    expect(close).to_have_accessible_description(re.compile(re.escape(IN_THE_PAST)))
    expect(close).to_have_value(yesterday)
    audit(page)
    assert _round(seed, round_id).vote_ends_at == stored["vote_ends_at"]
    seed.rollback()

    # --- Two more days to vote.
    later = stored["vote_ends_at"] + 2 * factories.DAY
    close.fill(_typed(later))
    page.get_by_role("button", name="Enregistrer").click()
    heading(page, FUNDS)
    flash(page, SAVED)
    expect(_round_line(page)).to_contain_text("Vote ouvert")
    assert _round(seed, round_id).vote_ends_at == later
    seed.rollback()

    # The round's page shows the new close.
    page.get_by_role("link", name=ROUND_TITLE, exact=True).click()
    heading(page, ROUND_TITLE)
    expect(fact(page, "Vote", exact=True)).to_have_text(
        f"du {_short(stored['vote_starts_at'])} au {_short(later)}")
    audit(page)

    # The journal says who extended the vote, from when to when.
    [entry] = _entries(seed, "budget.round_updated")
    assert entry.actor_id == pilot_id
    assert entry.target_id == str(round_id)
    assert set(entry.details["changed"]) == {"vote_ends_at"}
    page.goto("/admin/journal")
    heading(page, "Journal des actions")
    line = page.get_by_role("row").filter(has_text="budget.round_updated")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("Paula")
    expect(line).to_contain_text("a changé une session du FPH")
    expect(line.get_by_role("link", name=f"Session du FPH n° {round_id}")).to_be_visible()
    expect(line.get_by_role("row").filter(has_text=CLOSE).get_by_role("cell")).to_have_text(
        [_short(stored["vote_ends_at"]), _short(later)])
    expect(page.get_by_role("row").filter(has_text="budget.phase_advanced")).to_have_count(2)
    audit(page)


# --- 2. The moderation queue: a deleted account, and the filter by kind ---------------------


def test_moderator_reads_the_queue_by_kind_with_a_deleted_account_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    quartier = _quartier(seed)
    elsewhere = factories.make_quartier(seed, quartier.contract, name="Bellefontaine")
    moderator = factories.make_user(seed, display_name="Mounir",
                                    roles=[(Role.MODERATOR, quartier)])
    nadia = factories.make_user(seed, display_name="Nadia Benali")
    karim = factories.make_user(seed, display_name="Karim")
    start = _minute(clock.now()) - timedelta(hours=3)

    def at(minutes: int) -> dict[str, Any]:
        return {"created_at": start + timedelta(minutes=minutes), "moderation": "pending"}

    factories.make_idea(seed, quartier, nadia, title="Un composteur partagé", **at(1))
    factories.make_point(seed, quartier, nadia, text="Dépôt sauvage rue des Lilas", **at(2))
    factories.make_idea(seed, quartier, karim, title="Des bancs au square", **at(3))
    factories.make_point(seed, quartier, karim, polarity="positive", category="green",
                         text="Le nouveau jardin partagé", **at(4))
    lit = factories.make_idea(seed, quartier, karim, title="Éclairage de la place")
    factories.make_comment(seed, lit, karim, body="La place est trop sombre le soir.",
                           **at(5))
    factories.make_idea(seed, elsewhere, karim, title="Une idée d’ailleurs", **at(6))
    # Nadia deletes her account: what she posted stays, without her name.
    accounts.delete_account(seed, nadia, factories.PASSWORD, now=clock.now())
    address = _address(moderator)
    seed.commit()

    log_in(page, audit, address, check=False)
    nav(page).get_by_role("link", name="À relire").click()
    heading(page, "À relire")
    everything = ["Un composteur partagé", "Négatif · Propreté", "Des bancs au square",
                  "Positif · Espaces verts", "Sur l’idée « Éclairage de la place »"]
    expect(pending(page).get_by_role("heading", level=3)).to_have_text(everything)
    expect(page.get_by_role("heading", name="En attente (5)")).to_be_visible()
    signed = pending(page).locator("p.small")
    expect(signed).to_have_text([re.compile(f"^{kind} .* · {author}$") for kind, author in (
        ("Idée", "Compte supprimé"), ("Point de la carte", "Compte supprimé"),
        ("Idée", "Karim"), ("Point de la carte", "Karim"), ("Commentaire", "Karim"))])
    expect(page.get_by_text("Nadia")).to_have_count(0)
    kinds = page.get_by_role("navigation", name="Genre de publication")
    expect(kinds.get_by_role("link")).to_have_count(4)  # each kind waiting, in no set order
    assert sorted(kinds.get_by_role("link").all_inner_texts()) == [
        "Commentaire", "Idée", "Point de la carte", "Tout"]
    expect(kinds.get_by_role("link", name="Tout")).to_have_attribute("aria-current", "page")
    audit(page)

    # Ideas only.
    kinds.get_by_role("link", name="Idée", exact=True).click()
    expect(page).to_have_url(re.compile(r"/moderation\?type=idea$"))
    heading(page, "À relire")
    expect(pending(page).get_by_role("heading", level=3)).to_have_text(
        ["Un composteur partagé", "Des bancs au square"])
    expect(page.get_by_role("heading", name="En attente (2)")).to_be_visible()
    expect(pending(page).first).to_contain_text("Compte supprimé")
    expect(kinds.get_by_role("link", name="Idée", exact=True)).to_have_attribute(
        "aria-current", "page")
    audit(page)

    # Map points only.
    kinds.get_by_role("link", name="Point de la carte").click()
    expect(page).to_have_url(re.compile(r"/moderation\?type=point$"))
    heading(page, "À relire")
    expect(pending(page).get_by_role("heading", level=3)).to_have_text(
        ["Négatif · Propreté", "Positif · Espaces verts"])
    expect(pending(page)).to_have_text([
        re.compile("Compte supprimé.*Dépôt sauvage rue des Lilas", re.S),
        re.compile("Karim.*Le nouveau jardin partagé", re.S)])
    expect(page.get_by_role("heading", name="En attente (2)")).to_be_visible()
    expect(kinds.get_by_role("link", name="Point de la carte")).to_have_attribute(
        "aria-current", "page")
    audit(page)


# --- 3. An animator prints vote codes for the permanence ----------------------------------


@dataclass(frozen=True)
class CodesSetting:
    round_id: int
    permanence_id: int
    animator: int
    addresses: dict[str, str]

    @property
    def codes_path(self) -> str:
        return f"/permanence/{self.permanence_id}/codes/{self.round_id}"


def _codes_setting(seed: Session) -> CodesSetting:
    """Les Tilleuls votes; its animator holds today's permanence. A pilot printed a first
    run of codes already; Bellefontaine has an animator of its own."""
    quartier = _quartier(seed)
    elsewhere = factories.make_quartier(seed, quartier.contract, name="Bellefontaine")
    round_ = factories.make_round(seed, factories.make_fund(seed, quartier), "vote",
                                  title=ROUND_TITLE, **_dates(-3, -2, -1, 4, 5))
    animator = factories.make_user(seed, display_name="Aïcha",
                                   roles=[(Role.ANIMATOR, quartier)])
    other = factories.make_user(seed, display_name="Bruno", roles=[(Role.ANIMATOR, elsewhere)])
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    now = clock.now()
    permanence = factories.make_permanence(seed, quartier, animator, place=PLACE,
                                           starts_at=now - timedelta(hours=1),
                                           ends_at=now + timedelta(hours=3))
    permanence_services.generate_codes(seed, round_, 2, actor=pilot, now=now)
    setting = CodesSetting(round_.id, permanence.id, animator.id, {
        "animator": _address(animator), "other": _address(other), "pilot": _address(pilot)})
    seed.commit()
    return setting


def test_animator_prints_vote_codes_for_the_permanence_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _codes_setting(seed)

    # --- The animator, from today's permanence, prints three letters.
    log_in(page, audit, setting.addresses["animator"], check=False)
    heading(page, "Tablette de permanence")
    page.get_by_role("link", name=re.compile(f"^{PLACE}")).click()
    heading(page, PLACE)
    page.get_by_role("region", name=ROUND_TITLE).get_by_role(
        "link", name="Imprimer des codes de vote").click()
    expect(page).to_have_url(re.compile(re.escape(setting.codes_path) + "$"))
    heading(page, CODES_TITLE)
    expect(page.get_by_text("Les codes imprimés ici sont ceux de votre permanence. "
                            "L’impression est notée dans le journal.")).to_be_visible()
    expect(page.get_by_role("table")).to_have_count(0)  # the pilot's run is not theirs
    audit(page)
    page.get_by_label("Nombre de codes à imprimer").fill("3")
    page.get_by_role("button", name="Créer les lettres").click()
    heading(page, "Lot 2 — nombre de lettres : 3")
    letters = page.locator("article.letter")
    expect(letters).to_have_count(3)
    printed = letters.locator(".code-line strong").all_inner_texts()
    assert all(CODE.fullmatch(code) for code in printed), printed
    assert len(set(printed)) == 3
    expect(letters.first).to_contain_text(f"{ROUND_TITLE} — {QUARTIER}")
    audit(page)

    # The run is the permanence's, and the log says who printed it, for which permanence.
    seed.expire_all()
    runs = {(c.batch, c.permanence_id) for c in seed.scalars(
        select(VoteCode).where(VoteCode.round_id == setting.round_id))}
    seed.rollback()
    assert runs == {(1, None), (2, setting.permanence_id)}
    entry = _entries(seed, "permanence.codes_generated")[-1]
    assert entry.actor_id == setting.animator
    assert entry.target_id == str(setting.round_id)
    assert {k: entry.details[k] for k in ("batch", "count", "permanence")} == {
        "batch": 2, "count": 3, "permanence": setting.permanence_id}

    # Back to the permanence's print runs: only its own.
    page.get_by_role("link", name="Retour aux codes de vote").click()
    expect(page).to_have_url(re.compile(re.escape(setting.codes_path) + "$"))
    heading(page, CODES_TITLE)
    rows = page.get_by_role("row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1).get_by_role("cell")).to_have_text(
        ["2", "3", "0", "0", re.compile("Annuler les codes non utilisés")])
    audit(page)

    # --- The animator of Bellefontaine may not open it.
    log_out(page)
    log_in(page, audit, setting.addresses["other"], check=False)
    heading(page, "Tablette de permanence")
    response = page.goto(setting.codes_path)
    assert response is not None
    assert response.status == 403
    heading(page, FORBIDDEN)
    expect(page.get_by_role("article")).to_have_count(0)
    expect(page.get_by_role("button", name="Créer les lettres")).to_have_count(0)
    audit(page)

    # --- The pilot sees both runs: their own and the permanence's.
    log_out(page)
    log_in(page, audit, setting.addresses["pilot"], "/admin/fph", check=False)
    heading(page, FUNDS)
    _round_line(page).get_by_role("link", name=f"Codes de vote {ROUND_TITLE}").click()
    heading(page, CODES_TITLE)
    rows = page.get_by_role("row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1).get_by_role("cell")).to_have_text(
        ["1", "Pilote", "2", "0", "0", re.compile("Annuler les codes non utilisés")])
    expect(rows.nth(2).get_by_role("cell")).to_have_text(
        ["2", PLACE, "3", "0", "0", re.compile("Annuler les codes non utilisés")])
    audit(page)
