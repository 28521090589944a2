"""The pages of the surveys: who builds them (the evaluation committee), who prints codes
(a quartier's animators, pilots), who answers (anyone while it is open, once per account
or code when it says so), and every form's hostile input answered next to its field
with what was typed kept, never with a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.evaluation import surveys
from civic.evaluation.models import (
    Evaluation,
    Survey,
    SurveyCode,
    SurveyItem,
    SurveyParticipation,
    SurveyText,
)
from civic.moderation.models import State
from tests import factories
from tests.evaluation.conftest import NOW
from tests.evaluation.test_surveys import (
    OPTIONS,
    WORDS,
    add,
    make_evaluation,
    make_survey,
)

CODE = re.compile(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})</strong>")


def page(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def error_of(html: str, name: str) -> str:
    """The message shown next to field ``name`` (its ``<p id="…-error">``)."""
    found = re.search(rf'<p class="error" id="{re.escape(name)}-error">([^<]*)</p>', html)
    return found[1] if found else ""


@pytest.fixture
def evaluation(db: Any, contract: Any) -> Evaluation:
    return make_evaluation(db, contract)


@pytest.fixture
def survey(db: Any, evaluation: Evaluation) -> Survey:
    return make_survey(db, evaluation)


@pytest.fixture
def items(db: Any, survey: Survey) -> dict[str, SurveyItem]:
    return {"single": add(db, survey, "single", label="Comment venez-vous ?"),
            "multiple": add(db, survey, "multiple", label="Quels transports prenez-vous ?"),
            "scale": add(db, survey, "scale", label="Le quartier est-il agréable ?"),
            "number": add(db, survey, "number", label="Combien de minutes de trajet ?",
                          minimum=Decimal(0), maximum=Decimal(120)),
            "text": add(db, survey, "text", label="Qu’est-ce qui a changé ?")}


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Émile", roles=[(Role.EVALUATOR, None)])


def committee_urls(survey: Survey, item: SurveyItem) -> list[str]:
    return [f"/evaluation/{survey.evaluation_id}/enquetes",
            f"/evaluation/{survey.evaluation_id}/enquetes/nouvelle",
            f"/evaluation/enquetes/{survey.id}", f"/evaluation/enquetes/{survey.id}/modifier",
            f"/evaluation/enquetes/{survey.id}/apercu/ar",
            f"/evaluation/enquetes/{survey.id}/questions/nouvelle",
            f"/evaluation/enquetes/{survey.id}/questions/nouvelle?kind=scale",
            f"/evaluation/enquetes/questions/{item.id}",
            f"/evaluation/enquetes/{survey.id}/textes"]


# --- Who may do what -------------------------------------------------------------------------


def test_the_committee_s_pages_are_the_committee_s(
        client: Any, login_as: Any, people: dict, evaluator: Any, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    urls = committee_urls(survey, items["single"])
    for url in urls:
        refused = client.get(url)
        assert refused.status_code == 302, url
        assert refused.headers["Location"].startswith("/connexion")
    for role in ("resident", "moderator", "animator", "signatory"):
        visitor = login_as(people[role])
        for url in urls:
            assert visitor.get(url).status_code == 403, (role, url)
        item = items["single"].id
        assert visitor.post(f"/evaluation/enquetes/questions/{item}/deplacer",
                            data={"step": "1"}).status_code == 403
        assert visitor.post(f"/evaluation/enquetes/questions/{item}/retirer",
                            data={"remove-confirm": "y"}).status_code == 403
        assert visitor.post(f"/evaluation/{survey.evaluation_id}/enquetes/nouvelle",
                            data={}).status_code == 403
    for member in (people["pilot"], evaluator):
        visitor = login_as(member)
        for url in urls:
            assert visitor.get(url).status_code == 200, url
    assert login_as(evaluator).get("/evaluation/enquetes/999999").status_code == 404
    assert login_as(evaluator).get(f"/evaluation/enquetes/{survey.id}/apercu/de"
                                   ).status_code == 404


def test_a_survey_of_another_contract_is_not_found(
        db: Any, client: Any, login_as: Any, people: dict, survey: Survey) -> None:
    """The site serves its first contract; another's surveys lead nowhere."""
    elsewhere = make_survey(db, make_evaluation(db, factories.make_contract(db, name="Ailleurs")))
    add(db, elsewhere, "text")
    pilot = login_as(people["pilot"])
    assert pilot.get(f"/evaluation/enquetes/{survey.id}").status_code == 200
    for url in (f"/evaluation/enquetes/{elsewhere.id}", f"/enquetes/{elsewhere.id}",
                f"/evaluation/{elsewhere.evaluation_id}/enquetes",
                f"/evaluation/{elsewhere.evaluation_id}/enquetes/nouvelle",
                f"/evaluation/enquetes/questions/{elsewhere.items[0].id}",
                f"/evaluation/enquetes/{elsewhere.id}/codes"):
        assert pilot.get(url).status_code == 404, url


