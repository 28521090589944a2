"""Every form answers hostile input with a 4xx or a re-rendered form: never a 500, never
markup echoed back unescaped."""

from __future__ import annotations

from typing import Any

import pytest

from civic import create_app
from tests.conftest import test_config

SCRIPT = "<script>alert('civic')</script>"
HOSTILE = [
    "A" * 100_000,
    "nul\x00byte\x1b[31m",
    SCRIPT,
    "\"><img src=x onerror=alert(1)>",
    "' OR 1=1; DROP TABLE users; --",
    "-1",
    "99999999999999999999999999",
    "١٢٣",
    "🙂‮evil",
    "",
]

#: (who, url, fields) for every form of the site.
FORMS: list[tuple[str | None, str, list[str]]] = [
    (None, "/inscription", ["display_name", "email", "password", "quartier_id"]),
    (None, "/connexion", ["email", "password", "remember", "next"]),
    (None, "/mot-de-passe-oublie", ["email"]),
    (None, "/langue", ["lang", "next"]),
    ("resident", "/compte", ["display_name", "language", "quartier_id", "gender",
                             "age_bracket"]),
    ("resident", "/compte/mot-de-passe", ["current_password", "new_password"]),
    ("resident", "/compte/supprimer", ["password"]),
    ("pilot", "/admin/contrat", ["name", "start_year", "end_year"]),
    ("pilot", "/admin/quartiers/nouveau", ["code", "name", "commune", "population",
                                           "perimeter"]),
    ("pilot", "/admin/orientations/nouvelle", ["name", "description", "position"]),
    ("pilot", "/admin/signataires/nouveau", ["name", "kind", "referent_name",
                                             "referent_email", "commitment"]),
    ("pilot", "/admin/roles", ["email", "role", "quartier_id", "signatory_id"]),
]


@pytest.mark.parametrize(("who", "url", "fields"), FORMS, ids=[f[1] for f in FORMS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_a_form(login_as: Any, client: Any, people: dict,
                                           who: str | None, url: str, fields: list[str],
                                           value: str) -> None:
    if who:
        login_as(people[who])
    response = client.post(url, data=dict.fromkeys(fields, value))
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "<img src=x" not in body


def test_wrong_types_and_missing_fields_are_refused_gently(login_as: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    response = client.post("/admin/quartiers/nouveau",
                           data={"population": ["1", "2"], "code": ["QN1", "QN2"]})
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(database_url: str, outbox_dir: Any) -> None:
    app = create_app(test_config(database_url, outbox_dir, WTF_CSRF_ENABLED=True))
    response = app.test_client().post("/connexion", data={"email": "a@example.org",
                                                          "password": "x"})
    assert response.status_code == 400
    assert "Le formulaire a expiré" in response.get_data(as_text=True)
