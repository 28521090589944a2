"""The second step at login: the app's codes, recovery codes and security keys, in the
services and through the pages, and the rule that a role waits for a second step.

Security keys are played by ``SoftKey``, an authenticator in software: an ES256 key pair
that answers as a browser and a key do (attestation "none"), so every answer goes through
py_webauthn's real checks. One real answer recorded by py_webauthn's own tests is kept too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import timedelta
from typing import Any

import cbor2
import pyotp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from civic.accounts import second_factor
from civic.accounts.models import RecoveryCode, Role, SecurityKey, TotpApp, User
from civic.accounts.second_factor import Keys, RelyingParty, SecondFactorError
from civic.accounts.second_factor_views import PENDING
from civic.core.audit import AuditEntry
from civic.core.permissions import can
from tests import factories
from tests.factories import NOW, PASSWORD

KEYS = Keys.derive(factories.SECRET_KEY)
#: A site at 127.0.0.1:5000, for the services (the pages use the app's ``BASE_URL``).
SITE = RelyingParty.from_base_url("http://127.0.0.1:5000")
STEP = timedelta(seconds=second_factor.TOTP_PERIOD)
SECOND_STEP = "/connexion/deuxieme-etape"
#: Pages that each need a role; an account whose roles wait gets none of them.
STAFF_PAGES = ["/admin/", "/admin/roles", "/admin/journal", "/admin/courriels",
               "/admin/quartiers", "/admin/fph", "/evenements/gerer", "/moderation",
               "/permanence", "/pilotage", "/pilotage/cooperatif", "/signataire",
               "/compte/jetons"]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftKey:
    """A security key in software (ES256, attestation "none")."""

    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _public_cose(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def _authenticator_data(self, rp_id: str, flags: int, attested: bytes = b"") -> bytes:
        return (hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
                + self.sign_count.to_bytes(4, "big") + attested)

    def create(self, options: str, origin: str = SITE.origin) -> dict[str, Any]:
        """What navigator.credentials.create() sends back for these options."""
        asked = json.loads(options)
        attested = (bytes(16) + len(self.credential_id).to_bytes(2, "big")
                    + self.credential_id + self._public_cose())
        data = self._authenticator_data(asked["rp"]["id"], 0x01 | 0x04 | 0x40, attested)
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {
                    "clientDataJSON": b64(self._client_data("webauthn.create",
                                                            asked["challenge"], origin)),
                    "attestationObject": b64(cbor2.dumps(
                        {"fmt": "none", "attStmt": {}, "authData": data}))}}

    def get(self, options: str, origin: str = SITE.origin) -> dict[str, Any]:
        """What navigator.credentials.get() sends back for these options."""
        asked = json.loads(options)
        self.sign_count += 1
        data = self._authenticator_data(asked["rpId"], 0x01 | 0x04)
        client_data = self._client_data("webauthn.get", asked["challenge"], origin)
        signature = self.private.sign(data + hashlib.sha256(client_data).digest(),
                                      ec.ECDSA(hashes.SHA256()))
        return {"id": b64(self.credential_id), "rawId": b64(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64(client_data),
                             "authenticatorData": b64(data), "signature": b64(signature),
                             "userHandle": None}}


def code_at(moment: Any, secret: str = factories.TOTP_SECRET) -> str:
    return pyotp.TOTP(secret).at(moment)


def enrolled_app(db: Any, user: User) -> str:
    """Set up an app for ``user`` through the services; its secret."""
    secret = second_factor.start_app(db, user, KEYS, now=NOW)
    second_factor.confirm_app(db, user, code_at(NOW, secret), KEYS, now=NOW)
    return secret


def actions(db: Any, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- The rule: a role waits for a second step ------------------------------------------


def test_the_factories_and_the_app_share_the_secret_key(app: Flask) -> None:
    assert app.config["SECRET_KEY"] == factories.SECRET_KEY


def test_a_role_takes_effect_only_with_a_second_step(db: Any, quartier: Any,
                                                     unenrolled: User) -> None:
    assert unenrolled.holds_grant(Role.PILOT)
    for action, target in (("admin.access", None), ("accounts.manage_roles", None),
                           ("quartier.moderate", quartier), ("quartier.animate", quartier),
                           ("pilotage.cooperative", None), ("pilotage.dashboard", None),
                           ("ideas.signatory_space", None), ("permanence.hub", None)):
        assert not can(unenrolled, action, target, now=NOW), action
    assert unenrolled.quartier_ids_for(Role.MODERATOR) == set()
    assert second_factor.must_enrol(unenrolled)

    enrolled_app(db, unenrolled)
    assert can(unenrolled, "admin.access", now=NOW)
    assert can(unenrolled, "quartier.moderate", quartier, now=NOW)
    assert unenrolled.quartier_ids_for(Role.MODERATOR) == {quartier.id}
    assert not second_factor.must_enrol(unenrolled)


def test_a_role_granted_again_while_waiting_is_still_refused_as_granted(
        db: Any, unenrolled: User, people: dict) -> None:
    from civic.accounts import services

    with pytest.raises(services.AccountError) as twice:
        services.grant_role(db, unenrolled, Role.PILOT, quartier_id=None, signatory_id=None,
                            actor=people["pilot"], now=NOW)
    assert twice.value.code == "already_granted"
    assert [g.role for g in unenrolled.roles].count("pilot") == 1


def test_a_resident_may_have_a_second_step_without_any_role(db: Any) -> None:
    resident = factories.make_user(db)
    assert not second_factor.must_enrol(resident)
    enrolled_app(db, resident)
    assert second_factor.has_second_factor(resident)
    assert not can(resident, "admin.access", now=NOW)


# --- The app's codes -------------------------------------------------------------------


def test_the_app_is_confirmed_by_a_current_code_and_its_secret_is_kept_encrypted(
        db: Any) -> None:
    user = factories.make_user(db)
    secret = second_factor.start_app(db, user, KEYS, now=NOW)
    assert secret == second_factor.start_app(db, user, KEYS, now=NOW)  # a reload: same QR
    with pytest.raises(SecondFactorError):
        second_factor.confirm_app(db, user, code_at(NOW - 5 * STEP, secret), KEYS, now=NOW)
    assert not second_factor.has_second_factor(user)

    assert second_factor.confirm_app(db, user, code_at(NOW, secret), KEYS, now=NOW) is True
    assert user.second_factor_at == NOW
    stored = db.get(TotpApp, user.id)
    assert stored.pending is None
    assert secret.encode() not in stored.secret
    assert base64.b32decode(secret) not in stored.secret
    # Another site's key (or a copy of the database without the key) opens nothing.
    other = Keys.derive("another site")
    assert not second_factor.check_app_code(db, user, code_at(NOW + STEP, secret), other,
                                            now=NOW + STEP)
    # The code that confirmed the app does not open a login.
    assert not second_factor.check_app_code(db, user, code_at(NOW, secret), KEYS, now=NOW)
    assert second_factor.check_app_code(db, user, code_at(NOW + STEP, secret), KEYS,
                                        now=NOW + STEP)


def test_codes_are_taken_within_one_step_either_side_and_never_twice(db: Any) -> None:
    user = factories.make_user(db)
    secret = enrolled_app(db, user)  # took the step of NOW
    now = NOW + 10 * STEP

    def check(code: str) -> bool:
        return second_factor.check_app_code(db, user, code, KEYS, now=now)

    assert not check(code_at(now + 2 * STEP, secret))  # too far ahead
    assert not check(code_at(now - 2 * STEP, secret))  # too old
    assert not check("12345")
    assert not check("abcdef")
    assert check(code_at(now - STEP, secret))  # the phone lags a little
    assert not check(code_at(now - STEP, secret))  # replayed
    assert check(" ".join([code_at(now, secret)[:3], code_at(now, secret)[3:]]))
    assert not check(code_at(now, secret))  # replayed
    assert not check(code_at(now - STEP, secret))  # older than one already taken
    assert check(code_at(now + STEP, secret))
    assert not check(code_at(now + STEP, secret))


def test_a_new_phone_replaces_the_old_one_only_once_confirmed(db: Any) -> None:
    user = factories.make_user(db)
    old = enrolled_app(db, user)
    new = second_factor.start_app(db, user, KEYS, now=NOW + STEP)
    assert new != old
    assert second_factor.check_app_code(db, user, code_at(NOW + STEP, old), KEYS,
                                        now=NOW + STEP)
    assert second_factor.confirm_app(db, user, code_at(NOW + 2 * STEP, new), KEYS,
                                     now=NOW + 2 * STEP) is False  # not the first step
    assert not second_factor.check_app_code(db, user, code_at(NOW + 3 * STEP, old), KEYS,
                                            now=NOW + 3 * STEP)
    assert second_factor.check_app_code(db, user, code_at(NOW + 3 * STEP, new), KEYS,
                                        now=NOW + 3 * STEP)


# --- Recovery codes --------------------------------------------------------------------


def test_recovery_codes_are_kept_as_hashes_and_each_opens_once(db: Any) -> None:
    user = factories.make_user(db)
    with pytest.raises(SecondFactorError):
        second_factor.new_recovery_codes(db, user, KEYS, now=NOW)
    enrolled_app(db, user)
    codes = second_factor.new_recovery_codes(db, user, KEYS, now=NOW)
    assert len(codes) == len(set(codes)) == 10
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    stored = [r.digest for r in db.scalars(select(RecoveryCode)
                                           .where(RecoveryCode.user_id == user.id))]
    assert len(stored) == 10
    assert not any(code.replace("-", "") in digest.upper() for code in codes
                   for digest in stored)

    other = factories.make_user(db)
    assert not second_factor.use_recovery_code(db, other, codes[0], KEYS, now=NOW)
    assert not second_factor.use_recovery_code(db, user, codes[0], Keys.derive("x"), now=NOW)
    assert not second_factor.use_recovery_code(db, user, "", KEYS, now=NOW)
    typed = " ".join(codes[0].lower().split("-"))  # as a person types it
    assert second_factor.use_recovery_code(db, user, typed, KEYS, now=NOW)
    assert not second_factor.use_recovery_code(db, user, codes[0], KEYS, now=NOW)
    assert second_factor.recovery_codes_left(db, user) == 9
    (used,) = actions(db, "accounts.recovery_code_used")
    assert used.details == {"left": 9}

    again = second_factor.new_recovery_codes(db, user, KEYS, now=NOW)
    assert not second_factor.use_recovery_code(db, user, codes[1], KEYS, now=NOW)
    assert second_factor.use_recovery_code(db, user, again[1], KEYS, now=NOW)


# --- Security keys ---------------------------------------------------------------------


def register(db: Any, user: User, key: SoftKey, name: str = "clé bleue") -> bool:
    asked = second_factor.registration_challenge(db, user, SITE)
    return second_factor.register_key(db, user, SITE, key.create(asked.options),
                                      asked.challenge, name, now=NOW)


def test_a_security_key_is_registered_then_opens_the_second_step(db: Any) -> None:
    user, key = factories.make_user(db), SoftKey()
    assert register(db, user, key) is True
    assert second_factor.has_second_factor(user)
    (stored,) = second_factor.keys_of(db, user)
    assert (stored.name, stored.credential_id) == ("clé bleue", key.credential_id)

    asked = second_factor.login_challenge(db, user, SITE)
    assert b64(key.credential_id) in asked.options
    answer = key.get(asked.options)
    assert second_factor.check_key(db, user, SITE, answer, asked.challenge,
                                   issued_at=NOW, now=NOW + STEP)
    # The same answer, sent again (a copy of the request), opens nothing.
    assert not second_factor.check_key(db, user, SITE, answer, asked.challenge,
                                       issued_at=NOW, now=NOW + 2 * STEP)
    assert db.get(SecurityKey, stored.id).sign_count == 1

    later = second_factor.login_challenge(db, user, SITE)
    assert second_factor.check_key(db, user, SITE, key.get(later.options), later.challenge,
                                   issued_at=NOW + 3 * STEP, now=NOW + 3 * STEP)


def test_forged_or_misdirected_key_answers_are_refused(db: Any) -> None:
    user, key = factories.make_user(db), SoftKey()
    asked = second_factor.registration_challenge(db, user, SITE)
    for answer, challenge in (
            (key.create(asked.options, origin="https://evil.example"), asked.challenge),
            (key.create(asked.options), os.urandom(32)),
            ({"id": "x"}, asked.challenge), ("not json", asked.challenge)):
        with pytest.raises(SecondFactorError) as refused:
            second_factor.register_key(db, user, SITE, answer, challenge, "k", now=NOW)
        assert refused.value.code == "key_refused"
    assert not second_factor.has_second_factor(user)

    register(db, user, key)
    someone = factories.make_user(db)
    with pytest.raises(SecondFactorError) as taken:
        register(db, someone, key)  # the same key again, for another account
    assert taken.value.code == "key_known"

    asked = second_factor.login_challenge(db, user, SITE)

    def check(answer: Any, challenge: bytes = asked.challenge, who: User = user) -> bool:
        return second_factor.check_key(db, who, SITE, answer, challenge, issued_at=NOW,
                                       now=NOW)

    assert not check(key.get(asked.options, origin="https://evil.example"))
    assert not check(key.get(asked.options), challenge=os.urandom(32))
    assert not check(SoftKey().get(asked.options))  # a key nobody registered
    assert not check(key.get(asked.options), who=someone)  # not this account's key
    assert not check("{}")
    forged = key.get(asked.options)
    forged["response"]["signature"] = b64(b"0" * 70)
    assert not check(forged)
    assert check(key.get(asked.options))
    key.sign_count -= 1  # a copy of the key, whose counter did not move on with it
    later = second_factor.login_challenge(db, user, SITE)
    assert not second_factor.check_key(db, user, SITE, key.get(later.options),
                                       later.challenge, issued_at=NOW + STEP, now=NOW + STEP)


def test_a_real_browser_answer_recorded_by_py_webauthn_is_taken(db: Any) -> None:
    """py_webauthn's own test of a "none" attestation (localhost:5000)."""
    raw_id = ("9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY49"
              "4k7Q3xrs_w")
    attestation = ("o2NmbXRkbm9uZWdhdHRTdG10oGhhdXRoRGF0YVjESZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzz"
                   "uoMdl2NFAAAAFwAAAAAAAAAAAAAAAAAAAAAAQPctcQPE5oNRRJk_nO_371mf7qE7qIodzr0eOf6A"
                   "CvnMB1oQG165dqutoi1U44shGezu5_gkTjmOPeJO0N8a7P-lAQIDJiABIVggSFbUJF-42Ug3pdM8"
                   "rDRFu_N5oiVEysPDB6n66r_7dZAiWCDUVnB39FlGypL-qAoIO9xWHtJygo2jfDmHl-_eKFRLDA")
    client_data = ("eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiVHdON240V1R5R0tMYzRaWS1x"
                   "R3NGcUtuSE00bmdscXN5VjBJQ0psTjJUTzlYaVJ5RnRya2FEd1V2c3FsLWdrTEpYUDZmbkYxTWxy"
                   "WjUzTW00UjdDdnciLCJvcmlnaW4iOiJodHRwOi8vbG9jYWxob3N0OjUwMDAiLCJjcm9zc09yaWdp"
                   "biI6ZmFsc2V9")
    credential = {
        "id": raw_id, "rawId": raw_id,
        "response": {"attestationObject": attestation, "clientDataJSON": client_data},
        "type": "public-key", "clientExtensionResults": {}, "transports": ["nfc", "usb"]}
    challenge = unb64("TwN7n4WTyGKLc4ZY-qGsFqKnHM4nglqsyV0ICJlN2TO9XiRyFtrkaDwUvsql-gkLJXP6fnF1MlrZ"
                      "53Mm4R7Cvw")
    user = factories.make_user(db)
    localhost = RelyingParty.from_base_url("http://localhost:5000")
    assert second_factor.register_key(db, user, localhost, credential, challenge, "YubiKey",
                                      now=NOW)
    with pytest.raises(SecondFactorError):  # the same answer, for the site at 127.0.0.1
        second_factor.register_key(db, factories.make_user(db), SITE, credential, challenge,
                                   "YubiKey", now=NOW)


