"""Survey results under statistical secrecy: the arithmetic by hand, the counts the
database gives, and an attacker who reads every published figure and tries to get a
small count back, or to learn one more answer by comparing two readings of a running
survey."""

from __future__ import annotations

import random
import secrets
from collections.abc import Hashable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from civic.evaluation import report, results, services
from civic.evaluation.models import (
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
    SurveyText,
)
from civic.pilotage.disclosure import Line, intervals, is_safe
from tests.evaluation.conftest import NOW

K = 11
MIDTERM = {"kind": "midterm", "title": "Évaluation à mi-parcours", "purpose": "",
           "starts_on": date(2026, 1, 15), "ends_on": date(2026, 10, 31)}
OPTIONS = ["Oui", "Non", "Je ne sais pas"]
SCALE = ["Très mal", "Mal", "Moyen", "Bien", "Très bien"]


# --- Seeding: rows straight into the tables, as the answering service writes them --------


def make_question(db: Any, contract: Any, orientation: Any,
                  text: str = "Les jeunes trouvent-ils un stage ?") -> Any:
    evaluation = services.open_evaluation(db, contract, MIDTERM, actor=None, now=NOW)
    return services.add_question(db, evaluation, text, [orientation.id], actor=None, now=NOW)


def make_survey(db: Any, question: Any, kinds: Sequence[str], *, published: bool = False,
                closes_at: Any = None, title: str = "Vivre au quartier", now: Any = NOW
                ) -> Survey:
    """A survey of ``question``'s evaluation with one item per kind, open a week before
    ``now`` and closed the day before (or at ``closes_at``); its results published when
    ``published``."""
    survey = Survey(evaluation_id=question.evaluation_id,
                    texts={"fr": {"title": title, "intro": ""},
                           "en": {"title": f"{title} (en)", "intro": ""},
                           "ar": {"title": f"{title} (ar)", "intro": ""}},
                    opens_at=now - timedelta(days=7),
                    closes_at=closes_at or now - timedelta(days=1), once=True,
                    ask_profile=True, results_at=now if published else None, created_at=now)
    db.add(survey)
    db.flush()
    for position, kind in enumerate(kinds):
        words: dict[str, Any] = {"label": f"Question {position + 1} ({kind})"}
        if kind in ("single", "multiple"):
            words["options"] = OPTIONS
        if kind == "scale":
            words["scale"] = SCALE
        db.add(SurveyItem(survey_id=survey.id, question_id=question.id, kind=kind,
                          position=position, texts={"fr": words}))
    db.flush()
    db.refresh(survey, ["items"])
    return survey


def respond(db: Any, survey: Survey, people: Sequence[dict[str, Any]]) -> None:
    """One response per person: ``{"quartier": id, "gender": …, "age": …, item id: choice,
    a list of choices, a Decimal or a text}``, in two bulk inserts."""
    responses, answers = [], []
    for person in people:
        rid = secrets.token_hex(16)
        responses.append({"id": rid, "survey_id": survey.id,
                          "channel": person.get("channel", "online"),
                          "quartier_id": person.get("quartier"), "gender": person.get("gender"),
                          "age_bracket": person.get("age")})
        for item_id, value in person.items():
            if not isinstance(item_id, int):
                continue
            if isinstance(value, Decimal):
                answers.append({"response_id": rid, "item_id": item_id, "rank": 0,
                                "choice": None, "number": value})
            elif isinstance(value, str):
                db.add(SurveyText(survey_id=survey.id, item_id=item_id, body=value,
                                  moderation="published", created_at=NOW))
            else:
                choices = value if isinstance(value, list) else [value]
                answers.extend({"response_id": rid, "item_id": item_id, "rank": rank,
                                "choice": choice, "number": None}
                               for rank, choice in enumerate(sorted(choices)))
    if responses:
        db.execute(insert(SurveyResponse), responses)
    if answers:
        db.execute(insert(SurveyAnswer), answers)
    db.flush()


def read(db: Any, survey: Survey, quartiers: Sequence[Any] = ()) -> results.SurveyResults:
    [found] = report.survey_results(db, [survey], threshold=K, language="fr",
                                    quartiers=quartiers)
    return found


# --- The arithmetic, by hand -----------------------------------------------------------------


