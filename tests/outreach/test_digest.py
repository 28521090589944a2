"""The news mails: a week's activity makes the right digest for each person, nothing
goes to someone who chose never, a second run sends nothing again, the letters go to
confirmed addresses only, and the work does not grow in queries with the people."""

from __future__ import annotations

import email
import email.policy
import itertools
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast

import pytest
from flask import Flask
from sqlalchemy import delete, select

from civic.core import jobs
from civic.core.mail import OutgoingMail
from civic.ideas.models import Follow, Support
from civic.outreach import digest, newsletter, topics
from civic.outreach.models import LetterSubscription, NewsSent, Preference
from civic.outreach.topics import EVENTS, IDEA_ANSWERS, RESULTS, ROUNDS, SURVEYS, TOPICS
from tests import factories
from tests.factories import NOW

#: The Monday morning after NOW (Saturday 14 March 2026): the digest of 9–15 March.
MONDAY = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)
WEEK = topics.last_week(MONDAY, "Europe/Paris")
LONG_AGO = NOW - timedelta(days=60)
_years = itertools.count(2000)


def choose(db: Any, user: Any, quartier: Any, frequency: str, *chosen: str) -> None:
    for topic in chosen or TOPICS:
        db.add(Preference(user_id=user.id, quartier_id=quartier.id, topic=topic,
                          frequency=frequency, updated_at=LONG_AGO))
    db.flush()


def round_in(db: Any, quartier: Any, **values: Any) -> Any:
    """A round of ``quartier``'s fund whose dates all lie far from the week, but for
    those given."""
    dates = {"submission_starts_at": LONG_AGO, "review_starts_at": LONG_AGO + timedelta(1),
             "vote_starts_at": LONG_AGO + timedelta(2), "vote_ends_at": LONG_AGO + timedelta(3),
             "follow_up_starts_at": NOW + timedelta(days=90), "created_at": LONG_AGO}
    return factories.make_round(db, factories.make_fund(db, quartier, year=next(_years)),
                                phase="upcoming", **{**dates, **values})


def event_in(db: Any, quartier: Any, title: str, **values: Any) -> Any:
    return factories.make_event(db, quartier, title=title, **{
        "moderated_at": NOW - timedelta(days=1), **values})


def sent_mails(db: Any) -> list[EmailMessage]:
    rows = db.scalars(select(OutgoingMail).where(OutgoingMail.kind.startswith("outreach/"))
                      .order_by(OutgoingMail.id))
    return [cast(EmailMessage, email.message_from_bytes(
        row.message, policy=email.policy.default)) for row in rows]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def to(db: Any) -> dict[str, str]:
    """Each recipient's mail text."""
    return {str(m["To"]): body(m) for m in sent_mails(db)}


def run_week(app: Flask, db: Any, when: datetime = MONDAY) -> digest.Outcome:
    with app.test_request_context():
        return digest.send_news(db, topics.last_week(when, "Europe/Paris"), now=when)


