"""The moderation workspace (conseil citoyen) and the report form (residents)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import Role
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.forms import db_int, is_db_int
from civic.core.i18n import _, ngettext
from civic.core.permissions import require
from civic.core.security import is_safe_redirect
from civic.moderation import bp, notifications, queries, registry, services
from civic.moderation.forms import BulkForm, DecisionForm, ModeForm, ReportForm, TitleForm
from civic.moderation.messages import attach_error, error_text
from civic.moderation.reasons import REJECTION_TEMPLATES, REPORT_REASONS
from civic.territory.models import Quartier

Page = str | BaseResponse | tuple[str, int]


def _kind(name: str) -> registry.Kind:
    return registry.get(name) or abort(404)


def _obj(kind: registry.Kind, item_id: int) -> Any:
    found = kind.load(db(), [item_id])
    return found[0] if found else abort(404)


def _reason(form: Any) -> str:
    """The typed reason; a chosen template stands in when nothing was typed."""
    typed = (form.reason.data or "").strip()
    if typed:
        return typed
    template = REJECTION_TEMPLATES.get(form.template.data or "")
    return str(template) if template else ""


def _moderated_quartiers() -> list[Quartier]:
    ids = current_user.quartier_ids_for(Role.MODERATOR)
    return [q for q in db().query(Quartier).order_by(Quartier.name) if q.id in ids]


@bp.route("/moderation")
def queue() -> Page:
    require(current_user, "moderation.queue")
    quartiers = _moderated_quartiers()
    ids = {q.id for q in quartiers}
    chosen = request.args.get("quartier", type=db_int)
    if chosen in ids:
        ids = {chosen}
    work = queries.queue(db(), ids, clock.now())
    every_kind = [k for k in registry.kinds() if any(e.kind is k for e in (*work.pending,
                                                                  *work.reported))]
    kind = request.args.get("type")
    if kind in {k.name for k in registry.kinds()}:
        work = queries.Queue([e for e in work.pending if e.kind.name == kind],
                             [e for e in work.reported if e.kind.name == kind])
    else:
        kind = None
    form = BulkForm()
    return render_template("moderation/queue.html", queue=work, quartiers=quartiers,
                           chosen=chosen, form=form, templates=REJECTION_TEMPLATES,
                           reasons=REPORT_REASONS, kinds=every_kind, chosen_kind=kind)


@bp.route("/moderation/lot", methods=["POST"])
def bulk() -> Page:
    require(current_user, "moderation.queue")
    form = BulkForm()
    form.items.choices = [(v, v) for v in request.form.getlist("items")]
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré. Recommencez."), "error")
        return redirect(url_for("moderation.queue"))
    reason = _reason(form)
    by_kind: dict[str, list[int]] = {}
    for value in form.items.data or []:
        name, _sep, raw_id = value.partition(":")
        if is_db_int(raw_id):
            by_kind.setdefault(name, []).append(int(raw_id))
    if not by_kind:
        flash(_("Cochez au moins une publication."), "error")
        return redirect(url_for("moderation.queue"))
    if form.action.data == "reject" and not reason:
        flash(error_text("reason_required"), "error")
        return redirect(url_for("moderation.queue"))
    done_all, skipped_all = 0, 0
    now = clock.now()
    for name, ids in by_kind.items():
        kind = registry.get(name)
        if kind is None:
            continue
        objs = [] if kind.decided_elsewhere else kind.load(db(), ids)
        skipped_all += len(ids) - len(objs)
        done, skipped = services.decide_many(db(), kind, objs, form.action.data, reason=reason,
                                             actor=current_user, now=now)
        for obj in done:
            notifications.decided(kind, obj, form.action.data)
        done_all += len(done)
        skipped_all += len(skipped)
    flash(ngettext("%(num)d publication traitée.", "%(num)d publications traitées.",
                   done_all), "success")
    if skipped_all:
        flash(ngettext("%(num)d publication laissée de côté : déjà traitée, à décider sur sa "
                       "propre page, ou écrite par vous.",
                       "%(num)d publications laissées de côté : déjà traitées, à décider sur "
                       "leur propre page, ou écrites par vous.", skipped_all), "info")
    return redirect(url_for("moderation.queue"))


@bp.route("/moderation/<kind_name>/<int:item_id>", methods=["GET", "POST"])
def item(kind_name: str, item_id: int) -> Page:
    kind = _kind(kind_name)
    obj = _obj(kind, item_id)
    described = kind.describe(obj)
    require(current_user, "moderation.moderate", described)
    elsewhere = kind.decision_url(obj)
    if elsewhere:
        return redirect(elsewhere)
    decision = DecisionForm(prefix="d")
    title_form = TitleForm(prefix="t", data={"title": described.title})
    if request.method == "POST":
        now = clock.now()
        if "t-title" in request.form:
            if title_form.validate_on_submit():
                try:
                    services.edit_title(db(), kind, obj, title_form.title.data,
                                        actor=current_user, now=now)
                except services.ModerationError as error:
                    attach_error(title_form, error)
                else:
                    flash(_("Le titre est modifié. Le titre d’origine reste visible."),
                          "success")
                    return redirect(url_for("moderation.item", kind_name=kind.name,
                                            item_id=obj.id))
        elif decision.validate_on_submit():
            action = decision.action.data or ""
            try:
                services.decide(db(), kind, obj, action, reason=_reason(decision),
                                actor=current_user, now=now)
            except services.ModerationError as error:
                attach_error(decision, error)
            else:
                notifications.decided(kind, obj, action)
                flash(_("C’est fait. L’auteur est prévenu."), "success")
                return redirect(url_for("moderation.queue"))
    reports = services.open_reports(db(), kind.name, [obj.id]).get(obj.id, [])
    failed = decision.errors or title_form.errors
    return render_template("moderation/item.html", kind=kind, obj=obj, item=described,
                           url=kind.url(obj), decision=decision, title_form=title_form,
                           reports=reports,
                           reasons=REPORT_REASONS, templates=REJECTION_TEMPLATES), \
        400 if failed else 200


@bp.route("/moderation/quartiers/<int:quartier_id>", methods=["GET", "POST"])
def settings(quartier_id: int) -> Page:
    quartier = db().get(Quartier, quartier_id) or abort(404)
    require(current_user, "moderation.settings", quartier)
    form = ModeForm(data={"mode": quartier.moderation_mode})
    if form.validate_on_submit():
        try:
            services.set_mode(db(), quartier, form.mode.data, actor=current_user,
                              now=clock.now())
        except services.ModerationError as error:
            attach_error(form, error)
        else:
            flash(_("Le réglage est enregistré."), "success")
            return redirect(url_for("moderation.settings", quartier_id=quartier.id))
    return render_template("moderation/settings.html", form=form, quartier=quartier), \
        400 if form.errors else 200


@bp.route("/signaler/<kind_name>/<int:item_id>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=account_key)
def report(kind_name: str, item_id: int) -> Page:
    kind = _kind(kind_name)
    obj = _obj(kind, item_id)
    described = kind.describe(obj)
    require(current_user, "moderation.report", described)
    form = ReportForm()
    back = request.values.get("next") or kind.url(obj)
    if not is_safe_redirect(back):
        back = kind.url(obj)
    if form.validate_on_submit():
        try:
            fresh = services.report(db(), kind, obj, reason=form.reason.data,
                                    comment=form.comment.data or "", reporter=current_user,
                                    now=clock.now())
        except services.ModerationError as error:
            attach_error(form, error)
        else:
            flash(_("Merci. Le conseil citoyen va relire ce message.") if fresh else
                  _("Vous aviez déjà signalé ce message. Le conseil citoyen va le relire."),
                  "success")
            return redirect(back)
    return render_template("moderation/report.html", form=form, item=described, kind=kind,
                           back=back), 400 if form.errors else 200
