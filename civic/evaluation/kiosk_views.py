"""Routes of a survey at a permanence's tablet and on paper. Thin: the handover lives in
``civic.evaluation.kiosk``, the answers and the piles in ``civic.evaluation.surveys``.

At the tablet, the animator's screen starts a handover for one resident; the
resident's screens carry its token and show the survey alone, in their language; the
answer spends the token, and the thank-you screen leads back to the animator only.
On paper, a pile is counted by hand, then its forms are typed in one after another
until both numbers agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import attach, choices
from civic.core.i18n import (
    LANGUAGE_NAMES,
    _,
    format_datetime,
    get_locale,
    ngettext,
    text_direction,
)
from civic.core.permissions import can, require
from civic.core.security import no_store
from civic.core.web import timezone
from civic.evaluation import bp, kiosk, surveys
from civic.evaluation.kiosk_forms import (
    CODE_MAX,
    BatchForm,
    CloseBatchForm,
    HandoverForm,
    RecountForm,
    for_parse,
    item_rows,
    message,
    profile_rows,
    raw_answers,
)
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import PaperBatch, Survey
from civic.evaluation.surveys import AnswerErrors, SurveyError
from civic.permanence.models import Permanence
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier

Page = str | BaseResponse | tuple[str, int]


def _today() -> date:
    return clock.local_day(clock.now(), timezone())


def _quartiers_of(survey: Survey) -> list[Quartier]:
    return [q for q in territory_queries.quartiers(db())
            if q.contract_id == survey.evaluation.contract_id]


def _survey(survey_id: int, quartier: Any) -> Survey:
    """The survey, when it belongs to the quartier's contract."""
    survey = db().get(Survey, survey_id)
    if survey is None or survey.evaluation.contract_id != quartier.contract_id:
        abort(404)
    return survey


# --- The permanence's page ---------------------------------------------------------------


@dataclass(frozen=True)
class SurveyHere:
    """A survey as the permanence's page lists it."""

    survey: Survey
    title: str
    open_now: bool


@bp.app_template_global("permanence_surveys")
def permanence_surveys(permanence: Permanence) -> list[SurveyHere]:
    """The surveys a permanence's tablet can take answers for, or type paper forms of."""
    now, language = clock.now(), _locale()
    return [SurveyHere(s, s.text(language, "title"), s.is_open(now))
            for s in kiosk.surveys_taking_paper(db(), permanence.quartier.contract_id, now)]


def _locale() -> str:
    """The page's language, to pick a survey's title in."""
    return str(get_locale()).split("_")[0]


# --- The tablet --------------------------------------------------------------------------


def _permanence_survey(permanence_id: int, survey_id: int) -> tuple[Permanence, Survey]:
    permanence = db().get(Permanence, permanence_id) or abort(404)
    require(current_user, "evaluation.survey_kiosk", permanence)
    return permanence, _survey(survey_id, permanence.quartier)


def _start_url(permanence: Permanence, survey: Survey) -> str:
    return url_for("evaluation.survey_kiosk", permanence_id=permanence.id,
                   survey_id=survey.id)


#: Where the animator's browser keeps the token of the handover under way, between the
#: animator's screen and the resident's (Post/Redirect/Get: going back never resends the
#: animator's form, so never starts a second handover).
HANDOVER_KEY = "survey_handover"


@bp.route("/permanence/<int:permanence_id>/enquetes/<int:survey_id>", methods=["GET", "POST"])
def survey_kiosk(permanence_id: int, survey_id: int) -> Page:
    """The animator's screen: the resident's language, then the tablet goes to them.
    Shown again, it ends the handover its browser had under way."""
    permanence, survey = _permanence_survey(permanence_id, survey_id)
    kiosk.drop_handover(db(), str(session.pop(HANDOVER_KEY, "")))
    form = HandoverForm()
    if form.validate_on_submit():
        try:
            session[HANDOVER_KEY] = kiosk.start_handover(db(), survey, permanence,
                                                         now=clock.now())
        except SurveyError as error:
            attach(form, error, ERRORS)
        else:
            return redirect(url_for("evaluation.survey_kiosk_answer",
                                    permanence_id=permanence.id, survey_id=survey.id,
                                    langue=form.language.data), 303)
    return no_store(render_template(
        "evaluation/kiosk/start.html", form=form, survey=survey, permanence=permanence,
        title=survey.text(_locale(), "title"), open_now=survey.is_open(clock.now())),
        400 if form.errors else 200)