def test_the_site_s_identity_comes_from_its_address() -> None:
    site = RelyingParty.from_base_url("https://Participation.Example.FR/civic")
    assert (site.id, site.origin) == ("participation.example.fr",
                                      "https://participation.example.fr")
    assert RelyingParty.from_base_url("http://localhost:8000").origin == "http://localhost:8000"


# --- Removing, resetting, erasing ------------------------------------------------------


def test_removing_the_last_way_in_ends_the_second_step_and_its_codes(db: Any) -> None:
    user, key = factories.make_user(db), SoftKey()
    enrolled_app(db, user)
    register(db, user, key)
    second_factor.new_recovery_codes(db, user, KEYS, now=NOW)
    second_factor.remove_app(db, user, now=NOW)
    assert second_factor.has_second_factor(user)  # the key is left
    (stored,) = second_factor.keys_of(db, user)
    with pytest.raises(SecondFactorError):
        second_factor.remove_key(db, factories.make_user(db), stored.id, now=NOW)
    second_factor.remove_key(db, user, stored.id, now=NOW)
    assert not second_factor.has_second_factor(user)
    assert second_factor.recovery_codes_left(db, user) == 0


def test_a_pilot_resets_another_account_audited_but_never_their_own(
        db: Any, people: dict) -> None:
    pilot, moderator = people["pilot"], people["moderator"]
    register(db, moderator, SoftKey())
    second_factor.new_recovery_codes(db, moderator, KEYS, now=NOW)
    with pytest.raises(SecondFactorError) as own:
        second_factor.reset(db, pilot, actor=pilot, now=NOW)
    assert own.value.code == "own_reset"
    assert second_factor.has_second_factor(pilot)

    second_factor.reset(db, moderator, actor=pilot, now=NOW)
    assert moderator.second_factor_at is None
    for model in (TotpApp, SecurityKey, RecoveryCode):
        assert db.scalar(select(func.count()).select_from(model)
                         .where(model.user_id == moderator.id)) == 0
    assert not moderator.has_role(Role.MODERATOR)  # until set up again
    (entry,) = actions(db, "accounts.second_factor_reset")
    assert (entry.actor_id, entry.target_id) == (pilot.id, str(moderator.id))


