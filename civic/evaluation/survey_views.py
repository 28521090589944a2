"""Routes of the evaluation's surveys: the committee builds them (items in three
languages, a preview in each, the poster's link and QR code, printed codes) and reads
the free texts no quartier's moderators take; residents answer at ``/enquetes/<id>``,
or ``/e/<id>`` from a poster. Thin: the rules live in ``surveys`` and ``text_kind``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, func, select
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import checkpoint_after_commit
from civic.core.db import session as db
from civic.core.extensions import limiter
from civic.core.forms import attach, blank_choice, choices, is_db_int
from civic.core.i18n import _, get_locale
from civic.core.permissions import can, require
from civic.core.qr import qr_svg
from civic.core.security import no_store
from civic.core.web import timezone, visitor
from civic.evaluation import bp, surveys, text_kind
from civic.evaluation.lookup import evaluation_or_404, survey_or_404
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import (
    ITEM_KINDS,
    SURVEY_LANGUAGES,
    Evaluation,
    Survey,
    SurveyCode,
    SurveyItem,
    SurveyText,
)
from civic.evaluation.survey_forms import (
    DIRECTIONS,
    KIND_LABELS,
    LANGUAGE_NAMES,
    RULE_LABELS,
    SCALE_LEGENDS,
    AnswerForm,
    CodesForm,
    ItemForm,
    MoveItemForm,
    RemoveItemForm,
    SurveyForm,
    TextDecisionForm,
    VoidCodesForm,
)
from civic.moderation.messages import attach_error, error_text
from civic.moderation.models import State
from civic.moderation.services import ModerationError
from civic.permanence import codes as code_format
from civic.territory import queries as territory_queries

Page = str | BaseResponse | tuple[str, int]

#: Where a poster's link and QR code lead: the same page, counted as "poster".
POSTER = "affiche"


@bp.app_template_test("open_survey")
def _is_open(survey: Survey) -> bool:
    return survey.is_open(clock.now())


def _language() -> str:
    """The page's language if surveys are written in it, else French."""
    language = str(get_locale()).split("_")[0]
    return language if language in SURVEY_LANGUAGES else "fr"


def _evaluation(evaluation_id: int) -> Evaluation:
    """An evaluation of the current contract, for its committee; else 404 or refused."""
    found = evaluation_or_404(evaluation_id)
    require(current_user, "evaluation.committee", found)
    return found


def _committee_survey(survey_id: int) -> Survey:
    found = survey_or_404(survey_id)
    require(current_user, "evaluation.committee", found.evaluation)
    return found


def _item(item_id: int) -> SurveyItem:
    found = db().get(SurveyItem, item_id) or abort(404)
    _committee_survey(found.survey_id)
    return found


def _results_url(survey: Survey) -> str | None:
    """The results page, once it exists on this site."""
    if "evaluation.survey_results" not in current_app.view_functions:
        return None
    return url_for("evaluation.survey_results", survey_id=survey.id)


def _attach(form: Any, error: surveys.SurveyError) -> None:
    """A service's refusal next to its field; a scale's words share one (the first)."""
    if error.field and error.field.startswith("scale_"):
        error.field = f"{error.field}_1"
    attach(form, error, ERRORS)


# --- The committee: surveys ----------------------------------------------------------------


@bp.route("/evaluation/<int:evaluation_id>/enquetes")
def surveys_of(evaluation_id: int) -> Page:
    evaluation = _evaluation(evaluation_id)
    counts = {s.id: surveys.answer_count(db(), s) for s in evaluation.surveys}
    return render_template("evaluation/surveys/list.html", evaluation=evaluation,
                           counts=counts, rules=RULE_LABELS)