@pytest.mark.parametrize(("count", "total", "shown"), [
    (0, 40, 0), (40, 40, 100), (1, 3, 35), (2, 3, 65), (1, 8, 15), (1, 40, 5),
    (1, 41, 0), (20, 41, 50), (21, 41, 50), (22, 41, 55), (7, 20, 35), (3, 40, 10)])
def test_a_running_share_is_rounded_to_the_nearest_five_percent(count: int, total: int,
                                                                 shown: int) -> None:
    """12.5 % is as far from 10 as from 15: it goes up; 2.4 % goes down to 0."""
    assert results.rounded_share(count, total) == shown


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (9, 0), (10, 10), (11, 10),
                                              (127, 120), (5000, 5000)])
def test_a_running_count_is_rounded_down_to_ten(count: int, shown: int) -> None:
    assert results.rounded_down(count) == shown


@pytest.mark.parametrize(("values", "quartiles"), [
    ([1, 2, 3, 4, 5, 6, 7, 8, 9], ("3.00", "5.00", "7.00")),
    ([1, 2, 3, 4], ("1.75", "2.50", "3.25")),
    ([10], ("10.00", "10.00", "10.00")),
    ([4, 1], ("1.75", "2.50", "3.25")),
    ([0.5, 0.25, 100, 3, 3], ("0.50", "3.00", "3.00")),
])
def test_quartiles_as_a_spreadsheet_computes_them(values: list[float],
                                                  quartiles: tuple[str, str, str]) -> None:
    ordered = sorted(Decimal(str(v)) for v in values)
    n = len(ordered)
    picks = {p: ordered[p] for p in results.positions(n) if p < n}
    found = results.stats(picks, n)
    assert (str(found.q1), str(found.median), str(found.q3)) == quartiles


# --- An attacker reads every published figure ------------------------------------------------


QUARTIERS = ["1", "2", "3"]
GROUPS = {"quartier": [*QUARTIERS, None], "gender": ["woman", "man", "other", None],
          "age": ["18_24", "25_39", "40_54", None]}
LABELS = results.Labels(titles={d: d for d in GROUPS},
                        groups={d: [(g, str(g)) for g in groups]
                                for d, groups in GROUPS.items()})
_PROFILE = {"quartier": "quartier", "gender": "gender", "age": "age"}


def tally_of(item_id: int, people: Sequence[dict[str, Any]]) -> results.Tally:
    """What the database would give for ``people``' answers to one item, by hand."""
    found = results.Tally()
    for person in people:
        choices = person["choices"]
        for dimension, group in (("all", None), *((d, person[d]) for d in GROUPS)):
            key = (item_id, dimension, group)
            found.respondents[key] = found.respondents.get(key, 0) + 1
            for choice in choices:
                at = (item_id, dimension, group, choice)
                found.choices[at] = found.choices.get(at, 0) + 1
    return found


def published_item(kind: str, people: Sequence[dict[str, Any]]) -> results.ItemResult:
    item = SurveyItem(id=1, kind=kind, question_id=1,
                      texts={"fr": {"label": "Q", "options": OPTIONS, "scale": SCALE}})
    return results.item_result(item, tally_of(1, people), published=True, threshold=K,
                               language="fr", labels=LABELS)


class Attacker:
    """Every count of an item's tables with its true value, those the page hides, and
    every relation a reader knows between them (a row adds up to its respondents, the
    groups of a table to the whole survey; for several choices, those who did not pick
    an answer are the respondents minus those who did)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.options = range(5 if kind == "scale" else len(OPTIONS))
        self.values: dict[Hashable, int] = {}
        self.hidden: set[Hashable] = set()
        self.lines: list[Line] = []

    def choice(self, j: int) -> int:
        return j + 1 if self.kind == "scale" else j

    def read(self, prefix: tuple[Any, ...], members: Sequence[dict[str, Any]],
             row: results.Row) -> None:
        """A row of a table: its respondents and each answer's count."""
        self.values[(*prefix, "n")] = len(members)
        if row.respondents is None:
            self.hidden.add((*prefix, "n"))
        for j in self.options:
            self.values[(*prefix, j)] = sum(self.choice(j) in p["choices"] for p in members)
            if row.counts[j] is None:
                self.hidden.add((*prefix, j))
        if self.kind != "multiple":
            self.lines.append(Line(tuple((*prefix, j) for j in self.options), (*prefix, "n")))
            return
        for j in self.options:
            self.values[(*prefix, "not", j)] = len(members) - self.values[(*prefix, j)]
            if row.counts[j] is None or row.respondents is None:
                self.hidden.add((*prefix, "not", j))
            self.lines.append(Line(((*prefix, j), (*prefix, "not", j)), (*prefix, "n")))

    def add_up(self, keys: Sequence[tuple[Any, ...]]) -> None:
        """The rows of a cross-table add up to the whole survey's."""
        self.lines.append(Line(tuple((*k, "n") for k in keys), ("all", "n")))
        for j in self.options:
            self.lines.append(Line(tuple((*k, j) for k in keys), ("all", j)))
            if self.kind == "multiple":
                self.lines.append(Line(tuple((*k, "not", j) for k in keys), ("all", "not", j)))


