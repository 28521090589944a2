"""The journal of actions: sentences instead of codes, before and after side by side,
filters, pages of a hundred, and moderators reading their own quartiers' history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_babel import force_locale

from civic.accounts.permissions import audit_quartiers
from civic.budget import services as budget_services
from civic.core import audit, audit_labels
from civic.moderation import registry
from civic.moderation import services as moderation_services
from tests import factories
from tests.factories import NOW

CIVIC = Path(__file__).resolve().parents[2] / "civic"
URL = "/admin/journal"
#: An action code written to the log: ``record(..., action="part.verb", ...)``, plain or
#: an f-string, wherever the call spreads over several lines.
RECORDED = re.compile(r"\brecord\((?:[^()]|\([^()]*\))*?\baction=(f?)\"([^\"]+)\"", re.S)
#: The codes the f-strings of the code base make.
EXPANDED = [*(f"moderation.{a}" for a in moderation_services.TRANSITIONS),
            *(f"budget.project_{d}" for d in ("admit", "changes", "reject", "merge")),
            *(f"permanence.{k}_removed" for k in ("slot", "closure")),
            *(f"territory.{k}_{v}" for k in ("orientation", "signatory")
              for v in ("created", "updated"))]


def _main(response: Any) -> str:
    """The page's <main>, as sent."""
    page = response.get_data(as_text=True)
    return page[page.index("<main"):page.index("</main>")]


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _rows(html: str) -> list[str]:
    """The journal's rows: each entry's HTML, newest first."""
    return re.findall(r'<tr id="entree-\d+">(.*?)\n    </tr>', html, re.S)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="entree-(\d+)">', html)]


def _link(html: str, text: str) -> str | None:
    found = re.search(rf'<a class="button" href="([^"]+)">{text}</a>', html)
    return unescape(found.group(1)) if found else None


def _record(db: Any, action: str, *, actor: Any = None, target_type: str = "round",
            target_id: Any = 1, at: datetime = NOW, **details: Any) -> audit.AuditEntry:
    return audit.record(db, actor=actor, action=action, target_type=target_type,
                        target_id=target_id, now=at, **details)


@pytest.fixture
def round_changed(db: Any, quartier: Any, people: dict) -> Any:
    """A session of the FPH whose title and close of the vote the pilot changed."""
    fund = factories.make_fund(db, quartier)
    round_ = factories.make_round(db, fund, "vote", title="Printemps")
    values = {k: getattr(round_, k) for k in budget_services.ROUND_DATES}
    values.update(title="Printemps 2026",
                  vote_ends_at=round_.vote_ends_at + timedelta(hours=12))
    budget_services.save_round(db, fund, round_, values, actor=people["pilot"], now=NOW)
    return round_


# --- Sentences, before and after --------------------------------------------------------


def test_a_pilot_reads_sentences_and_what_changed(login_as: Any, db: Any, people: dict,
                                                  quartier: Any, round_changed: Any) -> None:
    idea = factories.make_idea(db, quartier, moderation="pending")
    moderation_services.decide(db, registry.get("idea"), idea, "reject",
                               reason="Hors sujet : voir l’ordre du jour",
                               actor=people["moderator"], now=NOW + timedelta(minutes=5))
    _record(db, "budget.secret_destroyed", at=NOW + timedelta(minutes=6))
    response = login_as(people["pilot"]).get(URL)
    assert response.status_code == 200
    html = _main(response)
    secret, rejected, updated = _rows(html)[:3]

    assert "a refusé une publication" in rejected
    assert "Moussa" in rejected
    assert f'href="/idees/{idea.id}"' in rejected
    assert _text(rejected).count("Idée n° ") == 1
    # The state before and after, in words; the reason as the moderator wrote it.
    assert re.search(r"État de la publication</th><td><bdi>En attente de relecture</bdi></td>"
                     r"<td><bdi>Refusé</bdi></td>", rejected)
    assert "Hors sujet : voir l’ordre du jour" in rejected

    assert "a effacé le secret du vote, comme prévu" in secret
    assert "<em>système</em>" in secret

    assert "a changé une session du FPH" in updated
    assert "Paula" in updated
    assert f"Session du FPH n° {round_changed.id}" in _text(updated)
    assert "<caption>Ce qui a changé</caption>" in updated
    assert '<th scope="col">Avant</th><th scope="col">Après</th>' in updated
    # Dates as dates, in local time (UTC+1 in March), side by side.
    assert re.search(r"Clôture du vote</th><td><bdi>18/03/2026 11:00</bdi></td>"
                     r"<td><bdi>18/03/2026 23:00</bdi></td>", updated)
    assert re.search(r"Intitulé</th><td><bdi>Printemps</bdi></td>"
                     r"<td><bdi>Printemps 2026</bdi></td>", updated)
    # Never JSON: no escapes, no braces.
    assert "\\u" not in html
    assert "{" not in _text(html)
    assert "&#34;" not in html


