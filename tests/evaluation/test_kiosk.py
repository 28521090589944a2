"""A survey at a permanence's tablet: the animator hands it over to one resident, who
answers once, in their language, on a screen with nothing else; a reload, the back
button, a late or replayed token never add an answer; only the animators of the
permanence's quartier run it."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.core.i18n import gettext
from civic.evaluation import kiosk, surveys
from civic.evaluation.kiosk_views import HANDOVER_KEY
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import (
    SurveyHandover,
    SurveyParticipation,
    SurveyResponse,
    SurveyText,
)
from tests import factories
from tests.evaluation.conftest import NOW
from tests.evaluation.survey_setup import full_answer, item_ids, make_survey


@pytest.fixture
def survey(db: Any, contract: Any) -> Any:
    return make_survey(db, contract, NOW)


@pytest.fixture
def permanence(db: Any, quartier: Any, people: dict) -> Any:
    return factories.make_permanence(db, quartier, people["animator"], place="Maison des Tilleuls")


def start_url(permanence: Any, survey: Any) -> str:
    return f"/permanence/{permanence.id}/enquetes/{survey.id}"


def handed_over(client: Any, permanence: Any, survey: Any, language: str = "fr") -> tuple[
        str, str]:
    """The animator hands the tablet over: the resident's screen and its token."""
    started = client.post(start_url(permanence, survey),
                          data={"language": language, "checked": "y"})
    assert started.status_code == 303
    screen = client.get(started.headers["Location"])
    assert screen.status_code == 200
    body = screen.get_data(as_text=True)
    token = re.search(r'name="handover" value="([^"]+)"', body)
    assert token is not None
    return body, token[1]


def send(client: Any, permanence: Any, survey: Any, token: str, **answers: Any) -> Any:
    return client.post(f"{start_url(permanence, survey)}/reponse", data={
        "handover": token, "lang": "fr", "action": "send", **answers})


def answers_given(db: Any, survey: Any) -> int:
    return surveys.answer_count(db, survey)


def register(db: Any, survey: Any) -> list[SurveyParticipation]:
    return list(db.scalars(select(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id)))


def responses(app: Any, db: Any, survey: Any) -> list[SurveyResponse]:
    """The answers, once mixed into the responses."""
    with app.app_context():
        surveys.mix(db, survey, minimum=0)
    return list(db.scalars(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id)))


def live_handovers(db: Any, survey: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(SurveyHandover).where(
        SurveyHandover.survey_id == survey.id)) or 0)


# --- The handover ------------------------------------------------------------------------


def test_the_permanence_page_offers_the_open_survey(login_as: Any, people: dict,
                                                    permanence: Any, survey: Any) -> None:
    page = login_as(people["animator"]).get(f"/permanence/{permanence.id}")
    body = page.get_data(as_text=True)
    assert "Enquêtes ouvertes" in body
    assert "Votre avis sur le quartier" in body
    assert f'href="{start_url(permanence, survey)}"' in body