def attacker(kind: str, people: Sequence[dict[str, Any]], shown: results.ItemResult
             ) -> Attacker:
    found = Attacker(kind)
    found.read(("all",), people, shown.overall)
    for crosstab in shown.crosstabs:
        d = crosstab.dimension
        for row in crosstab.rows:
            found.read((d, row.key), [p for p in people if p[d] == row.key], row)
        found.add_up([(d, row.key) for row in crosstab.rows])
    return found


def crowd(n: int, seed: int, kind: str) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    people = []
    for _ in range(n):
        if kind == "multiple":
            choices = [j for j in range(3) if rnd.random() < 0.45] or [0]
        elif kind == "scale":
            choices = [rnd.choice([3, 4, 4, 5, 5, 2])]
        else:
            choices = [rnd.choice([0, 0, 0, 1, 1, 2])]
        people.append({"choices": choices, **{d: rnd.choice(g) for d, g in GROUPS.items()}})
    return people


def assert_nothing_small_comes_back(kind: str, people: Sequence[dict[str, Any]]) -> None:
    found = attacker(kind, people, published_item(kind, people))
    values, hidden = found.values, found.hidden
    small = {key for key, value in values.items() if 0 < value < K}
    assert small <= hidden, sorted(small - hidden, key=repr)
    # Open data's standard: every hidden count may be 0, or ranges over at least K values.
    for key, (low, high) in intervals(values, hidden, found.lines).items():
        assert is_safe(low, high, K), (key, values[key], low, high)


@pytest.mark.parametrize("dimension", ["quartier", "gender", "age"])
@pytest.mark.parametrize("kind", ["single", "multiple", "scale"])
def test_a_lone_answer_is_hidden_in_every_crosstab_and_cannot_be_computed(
        dimension: str, kind: str) -> None:
    """Forty people answer alike; one of them, alone in a group of ``dimension``, gives
    the only « Je ne sais pas » (or the only 1 on the scale). The page never shows that
    1, and no subtraction of the published figures gives it back."""
    lonely = 1 if kind == "scale" else 2
    common = 4 if kind == "scale" else 0
    people = [{"choices": [common], "quartier": "1", "gender": "woman", "age": "25_39"}
              for _ in range(40)]
    for n, group in enumerate(GROUPS[dimension][:2]):
        for person in people[n * 15:(n + 1) * 15]:
            person[dimension] = group
    loner = {"choices": [lonely], "quartier": "1", "gender": "woman", "age": "25_39"}
    loner[dimension] = GROUPS[dimension][2]
    people.append(loner)
    shown = published_item(kind, people)
    column = lonely - 1 if kind == "scale" else lonely
    [table] = [t for t in shown.crosstabs if t.dimension == dimension]
    [row] = [r for r in table.rows if r.key == GROUPS[dimension][2]]
    assert row.counts[column] is None
    assert row.respondents is None
    assert shown.overall.counts[column] is None  # the whole survey's 1 as well
    assert shown.overall.respondents == 41
    assert_nothing_small_comes_back(kind, people)


def test_not_picking_an_answer_is_a_count_too() -> None:
    """Fourteen people of quartier 1 tick several answers; all but one tick « Oui ». The
    page may not show both 14 and 13: the one who did not tick it would be told."""
    people = [{"choices": [0, 1], "quartier": "1", "gender": None, "age": None}
              for _ in range(13)]
    people.append({"choices": [1], "quartier": "1", "gender": None, "age": None})
    people += [{"choices": [0], "quartier": "2", "gender": None, "age": None}
               for _ in range(20)]
    shown = published_item("multiple", people)
    [table] = [t for t in shown.crosstabs if t.dimension == "quartier"]
    [row] = [r for r in table.rows if r.key == "1"]
    assert row.counts[0] is None or row.respondents is None
    assert_nothing_small_comes_back("multiple", people)


