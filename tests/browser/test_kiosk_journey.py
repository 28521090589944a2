"""The permanence, end to end in a browser: an animator runs FPH votes on a tablet (three
residents in a row, one refused, one in Arabic), the back button and the inactivity timeout
never leave a voter's choices behind, and a resident without an account votes on a phone
with a printed vote code. Every ballot goes into the box encrypted: it is read here, as at
the count, with two of the trustees' shares the factories kept.

Rounds are dated from the real clock, since the live server reads it. The tablet's own
timers (8 s after the thank-you screen, 120 s without a touch) run on Playwright's clock
where waiting for real would only slow the journey down.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget import box, trustees
from civic.budget.models import Ballot, Channel, Participation, Round, SealedBallot
from civic.core import clock
from civic.permanence import codes
from civic.permanence.models import KioskTicket, VoteCode
from tests import factories
from tests.browser.pages import qr_holds, second_step, signed_in

Audit = Callable[[Page], None]

ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
ROUND_TITLE = "Vote des Tilleuls"
KIOSK_TITLE = f"Vote sur la tablette — {ROUND_TITLE}"
RECEIPT = re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")
#: Words in Arabic script (the catalogue's wording may still change).
ARABIC = re.compile("[\u0600-\u06ff]{2,}")
PROJECTS = (("Fête des voisins", "Un repas dans la cour, en juin.", 80_000),
            ("Bancs au square", "Quatre bancs à l’ombre des platanes.", 120_000),
            ("Atelier vélo", "Réparer son vélo avec des bénévoles.", 45_000))
#: The thank-you screen gives the tablet back after 8 s: this leaves room for a slow box.
RETURN_TIMEOUT = 15_000


# --- Seeding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    quartier_id: int
    round_id: int
    projects: dict[str, int]
    animator: str
    permanence_id: int | None


def _live_round(seed: Session, fund: Any, phase: str, **values: Any) -> Round:
    """A round that is in ``phase`` now, by the real clock."""
    now = clock.now()
    dates = {name: now + offset * factories.DAY
             for name, offset in zip(ROUND_DATES, factories.PHASE_OFFSETS[phase], strict=True)}
    return factories.make_round(seed, fund, phase, **{**dates, **values})


def _setting(seed: Session, *, with_permanence: bool = True) -> Setting:
    """Les Tilleuls: an open vote (approval, 1 to 3 of three projects), its animator and,
    unless the journey opens it, a permanence."""
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    fund = factories.make_fund(seed, quartier, vote_method="approval", approval_min=1,
                               approval_max=3)
    round_ = _live_round(seed, fund, "vote", title=ROUND_TITLE)
    projects = {title: factories.make_project(seed, round_, title=title, summary=summary,
                                              amount_cents=cents).id
                for title, summary, cents in PROJECTS}
    animator = factories.make_user(seed, display_name="Aïcha",
                                   roles=[(Role.ANIMATOR, quartier)])
    permanence = (factories.make_permanence(seed, quartier, animator, place="Maison des Tilleuls")
                  if with_permanence else None)
    assert animator.email is not None
    setting = Setting(quartier.id, round_.id, projects, animator.email,
                      permanence.id if permanence else None)
    seed.commit()
    return setting


def _count(seed: Session, model: Any, round_id: int, **where: Any) -> int:
    seed.expire_all()
    query = select(func.count()).select_from(model).where(model.round_id == round_id)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    count = int(seed.scalar(query) or 0)
    seed.rollback()  # no transaction left open while the server writes
    return count


def _opened_box(seed: Session, round_id: int) -> list[tuple[list[str], str]]:
    """The sealed ballots of the round, opened as the count opens them (two trustees'
    shares): each one's chosen project ids, sorted, and its channel."""
    seed.expire_all()
    round_ = seed.get(Round, round_id)
    assert round_ is not None
    key, _ = trustees.open_key(round_, factories.SHARES[round_id][:2])
    sealed = seed.scalars(select(SealedBallot).where(SealedBallot.round_id == round_id)).all()
    assert all(s.ciphertext is not None and box.tracker(s.ciphertext) == s.tracker
               for s in sealed)
    opened = [(sorted(box.decrypt(key, s.ciphertext or b"")), s.channel) for s in sealed]
    seed.rollback()
    return opened


# --- Pages -------------------------------------------------------------------------------


def _heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _html(page: Page, lang: str, direction: str) -> None:
    expect(page.locator(f"html[lang={lang}][dir={direction}]")).to_have_count(1)