def _resident_screen(survey: Survey, permanence: Permanence, token: str, language: str,
                     raw: dict[str, list[str]] | None = None,
                     errors: dict[str, str] | None = None) -> BaseResponse:
    """The survey alone, in the resident's language, with what they answered kept and
    each mistake next to its question."""
    raw, errors = raw or {}, errors or {}
    with force_locale(language):
        body = render_template(
            "evaluation/kiosk/answer.html", survey=survey, permanence=permanence,
            token=token, kiosk_language=language, kiosk_languages=LANGUAGE_NAMES,
            title=survey.text(language, "title"), intro=survey.text(language, "intro"),
            items=item_rows(survey, language, raw, errors),
            profile=profile_rows(raw, errors, _quartiers_of(survey))
            if survey.ask_profile else [],
            form_error=message(errors["form"]) if "form" in errors else "",
            back=_start_url(permanence, survey))
    return no_store(body, 400 if errors else 200)


def _language(chosen: str | None) -> str:
    return chosen if chosen in LANGUAGE_NAMES else "fr"


def _handed_back(permanence: Permanence, survey: Survey, token: str, said: str
                 ) -> BaseResponse:
    """The handover is over: nothing more can be answered with it."""
    kiosk.drop_handover(db(), token)
    session.pop(HANDOVER_KEY, None)
    flash(said, "info")
    return redirect(_start_url(permanence, survey))


@bp.route("/permanence/<int:permanence_id>/enquetes/<int:survey_id>/reponse",
          methods=["GET", "POST"])
def survey_kiosk_answer(permanence_id: int, survey_id: int) -> Page:
    """The resident's screens: answer, change language, or give the tablet back."""
    permanence, survey = _permanence_survey(permanence_id, survey_id)
    token = request.form.get("handover", "") if request.method == "POST" else \
        str(session.get(HANDOVER_KEY, ""))
    action = request.form.get("action")
    if action == "giveback":
        return _handed_back(permanence, survey, token,
                            _("La tablette a été rendue sans réponse."))
    if not kiosk.handover_live(db(), survey, permanence, token, now=clock.now()):
        return _handed_back(permanence, survey, token, message("handover_gone"))
    if request.method == "GET":
        return _resident_screen(survey, permanence, token, _language(request.args.get("langue")))
    raw = raw_answers(request.form)
    language = _language(request.form.get("switch_lang") or request.form.get("lang"))
    if action != "send":  # a language button: the same answers, in another language
        return _resident_screen(survey, permanence, token, language, raw)
    return _send(survey, permanence, token, language, raw)


def _send(survey: Survey, permanence: Permanence, token: str, language: str,
          raw: dict[str, list[str]]) -> BaseResponse:
    try:
        parsed, profile = surveys.parse(survey, for_parse(raw),
                                        [q.id for q in _quartiers_of(survey)])
        with db().begin_nested():  # a refusal leaves nothing of this answer behind
            kiosk.answer_at_kiosk(db(), survey, permanence, token, parsed, profile,
                                  now=clock.now(), today=_today())
    except AnswerErrors as wrong:
        return _resident_screen(survey, permanence, token, language, raw, wrong.errors)
    except SurveyError as error:
        return _handed_back(permanence, survey, token, message(error.code))
    session.pop(HANDOVER_KEY, None)
    with force_locale(language):
        return no_store(render_template("evaluation/kiosk/thanks.html", survey=survey,
                                        back=_start_url(permanence, survey)))


# --- Paper -------------------------------------------------------------------------------


def _paper_place(survey_id: int, code: str) -> tuple[Survey, Quartier]:
    quartier = territory_queries.quartier_by_code(db(), code) or abort(404)
    require(current_user, "evaluation.survey_paper", quartier)
    return _survey(survey_id, quartier), quartier


@bp.route("/evaluation/enquetes/<int:survey_id>/papier")
def survey_paper_quartiers(survey_id: int) -> Page:
    """Which quartier's paper forms to count and type in: those this person may."""
    survey = db().get(Survey, survey_id) or abort(404)
    quartiers = [q for q in _quartiers_of(survey)
                 if can(current_user, "evaluation.survey_paper", q)]
    if not quartiers:
        require(current_user, "evaluation.survey_paper", None)  # log in, or 403
    return render_template("evaluation/kiosk/paper_quartiers.html", survey=survey,
                           quartiers=quartiers, title=survey.text(_locale(), "title"))


