"""What a resident may choose to hear about, how often, and the periods the mails cover.

Five topics, each chosen per quartier: the FPH's rounds and their phases, the answers to
ideas one follows or supported, new events, published results, and the evaluation's
surveys. For each: at once, in the weekly digest, or never. A topic nobody chose has a
modest default: the answers to the ideas one follows (one's own ideas are followed from
the start) come at once, as they always did; everything else stays off until chosen.

"At once" means the moment it happens for the answers to ideas (a person answers, the
mail leaves); for the other topics, which happen on a date rather than by someone's hand
(a phase opens, a survey opens), within the hour (``HOURLY``).

Pure: no Flask, no database; time is an argument.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from civic.core.i18n import _l

ROUNDS = "rounds"
IDEA_ANSWERS = "idea_answers"
EVENTS = "events"
RESULTS = "results"
SURVEYS = "surveys"

#: Every topic, in the order the preferences page and the mails show them.
TOPICS = (ROUNDS, IDEA_ANSWERS, EVENTS, RESULTS, SURVEYS)

#: What a quartier's letter (without an account) carries: the topics of the quartier,
#: not the ideas a person follows.
LETTER_TOPICS = (ROUNDS, EVENTS, RESULTS, SURVEYS)

IMMEDIATELY = "immediately"
WEEKLY = "weekly"
NEVER = "never"
FREQUENCIES = (IMMEDIATELY, WEEKLY, NEVER)

TOPIC_LABELS: dict[str, Any] = {
    ROUNDS: _l("Le FPH : nouvelles sessions, ouverture des propositions et du vote"),
    IDEA_ANSWERS: _l("Les réponses aux idées que je suis ou que j’ai soutenues"),
    EVENTS: _l("Les nouveaux événements"),
    RESULTS: _l("Les résultats : votes du FPH et enquêtes"),
    SURVEYS: _l("Les enquêtes de l’évaluation"),
}

#: Said under a topic, when it needs a word more.
TOPIC_HINTS: dict[str, Any] = {
    IDEA_ANSWERS: _l("Sans choix de votre part : tout de suite pour les idées que vous "
                     "suivez (les vôtres le sont d’office), rien pour les autres."),
    SURVEYS: _l("Les enquêtes concernent tout le contrat de ville, pas un seul quartier."),
}

FREQUENCY_LABELS: dict[str, Any] = {
    IMMEDIATELY: _l("Tout de suite"),
    WEEKLY: _l("Une fois par semaine"),
    NEVER: _l("Jamais"),
}

#: Mails of the news: the weekly digest, and the hourly one of "at once".
WEEKLY_CADENCE = "weekly"
HOURLY = "hourly"
CADENCES = {WEEKLY_CADENCE: WEEKLY, HOURLY: IMMEDIATELY}


def default(topic: str) -> str:
    """The frequency of a topic nobody chose."""
    return IMMEDIATELY if topic == IDEA_ANSWERS else NEVER


def frequency(stored: str | None, topic: str) -> str:
    """What applies: the stored choice, else the topic's default."""
    return stored if stored in FREQUENCIES else default(topic)


@dataclass(frozen=True)
class Period:
    """What one run of a digest covers: from ``start`` (included) to ``end`` (excluded),
    both aware UTC; ``cadence`` and ``start`` name it in the log of what was sent."""

    cadence: str
    start: datetime
    end: datetime
    #: The first local day of the period (a Monday for a week), for the mail's words.
    first_day: date
    #: The last local day of the period.
    last_day: date

    @property
    def frequency(self) -> str:
        """The choice of the people this period's mail goes to."""
        return CADENCES[self.cadence]


def last_week(now: datetime, timezone: str) -> Period:
    """The week before the one ``now`` falls in: Monday 00:00 to Monday 00:00, local
    time (a week of the calendar people live by, whatever the hour the job runs)."""
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    this_monday = today - timedelta(days=today.weekday())
    monday = this_monday - timedelta(days=7)
    start = datetime.combine(monday, time.min, zone).astimezone(UTC)
    end = datetime.combine(this_monday, time.min, zone).astimezone(UTC)
    return Period(WEEKLY_CADENCE, start, end, monday, this_monday - timedelta(days=1))


def last_hour(now: datetime, timezone: str) -> Period:
    """The whole hour before the one ``now`` falls in (UTC hours)."""
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=1)
    zone = ZoneInfo(timezone)
    return Period(HOURLY, start, end, start.astimezone(zone).date(),
                  end.astimezone(zone).date())