@pytest.fixture
def week(db: Any, quartier: Any, other_quartier: Any, survey: Any) -> dict[str, Any]:
    """A week of life in les Tilleuls (``quartier``) and le Parc (``other_quartier``)."""
    new_round = round_in(db, quartier, title="Appel à projets des Tilleuls",
                         submission_starts_at=NOW - timedelta(days=1), created_at=NOW,
                         review_starts_at=NOW + timedelta(days=20),
                         vote_starts_at=NOW + timedelta(days=30),
                         vote_ends_at=NOW + timedelta(days=40))
    voting = round_in(db, other_quartier, title="Vote du Parc",
                      vote_starts_at=NOW - timedelta(days=1),
                      vote_ends_at=NOW + timedelta(days=4))
    counted = round_in(db, quartier, title="Session d’automne")
    counted.results = {"selected": []}
    counted.results_published_at = NOW - timedelta(hours=2)
    event_in(db, quartier, "Repas de printemps", kind="meal")
    event_in(db, None, "Assises des quartiers", kind="assizes")
    event_in(db, quartier, "Café de la semaine dernière", moderated_at=NOW - timedelta(days=10))
    event_in(db, quartier, "Café en attente", moderation="pending", moderated_at=None)
    event_in(db, quartier, "Café annulé", cancelled_at=NOW, cancel_reason="Pluie")
    event_in(db, quartier, "Café déjà passé", starts_at=NOW - timedelta(days=1))
    author = factories.make_user(db, display_name="Erin", quartier_id=quartier.id)
    idea = factories.make_idea(db, quartier, author, title="Des bancs à l’ombre",
                               status="planned", response="C’est prévu pour avril.",
                               responded_at=NOW)
    db.add(Follow(idea_id=idea.id, user_id=author.id, created_at=LONG_AGO))
    alice = factories.make_user(db, display_name="Alice", quartier_id=quartier.id)
    choose(db, alice, quartier, "weekly", ROUNDS, EVENTS, RESULTS, SURVEYS)
    bob = factories.make_user(db, display_name="Bob", language="en",
                              quartier_id=other_quartier.id)
    choose(db, bob, other_quartier, "weekly", ROUNDS)
    choose(db, bob, quartier, "weekly", EVENTS)
    chloe = factories.make_user(db, display_name="Chloé", quartier_id=quartier.id)
    choose(db, chloe, quartier, "never")
    dan = factories.make_user(db, display_name="Dan", quartier_id=quartier.id)
    db.add(Support(idea_id=idea.id, user_id=dan.id, created_at=LONG_AGO))
    choose(db, dan, quartier, "weekly", IDEA_ANSWERS)
    gone = factories.make_user(db, display_name="", email=None,
                               deleted_at=NOW - timedelta(days=2))
    choose(db, gone, quartier, "weekly")
    unconfirmed = factories.make_user(db, display_name="Pas encore", confirmed=False)
    choose(db, unconfirmed, quartier, "weekly")
    return {"alice": alice, "bob": bob, "chloe": chloe, "dan": dan, "erin": author,
            "unconfirmed": unconfirmed, "rounds": (new_round, voting, counted), "idea": idea}


def subscribe(db: Any, quartier: Any, address: str, language: str, *,
              confirmed: bool = True) -> LetterSubscription:
    asked = newsletter.subscribe(db, {"email": address, "quartier": quartier,
                                      "language": language}, secret="tests-only-secret",
                                 languages=("fr", "en", "ar"), now=LONG_AGO)
    if confirmed:
        assert newsletter.confirm(db, asked.token, now=LONG_AGO, hours=48) == "confirmed"
    return asked.subscription


def test_the_week_is_monday_to_monday_in_paris() -> None:
    assert WEEK.start == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert WEEK.end == datetime(2026, 3, 15, 23, 0, tzinfo=UTC)
    assert (WEEK.first_day.isoformat(), WEEK.last_day.isoformat()) == ("2026-03-09",
                                                                       "2026-03-15")
    # In summer time too, and from any day of the next week.
    summer = topics.last_week(datetime(2026, 7, 12, 21, 59, tzinfo=UTC), "Europe/Paris")
    assert summer.start == datetime(2026, 6, 28, 22, 0, tzinfo=UTC)
    hour = topics.last_hour(datetime(2026, 3, 14, 10, 5, tzinfo=UTC), "Europe/Paris")
    assert (hour.start, hour.end) == (datetime(2026, 3, 14, 9, tzinfo=UTC),
                                      datetime(2026, 3, 14, 10, tzinfo=UTC))