def _batch_form(survey: Survey, quartier: Quartier) -> BatchForm:
    form = BatchForm()
    form.permanence_id.choices = choices([("", _("Aucune, ou une autre")), *(
        (p.id, _("%(place)s, le %(day)s", place=p.place,
                 day=format_datetime(p.starts_at, "d MMMM")))
        for p in kiosk.permanences_since(db(), quartier, survey.opens_at))])
    return form


@bp.route("/evaluation/enquetes/<int:survey_id>/papier/<code>", methods=["GET", "POST"])
def survey_paper(survey_id: int, code: str) -> Page:
    """The piles of a quartier: counted, typed in, closed; and a new pile."""
    survey, quartier = _paper_place(survey_id, code)
    form = _batch_form(survey, quartier)
    if form.validate_on_submit():
        permanence = db().get(Permanence, form.permanence_id.data or 0)
        try:
            batch = surveys.open_batch(db(), survey, quartier, form.label.data or "",
                                       form.counted.data or 0, permanence=permanence,
                                       actor=current_user, now=clock.now())
        except SurveyError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("La pile est ouverte. Saisissez les questionnaires un par un."),
                  "success")
            return redirect(_pile_url(batch, quartier))
    return no_store(render_template(
        "evaluation/kiosk/paper.html", survey=survey, quartier=quartier, form=form,
        piles=kiosk.piles(db(), survey, quartier), title=survey.text(_locale(), "title"),
        takes_paper=survey.takes_paper(clock.now())), 400 if form.errors else 200)


def _pile_url(batch: PaperBatch, quartier: Quartier) -> str:
    return url_for("evaluation.survey_paper_pile", survey_id=batch.survey_id,
                   code=quartier.code, batch_id=batch.id)


@bp.route("/evaluation/enquetes/<int:survey_id>/papier/<code>/piles/<int:batch_id>",
          methods=["GET", "POST"])
def survey_paper_pile(survey_id: int, code: str, batch_id: int) -> Page:
    """One pile: type its forms in one after another, recount it, close it."""
    survey, quartier = _paper_place(survey_id, code)
    batch = db().get(PaperBatch, batch_id)
    if batch is None or (batch.survey_id, batch.quartier_id) != (survey.id, quartier.id):
        abort(404)
    part = request.form.get("part")
    if part == "form":
        return _type_in(survey, quartier, batch)
    if part == "recount":
        return _recount(survey, quartier, batch)
    if part == "close":
        return _close(survey, quartier, batch)
    return _pile_page(survey, quartier, batch, status=400 if request.method == "POST" else 200)


def _pile_page(survey: Survey, quartier: Quartier, batch: PaperBatch, *,
               raw: dict[str, list[str]] | None = None, errors: dict[str, str] | None = None,
               recount: RecountForm | None = None, close_error: str = "",
               status: int = 200) -> BaseResponse:
    raw, errors = raw or {}, errors or {}
    return no_store(render_template(
        "evaluation/kiosk/pile.html", survey=survey, quartier=quartier, batch=batch,
        title=survey.text("fr", "title"), items=item_rows(survey, "fr", raw, errors),
        profile=profile_rows(raw, errors, _quartiers_of(survey)) if survey.ask_profile
        else [], code=(raw.get("code") or [""])[0], code_max=CODE_MAX,
        code_error=message(errors["code"]) if "code" in errors else "",
        form_error=message(errors["form"]) if "form" in errors else "",
        recount=recount or RecountForm(prefix="recount", formdata=None),
        close=CloseBatchForm(prefix="close", formdata=None), close_error=close_error,
        takes_paper=survey.takes_paper(clock.now())), status)