def _survey_values(form: SurveyForm) -> dict[str, Any]:
    zone = timezone()
    return {"texts": {language: {"title": form[f"title_{language}"].data,
                                 "intro": form[f"intro_{language}"].data or ""}
                      for language in SURVEY_LANGUAGES},
            "opens_at": clock.to_utc(form.opens_at.data, zone),
            "closes_at": clock.to_utc(form.closes_at.data, zone),
            "once": form.once.data == "once", "ask_profile": bool(form.ask_profile.data)}


def _survey_data(survey: Survey) -> dict[str, Any]:
    zone = timezone()
    data: dict[str, Any] = {"opens_at": clock.to_local(survey.opens_at, zone),
                            "closes_at": clock.to_local(survey.closes_at, zone),
                            "once": "once" if survey.once else "open",
                            "ask_profile": survey.ask_profile}
    for language in SURVEY_LANGUAGES:
        data[f"title_{language}"] = survey.text(language, "title")
        data[f"intro_{language}"] = ((survey.texts or {}).get(language) or {}).get("intro", "")
    return data


@bp.route("/evaluation/<int:evaluation_id>/enquetes/nouvelle", methods=["GET", "POST"])
def new_survey(evaluation_id: int) -> Page:
    evaluation = _evaluation(evaluation_id)
    form = SurveyForm()
    if form.validate_on_submit():
        try:
            survey = surveys.create_survey(db(), evaluation, _survey_values(form),
                                           actor=current_user, now=clock.now())
        except surveys.SurveyError as error:
            _attach(form, error)
        else:
            flash(_("L’enquête est créée. Ajoutez maintenant ses questions."), "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id))
    return render_template("evaluation/surveys/survey_form.html", form=form,
                           evaluation=evaluation, survey=None), 400 if form.errors else 200


@bp.route("/evaluation/enquetes/<int:survey_id>/modifier", methods=["GET", "POST"])
def edit_survey(survey_id: int) -> Page:
    survey = _committee_survey(survey_id)
    form = SurveyForm(data=_survey_data(survey))
    if form.validate_on_submit():
        try:
            surveys.update_survey(db(), survey, _survey_values(form), actor=current_user,
                                  now=clock.now())
        except surveys.SurveyError as error:
            _attach(form, error)
        else:
            flash(_("L’enquête est enregistrée."), "success")
            return redirect(url_for("evaluation.survey", survey_id=survey.id))
    return render_template("evaluation/surveys/survey_form.html", form=form,
                           evaluation=survey.evaluation, survey=survey), \
        400 if form.errors else 200


@bp.route("/evaluation/enquetes/<int:survey_id>")
def survey(survey_id: int) -> Page:
    """The committee's page of a survey: its items in order, its poster, its codes."""
    found = _committee_survey(survey_id)
    poster = url_for("evaluation.survey_poster", survey_id=found.id, _external=True)
    return render_template(
        "evaluation/surveys/survey.html", survey=found, language=_language(),
        answered=surveys.has_answers(db(), found), count=surveys.answer_count(db(), found),
        pending=text_kind.committee_pending_count(db(), found), poster=poster,
        qr=qr_svg(poster), move=MoveItemForm(), kinds=KIND_LABELS, rules=RULE_LABELS,
        names=LANGUAGE_NAMES, results=_results_url(found),
        may_print=found.once and bool(_printable_quartiers()))


@bp.route("/evaluation/enquetes/<int:survey_id>/apercu/<language>")
def preview_survey(survey_id: int, language: str) -> Page:
    found = _committee_survey(survey_id)
    if language not in SURVEY_LANGUAGES:
        abort(404)
    return render_template("evaluation/surveys/preview.html", survey=found,
                           language=language, direction=DIRECTIONS[language],
                           names=LANGUAGE_NAMES)


# --- The committee: items -------------------------------------------------------------------


def _item_form(survey: Survey, **kwargs: Any) -> ItemForm:
    form = ItemForm(**kwargs)
    form.question_id.choices = choices(blank_choice(_("Choisissez une question"))
                                       + [(q.id, q.text) for q in survey.evaluation.questions])
    return form


def _item_values(form: ItemForm, kind: str) -> dict[str, Any]:
    texts: dict[str, dict[str, Any]] = {}
    for language in SURVEY_LANGUAGES:
        entry: dict[str, Any] = {"label": form[f"label_{language}"].data}
        if kind in ("single", "multiple"):
            entry["options"] = (form[f"options_{language}"].data or "").splitlines()
        if kind == "scale":
            entry["scale"] = [form[f"scale_{language}_{n}"].data or ""
                              for n in range(1, surveys.SCALE_POINTS + 1)]
        texts[language] = entry
    question = form.question_id.data
    return {"question_id": int(question) if is_db_int(question) else None, "kind": kind,
            "required": bool(form.required.data), "texts": texts,
            "minimum": form.minimum.data, "maximum": form.maximum.data}


def _item_data(item: SurveyItem) -> dict[str, Any]:
    data: dict[str, Any] = {"question_id": str(item.question_id), "required": item.required,
                            "minimum": item.minimum, "maximum": item.maximum}
    for language in SURVEY_LANGUAGES:
        words = (item.texts or {}).get(language) or {}
        data[f"label_{language}"] = words.get("label", "")
        data[f"options_{language}"] = "\n".join(words.get("options") or [])
        for n, word in enumerate(words.get("scale") or [], 1):
            data[f"scale_{language}_{n}"] = word
    return data


def _item_page(form: ItemForm, survey: Survey, kind: str, item: SurveyItem | None,
               remove: RemoveItemForm | None = None) -> Page:
    failed = bool(form.errors or (remove is not None and remove.errors))
    return render_template("evaluation/surveys/item_form.html", form=form, survey=survey,
                           kind=kind, item=item, remove=remove, kinds=KIND_LABELS,
                           survey_languages=SURVEY_LANGUAGES, legends=SCALE_LEGENDS,
                           names=LANGUAGE_NAMES, points=range(1, surveys.SCALE_POINTS + 1),
                           answered=surveys.has_answers(db(), survey)), \
        400 if failed else 200


@bp.route("/evaluation/enquetes/<int:survey_id>/questions/nouvelle", methods=["GET", "POST"])
def add_survey_item(survey_id: int) -> Page:
    """First the kind (a plain link or form, no script), then the form of that kind."""
    found = _committee_survey(survey_id)
    kind = request.args.get("kind", "")
    if kind not in ITEM_KINDS:
        wrong = "kind" in request.args
        return render_template("evaluation/surveys/item_kind.html", survey=found,
                               kinds=KIND_LABELS, wrong=wrong), 400 if wrong else 200
    form = _item_form(found)
    valid = form.validate_on_submit()
    if request.method == "POST" and form.complete_for(kind) and valid:
        try:
            item = surveys.add_item(db(), found, _item_values(form, kind),
                                    actor=current_user, now=clock.now())
        except surveys.SurveyError as error:
            _attach(form, error)
        else:
            flash(_("La question est ajoutée à l’enquête."), "success")
            return redirect(url_for("evaluation.survey", survey_id=found.id,
                                    _anchor=f"item-{item.id}"))
    return _item_page(form, found, kind, None)


@bp.route("/evaluation/enquetes/questions/<int:item_id>", methods=["GET", "POST"])
def edit_survey_item(item_id: int) -> Page:
    item = _item(item_id)
    form = _item_form(item.survey, data=_item_data(item))
    valid = form.validate_on_submit()
    if request.method == "POST" and form.complete_for(item.kind) and valid:
        try:
            surveys.update_item(db(), item, _item_values(form, item.kind),
                                actor=current_user, now=clock.now())
        except surveys.SurveyError as error:
            _attach(form, error)
        else:
            flash(_("La question est enregistrée."), "success")
            return redirect(url_for("evaluation.survey", survey_id=item.survey_id,
                                    _anchor=f"item-{item.id}"))
    return _item_page(form, item.survey, item.kind, item, RemoveItemForm(prefix="remove"))


@bp.route("/evaluation/enquetes/questions/<int:item_id>/retirer", methods=["POST"])
def remove_survey_item(item_id: int) -> Page:
    item = _item(item_id)
    remove = RemoveItemForm(prefix="remove")
    survey_id = item.survey_id
    if remove.validate_on_submit():
        try:
            surveys.remove_item(db(), item, actor=current_user, now=clock.now())
        except surveys.SurveyError as error:
            attach(remove, error, ERRORS)
        else:
            flash(_("La question est retirée de l’enquête."), "success")
            return redirect(url_for("evaluation.survey", survey_id=survey_id))
    form = _item_form(item.survey, data=_item_data(item), formdata=None)
    return _item_page(form, item.survey, item.kind, item, remove)


@bp.route("/evaluation/enquetes/questions/<int:item_id>/deplacer", methods=["POST"])
def move_survey_item(item_id: int) -> Page:
    item = _item(item_id)
    step = request.form.get("step", "")
    if not MoveItemForm().validate_on_submit() or step not in ("-1", "1"):
        abort(400)
    surveys.move_item(db(), item, int(step), actor=current_user, now=clock.now())
    return redirect(url_for("evaluation.survey", survey_id=item.survey_id,
                            _anchor=f"item-{item.id}"))


# --- Printed codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A print run of codes: how many were printed, spent and voided, never which."""

    number: int
    quartier: Any
    printed: int
    spent: int
    void: int

    @property
    def left(self) -> int:
        return self.printed - self.spent - self.void


def _printable_quartiers() -> list[Any]:
    """The quartiers the visitor may print codes for."""
    return [q for q in territory_queries.quartiers(db())
            if can(current_user, "evaluation.survey_codes", q)]


def _runs(survey: Survey, quartiers: list[Any]) -> list[Run]:
    """The print runs of ``survey`` for these quartiers, counted from the codes."""
    by_id = {q.id: q for q in quartiers}
    rows = db().execute(select(
        SurveyCode.batch, func.max(SurveyCode.quartier_id), func.count(),
        func.sum(case((SurveyCode.spent, 1), else_=0)),
        func.sum(case((SurveyCode.void, 1), else_=0)))
        .where(SurveyCode.survey_id == survey.id)
        .group_by(SurveyCode.batch).order_by(SurveyCode.batch))
    return [Run(number, by_id[quartier_id], printed, int(spent or 0), int(void or 0))
            for number, quartier_id, printed, spent, void in rows if quartier_id in by_id]


@bp.route("/evaluation/enquetes/<int:survey_id>/codes", methods=["GET", "POST"])
def survey_codes(survey_id: int) -> Page:
    """Single-use codes for a survey answered once: printed for a quartier by its
    animators or a pilot, shown once on a sheet of slips, then only counted."""
    found = survey_or_404(survey_id)
    quartiers = _printable_quartiers()
    if not quartiers:
        require(current_user, "evaluation.survey_codes", None)
    form = CodesForm()
    form.quartier_id.choices = choices(blank_choice(_("Choisissez un quartier"))
                                       + [(q.id, q.name) for q in quartiers])
    if found.once and form.validate_on_submit():
        quartier = next((q for q in quartiers if str(q.id) == form.quartier_id.data), None)
        try:
            if quartier is None:
                raise surveys.SurveyError("unknown_option", "quartier_id")
            made = surveys.print_codes(db(), found, form.count.data, quartier=quartier,
                                       actor=current_user, now=clock.now())
        except surveys.SurveyError as error:
            attach(form, error, ERRORS)
        else:
            address = url_for("evaluation.answer_survey", survey_id=found.id, _external=True)
            return no_store(render_template(
                "evaluation/surveys/slips.html", survey=found, quartier=quartier,
                language=_language(), address=address, qr=qr_svg,
                slips=[(code_format.grouped(c), f"{address}#c={code_format.grouped(c)}")
                       for c in made],
                back=url_for("evaluation.survey_codes", survey_id=found.id)))
    return render_template("evaluation/surveys/codes.html", survey=found, form=form,
                           runs=_runs(found, quartiers), language=_language(),
                           committee=can(current_user, "evaluation.committee",
                                         found.evaluation)), \
        400 if form.errors else 200


@bp.route("/evaluation/enquetes/<int:survey_id>/codes/<int:batch>/annuler",
          methods=["GET", "POST"])
def void_survey_codes(survey_id: int, batch: int) -> Page:
    """A lost print run: its unspent codes stop working, after a confirmation."""
    found = survey_or_404(survey_id)
    quartiers = _printable_quartiers()
    if not quartiers:
        require(current_user, "evaluation.survey_codes", None)
    run = next((r for r in _runs(found, quartiers) if r.number == batch), None)
    if run is None:
        abort(404)
    form = VoidCodesForm()
    if form.validate_on_submit():
        voided = surveys.void_codes(db(), found, batch, actor=current_user, now=clock.now())
        flash(_("Codes annulés dans ce lot : %(n)s.", n=voided), "success")
        return redirect(url_for("evaluation.survey_codes", survey_id=found.id))
    return render_template("evaluation/surveys/void_codes.html", survey=found, run=run,
                           form=form, language=_language()), 400 if form.errors else 200


# --- The committee: free texts of no quartier ------------------------------------------------


@bp.route("/evaluation/enquetes/<int:survey_id>/textes", methods=["GET", "POST"])
def survey_texts(survey_id: int) -> Page:
    """The free texts no quartier's moderators read: the committee publishes or refuses
    each; only a published one may be quoted."""
    found = _committee_survey(survey_id)
    waiting = text_kind.committee_pending(db(), found)
    forms = {t.id: TextDecisionForm(prefix=f"t{t.id}", formdata=None) for t in waiting}
    if request.method == "POST":
        chosen = request.form.get("text", "")
        text = db().get(SurveyText, int(chosen)) if is_db_int(chosen) else None
        if text is None or text.survey_id != found.id or text.id not in forms:
            flash(error_text("state"), "error")
            return redirect(url_for("evaluation.survey_texts", survey_id=found.id))
        form = forms[text.id] = TextDecisionForm(prefix=f"t{text.id}")
        if form.validate_on_submit():
            try:
                text_kind.committee_decide(db(), text, form.action.data or "",
                                           reason=form.reason.data or "",
                                           actor=current_user, now=clock.now())
            except ModerationError as error:
                attach_error(form, error)
            else:
                flash(_("La réponse est publiée : elle peut être citée.")
                      if text.moderation == State.PUBLISHED
                      else _("La réponse est refusée : elle ne sera pas citée."), "success")
                return redirect(url_for("evaluation.survey_texts", survey_id=found.id))
    failed = any(f.errors for f in forms.values())
    return render_template("evaluation/surveys/texts.html", survey=found, waiting=waiting,
                           forms=forms, language=_language()), 400 if failed else 200


# --- Residents ---------------------------------------------------------------------------


@bp.route("/enquetes")
def open_surveys() -> Page:
    contract = territory_queries.current_contract(db()) or abort(404)
    now = clock.now()
    found = db().scalars(select(Survey).join(Evaluation).where(
        Evaluation.contract_id == contract.id, Survey.results_at.is_(None),
        Survey.opens_at <= now, Survey.closes_at > now).order_by(Survey.closes_at))
    return render_template("evaluation/surveys/open.html", surveys=list(found),
                           language=_language())


@bp.route("/e/<int:survey_id>")
def survey_poster(survey_id: int) -> Page:
    """The short address printed on posters (and in their QR code)."""
    return redirect(url_for("evaluation.answer_survey", survey_id=survey_id, via=POSTER))


def _answer_form(survey: Survey, user: Any) -> AnswerForm:
    form = AnswerForm(data={"gender": getattr(user, "gender", None) or "",
                            "age_bracket": getattr(user, "age_bracket", None) or "",
                            "quartier_id": str(getattr(user, "quartier_id", None) or "")})
    form.quartier_id.choices = choices(
        [("", _("Je préfère ne pas le dire"))]
        + [(q.id, q.name) for q in territory_queries.quartiers(db())])
    return form


def _typed(survey: Survey) -> dict[str, Any]:
    """What the form sent, as ``surveys.parse`` reads it: every value of each item (a
    tampered form with two values for one choice is refused, not cut short)."""
    raw: dict[str, Any] = {name: request.form.get(name, "")
                           for name in ("gender", "age_bracket", "quartier_id")}
    for item in survey.items:
        raw[f"item-{item.id}"] = request.form.getlist(f"item-{item.id}")
    return raw


def _answer(survey: Survey, form: AnswerForm, user: Any, poster: bool
            ) -> dict[str, str]:
    """Record the answers in a savepoint of the request (a code spent before a refusal
    is not spent); the wrong fields and their codes, empty when recorded."""
    quartier_ids = {q.id for q in territory_queries.quartiers(db())}
    now = clock.now()
    try:
        parsed, profile = surveys.parse(survey, _typed(survey), quartier_ids)
        with db().begin_nested():
            surveys.answer(db(), survey, parsed, profile,
                           channel="poster" if poster else "online",
                           today=clock.local_day(now, timezone()), now=now, user=user,
                           code=form.code.data or None)
    except surveys.AnswerErrors as wrong:
        return dict(wrong.errors)
    except surveys.SurveyError as error:
        return {error.field or "form": error.code}
    return {}


@bp.route("/enquetes/<int:survey_id>", methods=["GET", "POST"])
@limiter.limit("20 per minute;200 per hour", methods=["POST"])
def answer_survey(survey_id: int) -> Page:
    found = survey_or_404(survey_id)
    user = visitor()
    poster = request.args.get("via") == POSTER
    language = _language()
    if not found.is_open(clock.now()):
        return render_template("evaluation/surveys/closed.html", survey=found,
                               language=language, upcoming=clock.now() < found.opens_at,
                               results=_results_url(found))
    if found.once and surveys.has_answered(db(), found, user):
        return render_template("evaluation/surveys/already.html", survey=found,
                               language=language, results=_results_url(found))
    form = _answer_form(found, user)
    errors: dict[str, str] = {}
    if form.validate_on_submit():
        errors = _answer(found, form, user, poster)
        if not errors:
            checkpoint_after_commit(db)  # SQLite's log keeps nothing of who, then what
            return redirect(url_for("evaluation.survey_thanks", survey_id=found.id))
        if "already_answered" in errors.values():
            return render_template("evaluation/surveys/already.html", survey=found,
                                   language=language, results=_results_url(found))
        if "survey_closed" in errors.values():
            return redirect(url_for("evaluation.answer_survey", survey_id=found.id))
    messages = {name: str(ERRORS.get(code, ERRORS["unknown_option"]))
                for name, code in errors.items()}
    for name in ("code", "gender", "age_bracket", "quartier_id"):
        if name in messages:
            form[name].errors = [*form[name].errors, messages[name]]
    return no_store(render_template(
        "evaluation/surveys/answer.html", survey=found, form=form, language=language,
        errors=messages, given={name: request.form.getlist(name) for name in request.form},
        poster=poster, needs_code=found.once and user is None,
        may_print=found.once and bool(_printable_quartiers())),
        400 if messages or form.errors else 200)


@bp.route("/enquetes/<int:survey_id>/merci")
def survey_thanks(survey_id: int) -> Page:
    found = survey_or_404(survey_id)
    return render_template("evaluation/surveys/thanks.html", survey=found,
                           language=_language(), results=_results_url(found),
                           has_texts=any(i.kind == "text" for i in found.items))
