"""Routes of the mail a resident chooses: the preferences page of the account, the
one-click stop of the news, the quartiers' letters (ask, confirm, leave) and what
pilots see of them. Thin: the rules are in ``notify`` and ``newsletter``."""

from __future__ import annotations

import math
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import User
from civic.core import clock, spreadsheet
from civic.core.db import session as db
from civic.core.extensions import csrf, limiter
from civic.core.forms import attach, blank_choice, choices, is_db_int, show_error
from civic.core.i18n import LANGUAGE_NAMES, _, _l, get_locale, ngettext
from civic.core.permissions import require
from civic.core.security import no_store, unsign
from civic.outreach import bp, digest, letter_mails, newsletter, notify, topics
from civic.outreach.mail_forms import (
    AddQuartierForm,
    ButtonForm,
    ExportForm,
    LetterForm,
    preferences_form,
)
from civic.outreach.newsletter import REASON_MAX, LetterError
from civic.outreach.notify import PreferenceError
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier

Page = str | BaseResponse | tuple[str, int]

ERRORS: dict[str, Any] = {
    "unknown_quartier": _l("Ce quartier n’existe pas. Choisissez dans la liste."),
    "unknown_topic": _l("Ce sujet n’existe pas. Rechargez la page."),
    "unknown_frequency": _l("Choisissez : tout de suite, une fois par semaine, ou jamais."),
    "email": _l("Cette adresse e-mail n’est pas valide. Exemple : nom@example.org"),
    "quartier": _l("Choisissez un quartier dans la liste."),
    "language": _l("Choisissez une langue dans la liste."),
    "reason_required": _l("Écrivez la raison de cet export."),
    "reason_long": _l("%(max)d caractères au plus.", max=REASON_MAX),
}


def _refused(form: Any, error: LetterError) -> int:
    """A refusal next to its field; the status of the page that shows it."""
    if error.code != "too_many":
        attach(form, error, ERRORS)
        return 400
    minutes = max(1, math.ceil(error.details["seconds"] / 60))
    show_error(form, error.field, ngettext("Trop de demandes : réessayez dans %(num)d minute.",
                                           "Trop de demandes : réessayez dans %(num)d minutes.",
                                           minutes))
    return 429


# --- The account's choices ------------------------------------------------------------


def _added(value: str | None, quartiers: dict[int, Quartier]) -> int | None:
    """The quartier the person is adding to the page (``?quartier=``), if it exists."""
    if value is None or not is_db_int(value) or int(value) not in quartiers:
        return None
    return int(value)


@bp.route("/compte/avis", methods=["GET", "POST"])
@login_required
def preferences() -> Page:
    require(current_user, "outreach.preferences", current_user)
    quartiers = {q.id: q for q in territory_queries.quartiers(db())}
    stored = notify.choices_of(db(), current_user)
    added = _added(request.args.get("quartier"), quartiers)
    shown = [q for q in notify.shown_quartiers(current_user, stored, added) if q in quartiers]
    form = preferences_form(shown, {(q, t): topics.frequency(stored.get(q, {}).get(t), t)
                                    for q in shown for t in topics.TOPICS})
    if form.validate_on_submit():
        chosen = {key: form[name].data for key, name in form.names.items()}
        try:
            notify.save(db(), current_user, chosen, quartier_ids=set(quartiers),
                        now=clock.now())
        except PreferenceError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Vos choix sont enregistrés."), "success")
            return redirect(url_for("outreach.preferences"))
    add = AddQuartierForm(formdata=None)
    add.quartier.choices = choices(blank_choice(_("Choisissez un quartier")) + [
        (q.id, q.name) for q in quartiers.values() if q.id not in shown])
    groups = [(quartiers[q], [(topic, form[form.names[(q, topic)]]) for topic in topics.TOPICS])
              for q in shown]
    return render_template("outreach/mail/preferences.html", form=form, groups=groups,
                           add=add, added=added, stored=stored, forget=ButtonForm(),
                           labels=topics.TOPIC_LABELS, hints=topics.TOPIC_HINTS,
                           frequencies=topics.FREQUENCY_LABELS), 400 if form.errors else 200


@bp.route("/compte/avis/quartiers/<int:quartier_id>/oublier", methods=["POST"])
@login_required
def forget_quartier(quartier_id: int) -> Page:
    require(current_user, "outreach.preferences", current_user)
    if not ButtonForm().validate_on_submit():
        abort(400)
    if notify.forget_quartier(db(), current_user, quartier_id):
        flash(_("Ce quartier est retiré de vos choix."), "success")
    return redirect(url_for("outreach.preferences"))


@bp.route("/avis/arret/<token>", methods=["GET", "POST"])
@csrf.exempt
def stop_news(token: str) -> Page:
    """The news mails' one-click way out (RFC 8058): a POST stops them, without a session
    or a form's token (the link's signature is the proof); a GET only shows the button,
    since mail scanners open links."""
    if request.method == "POST":
        user_id = unsign(digest.STOP_PURPOSE, token, digest.STOP_MAX_AGE)
        user = db().get(User, user_id) if isinstance(user_id, int) and is_db_int(user_id) \
            else None
        if user is not None and user.deleted_at is None:
            notify.stop_news(db(), user, now=clock.now())
        return no_store(render_template("outreach/mail/stop_news.html", done=True))
    return no_store(render_template("outreach/mail/stop_news.html", done=False, token=token))


