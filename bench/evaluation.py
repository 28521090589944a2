"""Benchmark of the evaluation's survey results and report on the large demo contract
(``seed-demo --size large``), on SQLite and on PostgreSQL (127.0.0.1:5432, user
postgres, trust auth; the database ``civic_bench_evaluation`` is dropped and created).

On top of the demo, the mid-term evaluation gets one more survey of 20 items (single and
multiple choices, scales, numbers, free texts, spread over its questions), answered by
5 000 residents of every quartier with the optional profile said or not, written in bulk
as the answering service writes them (a response, its answers, the free texts apart).

Then, for each page, the median server time (Flask's test client, so no network) over N
runs next to its aim, and the number of SQL queries: the survey's public results while it
runs, the same once the committee has published them (the cross-tables by quartier,
gender and age, suppressed), the evaluation's report both times, and its exports (the
workbook, a CSV, the API's JSON). Aims (issue): the results page under 300 ms, the
report under 1 s.

    .venv/bin/python -m bench.evaluation [--sqlite-only] [--runs N] [--people N]
"""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, make_url, select, text

from civic import create_app
from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import session
from civic.evaluation import results, services
from civic.evaluation.models import (
    Evaluation,
    Survey,
    SurveyAnswer,
    SurveyItem,
    SurveyResponse,
    SurveyText,
)
from civic.moderation.models import State
from civic.territory import queries as territory_queries

RESULTS_AIM_MS = 300.0
REPORT_AIM_MS = 1000.0
PEOPLE = 5_000
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/civic_bench_evaluation"
#: The survey's items, in order: 6 single, 4 multiple, 4 scales, 3 numbers, 3 texts.
KINDS = ("single", "scale", "multiple", "single", "number", "text", "single", "scale",
         "multiple", "single", "number", "scale", "text", "single", "multiple", "single",
         "scale", "number", "multiple", "text")
OPTIONS = ["Oui, souvent", "Parfois", "Rarement", "Jamais", "Je ne sais pas"]
SCALE = ["Très mal", "Mal", "Moyen", "Bien", "Très bien"]
CHANNELS = ("online", "kiosk", "paper", "poster")
#: Rows inserted per statement.
CHUNK = 5_000


def _recreate_postgres(url: str) -> None:
    import psycopg

    target = make_url(url)
    admin = target.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')


def _evaluation(now: Any) -> Evaluation:
    """The demo's mid-term evaluation, or one opened here when the demo has none."""
    db = session()
    contract = territory_queries.current_contract(db)
    assert contract is not None
    found = db.scalar(select(Evaluation).where(Evaluation.contract_id == contract.id)
                      .order_by(Evaluation.id).limit(1))
    if found is None:
        found = services.open_evaluation(db, contract, {
            "kind": "midterm", "title": "Évaluation à mi-parcours",
            "purpose": "", "starts_on": date(now.year, 1, 15),
            "ends_on": date(now.year + 1, 6, 30)}, actor=None, now=now)
    if not found.questions:
        orientations = contract.orientations
        for n in range(3):
            services.add_question(db, found, f"Question {n + 1} de l’évaluation",
                                  [orientations[n % len(orientations)].id], actor=None, now=now)
    return found


def _survey(evaluation: Evaluation, now: Any) -> Survey:
    """Open for a month, closed yesterday: running until the committee publishes it."""
    db = session()
    texts = {language: {"title": f"Enquête de référence ({language})", "intro": ""}
             for language in ("fr", "en", "ar")}
    survey = Survey(evaluation_id=evaluation.id, texts=texts, opens_at=now - timedelta(days=30),
                    closes_at=now - timedelta(days=1), once=True, ask_profile=True,
                    created_at=now)
    db.add(survey)
    db.flush()
    questions = evaluation.questions
    for position, kind in enumerate(KINDS):
        words: dict[str, Any] = {"label": f"Question {position + 1} de l’enquête ({kind})"}
        if kind in ("single", "multiple"):
            words["options"] = OPTIONS
        if kind == "scale":
            words["scale"] = SCALE
        db.add(SurveyItem(survey_id=survey.id, question_id=questions[position % len(questions)].id,
                          kind=kind, position=position, required=False,
                          texts={language: words for language in ("fr", "en", "ar")},
                          minimum=Decimal(0) if kind == "number" else None,
                          maximum=Decimal(1000) if kind == "number" else None))
    db.flush()
    db.refresh(survey, ["items"])
    return survey


