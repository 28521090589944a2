"""The password rule, as someone choosing a password meets it: the pure rule, then the
sign-up, reset and change-password pages that apply it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from civic.accounts import passwords
from civic.accounts.passwords import COMMON, PERSONAL, SIMPLE, TOO_SHORT, problem
from civic.core.security import verify_password
from tests import factories
from tests.conftest import Outbox

LINA = ["Lina Haddad", "lina.haddad@example.org"]
DATA = Path(passwords.__file__).parent / "data" / "common-passwords.txt"


@pytest.mark.parametrize(("password", "expected"), [
    ("abcdefghij", TOO_SHORT),  # the audit's example
    ("Tr0ub4dor&3", TOO_SHORT),  # 11 characters, however mixed
    ("abcdefghijkl", SIMPLE),  # and the next thing an attacker types
    ("123456789012", SIMPLE),
    ("0987654321098", SIMPLE),
    ("aaaaaaaaaaaa", SIMPLE),
    ("abcabcabcabc", SIMPLE),
    ("ababbaabab12", SIMPLE),  # four different keys
    ("azertyuiop12", COMMON),
    ("123qweasdzxc", COMMON),  # in the list as it is
    ("password1234", COMMON),
    ("PASSWORD1234", COMMON),  # whatever the case
    ("Soleil2024!!", COMMON),  # a common word with digits and signs around it
    ("  marseille 13013 ", COMMON),
    ("Lina aime les oranges", PERSONAL),  # the display name
    ("haddad et les voisins", PERSONAL),  # one word of it
    ("LÏNA au jardin partagé", PERSONAL),  # without accents or case
    ("les voisins de linahaddad", PERSONAL),  # the e-mail's local part, glued
    ("correct horse battery", None),
    ("un jardin partagé au pied des tours", None),
    ("Trois chats dorment", None),
    ("jardin partagé 2024", None),
    ("x8$k2!9q#7zp", None),
])
def test_the_rule(password: str, expected: str | None) -> None:
    assert problem(password, LINA) == expected


def test_short_names_and_the_domain_are_not_looked_for() -> None:
    # "Li" is under 3 letters; "example" is the address's domain, not the person.
    assert problem("Li et les exemples de example", ["Li", "li@example.org"]) is None
    assert problem("les voisins de Bob au jardin", ["Bob"]) == PERSONAL


def test_the_personal_words() -> None:
    assert passwords.personal_words(["Jean-Marc Ôzil", "j.dupont@example.org", None, ""]) == {
        "jean", "marc", "ozil", "jeanmarc", "marcozil", "jeanmarcozil", "dupont", "jdupont"}


def test_the_shipped_list_names_its_source_and_licence_and_holds_tens_of_thousands() -> None:
    header = [line for line in DATA.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    assert any("zxcvbn" in line for line in header)
    assert any("Licence: MIT" in line for line in header)
    common = passwords.common_passwords()
    assert len(common) == 30_000
    assert {"123456", "password", "azertyuiop", "motdepasse", "soleil"} <= common
    assert all(entry == entry.strip().lower() for entry in common)  # compared folded


def test_the_list_ships_with_the_package() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'civic = \[[^\]]*"accounts/data/\*"', pyproject)


# --- The pages -------------------------------------------------------------------------


def _input(page: str, field: str) -> int:
    found = re.search(rf'<input[^>]*\bid="{field}"', page)
    assert found, page
    return found.start()


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert found, page
    return found.group(1)


COMMON_MESSAGE = ("Ce mot de passe est trop courant : choisissez-en un autre, par exemple "
                  "trois mots qui vont ensemble.")


def test_sign_up_says_the_rule_before_the_field_and_refuses_a_common_password(
        client: Any, db: Any, outbox: Outbox) -> None:
    page = client.get("/inscription").get_data(as_text=True)
    hint = page.index("Au moins 12 caractères. Pas un mot de passe courant")
    assert hint < _input(page, "password")

    refused = client.post("/inscription", data={"display_name": "Lina",
                                                "email": "lina@example.org",
                                                "password": "motdepasse2024", "quartier_id": ""})
    assert refused.status_code == 400
    assert _field_error(refused.get_data(as_text=True), "password") == COMMON_MESSAGE
    assert outbox.messages == []

    named = client.post("/inscription", data={"display_name": "Lina", "email": "lina@example.org",
                                              "password": "lina au jardin partagé",
                                              "quartier_id": ""})
    assert _field_error(named.get_data(as_text=True), "password").startswith(
        "Ce mot de passe contient votre nom ou votre adresse e-mail")


def test_reset_refuses_a_common_password(client: Any, db: Any, outbox: Outbox) -> None:
    factories.make_user(db, email="omar@example.org", display_name="Omar")
    client.post("/mot-de-passe-oublie", data={"email": "omar@example.org"})
    (message,) = outbox.messages
    link = re.search(r"http://localhost(/mot-de-passe/\S+)", outbox.body(message))
    assert link
    page = client.get(link.group(1)).get_data(as_text=True)
    assert page.index("Au moins 12 caractères") < _input(page, "password")

    refused = client.post(link.group(1), data={"password": "qwerty123456"})
    assert refused.status_code == 400
    assert _field_error(refused.get_data(as_text=True), "password") == COMMON_MESSAGE
    sequence = client.post(link.group(1), data={"password": "abcdefghijkl"})
    assert "trop facile à deviner" in _field_error(sequence.get_data(as_text=True), "password")
    assert client.post(link.group(1), data={"password": "omar et les voisins"}
                       ).status_code == 400
    assert client.post(link.group(1), data={"password": "trois chats dorment"}
                       ).status_code == 302


def test_change_password_refuses_the_name_and_keeps_the_old_one(
        login_as: Any, db: Any) -> None:
    user = factories.make_user(db, display_name="Rania", email="rania.k@example.org")
    client = login_as(user)
    page = client.get("/compte").get_data(as_text=True)
    assert page.index("Au moins 12 caractères") < _input(page, "new_password")
    refused = client.post("/compte/mot-de-passe", data={
        "current_password": factories.PASSWORD, "new_password": "Rania au jardin 2024"})
    assert refused.status_code == 400
    assert "contient votre nom" in _field_error(refused.get_data(as_text=True), "new_password")
    refused = client.post("/compte/mot-de-passe", data={
        "current_password": factories.PASSWORD, "new_password": "abcdefghij"})
    assert "au moins 12 caractères" in _field_error(refused.get_data(as_text=True),
                                                     "new_password")
    assert verify_password(db.get(type(user), user.id).password_hash, factories.PASSWORD)
