"""What a poster says: its subject's title, dates and place, what it asks residents to
do, the page its QR code leads to, and when an animator of the quartier can be met.

A poster is made for a round of the FPH, an event, a survey of the evaluation, or a
quartier's idea box; each kind is an entry of ``KINDS``, named by the word of its
address (``/affiches/evenement/12``). Nothing here reads Flask's globals: the views
turn endpoints into addresses and words into the chosen languages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget.models import Round
from civic.budget.phases import Phase
from civic.core.forms import is_db_int
from civic.core.i18n import _l
from civic.evaluation.models import Survey
from civic.events.models import Event
from civic.permanence import schedule, slots
from civic.permanence.models import Closure, WeeklySlot
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier

#: Poster sizes, as offered.
SIZES = ("a4", "a3")
#: The height a sheet leaves to the poster inside the margins of static/css/poster.css's
#: @page rules: print.js shrinks the words that would not hold in it.
PRINTED_HEIGHT = {"a4": "277mm", "a3": "392mm"}
#: Second languages a poster may carry besides French ("" for none).
SECOND_LANGUAGES = ("en", "ar", "")
#: Weekly permanence hours printed: fewer when two languages share the sheet.
HOURS_ONE_LANGUAGE = 3
HOURS_TWO_LANGUAGES = 2
#: A title this short is printed larger (it takes a line or two all the same).
SHORT_TITLE = 20

#: What the poster asks of residents, in large letters under the title.
CALLS: dict[str, Any] = {
    # i18n: a poster of an FPH round taking project proposals.
    "propose": _l("Proposez un projet pour votre quartier"),
    # i18n: a poster of an FPH round before or during its vote.
    "vote": _l("Votez pour les projets de votre quartier"),
    # i18n: a poster of an FPH round whose vote is over.
    "results": _l("Découvrez les projets choisis par les habitants"),
    # i18n: a poster of an event.
    "event": _l("Venez, c’est ouvert à tous !"),
    # i18n: a poster of a survey of the contract's evaluation.
    "survey": _l("Donnez votre avis : répondez à l’enquête"),
    # i18n: a poster of a quartier's idea box.
    "ideas": _l("Donnez vos idées pour votre quartier"),
}

#: The name of each period a poster gives dates for.
PERIODS: dict[str, Any] = {
    "propose": _l("Propositions"),
    "vote": _l("Vote"),
    # i18n: the days a survey takes answers, on a poster.
    "survey": _l("Réponses"),
}


@dataclass(frozen=True)
class Period:
    """Days something is open, both included (local days)."""

    name: str
    first: date
    last: date


@dataclass(frozen=True)
class Poster:
    """What one poster prints, whatever its languages."""

    #: One of KINDS, and the key of its address (an id, or a quartier's code).
    kind: str
    key: str
    #: The round, event, survey or quartier (the permission rules' target).
    subject: Any
    title: str
    #: The subject's quartier; None: the whole contract.
    quartier: Quartier | None
    #: One of CALLS.
    call: str
    periods: tuple[Period, ...] = ()
    #: An event's start and end, and whether it ends on the day it starts (local).
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    same_day: bool = True
    place: str = ""
    address: str = ""
    #: The page the QR code leads to (None: a survey's, found by the view) and its values.
    page_endpoint: str | None = None
    page_values: dict[str, Any] = field(default_factory=dict)
    #: The short address printed in large letters ("" for a survey: the evaluation's
    #: own address for posters, found by the view).
    short_endpoint: str = ""
    short_values: dict[str, Any] = field(default_factory=dict)

    @property
    def short_title(self) -> bool:
        return len(self.title) <= SHORT_TITLE


@dataclass(frozen=True)
class Hours:
    """When an animator of a quartier can be met: weekly hours, and the closures that
    cancel some of them in the coming days."""

    quartier: Quartier
    weekly: list[WeeklySlot]
    closures: list[Closure]


def _last_day(moment: datetime, zone: ZoneInfo) -> date:
    """The last local day before an exclusive end: an end at midnight closes the day
    before."""
    local = moment.astimezone(zone)
    return (local - timedelta(microseconds=1)).date()


def _period(name: str, starts: datetime, ends: datetime, zone: ZoneInfo) -> Period:
    return Period(name, starts.astimezone(zone).date(), _last_day(ends, zone))


# --- Each kind of poster ----------------------------------------------------------------


def _load_round(db: Session, key: str) -> Round | None:
    return db.get(Round, int(key)) if is_db_int(key) else None


def _round_poster(round_: Round, now: datetime, zone: ZoneInfo) -> Poster:
    phase = round_.phase(now)
    vote = _period("vote", round_.vote_starts_at, round_.vote_ends_at, zone)
    periods: tuple[Period, ...]
    if phase in (Phase.UPCOMING, Phase.SUBMISSION):
        call, periods = "propose", (_period("propose", round_.submission_starts_at,
                                            round_.review_starts_at, zone), vote)
    elif phase in (Phase.REVIEW, Phase.VOTE):
        call, periods = "vote", (vote,)
    else:
        call, periods = "results", ()
    return Poster(kind="fph", key=str(round_.id), subject=round_, title=round_.title,
                  quartier=round_.fund.quartier, call=call, periods=periods,
                  page_endpoint="budget.round_page", page_values={"round_id": round_.id},
                  short_endpoint="outreach.short_round", short_values={"round_id": round_.id})


def _load_event(db: Session, key: str) -> Event | None:
    return db.get(Event, int(key)) if is_db_int(key) else None


def _event_poster(event: Event, _now: datetime, zone: ZoneInfo) -> Poster:
    same_day = (event.starts_at.astimezone(zone).date()
                == _last_day(event.ends_at, zone))
    return Poster(kind="evenement", key=str(event.id), subject=event, title=event.title,
                  quartier=event.quartier, call="event", starts_at=event.starts_at,
                  ends_at=event.ends_at, same_day=same_day, place=event.place,
                  address=event.address, page_endpoint="events.event",
                  page_values={"event_id": event.id}, short_endpoint="outreach.short_event",
                  short_values={"event_id": event.id})


def _load_survey(db: Session, key: str) -> Survey | None:
    return db.get(Survey, int(key)) if is_db_int(key) else None


def _survey_poster(survey: Survey, _now: datetime, zone: ZoneInfo) -> Poster:
    return Poster(kind="enquete", key=str(survey.id), subject=survey,
                  title=survey.text("fr", "title"), quartier=None, call="survey",
                  periods=(_period("survey", survey.opens_at, survey.closes_at, zone),),
                  page_values={"survey_id": survey.id})


def _load_quartier(db: Session, key: str) -> Quartier | None:
    return territory_queries.quartier_by_code(db, key) if len(key) <= 12 else None


def _ideas_poster(quartier: Quartier, _now: datetime, _zone: ZoneInfo) -> Poster:
    return Poster(kind="idees", key=quartier.code, subject=quartier, title=quartier.name,
                  quartier=quartier, call="ideas", page_endpoint="ideas.browse",
                  page_values={"code": quartier.code}, short_endpoint="outreach.short_ideas",
                  short_values={"code": quartier.code})


@dataclass(frozen=True)
class Kind:
    """How one kind of poster finds its subject and says what it announces."""

    load: Callable[[Session, str], Any]
    describe: Callable[[Any, datetime, ZoneInfo], Poster]


KINDS: dict[str, Kind] = {
    "fph": Kind(_load_round, _round_poster),
    "evenement": Kind(_load_event, _event_poster),
    "enquete": Kind(_load_survey, _survey_poster),
    "idees": Kind(_load_quartier, _ideas_poster),
}


def subject(db: Session, kind: str, key: str) -> Any:
    """The round, event, survey or quartier a poster's address names, or ``None``."""
    found = KINDS.get(kind)
    return found.load(db, key) if found is not None else None