def _answer(rng: random.Random, item: SurveyItem, rid: str, quartier: int | None
            ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One person's answer to one item: its rows, or the free text."""
    if rng.random() < 0.08:  # left blank
        return [], None
    if item.kind == "number":
        return [{"response_id": rid, "item_id": item.id, "rank": 0, "choice": None,
                 "number": Decimal(int(rng.lognormvariate(3, 0.8)) % 1000)}], None
    if item.kind == "text":
        if rng.random() < 0.7:
            return [], None
        return [], {"survey_id": item.survey_id, "item_id": item.id, "quartier_id": quartier,
                    "body": rng.choice(["Plus de bancs à l’ombre.", "Un bus le soir.",
                                        "Des stages près d’ici.", "Merci aux animateurs."]),
                    "moderation": rng.choice([State.PUBLISHED.value, State.PENDING.value]),
                    "moderation_reason": "", "created_at": clock.now().replace(
                        hour=0, minute=0, second=0, microsecond=0)}
    if item.kind == "multiple":
        choices = [j for j in range(len(OPTIONS)) if rng.random() < 0.35] or [rng.randrange(5)]
    elif item.kind == "scale":
        choices = [min(5, max(1, round(rng.gauss(3.4, 1.1))))]
    else:
        choices = [min(4, int(rng.expovariate(0.7)))]
    return [{"response_id": rid, "item_id": item.id, "rank": rank, "choice": choice,
             "number": None} for rank, choice in enumerate(choices)], None


def _answers(survey: Survey, people: int, seed: int = 2026) -> None:
    """``people`` responses with their answers and free texts, inserted in bulk."""
    db = session()
    rng = random.Random(seed)
    quartiers = [q.id for q in territory_queries.quartiers(db)]
    responses: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    for _ in range(people):
        rid = secrets.token_hex(16)
        quartier = rng.choice(quartiers) if rng.random() < 0.85 else None
        responses.append({"id": rid, "survey_id": survey.id, "channel": rng.choice(CHANNELS),
                          "quartier_id": quartier,
                          "gender": rng.choice(GENDERS[:2]) if rng.random() < 0.8 else (
                              "other" if rng.random() < 0.1 else None),
                          "age_bracket": rng.choice(AGE_BRACKETS) if rng.random() < 0.75
                          else None})
        for item in survey.items:
            rows, free = _answer(rng, item, rid, quartier)
            answers.extend(rows)
            if free is not None:
                texts.append(free)
    for model, rows in ((SurveyResponse, responses), (SurveyAnswer, answers),
                        (SurveyText, texts)):
        for start in range(0, len(rows), CHUNK):
            db.execute(insert(model), rows[start:start + CHUNK])
    db.flush()


def _seed(people: int, echo: Callable[[str], None]) -> int:
    from civic.demo import seed_large

    now = clock.now()
    seed_large(echo=False)
    session.commit()
    evaluation = _evaluation(now)
    survey = _survey(evaluation, now)
    started = time.perf_counter()
    _answers(survey, people)
    session.commit()
    echo(f"{people} responses to {len(KINDS)} items written in "
         f"{time.perf_counter() - started:.1f} s")
    return survey.id


def _pages(survey_id: int, evaluation_id: int) -> list[tuple[str, str, float | None]]:
    """(what, url, aim in ms or None)."""
    return [("results", f"/evaluation/enquetes/{survey_id}/resultats", RESULTS_AIM_MS),
            ("report", f"/evaluation/{evaluation_id}/rapport", REPORT_AIM_MS),
            ("report, API JSON", f"/api/v1/evaluations/{evaluation_id}/report", None),
            ("report, workbook (xlsx)", f"/evaluation/{evaluation_id}/rapport.xlsx", None),
            ("report, CSV", f"/evaluation/{evaluation_id}/rapport.csv", None)]


def _time(client: Any, url: str, runs: int, queries: dict[str, int]
          ) -> tuple[float, int, int]:
    """Median ms over ``runs`` (after one call that warms caches and builds the years'
    open-data releases), queries of the last run, bytes."""
    first = client.get(url)
    assert first.status_code == 200, (url, first.status_code)
    timings = []
    for _ in range(runs):
        queries["n"] = 0
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), queries["n"], len(first.data)


def _measure(name: str, url: str, runs: int, people: int
             ) -> list[tuple[str, str, float, int, int, float | None]]:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                      "MAIL_OUTBOX": tempfile.mkdtemp(), "LOG_LEVEL": "WARNING"})
    from alembic import command

    command.upgrade(alembic_config(url), "head")
    with app.app_context():
        started = time.perf_counter()
        survey_id = _seed(people, lambda line: print(f"[{name}] {line}", flush=True))
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))  # what autovacuum does soon after a bulk load
            session.commit()
        print(f"[{name}] seeded in {time.perf_counter() - started:.1f} s", flush=True)
        evaluation_id = session.get(Survey, survey_id).evaluation_id
    engine = app.extensions["civic.engine"]
    queries = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        queries["n"] += 1

    client = app.test_client()
    found = []
    for phase in ("running", "published"):
        if phase == "published":
            with app.app_context():
                survey = session.get(Survey, survey_id)
                results.publish_results(session(), survey, actor=None, now=clock.now())
                session.commit()
        for what, page, aim in _pages(survey_id, evaluation_id):
            ms, count, size = _time(client, page, runs, queries)
            found.append((f"{what}, {phase}", page, ms, count, size, aim))
    engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=PEOPLE)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    try:
        backends = [("SQLite", f"sqlite:///{workdir / 'large.db'}")]
        if not args.sqlite_only:
            _recreate_postgres(POSTGRES)
            backends.append(("PostgreSQL", POSTGRES))
        verdicts = []
        for name, url in backends:
            rows = _measure(name, url, args.runs, args.people)
            print(f"\n{name}, large demo contract, a survey of {len(KINDS)} items answered by "
                  f"{args.people} residents (median of {args.runs} runs)")
            print(f"{'page':<36}{'median ms':>10}{'aim':>7}{'queries':>9}{'KB':>9}")
            missed = []
            for what, _page, ms, count, size, aim in rows:
                shown = f"{aim:.0f}" if aim else "-"
                print(f"{what:<36}{ms:>10.1f}{shown:>7}{count:>9}{size / 1024:>9.1f}")
                if aim and ms > aim:
                    missed.append(f"{what} {ms:.0f} ms")
            worst_results = max(ms for what, _p, ms, _c, _s, aim in rows
                                if aim == RESULTS_AIM_MS)
            worst_report = max(ms for what, _p, ms, _c, _s, aim in rows
                               if aim == REPORT_AIM_MS)
            verdicts.append(
                f"{name}: results page at most {worst_results:.0f} ms (aim ≤ "
                f"{RESULTS_AIM_MS:.0f} ms), report at most {worst_report:.0f} ms (aim ≤ "
                f"{REPORT_AIM_MS:.0f} ms) — "
                + ("met" if not missed else "MISSED: " + ", ".join(missed)))
        print()
        for line in verdicts:
            print(line)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
