"""A quartier's letter without an account: the request and its double opt-in, links that
expire, the one-click way out of RFC 8058, and what pilots see of the addresses."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts import services as accounts
from civic.accounts import throttle
from civic.core.audit import AuditEntry
from civic.outreach import digest, newsletter
from civic.outreach.models import LetterSubscription
from tests import factories
from tests.factories import NOW
from tests.test_hostile_input import HOSTILE

SECRET = "tests-only-secret"


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _ask(client: Any, quartier: Any, address: str = "voisine@example.org",
         language: str = "fr", **extra: str) -> Any:
    return client.post("/lettre", data={"email": address, "quartier_id": str(quartier.id),
                                        "language": language, **extra})


def _main(response: Any) -> str:
    """What the page says (the head names the page's own address)."""
    text = _text(response)
    return text[text.index("<main"):text.index("</main>")]


def _link(outbox: Any, path: str, message: Any = None) -> str:
    """The path of the only link of the last mail that starts with ``path``."""
    message = message or outbox.messages[-1]
    [found] = re.findall(rf"http://localhost({path}\S+)", outbox.body(message))
    return str(found)


def _row(db: Any, address: str = "voisine@example.org") -> LetterSubscription | None:
    db.expire_all()
    return db.scalar(select(LetterSubscription).where(LetterSubscription.email == address))


def _subscribed(db: Any, quartier: Any, address: str, *, when: Any = NOW,
                confirmed: bool = True, language: str = "fr") -> newsletter.Asked:
    asked = newsletter.subscribe(db, {"email": address, "quartier": quartier,
                                      "language": language}, secret=SECRET,
                                 languages=("fr", "en", "ar"), now=when)
    if confirmed:
        newsletter.confirm(db, asked.token, now=when, hours=48)
    return asked


@pytest.fixture
def csrf_on(app: Any, monkeypatch: Any) -> None:
    """Forms need their token, as on the site: the one-click way out must not."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


# --- Asking and confirming -------------------------------------------------------------


def test_the_page_offers_the_quartier_of_the_link_in_the_readers_language(
        client: Any, db: Any, quartier: Any, other_quartier: Any) -> None:
    page = _text(client.get(f"/lettre?quartier={other_quartier.code}",
                            headers={"Accept-Language": "ar"}))
    assert f'<option selected value="{other_quartier.id}">Le Parc</option>' in page
    assert '<option selected value="ar">' in page
    assert 'name="website"' in page  # the trap for robots


def test_a_resident_asks_confirms_and_only_then_is_on_the_list(
        client: Any, db: Any, quartier: Any, outbox: Any, csrf_on: Any) -> None:
    form = _text(client.get("/lettre"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token is not None
    asked = _ask(client, quartier, "Voisine@Example.org ", csrf_token=token.group(1))
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/lettre/verifiez-vos-mails"
    assert "48 heures" in _text(client.get("/lettre/verifiez-vos-mails"))
    found = _row(db)
    assert found is not None
    assert found.confirmed_at is None
    [message] = outbox.messages
    assert message["To"] == "voisine@example.org"
    assert "Les Tilleuls" in str(message["Subject"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/lettre/desabonnement/" in str(message["List-Unsubscribe"])
    confirm = _link(outbox, "/lettre/confirmer/")

    shown = client.get(confirm)  # a mail scanner opening the link confirms nothing
    assert shown.status_code == 200
    assert "Oui, je veux recevoir la lettre" in _text(shown)
    found = _row(db)
    assert found is not None
    assert found.confirmed_at is None
    refused = client.post(confirm)  # without the page's token
    assert refused.status_code == 400
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', _text(shown))
    assert csrf is not None
    done = client.post(confirm, data={"csrf_token": csrf.group(1)})
    assert done.status_code == 200
    assert "C’est confirmé" in _text(done)
    found = _row(db)
    assert found is not None
    assert found.confirmed_at == NOW
    again = client.post(confirm, data={"csrf_token": csrf.group(1)})
    assert "C’est déjà confirmé" in _text(again)
    # The token is not kept, only its fingerprint.
    assert confirm.rsplit("/", 1)[1] not in (found.token_hash, found.token_seed.hex())


@pytest.mark.parametrize(("hours", "works"), [(47, True), (48, False), (49, False)])
def test_a_confirmation_link_expires_after_48_hours(db: Any, quartier: Any, hours: int,
                                                    works: bool) -> None:
    asked = _subscribed(db, quartier, "tard@example.org", when=NOW - timedelta(hours=hours),
                        confirmed=False)
    state = newsletter.confirm(db, asked.token, now=NOW, hours=48)
    assert state == (newsletter.CONFIRMED if works else newsletter.EXPIRED)
    assert (asked.subscription.confirmed_at is not None) is works


def test_the_expiry_is_a_setting_and_the_page_says_the_link_is_dead(
        app: Any, client: Any, db: Any, quartier: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "LETTER_CONFIRM_HOURS", 2)
    asked = _subscribed(db, quartier, "tard@example.org", when=NOW - timedelta(hours=3),
                        confirmed=False)
    answer = client.post(f"/lettre/confirmer/{asked.token}")
    assert answer.status_code == 400
    assert "Ce lien ne marche plus" in _text(answer)
    assert asked.subscription.confirmed_at is None
    assert client.get("/lettre/confirmer/not-a-token").status_code == 400


def test_asking_again_sends_a_new_link_and_the_old_one_stops(
        client: Any, db: Any, quartier: Any, outbox: Any) -> None:
    _ask(client, quartier)
    first = _link(outbox, "/lettre/confirmer/")
    for path in outbox.directory.glob("*.eml"):
        path.unlink()
    _ask(client, quartier, "voisine@example.org", "en")
    second = _link(outbox, "/lettre/confirmer/")
    assert first != second
    assert client.post(first).status_code == 400
    assert client.post(second).status_code == 200
    found = _row(db)
    assert found is not None
    assert (found.language, found.confirmed_at) == ("en", NOW)


def test_asking_for_an_address_on_the_list_changes_nothing_and_says_how_to_leave(
        client: Any, db: Any, quartier: Any, outbox: Any) -> None:
    _subscribed(db, quartier, "voisine@example.org", language="fr")
    answer = _ask(client, quartier, "voisine@example.org", "en")
    assert answer.headers["Location"] == "/lettre/verifiez-vos-mails"  # the same answer
    [message] = outbox.messages
    assert "déjà" in str(message["Subject"])
    assert "/lettre/confirmer/" not in outbox.body(message)
    assert "/lettre/desabonnement/" in outbox.body(message)
    found = _row(db)
    assert found is not None
    assert found.language == "fr"  # asking is not confirming: nothing changes


def test_asking_is_limited_per_address(app: Any, client: Any, db: Any, quartier: Any,
                                       outbox: Any, monkeypatch: Any) -> None:
    guard = throttle.from_config({**app.config, "RATELIMIT_ENABLED": True,
                                  "RATELIMIT_STORAGE_URI": "memory://"})
    monkeypatch.setitem(app.extensions, "civic.throttle", guard)
    codes = [_ask(client, quartier).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert "Trop de demandes : réessayez dans" in _text(_ask(client, quartier))
    assert len(outbox.messages) == 3
    assert _ask(client, quartier, "autre@example.org").status_code == 302


@pytest.mark.parametrize("field", ["email", "quartier_id", "language"])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_refused_next_to_its_field(client: Any, db: Any, quartier: Any,
                                                    outbox: Any, field: str,
                                                    value: str) -> None:
    data = {"email": "voisine@example.org", "quartier_id": str(quartier.id), "language": "fr",
            field: value}
    answer = client.post("/lettre", data=data)
    assert answer.status_code == 400
    page = _text(answer)
    assert f'id="{field}-error"' in page
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert outbox.messages == []
    assert db.scalar(select(LetterSubscription)) is None


def test_a_robot_filling_the_trap_gets_nothing(client: Any, db: Any, quartier: Any,
                                               outbox: Any) -> None:
    answer = _ask(client, quartier, website="http://spam.example")
    assert answer.status_code == 400
    assert outbox.messages == []


# --- Leaving ---------------------------------------------------------------------------


def test_one_click_unsubscribe_works_without_a_session_and_twice(
        app: Any, db: Any, quartier: Any, csrf_on: Any) -> None:
    asked = _subscribed(db, quartier, "voisine@example.org")
    url = f"/lettre/desabonnement/{asked.token}"
    fresh = app.test_client()  # no cookie, no session, no form token: a mail provider
    assert fresh.get(url).status_code == 200
    assert _row(db) is not None  # a GET never unsubscribes (mail scanners open links)
    first = fresh.post(url, data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert first.status_code == 200
    assert _row(db) is None
    second = fresh.post(url, data="List-Unsubscribe=One-Click",
                        content_type="application/x-www-form-urlencoded")
    unknown = fresh.post("/lettre/desabonnement/nothing-like-a-token",
                         data="List-Unsubscribe=One-Click",
                         content_type="application/x-www-form-urlencoded")
    assert second.status_code == unknown.status_code == 200
    # Nothing says who was there.
    assert _main(first) == _main(second) == _main(unknown)


def test_the_unsubscribe_page_has_a_button_and_leaves_the_address(
        client: Any, db: Any, quartier: Any, outbox: Any) -> None:
    _ask(client, quartier)
    leave = _link(outbox, "/lettre/desabonnement/")
    page = _text(client.get(leave))
    assert "Me désabonner" in page
    assert f'action="{leave}"' in page
    assert "C’est fait" in _text(client.post(leave))
    assert _row(db) is None


def test_unconfirmed_addresses_are_forgotten_once_their_link_expired(
        app: Any, db: Any, quartier: Any) -> None:
    _subscribed(db, quartier, "vieux@example.org", when=NOW - timedelta(hours=49),
                confirmed=False)
    _subscribed(db, quartier, "recent@example.org", when=NOW - timedelta(hours=1),
                confirmed=False)
    _subscribed(db, quartier, "lecteur@example.org", when=NOW - timedelta(days=90))
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("civic.outreach.digest.commit", lambda session: session.flush())
        said = digest.forget()
    assert said.startswith("1 unconfirmed")
    assert {s.email for s in db.scalars(select(LetterSubscription))} == {
        "recent@example.org", "lecteur@example.org"}


# --- What pilots see -------------------------------------------------------------------


def test_pilots_see_counts_by_quartier_never_the_addresses(
        login_as: Any, db: Any, people: dict, quartier: Any, other_quartier: Any) -> None:
    _subscribed(db, quartier, "une@example.org")
    _subscribed(db, quartier, "deux@example.org")
    _subscribed(db, quartier, "pas-encore@example.org", confirmed=False)
    page = _text(login_as(people["pilot"]).get("/admin/lettres"))
    assert re.search(r"Les Tilleuls</bdi></th>\s*<td class=\"num\">2</td>", page)
    assert re.search(r"Le Parc</bdi></th>\s*<td class=\"num\">0</td>", page)
    assert "@example.org" not in page
    for who in ("resident", "moderator", "animator", "signatory"):
        assert login_as(people[who]).get("/admin/lettres").status_code == 403


def test_an_export_needs_a_reason_and_the_journal_keeps_it_without_the_addresses(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    _subscribed(db, quartier, "une@example.org")
    _subscribed(db, quartier, "=cmd@example.org")
    _subscribed(db, quartier, "pas-encore@example.org", confirmed=False)
    client = login_as(people["pilot"])
    url = f"/admin/lettres/{quartier.id}/adresses"
    refused = client.post(url, data={"reason": "   "})
    assert refused.status_code == 400
    assert "Écrivez la raison de cet export." in _text(refused)
    assert db.scalar(select(AuditEntry).where(
        AuditEntry.action == "outreach.letter_exported")) is None
    answer = client.post(url, data={"reason": "Invitation à la fête de quartier"})
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    csv = _text(answer)
    assert "une@example.org" in csv
    assert "'=cmd@example.org" in csv  # never read as a formula
    assert "pas-encore" not in csv
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "outreach.letter_exported"))
    assert entry is not None
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        people["pilot"].id, "quartier", str(quartier.id))
    assert entry.details == {"reason": "Invitation à la fête de quartier", "count": 2}
    assert login_as(people["moderator"]).post(url, data={"reason": "x"}).status_code == 403
    assert login_as(people["pilot"]).get("/admin/lettres/99999/adresses").status_code == 404


def test_my_data_shows_the_letters_of_my_address(db: Any, quartier: Any) -> None:
    resident = factories.make_user(db, email="moi@example.org")
    _subscribed(db, quartier, "moi@example.org", language="en")
    _subscribed(db, quartier, "autre@example.org")
    exported = accounts.export_data(db, resident)
    assert [(s["quartier"], s["email"], s["language"]) for s in exported["mail"]["letters"]] \
        == [(quartier.code, "moi@example.org", "en")]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_reasons_never_break_the_export(login_as: Any, db: Any, people: dict,
                                                quartier: Any, value: str) -> None:
    _subscribed(db, quartier, "une@example.org")
    answer = login_as(people["pilot"]).post(f"/admin/lettres/{quartier.id}/adresses",
                                            data={"reason": value})
    assert answer.status_code in (200, 400)
    assert "<script>alert" not in _text(answer)
    logged = db.scalar(select(AuditEntry).where(AuditEntry.action == "outreach.letter_exported"))
    assert (answer.status_code == 200) is (logged is not None)
    if answer.status_code == 400:
        assert 'id="reason-error"' in _text(answer)