def test_my_data_tells_the_second_step_without_secrets_and_deletion_erases_it(
        db: Any) -> None:
    from civic.accounts import services

    user = factories.make_user(db)
    secret = enrolled_app(db, user)
    register(db, user, SoftKey(), name="téléphone")
    codes = second_factor.new_recovery_codes(db, user, KEYS, now=NOW)
    data = services.export_data(db, user)["second_factor"]
    assert data["security_keys"][0]["name"] == "téléphone"
    assert data["recovery_codes_left"] == 10
    text = json.dumps(data)
    assert secret not in text
    assert not any(code in text for code in codes)

    services.delete_account(db, user, PASSWORD, now=NOW)
    assert db.get(TotpApp, user.id) is None
    assert second_factor.keys_of(db, user) == []
    assert user.second_factor_at is None


# --- Pages -----------------------------------------------------------------------------


def logged_in_as(client: FlaskClient, user: User) -> FlaskClient:
    """A browser that has just logged in (changes to the second step are open to it)."""
    from civic.accounts.second_factor_views import RECENT
    from civic.core import clock

    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[RECENT] = clock.now().timestamp()
    return client


def password(client: FlaskClient, user: User, **values: Any) -> Any:
    return client.post("/connexion", data={"email": user.email, "password": PASSWORD,
                                           **values})


