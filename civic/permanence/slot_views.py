"""Routes for a quartier's weekly permanence hours and closures."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import show_error
from civic.core.i18n import _, _l
from civic.core.permissions import require
from civic.core.web import timezone
from civic.events.forms import ClosureForm, ConfirmForm, SlotForm
from civic.permanence import bp, slots
from civic.permanence.models import Closure, WeeklySlot
from civic.territory.models import Quartier
from civic.territory.pages import quartier_or_404

Page = str | BaseResponse | tuple[str, int]

ERRORS: dict[str, Any] = {
    "weekday": _l("Choisissez un jour."),
    "ends_before": _l("L’heure de fin doit venir après l’heure de début."),
    "required": _l("Ce champ est obligatoire."),
    "last_before": _l("Le dernier jour doit venir après le premier."),
    "too_long": _l("Une fermeture dure un an au plus."),
}


def _quartier(code: str) -> Quartier:
    quartier = quartier_or_404(code)
    require(current_user, "permanence.slots", quartier)
    return quartier


def _page(quartier: Quartier, slot_form: SlotForm, closure_form: ClosureForm) -> Page:
    today = clock.local_day(clock.now(), timezone())
    status = 400 if slot_form.errors or closure_form.errors else 200
    return render_template("permanence/slots.html", quartier=quartier, slot_form=slot_form,
                           closure_form=closure_form, remove_form=ConfirmForm(),
                           weekly=slots.slots(db(), quartier.id),
                           closures=slots.closures(db(), quartier.id, today)), status


@bp.route("/quartiers/<code>/permanences", methods=["GET"])
def slots_page(code: str) -> Page:
    quartier = _quartier(code)
    return _page(quartier, SlotForm(formdata=None), ClosureForm(formdata=None))


@bp.route("/quartiers/<code>/permanences/horaire", methods=["POST"])
def add_slot(code: str) -> Page:
    quartier = _quartier(code)
    form = SlotForm()
    if form.validate_on_submit():
        try:
            slots.add_slot(db(), quartier, weekday=form.weekday.data, starts=form.starts.data,
                           ends=form.ends.data, place=form.place.data or "",
                           address=form.address.data or "", host=form.host.data or "",
                           topics=form.topics.data or "", actor=current_user,
                           now=clock.now())
        except slots.SlotError as error:
            show_error(form, error.field, str(ERRORS[error.code]))
        else:
            flash(_("Horaire ajouté."), "success")
            return redirect(url_for("permanence.slots_page", code=code))
    return _page(quartier, form, ClosureForm(formdata=None))


@bp.route("/quartiers/<code>/permanences/fermeture", methods=["POST"])
def add_closure(code: str) -> Page:
    quartier = _quartier(code)
    form = ClosureForm()
    if form.validate_on_submit():
        try:
            slots.add_closure(db(), quartier, first_day=form.first_day.data,
                              last_day=form.last_day.data, label=form.label.data or "",
                              actor=current_user, now=clock.now())
        except slots.SlotError as error:
            show_error(form, error.field, str(ERRORS[error.code]))
        else:
            flash(_("Fermeture ajoutée."), "success")
            return redirect(url_for("permanence.slots_page", code=code))
    return _page(quartier, SlotForm(formdata=None), form)


@bp.route("/quartiers/<code>/permanences/<kind>/<int:row_id>/supprimer", methods=["POST"])
def remove(code: str, kind: str, row_id: int) -> Page:
    quartier = _quartier(code)
    row: WeeklySlot | Closure | None
    if kind == "horaire":
        row = db().get(WeeklySlot, row_id)
    elif kind == "fermeture":
        row = db().get(Closure, row_id)
    else:
        abort(404)
    if row is None or row.quartier_id != quartier.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        slots.remove(db(), row, actor=current_user, now=clock.now())
        flash(_("Supprimé."), "success")
    return redirect(url_for("permanence.slots_page", code=code))