def poster(kind: str, subject: Any, *, now: datetime, timezone: str) -> Poster:
    return KINDS[kind].describe(subject, now, ZoneInfo(timezone))


def hours(db: Session, quartier: Quartier, *, languages: int, now: datetime,
          timezone: str) -> Hours:
    """The quartier's first weekly permanence hours and the closures that fall on them
    in the coming days, in as many lines as the sheet has room for (a closure takes
    the place of the last hours: whoever comes for nothing does not come back)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    room = HOURS_ONE_LANGUAGE if languages == 1 else HOURS_TWO_LANGUAGES
    weekly = slots.slots(db, quartier.id)[:room]
    coming = schedule.upcoming(weekly, slots.closures(db, quartier.id, today), today,
                               slots.AHEAD_DAYS)
    closures: list[Closure] = []
    for occurrence in coming:
        closure = occurrence.closure
        if isinstance(closure, Closure) and closure not in closures:
            closures.append(closure)
    shown = weekly[:max(room - len(closures), 1)]
    return Hours(quartier, shown, closures[:room - len(shown)])


def quartier_choices(db: Session, user: Any, *, pilot: bool) -> list[Quartier]:
    """The quartiers whose permanence hours a poster of the whole contract may carry:
    every one for a pilot, an animator's own otherwise."""
    everything = territory_queries.quartiers(db)
    if pilot:
        return everything
    own = user.quartier_ids_for(Role.ANIMATOR) if user is not None else set()
    return [q for q in everything if q.id in own]