@pytest.mark.parametrize("kind", ["single", "multiple", "scale"])
@pytest.mark.parametrize("seed", range(4))
def test_no_small_count_comes_back_from_a_realistic_survey(kind: str, seed: int) -> None:
    assert_nothing_small_comes_back(kind, crowd(60 + 40 * seed, seed, kind))


@given(seed=st.integers(0, 10_000), n=st.integers(1, 80),
       kind=st.sampled_from(["single", "multiple", "scale"]))
@settings(max_examples=20, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
def test_no_small_count_comes_back_whatever_the_answers(seed: int, n: int, kind: str) -> None:
    assert_nothing_small_comes_back(kind, crowd(n, seed, kind))


@pytest.mark.parametrize(("seed", "n", "kind"), [(4, 30, "single"), (4, 45, "single"),
                                                 (17, 80, "multiple"), (20, 80, "single")])
def test_no_hidden_count_is_narrowed_below_the_threshold(seed: int, n: int,
                                                         kind: str) -> None:
    """Crowds where the suppression alone left a hidden count between two bounds closer
    than 11 (6 ≤ x ≤ 16 for a count of 10; 3 ≤ x ≤ 11 for 6): the disclosure audit
    hides more until each ranges over at least 11 values, as open data's does."""
    assert_nothing_small_comes_back(kind, crowd(n, seed, kind))


def test_a_group_of_numbers_below_the_threshold_shows_no_statistic() -> None:
    """Quartier 2's five numbers would give their median away: hidden, and another
    group's count with it (else 30 − 25 would give the five back)."""
    item = SurveyItem(id=7, kind="number", question_id=1, texts={"fr": {"label": "Âge"}})
    found = results.Tally()
    sizes = {"1": 25, "2": 5, "3": 0, None: 0}
    found.respondents[(7, "all", None)] = 30
    found.numbers[(7, "all", None)] = {p: Decimal(p) for p in results.positions(30)}
    for group, n in sizes.items():
        for dimension in GROUPS:
            if dimension == "quartier" or group is None:
                key = (7, dimension, group if dimension == "quartier" else None)
                found.respondents[key] = n if dimension == "quartier" else 30
                found.numbers[key] = {p: Decimal(p) for p in results.positions(n) if n}
    shown = results.item_result(item, found, published=True, threshold=K, language="fr",
                                labels=LABELS)
    assert shown.overall.stats == results.Stats(30, Decimal("7.25"), Decimal("14.50"),
                                                Decimal("21.75"))
    [table] = [t for t in shown.crosstabs if t.dimension == "quartier"]
    rows = {r.key: r for r in table.rows}
    assert rows["2"].stats == results.Stats(None)
    assert rows["1"].stats == results.Stats(None)  # 30 − 25 would give the 5 back
    assert rows["3"].respondents == 0


# --- While a survey runs: nothing to learn by comparing two readings ------------------------


def running_item(kind: str, counts: dict[int, int]) -> results.ItemResult:
    item = SurveyItem(id=3, kind=kind, question_id=1,
                      texts={"fr": {"label": "Q", "options": OPTIONS, "scale": SCALE}})
    found = results.Tally()
    found.respondents[(3, "all", None)] = sum(counts.values())
    for choice, n in counts.items():
        found.choices[(3, "all", None, choice)] = n
    return results.item_result(item, found, published=False, threshold=K, language="fr",
                               labels=LABELS)


def test_one_more_answer_does_not_show_on_a_running_survey() -> None:
    """20 « Oui » and 20 « Non », then one more « Oui »: the page reads the same, so the
    visitor who watched it learns nothing of the answer just given."""
    before = running_item("single", {0: 20, 1: 20})
    after = running_item("single", {0: 21, 1: 20})
    assert before.overall == after.overall
    assert before.overall.shares == [50.0, 50.0, 0.0]
    assert before.overall.respondents == 40
    assert before.overall.counts == []
    assert before.crosstabs == after.crosstabs == []


def test_a_running_item_below_the_threshold_shows_nothing() -> None:
    shown = running_item("single", {0: 6, 1: 4})
    assert not shown.enough
    assert shown.overall == results.Row(None, "", None)
    assert running_item("single", {0: 7, 1: 4}).enough


# --- What the database gives ---------------------------------------------------------------


def test_the_tally_counts_choices_people_and_numbers(db: Any, contract: Any, orientation: Any,
                                                     quartier: Any, other_quartier: Any
                                                     ) -> None:
    question = make_question(db, contract, orientation)
    survey = make_survey(db, question, ["single", "multiple", "scale", "number", "text"],
                         published=True)
    single, multiple, scale, number, text = (i.id for i in survey.items)
    respond(db, survey, [
        {"quartier": quartier.id, "gender": "woman", single: 0, multiple: [0, 2], scale: 5,
         number: Decimal("12.5"), text: "Plus de bancs."},
        {"quartier": quartier.id, "gender": "man", single: 1, multiple: [2], scale: 4,
         number: Decimal("3")},
        {"quartier": other_quartier.id, single: 0, number: Decimal("40")},
        {scale: 1},
    ])
    db.add(SurveyText(survey_id=survey.id, item_id=text, body="Pas encore relu.",
                      created_at=NOW))  # pending: never quoted
    db.flush()
    found = results.tally(db, [survey], cross=True)
    assert found.responses == {survey.id: 4}
    assert found.respondents[(single, "all", None)] == 3
    assert found.respondents[(multiple, "all", None)] == 2  # three choices, two people
    assert found.choices[(multiple, "all", None, 2)] == 2
    assert found.choices[(scale, "all", None, 5)] == 1
    assert found.choices[(single, "quartier", str(quartier.id), 0)] == 1
    assert found.choices[(single, "gender", None, 0)] == 1
    assert found.respondents[(single, "quartier", str(other_quartier.id))] == 1
    assert found.respondents[(scale, "quartier", None)] == 1
    assert found.respondents[(number, "all", None)] == 3
    assert found.numbers[(number, "all", None)] == {0: Decimal("3"), 1: Decimal("12.5"),
                                                    2: Decimal("40")}
    assert found.quotations == {text: ["Plus de bancs."]}
    running = results.tally(db, [survey], cross=False)
    assert {key[1] for key in running.respondents} == {"all"}


def test_quartiles_of_repeated_numbers_from_the_database(db: Any, contract: Any,
                                                        orientation: Any, quartier: Any
                                                        ) -> None:
    """The database gives each number once with how many gave it; the quartiles are read
    at the right places all the same: 1, 2, 2, 2, 3, 10, 10, 40, each twice."""
    question = make_question(db, contract, orientation)
    survey = make_survey(db, question, ["number"], published=True)
    item = survey.items[0].id
    respond(db, survey, [{item: Decimal(v), "quartier": quartier.id}
                         for v in (10, 2, 40, 2, 1, 3, 10, 2) * 2])
    shown = read(db, survey, [quartier]).items[0]
    assert shown.overall.stats == results.Stats(16, Decimal("2.00"), Decimal("2.50"),
                                                Decimal("10.00"))


def test_the_tally_asks_the_same_few_queries_whatever_the_answers(
        db: Any, contract: Any, orientation: Any, quartier: Any, count_queries: Any) -> None:
    question = make_question(db, contract, orientation)
    kinds = ["single", "multiple", "scale", "number", "text"] * 4
    small = make_survey(db, question, kinds, published=True, title="Petite")
    large = make_survey(db, question, kinds, published=True, title="Grande")
    for survey, n in ((small, 3), (large, 300)):
        rnd = random.Random(n)
        respond(db, survey, [{"quartier": rnd.choice([quartier.id, None]),
                              **{i.id: (Decimal(rnd.randint(0, 99)) if i.kind == "number"
                                        else [0, 1] if i.kind == "multiple"
                                        else rnd.randint(1, 5) if i.kind == "scale"
                                        else "Un mot" if i.kind == "text" else 1)
                                 for i in survey.items}} for _ in range(n)])
    counts = []
    for survey in (small, large):
        with count_queries() as counted:
            read(db, survey, [quartier])
        counts.append(counted.n)
    assert counts[0] == counts[1]
    assert counts[1] <= 5
