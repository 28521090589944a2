"""Routes of events: thin; rules live in services and permissions."""

from __future__ import annotations

import calendar as month_grid
from datetime import date, datetime, timedelta
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
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import AGE_BRACKETS, GENDERS, Role
from civic.accounts.permissions import is_pilot
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.forms import attach, blank_choice, choices, page_number
from civic.core.i18n import _, _l, select_locale
from civic.core.permissions import can, require
from civic.core.security import unsign
from civic.core.web import timezone, visitor
from civic.events import bp, notifications, queries, services
from civic.events.forms import (
    AttendanceForm,
    CancelEventForm,
    ConfirmForm,
    EventForm,
    MessageForm,
    SignupForm,
)
from civic.events.labels import KINDS
from civic.events.models import Event, Signup, SignupStatus
from civic.map import queries as map_queries
from civic.map.models import Landmark
from civic.map.render import MapFragment, place_map
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier
from civic.territory.pages import quartier_or_404

Page = str | BaseResponse | tuple[str, int]
#: A signed cancel link is checked against the event's end, not against its age.
TOKEN_MAX_AGE = 10 * 365 * 24 * 3600

ERRORS: dict[str, Any] = {
    "kind": _l("Choisissez un type."),
    "required": _l("Ce champ est obligatoire."),
    "ends_before": _l("L’heure de fin doit venir après l’heure de début."),
    "past": _l("Ce jour est déjà passé."),
    "past_time": _l("Cette heure est déjà passée aujourd’hui : choisissez une heure à venir."),
    "capacity": _l("Indiquez un nombre entre 1 et 5000."),
    "capacity_below": _l("Plus de personnes sont déjà inscrites. Indiquez au moins ce "
                         "nombre de places."),
    "position": _l("Ce lieu n’a pas pu être placé sur la carte."),
    "quartier": _l("Choisissez le quartier."),
    "cancelled": _l("Cet événement est annulé."),
    "closed": _l("Les inscriptions sont fermées pour cet événement."),
    "party_size": _l("De 1 à 8 personnes par inscription."),
    "already": _l("Vous êtes déjà inscrit·e à cet événement."),
    "already_email": _l("Cette adresse e-mail est déjà inscrite à cet événement."),
    "share_phone": _l("Vous n’avez pas donné de téléphone : donnez-le, ou choisissez une "
                      "autre option."),
    "share_email": _l("Vous n’avez pas donné d’e-mail : donnez-le, ou choisissez une "
                      "autre option."),
    "contact": _l("Donnez un numéro de téléphone ou une adresse e-mail, pour qu’on puisse "
                  "vous prévenir."),
    "consent": _l("Cochez cette case pour vous inscrire."),
    "not_live": _l("Cette inscription est déjà annulée."),
    "started": _l("L’événement a commencé : l’inscription ne peut plus être annulée."),
    "not_started": _l("Les présences se notent le jour de l’événement."),
    "purged": _l("La liste des inscrits a été effacée après l’événement."),
    "walk_ins": _l("Indiquez un nombre entre 0 et 5000."),
    "names_over": _l("Il y a plus de noms que de personnes venues sans inscription."),
    "figures": _l("Indiquez un nombre entre 0 et 5000."),
    "figures_over": _l("Ces chiffres dépassent le nombre de personnes présentes."),
}


def _event(event_id: int) -> Event:
    event = db().get(Event, event_id) or abort(404)
    require(current_user, "events.view", event)
    return event


def _signup(token: str) -> Signup:
    """The signup a link names; an invalid or expired link gets its own page."""
    payload = unsign(notifications.TOKEN_PURPOSE, token, TOKEN_MAX_AGE)
    try:
        return services.by_token(db(), payload, now=clock.now())
    except services.EventError as error:
        abort(Response(render_template("events/bad_link.html", code=error.code), 410
                       if error.code == "token_expired" else 404))


def _small_map(event: Event) -> MapFragment | None:
    if event.latitude is None or event.longitude is None:
        return None
    config = current_app.config
    return place_map(event.latitude, event.longitude,
                     zoom_labels=(_("Agrandir la carte"), _("Réduire la carte")),
                     tile_url=config["TILE_URL"], attribution=config["TILE_ATTRIBUTION"])


# --- Lists, month, feeds ----------------------------------------------------------------


def _list(quartier: Quartier | None) -> Page:
    kind = request.args.get("type", "")
    when = "past" if request.args.get("quand") == "passes" else "upcoming"
    filters = queries.Filters(quartier_id=quartier.id if quartier else None,
                              kind=kind if kind in KINDS else "", when=when,
                              page=page_number(request.args.get("page")))
    events, more = queries.page(db(), filters, clock.now())
    return render_template("events/list.html", quartier=quartier, events=events, more=more,
                           filters=filters)


