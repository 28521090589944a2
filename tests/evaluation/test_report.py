"""Publishing a survey's results, and the evaluation's report: each question with its
surveys' results, the ideas and FPH of its orientations year by year, the measured
commitments (a missing value stays missing), the workshops and quotations, and the
quartiers compared under the secrecy threshold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from sqlalchemy import select

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.evaluation import report, results, services, surveys, workshops
from civic.evaluation.models import PaperBatch, SurveyText, WorkshopPhoto
from tests import factories
from tests.evaluation.conftest import INDICATOR, NOW
from tests.evaluation.test_results import K, make_question, make_survey, read, respond


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Élise", roles=[(Role.EVALUATOR, None)])


@pytest.fixture
def question(db: Any, contract: Any, orientation: Any) -> Any:
    return make_question(db, contract, orientation)


def build(db: Any, evaluation: Any, now: datetime = NOW) -> report.Report:
    return report.build(db, evaluation, now=now, timezone="Europe/Paris", threshold=K,
                        settle_days=-365, language="fr")


# --- Publishing the results --------------------------------------------------------------------


def test_results_are_published_once_the_survey_is_closed_and_audited(
        db: Any, question: Any, evaluator: Any) -> None:
    survey = make_survey(db, question, ["single"], closes_at=NOW + timedelta(days=2))
    respond(db, survey, [{survey.items[0].id: 0} for _ in range(12)])
    with pytest.raises(results.ResultsError) as early:
        results.publish_results(db, survey, actor=evaluator, now=NOW)
    assert early.value.code == "results_before_close"
    assert survey.results_at is None
    after = NOW + timedelta(days=3)
    results.publish_results(db, survey, actor=evaluator, now=after)
    assert survey.results_at == after
    [entry] = db.scalars(select(AuditEntry).where(
        AuditEntry.action == "evaluation.results_published")).all()
    assert (entry.actor_id, entry.target_type, entry.target_id) == (evaluator.id, "survey",
                                                                    str(survey.id))
    assert entry.details == {"count": 12}
    with pytest.raises(results.ResultsError) as again:
        results.publish_results(db, survey, actor=evaluator, now=after)
    assert again.value.code == "results_already_published"


def test_results_wait_for_the_paper_piles(db: Any, question: Any, quartier: Any,
                                          evaluator: Any) -> None:
    survey = make_survey(db, question, ["single"])
    pile = PaperBatch(survey_id=survey.id, quartier_id=quartier.id, label="Permanence",
                      counted=3, created_at=NOW)
    db.add(pile)
    db.flush()
    with pytest.raises(results.ResultsError) as refused:
        results.publish_results(db, survey, actor=evaluator, now=NOW)
    assert refused.value.code == "results_paper_open"
    pile.closed_at = NOW
    db.flush()
    results.publish_results(db, survey, actor=evaluator, now=NOW)
    assert survey.results_at == NOW


def test_published_results_take_no_more_answers_and_never_change(
        db: Any, question: Any, quartier: Any, evaluator: Any) -> None:
    """Paper forms are typed in after the closing, until the results: after them the
    answering service refuses every channel, so the tables stay as published."""
    survey = make_survey(db, question, ["single"])
    item = survey.items[0]
    respond(db, survey, [{item.id: 0, "quartier": quartier.id} for _ in range(15)])
    results.publish_results(db, survey, actor=evaluator, now=NOW)
    before = read(db, survey, [quartier])
    parsed, profile = surveys.parse(survey, {f"item-{item.id}": "1"}, {quartier.id})
    for channel in ("online", "kiosk", "poster"):
        with pytest.raises(surveys.SurveyError) as closed:
            surveys.answer(db, survey, parsed, profile, channel=channel, today=NOW.date(),
                           now=NOW + timedelta(days=1), code="ABCD-EFGH")
        assert closed.value.code == "survey_closed"
    late = PaperBatch(survey_id=survey.id, quartier_id=quartier.id, label="Tardif",
                      counted=1, created_at=NOW)
    with pytest.raises(surveys.SurveyError) as paper:
        surveys.answer(db, survey, parsed, profile, channel="paper", today=NOW.date(),
                       now=NOW + timedelta(days=1), batch=late)
    assert paper.value.code == "survey_closed"
    assert read(db, survey, [quartier]) == before
    assert before.items[0].overall.counts == [15, 0, 0]


# --- The report --------------------------------------------------------------------------------


@pytest.fixture
def measured(db: Any, commitment: Any) -> Any:
    """An indicator with values for 2023 and 2025, none for 2024 and 2026."""
    indicator = services.add_indicator(db, commitment, {
        **INDICATOR, "baseline": Decimal(INDICATOR["baseline"]),
        "target": Decimal(INDICATOR["target"])}, actor=None, now=NOW)
    for year, value in ((2023, "120"), (2025, "210")):
        services.record_value(db, indicator, year, Decimal(value), "Bilan", actor=None,
                              now=NOW)
    return indicator


def test_missing_yearly_values_stay_missing(db: Any, question: Any, measured: Any) -> None:
    built = build(db, question.evaluation)
    [line] = built.questions[0].commitments
    assert built.value_years == [2023, 2024, 2025, 2026]
    assert line.values == {2023: Decimal("120.00"), 2024: None, 2025: Decimal("210.00"),
                           2026: None}
    assert line.measure.progress == 50
    answer = report.as_json(built)
    [commitment] = answer["questions"][0]["commitments"]
    assert commitment["values"] == [{"year": 2023, "value": 120.0},
                                    {"year": 2024, "value": None},
                                    {"year": 2025, "value": 210.0},
                                    {"year": 2026, "value": None}]
    sheet = next(t for t in report.as_tables(built) if t.key == "engagements")
    assert (sheet.rows[0]["y2024"], sheet.rows[0]["y2025"]) == (None, 210.0)


def test_a_workshop_of_few_people_shows_no_head_count(db: Any, question: Any, quartier: Any
                                                      ) -> None:
    small, large = (factories.make_event(db, quartier, kind="workshop", title=title,
                                         starts_at=NOW - timedelta(days=2))
                    for title in ("Atelier emploi", "Forum des stages"))
    for event, people in ((small, 4), (large, 23)):
        held = workshops.attach(db, question, event, actor=None, now=NOW)
        workshops.record(db, held, "Des stages près de chez soi.", people, actor=None,
                         now=NOW)
    lines = build(db, question.evaluation).questions[0].workshops
    assert [(w.workshop.event.title, w.participants, w.few) for w in lines] == [
        ("Atelier emploi", None, True), ("Forum des stages", 23, False)]


def test_ideas_and_fph_of_the_orientations_in_each_published_year(
        db: Any, question: Any, orientation: Any, quartier: Any, contract: Any) -> None:
    other = factories.make_orientation(db, contract, name="Cadre de vie", position=2)
    for year, n in ((2024, 2), (2025, 3)):
        for _ in range(n):
            factories.make_idea(db, quartier, orientation_id=orientation.id,
                                created_at=datetime(year, 5, 2, tzinfo=UTC))
    factories.make_idea(db, quartier, orientation_id=other.id,
                        created_at=datetime(2025, 5, 2, tzinfo=UTC))
    built = build(db, question.evaluation)
    assert built.years == [2024, 2025, 2026]
    # The contract's participants as open data publishes them: the ideas' authors
    # without an account, each idea a person, fewer than the threshold in 2024 and 2025.
    assert built.participants == [(2024, None), (2025, None), (2026, 0)]
    assert [(a.year, a.orientation, a.posted, a.published)
            for a in built.questions[0].activity] == [
        (2024, "Emploi et insertion", 2, 2), (2025, "Emploi et insertion", 3, 3),
        (2026, "Emploi et insertion", 0, 0)]
    # A year open data has not published is not in the report.
    later = report.build(db, question.evaluation, now=NOW, timezone="Europe/Paris",
                         threshold=K, settle_days=31, language="fr")
    assert later.years == [2024, 2025]


def quartier_people(survey: Any, quartier: Any, other_quartier: Any) -> list[dict[str, Any]]:
    """35 people of the first quartier (20 « Oui », 15 « Non »), 5 of the second (2 and 3),
    23 who did not say (12 and 11)."""
    item = survey.items[0].id
    counts = ((quartier.id, 20, 15), (other_quartier.id, 2, 3), (None, 12, 11))
    return [{"quartier": where, item: choice} for where, yes, no in counts
            for choice, n in ((0, yes), (1, no)) for _ in range(n)]


def test_the_quartiers_are_compared_under_the_threshold(db: Any, question: Any,
                                                        quartier: Any, other_quartier: Any
                                                        ) -> None:
    survey = make_survey(db, question, ["single"], published=True)
    respond(db, survey, quartier_people(survey, quartier, other_quartier))
    built = build(db, question.evaluation)
    [(item, table)] = built.comparison
    rows = {row.label: row for row in table.rows}
    assert item.overall.counts == [34, 29, 0]
    assert item.overall.shares == [54.0, 46.0, 0.0]
    # The second quartier's five are hidden, and with them what would give them back:
    # those who did not say, in every column where the five are.
    assert rows["Le Parc"] == results.Row(str(other_quartier.id), "Le Parc", None,
                                          [None, None, 0], [None, None, None])
    assert rows["Non dit"].counts == [None, None, 0]
    assert rows["Non dit"].respondents is None
    assert rows["Les Tilleuls"].respondents == 35
    assert rows["Les Tilleuls"].shares == [57.1, 42.9, 0.0]
    sheet = next(t for t in report.as_tables(built) if t.key == "quartiers")
    columns = {str(c.label): c.key for c in sheet.columns}
    non = next(r for r in sheet.rows if r["answer"] == "Non")
    assert non[columns["Le Parc"]] is None
    assert non[columns["Les Tilleuls"]] == 42.9
    assert non["contract"] == 46.0


def test_a_running_survey_is_in_the_report_with_rounded_shares_only(
        db: Any, question: Any, quartier: Any, other_quartier: Any) -> None:
    survey = make_survey(db, question, ["single"], closes_at=NOW + timedelta(days=5))
    respond(db, survey, quartier_people(survey, quartier, other_quartier))
    built = build(db, question.evaluation)
    assert built.comparison == []
    [(found, [item])] = built.questions[0].surveys
    assert not found.published
    assert found.responses == 60  # 63, rounded down
    assert item.overall.shares == [55.0, 45.0, 0.0]  # 54.0 and 46.0, rounded
    assert item.overall.counts == []
    assert item.crosstabs == []


def test_quotations_are_the_published_free_texts_of_the_question(
        db: Any, question: Any, orientation: Any) -> None:
    other = services.add_question(db, question.evaluation, "Se sent-on en sécurité ?",
                                  [orientation.id], actor=None, now=NOW)
    survey = make_survey(db, question, ["text", "single"])
    elsewhere = make_survey(db, other, ["text"], title="Sécurité")
    respond(db, survey, [{survey.items[0].id: "Des bancs à l’ombre, s’il vous plaît."}])
    respond(db, elsewhere, [{elsewhere.items[0].id: "Plus de lumière le soir."}])
    db.add(SurveyText(survey_id=survey.id, item_id=survey.items[0].id,
                      body="Pas encore relu.", created_at=NOW))
    db.flush()
    built = build(db, question.evaluation)
    assert built.questions[0].quotations == [
        ("Question 1 (text)", "Des bancs à l’ombre, s’il vous plaît.")]
    assert built.questions[1].quotations == [("Question 1 (text)", "Plus de lumière le soir.")]


def test_the_json_answer_follows_its_schema(db: Any, question: Any, quartier: Any,
                                            other_quartier: Any, measured: Any) -> None:
    published = make_survey(db, question, ["single", "multiple", "scale", "number", "text"],
                            published=True)
    running = make_survey(db, question, ["single", "number"], title="En cours",
                          closes_at=NOW + timedelta(days=5))
    for survey in (published, running):
        ids = [i.id for i in survey.items]
        respond(db, survey, [{"quartier": quartier.id if n % 3 else other_quartier.id,
                              "gender": "woman" if n % 2 else None,
                              **{i: (Decimal(n) if survey.items[k].kind == "number"
                                     else [0, 2] if survey.items[k].kind == "multiple"
                                     else 1 + n % 5 if survey.items[k].kind == "scale"
                                     else "Merci" if survey.items[k].kind == "text"
                                     else n % 2)
                                 for k, i in enumerate(ids)}} for n in range(40)])
    event = factories.make_event(db, quartier, kind="workshop", title="Atelier emploi",
                                 starts_at=NOW - timedelta(days=2))
    held = workshops.attach(db, question, event, actor=None, now=NOW)
    workshops.record(db, held, "Des stages près de chez soi.", 14, actor=None, now=NOW)
    db.add(WorkshopPhoto(event_id=event.id, photo="tableau.jpg", caption="Le tableau",
                         created_at=NOW))
    db.flush()
    answer = report.as_json(build(db, question.evaluation),
                            media=lambda name: f"https://civic.example/media/{name}")
    [workshop] = answer["questions"][0]["workshops"]
    assert workshop["photos"] == [{"url": "https://civic.example/media/tableau.jpg",
                                   "caption": "Le tableau"}]
    assert workshop["participants"] == 14
    schema = {"$ref": "#/components/schemas/EvaluationReport",
              "components": {"schemas": report.SCHEMAS}}
    Draft202012Validator.check_schema(schema)
    errors = sorted(Draft202012Validator(schema).iter_errors(answer), key=str)
    assert errors == [], [e.message for e in errors][:5]
    kinds = [i["kind"] for s in answer["questions"][0]["surveys"] for i in s["items"]]
    assert kinds == ["single", "multiple", "scale", "number", "single", "number"]
    assert answer["quartier_comparison"]


def test_the_report_asks_the_same_queries_whatever_the_answers_and_items(
        db: Any, contract: Any, orientation: Any, quartier: Any, count_queries: Any) -> None:
    question = make_question(db, contract, orientation)
    first = make_survey(db, question, ["single", "number"], published=True)
    respond(db, first, [{first.items[0].id: 0, first.items[1].id: Decimal(4)}])
    make_survey(db, question, ["single"], title="Pas encore publiée")
    build(db, question.evaluation)  # the years' open-data releases are built once
    with count_queries() as few:
        build(db, question.evaluation)
    kinds = ["single", "multiple", "scale", "number", "text"] * 4
    for title, published in (("Grande", True), ("Encore", False)):
        survey = make_survey(db, question, kinds, published=published, title=title)
        respond(db, survey, [{"quartier": quartier.id if n % 2 else None,
                              **{i.id: (Decimal(n) if i.kind == "number" else [0, 1]
                                        if i.kind == "multiple" else 3 if i.kind == "scale"
                                        else "Oui" if i.kind == "text" else 0)
                                 for i in survey.items}} for n in range(200)])
    with count_queries() as many:
        build(db, question.evaluation)
    assert many.n == few.n