def is_logged_in(client: FlaskClient) -> bool:
    return client.get("/compte").status_code == 200


def test_an_account_without_second_step_logs_in_with_the_password(
        client: FlaskClient, db: Any) -> None:
    resident = factories.make_user(db)
    assert password(client, resident, next="/compte").headers["Location"] == "/compte"
    assert is_logged_in(client)


def test_the_second_step_keeps_next_and_remember_me(client: FlaskClient, db: Any,
                                                    people: dict) -> None:
    pilot = people["pilot"]
    first = password(client, pilot, next="/admin/roles", remember="y")
    assert first.headers["Location"] == SECOND_STEP
    assert not is_logged_in(client)
    page = client.get(SECOND_STEP).get_data(as_text=True)
    assert "Code à 6 chiffres" in page
    assert "clé de sécurité" not in page  # no key registered: no key button

    wrong = client.post(SECOND_STEP, data={"code": "000000"})
    assert wrong.status_code == 400
    assert "Ce code ne marche pas" in wrong.get_data(as_text=True)
    assert not is_logged_in(client)

    done = client.post(SECOND_STEP, data={"code": factories.app_code(pilot.email)})
    assert done.headers["Location"] == "/admin/roles"
    assert "remember_token=" in done.headers.get("Set-Cookie", "")
    assert client.get("/admin/roles").status_code == 200
    with client.session_transaction() as session:
        assert PENDING not in session


