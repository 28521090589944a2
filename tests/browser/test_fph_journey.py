"""The neighbourhood fund (FPH), end to end in a browser: a resident proposes a project
on a phone, the committee admits it, residents vote in secret (in French and in Arabic)
and cannot vote twice, then two trustees' shares open the encrypted box on the pilot's
tablet, the pilot publishes, and a voter finds their ballot counted.

Rounds are dated from the real clock, since the live server reads it.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PIL import Image
from playwright.sync_api import Locator, Page, Response, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role, User
from civic.budget import box, services, trustees
from civic.budget.models import Ballot, Channel, Participation, Project, Round, SealedBallot
from civic.core import clock
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import fact, loaded_width, second_step, signed_in

Audit = Callable[[Page], None]

ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
TIMEZONE = "Europe/Paris"
RECEIPT = re.compile(r"^[0-9A-F]{4}(-[0-9A-F]{4}){3}$")


# --- Seeding -----------------------------------------------------------------------------


def _live_round(seed: Session, fund: Any, phase: str, **values: Any) -> Round:
    """A round that is in ``phase`` now, by the real clock."""
    now = clock.now()
    dates = {name: now + offset * factories.DAY
             for name, offset in zip(ROUND_DATES, factories.PHASE_OFFSETS[phase], strict=True)}
    return factories.make_round(seed, fund, phase, **{**dates, **values})


def _quartier(seed: Session) -> Any:
    contract = factories.make_contract(seed)
    return factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")


def _photo_with_exif() -> bytes:
    """A phone-sized PNG whose EXIF tells the camera and the place it was taken."""
    image = Image.new("RGB", (800, 600), (46, 139, 87))
    exif = Image.Exif()
    exif[0x010F] = "CivicCam"  # Make
    exif[0x010E] = "Jardin des Tilleuls, 43.5745 N"  # ImageDescription
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif()[0x010F] == "CivicCam"  # the test is fair
    return data


# --- Pages -------------------------------------------------------------------------------


def _heading(page: Page, name: str | re.Pattern[str]) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def _status(page: Page) -> Locator:
    return page.get_by_role("status")


def _fits(page: Page) -> None:
    """Nothing sticks out sideways: the page reads without scrolling horizontally."""
    screen = page.viewport_size
    assert screen is not None
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= screen["width"], f"{page.url} is {width}px wide on a {screen['width']}px screen"


def _mirrored(page: Page) -> None:
    """Right to left: the brand sits on the right of the header, the language buttons on
    the left, and the breadcrumb ends on the right."""
    screen = page.viewport_size
    assert screen is not None
    half = screen["width"] / 2

    def box(selector: str) -> Any:
        found = page.locator(selector).first.bounding_box()
        assert found is not None, selector
        return found

    brand, languages, breadcrumb = (box("header .brand"), box("header .lang-switch"),
                                    box("main .breadcrumb a"))
    assert brand["x"] > half, brand
    assert languages["x"] < half, languages
    assert breadcrumb["x"] + breadcrumb["width"] > half, breadcrumb


def _log_in(page: Page, audit: Audit, address: str, next_path: str = "") -> None:
    page.goto("/connexion" + (f"?next={quote(next_path)}" if next_path else ""))
    _heading(page, "Se connecter")
    audit(page)
    page.get_by_label("Adresse e-mail").fill(address)
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    second_step(page, address)


def _no_store(response: Response) -> None:
    assert response.headers.get("cache-control") == "no-store", (
        f"{response.request.method} {response.url}: {response.headers.get('cache-control')}")


def _vote_post(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith("/voter")


def _sealed(seed: Session, round_id: int) -> SealedBallot:
    """The round's only ballot, as the box holds it until the count."""
    seed.expire_all()
    return seed.scalars(select(SealedBallot).where(SealedBallot.round_id == round_id)).one()


def _opened(seed: Session, sealed: SealedBallot) -> dict[str, int]:
    """What a sealed ballot holds, read as the count reads it: with two trustees' shares
    (kept by the factories, as trustees keep theirs)."""
    round_ = seed.get(Round, sealed.round_id)
    assert round_ is not None
    assert sealed.ciphertext is not None
    key, _ = trustees.open_key(round_, factories.SHARES[round_.id][:2])
    return box.decrypt(key, sealed.ciphertext)