def _kiosk_path(setting: Setting, permanence_id: int | None = None) -> str:
    return f"/permanence/{permanence_id or setting.permanence_id}/kiosque/{setting.round_id}"


def _declare(page: Page, name: str, birth_date: str) -> None:
    """The animator types the resident's declaration, checks it with them and hands over."""
    page.get_by_label("Vos prénom et nom").fill(name)
    page.get_by_label("Votre date de naissance").fill(birth_date)
    page.get_by_label("Je déclare sur l’honneur habiter le quartier").check()
    page.get_by_label("J’ai vérifié la déclaration avec la personne").check()
    page.get_by_role("button", name="Donner la tablette pour voter").click()


def _animator_screen(page: Page, url: re.Pattern[str], timeout: float | None = None) -> None:
    """The declaration screen, empty, for the next resident. (The resident's screens show
    the same address: kiosk.js replaces theirs with it, so the heading tells them apart.)"""
    expect(page.get_by_role("heading", level=1)).to_have_text(KIOSK_TITLE, timeout=timeout)
    expect(page).to_have_url(url)
    _html(page, "fr", "ltr")
    expect(page.get_by_label("Vos prénom et nom")).to_have_value("")
    expect(page.get_by_label("Votre date de naissance")).to_have_value("")
    expect(page.get_by_label("J’ai vérifié la déclaration avec la personne")).not_to_be_checked()


def _project(page: Page, title: str) -> Locator:
    return page.get_by_role("checkbox", name=re.compile(f"^{re.escape(title)}"))


def _action(page: Page, value: str) -> Locator:
    """A button of the resident's screens, whatever language they are in."""
    return page.locator(f"button[name=action][value={value}]")


def _ballot_screen(page: Page) -> None:
    expect(page).to_have_title(re.compile("civic$"))
    _heading(page, ROUND_TITLE)
    expect(page.locator("input[name=project]")).to_have_count(3)
    expect(page.locator("input[name=project]:checked")).to_have_count(0)


def _nothing_of(page: Page, name: str, chosen: tuple[str, ...]) -> None:
    """Neither the page nor what its fields hold shows the voter's name or choices: no box
    checked, no choice carried in a hidden field, no chosen project listed (a blank ballot
    card may name it)."""
    expect(page.locator("input[type=checkbox]:checked")).to_have_count(0)
    expect(page.locator("input[type=hidden][name=project], input[type=hidden][name^=points-]")
           ).to_have_count(0)
    seen = page.evaluate("""() => {
        const body = document.body.cloneNode(true);
        body.querySelectorAll('.ballot-card').forEach(card => card.remove());
        return body.textContent;
    }""")
    values = page.evaluate(
        "Array.from(document.querySelectorAll('input, textarea')).map(e => e.value)")
    for shown in (seen, *values):
        for secret in (*name.split(), *chosen):
            assert secret not in shown, f"{page.url} still shows {secret!r}"


# --- 1. Three residents vote at the tablet ---------------------------------------------------