def test_an_animator_still_lands_on_the_tablet_hub_after_the_second_step(
        client: FlaskClient, db: Any, people: dict) -> None:
    animator = people["animator"]
    password(client, animator)
    done = client.post(SECOND_STEP, data={"code": factories.app_code(animator.email)})
    assert done.headers["Location"] == "/permanence"


def test_the_half_logged_in_state_opens_nothing(client: FlaskClient, db: Any,
                                                people: dict) -> None:
    pilot = people["pilot"]
    assert password(client, pilot).headers["Location"] == SECOND_STEP
    for url in [*STAFF_PAGES, "/compte", "/compte/deuxieme-etape",
                "/compte/deuxieme-etape/application", "/compte/mes-donnees.json"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/connexion"), url
    for url in ("/compte/deuxieme-etape/cle/defi", "/compte/deuxieme-etape/codes",
                "/admin/deuxieme-etape"):
        assert client.post(url, data={"reset-email": pilot.email}).status_code == 302, url
    assert client.get("/").status_code == 200
    assert "Se déconnecter" not in client.get("/").get_data(as_text=True)


def test_the_half_logged_in_state_expires(client: FlaskClient, db: Any, people: dict) -> None:
    pilot = people["pilot"]
    password(client, pilot)
    with client.session_transaction() as session:
        session[PENDING] = {**session[PENDING], "until": 0}
    late = client.post(SECOND_STEP, data={"code": factories.app_code(pilot.email)})
    assert late.headers["Location"] == "/connexion"
    assert not is_logged_in(client)
    assert client.get(SECOND_STEP).headers["Location"] == "/connexion"


def test_a_code_already_used_does_not_open_a_second_login(app: Flask, db: Any,
                                                         people: dict) -> None:
    pilot = people["pilot"]
    code = factories.app_code(pilot.email)
    first, second = app.test_client(), app.test_client()
    password(first, pilot)
    password(second, pilot)
    assert first.post(SECOND_STEP, data={"code": code}).status_code == 302
    refused = second.post(SECOND_STEP, data={"code": code})
    assert refused.status_code == 400
    assert not is_logged_in(second)


def test_a_recovery_code_lets_the_person_in_once_then_to_set_up_again(
        client: FlaskClient, db: Any, people: dict) -> None:
    moderator = people["moderator"]
    (code, *_rest) = second_factor.new_recovery_codes(db, moderator, KEYS, now=NOW)
    password(client, moderator)
    wrong = client.post(f"{SECOND_STEP}/secours", data={"recovery_code": "AAAA-BBBB-CCCC"})
    assert wrong.status_code == 400
    assert "ne marche pas" in wrong.get_data(as_text=True)
    done = client.post(f"{SECOND_STEP}/secours", data={"recovery_code": code.lower()})
    assert done.headers["Location"] == "/compte/deuxieme-etape"
    assert "Il vous en reste 9" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert client.get("/moderation").status_code == 200

    client.post("/deconnexion")
    password(client, moderator)
    again = client.post(f"{SECOND_STEP}/secours", data={"recovery_code": code})
    assert again.status_code == 400
    assert not is_logged_in(client)


def test_staff_without_second_step_is_sent_to_set_it_up_and_refused_staff_pages(
        client: FlaskClient, db: Any, unenrolled: User) -> None:
    logged = password(client, unenrolled, next="/admin/roles")
    assert logged.headers["Location"] == "/compte/deuxieme-etape"
    page = client.get("/compte/deuxieme-etape").get_data(as_text=True)
    assert "Votre rôle demande une connexion en deux étapes" in page
    assert "commencera dès que la connexion en deux étapes sera activée" in page
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url
    assert "Administration" not in client.get("/").get_data(as_text=True)


def test_the_same_staff_pages_open_once_enrolled(client: FlaskClient, db: Any,
                                                 unenrolled: User) -> None:
    enrolled_app(db, unenrolled)
    logged_in_as(client, unenrolled)
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url


def test_setting_up_the_app_shows_the_secret_once_then_the_recovery_codes_once(
        client: FlaskClient, db: Any, unenrolled: User) -> None:
    logged_in_as(client, unenrolled)
    page = client.get("/compte/deuxieme-etape/application")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<svg" in html
    secret = "".join(html.split("data-secret>")[1].split("</code>")[0].split())
    assert len(secret) == 32
    assert client.post("/compte/deuxieme-etape/application",
                       data={"code": "123456"}).status_code == 400

    done = client.post("/compte/deuxieme-etape/application",
                       data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    shown = done.get_data(as_text=True)
    assert shown.count("<li><code>") == 10
    assert 'download="civic-codes-de-secours.txt"' in shown
    assert client.get("/admin/roles").status_code == 200  # the roles took effect

    # The secret is never shown again: the page now offers a new phone's secret.
    again = client.get("/compte/deuxieme-etape/application").get_data(as_text=True)
    assert secret not in "".join(again.split())
    assert "Il vous reste 10 codes de secours" in client.get(
        "/compte/deuxieme-etape").get_data(as_text=True)


def test_the_roles_page_says_which_grants_wait(client: FlaskClient, db: Any, people: dict,
                                               unenrolled: User) -> None:
    page = logged_in_as(client, people["pilot"]).get("/admin/roles").get_data(as_text=True)
    assert page.count("En attente : commencera quand cette personne") == 4  # Ulysse's four


def test_a_pilot_resets_someone_s_second_step_through_the_roles_page(
        client: FlaskClient, db: Any, people: dict) -> None:
    pilot, moderator = people["pilot"], people["moderator"]
    logged_in_as(client, pilot)
    own = client.post("/admin/deuxieme-etape", data={"reset-email": pilot.email},
                      follow_redirects=True)
    assert "Vous ne pouvez pas réinitialiser votre propre compte" in own.get_data(as_text=True)
    assert db.get(User, pilot.id).second_factor_at is not None
    unknown = client.post("/admin/deuxieme-etape", data={"reset-email": "x@example.org"},
                          follow_redirects=True)
    assert "Aucun compte n’utilise cette adresse" in unknown.get_data(as_text=True)

    done = client.post("/admin/deuxieme-etape", data={"reset-email": moderator.email},
                       follow_redirects=True)
    assert "est réinitialisée" in done.get_data(as_text=True)
    (entry,) = actions(db, "accounts.second_factor_reset")
    assert (entry.actor_id, entry.target_id) == (pilot.id, str(moderator.id))

    other = client.application.test_client()
    assert password(other, moderator).headers["Location"] == "/compte/deuxieme-etape"
    assert other.get("/moderation").status_code == 403


def test_only_an_enrolled_pilot_resets(client: FlaskClient, db: Any, people: dict,
                                       unenrolled: User) -> None:
    for who in (people["moderator"], unenrolled):
        logged_in_as(client, who)
        refused = client.post("/admin/deuxieme-etape",
                              data={"reset-email": people["signatory"].email})
        assert refused.status_code == 403
    assert db.get(User, people["signatory"].id).second_factor_at is not None


def test_a_security_key_is_added_and_used_to_log_in(app: Flask, client: FlaskClient,
                                                    db: Any) -> None:
    user, key = factories.make_user(db), SoftKey()
    site = RelyingParty.from_base_url(app.config["BASE_URL"])  # the site's own address
    logged_in_as(client, user)
    options = client.post("/compte/deuxieme-etape/cle/defi")
    assert options.headers["Cache-Control"] == "no-store"
    assert json.loads(options.get_data(as_text=True))["rp"]["id"] == site.id
    wrong_site = client.post("/compte/deuxieme-etape/cle", data={
        "name": "clé bleue", "credential": json.dumps(key.create(
            options.get_data(as_text=True), origin="https://civic.evil.example"))})
    assert wrong_site.status_code == 400
    options = client.post("/compte/deuxieme-etape/cle/defi")
    added = client.post("/compte/deuxieme-etape/cle", data={
        "name": "clé bleue", "credential": json.dumps(key.create(
            options.get_data(as_text=True), origin=site.origin))})
    assert added.get_json() == {"next": "/compte/deuxieme-etape"}
    assert "clé bleue" in client.get("/compte/deuxieme-etape").get_data(as_text=True)
    replayed = client.post("/compte/deuxieme-etape/cle", data={  # the challenge was used
        "name": "encore", "credential": json.dumps(SoftKey().create(
            options.get_data(as_text=True), origin=site.origin))})
    assert replayed.status_code == 400

    client.post("/deconnexion")
    assert password(client, user, next="/compte").headers["Location"] == SECOND_STEP
    assert "Utiliser ma clé" in client.get(SECOND_STEP).get_data(as_text=True)
    asked = client.post(f"{SECOND_STEP}/cle/defi").get_data(as_text=True)
    answer = json.dumps(key.get(asked, origin=site.origin))
    done = client.post(f"{SECOND_STEP}/cle", data={"credential": answer})
    assert done.get_json() == {"next": "/compte"}
    assert is_logged_in(client)

    client.post("/deconnexion")
    password(client, user)
    client.post(f"{SECOND_STEP}/cle/defi")
    again = client.post(f"{SECOND_STEP}/cle", data={"credential": answer})  # replayed
    assert again.status_code == 400
    assert not is_logged_in(client)


def test_wrong_codes_are_limited_per_account_whatever_the_address(
        database_url: str, outbox_dir: Any) -> None:
    from civic import create_app
    from civic.core.db import session as scoped
    from tests.conftest import test_config

    app = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True))
    with app.app_context():
        user = factories.make_user(scoped(), roles=[(Role.PILOT, None)])
        scoped.commit()
        address, user_id = user.email, user.id
    try:
        client = app.test_client()
        client.post("/connexion", data={"email": address, "password": PASSWORD})
        codes = [client.post(SECOND_STEP, data={"code": "000000"},
                             environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code
                 for n in range(7)]
        assert codes == [400] * 5 + [429] * 2
    finally:
        with app.app_context():
            scoped.execute(User.__table__.delete().where(User.id == user_id))
            scoped.commit()
        app.extensions["civic.engine"].dispose()