def _counted(seed: Session, round_id: int) -> int:
    """Ballots readable in the clear: none before the count."""
    return int(seed.scalar(select(func.count()).select_from(Ballot)
                           .where(Ballot.round_id == round_id)) or 0)


# --- 1. Proposing a project --------------------------------------------------------------


def test_resident_proposes_a_project_with_a_photo_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    quartier = _quartier(seed)
    fund = factories.make_fund(seed, quartier)
    round_ = _live_round(seed, fund, "submission", title="Appel à projets des Tilleuls")
    factories.make_orientation(seed, quartier.contract, name="Cadre de vie")
    resident = factories.make_user(seed, display_name="Nadia")
    address = resident.email
    assert address is not None
    seed.commit()

    _log_in(page, audit, address)
    _heading(page, "Votre quartier, votre avis")
    audit(page)

    # The quartier's page: the FPH and its round open to proposals.
    page.get_by_role("link", name=re.compile("^Les Tilleuls")).click()
    _heading(page, "Les Tilleuls")
    fph = page.get_by_role("region", name="Fonds de participation des habitants (FPH)")
    expect(fph).to_be_visible()
    round_item = fph.get_by_role("listitem").filter(has_text="Appel à projets des Tilleuls")
    expect(round_item).to_contain_text("Propositions ouvertes")
    expect(round_item).to_contain_text("Vous avez une idée pour le quartier ? Proposez un projet.")
    _fits(page)
    audit(page)

    round_item.get_by_role("link", name="Appel à projets des Tilleuls").click()
    _heading(page, "Appel à projets des Tilleuls")
    _fits(page)
    audit(page)
    page.get_by_role("link", name="Proposer un projet").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_.id}/proposer$"))
    _heading(page, "Proposer un projet")
    _fits(page)
    audit(page)

    # First try: the budget lines make 150 € but the amount says 200 €.
    page.get_by_label("Titre du projet").fill("Un jardin partagé")
    page.get_by_label("Résumé", exact=True).fill("Des bacs à légumes au pied de la tour B.")
    page.get_by_label("Description", exact=True).fill(
        "Six bacs, du terreau et des graines ; les enfants de l’école arrosent.")
    expenses = page.get_by_label("Dépense", exact=True)
    amounts = page.get_by_label("Montant (€)", exact=True)
    expect(expenses).to_have_count(6)
    expenses.nth(0).fill("Bacs en bois")
    amounts.nth(0).fill("120")
    expenses.nth(1).fill("Graines et terreau")
    amounts.nth(1).fill("30")
    amount = page.get_by_label("Montant demandé (€)")
    expect(amount).to_have_value("150")  # added up from the lines as they are typed
    amounts.nth(1).fill("30,50")
    expect(amount).to_have_value("150,50")
    amounts.nth(1).fill("30")
    amount.fill("200")
    # The place: a tap on the quartier's small map (or a known place, without it).
    expect(page.locator(".map-box")).to_have_attribute("data-ready", "1")
    page.locator(".map-box .folium-map").click()
    expect(page.get_by_text("Point placé ici. Touchez ailleurs pour le déplacer.")).to_be_visible()
    expect(page.locator("input[name=latitude]")).not_to_have_value("")
    page.get_by_label("Thème du contrat de ville").select_option(label="Cadre de vie")
    page.get_by_label("Un groupe d’habitants").check()
    page.get_by_label("Nom du groupe ou de l’association").fill("Les voisins de la tour B")
    page.get_by_label("Téléphone ou e-mail pour vous joindre").fill("06 12 34 56 78")
    page.get_by_role("button", name="Envoyer mon projet").click()

    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_have_accessible_description(  # the lines' total, in words
        re.compile(r"lignes du budget.*150,00\s€.*montant demandé"))
    expect(page.locator("#amount_cents-error")).to_be_visible()
    expect(amount).to_have_value("200")
    expect(page.get_by_label("Titre du projet")).to_have_value("Un jardin partagé")
    expect(expenses.nth(1)).to_have_value("Graines et terreau")
    expect(amounts.nth(0)).to_have_value("120")
    expect(page.get_by_label("Un groupe d’habitants")).to_be_checked()
    expect(page.get_by_label("Téléphone ou e-mail pour vous joindre")).to_have_value(
        "06 12 34 56 78")
    _fits(page)
    audit(page)

    # Fixed, with a photo that carries EXIF.
    amount.fill("150")
    page.get_by_label("Photo (facultatif)").set_input_files(
        {"name": "jardin.png", "mimeType": "image/png", "buffer": _photo_with_exif()})
    page.get_by_role("button", name="Envoyer mon projet").click()

    expect(page).to_have_url(re.compile(r"/fph/projets/\d+$"))
    _heading(page, "Un jardin partagé")
    expect(_status(page)).to_contain_text("Merci ! Votre projet est envoyé au comité du FPH.")
    expect(page.get_by_text("En attente d’examen", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Bacs en bois")).to_contain_text("120,00")
    expect(page.get_by_role("link", name="Modifier mon projet")).to_be_visible()
    photo = page.get_by_role("img", name="Photo du projet : Un jardin partagé")
    expect(photo).to_be_visible()
    assert loaded_width(photo) == 800
    _fits(page)
    audit(page)

    # The photo served is a JPEG with no EXIF left.
    src = photo.get_attribute("src")
    assert src is not None
    assert src.startswith("/media/")
    served = page.request.get(src)
    assert served.ok
    assert served.headers["content-type"] == "image/jpeg"
    body = served.body()
    jpeg = Image.open(io.BytesIO(body))
    assert jpeg.format == "JPEG"
    assert jpeg.size == (800, 600)
    assert not jpeg.getexif()
    assert "exif" not in jpeg.info
    assert b"Exif" not in body
    assert b"CivicCam" not in body

    project = seed.scalars(select(Project).where(Project.round_id == round_.id)).one()
    assert (project.amount_cents, project.status) == (15_000, "submitted")
    assert project.budget_lines == [{"label": "Bacs en bois", "amount_cents": 12_000},
                                    {"label": "Graines et terreau", "amount_cents": 3_000}]
    seed.rollback()


# --- 2. The committee admits it -----------------------------------------------------------


def test_moderator_admits_a_project_for_the_vote_on_a_phone(
        phone: Page, seed: Session, mailbox: Mailbox, audit: Audit) -> None:
    page = phone
    quartier = _quartier(seed)
    fund = factories.make_fund(seed, quartier)
    round_ = _live_round(seed, fund, "review", title="Appel à projets des Tilleuls")
    author = factories.make_user(seed, display_name="Nadia")
    project = factories.make_project(seed, round_, author, title="Un jardin partagé",
                                     status="submitted", amount_cents=15_000)
    moderator = factories.make_user(seed, display_name="Moussa",
                                    roles=[(Role.MODERATOR, quartier)])
    round_id, project_id = round_.id, project.id
    author_email, moderator_email = author.email, moderator.email
    assert author_email is not None
    assert moderator_email is not None
    seed.commit()

    signed_in(page, moderator_email)
    page.goto(f"/fph/{round_id}")
    _heading(page, "Appel à projets des Tilleuls")
    expect(page.get_by_text("Examen des projets", exact=True)).to_be_visible()
    _fits(page)
    audit(page)

    page.get_by_role("link", name="Examiner les projets").click()
    _heading(page, "Examen des projets")
    row = page.get_by_role("row").filter(has_text="Un jardin partagé")
    expect(row).to_contain_text("En attente d’examen")
    _fits(page)
    audit(page)
    row.get_by_role("link", name="Un jardin partagé").click()
    expect(page).to_have_url(re.compile(f"/fph/projets/{project_id}/examen$"))
    _heading(page, "Examiner : Un jardin partagé")
    _fits(page)
    audit(page)

    # Admitting with a criterion left unticked is refused.
    criteria = page.get_by_role("group", name="Critères").get_by_role("checkbox")
    expect(criteria).to_have_count(4)
    expect(criteria.nth(0)).to_have_accessible_name("Le montant respecte le plafond du fonds")
    for n in range(3):
        criteria.nth(n).check()
    page.get_by_label("Retenir pour le vote").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    # Said next to the field, and as a link to it in the summary at the top.
    expect(page.get_by_text("Cochez tous les critères avant de retenir le projet.")
           ).to_have_count(2)
    expect(page.locator(".error").filter(
        has_text="Cochez tous les critères avant de retenir le projet.")).to_be_visible()
    expect(criteria.nth(0)).to_be_checked()
    expect(criteria.nth(3)).not_to_be_checked()
    _fits(page)
    audit(page)

    for n in range(4):
        criteria.nth(n).check()
    page.get_by_label("Retenir pour le vote").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/examen$"))
    _heading(page, "Examen des projets")
    expect(_status(page)).to_contain_text("La décision est enregistrée et l’auteur est prévenu.")
    expect(page.get_by_role("row").filter(has_text="Un jardin partagé")).to_contain_text(
        "Retenu pour le vote")
    _fits(page)
    audit(page)

    mail = mailbox.last_to(author_email)
    assert mail["Subject"] == "Votre projet « Un jardin partagé »"
    body = mailbox.body(mail)
    assert "Bonjour Nadia," in body
    assert "le comité du FPH a retenu votre projet « Un jardin partagé » pour le vote" in body
    assert mailbox.link(mail, f"/fph/projets/{project_id}")


# --- 3. and 4. The vote -------------------------------------------------------------------


def _vote_round(seed: Session) -> tuple[Round, dict[str, int]]:
    """A round whose vote is open, with three projects on the ballot (approval, 1 to 3)."""
    quartier = _quartier(seed)
    fund = factories.make_fund(seed, quartier, vote_method="approval", approval_min=1,
                               approval_max=3)
    round_ = _live_round(seed, fund, "vote", title="Vote des Tilleuls")
    projects = {title: factories.make_project(seed, round_, title=title, summary=summary,
                                              amount_cents=cents).id
                for title, summary, cents in (
                    ("Fête des voisins", "Un repas dans la cour, en juin.", 80_000),
                    ("Bancs au square", "Quatre bancs à l’ombre des platanes.", 120_000),
                    ("Atelier vélo", "Réparer son vélo avec des bénévoles.", 45_000))}
    return round_, projects


def _resident(seed: Session, name: str) -> str:
    address = factories.make_user(seed, display_name=name).email
    assert address is not None
    return address


def test_resident_votes_in_secret_and_checks_the_receipt_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    round_, projects = _vote_round(seed)
    round_id = round_.id
    address = _resident(seed, "Nadia")
    seed.commit()

    _log_in(page, audit, address, f"/fph/{round_id}")
    _heading(page, "Vote des Tilleuls")
    expect(page.get_by_text("Vote ouvert", exact=True)).to_be_visible()
    expect(page.get_by_text("Bulletins dans l’urne : 0.")).to_be_visible()
    _fits(page)
    audit(page)

    with page.expect_response(lambda r: r.url.endswith("/voter")) as opened:
        page.get_by_role("link", name="Voter").click()
    _no_store(opened.value)
    _heading(page, "Voter")
    expect(page.get_by_role("checkbox", name=re.compile("—"))).to_have_count(3)
    _fits(page)
    audit(page)

    # Forgetting the declaration on honour: told next to it, nothing typed is lost.
    page.get_by_label("Vos prénom et nom").fill("Nadia Benali")
    page.get_by_label("Votre date de naissance").fill("1987-04-23")
    fete = page.get_by_role("checkbox", name=re.compile("^Fête des voisins"))
    bancs = page.get_by_role("checkbox", name=re.compile("^Bancs au square"))
    velo = page.get_by_role("checkbox", name=re.compile("^Atelier vélo"))
    for project in (fete, bancs, velo):
        project.check()
    with page.expect_response(_vote_post) as refused:
        page.get_by_role("button", name="Vérifier mon vote").click()
    _no_store(refused.value)
    assert refused.value.status == 400
    honour = page.get_by_label("Je déclare sur l’honneur habiter le quartier")
    expect(honour).to_have_attribute("aria-invalid", "true")
    expect(honour).to_have_accessible_description(
        re.compile("Il faut habiter le quartier pour voter."))
    expect(page.get_by_label("Vos prénom et nom")).to_have_value("Nadia Benali")
    expect(page.get_by_label("Votre date de naissance")).to_have_value("1987-04-23")
    for project in (fete, bancs, velo):
        expect(project).to_be_checked()
    _fits(page)
    audit(page)

    # Three projects, then second thoughts: back to the form, one fewer.
    honour.check()
    page.get_by_role("button", name="Vérifier mon vote").click()
    _heading(page, "Vérifiez votre vote")
    expect(page.get_by_role("listitem").filter(has_text="—")).to_have_count(3)
    audit(page)
    with page.expect_response(_vote_post) as back:
        page.get_by_role("button", name="Changer mes choix").click()
    _no_store(back.value)
    _heading(page, "Voter")
    expect(page.get_by_label("Vos prénom et nom")).to_have_value("Nadia Benali")
    expect(page.get_by_label("Votre date de naissance")).to_have_value("1987-04-23")
    expect(honour).to_be_checked()
    for project in (fete, bancs, velo):
        expect(project).to_be_checked()
    audit(page)
    bancs.uncheck()
    with page.expect_response(_vote_post) as reviewed:
        page.get_by_role("button", name="Vérifier mon vote").click()
    _no_store(reviewed.value)
    _heading(page, "Vérifiez votre vote")
    expect(page.get_by_role("listitem").filter(has_text="—")).to_have_text(
        [re.compile(r"^Fête des voisins — 800,00\s€$"), re.compile(r"^Atelier vélo — 450,00\s€$")])
    expect(page.get_by_text(re.compile(r"Total des projets choisis : 1\s250,00\s€"))
           ).to_be_visible()
    _fits(page)
    audit(page)

    with page.expect_response(_vote_post) as cast:
        page.get_by_role("button", name="Déposer mon bulletin").click()
    _no_store(cast.value)
    _heading(page, "Merci pour votre vote !")
    receipt = page.locator(".receipt code")
    expect(receipt).to_have_text(RECEIPT)
    code = receipt.inner_text()
    _fits(page)
    audit(page)

    # The receipt is in the box.
    page.get_by_role("link", name="Vérifier un reçu").click()
    expect(page).to_have_url(re.compile("/fph/recu$"))
    _heading(page, "Vérifier un reçu de vote")
    audit(page)
    page.get_by_label("Code du reçu").fill(code.lower())
    page.get_by_role("button", name="Vérifier").click()
    expect(_status(page)).to_have_text("Ce bulletin est bien dans l’urne de « Vote des Tilleuls ».")
    _fits(page)
    audit(page)

    # Back on the round: voted, one ballot, no way to vote again. The box shows the seal
    # it had when sealed empty, never one that moves with each ballot cast.
    page.goto(f"/fph/{round_id}")
    _heading(page, "Vote des Tilleuls")
    expect(page.get_by_text("Vous avez voté. Merci !")).to_be_visible()
    expect(page.get_by_role("link", name="Voter", exact=True)).to_have_count(0)
    box_section = page.get_by_role("region", name="L’urne")
    expect(box_section).to_contain_text("Bulletins dans l’urne : 1.")
    expect(box_section).to_contain_text("Chaque bulletin est chiffré dès qu’il est déposé.")
    expect(box_section.locator("code.seal")).to_have_text([box.EMPTY_SEAL])
    audit(page)

    # In the box: one encrypted ballot, whose tracker the receipt starts; nothing in clear.
    sealed = _sealed(seed, round_id)
    assert (box.receipt(sealed.tracker), sealed.channel) == (code, Channel.ONLINE.value)
    assert sealed.ciphertext is not None
    assert b'":1' not in sealed.ciphertext
    assert _opened(seed, sealed) == {str(projects["Fête des voisins"]): 1,
                                     str(projects["Atelier vélo"]): 1}
    assert _counted(seed, round_id) == 0
    seed.rollback()


def test_the_same_person_cannot_vote_twice_from_another_account_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    page = phone
    round_, projects = _vote_round(seed)
    round_id = round_.id
    first = factories.make_user(seed, display_name="Anne-Hélène")
    services.cast(seed, round_,
                  services.Declaration("Anne-Hélène N’Diaye", date(1990, 2, 14), True),
                  {projects["Bancs au square"]: 1}, channel=Channel.ONLINE, user=first,
                  now=clock.now(), today=clock.local_day(clock.now(), TIMEZONE))
    seal = round_.seal
    address = _resident(seed, "Anne H.")
    seed.commit()

    signed_in(page, address)
    page.goto(f"/fph/{round_id}/voter")
    _heading(page, "Voter")
    audit(page)
    page.get_by_label("Vos prénom et nom").fill("anne helene ndiaye")
    page.get_by_label("Votre date de naissance").fill("1990-02-14")
    page.get_by_label("Je déclare sur l’honneur habiter le quartier").check()
    page.get_by_role("checkbox", name=re.compile("^Fête des voisins")).check()
    page.get_by_role("button", name="Vérifier mon vote").click()
    _heading(page, "Vérifiez votre vote")
    audit(page)
    page.get_by_role("button", name="Déposer mon bulletin").click()

    expect(page).to_have_url(re.compile(f"/fph/{round_id}$"))
    _heading(page, "Vote des Tilleuls")
    expect(_status(page)).to_contain_text(
        "Une personne avec ce nom et cette date de naissance a déjà voté")
    expect(page.get_by_text("Vous avez voté. Merci !")).to_have_count(0)
    expect(page.get_by_text("Bulletins dans l’urne : 1.")).to_be_visible()
    _fits(page)
    audit(page)

    second_id = seed.scalars(select(User.id).where(User.email == address)).one()
    assert seed.scalar(select(func.count()).select_from(SealedBallot)
                       .where(SealedBallot.round_id == round_id)) == 1
    assert seed.scalar(select(func.count()).select_from(Participation)
                       .where(Participation.round_id == round_id)) == 1
    assert seed.scalar(select(Participation.id).where(Participation.user_id == second_id)) is None
    assert seed.scalar(select(Round.seal).where(Round.id == round_id)) == seal
    seed.rollback()


def test_resident_votes_right_to_left_in_arabic_on_a_phone(
        phone: Page, seed: Session, audit: Audit) -> None:
    """The Arabic catalogue may still be incomplete: structure and receipt, not wording."""
    page = phone
    round_, projects = _vote_round(seed)
    round_id = round_.id
    address = _resident(seed, "Samira")
    seed.commit()
    rtl = page.locator("html[lang=ar][dir=rtl]")

    signed_in(page, address)
    page.goto(f"/fph/{round_id}")
    page.get_by_role("button", name="العربية").click()
    expect(rtl).to_have_count(1)
    expect(page).to_have_url(re.compile(f"/fph/{round_id}$"))
    _heading(page, "Vote des Tilleuls")
    _fits(page)
    audit(page)

    with page.expect_response(lambda r: r.url.endswith("/voter")) as opened:
        page.locator(f"main a[href='/fph/{round_id}/voter']").click()
    _no_store(opened.value)
    expect(rtl).to_have_count(1)
    form = page.locator("main form")
    expect(form.locator("input[type=checkbox][name=project]")).to_have_count(3)
    page.locator("#name").fill("سميرة العلوي")
    page.locator("#birth_date").fill("1979-11-02")
    page.locator("#lives_in_quartier").check()
    page.locator(f"#project-{projects['Bancs au square']}").check()
    page.locator(f"#project-{projects['Atelier vélo']}").check()
    _mirrored(page)
    _fits(page)
    audit(page)
    form.locator("button[type=submit]").click()

    expect(rtl).to_have_count(1)
    confirm = page.locator("main form")
    expect(confirm.locator("input[type=hidden][name=project]")).to_have_count(2)
    chosen = page.locator("main ul.stack li")
    expect(chosen).to_have_count(2)
    expect(chosen.nth(0)).to_contain_text("Bancs au square")
    expect(chosen.nth(1)).to_contain_text("Atelier vélo")
    _fits(page)
    audit(page)
    with page.expect_response(_vote_post) as cast:
        confirm.locator("button[name=step][value=cast]").click()
    _no_store(cast.value)

    expect(rtl).to_have_count(1)
    receipt = page.locator(".receipt code")
    expect(receipt).to_have_text(RECEIPT)
    code = receipt.inner_text()
    _fits(page)
    audit(page)

    page.locator("main a[href='/fph/recu']").click()
    expect(rtl).to_have_count(1)
    audit(page)
    page.locator("#code").fill(code)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main .flash-success[role=status]")).to_contain_text("Vote des Tilleuls")
    expect(rtl).to_have_count(1)
    _fits(page)
    audit(page)

    sealed = _sealed(seed, round_id)
    assert box.receipt(sealed.tracker) == code
    assert _opened(seed, sealed) == {str(projects["Bancs au square"]): 1,
                                     str(projects["Atelier vélo"]): 1}
    assert _counted(seed, round_id) == 0
    seed.rollback()


# --- 5. The count -------------------------------------------------------------------------


def _mistyped(share: str) -> str:
    """The share with the first character of its key replaced by another of base32."""
    at = share.index("-", share.index("-G") + 1) + 1
    other = next(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" if c != share[at])
    return share[:at] + other + share[at + 1:]


def test_trustees_open_the_box_and_the_pilot_publishes_on_a_tablet(
        tablet: Page, phone: Page, seed: Session, audit: Audit) -> None:
    page = tablet
    quartier = _quartier(seed)
    fund = factories.make_fund(seed, quartier, envelope_cents=100_000, cap_cents=60_000,
                               min_project_cents=10_000)
    round_ = _live_round(seed, fund, "counting", title="Vote des Tilleuls")
    shares = factories.SHARES[round_.id]  # three trustees, any two open the box
    ids = {title: factories.make_project(seed, round_, title=title, amount_cents=cents).id
           for title, cents in (("Fête des voisins", 60_000), ("Bancs au square", 50_000),
                                ("Atelier vélo", 30_000))}
    during_vote = round_.vote_starts_at + factories.DAY / 2
    receipts = [
        services.cast(seed, round_, services.Declaration(f"Votant {n}", date(1980, 1, 1 + n),
                                                         True),
                      {ids[t]: 1 for t in titles}, channel=channel, user=None, now=during_vote,
                      today=clock.local_day(during_vote, TIMEZONE))
        for n, (channel, titles) in enumerate([
            (Channel.ONLINE, ["Fête des voisins"]),
            (Channel.ONLINE, ["Fête des voisins", "Atelier vélo"]),
            (Channel.KIOSK, ["Fête des voisins", "Bancs au square"]),
            (Channel.PAPER, ["Bancs au square"])])]
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    moderator = factories.make_user(seed, display_name="Moussa",
                                    roles=[(Role.MODERATOR, quartier)])
    round_id = round_.id
    pilot_email, moderator_email = pilot.email, moderator.email
    assert pilot_email is not None
    assert moderator_email is not None
    seed.commit()

    # A moderator of the quartier, not a trustee, follows the count on their phone: the
    # box and its seal, but no way to open it.
    signed_in(phone, moderator_email)
    phone.goto(f"/fph/{round_id}")
    _heading(phone, "Vote des Tilleuls")
    expect(phone.get_by_text("Vote clos, dépouillement en cours")).to_be_visible()
    _fits(phone)
    audit(phone)
    phone.get_by_role("link", name="Dépouillement").click()
    expect(phone).to_have_url(re.compile(f"/fph/{round_id}/depouillement$"))
    _heading(phone, "Dépouillement")
    expect(fact(phone, "Bulletins dans l’urne")).to_have_text("4")
    expect(fact(phone, "Scellé")).to_have_text("intact : les bulletins chiffrés correspondent")
    expect(phone.get_by_text("Le dépouillement se fait par les garants de l’urne")).to_be_visible()
    expect(phone.get_by_role("button", name="Ouvrir l’urne et compter")).to_have_count(0)
    _fits(phone)
    audit(phone)

    # The pilot opens the count on the tablet, two trustees beside them.
    signed_in(page, pilot_email)
    page.goto(f"/fph/{round_id}")
    _heading(page, "Vote des Tilleuls")
    audit(page)
    page.get_by_role("link", name="Dépouillement").click()
    _heading(page, "Dépouillement")
    expect(fact(page, "Bulletins dans l’urne")).to_have_text("4")
    expect(fact(page, "Personnes inscrites comme ayant voté")).to_have_text("4")
    expect(fact(page, "Scellé")).to_have_text("intact : les bulletins chiffrés correspondent")
    first = page.get_by_label("Part de clé du garant 1")
    second = page.get_by_label("Part de clé du garant 2")
    expect(page.get_by_label("ou son fichier (.txt)")).to_have_count(2)
    audit(page)

    # The first trustee mistypes a character: told next to their share, nothing counted.
    first.fill(_mistyped(shares[0]))
    second.fill(shares[1])
    page.get_by_role("button", name="Ouvrir l’urne et compter").click()
    _heading(page, "Dépouillement")
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(first).to_have_accessible_description(re.compile("erreur de frappe"))
    expect(second).not_to_have_attribute("aria-invalid", "true")
    expect(second).to_have_value(shares[1])
    expect(fact(page, "Bulletins dans l’urne")).to_have_text("4")
    audit(page)
    assert _counted(seed, round_id) == 0
    seed.rollback()

    # Fixed: the box opens, the ballots are counted, the results wait for the pilot.
    first.fill(shares[0])
    page.get_by_role("button", name="Ouvrir l’urne et compter").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/resultats$"))
    _heading(page, "Résultats")
    expect(_status(page)).to_contain_text("L’urne est ouverte et les bulletins sont comptés.")
    expect(page.get_by_text("Ces résultats ne sont pas encore publiés.")).to_be_visible()
    audit(page)
    # Publishing cannot be undone: a page says so before the pilot confirms.
    page.get_by_role("link", name="Publier les résultats").click()
    _heading(page, "Publier les résultats")
    expect(page.get_by_text("ils ne pourront plus changer")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Confirmer : publier les résultats").click()
    expect(_status(page)).to_contain_text("Les résultats sont publiés.")
    expect(page.get_by_role("link", name="Publier les résultats")).to_have_count(0)
    table = page.get_by_role("region", name="Projets et scores")
    expect(table.get_by_role("row")).to_have_count(4)
    for title, score, share, amount, funded in (
            ("Fête des voisins", "3", "75 %", "600,00", "oui"),
            ("Bancs au square", "2", "50 %", "500,00", "non"),
            ("Atelier vélo", "1", "25 %", "300,00", "oui")):
        expect(table.get_by_role("row").filter(has_text=title).get_by_role("cell")).to_have_text(
            [title, score, share, re.compile(rf"^{amount}\s€$"), funded])
    expect(fact(page, "Projets financés")).to_have_text(re.compile(r"^900,00\s€$"))
    expect(fact(page, "Votants")).to_contain_text("4")
    audit(page)

    # Anyone can recount: the anonymous ballots, and the trackers that add up to the seal.
    fingerprint = page.locator("p", has_text="du fichier publié (SHA-256)").locator(
        "code").inner_text()
    assert re.fullmatch("[0-9a-f]{64}", fingerprint)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les bulletins").click()
    download = download_info.value
    assert download.suggested_filename == f"fph-{round_id}-bulletins.pb"
    content = Path(download.path()).read_bytes()
    assert hashlib.sha256(content).hexdigest() == fingerprint
    assert "Fête des voisins" in content.decode("utf-8")
    assert seed.scalar(select(Round.results_hash).where(Round.id == round_id)) == fingerprint
    seed.rollback()

    seal = page.locator("p", has_text="Scellé de l’urne au dépouillement").locator(
        "code").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger les empreintes").click()
    download = download_info.value
    assert download.suggested_filename == f"fph-{round_id}-empreintes.txt"
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert f"# seal (sum of the trackers modulo 2^256): {seal}" in lines
    listed = [line for line in lines if not line.startswith("#")]
    assert len(listed) == 4
    assert listed == sorted(listed)
    assert box.seal_of(listed) == seal
    assert sorted(box.receipt(t) for t in listed) == sorted(receipts)

    # A receipt now says its ballot was counted (anyone may check one, on any phone).
    phone.goto("/fph/recu")
    _heading(phone, "Vérifier un reçu de vote")
    phone.get_by_label("Code du reçu").fill(receipts[0])
    phone.get_by_role("button", name="Vérifier").click()
    expect(_status(phone)).to_have_text(
        "Ce bulletin a été compté au dépouillement de « Vote des Tilleuls ». "
        "Son empreinte est dans la liste publiée.")
    _fits(phone)
    audit(phone)
    phone.goto(f"/fph/{round_id}")
    expect(phone.get_by_role("link", name="Voir les résultats")).to_be_visible()
    expect(phone.get_by_role("region", name="L’urne").locator("code.seal")).to_have_text(
        [box.EMPTY_SEAL, seal])
    _fits(phone)
    audit(phone)
