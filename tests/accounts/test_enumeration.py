"""Whether an address has an account, asked by someone who does not own it: sign-up,
"forgot password" and login answer the same page, with the same mails sent and the same
Argon2 work done, whether the account exists or not.

Times are not asserted here (bench/enumeration.py measures them); the work that makes
them differ, the Argon2 hashes, is counted.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from civic.accounts.models import User
from civic.core import security
from tests import factories
from tests.conftest import Outbox

CSRF = re.compile(r'name="csrf_token" value="[^"]+"')
KNOWN = "known.person@example.org"
UNKNOWN = "other.person@example.org"  # the same length: pages are compared whole


class CountingHasher:
    """Argon2 as civic uses it, counting what it is asked to do."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.calls: Counter[str] = Counter()

    def hash(self, password: str) -> str:
        self.calls["hash"] += 1
        return self.real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls["verify"] += 1
        return self.real.verify(password_hash, password)

    def check_needs_rehash(self, password_hash: str) -> bool:
        return self.real.check_needs_rehash(password_hash)


@pytest.fixture
def argon2(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(security._hasher)
    monkeypatch.setattr(security, "_hasher", counting)
    return counting


def answer(response: Any, email: str) -> tuple[int, str | None, str]:
    """What a visitor sees: status, where it leads, the page without its CSRF tokens and
    with the address typed taken out."""
    body = CSRF.sub("", response.get_data(as_text=True)).replace(email, "ADDRESS")
    return response.status_code, response.headers.get("Location"), body


def attempt(argon2: CountingHasher, outbox: Outbox, send: Any, email: str) -> dict[str, Any]:
    """One request for ``email``: the answer, the Argon2 calls and the mails it cost."""
    outbox.__init__(outbox.directory)
    argon2.calls.clear()
    response = send(email)
    return {"answer": answer(response, email), "argon2": dict(argon2.calls),
            "mails": [str(m["To"]) for m in outbox.messages]}


def test_sign_up_answers_and_works_the_same_whether_the_address_has_an_account(
        client: Any, db: Any, outbox: Outbox, argon2: CountingHasher) -> None:
    factories.make_user(db, email=KNOWN)

    def sign_up(email: str) -> Any:
        return client.post("/inscription", data={"display_name": "Lina", "email": email,
                                                 "password": "un mot de passe long",
                                                 "quartier_id": ""})

    known, unknown = (attempt(argon2, outbox, sign_up, e) for e in (KNOWN, UNKNOWN))
    assert known["answer"] == unknown["answer"]
    assert known["answer"][:2] == (302, "/inscription/verifiez-vos-mails")
    assert known["argon2"] == unknown["argon2"] == {"hash": 1}
    assert (known["mails"], unknown["mails"]) == ([KNOWN], [UNKNOWN])
    # and the known account was left as it was
    assert db.scalar(select(func.count(User.id)).where(User.email == KNOWN)) == 1
    assert db.scalar(select(User.password_hash).where(User.email == KNOWN)) == \
        factories._PASSWORD_HASH


def test_a_refused_password_is_refused_alike_for_both(
        client: Any, db: Any, outbox: Outbox, argon2: CountingHasher) -> None:
    factories.make_user(db, email=KNOWN)

    def sign_up(email: str) -> Any:
        return client.post("/inscription", data={"display_name": "Lina", "email": email,
                                                 "password": "password1234", "quartier_id": ""})

    known, unknown = (attempt(argon2, outbox, sign_up, e) for e in (KNOWN, UNKNOWN))
    assert known == {**unknown, "mails": []}
    assert known["answer"][0] == 400
    assert known["argon2"] == {}


def test_forgot_password_answers_and_works_the_same_whether_the_address_has_an_account(
        client: Any, db: Any, outbox: Outbox, argon2: CountingHasher) -> None:
    factories.make_user(db, email=KNOWN)

    def forgot(email: str) -> Any:
        return client.post("/mot-de-passe-oublie", data={"email": email})

    known, unknown = (attempt(argon2, outbox, forgot, e) for e in (KNOWN, UNKNOWN))
    assert known["answer"] == unknown["answer"]
    assert known["answer"][0] == 200
    assert known["argon2"] == unknown["argon2"]
    # one mail each: the link to the owner, "no account uses this address" to the other
    assert (known["mails"], unknown["mails"]) == ([KNOWN], [UNKNOWN])
    subjects = {str(m["Subject"]) for m in outbox.messages}
    assert subjects == {"Choisir un nouveau mot de passe"}


def test_login_answers_and_works_the_same_for_a_wrong_password_or_no_account(
        client: Any, db: Any, outbox: Outbox, argon2: CountingHasher) -> None:
    factories.make_user(db, email=KNOWN)

    def log_in(email: str) -> Any:
        return client.post("/connexion", data={"email": email, "password": "pas le bon"})

    known, unknown = (attempt(argon2, outbox, log_in, e) for e in (KNOWN, UNKNOWN))
    assert known["answer"] == unknown["answer"]
    assert "Adresse e-mail ou mot de passe incorrect." in known["answer"][2]
    assert known["argon2"] == unknown["argon2"] == {"verify": 1}
