"""The hostile-input corpus on every form of the idea box and of moderation."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.test_hostile_input import HOSTILE, SCRIPT

#: (who, url with {code} {idea} {comment} {forwarding} {quartier}, fields)
FORMS: list[tuple[str, str, list[str]]] = [
    ("resident", "/quartiers/{code}/idees/proposer",
     ["title", "body", "orientation_id", "place", "latitude", "longitude", "website"]),
    ("animator", "/permanence/quartiers/{code}/idee",
     ["author_name", "title", "body", "orientation_id", "place", "latitude", "longitude"]),
    ("resident", "/idees/{idea}/commentaires", ["body", "parent_id", "website"]),
    ("resident", "/idees/{idea}/soutien", ["action"]),
    ("resident", "/idees/{idea}/suivi", ["action"]),
    ("pilot", "/idees/{idea}/reponse", ["status", "response", "signatory_id", "due_on",
                                        "message"]),
    ("signatory", "/signataire/transmissions/{forwarding}", ["answer"]),
    ("resident", "/signaler/idea/{idea}", ["reason", "comment", "next"]),
    ("moderator", "/moderation/idea/{pending}", ["d-action", "d-template", "d-reason"]),
    ("moderator", "/moderation/idea/{pending}", ["t-title"]),
    ("moderator", "/moderation/lot", ["items", "action", "template", "reason"]),
    ("moderator", "/moderation/quartiers/{quartier}", ["mode"]),
    ("pilot", "/admin/signataires/{signatory}/engagements", ["o{orientation}"]),
]


@pytest.fixture
def targets(db: Any, people: dict, quartier: Any, contract: Any, signatory: Any) -> dict:
    from civic.ideas.models import Forwarding
    from tests.factories import NOW

    author = factories.make_user(db)
    idea = factories.make_idea(db, quartier, author)
    forwarding = Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=NOW,
                            due_on=NOW.date())
    db.add(forwarding)
    db.flush()
    return {"code": quartier.code, "idea": idea.id, "quartier": quartier.id,
            "pending": factories.make_idea(db, quartier, author, moderation="pending").id,
            "forwarding": forwarding.id, "signatory": signatory.id,
            "orientation": factories.make_orientation(db, contract).id}


@pytest.mark.parametrize(("who", "url", "fields"), FORMS, ids=[f"{f[1]}-{f[2][0]}" for f in FORMS])
@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_a_form(login_as: Any, people: dict, targets: dict,
                                           who: str, url: str, fields: list[str],
                                           value: str) -> None:
    client = login_as(people[who])
    response = client.post(url.format(**targets),
                           data={f.format(**targets): value for f in fields})
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert SCRIPT not in body
    assert "<img src=x" not in body