def test_a_weeks_activity_makes_the_right_digest_for_each_person(
        app: Flask, db: Any, week: dict[str, Any]) -> None:
    outcome = run_week(app, db)
    mails = to(db)
    assert set(mails) == {week["alice"].email, week["bob"].email, week["dan"].email}
    assert (outcome.accounts, outcome.letters) == (3, 0)

    alice = mails[week["alice"].email]
    assert "Bonjour Alice," in alice
    assert "semaine du 9 mars au 15 mars" in alice
    assert "Nouvelle session du FPH : « Appel à projets des Tilleuls »" in alice
    assert "« Session d’automne » : les résultats du vote sont publiés." in alice
    assert "Nouvel événement : Repas de printemps" in alice
    assert "Nouvel événement : Assises des quartiers" in alice
    assert "Nouvelle enquête : « Les stages (fr) »" in alice
    for absent in ("Vote du Parc", "semaine dernière", "en attente", "annulé", "déjà passé",
                   "Des bancs"):
        assert absent not in alice
    # Each item once, with its plain link; the contract's news under their own heading.
    assert alice.count("Assises des quartiers") == 1
    new_round, _voting, counted = week["rounds"]
    assert f"http://localhost/fph/{new_round.id}\n" in alice
    assert f"http://localhost/fph/{counted.id}/resultats\n" in alice
    assert "Tout le contrat de ville" in alice
    assert alice.index("Les Tilleuls") < alice.index("Tout le contrat de ville")

    bob = mails[week["bob"].email]
    assert "9 March" in bob  # in his language
    assert "Vote du Parc" in bob
    assert "Repas de printemps" in bob
    assert "Appel à projets des Tilleuls" not in bob  # rounds chosen for le Parc only
    assert "Les stages" not in bob
    assert bob.index("Le Parc") < bob.index("Les Tilleuls")  # his own quartier first

    dan = mails[week["dan"].email]
    assert "« Des bancs à l’ombre »" in dan
    assert "C’est prévu pour avril." in dan
    assert f"http://localhost/idees/{week['idea'].id}\n" in dan
    assert "Repas de printemps" not in dan


def test_nothing_goes_to_whoever_chose_never_or_has_no_address(
        app: Flask, db: Any, week: dict[str, Any]) -> None:
    run_week(app, db)
    recipients = set(to(db))
    assert week["chloe"].email not in recipients
    assert week["unconfirmed"].email not in recipients
    # The author follows her idea and chose nothing: she heard at once, not in the digest.
    assert week["erin"].email not in recipients
    assert None not in {m["To"] for m in sent_mails(db)}


def test_a_week_without_news_sends_nothing(app: Flask, db: Any, week: dict[str, Any]) -> None:
    outcome = run_week(app, db, MONDAY + timedelta(days=28))
    assert sent_mails(db) == []
    assert outcome.accounts == 0


def test_a_second_run_of_the_same_week_sends_nothing_again(
        app: Flask, db: Any, week: dict[str, Any]) -> None:
    first = run_week(app, db)
    second = run_week(app, db, MONDAY + timedelta(hours=3))
    assert first.accounts == 3
    assert second.accounts == 0
    assert len(sent_mails(db)) == 3
    logged = db.scalars(select(NewsSent.user_id).where(NewsSent.cadence == "weekly"))
    assert sorted(logged) == sorted(week[n].id for n in ("alice", "bob", "dan"))


def test_the_mails_carry_the_one_click_unsubscribe_and_nothing_that_tracks(
        app: Flask, db: Any, week: dict[str, Any], quartier: Any) -> None:
    subscribe(db, quartier, "voisine@example.org", "fr")
    run_week(app, db)
    mails = sent_mails(db)
    assert len(mails) == 4
    for message in mails:
        link = str(message["List-Unsubscribe"]).strip()  # folded: a long line
        assert link.startswith("<http://localhost/")
        assert link.endswith(">")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link[1:-1] in body(message)  # the same link, in the text
        assert message.get_content_type() == "text/plain"  # no HTML, so no pixel
        assert "<img" not in body(message)
        links = [word for word in body(message).split() if word.startswith("http")]
        assert all(url.startswith("http://localhost/") for url in links)
    alice = next(m for m in mails if m["To"] == week["alice"].email)
    assert "http://localhost/compte/avis" in body(alice)
    assert str(alice["Subject"]) == "Les nouvelles de la semaine du 9 mars"


