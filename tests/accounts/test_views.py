"""Account pages as a resident uses them: sign-up, confirmation, login, reset, profile, data."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import func, select

from civic.accounts.models import User
from tests import factories
from tests.conftest import Outbox


def link_in(outbox: Outbox, path: str) -> str:
    (message,) = outbox.messages
    match = re.search(rf"http://localhost(/{path}/\S+)", outbox.body(message))
    assert match, outbox.body(message)
    return match.group(1)


def sign_up(client: Any, email: str = "lina@example.org", **values: Any) -> Any:
    return client.post("/inscription", data={"display_name": "Lina", "email": email,
                                             "password": "un mot de passe long",
                                             "quartier_id": "", **values})


def test_sign_up_confirm_and_log_in(client: Any, db: Any, outbox: Outbox, quartier: Any) -> None:
    response = sign_up(client, quartier_id=str(quartier.id))
    assert response.status_code == 302
    assert response.headers["Location"] == "/inscription/verifiez-vos-mails"
    user = db.scalar(select(User).where(User.email == "lina@example.org"))
    assert user.email_confirmed_at is None
    assert user.quartier_id == quartier.id

    login = {"email": "lina@example.org", "password": "un mot de passe long"}
    refused = client.post("/connexion", data=login)
    assert "Confirmez d’abord votre adresse" in refused.get_data(as_text=True)
    outbox.__init__(outbox.directory)  # the refusal re-sent the link: start again

    sign_up(client)  # the same address again: no second account
    assert db.scalar(select(func.count(User.id)).where(User.email == "lina@example.org")) == 1
    (message,) = outbox.messages
    assert "Vous avez déjà un compte" in outbox.body(message)

    outbox.__init__(outbox.directory)
    client.post("/connexion", data=login)
    confirmed = client.get(link_in(outbox, "confirmer"), follow_redirects=True)
    assert "Votre adresse est confirmée" in confirmed.get_data(as_text=True)

    logged_in = client.post("/connexion", data={**login, "next": "/compte"})
    assert logged_in.headers["Location"] == "/compte"
    assert "lina@example.org" in client.get("/compte").get_data(as_text=True)


def test_sign_up_errors_are_next_to_the_fields_and_keep_what_was_typed(client: Any) -> None:
    page = sign_up(client, email="pas-une-adresse", password="court",
                   display_name="Lina <b>").get_data(as_text=True)
    assert 'id="email-error"' in page
    assert "n’est pas valide" in page
    assert 'id="password-error"' in page
    assert "au moins 12 caractères" in page
    assert 'value="Lina &lt;b&gt;"' in page
    assert 'value="pas-une-adresse"' in page


def test_login_does_not_tell_which_of_address_or_password_was_wrong(client: Any, db: Any) -> None:
    user = factories.make_user(db)
    wrong_password = client.post("/connexion", data={"email": user.email, "password": "nope"})
    unknown = client.post("/connexion", data={"email": "nobody@example.org", "password": "nope"})
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_login_refuses_to_redirect_elsewhere(client: Any, db: Any) -> None:
    user = factories.make_user(db)
    response = client.post("/connexion", data={"email": user.email,
                                               "password": factories.PASSWORD,
                                               "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_password_reset_by_mailed_link_works_once(client: Any, db: Any, outbox: Outbox) -> None:
    user = factories.make_user(db, email="omar@example.org")
    unknown = client.post("/mot-de-passe-oublie", data={"email": "personne@example.org"})
    (no_account,) = outbox.messages  # a mail either way, so that both do the same work
    assert "aucun compte ne l’utilise" in outbox.body(no_account)
    outbox.__init__(outbox.directory)
    known = client.post("/mot-de-passe-oublie", data={"email": "omar@example.org"})
    def page(answer: Any) -> str:  # the form token is signed with the second: not an answer
        return re.sub(r'name="csrf_token" value="[^"]+"', "", answer.get_data(as_text=True))

    assert page(known) == page(unknown)
    link = link_in(outbox, "mot-de-passe")

    short = client.post(link, data={"password": "court"})
    assert short.status_code == 200
    assert "au moins 12 caractères" in short.get_data(as_text=True)
    assert client.post(link, data={"password": "mon nouveau secret"}).status_code == 302
    assert client.post(link, data={"password": "encore un autre"}).status_code == 400

    login = client.post("/connexion", data={"email": "omar@example.org",
                                            "password": "mon nouveau secret"})
    assert login.status_code == 302
    assert db.get(User, user.id).last_login_at is not None


def test_a_forged_or_stale_link_is_refused(client: Any) -> None:
    assert client.get("/confirmer/abc.def.ghi").status_code == 400
    assert client.get("/mot-de-passe/abc.def.ghi").status_code == 400


def test_profile_is_saved_and_bad_values_are_refused(login_as: Any, db: Any,
                                                     quartier: Any) -> None:
    user = factories.make_user(db)
    client = login_as(user)
    saved = client.post("/compte", data={"display_name": "Nour", "language": "en",
                                         "quartier_id": str(quartier.id), "gender": "woman",
                                         "age_bracket": "25_39"})
    assert saved.status_code == 302
    user = db.get(User, user.id)
    assert (user.display_name, user.language, user.quartier_id, user.gender,
            user.age_bracket) == ("Nour", "en", quartier.id, "woman", "25_39")
    page = client.get("/compte").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "My account" in page

    refused = client.post("/compte", data={"display_name": "", "language": "xx",
                                           "quartier_id": "999999", "gender": "robot",
                                           "age_bracket": "old"})
    assert refused.status_code == 200
    assert refused.get_data(as_text=True).count('class="error"') == 5
    assert db.get(User, user.id).display_name == "Nour"


def test_my_data_export_holds_the_account_and_roles(login_as: Any, people: dict) -> None:
    response = login_as(people["moderator"]).get("/compte/mes-donnees.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(response.data)
    assert data["account"]["email"] == people["moderator"].email
    assert data["account"]["display_name"] == "Moussa"
    assert [r["role"] for r in data["roles"]] == ["moderator"]


def test_deleting_the_account_erases_personal_data(login_as: Any, db: Any) -> None:
    user = factories.make_user(db, gender="man")
    client = login_as(user)
    wrong = client.post("/compte/supprimer", data={"password": "pas le bon"})
    assert wrong.status_code == 400
    assert "n’est pas le bon" in wrong.get_data(as_text=True)

    done = client.post("/compte/supprimer", data={"password": factories.PASSWORD})
    assert done.headers["Location"] == "/"
    gone = db.get(User, user.id)
    assert (gone.email, gone.password_hash, gone.display_name, gone.gender) == (
        None, None, "", None)
    assert gone.deleted_at is not None
    assert client.get("/compte").status_code == 302  # logged out


def test_changing_password_needs_the_current_one(login_as: Any, db: Any) -> None:
    user = factories.make_user(db)
    client = login_as(user)
    wrong = client.post("/compte/mot-de-passe", data={"current_password": "faux",
                                                      "new_password": "tout nouveau secret"})
    assert wrong.status_code == 400
    ok = client.post("/compte/mot-de-passe", data={"current_password": factories.PASSWORD,
                                                   "new_password": "tout nouveau secret"})
    assert ok.status_code == 302


def test_language_switch_turns_the_page_right_to_left(client: Any, db: Any) -> None:
    response = client.post("/langue", data={"lang": "ar", "next": "/credits"})
    assert response.headers["Location"] == "/credits"
    page = client.get("/credits").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert client.post("/langue", data={"lang": "klingon"}).status_code == 400


def test_a_logged_in_person_keeps_their_language(login_as: Any, db: Any) -> None:
    user = factories.make_user(db, language="ar")
    page = login_as(user).get("/").get_data(as_text=True)
    assert 'dir="rtl"' in page
    login_as(user).post("/langue", data={"lang": "en"})
    assert db.get(User, user.id).language == "en"
