"""What a resident chooses to hear: the defaults, the page of the account, the mails that
leave at once as each person chose, and what the account's deletion and export do."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from civic.accounts import services as accounts
from civic.core.permissions import can
from civic.ideas import notifications
from civic.ideas.models import Follow, Support
from civic.outreach import notify, topics
from civic.outreach.models import NewsSent, Preference
from civic.outreach.topics import EVENTS, IDEA_ANSWERS, IMMEDIATELY, NEVER, ROUNDS, WEEKLY
from tests import factories
from tests.factories import NOW, PASSWORD
from tests.test_hostile_input import HOSTILE


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _choose(db: Any, user: Any, quartier: Any, topic: str, frequency: str) -> None:
    db.add(Preference(user_id=user.id, quartier_id=quartier.id, topic=topic,
                      frequency=frequency, updated_at=NOW))
    db.flush()


def _checked(page: str, quartier: Any, topic: str) -> str:
    """The value of the radio checked for this quartier and topic."""
    [value] = re.findall(rf'<input [^>]*checked id="q{quartier.id}_{topic}-\d" '
                         rf'name="[^"]+" type="radio" value="(\w+)"', page)
    return str(value)


def _stored(db: Any, user: Any) -> dict[tuple[int, str], str]:
    return {(p.quartier_id, p.topic): p.frequency
            for p in db.scalars(select(Preference).where(Preference.user_id == user.id))}


# --- The defaults and the one function every mail asks --------------------------------


@pytest.mark.parametrize(("topic", "expected"), [
    (topics.ROUNDS, NEVER), (topics.IDEA_ANSWERS, IMMEDIATELY), (topics.EVENTS, NEVER),
    (topics.RESULTS, NEVER), (topics.SURVEYS, NEVER)])
def test_the_defaults_are_modest(topic: str, expected: str) -> None:
    assert topics.default(topic) == expected
    assert topics.frequency(None, topic) == expected
    assert topics.frequency(WEEKLY, topic) == WEEKLY
    assert topics.frequency("sometimes", topic) == expected


def test_wants_says_what_was_chosen_or_the_default(db: Any, quartier: Any,
                                                   other_quartier: Any) -> None:
    resident = factories.make_user(db)
    _choose(db, resident, quartier, EVENTS, WEEKLY)
    _choose(db, resident, quartier, IDEA_ANSWERS, NEVER)
    assert notify.wants(resident, quartier.id, EVENTS, db=db) == WEEKLY
    assert notify.wants(resident, quartier.id, IDEA_ANSWERS, db=db) == NEVER
    assert notify.wants(resident, quartier.id, ROUNDS, db=db) == NEVER
    assert notify.wants(resident, other_quartier.id, EVENTS, db=db) == NEVER
    assert notify.wants(resident, other_quartier.id, IDEA_ANSWERS, db=db) == IMMEDIATELY
    assert notify.wants(None, quartier.id, EVENTS, db=db) == NEVER
    nobody = factories.make_user(db, email=None)
    assert notify.wants(nobody, quartier.id, IDEA_ANSWERS, db=db) == NEVER


def test_wants_many_asks_once_for_any_number_of_people(db: Any, quartier: Any,
                                                       count_queries: Any) -> None:
    people = [factories.make_user(db) for _ in range(40)]
    for person in people[::3]:
        _choose(db, person, quartier, IDEA_ANSWERS, WEEKLY)
    with count_queries() as counted:
        found = notify.wants_many(db, [p.id for p in people], quartier.id, IDEA_ANSWERS)
    assert counted.n == 1
    assert [found[p.id] for p in people[:4]] == [WEEKLY, IMMEDIATELY, IMMEDIATELY, WEEKLY]


# --- Answers to ideas leave at once, as each person chose ------------------------------


def test_an_answer_reaches_at_once_those_who_want_it_at_once(
        app: Any, db: Any, quartier: Any, people: dict) -> None:
    author = factories.make_user(db, display_name="Awa")
    idea = factories.make_idea(db, quartier, author, title="Un composteur")
    follower_never = factories.make_user(db, display_name="Nour")
    follower_weekly = factories.make_user(db, display_name="Willy")
    supporter = factories.make_user(db, display_name="Sam")
    supporter_at_once = factories.make_user(db, display_name="Sofia")
    for user in (author, follower_never, follower_weekly):
        db.add(Follow(idea_id=idea.id, user_id=user.id, created_at=NOW))
    for user in (supporter, supporter_at_once):
        db.add(Support(idea_id=idea.id, user_id=user.id, created_at=NOW))
    db.flush()
    _choose(db, follower_never, quartier, IDEA_ANSWERS, NEVER)
    _choose(db, follower_weekly, quartier, IDEA_ANSWERS, WEEKLY)
    _choose(db, supporter_at_once, quartier, IDEA_ANSWERS, IMMEDIATELY)
    followers = [author, follower_never, follower_weekly]
    told = notify.answer_audience(db, idea, followers)
    assert [u.display_name for u in told] == ["Awa", "Sofia"]
    with app.test_request_context():
        sent = notifications.status_changed(idea, followers, actor=people["pilot"])
    assert sent == 2


def test_a_pilots_answer_mails_the_author_as_before_and_the_supporter_who_asked(
        login_as: Any, db: Any, people: dict, quartier: Any, outbox: Any) -> None:
    author = people["resident"]
    idea = factories.make_idea(db, quartier, author, title="Éclairage du passage")
    db.add(Follow(idea_id=idea.id, user_id=author.id, created_at=NOW))
    supporter = factories.make_user(db, display_name="Sofia")
    quiet = factories.make_user(db, display_name="Sam")
    db.add_all([Support(idea_id=idea.id, user_id=supporter.id, created_at=NOW),
                Support(idea_id=idea.id, user_id=quiet.id, created_at=NOW)])
    _choose(db, supporter, quartier, IDEA_ANSWERS, IMMEDIATELY)
    answered = login_as(people["pilot"]).post(f"/idees/{idea.id}/reponse", data={
        "status": "planned", "response": "Prévu au printemps."})
    assert answered.status_code == 302
    mails = {str(m["To"]): outbox.body(m) for m in outbox.messages}
    assert set(mails) == {author.email, supporter.email}
    assert "que vous suivez" in mails[author.email]
    assert "avez soutenu cette idée" in mails[supporter.email]
    assert "http://localhost/compte/avis" in mails[supporter.email]


# --- The page of the account -----------------------------------------------------------


def test_the_page_shows_my_quartier_first_with_what_i_receive_today(
        login_as: Any, db: Any, quartier: Any, other_quartier: Any) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    _choose(db, resident, other_quartier, EVENTS, WEEKLY)
    page = _text(login_as(resident).get("/compte/avis"))
    assert page.index("Les Tilleuls") < page.index("Le Parc")
    assert _checked(page, quartier, IDEA_ANSWERS) == IMMEDIATELY
    assert _checked(page, quartier, EVENTS) == NEVER
    assert _checked(page, other_quartier, EVENTS) == WEEKLY
    assert "Rien n’est encore choisi pour ce quartier" in page
    account = _text(login_as(resident).get("/compte"))
    assert 'href="/compte/avis"' in account


def test_saving_the_choices_keeps_them_and_says_so(login_as: Any, db: Any,
                                                   quartier: Any) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    client = login_as(resident)
    data = {f"q{quartier.id}_{topic}": NEVER for topic in topics.TOPICS}
    data[f"q{quartier.id}_events"] = WEEKLY
    data[f"q{quartier.id}_rounds"] = IMMEDIATELY
    saved = client.post("/compte/avis", data=data)
    assert saved.status_code == 302
    assert _stored(db, resident) == {(quartier.id, t): data[f"q{quartier.id}_{t}"]
                                     for t in topics.TOPICS}
    page = _text(client.get(saved.headers["Location"]))
    assert "Vos choix sont enregistrés." in page
    assert _checked(page, quartier, EVENTS) == WEEKLY
    assert _checked(page, quartier, ROUNDS) == IMMEDIATELY


def test_another_quartier_is_added_then_forgotten(login_as: Any, db: Any, quartier: Any,
                                                  other_quartier: Any) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    client = login_as(resident)
    added = _text(client.get(f"/compte/avis?quartier={other_quartier.id}"))
    assert "Le Parc" in added
    assert f'action="/compte/avis?quartier={other_quartier.id}"' in added
    data = {f"q{q.id}_{t}": NEVER for q in (quartier, other_quartier) for t in topics.TOPICS}
    data[f"q{other_quartier.id}_events"] = WEEKLY
    assert client.post(f"/compte/avis?quartier={other_quartier.id}",
                       data=data).status_code == 302
    assert _stored(db, resident)[(other_quartier.id, EVENTS)] == WEEKLY
    assert "Le Parc" in _text(client.get("/compte/avis"))
    gone = client.post(f"/compte/avis/quartiers/{other_quartier.id}/oublier")
    assert gone.status_code == 302
    assert (other_quartier.id, EVENTS) not in _stored(db, resident)
    assert "Le Parc</bdi></h2>" not in _text(client.get("/compte/avis"))
    # A quartier that does not exist is not offered, whatever the address says.
    assert client.get("/compte/avis?quartier=99999999999999").status_code == 200


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_a_hostile_choice_is_refused_next_to_its_question(login_as: Any, db: Any,
                                                          quartier: Any, value: str) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    data = {f"q{quartier.id}_{topic}": WEEKLY for topic in topics.TOPICS}
    data[f"q{quartier.id}_events"] = value
    answer = login_as(resident).post("/compte/avis", data=data)
    assert answer.status_code == 400
    page = _text(answer)
    assert "Choisissez : tout de suite, une fois par semaine, ou jamais." in page
    assert f'id="q{quartier.id}_events-error"' in page
    assert "<script>alert" not in page
    assert _stored(db, resident) == {}


def test_the_page_needs_an_account(client: Any, db: Any) -> None:
    answer = client.get("/compte/avis")
    assert answer.status_code == 302
    assert "/connexion" in answer.headers["Location"]


def test_one_click_in_a_digest_stops_the_news_without_a_session(
        app: Any, client: Any, db: Any, quartier: Any, monkeypatch: Any) -> None:
    from civic.outreach.digest import stop_link

    resident = factories.make_user(db, quartier_id=quartier.id)
    _choose(db, resident, quartier, EVENTS, WEEKLY)
    _choose(db, resident, quartier, ROUNDS, IMMEDIATELY)
    with app.test_request_context():
        link = stop_link(resident.id).removeprefix("http://localhost")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    shown = client.get(link)
    assert shown.status_code == 200
    assert _stored(db, resident)[(quartier.id, EVENTS)] == WEEKLY  # a GET changes nothing
    for _ in range(2):
        stopped = client.post(link, data={"List-Unsubscribe": "One-Click"})
        assert stopped.status_code == 200
        assert set(_stored(db, resident).values()) == {NEVER}
    forged = client.post("/avis/arret/1.abc.def", data={"List-Unsubscribe": "One-Click"})
    assert forged.status_code == 200


# --- Who may do what --------------------------------------------------------------------


@pytest.mark.parametrize(("who", "action", "target", "allowed"), [
    (None, "outreach.preferences", "self", False),
    ("resident", "outreach.preferences", "self", True),
    ("resident", "outreach.preferences", None, True),
    ("resident", "outreach.preferences", "pilot", False),
    ("pilot", "outreach.preferences", "resident", False),
    (None, "outreach.letter_counts", None, False),
    ("resident", "outreach.letter_counts", None, False),
    ("moderator", "outreach.letter_counts", None, False),
    ("animator", "outreach.letter_counts", None, False),
    ("signatory", "outreach.letter_counts", None, False),
    ("unenrolled", "outreach.letter_counts", None, False),
    ("pilot", "outreach.letter_counts", None, True),
    (None, "outreach.letter_export", "quartier", False),
    ("resident", "outreach.letter_export", "quartier", False),
    ("moderator", "outreach.letter_export", "quartier", False),
    ("animator", "outreach.letter_export", "quartier", False),
    ("signatory", "outreach.letter_export", "quartier", False),
    ("unenrolled", "outreach.letter_export", "quartier", False),
    ("pilot", "outreach.letter_export", "quartier", True),
    ("pilot", "outreach.letter_export", None, False),
])
def test_permission_matrix(people: dict, unenrolled: Any, quartier: Any, who: str | None,
                           action: str, target: str | None, allowed: bool) -> None:
    everyone = {**people, "unenrolled": unenrolled}
    user = everyone[who] if who else None
    found = {"self": user, "quartier": quartier, None: None}.get(target, everyone.get(
        target or ""))
    assert can(user, action, found) is allowed


# --- The account's data ----------------------------------------------------------------


def test_my_data_shows_my_choices_and_deletion_erases_them(
        db: Any, quartier: Any) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    _choose(db, resident, quartier, EVENTS, WEEKLY)
    db.add(NewsSent(cadence="weekly", period_start=NOW - timedelta(days=7),
                    user_id=resident.id, sent_at=NOW))
    db.flush()
    exported = json.loads(json.dumps(accounts.export_data(db, resident)))
    assert exported["mail"]["choices"] == [{"quartier": quartier.code, "topic": "events",
                                            "frequency": "weekly",
                                            "updated_at": NOW.isoformat()}]
    assert len(exported["mail"]["news_sent"]) == 1
    accounts.delete_account(db, resident, PASSWORD, now=NOW)
    left = [db.scalar(select(func.count()).select_from(model).where(model.user_id == resident.id))
            for model in (Preference, NewsSent)]
    assert left == [0, 0]


def test_the_export_file_of_the_account_holds_the_choices(login_as: Any, db: Any,
                                                          quartier: Any) -> None:
    resident = factories.make_user(db, quartier_id=quartier.id)
    _choose(db, resident, quartier, ROUNDS, IMMEDIATELY)
    data = json.loads(_text(login_as(resident).get("/compte/mes-donnees.json")))
    assert data["mail"]["choices"][0]["frequency"] == "immediately"