# --- A quartier's letter --------------------------------------------------------------


def _throttle() -> Any:
    return current_app.extensions["civic.throttle"]


def _letter_form() -> LetterForm:
    quartiers = territory_queries.quartiers(db())
    data = None
    if request.method == "GET":
        code = request.args.get("quartier", "")
        chosen = next((q.id for q in quartiers if q.code == code.upper()), None)
        data = {"quartier_id": chosen, "language": str(get_locale())}
    form = LetterForm(data=data)
    form.quartier_id.choices = choices(blank_choice(_("Choisissez le quartier"))
                                       + [(q.id, q.name) for q in quartiers])
    return form


@bp.route("/lettre", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def letter() -> Page:
    form = _letter_form()
    if form.validate_on_submit():
        try:
            asked = newsletter.subscribe(db(), {
                "email": form.email.data, "language": form.language.data,
                "quartier": territory_queries.quartier_by_id(db(), form.quartier_id.data)},
                secret=str(current_app.config["SECRET_KEY"]),
                languages=current_app.config["LANGUAGES"], now=clock.now(), guard=_throttle())
        except LetterError as error:
            status = _refused(form, error)
            return render_template("outreach/mail/letter_form.html", form=form), status
        letter_mails.requested(asked)
        return redirect(url_for("outreach.letter_sent"))
    return render_template("outreach/mail/letter_form.html", form=form), \
        400 if form.errors else 200


@bp.route("/lettre/verifiez-vos-mails")
def letter_sent() -> Page:
    return render_template("outreach/mail/letter_sent.html",
                           hours=newsletter.confirm_hours(current_app.config))


@bp.route("/lettre/confirmer/<token>", methods=["GET", "POST"])
def letter_confirm(token: str) -> Page:
    """GET shows the button (a mail scanner opening the link confirms nothing); the
    POST confirms."""
    hours = newsletter.confirm_hours(current_app.config)
    form = ButtonForm()
    if form.validate_on_submit():
        state = newsletter.confirm(db(), token, now=clock.now(), hours=hours)
        done = state == newsletter.CONFIRMED
    else:
        state, done = newsletter.check_link(db(), token, now=clock.now(), hours=hours), False
    found = newsletter.find(db(), token) if state != newsletter.UNKNOWN else None
    ok = state in (newsletter.CONFIRMED, newsletter.ALREADY)
    page = render_template("outreach/mail/letter_confirm.html", state=state, done=done,
                           form=form, token=token, subscription=found,
                           languages=LANGUAGE_NAMES)
    return no_store(page, 200 if ok else 400)


@bp.route("/lettre/desabonnement/<token>", methods=["GET", "POST"])
@csrf.exempt
def letter_unsubscribe(token: str) -> Page:
    """RFC 8058: a mail client POSTs here in one click, without a session or a form's
    token; it always answers 200, the second time too, and never says whether the
    address was there. A GET shows the button only: mail scanners open links."""
    if request.method == "POST":
        newsletter.unsubscribe(db(), token)
        return no_store(render_template("outreach/mail/letter_unsubscribe.html", done=True))
    return no_store(render_template("outreach/mail/letter_unsubscribe.html", done=False,
                                    token=token))


# --- What pilots see ------------------------------------------------------------------


@bp.route("/admin/lettres")
def letter_counts() -> Page:
    require(current_user, "outreach.letter_counts")
    rows = newsletter.counts(db())
    return render_template("outreach/mail/letter_counts.html", rows=rows,
                           total=sum(n for _q, n in rows))


@bp.route("/admin/lettres/<int:quartier_id>/adresses", methods=["GET", "POST"])
def letter_export(quartier_id: int) -> Page:
    quartier = db().get(Quartier, quartier_id) or abort(404)
    require(current_user, "outreach.letter_export", quartier)
    form = ExportForm()
    if form.validate_on_submit():
        try:
            found = newsletter.export(db(), quartier, form.reason.data or "",
                                      actor=current_user, now=clock.now())
        except LetterError as error:
            attach(form, error, ERRORS)
        else:
            body = spreadsheet.csv_text([
                [_("Adresse e-mail"), _("Langue"), _("Confirmée le")],
                *([s.email, s.language, s.confirmed_at.date().isoformat()
                   if s.confirmed_at else ""] for s in found)])
            response = Response("\ufeff" + body, mimetype="text/csv")
            response.headers["Content-Disposition"] = (
                f'attachment; filename="lettre-{quartier.code.lower()}.csv"')
            response.headers["Cache-Control"] = "private, no-store"
            return response
    return render_template("outreach/mail/letter_export.html", form=form,
                           quartier=quartier), 400 if form.errors else 200