# --- Building a survey -----------------------------------------------------------------------


SURVEY_FORM = {"title_fr": "Vivre au quartier", "title_en": "Living here",
               "title_ar": "العيش في الحي", "intro_fr": "Dix minutes.", "intro_en": "",
               "intro_ar": "", "opens_at": "2026-03-15T10:00", "closes_at": "2026-04-15T18:30",
               "once": "once", "ask_profile": "y"}


def test_a_committee_member_creates_a_survey_in_three_languages(
        db: Any, login_as: Any, evaluator: Any, evaluation: Evaluation) -> None:
    client = login_as(evaluator)
    url = f"/evaluation/{evaluation.id}/enquetes/nouvelle"
    blank = page(client.get(url))
    assert re.search(r'<input[^>]*dir="rtl"[^>]*id="title_ar"[^>]*lang="ar"', blank)
    assert re.search(r'<textarea[^>]*dir="rtl"[^>]*id="intro_ar"[^>]*lang="ar"', blank)
    wrong = client.post(url, data={**SURVEY_FORM, "title_en": "", "title_ar": "ب" * 161,
                                   "intro_fr": "Dix minutes.\x00", "closes_at": "demain"})
    assert wrong.status_code == 400
    html = page(wrong)
    assert error_of(html, "title_en") == "Ce champ est obligatoire."
    assert error_of(html, "title_ar") == "160 caractères au plus."
    assert error_of(html, "intro_fr").startswith("Ce texte contient des caractères invisibles")
    assert error_of(html, "closes_at") != ""
    assert 'value="Vivre au quartier"' in html
    assert 'value="2026-03-15T10:00"' in html
    backwards = client.post(url, data={**SURVEY_FORM, "closes_at": "2026-03-01T10:00"})
    assert backwards.status_code == 400
    assert error_of(page(backwards), "closes_at") == "La clôture doit venir après l’ouverture."
    assert db.scalar(select(func.count()).select_from(Survey)) == 0
    made = client.post(url, data={**SURVEY_FORM, "title_fr": "<b>Vivre</b> au quartier",
                                  "once": "open", "ask_profile": ""})
    assert made.status_code == 302
    survey = db.scalars(select(Survey)).one()
    assert made.headers["Location"] == f"/evaluation/enquetes/{survey.id}"
    # Typed in Paris time: 10:00 in March is 09:00 UTC.
    assert survey.opens_at == datetime(2026, 3, 15, 9, 0, tzinfo=UTC)
    assert (survey.once, survey.ask_profile) == (False, False)
    assert survey.text("ar", "title") == "العيش في الحي"
    editor = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;Vivre&lt;/b&gt; au quartier" in editor
    assert "<b>Vivre</b>" not in editor
    assert db.scalar(select(AuditEntry.actor_id).where(
        AuditEntry.action == "evaluation.survey_created")) == evaluator.id


@pytest.mark.parametrize("hostile", [
    {"once": "twice"}, {"opens_at": "2026-13-45T99:99"}, {"opens_at": "x" * 5000},
    {"title_fr": "x" * 100_000}, {"title_en": "Living\nhere"}, {"once": ""},
])
def test_a_hostile_survey_form_is_refused_and_nothing_is_created(
        db: Any, login_as: Any, people: dict, evaluation: Evaluation, hostile: dict) -> None:
    answer = login_as(people["pilot"]).post(f"/evaluation/{evaluation.id}/enquetes/nouvelle",
                                            data={**SURVEY_FORM, **hostile})
    assert answer.status_code == 400
    assert db.scalar(select(func.count()).select_from(Survey)) == 0


