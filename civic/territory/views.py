"""Public pages of the territory and the contract set-up pages of the pilot."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import User
from civic.accounts.permissions import audit_quartiers
from civic.core import audit, audit_labels, clock, jobs, mail
from civic.core.db import session as db
from civic.core.forms import attach, blank_choice, choices, db_int
from civic.core.i18n import _, _l, ngettext
from civic.core.permissions import require
from civic.core.web import timezone
from civic.territory import bp, queries, sections, services
from civic.territory.forms import (
    ContractForm,
    JournalFilterForm,
    OrientationForm,
    QuartierForm,
    SignatoryForm,
    commitments_form,
)
from civic.territory.models import Contract, Orientation, Quartier, Signatory

Page = str | BaseResponse | tuple[str, int]

#: Entries on one page of the journal.
JOURNAL_PAGE = 100

ERRORS = {
    "period": _l("La dernière année doit venir après la première."),
    "duplicate_code": _l("Un autre quartier a déjà ce code."),
}


@bp.route("/")
def home() -> Page:
    contract = queries.current_contract(db())
    chosen = session.get("quartier")
    return render_template("territory/home.html", contract=contract,
                           quartiers=queries.quartiers(db()), chosen=chosen)


@bp.route("/quartiers/<code>")
def quartier(code: str) -> Page:
    found = queries.quartier_by_code(db(), code) or abort(404)
    session["quartier"] = found.code
    user = current_user if current_user.is_authenticated else None
    return render_template("territory/quartier.html", quartier=found, contract=found.contract,
                           sections=sections.for_quartier(db(), found, user, clock.now()))


@bp.route("/credits")
def credits() -> Page:
    return render_template("territory/credits.html")


@bp.route("/confidentialite")
def privacy() -> Page:
    return render_template("territory/privacy.html")


# --- Contract set-up (pilot) -------------------------------------------------------


@bp.route("/admin/")
def admin() -> Page:
    require(current_user, "admin.access")
    contract = queries.current_contract(db())
    return render_template("territory/admin/index.html", contract=contract)


@bp.route("/admin/contrat", methods=["GET", "POST"])
def edit_contract() -> Page:
    require(current_user, "territory.manage")
    contract = queries.current_contract(db())
    form = ContractForm(obj=contract)
    if form.validate_on_submit():
        try:
            services.save_contract(db(), contract, _values(form), actor=current_user,
                                   now=clock.now())
        except services.TerritoryError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Le contrat est enregistré."), "success")
            return redirect(url_for("territory.admin"))
    return render_template("territory/admin/contract.html", form=form,
                           contract=contract), 400 if form.errors else 200


def _values(form: FlaskForm) -> dict[str, Any]:
    values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    if "perimeter" in values:
        values["perimeter"] = form.perimeter.geometry  # type: ignore[attr-defined]
    return values


def _contract_or_setup() -> Contract:
    contract = queries.current_contract(db())
    if contract is None:
        flash(_("Commencez par décrire le contrat."), "info")
        abort(redirect(url_for("territory.edit_contract")))
    return contract


def _edit(model: type, form_class: type[FlaskForm], save: Callable[..., Any],
          item_id: int | None, title: Any, back: str) -> Page:
    """Shared create/edit page of quartiers, orientations and signatories."""
    require(current_user, "territory.manage")
    contract = _contract_or_setup()
    item = db().get(model, item_id) if item_id is not None else None
    if item_id is not None and (item is None or item.contract_id != contract.id):
        abort(404)
    form = form_class(obj=item)
    if form.validate_on_submit():
        try:
            save(db(), contract, item, _values(form), actor=current_user, now=clock.now())
        except services.TerritoryError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("C’est enregistré."), "success")
            return redirect(url_for(back))
    return render_template("territory/admin/edit.html", form=form, item=item, title=title,
                           back=url_for(back)), 400 if form.errors else 200


@bp.route("/admin/quartiers")
def list_quartiers() -> Page:
    require(current_user, "territory.manage")
    return render_template("territory/admin/quartiers.html",
                           quartiers=queries.quartiers(db(), with_perimeters=True))


@bp.route("/admin/quartiers/nouveau", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/admin/quartiers/<int:item_id>", methods=["GET", "POST"])
def edit_quartier(item_id: int | None) -> Page:
    return _edit(Quartier, QuartierForm, services.save_quartier, item_id, _l("Quartier"),
                 "territory.list_quartiers")


@bp.route("/admin/orientations")
def list_orientations() -> Page:
    require(current_user, "territory.manage")
    contract = _contract_or_setup()
    return render_template("territory/admin/orientations.html",
                           orientations=queries.orientations(db(), contract))


@bp.route("/admin/orientations/nouvelle", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/admin/orientations/<int:item_id>", methods=["GET", "POST"])
def edit_orientation(item_id: int | None) -> Page:
    return _edit(Orientation, OrientationForm, services.save_orientation, item_id,
                 _l("Orientation du contrat"), "territory.list_orientations")


@bp.route("/admin/signataires")
def list_signatories() -> Page:
    require(current_user, "territory.manage")
    contract = _contract_or_setup()
    return render_template("territory/admin/signatories.html",
                           signatories=queries.signatories(db(), contract))


@bp.route("/admin/signataires/nouveau", methods=["GET", "POST"], defaults={"item_id": None})
@bp.route("/admin/signataires/<int:item_id>", methods=["GET", "POST"])
def edit_signatory(item_id: int | None) -> Page:
    return _edit(Signatory, SignatoryForm, services.save_signatory, item_id, _l("Signataire"),
                 "territory.list_signatories")


@bp.route("/admin/signataires/<int:item_id>/engagements", methods=["GET", "POST"])
def edit_commitments(item_id: int) -> Page:
    require(current_user, "territory.manage")
    contract = _contract_or_setup()
    signatory = db().get(Signatory, item_id)
    if signatory is None or signatory.contract_id != contract.id:
        abort(404)
    orientations = queries.orientations(db(), contract)
    form = commitments_form(orientations, {c.orientation_id: c.text
                                           for c in signatory.commitments})
    if form.validate_on_submit():
        services.save_commitments(db(), signatory, {
            o.id: form[f"o{o.id}"].data or "" for o in orientations},
            actor=current_user, now=clock.now())
        flash(_("C’est enregistré."), "success")
        return redirect(url_for("territory.list_signatories"))
    return render_template("territory/admin/commitments.html", form=form, signatory=signatory,
                           orientations=orientations), 400 if form.errors else 200


@bp.route("/admin/journal")
def audit_log() -> Page:
    """The journal of actions in words, newest first, a hundred a page: a pilot reads
    all of it, a conseil citoyen member the history of their quartiers' posts. Filtered
    by part of the site, person and dates; a wrong filter is said next to its field."""
    require(current_user, "audit.read")
    quartier_ids = audit_quartiers(current_user)
    people = sorted(db().scalars(select(User).where(User.id.in_(
                        audit.actor_ids_query(quartier_ids=quartier_ids)))),
                    key=lambda u: (u.deleted_at is not None, u.display_name.casefold(), u.id))
    form = JournalFilterForm(request.args)
    form.genre.choices = choices(blank_choice(_("Toutes"))
                                 + [(k, label) for k, label in audit_labels.KINDS.items()])
    form.personne.choices = choices(blank_choice(_("Tout le monde")) + [
        (u.id, u.display_name if u.deleted_at is None and u.display_name
         else _("compte supprimé (n° %(number)d)", number=u.id)) for u in people])
    narrowing = form.narrowing()
    found = audit.page(db(), per_page=JOURNAL_PAGE, quartier_ids=quartier_ids,
                       before_id=request.args.get("avant", type=db_int),
                       after_id=request.args.get("apres", type=db_int),
                       timezone=timezone(), **narrowing)
    return render_template("territory/admin/audit.html", form=form,
                           lines=[audit_labels.describe(e) for e in found.entries],
                           page=found, args=form.query_args(),
                           everything=quartier_ids is None)


@bp.route("/admin/courriels", methods=["GET", "POST"])
def mail_outbox() -> Page:
    """What waits in the outbox, what failed, and sending the failed ones again."""
    require(current_user, "mail.manage")
    form = FlaskForm()
    if form.validate_on_submit():
        mail_id = request.form.get("mail_id", type=db_int)
        now = clock.now()
        again = mail.retry_failed(db(), now=now, mail_id=mail_id)
        audit.record(db(), actor=current_user, action="mail.retried", target_type="mail",
                     target_id=mail_id, now=now, mails=again)
        jobs.defer_once(db(), "mail.deliver")
        flash(ngettext("%(num)d courriel va repartir.", "%(num)d courriels vont repartir.",
                       again), "success")
        return redirect(url_for("territory.mail_outbox"))
    return render_template("territory/admin/mail.html", form=form, counts=mail.counts(db()),
                           oldest=mail.oldest_pending(db()), failures=mail.failures(db()),
                           masked=mail.masked)
