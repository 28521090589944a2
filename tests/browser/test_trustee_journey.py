"""The bureau de vote, end to end in a browser on a tablet: the pilot names three trustees
of an FPH round under review (themself and two moderators of the quartier), each one
receives their share of the count key once, and the third one seals the box. Residents
vote; once the vote is over, two trustees open the box together at the pilot's tablet,
one typing their share and the other choosing the file they downloaded, and the pilot
publishes.

Rounds are dated from the real clock, since the live server reads it; the journey moves
the round from one phase to the next by changing its dates in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget import box, services
from civic.budget.models import Ballot, Channel, Round, SealedBallot
from civic.core import clock
from tests import factories
from tests.browser.conftest import Mailbox
from tests.browser.pages import (
    address_of,
    fact,
    fits,
    flash,
    heading,
    log_in,
    log_out,
    qr_holds,
    selected,
)

Audit = Callable[[Page], None]

ROUND_DATES = ("submission_starts_at", "review_starts_at", "vote_starts_at", "vote_ends_at",
               "follow_up_starts_at")
TIMEZONE = "Europe/Paris"
TITLE = "Vote des Tilleuls"
PROJECTS = (("Fête des voisins", 80_000), ("Bancs au square", 120_000),
            ("Atelier vélo", 45_000))
FORM_ERRORS = "Le formulaire contient des erreurs"
SHARE = re.compile(r"^FPH-\d+-G[1-3](-[A-Z2-7]{4})+(-[A-Z2-7]{1,4})?$")


# --- Seeding -----------------------------------------------------------------------------


def _dates(phase: str) -> dict[str, Any]:
    """The dates that put a round in ``phase`` now, by the real clock."""
    now = clock.now()
    return {name: now + offset * factories.DAY
            for name, offset in zip(ROUND_DATES, factories.PHASE_OFFSETS[phase], strict=True)}


def _move(seed: Session, round_id: int, phase: str) -> Round:
    """The round, its dates changed so that it is in ``phase`` now (not committed)."""
    seed.expire_all()
    round_ = seed.get(Round, round_id)
    assert round_ is not None
    for name, value in _dates(phase).items():
        setattr(round_, name, value)
    seed.flush()
    return round_


# --- Pages -------------------------------------------------------------------------------


def _receive_share(page: Page, audit: Audit, round_id: int, name: str,
                   keep_in: Path) -> tuple[str, Path]:
    """On the trustee's page, receive the share once: read it off the sheet, check its QR
    code, save the file; then come back and find it no longer offered."""
    trustee_path = f"/fph/{round_id}/garant"
    expect(page).to_have_url(re.compile(f"{trustee_path}$"))
    heading(page, "Votre part de clé")
    expect(page.get_by_text(f"Vous êtes garant de l’urne de « {TITLE} »")).to_be_visible()
    expect(page.get_by_role("heading", name="Avant de continuer")).to_be_visible()
    audit(page)
    page.get_by_role("button", name="Recevoir ma part de clé").click()

    heading(page, re.compile(r"^Part de clé du garant [1-3]$"))
    expect(page.get_by_role("status")).to_contain_text("elle ne s’affichera plus jamais")
    expect(fact(page, "Garant")).to_have_text(name)
    expect(fact(page, "Vote")).to_have_text(f"{TITLE} — Les Tilleuls")
    share = page.locator(".share-text code").inner_text()
    assert SHARE.fullmatch(share), share
    parsed = box.parse_share(share)
    assert parsed.round_id == round_id
    position = parsed.position
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Part de clé du garant {position}")
    qr = page.get_by_role("img", name="Code QR de la part de clé")
    expect(qr).to_be_visible()
    qr_holds(qr, share)
    expect(page.get_by_role("button", name="Imprimer")).to_be_visible()
    fits(page)
    audit(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le fichier").click()
    download = download_info.value
    assert download.suggested_filename == f"fph-{round_id}-garant-{position}.txt"
    kept = keep_in / download.suggested_filename
    download.save_as(kept)
    assert share in kept.read_text(encoding="utf-8").splitlines()

    # Reloaded (the browser sends the form again), or opened again: never shown again.
    page.reload()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("^Part de clé"))
    expect(page.locator(".share-text")).to_have_count(0)
    assert share not in page.content()
    page.goto(trustee_path)
    heading(page, "Votre part de clé")
    expect(page.get_by_text("Vous avez reçu votre part le")).to_be_visible()
    expect(page.get_by_role("button", name="Recevoir ma part de clé")).to_have_count(0)
    expect(page.locator(".share-text")).to_have_count(0)
    assert share not in page.content()
    audit(page)
    return share, kept


# --- The journey ---------------------------------------------------------------------------


def test_trustees_receive_their_shares_then_two_open_the_box_on_a_tablet(
        tablet: Page, seed: Session, mailbox: Mailbox, audit: Audit, tmp_path: Path) -> None:
    page = tablet
    contract = factories.make_contract(seed)
    quartier = factories.make_quartier(seed, contract, name="Les Tilleuls", commune="Testville")
    elsewhere = factories.make_quartier(seed, contract, name="Les Érables", commune="Testville")
    fund = factories.make_fund(seed, quartier, vote_method="approval", approval_min=1,
                               approval_max=3)
    round_ = factories.make_round(seed, fund, "review", title=TITLE, **_dates("review"))
    projects = {title: factories.make_project(seed, round_, title=title,
                                              amount_cents=cents).id
                for title, cents in PROJECTS}
    pilot = factories.make_user(seed, display_name="Paula", roles=[(Role.PILOT, None)])
    moussa = factories.make_user(seed, display_name="Moussa",
                                 roles=[(Role.MODERATOR, quartier)])
    leila = factories.make_user(seed, display_name="Leïla", roles=[(Role.MODERATOR, quartier)])
    factories.make_user(seed, display_name="Karim", roles=[(Role.MODERATOR, elsewhere)])
    factories.make_user(seed, display_name="Nadia")
    round_id = round_.id
    ids = {"Paula": pilot.id, "Moussa": moussa.id}
    emails = {"Paula": address_of(pilot), "Moussa": address_of(moussa),
              "Leïla": address_of(leila)}
    seed.commit()
    trustees_path = f"/admin/fph/sessions/{round_id}/garants"

    # --- The pilot names the bureau de vote.
    log_in(page, audit, emails["Paula"])
    page.goto("/admin/fph")
    heading(page, "Fonds de participation des habitants")
    item = page.get_by_role("listitem").filter(
        has=page.get_by_role("link", name=TITLE, exact=True))
    expect(item).to_contain_text("(urne pas encore scellée)")
    audit(page)
    item.get_by_role("link", name=f"Garants de l’urne {TITLE}").click()
    expect(page).to_have_url(re.compile(f"{trustees_path}$"))
    heading(page, f"Garants de l’urne — {TITLE}")
    expect(page.get_by_text("Si trop de parts sont perdues, personne ne pourra plus ouvrir "
                            "l’urne")).to_be_visible()
    bureau = page.get_by_role("group", name="Garants de l’urne")
    # The pilots and the moderators of this quartier only.
    expect(bureau.get_by_role("checkbox")).to_have_count(3)
    for name in ("Leïla", "Moussa", "Paula"):
        expect(bureau.get_by_role("checkbox", name=name, exact=True)).not_to_be_checked()
    expect(selected(page, "Parts nécessaires pour ouvrir l’urne")).to_have_text("2")
    fits(page)
    audit(page)

    # One trustee is not a bureau: told next to the list, the choice kept.
    bureau.get_by_role("checkbox", name="Paula", exact=True).check()
    page.get_by_role("button", name="Nommer les garants").click()
    heading(page, f"Garants de l’urne — {TITLE}")
    expect(page.get_by_role("alert")).to_contain_text(FORM_ERRORS)
    expect(bureau).to_have_accessible_description(re.compile("Choisissez de 2 à 7 garants.$"))
    expect(bureau.get_by_role("checkbox", name="Paula", exact=True)).to_be_checked()
    audit(page)

    bureau.get_by_role("checkbox", name="Leïla", exact=True).check()
    bureau.get_by_role("checkbox", name="Moussa", exact=True).check()
    page.get_by_role("button", name="Nommer les garants").click()
    expect(page).to_have_url(re.compile(f"{trustees_path}$"))
    flash(page, "Les garants sont nommés.")
    named = page.locator("h2:has-text('Garants nommés') + ul").get_by_role("listitem")
    expect(named).to_have_text([re.compile(f"^{name} — part pas encore reçue$")
                                for name in ("Leïla", "Moussa", "Paula")])
    fits(page)
    audit(page)

    # Each trustee is told by mail where to receive their share.
    links = {}
    for name, address in emails.items():
        mail = mailbox.last_to(address)
        assert mail["Subject"] == f"Vous êtes garant de l’urne « {TITLE} »"
        assert f"Bonjour {name}," in mailbox.body(mail)
        links[name] = urlsplit(mailbox.link(mail, f"/fph/{round_id}/garant")).path

    # --- Each trustee receives their share, the pilot first, from the round's page.
    page.goto(f"/fph/{round_id}")
    heading(page, TITLE)
    waiting = page.get_by_role("status").filter(has_text="Vous êtes garant de cette urne")
    expect(waiting).to_be_visible()
    expect(page.get_by_role("region", name="L’urne")).to_have_count(0)  # nothing sealed yet
    audit(page)
    waiting.get_by_role("link").click()
    shares = {"Paula": _receive_share(page, audit, round_id, "Paula", tmp_path)}
    page.goto(f"/fph/{round_id}")
    expect(page.get_by_text("Vous êtes garant de cette urne")).to_have_count(0)
    log_out(page)

    for name in ("Leïla", "Moussa"):
        log_in(page, audit, emails[name], links[name], check=False)
        shares[name] = _receive_share(page, audit, round_id, name, tmp_path)
        log_out(page)
    assert len({box.parse_share(text).position for text, _ in shares.values()}) == 3

    # With the third share handed out, the box is sealed, empty.
    page.goto(f"/fph/{round_id}")
    heading(page, TITLE)
    sealed = page.get_by_role("region", name="L’urne")
    expect(sealed).to_contain_text("Chaque bulletin est chiffré dès qu’il est déposé. Personne "
                                   "ne peut le lire avant le dépouillement, qui demande les "
                                   "parts de clé de 2 garants.")
    expect(sealed).to_contain_text("Scellé de l’urne vide, le ")
    expect(sealed.locator("code.seal")).to_have_text([box.EMPTY_SEAL])
    fits(page)
    audit(page)

    log_in(page, audit, emails["Paula"], trustees_path, check=False)
    heading(page, f"Garants de l’urne — {TITLE}")
    expect(named).to_have_text([re.compile(f"^{name} — part reçue le ")
                                for name in ("Leïla", "Moussa", "Paula")])
    expect(page.get_by_text(re.compile("^L’urne est scellée depuis le "))).to_be_visible()
    expect(page.get_by_role("button", name="Nommer les garants")).to_have_count(0)
    audit(page)
    page.goto("/admin/fph")
    expect(item).not_to_contain_text("urne pas encore scellée")
    audit(page)

    # --- The vote opens, three residents vote, the vote closes.
    round_ = _move(seed, round_id, "vote")
    now = clock.now()
    receipts = [
        services.cast(seed, round_, services.Declaration(f"Votant {n}", date(1980, 1, 1 + n),
                                                         True),
                      {projects[t]: 1 for t in titles}, channel=Channel.ONLINE, user=None,
                      now=now, today=clock.local_day(now, TIMEZONE))
        for n, titles in enumerate([["Fête des voisins"],
                                    ["Fête des voisins", "Atelier vélo"],
                                    ["Bancs au square"]])]
    _move(seed, round_id, "counting")
    seed.commit()

    # --- Paula and Moussa open the box at the pilot's tablet.
    page.goto(f"/fph/{round_id}")
    heading(page, TITLE)
    expect(page.get_by_text("Vote clos, dépouillement en cours")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Dépouillement").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/depouillement$"))
    heading(page, "Dépouillement")
    expect(fact(page, "Bulletins dans l’urne")).to_have_text("3")
    expect(fact(page, "Scellé")).to_have_text("intact : les bulletins chiffrés correspondent")
    first = page.get_by_label("Part de clé du garant 1")
    second = page.get_by_label("Part de clé du garant 2")
    files = page.get_by_label("ou son fichier (.txt)")
    expect(files).to_have_count(2)
    fits(page)
    audit(page)

    # The same share twice: told next to the second one, nothing is counted.
    first.fill(shares["Paula"][0])
    second.fill(shares["Paula"][0])
    page.get_by_role("button", name="Ouvrir l’urne et compter").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/depouillement$"))
    heading(page, "Dépouillement")
    expect(page.get_by_role("alert")).to_contain_text(FORM_ERRORS)
    twice = "Cette part a déjà été saisie. Il faut les parts de garants différents."
    expect(page.locator("#share_2-error")).to_have_text(twice)
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(second).to_have_accessible_description(re.compile(f"{re.escape(twice)}$"))
    expect(first).not_to_have_attribute("aria-invalid", "true")
    expect(first).to_have_value(shares["Paula"][0])
    expect(fact(page, "Bulletins dans l’urne")).to_have_text("3")
    fits(page)
    audit(page)
    seed.expire_all()
    assert seed.scalar(select(Round.count_confirmed_at).where(Round.id == round_id)) is None
    assert seed.scalar(select(func.count()).select_from(Ballot)
                       .where(Ballot.round_id == round_id)) == 0
    seed.rollback()

    # Paula's typed, Moussa's file: the box opens, the results wait for the pilot.
    second.fill("")
    files.nth(1).set_input_files(shares["Moussa"][1])
    page.get_by_role("button", name="Ouvrir l’urne et compter").click()
    expect(page).to_have_url(re.compile(f"/fph/{round_id}/resultats$"))
    heading(page, "Résultats")
    flash(page, "L’urne est ouverte et les bulletins sont comptés.")
    expect(page.get_by_text("Ces résultats ne sont pas encore publiés.")).to_be_visible()
    audit(page)
    page.get_by_role("link", name="Publier les résultats").click()
    heading(page, "Publier les résultats")
    page.get_by_role("button", name="Confirmer : publier les résultats").click()
    flash(page, "Les résultats sont publiés.")
    table = page.get_by_role("region", name="Projets et scores")
    for title, score in (("Fête des voisins", "2"), ("Bancs au square", "1"),
                         ("Atelier vélo", "1")):
        expect(table.get_by_role("row").filter(has_text=title).get_by_role("cell").nth(1)
               ).to_have_text(score)
    expect(fact(page, "Votants")).to_contain_text("3")
    trackers = page.get_by_role("link", name="Télécharger les empreintes")
    expect(trackers).to_have_attribute("href", f"/fph/{round_id}/empreintes.txt")
    seal = page.locator("p", has_text="Scellé de l’urne au dépouillement").locator("code")
    expect(seal).to_have_text(re.compile("^[0-9a-f]{64}$"))
    fits(page)
    audit(page)

    # Every voter finds their receipt in the trackers, and they add up to the seal.
    answer = page.request.get(f"/fph/{round_id}/empreintes.txt")
    assert answer.ok
    listed = [line for line in answer.text().splitlines() if not line.startswith("#")]
    assert sorted(box.receipt(tracker) for tracker in listed) == sorted(receipts)
    assert box.seal_of(listed) == seal.inner_text()

    # The box was opened by the shares typed in: Paula's and Moussa's.
    seed.expire_all()
    counted = seed.get(Round, round_id)
    assert counted is not None
    assert counted.results_published_at is not None
    assert (counted.count_started_by_id, counted.count_confirmed_by_id) == (
        ids["Paula"], ids["Moussa"])
    assert seed.scalar(select(func.count()).select_from(Ballot)
                       .where(Ballot.round_id == round_id)) == 3
    assert seed.scalar(select(func.count()).select_from(SealedBallot)
                       .where(SealedBallot.round_id == round_id)) == 3
    seed.rollback()