def test_the_resident_answers_once_on_a_screen_with_nothing_else(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    start = client.get(start_url(permanence, survey))
    assert start.status_code == 200
    assert "Donner la tablette pour répondre" in start.get_data(as_text=True)
    screen, token = handed_over(client, permanence, survey)
    # The survey alone: no menu, no account, no way to the rest of the site.
    assert "Menu principal" not in screen
    assert "Se déconnecter" not in screen
    assert "Mon compte" not in screen
    assert "Le quartier a-t-il changé en bien ?" in screen
    assert "Pour nos statistiques (facultatif)" in screen  # the profile, with its purpose
    assert "totaux d’au moins 11 personnes" in screen
    assert live_handovers(db, survey) == 1

    thanks = send(client, permanence, survey, token, **full_answer(survey), gender="woman")
    assert thanks.status_code == 200
    text = thanks.get_data(as_text=True)
    assert "Merci pour vos réponses !" in text
    assert "Rendez la tablette à l’animatrice ou l’animateur." in text
    assert f'href="{start_url(permanence, survey)}"' in text  # back to the animator only
    assert "no-store" in thanks.headers["Cache-Control"]
    assert answers_given(db, survey) == 1
    [line] = register(db, survey)
    assert (line.channel, line.permanence_id, line.user_id, line.quartier_id) == (
        "kiosk", permanence.id, None, permanence.quartier_id)
    assert live_handovers(db, survey) == 0
    with client.session_transaction() as session:
        assert HANDOVER_KEY not in session


def test_the_answers_are_stored_as_given(app: Any, login_as: Any, db: Any, people: dict,
                                         permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    send(client, permanence, survey, token, **full_answer(survey), age_bracket="25_39")
    [response] = responses(app, db, survey)
    ids = item_ids(survey)
    given = {(a.item_id, a.choice, a.number) for a in response.answers}
    assert given == {(ids["scale"], 4, None), (ids["single"], 0, None),
                     (ids["multiple"], 0, None), (ids["multiple"], 2, None),
                     (ids["number"], None, 12)}
    assert (response.channel, response.age_bracket, response.gender) == (
        "kiosk", "25_39", None)


def test_a_reload_after_answering_adds_nothing(login_as: Any, db: Any, people: dict,
                                               permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    assert send(client, permanence, survey, token, **full_answer(survey)).status_code == 200
    again = send(client, permanence, survey, token, **full_answer(survey))
    assert again.status_code == 302
    assert again.headers["Location"] == start_url(permanence, survey)
    assert answers_given(db, survey) == 1
    assert len(register(db, survey)) == 1
    animator = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Ces réponses sont déjà envoyées, ou le temps est écoulé." in animator


def test_back_after_answering_shows_the_animator_screen(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    started = client.post(start_url(permanence, survey),
                          data={"language": "fr", "checked": "y"})
    resident = started.headers["Location"]
    token = re.search(r'name="handover" value="([^"]+)"',
                      client.get(resident).get_data(as_text=True))
    assert token is not None
    send(client, permanence, survey, token[1], **full_answer(survey))
    # Back: the resident's screen is asked for again, then the language button pressed.
    back = client.get(resident)
    assert back.status_code == 302
    assert back.headers["Location"] == start_url(permanence, survey)
    switched = client.post(f"{start_url(permanence, survey)}/reponse", data={
        "handover": token[1], "lang": "fr", "switch_lang": "ar", **full_answer(survey)})
    assert switched.status_code == 302
    assert answers_given(db, survey) == 1


def test_the_animator_screen_shown_again_ends_the_handover_under_way(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    assert client.get(start_url(permanence, survey)).status_code == 200
    assert live_handovers(db, survey) == 0
    assert send(client, permanence, survey, token, **full_answer(survey)).status_code == 302
    assert answers_given(db, survey) == 0


def test_two_sends_of_one_handover_make_one_answer(app: Any, login_as: Any, db: Any,
                                                   people: dict, permanence: Any,
                                                   survey: Any) -> None:
    """A double tap, or the same screen open twice: the token serves once."""
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    parsed, profile = surveys.parse(survey, full_answer(survey), [])
    with app.app_context():
        kiosk.answer_at_kiosk(db, survey, permanence, token, parsed, profile, now=NOW,
                              today=NOW.date())
        with pytest.raises(surveys.SurveyError) as refused:
            kiosk.answer_at_kiosk(db, survey, permanence, token, parsed, profile, now=NOW,
                                  today=NOW.date())
    assert refused.value.code == "handover_gone"
    assert answers_given(db, survey) == 1


def test_a_late_token_is_refused(login_as: Any, db: Any, people: dict, permanence: Any,
                                 survey: Any, monkeypatch: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    later = NOW + timedelta(minutes=kiosk.HANDOVER_MINUTES, seconds=1)
    monkeypatch.setattr("civic.core.clock.now", lambda: later)
    refused = send(client, permanence, survey, token, **full_answer(survey))
    assert refused.status_code == 302
    assert answers_given(db, survey) == 0
    assert live_handovers(db, survey) == 0  # dropped: it can never serve


def test_a_token_changed_by_one_character_matches_nothing(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert send(client, permanence, survey, forged, **full_answer(survey)).status_code == 302
    assert answers_given(db, survey) == 0
    # The real token still works: the forgery did not spend it.
    assert send(client, permanence, survey, token, **full_answer(survey)).status_code == 200


@pytest.mark.parametrize("token", ["", "nothing", "zz.abc", "1" * 40 + ".x", "\x00.\x00",
                                   "ff" * 400])
def test_a_made_up_token_is_refused(login_as: Any, db: Any, people: dict, permanence: Any,
                                    survey: Any, token: str) -> None:
    client = login_as(people["animator"])
    refused = send(client, permanence, survey, token, **full_answer(survey))
    assert refused.status_code == 302
    assert answers_given(db, survey) == 0


def test_a_token_of_another_permanence_is_refused(login_as: Any, db: Any, people: dict,
                                                  quartier: Any, permanence: Any,
                                                  survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    elsewhere = factories.make_permanence(db, quartier, people["animator"], place="École")
    refused = send(client, elsewhere, survey, token, **full_answer(survey))
    assert refused.status_code == 302
    assert answers_given(db, survey) == 0


def test_giving_the_tablet_back_ends_the_handover(login_as: Any, db: Any, people: dict,
                                                  permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    back = client.post(f"{start_url(permanence, survey)}/reponse",
                       data={"handover": token, "lang": "fr", "action": "giveback"})
    assert back.status_code == 302
    assert "La tablette a été rendue sans réponse." in client.get(
        back.headers["Location"]).get_data(as_text=True)
    assert live_handovers(db, survey) == 0
    assert send(client, permanence, survey, token, **full_answer(survey)).status_code == 302
    assert answers_given(db, survey) == 0


def test_the_animator_must_say_the_tablet_goes_to_a_new_person(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    refused = client.post(start_url(permanence, survey), data={"language": "fr"})
    assert refused.status_code == 400
    assert "Cochez la case pour donner la tablette." in refused.get_data(as_text=True)
    assert live_handovers(db, survey) == 0


def test_a_closed_survey_cannot_be_handed_over(login_as: Any, db: Any, people: dict,
                                               contract: Any, permanence: Any) -> None:
    closed = make_survey(db, contract, NOW, opens_at=NOW - timedelta(days=9),
                         closes_at=NOW - timedelta(days=1))
    client = login_as(people["animator"])
    page = client.get(start_url(permanence, closed)).get_data(as_text=True)
    assert "Cette enquête n’est pas ouverte en ce moment." in page
    refused = client.post(start_url(permanence, closed), data={"language": "fr", "checked": "y"})
    assert refused.status_code == 400
    assert live_handovers(db, closed) == 0


# --- The resident's screen: language, mistakes -----------------------------------------------


def test_the_survey_speaks_arabic_right_to_left(login_as: Any, people: dict,
                                                permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    screen, _ = handed_over(client, permanence, survey, language="ar")
    assert '<html lang="ar" dir="rtl">' in screen
    assert "هل تغير الحي نحو الأفضل؟" in screen
    assert "كثيرا جدا" in screen
    assert "Le quartier a-t-il changé en bien ?" not in screen


def test_changing_language_keeps_the_answers(login_as: Any, people: dict, permanence: Any,
                                             survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    ids = item_ids(survey)
    switched = client.post(f"{start_url(permanence, survey)}/reponse", data={
        "handover": token, "lang": "fr", "switch_lang": "en", **full_answer(survey)})
    body = switched.get_data(as_text=True)
    assert switched.status_code == 200
    assert '<html lang="en" dir="ltr">' in body
    assert "Has the neighbourhood changed for the better?" in body
    assert f'id="item-{ids["scale"]}-4" name="item-{ids["scale"]}" value="4" checked' in body
    assert f'id="item-{ids["multiple"]}-2" name="item-{ids["multiple"]}" value="2" checked' in body
    assert ">Plus de bancs, merci.</textarea>" in body


def test_a_mistake_is_told_next_to_its_question_and_the_answers_are_kept(
        login_as: Any, db: Any, people: dict, permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    ids = item_ids(survey)
    wrong = send(client, permanence, survey, token, **full_answer(
        survey, **{f"item-{ids['scale']}": "", f"item-{ids['number']}": "douze"}))
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert (f'<p class="error" id="item-{ids["scale"]}-error">Cette question demande une '
            "réponse.</p>") in body
    assert (f'<p class="error" id="item-{ids["number"]}-error">Écrivez un nombre, par '
            "exemple 3 ou 12,5.</p>") in body
    assert 'value="douze"' in body
    assert f'id="item-{ids["single"]}-0" name="item-{ids["single"]}" value="0" checked' in body
    assert answers_given(db, survey) == 0
    # Corrected, the same handover takes it.
    fixed = send(client, permanence, survey, token, **full_answer(survey))
    assert fixed.status_code == 200
    assert answers_given(db, survey) == 1


def test_mistakes_are_told_in_the_residents_language(app: Any, login_as: Any, people: dict,
                                                     permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey, language="en")
    wrong = client.post(f"{start_url(permanence, survey)}/reponse", data={
        "handover": token, "lang": "en", "action": "send"})
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert '<html lang="en" dir="ltr">' in body
    with app.test_request_context(), force_locale("en"):
        summary = gettext("Le formulaire contient des erreurs. Corrigez les champs indiqués.")
        required = str(ERRORS["answer_required"])
    assert summary in body
    assert f'-error">{required}</p>' in body


def test_an_empty_profile_is_fine(app: Any, login_as: Any, db: Any, people: dict,
                                  permanence: Any, survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    ids = item_ids(survey)
    thanks = send(client, permanence, survey, token, **{f"item-{ids['scale']}": "2"},
                  gender="", age_bracket="", quartier_id="")
    assert thanks.status_code == 200
    [response] = responses(app, db, survey)
    assert (response.gender, response.age_bracket, response.quartier_id) == (None, None, None)


@pytest.mark.parametrize("text", ["nul\x00byte", "🙂\u202eevil", "couleur\x1b[31m"])
def test_invisible_characters_in_a_free_text_are_told(login_as: Any, db: Any, people: dict,
                                                      permanence: Any, survey: Any,
                                                      text: str) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    name = f"item-{item_ids(survey)['text']}"
    wrong = send(client, permanence, survey, token, **full_answer(survey, **{name: text}))
    assert wrong.status_code == 400
    assert (f'<p class="error" id="{name}-error">Ce texte contient des caractères '
            "invisibles. Retapez-le sans copier-coller.</p>") in wrong.get_data(as_text=True)
    assert answers_given(db, survey) == 0


def test_a_free_text_in_arabic_keeps_its_direction_marks(app: Any, login_as: Any, db: Any,
                                                         people: dict, permanence: Any,
                                                         survey: Any) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey, language="ar")
    text = "شكرا \u200fCAF\u200f على المساعدة"
    name = f"item-{item_ids(survey)['text']}"
    assert send(client, permanence, survey, token,
                **full_answer(survey, **{name: text})).status_code == 200
    responses(app, db, survey)  # mixed in: PostgreSQL takes it
    assert db.scalar(select(SurveyText.body).where(SurveyText.survey_id == survey.id)) == text


HOSTILE = ["A" * 100_000, "nul\x00byte\x1b[31m", "<script>alert('civic')</script>",
           "\"><img src=x onerror=alert(1)>", "' OR 1=1; --", "-1",
           "99999999999999999999999999", "١٢٣", "🙂\u202eevil", "1e999", "NaN"]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_answers_never_break_the_tablet(login_as: Any, db: Any, people: dict,
                                                permanence: Any, survey: Any,
                                                value: str) -> None:
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    ids = item_ids(survey)
    fields = {f"item-{i}": value for i in ids.values()}
    answer = send(client, permanence, survey, token, **fields, gender=value,
                  age_bracket=value, quartier_id=value, lang=value)
    assert answer.status_code < 500
    body = answer.get_data(as_text=True)
    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert answers_given(db, survey) <= 1


@pytest.mark.parametrize("value", HOSTILE[:4], ids=range(4))
def test_hostile_handover_forms_never_break(login_as: Any, people: dict, permanence: Any,
                                            survey: Any, value: str) -> None:
    client = login_as(people["animator"])
    answer = client.post(start_url(permanence, survey), data={"language": value,
                                                             "checked": value})
    assert answer.status_code < 500
    assert "<script>alert" not in answer.get_data(as_text=True)


# --- Who runs it ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["resident", "moderator", "signatory", "pilot"])
def test_only_animators_of_the_quartier_run_the_tablet(login_as: Any, people: dict,
                                                       permanence: Any, survey: Any,
                                                       who: str) -> None:
    client = login_as(people[who])
    assert client.get(start_url(permanence, survey)).status_code == 403
    assert client.post(start_url(permanence, survey),
                       data={"language": "fr", "checked": "y"}).status_code == 403
    assert client.get(f"{start_url(permanence, survey)}/reponse").status_code == 403


def test_another_quartiers_animator_gets_403(login_as: Any, db: Any, people: dict,
                                             other_quartier: Any, permanence: Any,
                                             survey: Any) -> None:
    other = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    intruder = login_as(other)
    assert intruder.get(start_url(permanence, survey)).status_code == 403
    assert send(intruder, permanence, survey, token,
                **full_answer(survey)).status_code == 403
    assert answers_given(db, survey) == 0


def test_an_anonymous_visitor_is_asked_to_log_in(client: Any, db: Any, permanence: Any,
                                                 survey: Any) -> None:
    page = client.get(start_url(permanence, survey))
    assert page.status_code == 302
    assert "/connexion" in page.headers["Location"]
    sent = send(client, permanence, survey, "x.y", **full_answer(survey))
    assert sent.status_code == 302
    assert "/connexion" in sent.headers["Location"]
    assert answers_given(db, survey) == 0


def test_a_survey_of_another_contract_is_not_found(login_as: Any, db: Any, people: dict,
                                                   permanence: Any) -> None:
    elsewhere = make_survey(db, factories.make_contract(db, name="Autre contrat"), NOW)
    client = login_as(people["animator"])
    assert client.get(start_url(permanence, elsewhere)).status_code == 404


def test_nothing_of_an_answer_is_audited(login_as: Any, db: Any, people: dict,
                                         permanence: Any, survey: Any) -> None:
    from civic.core.audit import AuditEntry

    before = db.scalar(select(func.count()).select_from(AuditEntry))
    client = login_as(people["animator"])
    _, token = handed_over(client, permanence, survey)
    send(client, permanence, survey, token, **full_answer(survey))
    assert db.scalar(select(func.count()).select_from(AuditEntry)) == before