def test_the_letters_go_to_confirmed_addresses_in_their_language(
        app: Flask, db: Any, week: dict[str, Any], quartier: Any, other_quartier: Any) -> None:
    subscribe(db, quartier, "voisine@example.org", "ar")
    subscribe(db, quartier, "pas-confirme@example.org", "fr", confirmed=False)
    subscribe(db, other_quartier, "parc@example.org", "en")
    outcome = run_week(app, db)
    mails = {str(m["To"]): m for m in sent_mails(db)}
    assert "pas-confirme@example.org" not in mails
    assert outcome.letters == 2
    arabic = body(mails["voisine@example.org"])
    assert "Les stages (ar)" in arabic
    assert "Repas de printemps" in arabic
    assert "Assises des quartiers" in arabic
    assert "Des bancs" not in arabic  # letters carry no answers to ideas
    assert "/lettre/desabonnement/" in str(mails["voisine@example.org"]["List-Unsubscribe"])
    parc = body(mails["parc@example.org"])
    assert "Vote du Parc" in parc
    assert "Repas de printemps" not in parc
    assert "Les stages (en)" in parc
    assert "Tilleuls" in str(mails["voisine@example.org"]["Subject"])
    # The link in the letter ends the subscription.
    link = str(mails["parc@example.org"]["List-Unsubscribe"]).strip()[1:-1]
    token = link.rsplit("/", 1)[1]
    newsletter.unsubscribe(db, token)
    assert db.scalar(select(LetterSubscription).where(
        LetterSubscription.email == "parc@example.org")) is None


def test_the_hourly_mail_brings_what_was_chosen_at_once(
        app: Flask, db: Any, quartier: Any) -> None:
    resident = factories.make_user(db, display_name="Inès", quartier_id=quartier.id)
    choose(db, resident, quartier, "immediately", EVENTS, IDEA_ANSWERS)
    weekly = factories.make_user(db, display_name="Hugo", quartier_id=quartier.id)
    choose(db, weekly, quartier, "weekly", EVENTS)
    event_in(db, quartier, "Atelier vélo", moderated_at=NOW - timedelta(minutes=30))
    event_in(db, quartier, "Café d’hier", moderated_at=NOW - timedelta(hours=3))
    idea = factories.make_idea(db, quartier, resident, status="planned", responded_at=NOW
                               - timedelta(minutes=20))
    db.add(Follow(idea_id=idea.id, user_id=resident.id, created_at=LONG_AGO))
    with app.test_request_context():
        outcome = digest.send_news(db, topics.last_hour(NOW + timedelta(minutes=5),
                                                        "Europe/Paris"), now=NOW)
    mails = to(db)
    assert set(mails) == {resident.email}
    assert outcome.accounts == 1
    assert "Atelier vélo" in mails[resident.email]
    assert "Café d’hier" not in mails[resident.email]
    # The answer to her idea left at the moment it was given, not an hour later.
    assert idea.title not in mails[resident.email]
    assert str(sent_mails(db)[0]["Subject"]) == "Du nouveau près de chez vous"


def _residents(db: Any, quartier: Any, start: int, count: int) -> None:
    for n in range(start, start + count):
        user = factories.make_user(db, display_name=f"Voisin {n}", quartier_id=quartier.id,
                                   language=("fr", "en", "ar")[n % 3])
        choose(db, user, quartier, "weekly")
        if n % 2:
            subscribe(db, quartier, f"lettre{n}@example.org", ("fr", "en", "ar")[n % 3])


def test_the_digest_takes_as_many_queries_for_100_people_as_for_10(
        app: Flask, db: Any, week: dict[str, Any], quartier: Any, count_queries: Any) -> None:
    counts, written = [], []
    for start, size in ((0, 10), (10, 90)):
        _residents(db, quartier, start, size)
        # The same week again, for everybody: forget what the first run sent.
        db.execute(delete(NewsSent))
        db.execute(delete(OutgoingMail))
        db.flush()
        with count_queries() as counted:
            outcome = run_week(app, db)
        counts.append(counted.n)
        written.append(outcome.accounts + outcome.letters)
    assert written == [3 + 10 + 5, 3 + 100 + 50]
    assert counts[0] == counts[1]


def test_the_job_sends_last_weeks_news_on_monday(
        app: Flask, db: Any, week: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: MONDAY)
    monkeypatch.setattr("civic.outreach.digest.commit", lambda session: session.flush())
    assert jobs.registered()["outreach.weekly_digest"].cron == "0 6 * * 1"
    with app.app_context():
        said = jobs.run("outreach.weekly_digest")
    assert said.startswith("3 accounts, 0 letters")
    assert len(sent_mails(db)) == 3