def test_animator_runs_three_kiosk_votes_in_a_row_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _setting(seed, with_permanence=False)
    page.clock.install()  # time flows as usual, and jumps over the tablet's waits

    # The animator logs in and finds the tablet's home in the menu.
    page.goto("/connexion")
    _heading(page, "Se connecter")
    audit(page)
    page.get_by_label("Adresse e-mail").fill(setting.animator)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    second_step(page, setting.animator)
    # An animator lands on the tablet's home, also in the menu.
    expect(page).to_have_url(re.compile("/permanence$"))
    _heading(page, "Tablette de permanence")
    expect(page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Permanence")).to_have_attribute("href", "/permanence")
    expect(page.get_by_text("Aucune permanence prévue.")).to_be_visible()
    audit(page)

    # Today's permanence, at the Maison des Tilleuls.
    page.get_by_label("Quartier", exact=True).select_option(label="Les Tilleuls")
    page.get_by_label("Lieu").fill("Maison des Tilleuls, salle 2")
    page.get_by_label("De", exact=True).fill("09:00")
    page.get_by_label("À", exact=True).fill("19:00")
    page.get_by_role("button", name="Ouvrir").click()
    expect(page).to_have_url(re.compile(r"/permanence/\d+$"))
    _heading(page, "Maison des Tilleuls, salle 2")
    expect(page.get_by_text("Les Tilleuls —")).to_be_visible()
    permanence_id = int(page.url.rsplit("/", 1)[1])
    session = page.get_by_role("region", name=ROUND_TITLE)
    expect(session).to_contain_text("Vote ouvert")
    audit(page)

    session.get_by_role("link", name="Vote sur la tablette").click()
    kiosk = re.compile(re.escape(_kiosk_path(setting, permanence_id)) + "$")
    _animator_screen(page, kiosk)
    audit(page)

    # Voter 1 chooses two projects, checks them, casts. Their name and birth date stay with
    # the animator: the ballot screen carries an opaque ticket, nothing of them.
    _declare(page, "Hélène Dupré-Lefèvre", "1984-02-29")
    _ballot_screen(page)
    _html(page, "fr", "ltr")
    _nothing_of(page, "Hélène Dupré-Lefèvre", ())
    ticket = page.locator("input[type=hidden][name=ticket]").input_value()
    assert re.fullmatch(r"[\w-]{32}", ticket), ticket  # a random token, no signed payload
    assert _count(seed, KioskTicket, setting.round_id) == 1
    expect(page.get_by_role("button", name="Français")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "false")
    audit(page)
    _project(page, "Fête des voisins").check()
    _project(page, "Atelier vélo").check()
    page.get_by_role("button", name="Vérifier mon vote").click()
    _heading(page, "Vérifiez votre vote")
    expect(page.locator("main li")).to_have_text(
        [re.compile(r"^Fête des voisins — 800,00\s€$"), re.compile(r"^Atelier vélo — 450,00\s€$")])
    audit(page)
    page.get_by_role("button", name="Déposer mon bulletin").click()
    _heading(page, "Merci pour votre vote !")
    expect(page.get_by_role("link", name="Rendre la tablette")).to_be_visible()
    audit(page)
    # Nobody touches it: 8 s later the tablet comes back to the animator by itself.
    page.clock.fast_forward("00:09")
    _animator_screen(page, kiosk, timeout=RETURN_TIMEOUT)
    audit(page)

    # Voter 2 is voter 1 again, typed differently: refused at the declaration.
    _declare(page, "helene DUPRE lefevre", "1984-02-29")
    _heading(page, KIOSK_TITLE)
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    name = page.get_by_label("Vos prénom et nom")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name-error")).to_contain_text("a déjà voté")
    expect(name).to_have_accessible_description(re.compile("a déjà voté"))
    expect(page.locator("input[name=project]")).to_have_count(0)
    audit(page)

    # Voter 3 reads the ballot in Arabic, right to left, and votes.
    _declare(page, "Youssef Amrani", "1979-11-03")
    _ballot_screen(page)
    page.get_by_role("button", name="العربية").click()
    _html(page, "ar", "rtl")
    _ballot_screen(page)
    expect(page.get_by_role("button", name="العربية")).to_have_attribute("aria-pressed", "true")
    expect(_action(page, "confirm")).to_have_text(ARABIC)
    audit(page)
    _project(page, "Bancs au square").check()
    _action(page, "confirm").click()
    _html(page, "ar", "rtl")
    expect(page.locator("main li")).to_have_count(1)
    expect(page.locator("main li")).to_contain_text("Bancs au square")
    audit(page)
    _action(page, "cast").click()
    _html(page, "ar", "rtl")
    expect(page.locator("[data-kiosk-return]")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(ARABIC)
    audit(page)
    page.clock.fast_forward("00:09")
    _animator_screen(page, kiosk, timeout=RETURN_TIMEOUT)
    audit(page)

    # Two sealed ballots in the box, of one size whatever they hold, two lines in the
    # register of this permanence: voter 2 none. No ticket is left, nothing is counted.
    assert sorted(_opened_box(seed, setting.round_id)) == sorted([
        (sorted(str(setting.projects[t]) for t in ("Fête des voisins", "Atelier vélo")),
         Channel.KIOSK.value),
        ([str(setting.projects["Bancs au square"])], Channel.KIOSK.value)])
    sizes = seed.scalars(select(func.length(SealedBallot.ciphertext))
                         .where(SealedBallot.round_id == setting.round_id)).all()
    assert len(sizes) == 2, sizes
    assert len(set(sizes)) == 1, sizes
    lines = seed.scalars(select(Participation)
                         .where(Participation.round_id == setting.round_id)).all()
    assert len(lines) == 2
    assert {(p.channel, p.permanence_id, p.user_id) for p in lines} == {
        (Channel.KIOSK.value, permanence_id, None)}
    seed.rollback()
    assert _count(seed, KioskTicket, setting.round_id) == 0
    assert _count(seed, Ballot, setting.round_id) == 0


# --- 2. The back button ----------------------------------------------------------------------


def test_back_button_never_shows_the_previous_voter_on_a_tablet(
        tablet: Page, live_server: str, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _setting(seed)
    page.clock.install()
    signed_in(page, setting.animator)
    kiosk = re.compile(re.escape(_kiosk_path(setting)) + "$")

    page.goto(_kiosk_path(setting))
    _animator_screen(page, kiosk)
    audit(page)
    _declare(page, "Mireille Castañeda", "1961-07-14")
    _ballot_screen(page)
    audit(page)
    chosen = ("Fête des voisins", "Bancs au square")
    for title in chosen:
        _project(page, title).check()
    _action(page, "confirm").click()
    _heading(page, "Vérifiez votre vote")
    audit(page)
    _action(page, "cast").click()
    _heading(page, "Merci pour votre vote !")
    audit(page)
    page.clock.fast_forward("00:09")
    _animator_screen(page, kiosk, timeout=RETURN_TIMEOUT)
    audit(page)
    assert _count(seed, SealedBallot, setting.round_id) == 1
    assert _count(seed, KioskTicket, setting.round_id) == 0

    # The next person presses back, again and again: the animator's empty screen, or
    # Chrome's "Confirm form resubmission" page, never the previous voter.
    audited = {(page.url, page.title())}
    for _ in range(5):
        refused = ""
        try:
            page.go_back(wait_until="load")
        except PlaywrightError as error:
            refused = str(error)
        assert not refused or "ERR_CACHE_MISS" in refused, refused
        page.wait_for_load_state()
        _nothing_of(page, "Mireille Castañeda", chosen)
        state = (page.url, page.title())
        if page.url.startswith(live_server) and state not in audited:
            audited.add(state)
            audit(page)
    assert _count(seed, SealedBallot, setting.round_id) == 1
    assert _count(seed, Participation, setting.round_id) == 1


# --- 3. The tablet left alone ----------------------------------------------------------------


def test_ballot_left_alone_goes_back_to_the_animator_on_a_tablet(
        tablet: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    setting = _setting(seed)
    page.clock.install()
    signed_in(page, setting.animator)
    kiosk = re.compile(re.escape(_kiosk_path(setting)) + "$")

    page.goto(_kiosk_path(setting))
    _animator_screen(page, kiosk)
    audit(page)
    _declare(page, "Karim Benali", "1990-01-15")
    _ballot_screen(page)
    audit(page)
    _project(page, "Atelier vélo").check()  # a touch, then nothing for two minutes

    page.clock.fast_forward("01:25")
    expect(page.get_by_role("alert")).to_be_hidden()
    page.clock.fast_forward("00:25")  # 1:50: warned, with time left to keep the tablet
    expect(page.get_by_role("alert")).to_contain_text("Vous êtes toujours là ?")
    audit(page)
    _heading(page, ROUND_TITLE)
    expect(_project(page, "Atelier vélo")).to_be_checked()
    page.clock.fast_forward("00:15")
    _animator_screen(page, kiosk)
    expect(page.get_by_role("status")).to_have_text("La tablette a été rendue sans vote.")
    _nothing_of(page, "Karim Benali", ("Atelier vélo",))
    audit(page)
    assert _count(seed, SealedBallot, setting.round_id) == 0
    assert _count(seed, Participation, setting.round_id) == 0
    assert _count(seed, KioskTicket, setting.round_id) == 0  # given back: the ticket is gone


# --- 4. A printed vote code ------------------------------------------------------------------


def _one_character_changed(code: str) -> str:
    """The code with its second character replaced by another of the alphabet."""
    plain = codes.normalise(code)
    other = next(c for c in codes.ALPHABET if c != plain[1])
    return codes.grouped(plain[0] + other + plain[2:])


def _vote_with_code(page: Page, name: str, birth_date: str, project: str) -> None:
    page.get_by_label("Vos prénom et nom").fill(name)
    page.get_by_label("Votre date de naissance").fill(birth_date)
    page.get_by_label("Je déclare sur l’honneur habiter le quartier").check()
    _project(page, project).check()
    page.get_by_role("button", name="Vérifier mon vote").click()


def test_resident_votes_with_a_printed_code_on_a_phone(
        tablet: Page, phone: Page, seed: Session, audit: Audit) -> None:
    setting = _setting(seed, with_permanence=False)
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    assert pilot.email is not None
    pilot_email = pilot.email
    seed.commit()
    codes_path = f"/admin/fph/sessions/{setting.round_id}/codes"

    # The pilot prints two letters.
    signed_in(tablet, pilot_email)
    tablet.goto(codes_path)
    _heading(tablet, f"Codes de vote — {ROUND_TITLE}")
    audit(tablet)
    tablet.get_by_label("Nombre de codes à imprimer").fill("2")
    tablet.get_by_role("button", name="Créer les lettres").click()
    _heading(tablet, "Lot 1 — nombre de lettres : 2")
    letters = tablet.locator("article.letter")
    expect(letters).to_have_count(2)
    audit(tablet)
    code = letters.first.locator(".code-line strong").inner_text()
    address = letters.first.locator("code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", code), code
    # The printed address has no code in it; the QR code has, in the link's fragment,
    # which browsers never send to the server (so no log can keep it).
    assert address.endswith(f"/fph/{setting.round_id}/code"), address
    link = f"{address}#c={code}"
    qr_holds(letters.first.locator(".qr"), link)
    assert _count(seed, VoteCode, setting.round_id, spent=False) == 2

    # A resident without an account scans it with their phone: code.js puts the code in
    # its field and takes it out of the address bar.
    page = phone
    with page.expect_request(re.compile(rf"/fph/{setting.round_id}/code")) as opened:
        page.goto(link)
    assert "#" not in opened.value.url
    assert code not in opened.value.url
    _heading(page, "Voter")
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    expect(page.get_by_label("Votre code de vote")).to_have_value(code)
    expect(page).to_have_url(re.compile(rf"/fph/{setting.round_id}/code$"))
    assert page.evaluate("window.location.hash") == ""
    expect(page.locator("input[name=project]")).to_have_count(3)
    audit(page)
    _vote_with_code(page, "Fatou Diallo", "1995-06-30", "Atelier vélo")
    _heading(page, "Vérifiez votre vote")
    expect(page.locator("main li")).to_have_text([re.compile(r"^Atelier vélo — 450,00\s€$")])
    audit(page)
    page.get_by_role("button", name="Déposer mon bulletin").click()
    _heading(page, "Merci pour votre vote !")
    receipt = page.locator(".receipt code")
    expect(receipt).to_have_text(RECEIPT)
    audit(page)
    assert [box.receipt(t) for t in seed.scalars(select(SealedBallot.tracker).where(
        SealedBallot.round_id == setting.round_id))] == [receipt.inner_text()]
    assert _opened_box(seed, setting.round_id) == [
        ([str(setting.projects["Atelier vélo"])], Channel.CODE.value)]
    assert _count(seed, Participation, setting.round_id, channel=Channel.CODE.value) == 1
    assert _count(seed, VoteCode, setting.round_id, spent=True) == 1

    # The same letter, picked up by someone else and scanned afresh: the code has served.
    page.goto("about:blank")
    page.goto(link)
    expect(page.get_by_label("Votre code de vote")).to_have_value(code)
    expect(page).to_have_url(re.compile(rf"/fph/{setting.round_id}/code$"))
    _vote_with_code(page, "Samir Haddad", "1988-09-09", "Fête des voisins")
    _heading(page, "Voter")
    field = page.get_by_label("Votre code de vote")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        re.compile("Ce code n’est pas valable ou a déjà servi."))
    expect(page.locator("#code-error")).to_have_text("Ce code n’est pas valable ou a déjà servi.")
    audit(page)

    # A typing mistake is told apart from a used code.
    field.fill(_one_character_changed(code))
    page.get_by_role("button", name="Vérifier mon vote").click()
    expect(page.locator("#code-error")).to_contain_text("erreur de frappe")
    expect(field).to_have_accessible_description(re.compile("erreur de frappe"))
    expect(page.get_by_label("Vos prénom et nom")).to_have_value("Samir Haddad")
    audit(page)
    assert _count(seed, SealedBallot, setting.round_id) == 1

    # The pilot sees one code of the batch used, never which.
    tablet.get_by_role("link", name="Retour aux codes de vote").click()
    _heading(tablet, f"Codes de vote — {ROUND_TITLE}")
    expect(tablet.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        ["1", "Pilote", "2", "1", "0", re.compile("Annuler les codes non utilisés")])
    audit(tablet)