def test_the_journal_speaks_the_readers_language(app: Any, login_as: Any, db: Any,
                                                 people: dict, round_changed: Any) -> None:
    pilot = people["pilot"]
    pilot.language = "en"
    db.flush()
    html = _main(login_as(pilot).get(URL))
    with app.test_request_context(), force_locale("en"):
        sentence = str(audit_labels.ACTIONS["budget.round_updated"])
        field = str(audit_labels.FIELDS["vote_ends_at"])
        heading = str(audit_labels.FIELDS["title"])
    assert "Activity log" in html
    assert '<th scope="col">When</th>' in html
    (updated,) = [row for row in _rows(html) if "budget.round_updated" in row]
    assert sentence in updated
    assert re.search(rf"{re.escape(field)}</th><td><bdi>3/18/26, 11:00\W*AM</bdi></td>"
                     rf"<td><bdi>3/18/26, 11:00\W*PM</bdi></td>", updated)
    assert f"{heading}</th>" in updated


def test_details_are_plain_text(login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    project = factories.make_project(db, factories.make_round(
        db, factories.make_fund(db, quartier), "follow_up"))
    _record(db, "budget.follow_up", actor=people["pilot"], target_type="project",
            target_id=project.id, changed={"follow_up": ["to_start", "in_progress"],
                                           "spent_cents": [None, 150_000]})
    deleted = factories.make_user(db, display_name="", deleted_at=NOW)
    _record(db, "budget.paper_void_confirmed", actor=deleted, at=NOW + timedelta(minutes=1),
            permanence=4, receipt="7F3A-9C21", asked_by=people["animator"].id)
    _record(db, "territory.quartier_created", actor=people["pilot"], target_type="quartier",
            target_id=quartier.id, at=NOW + timedelta(minutes=2),
            values={"code": "QN03101A", "name": "Les Érables", "population": None})
    _record(db, "nothing.known", target_type="gizmo", target_id="all",
            at=NOW + timedelta(minutes=3), odd_key=[1, 2])
    html = _main(login_as(people["pilot"]).get(URL))
    unknown, created, void, follow_up = _rows(html)

    assert "nothing.known" in unknown  # no sentence: the code
    assert "gizmo nommé « all »" in _text(unknown)
    assert "<dt>odd_key</dt><dd><bdi>1, 2</bdi></dd>" in unknown

    assert "<dt>Code</dt><dd><bdi>QN03101A</bdi></dd>" in created
    assert "<dt>Population</dt><dd><bdi>—</bdi></dd>" in created

    assert "<em>compte supprimé</em>" in void
    assert "a retiré un bulletin papier de l’urne" in void
    assert "<dt>Permanence</dt><dd><bdi>n° 4</bdi></dd>" in void
    assert f"<dd><bdi>n° {people['animator'].id}</bdi></dd>" in void

    assert re.search(r"Avancement</th><td><bdi>Pas encore commencé</bdi></td>"
                     r"<td><bdi>En cours</bdi></td>", follow_up)
    assert re.search(r"Dépensé</th><td><bdi>—</bdi></td><td><bdi>1\W500,00\W€</bdi></td>",
                     follow_up)
    assert f'href="/fph/projets/{project.id}"' in follow_up


# --- Filters and pages ------------------------------------------------------------------


@pytest.fixture
def mixed(db: Any, people: dict, quartier: Any) -> dict[str, Any]:
    """Entries of several parts, people and days (the site's time is Paris, UTC+1)."""
    pilot, animator = people["pilot"], people["animator"]
    return {
        "budget": _record(db, "budget.round_created", actor=pilot,
                          at=datetime(2026, 3, 10, 9, 0, tzinfo=NOW.tzinfo), title="A"),
        "permanence": _record(db, "permanence.opened", actor=animator, target_type="permanence",
                              at=datetime(2026, 3, 11, 9, 0, tzinfo=NOW.tzinfo), place="Salle"),
        # 23:30 in Paris on the 12th, then 00:30 on the 13th.
        "late": _record(db, "territory.quartier_updated", actor=pilot, target_type="quartier",
                        target_id=quartier.id,
                        at=datetime(2026, 3, 12, 22, 30, tzinfo=NOW.tzinfo),
                        changed={"name": ["Tilleuls", "Les Tilleuls"]}),
        "next_day": _record(db, "budget.round_updated", actor=pilot,
                            at=datetime(2026, 3, 12, 23, 30, tzinfo=NOW.tzinfo),
                            changed={"title": ["A", "B"]}),
    }


def test_filters_by_part_person_and_days(login_as: Any, people: dict,
                                         mixed: dict[str, Any]) -> None:
    client = login_as(people["pilot"])

    def shown(query: str) -> set[int]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200
        return set(_ids(_main(response)))

    ids = {name: entry.id for name, entry in mixed.items()}
    assert shown("") == set(ids.values())
    assert shown("genre=budget") == {ids["budget"], ids["next_day"]}
    assert shown("genre=permanence") == {ids["permanence"]}
    assert shown(f"personne={people['animator'].id}") == {ids["permanence"]}
    assert shown(f"personne={people['pilot'].id}&genre=territory") == {ids["late"]}
    assert shown("du=2026-03-11&au=2026-03-12") == {ids["permanence"], ids["late"]}
    assert shown("du=2026-03-13") == {ids["next_day"]}
    assert shown("au=2026-03-10") == {ids["budget"]}
    assert shown("genre=accounts") == set()
    html = _main(client.get(f"{URL}?genre=accounts"))
    assert "Aucune action ne correspond à ces critères." in html
    # The choice of a person lists who appears in the journal.
    choices = re.search(r'<select[^>]*id="personne"[^>]*>(.*?)</select>', html, re.S)
    assert choices is not None
    assert "Paula" in choices.group(1)
    assert "Anne" in choices.group(1)
    assert "Rania" not in choices.group(1)


#: (query, the field whose message shows, what is left once the wrong value is set aside)
WRONG = [
    ("du=2026-02-30", "du", ""),
    ("du=garbage&genre=budget", "du", "genre=budget"),
    ("au=31/12/2026", "au", ""),
    ("du=0001-01-01", "du", ""),
    ("au=9999-12-31", "au", ""),
    ("du=2026-03-12&au=2026-03-11", "au", "du=2026-03-12"),
    ("genre=nowhere", "genre", ""),
    ("personne=abc", "personne", ""),
    ("personne=99999999999999999999", "personne", ""),
    ("personne=424242&du=2026-03-11", "personne", "du=2026-03-11"),
]


@pytest.mark.parametrize(("query", "field", "kept"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_filter_is_said_next_to_its_field(login_as: Any, people: dict,
                                                  mixed: dict[str, Any], query: str,
                                                  field: str, kept: str) -> None:
    client = login_as(people["pilot"])
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    html = _main(response)
    assert re.search(rf'<p class="error" id="{field}-error">[^<]+</p>', html)
    assert re.search(rf'aria-describedby="[^"]*{field}-error[^"]*" aria-invalid="true"', html)
    # The wrong value narrows nothing; the right ones still do.
    assert _ids(html) == _ids(_main(client.get(f"{URL}?{kept}")))
    assert _ids(html)


def test_the_french_message_of_a_wrong_date(login_as: Any, people: dict) -> None:
    html = _main(login_as(people["pilot"]).get(f"{URL}?du=2026-03-12&au=2026-03-11"))
    assert "Cette date doit venir après la première." in html


def test_pages_of_a_hundred_keep_the_filters(login_as: Any, db: Any, people: dict) -> None:
    # 205 budget entries, three to a minute (ties are broken by the id), and others.
    made = [_record(db, "budget.counted", at=NOW - timedelta(minutes=n // 3)).id
            for n in range(205)]
    for n in range(10):
        _record(db, "mail.retried", target_type="mail", target_id=None,
                at=NOW - timedelta(minutes=n * 20))
    client = login_as(people["pilot"])
    first = _main(client.get(f"{URL}?genre=budget"))
    assert len(_ids(first)) == 100
    assert _link(first, "Plus récentes") is None
    older = _link(first, "Plus anciennes")
    assert older is not None
    assert parse_qs(urlsplit(older).query)["genre"] == ["budget"]
    second = _main(client.get(older))
    assert len(_ids(second)) == 100
    third = _main(client.get(_link(second, "Plus anciennes") or ""))
    assert len(_ids(third)) == 5
    assert _link(third, "Plus anciennes") is None
    seen = _ids(first) + _ids(second) + _ids(third)
    assert sorted(seen) == sorted(made)
    assert seen == sorted(made, key=lambda i: (-db.get(audit.AuditEntry, i).at.timestamp(), -i))
    # Back to newer entries: the same page as before.
    back = _main(client.get(_link(third, "Plus récentes") or ""))
    assert _ids(back) == _ids(second)
    assert _ids(_main(client.get(_link(back, "Plus récentes") or ""))) == _ids(first)
    # A page number that is not one is left aside, not sent to the database.
    assert client.get(f"{URL}?avant=99999999999999999999").status_code == 200


def test_a_search_is_bounded(db: Any) -> None:
    for n in range(3):
        _record(db, "budget.counted", at=NOW + timedelta(seconds=n))
    assert len(audit.search(db, limit=10**9)) == 3
    assert len(audit.search(db, limit=2)) == 2
    assert audit.search(db, limit=-5)  # at least one
    assert len(audit.latest(db)) == 3


# --- Who reads what -----------------------------------------------------------------------


@pytest.fixture
def two_quartiers(db: Any, people: dict, quartier: Any, other_quartier: Any) -> dict[str, Any]:
    """Entries about posts of the moderator's quartier, of another one, and others."""
    mine = factories.make_idea(db, quartier, title="Des bancs")
    theirs = factories.make_idea(db, other_quartier, title="Un jardin")
    comment = factories.make_comment(db, mine, people["resident"])
    far_comment = factories.make_comment(db, theirs, people["resident"])
    point = factories.make_point(db, quartier)
    event = factories.make_event(db, quartier)
    far_event = factories.make_event(db, other_quartier)
    everywhere = factories.make_event(db, None)
    pilot = people["pilot"]
    at = iter(NOW + timedelta(minutes=n) for n in range(100))

    def entry(action: str, target_type: str, target_id: Any, **details: Any) -> int:
        return _record(db, action, actor=pilot, target_type=target_type, target_id=target_id,
                       at=next(at), **details).id

    return {
        "seen": {
            entry("moderation.reject", "idea", mine.id, before="pending", after="rejected",
                  reason="Doublon"),
            entry("ideas.answer", "idea", mine.id, before="new", after="under_study"),
            entry("moderation.hide", "comment", comment.id, before="published",
                  after="hidden", reason="Insulte"),
            entry("moderation.publish", "point", point.id, before="pending",
                  after="published", reason=""),
            entry("events.edit", "event", event.id, changes=["place"]),
            entry("moderation.mode", "quartier", quartier.id, before="pre", after="post"),
        },
        "hidden": {
            entry("moderation.reject", "idea", theirs.id, before="pending", after="rejected",
                  reason="Doublon"),
            entry("moderation.hide", "comment", far_comment.id, before="published",
                  after="hidden", reason="Insulte"),
            entry("events.cancel", "event", far_event.id),
            entry("events.cancel", "event", everywhere.id),
            entry("moderation.mode", "quartier", other_quartier.id, before="pre", after="post"),
            entry("permanence.slot_added", "quartier", quartier.id, slot=3),
            entry("budget.round_updated", "round", 1, changed={"title": ["A", "B"]}),
            entry("accounts.role_granted", "user", people["resident"].id, role="moderator"),
        },
    }


def test_a_moderator_reads_their_quartiers_history_only(login_as: Any, people: dict,
                                                        two_quartiers: dict[str, Any]) -> None:
    response = login_as(people["moderator"]).get(URL)
    assert response.status_code == 200
    html = _main(response)
    assert set(_ids(html)) == two_quartiers["seen"]
    assert "a refusé une publication" in html
    assert "a changé une session du FPH" not in html
    assert "Un jardin" not in html
    # Back to the moderation queue, not to the pilot's administration.
    assert 'href="/moderation"' in html
    assert 'href="/admin/"' not in html
    # Filters narrow within what they may read.
    assert set(_ids(_main(login_as(people["moderator"]).get(f"{URL}?genre=budget")))) == set()


def test_the_scope_in_the_database(db: Any, people: dict, quartier: Any, other_quartier: Any,
                                   two_quartiers: dict[str, Any]) -> None:
    everything = two_quartiers["seen"] | two_quartiers["hidden"]
    assert {e.id for e in audit.search(db, limit=100)} >= everything
    assert {e.id for e in audit.search(db, quartier_ids={quartier.id}, limit=100)} == (
        two_quartiers["seen"])
    assert {e.id for e in audit.search(db, quartier_ids=set(), limit=100)} == set()
    assert audit.actor_ids(db, quartier_ids=set()) == []
    assert audit.actor_ids(db, quartier_ids={quartier.id}) == [people["pilot"].id]
    assert audit_quartiers(people["pilot"]) is None
    assert audit_quartiers(people["moderator"]) == {quartier.id}
    assert audit_quartiers(people["resident"]) == set()
    assert audit_quartiers(None) == set()


def test_who_may_open_the_journal(client: Any, login_as: Any, people: dict,
                                  unenrolled: Any) -> None:
    assert client.get(URL).headers["Location"].startswith("/connexion")
    for refused in ("resident", "animator", "signatory"):
        assert login_as(people[refused]).get(URL).status_code == 403, refused
    assert login_as(unenrolled).get(URL).status_code == 403
    assert login_as(people["moderator"]).get(URL).status_code == 200
    assert login_as(people["pilot"]).get(URL).status_code == 200


# --- Every action has its sentence -----------------------------------------------------


def recorded_actions() -> tuple[set[str], set[str]]:
    """The action codes of the code base: plain ones, and f-string patterns."""
    plain: set[str] = set()
    patterns: set[str] = set()
    for path in CIVIC.rglob("*.py"):
        for is_format, code in RECORDED.findall(path.read_text(encoding="utf-8")):
            (patterns if is_format and "{" in code else plain).add(code)
    return plain, patterns


def test_every_action_of_the_code_base_has_a_sentence() -> None:
    plain, patterns = recorded_actions()
    assert len(plain) > 40  # the search found the calls
    assert sorted(plain - audit_labels.ACTIONS.keys()) == []
    for pattern in patterns:
        shape = re.compile(re.sub(r"\\\{[^}]*\\\}", "[a-z_]+", re.escape(pattern)))
        assert any(shape.fullmatch(code) for code in audit_labels.ACTIONS), pattern
    assert sorted(set(EXPANDED) - audit_labels.ACTIONS.keys()) == []
    assert all(code.split(".")[0] in audit_labels.KINDS for code in audit_labels.ACTIONS)


def test_an_unknown_code_shows_itself() -> None:
    assert audit_labels.action_label("x.y") == "x.y"
    assert audit_labels.field_label("zzz") == "zzz"
    assert audit_labels.target_label("thing") == "thing"
