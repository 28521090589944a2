"""Paper forms of a survey: a pile is counted by hand, its forms are typed in one after
another and never beyond the count, recounted, and closed only when both numbers agree;
a code printed on a form is spent; the printable form matches what is typed in; only a
quartier's animators and the committee do it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.core.db import Base
from civic.evaluation import surveys
from civic.evaluation.models import PaperBatch, Survey, SurveyCode, SurveyParticipation
from tests import factories
from tests.evaluation.conftest import NOW
from tests.evaluation.survey_setup import full_answer, item_ids, make_survey


@pytest.fixture
def survey(db: Any, contract: Any) -> Any:
    return make_survey(db, contract, NOW)


def paper_url(survey: Any, quartier: Any) -> str:
    return f"/evaluation/enquetes/{survey.id}/papier/{quartier.code}"


def pile_url(survey: Any, quartier: Any, batch: Any) -> str:
    return f"{paper_url(survey, quartier)}/piles/{batch.id}"


def open_pile(db: Any, survey: Any, quartier: Any, counted: int, **values: Any) -> Any:
    return surveys.open_batch(db, survey, quartier, values.pop("label", "Permanence du 12 mars"),
                              counted, actor=None, now=NOW, **values)


def type_in(client: Any, survey: Any, quartier: Any, batch: Any, **answers: Any) -> Any:
    return client.post(pile_url(survey, quartier, batch),
                       data={"part": "form", **full_answer(survey), **answers})


def fresh(db: Any, batch: Any) -> PaperBatch:
    """The pile as the database has it now (requests wrote it in sessions of their own)."""
    return db.execute(select(PaperBatch).where(PaperBatch.id == batch.id)
                      .execution_options(populate_existing=True)).scalar_one()


def register(db: Any, survey: Any) -> list[SurveyParticipation]:
    return list(db.scalars(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id)))


def journal(db: Any, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


# --- A pile, counted then typed in ---------------------------------------------------------


def test_a_pile_is_counted_then_typed_in_one_form_after_another(
        login_as: Any, db: Any, people: dict, quartier: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    permanence = factories.make_permanence(db, quartier, people["animator"],
                                           place="Maison des Tilleuls")
    page = client.get(paper_url(survey, quartier))
    assert page.status_code == 200
    assert "Maison des Tilleuls" in page.get_data(as_text=True)  # a permanence to choose
    opened = client.post(paper_url(survey, quartier), data={
        "label": "Permanence du 12 mars", "counted": "2", "permanence_id": str(permanence.id)})
    assert opened.status_code == 302
    batch = db.scalars(select(PaperBatch)).one()
    assert (batch.counted, batch.entered, batch.permanence_id, batch.quartier_id) == (
        2, 0, permanence.id, quartier.id)
    assert opened.headers["Location"] == pile_url(survey, quartier, batch)
    [entry] = journal(db, "evaluation.paper_batch_opened")
    assert entry.details["counted"] == 2

    first = type_in(client, survey, quartier, batch)
    assert first.status_code == 302
    page = client.get(first.headers["Location"].split("#")[0]).get_data(as_text=True)
    assert "Questionnaire enregistré : 1 / 2 saisis." in page
    assert "1 / 2 saisis" in page
    assert 'value="douze"' not in page
    assert " checked" not in page  # an empty form for the next one
    assert type_in(client, survey, quartier, batch).status_code == 302
    assert fresh(db, batch).entered == 2
    assert surveys.answer_count(db, survey) == 2
    lines = register(db, survey)
    assert {(r.channel, r.quartier_id, r.permanence_id, r.user_id) for r in lines} == {
        ("paper", quartier.id, permanence.id, None)}
    assert len(lines) == 2


def test_the_pile_refuses_a_form_beyond_its_count(login_as: Any, db: Any, people: dict,
                                                  quartier: Any, survey: Any) -> None:
    batch = open_pile(db, survey, quartier, 1)
    client = login_as(people["animator"])
    assert type_in(client, survey, quartier, batch).status_code == 302
    refused = type_in(client, survey, quartier, batch)
    assert refused.status_code == 400
    assert ("Tous les questionnaires comptés dans cette pile sont déjà saisis."
            in refused.get_data(as_text=True))
    assert fresh(db, batch).entered == 1
    assert surveys.answer_count(db, survey) == 1
    assert len(register(db, survey)) == 1


def test_a_mistake_is_told_next_to_its_question_and_the_form_kept(
        login_as: Any, db: Any, people: dict, quartier: Any, survey: Any) -> None:
    batch = open_pile(db, survey, quartier, 3)
    ids = item_ids(survey)
    client = login_as(people["animator"])
    wrong = type_in(client, survey, quartier, batch, **{f"item-{ids['number']}": "150",
                                                        f"item-{ids['scale']}": ""})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert (f'<p class="error" id="item-{ids["number"]}-error">Ce nombre est trop grand.</p>'
            in body)
    assert (f'<p class="error" id="item-{ids["scale"]}-error">Cette question demande une '
            "réponse.</p>") in body
    assert 'value="150"' in body
    assert f'id="item-{ids["multiple"]}-2" name="item-{ids["multiple"]}" value="2" checked' in body
    assert fresh(db, batch).entered == 0


def test_a_form_with_no_answer_is_refused(login_as: Any, db: Any, people: dict,
                                          contract: Any, quartier: Any) -> None:
    optional = make_survey(db, contract, NOW)
    for item in optional.items:
        item.required = False
    db.flush()
    batch = open_pile(db, optional, quartier, 3)
    client = login_as(people["animator"])
    empty = client.post(pile_url(optional, quartier, batch), data={"part": "form"})
    assert empty.status_code == 400
    assert "Vous n’avez répondu à aucune question." in empty.get_data(as_text=True)
    assert fresh(db, batch).entered == 0


def test_recounting_below_the_forms_typed_in_is_refused(login_as: Any, db: Any,
                                                        people: dict, quartier: Any,
                                                        survey: Any) -> None:
    batch = open_pile(db, survey, quartier, 3)
    client = login_as(people["animator"])
    type_in(client, survey, quartier, batch)
    type_in(client, survey, quartier, batch)
    refused = client.post(pile_url(survey, quartier, batch),
                          data={"part": "recount", "recount-counted": "1"})
    assert refused.status_code == 400
    assert ('<p class="error" id="recount-counted-error">Plus de questionnaires sont déjà '
            "saisis que ce nombre.</p>") in refused.get_data(as_text=True)
    assert fresh(db, batch).counted == 3
    recounted = client.post(pile_url(survey, quartier, batch),
                            data={"part": "recount", "recount-counted": "2"})
    assert recounted.status_code == 302
    assert fresh(db, batch).counted == 2
    [entry] = journal(db, "evaluation.paper_batch_recounted")
    assert entry.details["counted"] == [3, 2]


def test_a_pile_closes_only_when_the_numbers_agree(login_as: Any, db: Any, people: dict,
                                                   quartier: Any, survey: Any) -> None:
    batch = open_pile(db, survey, quartier, 3)
    client = login_as(people["animator"])
    type_in(client, survey, quartier, batch)
    refused = client.post(pile_url(survey, quartier, batch), data={"part": "close"})
    assert refused.status_code == 400
    assert ("Il manque 2 questionnaires : 1 saisis sur 3 comptés. Saisissez-les, ou "
            "recomptez la pile.") in refused.get_data(as_text=True)
    assert fresh(db, batch).closed_at is None
    type_in(client, survey, quartier, batch)
    one_left = client.post(pile_url(survey, quartier, batch), data={"part": "close"})
    assert "Il manque 1 questionnaire : 2 saisis sur 3 comptés. Saisissez-le" in \
        one_left.get_data(as_text=True)
    type_in(client, survey, quartier, batch)
    closed = client.post(pile_url(survey, quartier, batch), data={"part": "close"})
    assert closed.status_code == 302
    assert fresh(db, batch).closed_at == NOW
    assert len(journal(db, "evaluation.paper_batch_closed")) == 1
    listing = client.get(closed.headers["Location"]).get_data(as_text=True)
    assert "La pile est close : 3 questionnaires comptés et saisis." in listing
    assert "close le" in listing
    # Closed: no form, no recount.
    assert type_in(client, survey, quartier, batch).status_code == 400
    assert client.post(pile_url(survey, quartier, batch), data={
        "part": "recount", "recount-counted": "5"}).status_code == 400
    assert (fresh(db, batch).entered, fresh(db, batch).counted) == (3, 3)


def test_the_list_of_piles_says_counted_typed_and_closed(app: Any, login_as: Any, db: Any,
                                                         people: dict, quartier: Any,
                                                         survey: Any) -> None:
    open_pile(db, survey, quartier, 40, label="Permanence du 12 mars")
    done = open_pile(db, survey, quartier, 1, label="Fête de quartier")
    with app.app_context():
        surveys.answer(db, survey, *surveys.parse(survey, full_answer(survey), []),
                       channel="paper", batch=done, today=NOW.date(), now=NOW)
        surveys.close_batch(db, done, actor=None, now=NOW)
    page = login_as(people["animator"]).get(paper_url(survey, quartier)).get_data(
        as_text=True)
    assert "<td>40</td><td>0</td>" in page
    assert "en cours de saisie" in page
    assert "<td>1</td><td>1</td>" in page
    assert "close le 14 mars 2026" in page


# --- Printed codes --------------------------------------------------------------------------


def test_a_code_printed_on_a_form_is_spent(app: Any, login_as: Any, db: Any, people: dict,
                                           quartier: Any, survey: Any) -> None:
    with app.app_context():
        [code, other] = surveys.print_codes(db, survey, 2, quartier=quartier, actor=None,
                                            now=NOW)
    batch = open_pile(db, survey, quartier, 3)
    client = login_as(people["animator"])
    page = client.get(pile_url(survey, quartier, batch)).get_data(as_text=True)
    assert 'name="code"' in page
    assert type_in(client, survey, quartier, batch, code=code.lower()).status_code == 302
    again = type_in(client, survey, quartier, batch, code=code)
    assert again.status_code == 400
    assert ('<p class="error" id="code-error">Ce code n’existe pas ou a déjà servi.</p>'
            in again.get_data(as_text=True))
    mistyped = type_in(client, survey, quartier, batch, code="ABCD-EFGH-JJ")
    assert "Ce code est mal tapé" in mistyped.get_data(as_text=True)
    assert fresh(db, batch).entered == 1
    spent = dict(db.execute(select(SurveyCode.digest, SurveyCode.spent).where(
        SurveyCode.survey_id == survey.id)).all())
    assert sorted(spent.values()) == [False, True]
    assert other  # the other code still unspent


def test_a_full_pile_spends_no_code(app: Any, login_as: Any, db: Any, people: dict,
                                    quartier: Any, survey: Any) -> None:
    with app.app_context():
        [code] = surveys.print_codes(db, survey, 1, quartier=quartier, actor=None, now=NOW)
    batch = open_pile(db, survey, quartier, 1)
    client = login_as(people["animator"])
    type_in(client, survey, quartier, batch)
    refused = type_in(client, survey, quartier, batch, code=code)
    assert refused.status_code == 400
    assert db.scalar(select(SurveyCode.spent).where(SurveyCode.survey_id == survey.id)) is False


def test_a_survey_open_to_all_has_no_code_field(login_as: Any, db: Any, people: dict,
                                                contract: Any, quartier: Any) -> None:
    open_to_all = make_survey(db, contract, NOW, once=False)
    batch = open_pile(db, open_to_all, quartier, 2)
    page = login_as(people["animator"]).get(pile_url(open_to_all, quartier, batch))
    assert 'name="code"' not in page.get_data(as_text=True)


# --- Until the results ------------------------------------------------------------------------


def test_paper_is_typed_in_after_the_close_until_the_results(
        login_as: Any, db: Any, people: dict, contract: Any, quartier: Any) -> None:
    closed = make_survey(db, contract, NOW, opens_at=NOW - timedelta(days=20),
                         closes_at=NOW - timedelta(days=2))
    batch = open_pile(db, closed, quartier, 2)
    client = login_as(people["animator"])
    assert type_in(client, closed, quartier, batch).status_code == 302
    db.execute(update(Survey).where(Survey.id == closed.id)
               .values(results_at=NOW - timedelta(hours=1)))
    page = client.get(pile_url(closed, quartier, batch)).get_data(as_text=True)
    assert "jusqu’à la publication de ses résultats" in page
    assert 'name="part" value="form"' not in page
    refused = type_in(client, closed, quartier, batch)
    assert refused.status_code == 400
    assert "jusqu’à la publication de ses résultats" in refused.get_data(as_text=True)
    assert client.post(paper_url(closed, quartier), data={
        "label": "Encore", "counted": "3"}).status_code == 400
    assert fresh(db, batch).entered == 1


# --- The printed form -----------------------------------------------------------------------


def test_the_printed_form_puts_french_and_arabic_side_by_side(
        login_as: Any, people: dict, quartier: Any, survey: Any) -> None:
    page = login_as(people["animator"]).get(
        f"{paper_url(survey, quartier)}/questionnaire?langue=ar")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Le quartier a-t-il changé en bien ?" in body
    assert "هل تغير الحي نحو الأفضل؟" in body
    assert '<span class="words" lang="ar" dir="rtl">5 — كثيرا جدا</span>' in body
    assert '<span class="words" lang="fr" dir="ltr">5 — Énormément</span>' in body
    assert body.count('<span class="box" aria-hidden="true"></span>') == (
        5 + 2 + 3 + 3 + 6 + 1)  # scale, single, multiple, genders, ages, the quartier
    assert "Votre code, si vous en avez reçu un" in body  # a survey answered once
    assert "css/survey_paper.css" in body
    assert "http" not in body.split("<body>")[0]  # nothing fetched from elsewhere


def test_the_printed_form_in_french_only(login_as: Any, people: dict, quartier: Any,
                                         survey: Any) -> None:
    body = login_as(people["animator"]).get(
        f"{paper_url(survey, quartier)}/questionnaire?langue=fr").get_data(as_text=True)
    assert 'lang="ar"' not in body.split("</ul>", 1)[1]
    assert "Le quartier a-t-il changé en bien ?" in body


@pytest.mark.parametrize("language", ["xx", "", "<script>", "ar" * 500])
def test_the_printed_form_takes_no_strange_language(login_as: Any, people: dict,
                                                    quartier: Any, survey: Any,
                                                    language: str) -> None:
    page = login_as(people["animator"]).get(
        f"{paper_url(survey, quartier)}/questionnaire", query_string={"langue": language})
    assert page.status_code == 200
    assert "<script>" not in page.get_data(as_text=True).replace(
        '<script src="/static/js/print.js', "")


# --- Hostile input ------------------------------------------------------------------------------

HOSTILE = ["A" * 100_000, "nul\x00byte\x1b[31m", "<script>alert('civic')</script>",
           "\"><img src=x onerror=alert(1)>", "' OR 1=1; --", "-1",
           "99999999999999999999999999", "١٢٣", "🙂\u202eevil", ""]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_breaks_the_paper_pages(login_as: Any, db: Any, people: dict,
                                                    quartier: Any, survey: Any,
                                                    value: str) -> None:
    batch = open_pile(db, survey, quartier, 2)
    client = login_as(people["animator"])
    ids = item_ids(survey)
    answers = [
        client.post(paper_url(survey, quartier), data={
            "label": value, "counted": value, "permanence_id": value}),
        client.post(pile_url(survey, quartier, batch), data={
            "part": "form", **{f"item-{i}": value for i in ids.values()}, "gender": value,
            "age_bracket": value, "quartier_id": value, "code": value}),
        client.post(pile_url(survey, quartier, batch), data={
            "part": "recount", "recount-counted": value}),
        client.post(pile_url(survey, quartier, batch), data={"part": value}),
    ]
    for answer in answers:
        assert answer.status_code < 500
        body = answer.get_data(as_text=True)
        assert "<script>alert" not in body
        assert "<img src=x" not in body
    assert fresh(db, batch).entered == 0
    assert fresh(db, batch).counted in (2, 123)  # ١٢٣ is 123 in Arabic digits


# --- Who ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "allowed"), [
    ("animator", True), ("pilot", True), ("evaluator", True), ("moderator", False),
    ("resident", False), ("signatory", False), ("other_animator", False)])
def test_a_quartiers_animators_and_the_committee_type_its_paper_in(
        login_as: Any, db: Any, people: dict, quartier: Any, other_quartier: Any,
        survey: Any, who: str, allowed: bool) -> None:
    extra = {"evaluator": factories.make_user(db, roles=[(Role.EVALUATOR, None)]),
             "other_animator": factories.make_user(db, roles=[(Role.ANIMATOR,
                                                                other_quartier)])}
    batch = open_pile(db, survey, quartier, 2)
    client = login_as({**people, **extra}[who])
    pages = [client.get(paper_url(survey, quartier)),
             client.get(pile_url(survey, quartier, batch)),
             client.get(f"{paper_url(survey, quartier)}/questionnaire"),
             type_in(client, survey, quartier, batch)]
    assert [p.status_code for p in pages] == ([200, 200, 200, 302] if allowed else [403] * 4)
    assert fresh(db, batch).entered == (1 if allowed else 0)


def test_an_anonymous_visitor_is_asked_to_log_in(client: Any, db: Any, quartier: Any,
                                                 survey: Any) -> None:
    batch = open_pile(db, survey, quartier, 2)
    for page in (client.get(paper_url(survey, quartier)),
                 type_in(client, survey, quartier, batch),
                 client.get(f"/evaluation/enquetes/{survey.id}/papier")):
        assert page.status_code == 302
        assert "/connexion" in page.headers["Location"]
    assert fresh(db, batch).entered == 0


def test_each_person_sees_the_quartiers_they_may_type_for(login_as: Any, db: Any,
                                                          people: dict, quartier: Any,
                                                          other_quartier: Any,
                                                          survey: Any) -> None:
    mine = login_as(people["animator"]).get(f"/evaluation/enquetes/{survey.id}/papier")
    assert paper_url(survey, quartier) in mine.get_data(as_text=True)
    assert paper_url(survey, other_quartier) not in mine.get_data(as_text=True)
    every = login_as(people["pilot"]).get(f"/evaluation/enquetes/{survey.id}/papier")
    assert paper_url(survey, other_quartier) in every.get_data(as_text=True)
    assert login_as(people["resident"]).get(
        f"/evaluation/enquetes/{survey.id}/papier").status_code == 403


def test_a_pile_of_another_quartier_is_not_found(login_as: Any, db: Any, people: dict,
                                                 quartier: Any, other_quartier: Any,
                                                 survey: Any) -> None:
    theirs = open_pile(db, survey, other_quartier, 2)
    client = login_as(people["animator"])
    assert client.get(pile_url(survey, quartier, theirs)).status_code == 404
    assert type_in(client, survey, quartier, theirs).status_code == 404
    assert fresh(db, theirs).entered == 0


# --- Two people typing into one pile at once (PostgreSQL) ---------------------------------------


@pytest.fixture
def engine(app: Any) -> Any:
    engine = app.extensions["civic.engine"]
    if engine.dialect.name != "postgresql":
        pytest.skip("two writers truly at once need PostgreSQL (SQLite queues them)")
    yield engine
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


def at_once(app: Any, engine: Any, acts: list[Callable[[Session], str]]) -> list[str]:
    """Each act in its own connection, all released at the same instant."""
    barrier = threading.Barrier(len(acts))
    outcomes: list[str] = []

    def run(act: Callable[[Session], str]) -> None:
        with app.app_context(), Session(engine) as session:
            barrier.wait(timeout=30)
            try:
                outcomes.append(act(session))
                session.commit()
            except surveys.SurveyError as error:
                session.rollback()
                outcomes.append(error.code)
            except Exception as error:  # reported by the assertion, not lost
                session.rollback()
                outcomes.append(repr(error))

    threads = [threading.Thread(target=run, args=(act,)) for act in acts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_people_typing_into_one_pile_never_pass_its_count(app: Any, engine: Any) -> None:
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        survey = make_survey(setup, contract, NOW)
        batch = surveys.open_batch(setup, survey, quartier, "Pile", 2, actor=None, now=NOW)
        ids = survey.id, batch.id
        setup.commit()

    def type_one(session: Session) -> str:
        found = session.get(Survey, ids[0])
        assert found is not None
        parsed, profile = surveys.parse(found, full_answer(found), [])
        surveys.answer(session, found, parsed, profile, channel="paper",
                       batch=session.get(PaperBatch, ids[1]), today=NOW.date(), now=NOW)
        return "typed"

    outcomes = at_once(app, engine, [type_one] * 5)
    assert sorted(outcomes) == ["batch_full"] * 3 + ["typed"] * 2
    with Session(engine) as check:
        assert check.get(PaperBatch, ids[1]).entered == 2  # type: ignore[union-attr]
        assert check.scalar(select(func.count()).select_from(SurveyParticipation)) == 2


def test_a_recount_while_a_form_is_being_saved_never_falls_below_it(
        app: Any, engine: Any) -> None:
    """A form of a pile of 5 (3 typed) is being saved when someone recounts the pile
    as 3: whichever way round, the pile never holds more typed than counted."""
    with app.app_context(), Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        survey = make_survey(setup, contract, NOW)
        batch = surveys.open_batch(setup, survey, quartier, "Pile", 5, actor=None, now=NOW)
        for _ in range(3):
            surveys.answer(setup, survey, *surveys.parse(survey, full_answer(survey), []),
                           channel="paper", batch=batch, today=NOW.date(), now=NOW)
        ids = survey.id, batch.id
        setup.commit()
    saved, go = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def type_one() -> None:
        with app.app_context(), Session(engine) as session:
            try:
                found = session.get(Survey, ids[0])
                assert found is not None
                surveys.answer(session, found, *surveys.parse(found, full_answer(found), []),
                               channel="paper", batch=session.get(PaperBatch, ids[1]),
                               today=NOW.date(), now=NOW)
                saved.set()
                go.wait(timeout=30)  # saved, not committed yet
                session.commit()
                outcomes["type"] = "typed"
            except Exception as error:  # reported by the assertion, not lost
                outcomes["type"] = repr(error)
                saved.set()

    def recount() -> None:
        with app.app_context(), Session(engine) as session:
            try:
                found = session.get(PaperBatch, ids[1])
                assert found is not None
                surveys.recount(session, found, 3, actor=None, now=NOW)
                session.commit()
                outcomes["recount"] = "recounted"
            except surveys.SurveyError as error:
                outcomes["recount"] = error.code
            except Exception as error:  # reported by the assertion, not lost
                outcomes["recount"] = repr(error)

    typing = threading.Thread(target=type_one)
    typing.start()
    assert saved.wait(timeout=30)
    counting = threading.Thread(target=recount)
    counting.start()
    counting.join(timeout=2)  # it waits for the form being saved
    go.set()
    typing.join(timeout=30)
    counting.join(timeout=30)
    assert outcomes == {"type": "typed", "recount": "count_below_entered"}
    with Session(engine) as check:
        pile = check.get(PaperBatch, ids[1])
        assert pile is not None
        assert (pile.entered, pile.counted) == (4, 5)