def _type_in(survey: Survey, quartier: Quartier, batch: PaperBatch) -> BaseResponse:
    """One paper form typed in: its answers, its profile, and a printed code, if any."""
    raw = raw_answers(request.form)
    code = (raw.get("code") or [""])[0].strip()
    try:
        if len(code) > CODE_MAX:
            raise AnswerErrors({"code": "code_mistyped"})
        parsed, profile = surveys.parse(survey, for_parse(raw),
                                        [q.id for q in _quartiers_of(survey)])
        with db().begin_nested():  # a refused form spends no code and no place in the pile
            surveys.answer(db(), survey, parsed, profile, channel="paper", batch=batch,
                           code=code or None, today=_today(), now=clock.now())
    except AnswerErrors as wrong:
        return _pile_page(survey, quartier, batch, raw=raw, errors=wrong.errors, status=400)
    except SurveyError as error:
        return _pile_page(survey, quartier, batch, raw=raw,
                          errors={error.field or "form": error.code}, status=400)
    flash(_("Questionnaire enregistré : %(entered)s / %(counted)s saisis.",
            entered=batch.entered, counted=batch.counted), "success")
    return redirect(_pile_url(batch, quartier) + "#saisie")


def _recount(survey: Survey, quartier: Quartier, batch: PaperBatch) -> BaseResponse:
    form = RecountForm(prefix="recount")
    if form.validate_on_submit():
        try:
            surveys.recount(db(), batch, form.counted.data or 0, actor=current_user,
                            now=clock.now())
        except SurveyError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("La pile est recomptée : %(counted)s questionnaires.",
                    counted=batch.counted), "success")
            return redirect(_pile_url(batch, quartier))
    return _pile_page(survey, quartier, batch, recount=form, status=400)


def _close(survey: Survey, quartier: Quartier, batch: PaperBatch) -> BaseResponse:
    if not CloseBatchForm(prefix="close").validate_on_submit():
        abort(400)
    try:
        surveys.close_batch(db(), batch, actor=current_user, now=clock.now())
    except SurveyError as error:
        missing = int(error.details.get("missing", 0))
        return _pile_page(survey, quartier, batch, status=400, close_error=ngettext(
            "Il manque %(num)s questionnaire : %(entered)s saisis sur %(counted)s "
            "comptés. Saisissez-le, ou recomptez la pile.",
            "Il manque %(num)s questionnaires : %(entered)s saisis sur %(counted)s "
            "comptés. Saisissez-les, ou recomptez la pile.", missing,
            entered=batch.entered, counted=batch.counted))
    flash(_("La pile est close : %(counted)s questionnaires comptés et saisis.",
            counted=batch.counted), "success")
    return redirect(url_for("evaluation.survey_paper", survey_id=survey.id,
                            code=quartier.code))


@bp.route("/evaluation/enquetes/<int:survey_id>/papier/<code>/questionnaire")
def survey_paper_form(survey_id: int, code: str) -> Page:
    """The paper form to print, in French and in one other language, black and white:
    what is typed in later follows it item by item."""
    survey, quartier = _paper_place(survey_id, code)
    other = request.args.get("langue", "ar")
    other = other if other in LANGUAGE_NAMES and other != "fr" else ""
    sides = []
    for language in ("fr", other) if other else ("fr",):
        with force_locale(language):
            sides.append(_printed_side(survey, language))
    return render_template("evaluation/kiosk/printed.html", survey=survey,
                           quartier=quartier, sides=sides, other=other,
                           languages=LANGUAGE_NAMES)


def _printed_side(survey: Survey, language: str) -> dict[str, Any]:
    """One language's half of the printed form: its texts, display-ready."""
    return {
        "lang": language, "dir": text_direction(language),
        "title": survey.text(language, "title"), "intro": survey.text(language, "intro"),
        "items": item_rows(survey, language, {}, {}),
        "profile": profile_rows({}, {}, _quartiers_of(survey)) if survey.ask_profile else [],
        "tick": _("Cochez une case par question, ou plusieurs quand c’est écrit."),
        "several": _("Plusieurs réponses possibles."),
        "required": _("Réponse obligatoire."),
        "statistics": _("Pour nos statistiques (facultatif)"),
        "purpose": _("Ces réponses servent seulement à savoir si toutes les personnes du "
                     "quartier participent : femmes et hommes, jeunes et âgés. Elles ne "
                     "sont jamais montrées avec votre nom, seulement en totaux d’au moins "
                     "%(n)s personnes.", n=current_app.config["SMALL_CELL_THRESHOLD"]),
        "code": _("Votre code, si vous en avez reçu un (sur une lettre ou une "
                  "étiquette) :"),
        "thanks": _("Merci ! Rendez ce questionnaire à l’animatrice ou l’animateur."),
    }

