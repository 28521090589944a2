"""The results of the evaluation's surveys, under the contract's statistical secrecy.

Two regimes, so that nobody learns an answer by comparing two readings of a page (the
figures before and after one more answer):

* **While the survey runs** (``Survey.results_at`` empty): per item, only the shares of
  the whole survey, each rounded to the nearest 5 %, the number of answers rounded down
  to a multiple of ten, and nothing at all for an item with fewer answers than the
  secrecy threshold. No cross-table, no statistic of numbers.
* **Once the committee has published them** (``publish_results``): no answer is taken
  any more, on any channel, so the figures never change. The full tables appear: the
  count of each answer, the cross-tables by quartier, gender and age bracket, and for a
  number its count, median and quartiles. Every count of people below the threshold is
  hidden, and whatever would give it back by subtraction (``civic.pilotage.suppression``,
  with complementary suppression). The tables of one item share their margins (the
  whole survey's count of each answer), so they are suppressed together, as one release:
  a margin hidden in one of them is hidden in all.

A multiple-choice item is a yes/no table per option: the people who did not pick an
option count too (the item's respondents minus those who did), so they are suppressed
with the others although they are never printed.

Free texts are never counted here; only those moderators published are quoted.

The arithmetic is pure: plain counts in, plain tables out. ``tally`` is the only reader
of the database, a few queries whatever the number of answers, items or surveys.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, and_, cast, func, literal, null, or_, select, union_all
from sqlalchemy.orm import Session

from civic.core import audit
from civic.core.errors import RuleBroken
from civic.evaluation import surveys
from civic.evaluation.models import (
    PaperBatch,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
    SurveyText,
)
from civic.moderation.models import State

if TYPE_CHECKING:
    from civic.accounts.models import User

#: The profile a cross-table reads, in the order the pages show them: the column of
#: ``SurveyResponse`` each reads.
DIMENSIONS = ("quartier", "gender", "age")
_COLUMNS = {"quartier": SurveyResponse.quartier_id, "gender": SurveyResponse.gender,
            "age": SurveyResponse.age_bracket}
#: The whole survey, as a "dimension" of one group.
ALL = "all"
#: Items whose answers are choices: counted per option (a scale's points 1 to 5).
COUNTED = ("single", "multiple", "scale")
SCALE_POINTS = 5
#: While a survey runs: shares to the nearest multiple of this (percent), answers
#: rounded down to a multiple of this.
SHARE_STEP = 5
COUNT_STEP = 10
#: Published quotations read per item, at most.
QUOTATIONS = 12

#: A group of a dimension: a quartier's id as text, a gender, an age bracket; None
#: when the person did not say.
Group = str | None


class ResultsError(RuleBroken):
    pass


# --- What the database gives ---------------------------------------------------------------


@dataclass
class Tally:
    """The aggregates of the answers of some surveys, nothing per person."""

    #: (item id, dimension, group, choice) → people who gave that choice; the whole
    #: survey under (item id, ALL, None, choice).
    choices: dict[tuple[int, str, Group, int], int] = field(default_factory=dict)
    #: (item id, dimension, group) → people who answered the item.
    respondents: dict[tuple[int, str, Group], int] = field(default_factory=dict)
    #: (item id, dimension, group) → the sorted numbers the quartiles need, by their
    #: 0-based position among the group's answers.
    numbers: dict[tuple[int, str, Group], dict[int, Decimal]] = field(default_factory=dict)
    #: survey id → its responses.
    responses: dict[int, int] = field(default_factory=dict)
    #: item id → published free texts, oldest first.
    quotations: dict[int, list[str]] = field(default_factory=dict)


def tally(db: Session, surveys: Sequence[Survey], *, cross: bool) -> Tally:
    """The counts of every item of ``surveys``, with the cross-tables when ``cross``
    (published surveys only need them): four queries, whatever the number of
    answers, items or surveys."""
    found = Tally()
    ids = [s.id for s in surveys]
    if not ids:
        return found
    dimensions = DIMENSIONS if cross else ()
    found.responses = {sid: int(n) for sid, n in db.execute(
        select(SurveyResponse.survey_id, func.count()).where(SurveyResponse.survey_id.in_(ids))
        .group_by(SurveyResponse.survey_id))}
    _choices(db, ids, dimensions, found)
    _numbers(db, ids, dimensions, found)
    _quotations(db, ids, found)
    return found


def _joint(ids: Sequence[int], dimensions: Sequence[str], value: Any, name: str) -> Any:
    """The answers of the surveys grouped once by item, ``value`` and every profile
    column of ``dimensions``, counted (``n``) and, for choices, counted by first choice
    (``first``): one pass over the answers, whose marginals are then summed from this
    small table, once per dimension (both engines materialise a CTE read several
    times)."""
    columns = [_COLUMNS[d].label(d) for d in dimensions]
    return (select(SurveyAnswer.item_id.label("item_id"), value.label("value"), *columns,
                   func.count().label("n"),
                   func.count().filter(SurveyAnswer.rank == 0).label("first"))
            .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
            .where(SurveyResponse.survey_id.in_(ids), value.is_not(None))
            .group_by(SurveyAnswer.item_id, value, *(_COLUMNS[d] for d in dimensions))
            .cte(name))


def _group(joint: Any, dimension: str) -> Any:
    """The group column of a dimension in ``joint``, as text (NULL for the whole
    survey)."""
    return cast(joint.c[dimension] if dimension != ALL else null(), String)


def _by(joint: Any, dimension: str) -> list[Any]:
    return [joint.c[dimension]] if dimension != ALL else []


def _choices(db: Session, ids: Sequence[int], dimensions: Sequence[str], found: Tally) -> None:
    """Choices per item, option and group in one query. An answer of rank 0 is each
    person's first choice: counting them gives the people who answered, several choices
    of a multiple item or one."""
    joint = _joint(ids, dimensions, SurveyAnswer.choice, "joint_choices")
    parts = [select(joint.c.item_id, literal(dimension).label("dimension"),
                    _group(joint, dimension).label("grp"), joint.c.value,
                    func.sum(joint.c.n), func.sum(joint.c.first))
             .group_by(joint.c.item_id, joint.c.value, *_by(joint, dimension))
             for dimension in (ALL, *dimensions)]
    for item_id, dimension, group, choice, n, first in db.execute(union_all(*parts)):
        found.choices[(item_id, dimension, group, int(choice))] = int(n)
        key = (item_id, dimension, group)
        found.respondents[key] = found.respondents.get(key, 0) + int(first or 0)


def positions(n: int) -> set[int]:
    """The 0-based positions among ``n`` sorted values that the quartiles read."""
    return {(n - 1) // 4, (n + 2) // 4, (n - 1) // 2, n // 2, (3 * n - 3) // 4, (3 * n) // 4}


def _numbers(db: Session, ids: Sequence[int], dimensions: Sequence[str], found: Tally) -> None:
    """The numbers of every number item, per group: each distinct number with how many
    gave it, then window functions add them up in order, and only the numbers at the
    positions the quartiles read come back (at most six per group), with the group's
    count."""
    joint = _joint(ids, dimensions, SurveyAnswer.number, "joint_numbers")
    counted = union_all(*(
        select(joint.c.item_id, literal(dimension).label("dimension"),
               _group(joint, dimension).label("grp"), joint.c.value,
               func.sum(joint.c.n).label("n"))
        .group_by(joint.c.item_id, joint.c.value, *_by(joint, dimension))
        for dimension in (ALL, *dimensions))).subquery("counted")
    group = [counted.c.item_id, counted.c.dimension, counted.c.grp]
    ranked = select(
        *group, counted.c.value, counted.c.n,
        (func.sum(counted.c.n).over(partition_by=group, order_by=counted.c.value,
                                    rows=(None, 0)) - counted.c.n).label("before"),
        func.sum(counted.c.n).over(partition_by=group).label("total")).subquery("ranked")
    before, n, total = ranked.c.before, ranked.c.n, ranked.c.total
    # The positions of ``positions(total)``, in SQL's integer division.
    bounds = ((total - 1) // 4, (total + 2) // 4, (total - 1) // 2, total // 2,
              (3 * total - 3) // 4, (3 * total) // 4)
    wanted = or_(*(and_(before <= bound, bound < before + n) for bound in bounds))
    for item_id, dimension, group_, number, start, size, count in db.execute(
            select(ranked.c.item_id, ranked.c.dimension, ranked.c.grp, ranked.c.value,
                   before, n, total).where(wanted)):
        key = (item_id, dimension, group_)
        found.respondents[key] = int(count)
        picks = found.numbers.setdefault(key, {})
        for at in positions(int(count)):
            if int(start) <= at < int(start) + int(size):
                picks[at] = Decimal(str(number))


def _quotations(db: Session, ids: Sequence[int], found: Tally) -> None:
    """The first ``QUOTATIONS`` published free texts of each item."""
    ranked = (select(SurveyText.item_id, SurveyText.body,
                     func.row_number().over(partition_by=SurveyText.item_id,
                                            order_by=SurveyText.id).label("r"))
              .where(SurveyText.survey_id.in_(ids),
                     SurveyText.moderation == State.PUBLISHED.value).subquery())
    for item_id, body, _r in db.execute(select(ranked).where(ranked.c.r <= QUOTATIONS)
                                        .order_by(ranked.c.item_id, ranked.c.r)):
        found.quotations.setdefault(item_id, []).append(body)


# --- Pure arithmetic -------------------------------------------------------------------------


def rounded_share(count: int, total: int, step: int = SHARE_STEP) -> int:
    """``count`` out of ``total`` in percent, to the nearest multiple of ``step`` (a
    half-way share goes up): exact arithmetic, no float."""
    if total <= 0:
        raise ValueError("a share of nobody")
    return (200 * count + step * total) // (2 * step * total) * step


def rounded_down(count: int, step: int = COUNT_STEP) -> int:
    return count // step * step


def share(count: int | None, total: int | None) -> float | None:
    """A published share in percent, one decimal; None when either count is hidden."""
    if count is None or total is None or total == 0:
        return None
    return round(100 * count / total, 1)


def quantile(picks: Mapping[int, Decimal], n: int, numerator: int, denominator: int
             ) -> Decimal:
    """The ``numerator/denominator`` quantile of ``n`` sorted values, by linear
    interpolation between the two closest ranks (as spreadsheets' QUARTILE.INC does):
    ``picks`` holds the values at the positions ``positions(n)`` names."""
    low, rest = divmod((n - 1) * numerator, denominator)
    value = picks[low]
    if rest:
        value += (picks[low + 1] - value) * Decimal(rest) / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Stats:
    """How a group answered a number item; all None when its count is hidden."""

    count: int | None
    q1: Decimal | None = None
    median: Decimal | None = None
    q3: Decimal | None = None


def stats(picks: Mapping[int, Decimal], n: int | None) -> Stats:
    if not n:
        return Stats(n)
    return Stats(n, quantile(picks, n, 1, 4), quantile(picks, n, 1, 2),
                 quantile(picks, n, 3, 4))


@dataclass(frozen=True)
class Row:
    """A group of a cross-table (or the whole survey): its respondents and, per option,
    how many chose it and their share of the respondents; None where hidden."""

    key: Group
    label: str
    respondents: int | None
    counts: list[int | None] = field(default_factory=list)
    shares: list[float | None] = field(default_factory=list)
    #: Number items only.
    stats: Stats | None = None


@dataclass(frozen=True)
class CrossTable:
    dimension: str
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class ItemResult:
    """One item's results as a page shows them."""

    item: SurveyItem
    label: str
    #: The options' words (a scale's five words), in order.
    options: list[str]
    published: bool
    #: Whether the item has the threshold's answers (while running: nothing shown below).
    enough: bool
    #: The whole survey: its respondents (rounded down while running), counts (published
    #: only) and shares (rounded while running).
    overall: Row
    crosstabs: list[CrossTable] = field(default_factory=list)
    quotations: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def counted(self) -> bool:
        return self.item.kind in COUNTED


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    published: bool
    #: The survey's responses: exact once published (None below the threshold), rounded
    #: down while it runs.
    responses: int | None
    items: list[ItemResult]
    threshold: int

    def of_question(self, question_id: int) -> list[ItemResult]:
        return [r for r in self.items if r.item.question_id == question_id]


def running_row(counts: Sequence[int], respondents: int, threshold: int,
                label: str = "") -> tuple[bool, Row]:
    """The whole survey's line while it runs: shares rounded to ``SHARE_STEP`` %, the
    respondents rounded down to ``COUNT_STEP``, no count; nothing below the threshold."""
    if respondents < threshold:
        return False, Row(None, label, None)
    return True, Row(None, label, rounded_down(respondents),
                     shares=[float(rounded_share(c, respondents)) for c in counts])


#: A cross-table's groups as the suppression sees them: per dimension, the
#: (group, counts per option, respondents) of each group.
Groups = Mapping[str, Sequence[tuple[Group, Sequence[int], int]]]


def _suppress(values: Mapping[Hashable, int],
              lines: Sequence[tuple[Sequence[Hashable], Hashable]], threshold: int
              ) -> set[Hashable]:
    """The cells to hide: the steering data's suppression (``suppress_lines``), then as
    many more as the disclosure audit asks, until no hidden count can be narrowed to
    fewer than ``threshold`` values by the published ones (open data's own standard).

    Published results never change, so each item's answer is kept once computed (the
    audit solves a small linear programme per hidden cell)."""
    return set(_suppressed(tuple(values.items()),
                           tuple((tuple(parts), total) for parts, total in lines), threshold))


@lru_cache(maxsize=2048)
def _suppressed(values: tuple[tuple[Hashable, int], ...],
                lines: tuple[tuple[tuple[Hashable, ...], Hashable], ...], threshold: int
                ) -> frozenset[Hashable]:
    # Imported when called: the steering part reads the evaluation's models, so
    # importing it with this module would import it half-built.
    from civic.pilotage import disclosure
    from civic.pilotage.suppression import suppress_lines

    counts = dict(values)
    hidden = suppress_lines(counts, list(lines), threshold)
    disclosure.until_safe(counts, hidden, [disclosure.Line(parts, total)
                                           for parts, total in lines], threshold)
    return frozenset(hidden)


def protect_choices(kind: str, overall: Sequence[int], respondents: int, groups: Groups,
                    threshold: int) -> set[Hashable]:
    """The keys to hide in an item's tables published together: ("all", j) and
    ("all", "n") for the whole survey, (dimension, group, j) and (dimension, group, "n")
    for a cross-table's cell and its group's respondents. For a multiple item, (…, "not",
    j) are those who did not pick j: suppressed, never printed."""
    values: dict[Hashable, int] = {("all", "n"): respondents}
    lines: list[tuple[list[Hashable], Hashable]] = []
    options = range(len(overall))
    multiple = kind == "multiple"

    def cells(prefix: tuple[Any, ...], counts: Sequence[int], total: int) -> None:
        values[(*prefix, "n")] = total
        for j in options:
            values[(*prefix, j)] = counts[j]
            if multiple:
                values[(*prefix, "not", j)] = total - counts[j]
                lines.append(([(*prefix, j), (*prefix, "not", j)], (*prefix, "n")))
        if not multiple:
            lines.append(([(*prefix, j) for j in options], (*prefix, "n")))

    cells(("all",), overall, respondents)
    for dimension, rows in groups.items():
        for group, counts, total in rows:
            cells((dimension, group), counts, total)
        lines.append(([(dimension, g, "n") for g, _c, _t in rows], ("all", "n")))
        for j in options:
            lines.append(([(dimension, g, j) for g, _c, _t in rows], ("all", j)))
            if multiple:
                lines.append(([(dimension, g, "not", j) for g, _c, _t in rows],
                              ("all", "not", j)))
    return _suppress(values, lines, threshold)


def protect_counts(overall: int, groups: Mapping[str, Sequence[tuple[Group, int]]],
                   threshold: int) -> set[Hashable]:
    """The same for the counts of a number item: each dimension's groups add up to the
    whole survey's count."""
    values: dict[Hashable, int] = {("all", "n"): overall}
    lines: list[tuple[list[Hashable], Hashable]] = []
    for dimension, rows in groups.items():
        for group, n in rows:
            values[(dimension, group, "n")] = n
        lines.append(([(dimension, g, "n") for g, _n in rows], ("all", "n")))
    return _suppress(values, lines, threshold)


# --- Putting an item's results together ------------------------------------------------------


@dataclass(frozen=True)
class Labels:
    """The words of the groups, in the reader's language: per dimension, the groups in
    the order shown ("" for those who did not say) and their labels."""

    titles: Mapping[str, str]
    groups: Mapping[str, Sequence[tuple[Group, str]]]


def _options(item: SurveyItem, language: str) -> list[str]:
    words = item.words(language)
    if item.kind == "scale":
        scale = list(words["scale"]) or [""] * SCALE_POINTS
        return [f"{point} — {word}" if word else str(point)
                for point, word in zip(range(1, SCALE_POINTS + 1), scale, strict=False)]
    return [str(o) for o in words["options"]]


def _choice_indexes(item: SurveyItem, count: int) -> list[int]:
    """The stored choice of each option: the index, or a scale's point 1 to 5."""
    return list(range(1, SCALE_POINTS + 1)) if item.kind == "scale" else list(range(count))


def item_result(item: SurveyItem, found: Tally, *, published: bool, threshold: int,
                language: str, labels: Labels) -> ItemResult:
    """One item's results from the survey's tally."""
    options = _options(item, language) if item.kind in COUNTED else []
    label = str(item.words(language)["label"])
    quotations = found.quotations.get(item.id, []) if item.kind == "text" else []
    if item.kind == "text":
        return ItemResult(item, label, [], published, bool(quotations), Row(None, "", None),
                          quotations=quotations)
    respondents = found.respondents.get((item.id, ALL, None), 0)
    if not published:
        counts = [found.choices.get((item.id, ALL, None, c), 0)
                  for c in _choice_indexes(item, len(options))]
        enough, row = running_row(counts if item.kind in COUNTED else [], respondents,
                                  threshold)
        return ItemResult(item, label, options, False, enough, row)
    if item.kind in COUNTED:
        return _published_choices(item, label, options, found, threshold, labels)
    return _published_numbers(item, label, found, threshold, labels)


def named_groups(item: SurveyItem, found: Tally, labels: Labels, dimension: str
                 ) -> list[tuple[Group, str]]:
    """The groups of a dimension in the labels' order, and any other group the answers
    name (its raw value as its label): every answer is in one row, so that the rows add
    up to the whole survey, as the suppression assumes."""
    known = list(labels.groups[dimension])
    seen = {group for group, _name in known}
    extra = sorted({key[2] for key in found.respondents
                    if key[0] == item.id and key[1] == dimension and key[2] not in seen},
                   key=str)
    return [*known, *((group, str(group)) for group in extra)]


def _groups_of(item: SurveyItem, found: Tally, labels: Labels, dimension: str,
               choices: Sequence[int]) -> list[tuple[Group, str, list[int], int]]:
    return [(group, name, [found.choices.get((item.id, dimension, group, c), 0)
                           for c in choices],
             found.respondents.get((item.id, dimension, group), 0))
            for group, name in named_groups(item, found, labels, dimension)]


def _published_choices(item: SurveyItem, label: str, options: list[str], found: Tally,
                       threshold: int, labels: Labels) -> ItemResult:
    choices = _choice_indexes(item, len(options))
    overall = [found.choices.get((item.id, ALL, None, c), 0) for c in choices]
    respondents = found.respondents.get((item.id, ALL, None), 0)
    groups = {d: _groups_of(item, found, labels, d, choices) for d in DIMENSIONS}
    hidden = protect_choices(item.kind, overall, respondents,
                             {d: [(g, c, t) for g, _n, c, t in rows]
                              for d, rows in groups.items()}, threshold)

    def row(prefix: tuple[Any, ...], key: Group, name: str, counts: Sequence[int],
            total: int) -> Row:
        shown_total = None if (*prefix, "n") in hidden else total
        shown = [None if (*prefix, j) in hidden else counts[j] for j in range(len(counts))]
        return Row(key, name, shown_total, shown, [share(c, shown_total) for c in shown])

    whole = row(("all",), None, "", overall, respondents)
    crosstabs = [CrossTable(d, labels.titles[d], [row((d, g), g, n, c, t)
                                                  for g, n, c, t in groups[d]])
                 for d in DIMENSIONS if _said(groups[d])]
    return ItemResult(item, label, options, True, respondents >= threshold, whole, crosstabs)


def _said(rows: Iterable[tuple[Any, ...]]) -> bool:
    """Whether anybody said which group they belong to (else the table is the whole
    survey's again)."""
    return any(row[0] is not None and row[-1] for row in rows)


def _published_numbers(item: SurveyItem, label: str, found: Tally, threshold: int,
                       labels: Labels) -> ItemResult:
    def n_of(dimension: str, group: Group) -> int:
        return found.respondents.get((item.id, dimension, group), 0)

    overall = n_of(ALL, None)
    groups = {d: [(g, name, n_of(d, g)) for g, name in named_groups(item, found, labels, d)]
              for d in DIMENSIONS}
    hidden = protect_counts(overall, {d: [(g, n) for g, _name, n in rows]
                                      for d, rows in groups.items()}, threshold)

    def row(dimension: str, key: Group, name: str, n: int) -> Row:
        at = ("all",) if dimension == ALL else (dimension, key)
        if (*at, "n") in hidden:
            return Row(key, name, None, stats=Stats(None))
        return Row(key, name, n, stats=stats(found.numbers.get((item.id, dimension, key), {}),
                                             n))

    whole = row(ALL, None, "", overall)
    crosstabs = [CrossTable(d, labels.titles[d], [row(d, g, name, n)
                                                  for g, name, n in groups[d]])
                 for d in DIMENSIONS if _said(groups[d])]
    return ItemResult(item, label, [], True, overall >= threshold, whole, crosstabs)


def survey_results(survey: Survey, found: Tally, *, threshold: int, language: str,
                   labels: Labels) -> SurveyResults:
    """Every item of ``survey`` under the regime of its state (running or published)."""
    published = survey.results_at is not None
    responses = found.responses.get(survey.id, 0)
    if published:
        shown = responses if responses >= threshold else None
    else:
        shown = rounded_down(responses)
    return SurveyResults(survey, published, shown, [
        item_result(item, found, published=published, threshold=threshold,
                    language=language, labels=labels) for item in survey.items], threshold)


# --- Publishing --------------------------------------------------------------------------------


def publish_results(db: Session, survey: Survey, *, actor: User | None, now: datetime) -> None:
    """The committee publishes the final results: from now on no answer is taken, on any
    channel (``Survey.is_open``, ``Survey.takes_paper``), and the cross-tables are public,
    never to change. Refused before the survey closes, while a pile of paper forms is
    still being typed in (its answers would be lost), and a second time."""
    if survey.results_at is not None:
        raise ResultsError("results_already_published")
    if now < survey.closes_at:
        raise ResultsError("results_before_close")
    piles = open_piles(db, survey)
    if piles:
        raise ResultsError("results_paper_open", piles=piles)
    # What still waits in the inbox joins the responses, then every response is written
    # again in one transaction, so that the last few are not a small group of their own.
    surveys.mix(db, survey, minimum=0, now=now)
    surveys.remix_all(db, survey)
    responses = db.scalar(select(func.count()).select_from(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id)) or 0
    survey.results_at = now
    db.flush()
    audit.record(db, actor=actor, action="evaluation.results_published", target_type="survey",
                 target_id=survey.id, now=now, count=int(responses))


def open_piles(db: Session, survey: Survey) -> int:
    """The survey's piles of paper forms not closed yet (still being typed in)."""
    return int(db.scalar(select(func.count()).select_from(PaperBatch).where(
        PaperBatch.survey_id == survey.id, PaperBatch.closed_at.is_(None))) or 0)
