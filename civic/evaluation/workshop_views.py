"""Routes of the evaluation's workshops: the committee attaches workshop events to a
question; animators record what came out of them. Thin: rules live in
``civic.evaluation.workshops`` and the permissions."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import attach, choices
from civic.core.i18n import _, format_datetime
from civic.core.permissions import require
from civic.core.uploads import read_photo, store
from civic.evaluation import bp, workshops
from civic.evaluation.forms import (
    AttachWorkshopForm,
    DetachWorkshopForm,
    RemovePhotoForm,
    WorkshopForm,
    WorkshopPhotoForm,
)
from civic.evaluation.messages import ERRORS
from civic.evaluation.models import EvaluationQuestion, Workshop, WorkshopPhoto
from civic.events.models import Event

Page = str | BaseResponse | tuple[str, int]


# --- The committee: which workshops work on a question -----------------------------------


def _attach_form(question: EvaluationQuestion) -> AttachWorkshopForm:
    form = AttachWorkshopForm()
    form.event_id.choices = choices([("", _("Choisissez un atelier")), *(
        (e.id, _("%(title)s — %(day)s, %(place)s", title=e.title,
                 day=format_datetime(e.starts_at, "d MMMM y"), place=e.place))
        for e in workshops.attachable(db(), question.evaluation))])
    return form


def _question_page(question: EvaluationQuestion, form: AttachWorkshopForm,
                   status: int = 200) -> tuple[str, int]:
    return render_template("evaluation/workshops/question.html", question=question,
                           evaluation=question.evaluation, form=form,
                           attached=workshops.of_question(db(), question)), status


@bp.route("/evaluation/questions/<int:question_id>/ateliers", methods=["GET", "POST"])
def question_workshops(question_id: int) -> Page:
    """The committee's page of a question's workshops. Attaching and detaching take the
    committee's rule (``evaluation.committee``), not the animators': which question a
    workshop serves is part of writing the evaluation, as the questions themselves are;
    the animators then record what came out of it (``evaluation.record_workshop``)."""
    question = db().get(EvaluationQuestion, question_id) or abort(404)
    require(current_user, "evaluation.committee", question.evaluation)
    form = _attach_form(question)
    if form.validate_on_submit():
        try:
            workshops.attach(db(), question, db().get(Event, form.event_id.data),
                             actor=current_user, now=clock.now())
        except workshops.WorkshopError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("L’atelier travaille maintenant sur cette question."), "success")
            return redirect(url_for("evaluation.question_workshops", question_id=question.id))
    return _question_page(question, form, 400 if form.errors else 200)


@bp.route("/evaluation/ateliers/<int:event_id>/detacher", methods=["POST"])
def detach_workshop(event_id: int) -> Page:
    found = db().get(Workshop, event_id) or abort(404)
    question = found.question
    require(current_user, "evaluation.committee", question.evaluation)
    if not DetachWorkshopForm().validate_on_submit():
        abort(400)
    try:
        workshops.detach(db(), found, actor=current_user, now=clock.now())
    except workshops.WorkshopError as error:
        flash(str(ERRORS[error.code]), "error")
        return _question_page(question, _attach_form(question), 400)
    flash(_("L’atelier ne travaille plus sur cette question."), "success")
    return redirect(url_for("evaluation.question_workshops", question_id=question.id))


# --- The animator: conclusions, head count, photos ----------------------------------------


def _workshop_page(found: Workshop, form: WorkshopForm | None = None,
                   photo_form: WorkshopPhotoForm | None = None) -> tuple[str, int]:
    now = clock.now()
    event = found.event
    if form is None:
        form = WorkshopForm(obj=found) if found.recorded_at else WorkshopForm(
            data={"participants": event.attendance if event.attendance_taken_at else None})
    photo_form = photo_form or WorkshopPhotoForm(prefix="photo")
    status = 400 if form.errors or photo_form.errors else 200
    return render_template(
        "evaluation/workshops/workshop.html", workshop=found, event=event,
        question=found.question, form=form, photo_form=photo_form,
        held=event.cancelled_at is None and now >= event.starts_at,
        photos_left=workshops.PHOTOS_MAX - len(found.photos)), status


def _workshop(event_id: int) -> Workshop:
    found = db().get(Workshop, event_id) or abort(404)
    require(current_user, "evaluation.record_workshop", found)
    return found


@bp.route("/evaluation/ateliers/<int:event_id>", methods=["GET", "POST"])
def workshop(event_id: int) -> Page:
    found = _workshop(event_id)
    form = WorkshopForm()
    if form.validate_on_submit():
        first = found.recorded_at is None
        try:
            workshops.record(db(), found, form.conclusions.data, form.participants.data,
                             actor=current_user, now=clock.now())
        except workshops.WorkshopError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Les conclusions sont notées.") if first
                  else _("Les conclusions sont corrigées."), "success")
            return redirect(url_for("evaluation.workshop", event_id=found.event_id))
    return _workshop_page(found, form if form.is_submitted() else None)


@bp.route("/evaluation/ateliers/<int:event_id>/photos", methods=["POST"])
def add_workshop_photo(event_id: int) -> Page:
    found = _workshop(event_id)
    form = WorkshopPhotoForm(prefix="photo")
    if form.validate_on_submit():
        readable, data = read_photo(form.photo)
        if readable and data is not None:
            try:
                workshops.add_photo(db(), found, data, form.caption.data, store=store,
                                    actor=current_user, now=clock.now())
            except workshops.WorkshopError as error:
                attach(form, error, ERRORS)
            else:
                flash(_("La photo est ajoutée."), "success")
                return redirect(url_for("evaluation.workshop", event_id=found.event_id,
                                        _anchor="photos"))
    return _workshop_page(found, photo_form=form)


@bp.route("/evaluation/ateliers/<int:event_id>/photos/<int:photo_id>/retirer",
          methods=["POST"])
def remove_workshop_photo(event_id: int, photo_id: int) -> Page:
    found = _workshop(event_id)
    photo = db().get(WorkshopPhoto, photo_id)
    if photo is None or photo.event_id != found.event_id:
        abort(404)
    if not RemovePhotoForm().validate_on_submit():
        abort(400)
    workshops.remove_photo(db(), photo, actor=current_user, now=clock.now())
    flash(_("La photo est retirée."), "success")
    return redirect(url_for("evaluation.workshop", event_id=found.event_id, _anchor="photos"))


def event_workshop(event: Any) -> Workshop | None:
    """For the event's page: the evaluation question its workshop works on."""
    return workshops.of_event(db(), event)