@bp.route("/evenements")
def all_events() -> Page:
    return _list(None)


@bp.route("/quartiers/<code>/evenements")
def quartier_events(code: str) -> Page:
    return _list(quartier_or_404(code))


def _month(value: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else abort(404)
    except ValueError:
        return today.replace(day=1)


@bp.route("/evenements/calendrier")
def month(code: str | None = None) -> Page:
    quartier = quartier_or_404(code) if code else None
    today = clock.local_day(clock.now(), timezone())
    first = _month(request.args.get("mois"), today)
    weeks = month_grid.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start = clock.to_utc(datetime.combine(weeks[0][0], datetime.min.time()), timezone())
    end = clock.to_utc(datetime.combine(weeks[-1][-1] + timedelta(days=1),
                                        datetime.min.time()), timezone())
    by_day: dict[date, list[Event]] = {}
    for event in queries.between(db(), quartier.id if quartier else None, start, end):
        day = clock.local_day(event.starts_at, timezone())
        last = clock.local_day(event.ends_at - timedelta(seconds=1), timezone())
        while day <= last:
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return render_template("events/month.html", quartier=quartier, first=first, weeks=weeks,
                           by_day=by_day, today=today, previous=previous, following=following)


bp.add_url_rule("/quartiers/<code>/evenements/calendrier", "quartier_month", month)


def _ics(events: list[Event], name: str, filename: str) -> Response:
    response = Response(notifications.ics(events, name), mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=900"
    return response


@bp.route("/evenements.ics")
def feed() -> Response:
    contract = territory_queries.current_contract(db())
    name = contract.name if contract else _("Événements")
    return _ics(queries.feed(db(), None, clock.now()), name, "evenements.ics")


@bp.route("/quartiers/<code>/evenements.ics")
def quartier_feed(code: str) -> Response:
    quartier = quartier_or_404(code)
    return _ics(queries.feed(db(), quartier.id, clock.now()),
                _("Événements — %(quartier)s", quartier=quartier.name),
                f"evenements-{quartier.code}.ics")


@bp.route("/evenements/<int:event_id>.ics")
def event_ics(event_id: int) -> Response:
    event = _event(event_id)
    return _ics([event], event.title, f"evenement-{event.id}.ics")


# --- One event, signing up ---------------------------------------------------------------


@bp.route("/evenements/<int:event_id>")
def event(event_id: int) -> Page:
    found = _event(event_id)
    user = visitor()
    mine = queries.own_signup(db(), found, user)
    return render_template("events/event.html", event=found, mine=mine,
                           rank=services.waiting_rank(db(), mine) if mine else None,
                           map=_small_map(found), now=clock.now())


@bp.route("/evenements/<int:event_id>/inscription", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def sign_up(event_id: int) -> Page:
    found = _event(event_id)
    if not can(current_user, "events.sign_up", found):
        flash(str(ERRORS["cancelled" if found.cancelled_at else "closed"]), "error")
        return redirect(url_for("events.event", event_id=found.id))
    user = visitor()
    form = SignupForm()
    if user is not None and request.method == "GET":
        form.name.data = user.display_name
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in (
            "name", "phone", "email", "party_size", "childcare", "step_free",
            "interpretation", "consent")}
        values["share"] = form.share.data if services.proposed_by_resident(found) else ""
        try:
            signup = services.sign_up(db(), found, values, user=user,
                                      language=select_locale(), now=clock.now())
        except services.EventError as error:
            attach(form, error, ERRORS, "required")
        else:
            notifications.signed_up(signup)
            return redirect(url_for("events.signup_page", token=notifications.token(signup)))
    return render_template("events/sign_up.html", event=found, form=form, user=user,
                           proposed=services.proposed_by_resident(found)), \
        400 if form.errors else 200


@bp.route("/evenements/inscription/<token>")
def signup_page(token: str) -> Page:
    signup = _signup(token)
    return render_template("events/signup.html", signup=signup, event=signup.event,
                           token=token, rank=services.waiting_rank(db(), signup),
                           now=clock.now())


@bp.route("/evenements/annulation/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def cancel_signup(token: str) -> Page:
    signup = _signup(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            promoted = services.cancel_signup(db(), signup, now=clock.now())
        except services.EventError as error:
            flash(str(ERRORS[error.code]), "error")
        else:
            notifications.cancelled(signup)
            for other in promoted:
                notifications.promoted(other)
            flash(_("Votre inscription est annulée. Merci d’avoir prévenu."), "success")
        return redirect(url_for("events.signup_page", token=token))
    return render_template("events/cancel_signup.html", signup=signup, event=signup.event,
                           form=form)


# --- Creating, proposing, editing, cancelling ---------------------------------------------


def _event_choices(form: EventForm, quartier: Quartier | None, *, pilot: bool,
                   event: Event | None = None) -> None:
    """Pilots may also choose the whole contract; everybody else picks a quartier. A
    partner of the contract is offered as organiser to pilots and its own referents
    only (and kept when the event already names it): a value outside these choices is
    refused by the form."""
    options = [(q.id, q.name) for q in territory_queries.quartiers(db())]
    first = blank_choice(_("Tout le contrat") if pilot else _("Choisissez le quartier"))
    form.quartier_id.choices = choices(first + options)
    contract = territory_queries.current_contract(db())
    partners = territory_queries.signatories(db(), contract) if contract else []
    form.signatory_id.choices = choices(blank_choice(_("Aucun")) + [
        (s.id, s.name) for s in partners
        if can(current_user, "events.name_signatory", s)
        or (event is not None and event.signatory_id == s.id)])
    target = quartier.id if quartier else None
    form.landmark_id.choices = choices(blank_choice(_("Ne pas montrer de carte")) + [
        (lm.id, lm.name) for lm in (map_queries.landmarks(db(), target) if target else [])])


def _values(form: EventForm, quartier_id: int | None) -> dict[str, Any]:
    tz = timezone()
    values: dict[str, Any] = {name: getattr(form, name).data for name in (
        "kind", "title", "description", "place", "address", "organiser", "signatory_id",
        "bring", "step_free", "childcare", "interpretation", "capacity")}
    values["starts_at"] = clock.to_utc(datetime.combine(form.day.data, form.start.data), tz)
    values["ends_at"] = clock.to_utc(datetime.combine(form.day.data, form.end.data), tz)
    landmark = db().get(Landmark, form.landmark_id.data) if form.landmark_id.data else None
    if landmark is not None and landmark.quartier_id != quartier_id:
        landmark = None
    values["latitude"] = landmark.latitude if landmark else None
    values["longitude"] = landmark.longitude if landmark else None
    return values


@bp.route("/evenements/nouveau", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=account_key)
def new() -> Page:
    """An animator of the quartier or a pilot publishes; anybody else with an account
    proposes, and the conseil citoyen decides."""
    user = visitor()
    require(current_user, "events.propose_any")
    code = request.args.get("quartier")
    quartier = quartier_or_404(code) if code else None
    form = EventForm()
    if form.is_submitted():
        quartier = territory_queries.quartier_by_id(db(), form.quartier_id.data)
    elif quartier is not None:
        form.quartier_id.data = quartier.id
    publishes = can(user, "events.create", quartier)
    _event_choices(form, quartier, pilot=is_pilot(user))
    if form.validate_on_submit():
        if not publishes and not can(user, "events.propose", quartier):
            attach(form, services.EventError("quartier", "quartier_id"), ERRORS, "required")
        else:
            try:
                values = _values(form, quartier.id if quartier else None)
                created = services.create(db(), quartier, values, author=user,
                                          proposed=not publishes, now=clock.now())
            except services.EventError as error:
                attach(form, _today_or_day(error, form), ERRORS, "required")
            else:
                if publishes:
                    flash(_("L’événement est en ligne."), "success")
                else:
                    flash(_("Merci ! Le conseil citoyen va relire l’événement avant de le "
                            "publier."), "success")
                return redirect(url_for("events.event", event_id=created.id))
    return render_template("events/form.html", form=form, event=None, quartier=quartier,
                           publishes=publishes), 400 if form.errors else 200


def _today_or_day(error: services.EventError, form: EventForm) -> services.EventError:
    """A start already passed today is a wrong time, not a wrong day."""
    if error.code == "past" and form.day.data == clock.local_day(clock.now(), timezone()):
        return services.EventError("past_time", "start")
    return error


@bp.route("/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
def edit(event_id: int) -> Page:
    found = _event(event_id)
    require(current_user, "events.edit", found)
    form = EventForm(obj=None if request.method == "POST" else found)
    _event_choices(form, found.quartier, pilot=is_pilot(current_user), event=found)
    del form.quartier_id
    if request.method == "GET":
        local_start = clock.to_local(found.starts_at, timezone())
        form.day.data = local_start.date()
        form.start.data = local_start.time()
        form.end.data = clock.to_local(found.ends_at, timezone()).time()
        form.landmark_id.data = next((lm.id for lm in map_queries.landmarks(
            db(), found.quartier_id or 0) if lm.latitude == found.latitude
            and lm.longitude == found.longitude), None)
    if form.validate_on_submit():
        try:
            noticeable, promoted = services.edit(db(), found,
                                                 _values(form, found.quartier_id),
                                                 actor=current_user, now=clock.now())
        except services.EventError as error:
            attach(form, error, ERRORS, "required")
        else:
            for signup in services.live_signups(db(), found) if noticeable else []:
                if signup not in promoted:  # their own mail carries the new details
                    notifications.changed(signup, noticeable)
            for signup in promoted:
                notifications.promoted(signup)
            flash(_("L’événement est modifié."), "success")
            return redirect(url_for("events.event", event_id=found.id))
    return render_template("events/form.html", form=form, event=found,
                           quartier=found.quartier, publishes=True), 400 if form.errors else 200


@bp.route("/evenements/<int:event_id>/annuler", methods=["GET", "POST"])
def cancel_event(event_id: int) -> Page:
    found = _event(event_id)
    require(current_user, "events.edit", found)
    form = CancelEventForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_event(db(), found, form.reason.data, actor=current_user,
                                         now=clock.now())
        except services.EventError as error:
            attach(form, error, ERRORS, "required")
        else:
            sent = sum(notifications.event_cancelled(s) for s in told)
            flash(_("L’événement est annulé. %(num)d personnes prévenues par e-mail.",
                    num=sent), "success")
            return redirect(url_for("events.event", event_id=found.id))
    return render_template("events/cancel_event.html", event=found,
                           form=form), 400 if form.errors else 200


# --- The organiser's side: the list, writing to it, attendance ----------------------------


@bp.route("/evenements/gerer")
def manage() -> Page:
    require(current_user, "events.manage")
    user = current_user
    scope = None if is_pilot(user) else user.quartier_ids_for(Role.ANIMATOR)
    return render_template("events/manage.html",
                           events=queries.managed(db(), scope, clock.now()),
                           now=clock.now())


@bp.route("/evenements/<int:event_id>/inscrits", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=account_key)
def attendees(event_id: int) -> Page:
    found = _event(event_id)
    require(current_user, "events.attendees", found)
    form = MessageForm()
    if form.validate_on_submit():
        sent = sum(notifications.message(s, form.subject.data, form.body.data,
                                         current_user.display_name)
                   for s in services.reachable(db(), found))
        services.messaged(db(), found, sent, actor=current_user, now=clock.now())
        flash(_("Message envoyé à %(num)d personnes.", num=sent), "success")
        return redirect(url_for("events.attendees", event_id=found.id))
    return render_template("events/attendees.html", event=found, form=form,
                           signups=queries.signups(db(), found),
                           full=can(current_user, "events.edit", found),
                           counts=queries.counts(db(), found),
                           reachable=len(services.reachable(db(), found)),
                           retention=current_app.config["EVENT_SIGNUP_RETENTION_DAYS"]), \
        400 if form.errors else 200


@bp.route("/evenements/<int:event_id>/presences", methods=["GET", "POST"])
def attendance(event_id: int) -> Page:
    found = _event(event_id)
    require(current_user, "events.attendees", found)
    signups = [s for s in queries.signups(db(), found)
               if s.status in (SignupStatus.CONFIRMED, SignupStatus.WAITING)]
    form = AttendanceForm()
    figures = services.figures_of(db(), found)
    if request.method == "GET":
        form.walk_ins.data = found.walk_ins
        form.walk_in_names.data = "\n".join(
            s.name for s in queries.signups(db(), found) if s.status == SignupStatus.WALK_IN)
        for (dimension, value), count in figures.items():
            getattr(form, f"{dimension}_{value}").data = count
    present = {s.id for s in signups if s.present}
    if form.validate_on_submit():
        present = set(services.ids(request.form.getlist("present")))
        counted = {("gender", g): getattr(form, f"gender_{g}").data or 0 for g in GENDERS}
        counted.update({("age", a): getattr(form, f"age_{a}").data or 0
                        for a in AGE_BRACKETS})
        try:
            total = services.take_attendance(db(), found, services.Attendance(
                present_ids=frozenset(present), walk_ins=form.walk_ins.data or 0,
                walk_in_names=tuple((form.walk_in_names.data or "").splitlines()),
                figures=counted), actor=current_user, now=clock.now())
        except services.EventError as error:
            field = {"gender": "gender_woman", "age": "age_under_18"}.get(error.field or "")
            attach(form, services.EventError(error.code, field or error.field), ERRORS,
                   "required")
        else:
            flash(_("Présences enregistrées : %(num)d personnes.", num=total), "success")
            return redirect(url_for("events.attendance", event_id=found.id))
    closed = services.attendance_closed(found, clock.now())
    return render_template("events/attendance.html", event=found, form=form, signups=signups,
                           present=present, genders=GENDERS, ages=AGE_BRACKETS,
                           closed=closed, closed_text=ERRORS.get(closed or ""),
                           opens_at=services.attendance_opens_at(found)), \
        400 if form.errors else 200
