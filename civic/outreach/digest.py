"""The news mails: the weekly digest, the hourly mail of what people chose "at once",
and the quartiers' letters.

A run covers one period (``topics.Period``) and works in a bounded number of queries,
whatever the number of people: it loads the period's news once (rounds and their phases,
published events to come, surveys, results, answers to ideas, with who follows or
supported them), then every choice of that frequency with its account in one query,
then the letters' subscribers; it puts each person's items together in Python and
writes the mails to the outbox, with the log of what was sent, a thousand at a time.

One mail per person and period, only when it has something to say, in the person's
language, in plain text with plain links (no tracking, nothing rewritten), and a link to
change what one receives. Every mail carries RFC 8058's one-click unsubscribe
(``List-Unsubscribe`` and ``List-Unsubscribe-Post``) and the same link in its text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from itertools import islice
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import and_, delete, false, insert, or_, select, union_all
from sqlalchemy.orm import Session, joinedload

from civic.accounts.models import User
from civic.budget.models import Round
from civic.core import clock, mail
from civic.core.db import commit, session
from civic.core.i18n import _, format_date
from civic.core.jobs import job
from civic.core.security import sign
from civic.evaluation.models import Evaluation, Survey
from civic.events.models import Event
from civic.ideas.models import Follow, Forwarding, Idea, Support
from civic.moderation.models import State
from civic.outreach import newsletter, topics
from civic.outreach.models import LetterSubscription, NewsSent, Preference
from civic.outreach.topics import (
    EVENTS,
    IDEA_ANSWERS,
    LETTER_TOPICS,
    RESULTS,
    ROUNDS,
    SURVEYS,
    TOPICS,
    WEEKLY_CADENCE,
    Period,
)
from civic.territory.models import Quartier

#: Mails written to the outbox per statement.
BATCH = 1000

#: The purpose of the signed link that stops an account's news (one click).
STOP_PURPOSE = "outreach-stop"
#: How long that link works: a year, longer than anyone keeps a digest unread.
STOP_MAX_AGE = 366 * 24 * 3600

#: Each date of a round that opens a phase, and the phase it opens.
PHASE_DATES = (("submission_starts_at", "submission"), ("review_starts_at", "review"),
               ("vote_starts_at", "vote"), ("vote_ends_at", "counting"),
               ("follow_up_starts_at", "follow_up"))


@dataclass(frozen=True)
class Item:
    """One piece of news, as the mails show it."""

    topic: str
    #: What it is and which row, e.g. ("event", 12): the same item is told once.
    key: tuple[Any, ...]
    at: datetime
    #: Its quartier; ``None``: the whole contract.
    quartier_id: int | None
    contract_id: int
    #: The title, or the titles by language (a survey's).
    title: Any
    link: str
    #: What the template needs besides (dates, a phase, a status, an answer).
    data: dict[str, Any] = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        if isinstance(self.title, dict):
            return str(self.title.get(language) or self.title.get("fr") or "")
        return str(self.title)


@dataclass
class News:
    """The period's news, loaded once: by (quartier, topic), contract-wide items copied
    to every quartier of their contract; answers to ideas by idea."""

    period: Period
    quartiers: dict[int, Quartier]
    by_topic: dict[tuple[int, str], list[Item]] = field(default_factory=dict)
    answers: dict[int, list[Item]] = field(default_factory=dict)
    #: For each account, the answered ideas it follows or supported.
    concerned: dict[int, set[int]] = field(default_factory=dict)

    def add(self, item: Item) -> None:
        if item.quartier_id is not None:
            self.by_topic.setdefault((item.quartier_id, item.topic), []).append(item)
            return
        for quartier in self.quartiers.values():
            if quartier.contract_id == item.contract_id:
                self.by_topic.setdefault((quartier.id, item.topic), []).append(item)

    def topics_with_news(self) -> dict[str, set[int]]:
        """topic → the quartiers where it has news."""
        found: dict[str, set[int]] = defaultdict(set)
        for quartier_id, topic in self.by_topic:
            found[topic].add(quartier_id)
        for items in self.answers.values():
            found[IDEA_ANSWERS].update(i.quartier_id for i in items if i.quartier_id)
        return found

    def for_choices(self, user_id: int | None, pairs: Iterable[tuple[int, str]]) -> list[Item]:
        """The items of these (quartier, topic) choices, each once, in the mails' order:
        quartier by quartier in the order of the choices (the contract's news last),
        topic by topic."""
        items: dict[tuple[Any, ...], Item] = {}
        rank: dict[int | None, int] = {}
        for quartier_id, topic in pairs:
            rank.setdefault(quartier_id, len(rank))
            if topic == IDEA_ANSWERS:
                ideas = self.concerned.get(user_id, set()) if user_id is not None else set()
                found = [item for idea_id in sorted(ideas)
                         for item in self.answers.get(idea_id, [])
                         if item.quartier_id == quartier_id]
            else:
                found = self.by_topic.get((quartier_id, topic), [])
            for item in found:
                items.setdefault(item.key, item)
        order = {topic: n for n, topic in enumerate(TOPICS)}
        return sorted(items.values(), key=lambda i: (rank.get(i.quartier_id, len(rank)),
                                                     order[i.topic], i.at, i.key))


# --- Loading the period's news --------------------------------------------------------


def _within(column: Any, period: Period) -> Any:
    return and_(column >= period.start, column < period.end)


def _in_period(moment: datetime | None, period: Period) -> bool:
    return moment is not None and period.start <= moment < period.end


def _round_items(round_: Round, period: Period) -> Iterator[Item]:
    fund = round_.fund
    link = url_for("budget.round_page", round_id=round_.id, _external=True)
    common = {"quartier_id": fund.quartier_id, "contract_id": fund.quartier.contract_id,
              "title": round_.title}
    created = _in_period(round_.created_at, period)
    if created:
        yield Item(ROUNDS, ("round", round_.id), round_.created_at, link=link,
                   data={"kind": "round_new", "opens": round_.submission_starts_at,
                         "closes": round_.review_starts_at, "votes": round_.vote_starts_at},
                   **common)
    for column, phase in PHASE_DATES:
        moment = getattr(round_, column)
        if not _in_period(moment, period) or (created and phase == "submission"):
            continue
        if phase == "follow_up" and round_.results_published_at is None:
            continue
        yield Item(ROUNDS, ("phase", round_.id, phase), moment, link=link,
                   data={"kind": "phase", "phase": phase, "round": round_}, **common)
    if _in_period(round_.results_published_at, period):
        assert round_.results_published_at is not None
        yield Item(RESULTS, ("round_results", round_.id), round_.results_published_at,
                   link=url_for("budget.results", round_id=round_.id, _external=True),
                   data={"kind": "round_results"}, **common)


def _load_rounds(db: Session, news: News) -> None:
    period = news.period
    columns = [Round.created_at, Round.results_published_at,
               *(getattr(Round, column) for column, _phase in PHASE_DATES)]
    rounds = db.scalars(select(Round).where(or_(*(_within(c, period) for c in columns)))
                        .order_by(Round.id))
    for round_ in rounds:
        for item in _round_items(round_, period):
            news.add(item)


def _load_events(db: Session, news: News) -> None:
    """Events published in the period that are still to come when it ends."""
    period = news.period
    events = db.scalars(select(Event).where(
        Event.moderation == State.PUBLISHED, Event.cancelled_at.is_(None),
        _within(Event.moderated_at, period), Event.starts_at >= period.end)
        .order_by(Event.starts_at, Event.id))
    for event in events:
        contract_id = event.quartier.contract_id if event.quartier else _only_contract(news)
        if contract_id is None:
            continue
        news.add(Item(EVENTS, ("event", event.id), event.starts_at, event.quartier_id,
                      contract_id, event.title,
                      url_for("events.event", event_id=event.id, _external=True),
                      {"kind": "event", "starts_at": event.starts_at, "place": event.place}))


def _only_contract(news: News) -> int | None:
    """The contract of an event of "the whole contract": the site serves one."""
    contracts = {q.contract_id for q in news.quartiers.values()}
    return min(contracts) if contracts else None


def _load_surveys(db: Session, news: News) -> None:
    period = news.period
    rows = db.execute(select(Survey, Evaluation.contract_id)
                      .join(Evaluation, Evaluation.id == Survey.evaluation_id)
                      .where(or_(_within(Survey.opens_at, period),
                                 _within(Survey.results_at, period)))
                      .order_by(Survey.opens_at, Survey.id))
    for survey, contract_id in rows:
        titles = {language: survey.text(language, "title")
                  for language in current_app.config["LANGUAGES"]}
        if _in_period(survey.opens_at, period) and survey.results_at is None:
            news.add(Item(SURVEYS, ("survey", survey.id), survey.opens_at, None, contract_id,
                          titles, url_for("evaluation.evaluation",
                                          evaluation_id=survey.evaluation_id, _external=True),
                          {"kind": "survey", "closes_at": survey.closes_at}))
        if survey.results_at is not None and _in_period(survey.results_at, period):
            news.add(Item(RESULTS, ("survey_results", survey.id), survey.results_at, None,
                          contract_id, titles,
                          url_for("evaluation.survey_results", survey_id=survey.id,
                                  _external=True), {"kind": "survey_results"}))


def _answer(idea: Idea, moment: datetime, key: tuple[Any, ...], data: dict[str, Any]) -> Item:
    return Item(IDEA_ANSWERS, key, moment, idea.quartier_id, idea.quartier.contract_id,
                idea.title, url_for("ideas.idea", idea_id=idea.id, _external=True), data)


def _load_answers(db: Session, news: News) -> None:
    """Answers of the institutions and of signatories to published ideas, and who
    follows or supported each idea."""
    period = news.period
    answers: dict[int, list[Item]] = defaultdict(list)
    for idea in db.scalars(select(Idea).where(Idea.moderation == State.PUBLISHED,
                                              _within(Idea.responded_at, period))):
        assert idea.responded_at is not None
        answers[idea.id].append(_answer(idea, idea.responded_at, ("idea_answer", idea.id), {
            "kind": "idea_answer", "status": idea.status, "response": _short(idea.response)}))
    for forwarding in db.scalars(select(Forwarding).options(joinedload(Forwarding.idea))
                                 .where(_within(Forwarding.answered_at, period))):
        idea = forwarding.idea
        if idea.moderation != State.PUBLISHED or forwarding.answered_at is None:
            continue
        answers[idea.id].append(_answer(
            idea, forwarding.answered_at, ("forwarding_answer", forwarding.id),
            {"kind": "forwarding_answer", "signatory": forwarding.signatory.name,
             "response": _short(forwarding.answer)}))
    news.answers = dict(answers)
    if not answers:
        return
    ids = sorted(answers)
    people = union_all(select(Follow.idea_id, Follow.user_id).where(Follow.idea_id.in_(ids)),
                       select(Support.idea_id, Support.user_id).where(Support.idea_id.in_(ids)))
    for idea_id, user_id in db.execute(people):
        news.concerned.setdefault(user_id, set()).add(idea_id)


def _short(text: str, limit: int = 300) -> str:
    """The start of an answer: the mail stays short, the link leads to the rest."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def load(db: Session, period: Period, *, with_answers: bool = True) -> News:
    """Everything new in ``period``, in a handful of queries."""
    quartiers = {q.id: q for q in db.scalars(select(Quartier))}
    news = News(period, quartiers)
    _load_rounds(db, news)
    _load_events(db, news)
    _load_surveys(db, news)
    if with_answers:
        _load_answers(db, news)
    return news


# --- Who gets what --------------------------------------------------------------------


@dataclass
class Reader:
    """An account that gets news this period, with its choices."""

    user_id: int
    email: str
    language: str
    name: str
    home: int | None
    pairs: list[tuple[int, str]] = field(default_factory=list)


def _choice_filter(topics_with_news: dict[str, set[int]]) -> Any:
    """Only the choices that have news this period: most hours, none."""
    clauses = [and_(Preference.topic == topic, Preference.quartier_id.in_(sorted(ids)))
               for topic, ids in sorted(topics_with_news.items())]
    return or_(*clauses) if clauses else false()


def readers(db: Session, news: News, *, among: Iterable[str]) -> list[Reader]:
    """The accounts that chose this period's frequency for a topic that has news, in
    one query, their own quartier first."""
    wanted = {t: ids for t, ids in news.topics_with_news().items() if t in set(among)}
    if not wanted:
        return []
    rows = db.execute(
        select(Preference.user_id, Preference.quartier_id, Preference.topic, User.email,
               User.language, User.display_name, User.quartier_id)
        .join(User, User.id == Preference.user_id)
        .where(Preference.frequency == news.period.frequency, _choice_filter(wanted),
               User.deleted_at.is_(None), User.email.is_not(None),
               User.email_confirmed_at.is_not(None))
        .order_by(Preference.user_id))
    found: dict[int, Reader] = {}
    for user_id, quartier_id, topic, email, language, name, home in rows:
        reader = found.setdefault(user_id, Reader(user_id, str(email), language, name, home))
        reader.pairs.append((quartier_id, topic))
    for reader in found.values():
        reader.pairs.sort(key=lambda pair: (pair[0] != reader.home, pair[0]))
    return list(found.values())


def _already_sent(db: Session, period: Period, column: Any) -> set[int]:
    return {i for i in db.scalars(select(column).where(
        NewsSent.cadence == period.cadence, NewsSent.period_start == period.start,
        column.is_not(None)))}


# --- Writing the mails ----------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """The items of one quartier (``None``: the whole contract), as a mail lists them."""

    quartier: str | None
    items: list[Item]


def sections(items: list[Item], quartiers: dict[int, Quartier]) -> list[Section]:
    """Items grouped by quartier, in the order they come; contract-wide ones last."""
    grouped: dict[int | None, list[Item]] = {}
    for item in items:
        grouped.setdefault(item.quartier_id, []).append(item)
    found = [Section(quartiers[q].name, found) for q, found in grouped.items() if q is not None]
    if None in grouped:
        found.append(Section(None, grouped[None]))
    return found


def stop_link(user_id: int) -> str:
    return url_for("outreach.stop_news", token=sign(STOP_PURPOSE, user_id), _external=True)


def unsubscribe_headers(link: str) -> dict[str, str]:
    """RFC 8058: a mail client offers "unsubscribe" and POSTs to ``link`` in one click."""
    return {"List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _subject(period: Period) -> str:
    if period.cadence == WEEKLY_CADENCE:
        return _("Les nouvelles de la semaine du %(day)s",
                 day=format_date(period.first_day, "d MMMM"))
    return _("Du nouveau près de chez vous")


#: Stand-ins for what differs from one person to the next in a mail's text, so that
#: the text is made once for all who get the same news in the same language. Control
#: characters: no name or link holds them.
NAME, LINK = "\x00name\x00", "\x00link\x00"


class Texts:
    """The mails' texts, each made once per language and set of items."""

    def __init__(self, news: News) -> None:
        self.news = news
        self.made: dict[tuple[Any, ...], str] = {}
        self.preferences = url_for("outreach.preferences", _external=True)
        self.signup = url_for("accounts.signup", _external=True)

    def digest(self, language: str, items: list[Item]) -> str:
        key = ("digest", language, *(item.key for item in items))
        if key not in self.made:
            self.made[key] = render_template(
                "outreach/mail/digest.txt", name=NAME, period=self.news.period,
                language=language, sections=sections(items, self.news.quartiers), stop=LINK,
                preferences=self.preferences)
        return self.made[key]

    def letter(self, language: str, quartier: Quartier, items: list[Item]) -> str:
        key = ("letter", language, quartier.id)
        if key not in self.made:
            self.made[key] = render_template(
                "outreach/mail/letter.txt", quartier=quartier, period=self.news.period,
                language=language, sections=sections(items, self.news.quartiers),
                unsubscribe=LINK, signup=self.signup)
        return self.made[key]


def _reader_mail(reader: Reader, items: list[Item], texts: Texts, subject: str
                 ) -> EmailMessage:
    link = stop_link(reader.user_id)
    body = texts.digest(reader.language, items).replace(NAME, reader.name).replace(LINK, link)
    return mail.compose(reader.email, subject, body, headers=unsubscribe_headers(link))


def _letter_mail(subscription: LetterSubscription, items: list[Item], texts: Texts,
                 secret: str) -> EmailMessage:
    token = newsletter.token_of(subscription.token_seed, secret)
    link = url_for("outreach.letter_unsubscribe", token=token, _external=True)
    quartier = texts.news.quartiers[subscription.quartier_id]
    body = texts.letter(subscription.language, quartier, items).replace(LINK, link)
    return mail.compose(subscription.email,
                        _("La lettre du quartier %(name)s", name=quartier.name), body,
                        headers=unsubscribe_headers(link))


@dataclass
class Outcome:
    """What a run wrote."""

    accounts: int = 0
    letters: int = 0
    #: People who had chosen this frequency but had nothing new, or had it already.
    skipped: int = 0


def _write(db: Session, period: Period, batch: list[tuple[EmailMessage, dict[str, Any]]],
           kind: str, now: datetime) -> None:
    mail.send_many((message for message, _log in batch), kind=kind)
    db.execute(insert(NewsSent), [{"cadence": period.cadence, "period_start": period.start,
                                   "sent_at": now, **log} for _m, log in batch])


def _batched(mails: Iterator[tuple[EmailMessage, dict[str, Any]]]
             ) -> Iterator[list[tuple[EmailMessage, dict[str, Any]]]]:
    while chunk := list(islice(mails, BATCH)):
        yield chunk


def _by_language(people: list[Any], language: Callable[[Any], str]
                 ) -> Iterator[tuple[str, list[Any]]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for person in people:
        grouped[language(person)].append(person)
    yield from sorted(grouped.items())


def _account_mails(news: News, chosen: list[Reader], outcome: Outcome
                   ) -> Iterator[tuple[EmailMessage, dict[str, Any]]]:
    texts = Texts(news)
    for language, group in _by_language(chosen, lambda r: r.language):
        with force_locale(language):
            subject = _subject(news.period)
            for reader in group:
                items = news.for_choices(reader.user_id, reader.pairs)
                if not items:
                    outcome.skipped += 1
                    continue
                outcome.accounts += 1
                yield (_reader_mail(reader, items, texts, subject),
                       {"user_id": reader.user_id})


def _letter_mails(news: News, subscriptions: list[LetterSubscription], outcome: Outcome
                  ) -> Iterator[tuple[EmailMessage, dict[str, Any]]]:
    secret = str(current_app.config["SECRET_KEY"])
    texts = Texts(news)
    for language, group in _by_language(subscriptions, lambda s: s.language):
        with force_locale(language):
            for subscription in group:
                items = news.for_choices(None, [(subscription.quartier_id, topic)
                                                for topic in LETTER_TOPICS])
                if not items:
                    continue
                outcome.letters += 1
                yield (_letter_mail(subscription, items, texts, secret),
                       {"subscription_id": subscription.id})


def letter_readers(db: Session, news: News) -> list[LetterSubscription]:
    """Confirmed subscriptions of the quartiers that have news for a letter."""
    quartier_ids = {q for topic, ids in news.topics_with_news().items()
                    if topic in LETTER_TOPICS for q in ids}
    if not quartier_ids:
        return []
    return list(db.scalars(select(LetterSubscription).where(
        LetterSubscription.confirmed_at.is_not(None),
        LetterSubscription.quartier_id.in_(sorted(quartier_ids)))
        .order_by(LetterSubscription.id)))


def send_news(db: Session, period: Period, *, now: datetime) -> Outcome:
    """Write the period's mails to the outbox, in batches: each account that chose the
    period's frequency and has news gets one mail; on a week, each confirmed letter of
    a quartier with news too. Whoever already got this period's mail is left out, so a
    second run sends nothing again. The caller commits."""
    outcome = Outcome()
    weekly = period.cadence == WEEKLY_CADENCE
    news = load(db, period, with_answers=weekly)
    chosen = readers(db, news, among=TOPICS if weekly else
                     [t for t in TOPICS if t != IDEA_ANSWERS])
    if chosen:
        done = _already_sent(db, period, NewsSent.user_id)
        outcome.skipped += sum(1 for r in chosen if r.user_id in done)
        waiting = [r for r in chosen if r.user_id not in done]
        for batch in _batched(_account_mails(news, waiting, outcome)):
            _write(db, period, batch, "outreach/mail/digest", now)
    if weekly:
        subscriptions = letter_readers(db, news)
        if subscriptions:
            done = _already_sent(db, period, NewsSent.subscription_id)
            waiting_letters = [s for s in subscriptions if s.id not in done]
            for batch in _batched(_letter_mails(news, waiting_letters, outcome)):
                _write(db, period, batch, "outreach/mail/letter", now)
    db.flush()
    return outcome


# --- Jobs -----------------------------------------------------------------------------


def run(period_of: Callable[[datetime, str], Period], now: datetime | None = None) -> Outcome:
    """Send the mails of the period just ended and commit (links in the mails are made
    on ``BASE_URL``)."""
    db = session()
    now = now or clock.now()
    config = current_app.config
    with current_app.test_request_context(base_url=config["BASE_URL"]):
        outcome = send_news(db, period_of(now, config["TIMEZONE"]), now=now)
        commit(db)
    return outcome


def _said(outcome: Outcome) -> str:
    return (f"{outcome.accounts} accounts, {outcome.letters} letters, "
            f"{outcome.skipped} without news or already sent")


@job("outreach.weekly_digest", cron="0 6 * * 1")
def weekly_digest() -> str:
    """Monday morning: last week's news, to those who chose "once a week" and to the
    quartiers' letters."""
    return _said(run(topics.last_week))


@job("outreach.hourly_news", cron="5 * * * *")
def hourly_news() -> str:
    """Every hour: the last hour's news (phases, events, surveys, results), to those who
    chose "at once"."""
    return _said(run(topics.last_hour))


#: Weeks the log of sent news is kept: long enough for a job run late to find it.
LOG_WEEKS = 8


@job("outreach.forget", cron="40 2 * * *")
def forget() -> str:
    """Every night: addresses never confirmed once their link expired, and the old log
    of sent news."""
    db = session()
    now = clock.now()
    letters = newsletter.forget_unconfirmed(
        db, now=now, hours=newsletter.confirm_hours(current_app.config))
    logs = db.execute(delete(NewsSent).where(
        NewsSent.period_start < now - timedelta(weeks=LOG_WEEKS)))
    commit(db)
    return (f"{letters} unconfirmed addresses forgotten, "
            f"{int(getattr(logs, 'rowcount', 0))} log lines")