def test_the_rule_of_a_survey_cannot_change_once_answered(
        db: Any, login_as: Any, people: dict, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    client = login_as(people["pilot"])
    assert login_as(people["resident"]).post(f"/enquetes/{survey.id}", data={
        f"item-{items['scale'].id}": "4"}).status_code == 302
    client = login_as(people["pilot"])
    url = f"/evaluation/enquetes/{survey.id}/modifier"
    form = page(client.get(url))
    assert 'value="Vivre au quartier"' in form
    assert re.search(r'<input[^>]*checked[^>]*value="once"', form)
    refused = client.post(url, data={**SURVEY_FORM, "once": "open"})
    assert refused.status_code == 400
    assert error_of(page(refused), "once").startswith("Des personnes ont déjà répondu")
    renamed = client.post(url, data={**SURVEY_FORM, "title_fr": "Vivre ici"})
    assert renamed.status_code == 302
    assert db.get(Survey, survey.id).text("fr", "title") == "Vivre ici"


# --- Items ------------------------------------------------------------------------------------


def _item_form(kind: str, **changes: str) -> dict[str, str]:
    form = {"label_fr": "Comment venez-vous ?", "label_en": "How do you come?",
            "label_ar": "كيف تأتي؟"}
    for language in ("fr", "en", "ar"):
        if kind in ("single", "multiple"):
            form[f"options_{language}"] = "\n".join(OPTIONS[language])
        if kind == "scale":
            for n, word in enumerate(WORDS[language], 1):
                form[f"scale_{language}_{n}"] = word
    return {**form, **changes}


def test_the_kind_is_chosen_first_without_any_script(
        login_as: Any, people: dict, survey: Survey) -> None:
    client = login_as(people["pilot"])
    first = page(client.get(f"/evaluation/enquetes/{survey.id}/questions/nouvelle"))
    assert '<form method="get"' in first
    assert len(re.findall(r'<input type="radio" name="kind"', first)) == 5
    assert "<script" not in first.split("<main")[1]
    unknown = client.get(f"/evaluation/enquetes/{survey.id}/questions/nouvelle?kind=ranking")
    assert unknown.status_code == 400
    assert error_of(page(unknown), "kind") == "Choisissez dans la liste."
    scale = page(client.get(f"/evaluation/enquetes/{survey.id}/questions/nouvelle?kind=scale"))
    assert len(re.findall(r'name="scale_ar_\d"', scale)) == 5
    assert 'name="options_fr"' not in scale
    assert 'name="minimum"' not in scale


def test_a_choice_item_is_added_with_every_error_at_once_and_values_kept(
        db: Any, login_as: Any, people: dict, survey: Survey) -> None:
    question = survey.evaluation.questions[0].id  # read before a request ends the session
    client = login_as(people["pilot"])
    url = f"/evaluation/enquetes/{survey.id}/questions/nouvelle?kind=single"
    wrong = client.post(url, data=_item_form("single", question_id=str(question),
                                             label_ar="", options_en=""))
    assert wrong.status_code == 400
    html = page(wrong)
    assert error_of(html, "label_ar") == "Ce champ est obligatoire."
    assert error_of(html, "options_en") == "Ce champ est obligatoire."
    assert "Le bus\nLe tram\nÀ pied</textarea>" in html
    assert re.search(rf'<option selected value="{question}">', html)
    for changes, field, message in [
            ({"options_ar": "أ\nب"}, "options_en",
             "Il faut le même nombre de choix dans chaque langue."),
            ({"options_fr": "Bus\nbus\nTram"}, "options_fr", "Le même choix est écrit deux fois."),
            ({"options_en": "Bus"}, "options_en", "Donnez au moins deux choix, un par ligne."),
            ({"question_id": "999999"}, "question_id",
             "Choisissez une question de cette évaluation."),
            ({"question_id": "1 OR 1=1"}, "question_id",
             "Choisissez une question de cette évaluation."),
            ({"question_id": "99999999999999999999"}, "question_id",
             "Choisissez une question de cette évaluation."),
            ({"label_fr": "x" * 50_000}, "label_fr", "300 caractères au plus.")]:
        refused = client.post(url, data=_item_form("single", **{
            "question_id": str(question), **changes}))
        assert refused.status_code == 400, changes
        assert error_of(page(refused), field) == message, changes
    assert db.scalar(select(func.count()).select_from(SurveyItem)) == 0
    added = client.post(url, data=_item_form("single", question_id=str(question),
                                             label_fr="<i>Comment</i> venez-vous ?",
                                             required="y"))
    assert added.status_code == 302
    item = db.scalars(select(SurveyItem)).one()
    assert added.headers["Location"] == f"/evaluation/enquetes/{survey.id}#item-{item.id}"
    assert (item.kind, item.required, item.words("ar")["options"]) == (
        "single", True, OPTIONS["ar"])


def test_a_scale_and_a_number_item_ask_for_their_own_fields(
        db: Any, login_as: Any, people: dict, survey: Survey) -> None:
    question = str(survey.evaluation.questions[1].id)
    client = login_as(people["pilot"])
    base = f"/evaluation/enquetes/{survey.id}/questions/nouvelle"
    missing = client.post(f"{base}?kind=scale", data=_item_form(
        "scale", question_id=question, scale_en_3="", scale_ar_5="", scale_fr_1="m" * 41))
    assert missing.status_code == 400
    html = page(missing)
    assert error_of(html, "scale_en_3") == "Ce champ est obligatoire."
    assert error_of(html, "scale_ar_5") == "Ce champ est obligatoire."
    assert error_of(html, "scale_fr_1") == "40 caractères au plus."
    assert 'value="Beaucoup"' in html
    assert client.post(f"{base}?kind=scale", data=_item_form(
        "scale", question_id=question)).status_code == 302
    for changes, field, message in [
            ({"minimum": "dix"}, "minimum", "Écrivez un nombre, par exemple 120 ou 12,5."),
            ({"maximum": "1e999"}, "maximum", "Écrivez un nombre, par exemple 120 ou 12,5."),
            ({"minimum": "10", "maximum": "-10"}, "maximum",
             "Le maximum doit être plus grand que le minimum."),
            ({"maximum": "9" * 13}, "maximum", "Écrivez un nombre, par exemple 120 ou 12,5.")]:
        refused = client.post(f"{base}?kind=number", data=_item_form(
            "number", question_id=question, **changes))
        assert refused.status_code == 400, changes
        assert error_of(page(refused), field) == message, changes
    assert client.post(f"{base}?kind=number", data=_item_form(
        "number", question_id=question, minimum="0", maximum="120,5")).status_code == 302
    number = db.scalars(select(SurveyItem).where(SurveyItem.kind == "number")).one()
    assert (number.minimum, number.maximum) == (Decimal(0), Decimal("120.5"))


def test_items_are_edited_moved_and_removed_until_the_first_answer(
        db: Any, login_as: Any, people: dict, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    single, multiple = items["single"], items["multiple"]
    question = str(single.question_id)
    client = login_as(people["pilot"])
    edit = f"/evaluation/enquetes/questions/{single.id}"
    form = page(client.get(edit))
    assert "Le bus\nLe tram\nÀ pied</textarea>" in form
    assert client.post(edit, data=_item_form(
        "single", question_id=question, label_en="How do you get here?")).status_code == 302
    assert db.get(SurveyItem, single.id).words("en")["label"] == "How do you get here?"
    assert client.post(f"{edit}/deplacer", data={"step": "1"}).status_code == 302
    assert [i.id for i in db.get(Survey, survey.id).items][:2] == [multiple.id, single.id]
    moved = db.scalars(select(AuditEntry).where(
        AuditEntry.action == "evaluation.survey_item_moved")).one()
    assert moved.details["position"] == [1, 2]
    assert client.post(f"{edit}/deplacer", data={"step": "7"}).status_code == 400
    unconfirmed = client.post(f"{edit}/retirer", data={})
    assert unconfirmed.status_code == 400
    assert error_of(page(unconfirmed), "remove-confirm") == "Cochez la case pour confirmer."
    assert client.post(f"{edit}/retirer", data={"remove-confirm": "y"}).status_code == 302
    assert db.get(SurveyItem, single.id) is None
    # Once someone answered, the questions stay; the words can still be corrected.
    assert login_as(people["resident"]).post(f"/enquetes/{survey.id}", data={
        f"item-{items['scale'].id}": "2"}).status_code == 302
    client = login_as(people["pilot"])
    editor = page(client.get(f"/evaluation/enquetes/{survey.id}"))
    assert "Des personnes ont déjà répondu" in editor
    assert "/questions/nouvelle" not in editor
    frozen = client.post(f"/evaluation/enquetes/questions/{multiple.id}/retirer",
                         data={"remove-confirm": "y"})
    assert frozen.status_code == 400
    assert "on peut corriger les mots, mais pas changer les questions" in page(frozen)
    assert db.get(SurveyItem, multiple.id) is not None


def test_the_preview_shows_each_language_in_its_direction(
        login_as: Any, people: dict, survey: Survey, items: dict[str, SurveyItem]) -> None:
    client = login_as(people["pilot"])
    arabic = page(client.get(f"/evaluation/enquetes/{survey.id}/apercu/ar"))
    assert '<h2 lang="ar" dir="rtl">العيش في الحي</h2>' in arabic
    assert '<bdi lang="ar" dir="rtl">الحافلة</bdi>' in arabic
    assert "<html lang=\"fr\" dir=\"ltr\">" in arabic  # the page stays the committee's
    english = page(client.get(f"/evaluation/enquetes/{survey.id}/apercu/en"))
    assert '<bdi lang="en" dir="ltr">How do you come?</bdi>' in english
    assert "<form" not in english.split("<main")[1].split("</main>")[0].split(
        "survey-preview")[1]


def test_the_committee_s_page_gives_the_poster_s_link_and_qr_code(
        db: Any, login_as: Any, people: dict, survey: Survey, items: dict[str, SurveyItem],
        count_queries: Any) -> None:
    client = login_as(people["pilot"])
    with count_queries() as counted:
        editor = page(client.get(f"/evaluation/enquetes/{survey.id}"))
    assert f"<code>http://localhost/e/{survey.id}</code>" in editor
    assert '<div class="survey-qr" aria-hidden="true"><svg' in editor
    assert [m for m in re.findall(r'id="item-(\d+)"', editor)] == [
        str(i.id) for i in survey.items]
    few = counted.n
    for n in range(6):
        add(db, db.get(Survey, survey.id), "text", label=f"Encore {n}")
    with count_queries() as counted:
        client.get(f"/evaluation/enquetes/{survey.id}")
    assert counted.n == few


# --- Answering -------------------------------------------------------------------------------


def test_a_resident_answers_with_mistakes_told_next_to_each_item_and_kept(
        db: Any, login_as: Any, people: dict, quartier: Any, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    resident = people["resident"]
    resident.gender, resident.age_bracket, resident.quartier_id = "woman", "25_39", quartier.id
    db.flush()
    client = login_as(resident)
    url = f"/enquetes/{survey.id}"
    blank = page(client.get(url))
    assert blank.count('<fieldset class="field survey-item"') == 5
    assert "<legend id=\"item-{}-legend\"><bdi>Comment venez-vous ?</bdi></legend>".format(
        items["single"].id) in blank
    assert re.search(r'<option selected value="woman">', blank)
    assert re.search(rf'<option selected value="{quartier.id}">', blank)
    assert "Pour savoir si nous entendons toutes les parties du quartier" in blank
    assert 'name="code"' not in blank  # an account answers: no code asked
    hostile = {f"item-{items['single'].id}": "7",
               f"item-{items['multiple'].id}": ["0", "0"],
               f"item-{items['scale'].id}": "4",
               f"item-{items['number'].id}": "-99999999999999999999",
               f"item-{items['text'].id}": "<script>alert(1)</script>" * 100,
               "item-999999": "1", "gender": "robot", "age_bracket": "25_39",
               "quartier_id": "' OR 1=1 --"}
    wrong = client.post(url, data=hostile)
    assert wrong.status_code == 400
    assert wrong.headers["Cache-Control"] == "no-store"  # going back shows no answer
    html = wrong.get_data(as_text=True)
    assert error_of(html, f"item-{items['single'].id}") == "Choisissez dans la liste."
    assert error_of(html, f"item-{items['multiple'].id}") == "Choisissez dans la liste."
    assert error_of(html, f"item-{items['number'].id}") == \
        "Écrivez un nombre, par exemple 3 ou 12,5."
    assert error_of(html, f"item-{items['text'].id}") == "Ce texte est trop long."
    assert error_of(html, "gender") == "Choisissez dans la liste."
    assert error_of(html, "quartier_id") == "Choisissez dans la liste."
    assert error_of(html, f"item-{items['scale'].id}") == ""
    assert re.search(rf'id="item-{items["scale"].id}-4" value="4" checked', html)
    assert 'value="-99999999999999999999"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert re.search(r'<option selected value="25_39">', html)
    assert surveys.answer_count(db, survey) == 0
    big = client.post(url, data={f"item-{items['number'].id}": "121"})
    assert error_of(page(big), f"item-{items['number'].id}") == "Ce nombre est trop grand."
    assert "Un nombre entre 0 et 120." in page(big)
    nothing = client.post(url, data={"gender": "woman"})
    assert nothing.status_code == 400
    assert "Vous n’avez répondu à aucune question." in page(nothing)
    done = client.post(url, data={f"item-{items['single'].id}": "2",
                                  f"item-{items['multiple'].id}": ["0", "2"],
                                  f"item-{items['number'].id}": "12,5",
                                  f"item-{items['text'].id}": "Le bus passe enfin.",
                                  "gender": "woman", "quartier_id": str(quartier.id)})
    assert done.status_code == 302
    assert done.headers["Location"] == f"/enquetes/{survey.id}/merci"
    thanks = page(client.get(done.headers["Location"]))
    assert "Merci pour vos réponses !" in thanks
    assert "sera relu avant d’être cité" in thanks
    assert f'href="/evaluation/enquetes/{survey.id}/resultats"' in thanks
    [line] = db.scalars(select(SurveyParticipation)).all()
    assert (line.user_id, line.channel, line.quartier_id) == (resident.id, "online",
                                                              quartier.id)
    again = client.get(url)
    assert "Vous avez déjà répondu à cette enquête. Merci !" in page(again)
    twice = client.post(url, data={f"item-{items['single'].id}": "0"})
    assert "Vous avez déjà répondu à cette enquête. Merci !" in page(twice)
    assert surveys.answer_count(db, survey) == 1


def test_the_answer_page_speaks_arabic_right_to_left(
        db: Any, client: Any, survey: Survey, items: dict[str, SurveyItem],
        count_queries: Any) -> None:
    client.post("/langue", data={"lang": "ar", "next": "/"})
    with count_queries() as counted:
        arabic = page(client.get(f"/enquetes/{survey.id}"))
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "<h1><bdi>العيش في الحي</bdi></h1>" in arabic
    assert "<bdi>متوسط</bdi>" in arabic
    assert "Moyennement" not in arabic
    few = counted.n
    for n in range(5):
        add(db, db.get(Survey, survey.id), "single", label=f"Encore {n}")
    with count_queries() as counted:
        client.get(f"/enquetes/{survey.id}")
    assert counted.n == few


def test_without_an_account_a_once_survey_takes_a_printed_code(
        db: Any, client: Any, people: dict, quartier: Any, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    [code] = surveys.print_codes(db, survey, 1, quartier=quartier, actor=people["pilot"],
                                 now=NOW)
    url = f"/enquetes/{survey.id}"
    form = page(client.get(url))
    assert 'name="code"' in form
    assert f'href="/connexion?next=/enquetes/{survey.id}"' in form
    answer = {f"item-{items['scale'].id}": "5"}
    without = client.post(url, data=answer)
    assert without.status_code == 400
    assert error_of(page(without), "code") == \
        "Pour répondre, connectez-vous ou tapez le code reçu sur papier."
    assert re.search(rf'id="item-{items["scale"].id}-5" value="5" checked', page(without))
    typo = client.post(url, data={**answer, "code": code[:-1] + ("A" if code[-1] != "A"
                                                                  else "B")})
    assert error_of(page(typo), "code") == "Ce code est mal tapé : vérifiez chaque caractère."
    huge = client.post(url, data={**answer, "code": "A" * 5000})
    assert huge.status_code == 400
    assert client.post(f"{url}?via=affiche", data={**answer, "code": code.lower()}
                       ).status_code == 302
    [line] = db.scalars(select(SurveyParticipation)).all()
    assert (line.user_id, line.channel) == (None, "poster")
    used = client.post(url, data={**answer, "code": code})
    assert error_of(page(used), "code") == "Ce code n’existe pas ou a déjà servi."
    assert db.scalar(select(SurveyCode.spent)) is True


def test_a_poster_s_short_address_leads_to_the_survey_counted_apart(
        db: Any, client: Any, evaluation: Evaluation) -> None:
    open_survey = make_survey(db, evaluation, once=False, title="Ouverte")
    item = add(db, open_survey, "text")
    short = client.get(f"/e/{open_survey.id}")
    assert short.status_code == 302
    assert short.headers["Location"] == f"/enquetes/{open_survey.id}?via=affiche"
    form = page(client.get(short.headers["Location"]))
    assert f'action="/enquetes/{open_survey.id}?via=affiche"' in form
    assert 'name="code"' not in form  # open to anyone: no code
    for _ in range(2):
        assert client.post(f"/enquetes/{open_survey.id}?via=affiche",
                           data={f"item-{item.id}": "Plus de bancs"}).status_code == 302
    channels = db.scalars(select(SurveyParticipation.channel)).all()
    assert channels == ["poster", "poster"]


def test_a_survey_says_when_it_opens_or_that_it_closed(
        db: Any, client: Any, evaluation: Evaluation) -> None:
    later = make_survey(db, evaluation, opens=2, closes=20, title="Plus tard")
    add(db, later, "text")
    over = make_survey(db, evaluation, opens=-20, closes=-2, title="Finie")
    add(db, over, "text")
    soon = page(client.get(f"/enquetes/{later.id}"))
    assert "Cette enquête n’est pas encore ouverte. Vous pourrez répondre du 16 mars 2026" in soon
    assert "<form method=\"post\" action=\"/enquetes" not in soon
    closed = page(client.get(f"/enquetes/{over.id}"))
    assert "Cette enquête est close depuis le 12 mars 2026" in closed
    assert client.post(f"/enquetes/{over.id}", data={
        f"item-{over.items[0].id}": "Trop tard"}).status_code == 200
    assert db.scalar(select(func.count()).select_from(SurveyParticipation)) == 0
    listed = page(client.get("/enquetes"))
    assert "Plus tard" not in listed
    assert "Finie" not in listed
    assert "Aucune enquête n’est ouverte en ce moment." in listed


def test_open_surveys_are_listed_and_linked_from_their_evaluation(
        client: Any, survey: Survey, items: dict[str, SurveyItem]) -> None:
    listed = page(client.get("/enquetes"))
    assert f'href="/enquetes/{survey.id}"' in listed
    evaluation = page(client.get(f"/evaluation/{survey.evaluation_id}"))
    assert "Répondre à l’enquête « <bdi>Vivre au quartier</bdi> »" in evaluation
    assert "Construire et suivre les enquêtes" not in evaluation


def test_answering_needs_the_form_s_token(
        app: Flask, client: Any, survey: Survey, items: dict[str, SurveyItem],
        monkeypatch: pytest.MonkeyPatch, db: Any) -> None:
    open_survey = make_survey(db, survey.evaluation, once=False, title="Ouverte")
    item = add(db, open_survey, "text")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    refused = client.post(f"/enquetes/{open_survey.id}", data={f"item-{item.id}": "Bonjour"})
    assert refused.status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      client.get(f"/enquetes/{open_survey.id}").get_data(as_text=True))
    assert token is not None
    assert client.post(f"/enquetes/{open_survey.id}", data={
        f"item-{item.id}": "Bonjour", "csrf_token": token[1]}).status_code == 302


# --- Printed codes ---------------------------------------------------------------------------


def test_an_animator_prints_codes_for_her_quartier_and_voids_a_lost_run(
        db: Any, client: Any, login_as: Any, people: dict, quartier: Any,
        other_quartier: Any, survey: Survey, items: dict[str, SurveyItem]) -> None:
    url = f"/evaluation/enquetes/{survey.id}/codes"
    assert client.get(url).status_code == 302
    assert client.get(f"{url}/1/annuler").status_code == 302
    assert login_as(people["resident"]).get(url).status_code == 403
    animator = login_as(people["animator"])
    form = page(animator.get(url))
    assert f'<option value="{quartier.id}">Les Tilleuls</option>' in form
    assert "Le Parc" not in form
    for data, field, message in [
            ({"quartier_id": str(other_quartier.id), "count": "3"}, "quartier_id",
             "Choisissez dans la liste."),
            ({"quartier_id": "", "count": "3"}, "quartier_id", "Choisissez un quartier."),
            ({"quartier_id": str(quartier.id), "count": "0"}, "count", "Entre 1 et 500 codes."),
            ({"quartier_id": str(quartier.id), "count": "501"}, "count",
             "Entre 1 et 500 codes."),
            ({"quartier_id": str(quartier.id), "count": "-3"}, "count",
             "Entre 1 et 500 codes.")]:
        refused = animator.post(url, data=data)
        assert refused.status_code == 400, data
        assert error_of(page(refused), field) == message, data
    assert animator.post(url, data={"quartier_id": str(quartier.id), "count": "deux"}
                         ).status_code == 400
    assert db.scalar(select(func.count()).select_from(SurveyCode)) == 0
    sheet = animator.post(url, data={"quartier_id": str(quartier.id), "count": "3"})
    assert sheet.status_code == 200
    assert sheet.headers["Cache-Control"] == "no-store"
    html = page(sheet)
    printed = CODE.findall(html)
    assert len(printed) == 3
    assert html.count('<div class="qr" aria-hidden="true"><svg') == 3
    assert f"<code>http://localhost/enquetes/{survey.id}</code>" in html
    assert db.scalar(select(AuditEntry.details).where(
        AuditEntry.action == "evaluation.survey_codes_printed"))["quartier"] == "Les Tilleuls"
    # One is used by a resident without an account.
    assert client.post(f"/enquetes/{survey.id}", data={
        f"item-{items['scale'].id}": "3", "code": printed[0]}).status_code == 302
    runs = page(login_as(people["animator"]).get(url))
    assert re.search(r"<td>1</td><td><bdi>Les Tilleuls</bdi></td><td>3</td><td>1</td>"
                     r"<td>0</td><td>2</td>", runs)
    # Another quartier's animator sees no run of hers, and cannot void it.
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    assert "Les Tilleuls</bdi></td>" not in page(login_as(elsewhere).get(url))
    assert login_as(elsewhere).post(f"{url}/1/annuler", data={"confirm": "y"}
                                    ).status_code == 404
    animator = login_as(people["animator"])
    confirm = page(animator.get(f"{url}/1/annuler"))
    assert "2 codes pas encore utilisés" in confirm
    assert animator.post(f"{url}/1/annuler", data={}).status_code == 400
    assert db.scalar(select(func.count()).select_from(SurveyCode).where(SurveyCode.void)) == 0
    assert animator.post(f"{url}/1/annuler", data={"confirm": "y"}).status_code == 302
    assert re.search(r"<td>3</td><td>1</td><td>2</td><td>0</td>",
                     page(animator.get(url)))
    assert animator.get(f"{url}/99/annuler").status_code == 404
    # A pilot sees every run.
    assert "Les Tilleuls</bdi></td>" in page(login_as(people["pilot"]).get(url))


# --- Free texts ------------------------------------------------------------------------------


def test_free_texts_are_published_or_refused_before_any_quote(
        app: Flask, db: Any, login_as: Any, people: dict, quartier: Any, survey: Survey,
        items: dict[str, SurveyItem], evaluator: Any) -> None:
    text = items["text"]
    here = factories.make_user(db, quartier_id=quartier.id)
    nowhere = factories.make_user(db)
    for who, body in ((here, "Le square est enfin éclairé."), (nowhere, "Plus de bancs !"),
                      (factories.make_user(db), "<img src=x onerror=alert(1)>")):
        assert login_as(who).post(f"/enquetes/{survey.id}", data={
            f"item-{text.id}": body}).status_code == 302
    with app.app_context():
        surveys.mix(db, db.get(Survey, survey.id), minimum=0)
    committee = login_as(evaluator)
    url = f"/evaluation/enquetes/{survey.id}/textes"
    listed = committee.get(url).get_data(as_text=True)
    assert "Plus de bancs !" in listed
    assert "&lt;img src=x onerror=alert(1)&gt;" in listed
    assert "<img src=x" not in listed
    assert "Le square est enfin éclairé." not in listed  # its quartier's moderators read it
    bancs = db.scalars(select(SurveyText).where(SurveyText.body == "Plus de bancs !")).one()
    image = db.scalars(select(SurveyText).where(SurveyText.body.startswith("<img"))).one()
    no_reason = committee.post(url, data={"text": str(image.id), f"t{image.id}-action": "reject",
                                          f"t{image.id}-reason": "   "})
    assert no_reason.status_code == 400
    assert error_of(page(no_reason), f"t{image.id}-reason") == \
        "Écrivez la raison : l’auteur et les habitants la liront."
    assert committee.post(url, data={"text": str(image.id), f"t{image.id}-action": "reject",
                                     f"t{image.id}-reason": "Pas une réponse."}
                          ).status_code == 302
    assert committee.post(url, data={"text": str(bancs.id), f"t{bancs.id}-action": "publish"}
                          ).status_code == 302
    def state(text: SurveyText) -> str:
        return str(db.scalar(select(SurveyText.moderation).where(SurveyText.id == text.id)))

    assert (state(bancs), state(image)) == (State.PUBLISHED, State.REJECTED)
    for tampered in ("999999", "abc", str(bancs.id)):  # unknown, or already decided
        assert committee.post(url, data={"text": tampered, f"t{tampered}-action": "publish"}
                              ).status_code == 302
    assert "Rien à relire. Merci !" in page(committee.get(url))
    square = db.scalars(select(SurveyText).where(SurveyText.quartier_id == quartier.id)).one()
    assert committee.post(url, data={"text": str(square.id), f"t{square.id}-action": "publish"}
                          ).status_code == 302
    assert state(square) == State.PENDING
    moderator = login_as(people["moderator"])
    queue = page(moderator.get("/moderation"))
    assert "Le square est enfin éclairé." in queue
    assert "Réponse libre à une enquête" in queue
    assert "Plus de bancs" not in queue
    assert moderator.post(f"/moderation/survey_text/{square.id}",
                          data={"d-action": "publish"}).status_code == 302
    assert state(square) == State.PUBLISHED
    assert login_as(people["moderator"]).get(
        f"/moderation/survey_text/{bancs.id}").status_code == 403


def test_every_committee_page_answers_in_arabic_without_error(
        db: Any, login_as: Any, evaluator: Any, survey: Survey,
        items: dict[str, SurveyItem]) -> None:
    evaluator.language = "ar"
    db.flush()
    client = login_as(evaluator)
    for url in committee_urls(survey, items["single"]):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert '<html lang="ar" dir="rtl">' in answer.get_data(as_text=True), url


def test_dates_on_the_pages_are_paris_time(
        login_as: Any, people: dict, db: Any, evaluation: Evaluation) -> None:
    survey = make_survey(db, evaluation)
    survey.closes_at = datetime(2026, 4, 1, 16, 30, tzinfo=UTC)
    db.flush()
    form = page(login_as(people["pilot"]).get(f"/evaluation/enquetes/{survey.id}/modifier"))
    assert 'value="2026-04-01T18:30"' in form  # summer time: UTC+2
