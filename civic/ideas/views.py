"""Routes of the idea box: thin; rules live in services and permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import Role
from civic.budget import prefill
from civic.budget import queries as budget_queries
from civic.budget.phases import Phase
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.forms import attach, blank_choice, choices, is_db_int, page_number
from civic.core.i18n import _, _l
from civic.core.permissions import can, require
from civic.core.uploads import read_photo, store
from civic.core.web import visitor
from civic.ideas import bp, notifications, queries, services
from civic.ideas.forms import (
    AnswerForm,
    CommentForm,
    FilterForm,
    ForwardingAnswerForm,
    IdeaForm,
    IdeaForSomeoneForm,
)
from civic.ideas.labels import STATUSES
from civic.ideas.models import Comment, Forwarding, Idea, Status
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier, Signatory
from civic.territory.pages import quartier_or_404

if TYPE_CHECKING:
    from civic.accounts.models import User

Page = str | BaseResponse | tuple[str, int]

ERRORS: dict[str, Any] = {
    "required": _l("Ce champ est obligatoire."),
    "too_long": _l("Ce texte est trop long."),
    "orientation": _l("Choisissez un thème de la liste."),
    "position": _l("Cette position n’a pas pu être lue. Réessayez."),
    "not_published": _l("Cette idée n’est pas publiée."),
    "own_idea": _l("Vous ne pouvez pas soutenir votre propre idée."),
    "parent": _l("Ce commentaire n’existe plus."),
    "status": _l("Choisissez une réponse de la liste."),
    "response_required": _l("Écrivez la réponse : les habitants la liront."),
    "signatory": _l("Choisissez le signataire."),
    "due_required": _l("Indiquez la date de réponse attendue."),
    "due_past": _l("Cette date est déjà passée."),
    "already_forwarded": _l("Cette idée attend déjà la réponse de ce signataire."),
    "already_answered": _l("Cette transmission a déjà reçu sa réponse."),
}


def _idea(idea_id: int) -> Idea:
    idea = db().get(Idea, idea_id) or abort(404)
    require(current_user, "ideas.view", idea)
    return idea


def _orientation_choices(form: Any, quartier: Quartier, blank: Any) -> None:
    form.choices = choices(blank_choice(blank) + [
        (o.id, o.name) for o in territory_queries.orientations(db(), quartier.contract)])


# --- Browsing -------------------------------------------------------------------------


@bp.route("/quartiers/<code>/idees")
def browse(code: str) -> Page:
    quartier = quartier_or_404(code)
    form = FilterForm(request.args)
    _orientation_choices(form.orientation, quartier, _("Tous les thèmes"))
    form.status.choices = choices(blank_choice(_("Toutes")) + list(STATUSES.items())
                                  + [("rejected", _("Refusées par le conseil citoyen"))])
    form.sort.choices = choices([("recent", _("Les plus récentes")),
                                 ("supported", _("Les plus soutenues"))])
    valid = form.validate()
    status = form.status.data if form.status.data in {*STATUSES, "rejected"} else ""
    try:
        orientation = form.orientation.data
    except (TypeError, ValueError):
        orientation = None
    filters = queries.Filters(
        q=(form.q.data or "") if valid else "", orientation_id=orientation, status=status,
        sort=form.sort.data if form.sort.data in queries.SORTS else "recent",
        page=page_number(request.args.get("page")))
    rows, more = queries.browse(db(), quartier.id, filters)
    return render_template("ideas/browse.html", quartier=quartier, form=form, rows=rows,
                           more=more, filters=filters,
                           waiting=queries.mine_waiting(db(), quartier.id, visitor())), \
        400 if form.errors else 200


@bp.route("/idees/<int:idea_id>")
def idea(idea_id: int) -> Page:
    found = _idea(idea_id)
    user = visitor()
    supports, follows = queries.relation(db(), found, user)
    return render_template("ideas/idea.html", idea=found, quartier=found.quartier,
                           threads=queries.threads(db(), found, user), supports=supports,
                           follows=follows, form=CommentForm(),
                           fph_rounds=_open_rounds(db(), found))


# --- Posting --------------------------------------------------------------------------


def _post(quartier: Quartier, form: IdeaForm, *, for_someone: bool) -> Page | None:
    _orientation_choices(form.orientation_id, quartier, _("Aucun en particulier"))
    if not form.validate_on_submit():
        return None
    readable, photo = read_photo(form.photo)
    if not readable:
        return None
    values = {name: getattr(form, name).data for name in (
        "title", "body", "orientation_id", "place", "latitude", "longitude")}
    if for_someone:
        values["author_name"] = form.author_name.data
    try:
        new = services.post(db(), quartier, values,
                            author=None if for_someone else current_user,
                            entered_by=current_user if for_someone else None, now=clock.now())
    except services.IdeaError as error:
        attach(form, error, ERRORS)
        return None
    if photo is not None:
        services.set_photo(db(), new, store(photo))
    if new.moderation == "published":
        flash(_("Merci ! L’idée est en ligne."), "success")
    else:
        flash(_("Merci ! Le conseil citoyen va relire l’idée avant de la publier."), "success")
    if for_someone:
        return redirect(url_for("ideas.new_for_someone", code=quartier.code))
    return redirect(url_for("ideas.idea", idea_id=new.id))


@bp.route("/quartiers/<code>/idees/proposer", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=account_key)
@limiter.limit("30 per hour", methods=["POST"])
def new(code: str) -> Page:
    quartier = quartier_or_404(code)
    require(current_user, "ideas.post", quartier)
    form = IdeaForm()
    done = _post(quartier, form, for_someone=False)
    if done is not None:
        return done
    return render_template("ideas/form.html", form=form, quartier=quartier,
                           for_someone=False), 400 if form.errors else 200


@bp.route("/permanence/quartiers/<code>/idee", methods=["GET", "POST"])
def new_for_someone(code: str) -> Page:
    quartier = quartier_or_404(code)
    require(current_user, "ideas.post_for", quartier)
    form = IdeaForSomeoneForm()
    done = _post(quartier, form, for_someone=True)
    if done is not None:
        return done
    return render_template("ideas/form.html", form=form, quartier=quartier,
                           for_someone=True), 400 if form.errors else 200


# --- Supporting, following, commenting -----------------------------------------------


@bp.route("/idees/<int:idea_id>/soutien", methods=["POST"])
@limiter.limit("120 per hour", key_func=account_key)
@limiter.limit("300 per hour")
def support(idea_id: int) -> Page:
    found = _idea(idea_id)
    require(current_user, "ideas.support", found)
    if request.form.get("action") == "remove":
        if services.withdraw_support(db(), found, current_user):
            flash(_("Votre soutien est retiré."), "success")
    else:
        try:
            services.support(db(), found, current_user, now=clock.now())
        except services.IdeaError as error:
            flash(str(ERRORS[error.code]), "error")
        else:
            flash(_("Merci pour votre soutien !"), "success")
    return redirect(url_for("ideas.idea", idea_id=found.id, _anchor="soutien"))


@bp.route("/idees/<int:idea_id>/suivi", methods=["POST"])
@limiter.limit("120 per hour", key_func=account_key)
def follow(idea_id: int) -> Page:
    found = _idea(idea_id)
    require(current_user, "ideas.follow", found)
    if request.form.get("action") == "remove":
        services.unfollow(db(), found, current_user)
        flash(_("Vous ne recevrez plus d’e-mail sur cette idée."), "success")
    else:
        services.follow(db(), found, current_user, now=clock.now())
        flash(_("Vous recevrez un e-mail quand cette idée avancera."), "success")
    return redirect(url_for("ideas.idea", idea_id=found.id, _anchor="soutien"))


@bp.route("/idees/<int:idea_id>/commentaires", methods=["POST"])
@limiter.limit("30 per hour", key_func=account_key)
@limiter.limit("60 per hour")
def comment(idea_id: int) -> Page:
    found = _idea(idea_id)
    require(current_user, "ideas.comment", found)
    form = CommentForm()
    if form.validate_on_submit():
        parent = None
        if is_db_int(form.parent_id.data or ""):
            parent = db().get(Comment, int(form.parent_id.data))
        try:
            new_comment = services.comment(db(), found, form.body.data, author=current_user,
                                           parent=parent, now=clock.now())
        except services.IdeaError as error:
            attach(form, error, ERRORS)
        else:
            flash(_("Merci ! Votre commentaire est en ligne.")
                  if new_comment.moderation == "published" else
                  _("Merci ! Le conseil citoyen va relire votre commentaire."), "success")
            return redirect(url_for("ideas.idea", idea_id=found.id,
                                    _anchor=f"commentaire-{new_comment.id}"))
    user = visitor()
    supports, follows = queries.relation(db(), found, user)
    return render_template("ideas/idea.html", idea=found, quartier=found.quartier,
                           threads=queries.threads(db(), found, user), supports=supports,
                           follows=follows, form=form, fph_rounds=_open_rounds(db(), found)), 400


# --- Answers --------------------------------------------------------------------------


def _open_rounds(session: Session, found: Idea) -> list[Any]:
    """FPH rounds of the idea's quartier taking proposals now."""
    if found.status != Status.FPH:
        return []
    now = clock.now()
    return [r for r in budget_queries.rounds_of_quartier(session, found.quartier_id)
            if r.phase(now) == Phase.SUBMISSION]


@bp.route("/idees/<int:idea_id>/reponse", methods=["GET", "POST"])
def answer(idea_id: int) -> Page:
    found = _idea(idea_id)
    require(current_user, "ideas.answer", found)
    form = AnswerForm(data={"status": found.status, "response": found.response}
                      if request.method == "GET" else None)
    form.status.choices = choices([(k, v) for k, v in STATUSES.items() if k != Status.NEW])
    form.signatory_id.choices = choices(blank_choice("—") + [
        (s.id, s.name) for s in territory_queries.signatories(db(), found.quartier.contract)])
    if form.validate_on_submit():
        signatory = (db().get(Signatory, form.signatory_id.data)
                     if form.signatory_id.data else None)
        now = clock.now()
        try:
            forwarding = services.answer(
                db(), found, form.status.data or "", form.response.data or "",
                actor=current_user, now=now, signatory=signatory, due_on=form.due_on.data,
                message=form.message.data or "",
                today=clock.local_day(now, current_app.config["TIMEZONE"]))
        except services.IdeaError as error:
            attach(form, error, ERRORS)
        else:
            if forwarding is not None:
                db().refresh(forwarding)
                notifications.forwarded(forwarding)
            notifications.status_changed(found, queries.followers(db(), found),
                                         actor=current_user, forwarding=forwarding)
            flash(_("La réponse est publiée et les personnes qui suivent l’idée sont "
                    "prévenues."), "success")
            return redirect(url_for("ideas.idea", idea_id=found.id))
    return render_template("ideas/answer.html", form=form, idea=found,
                           quartier=found.quartier), 400 if form.errors else 200


@bp.route("/idees/<int:idea_id>/vers-le-fph", methods=["POST"])
def to_fph(idea_id: int) -> Page:
    """The author turns an idea the institutions sent to the FPH into a proposal."""
    found = _idea(idea_id)
    user = visitor()
    rounds = _open_rounds(db(), found)
    if user is None or found.author_id != user.id or not rounds:
        abort(403)
    return redirect(url_for("budget.propose", round_id=rounds[0].id, depuis=f"idea:{found.id}"))


@prefill.register("idea")
def _project_from_idea(session: Session, idea_id: int, user: User) -> dict[str, Any] | None:
    found = session.get(Idea, idea_id)
    if found is None or found.author_id != user.id or found.status != Status.FPH:
        return None
    return {"title": found.title, "summary": found.title, "description": found.body,
            "orientation_id": found.orientation_id, "place": found.place}


# --- The signatories' space -----------------------------------------------------------


@bp.route("/signataire")
def signatory_space() -> Page:
    require(current_user, "ideas.signatory_space")
    ids = {g.signatory_id for g in current_user.active_roles
           if g.role == Role.SIGNATORY and g.signatory_id is not None}
    signatories = [db().get(Signatory, i) for i in sorted(ids)]
    return render_template("ideas/signatory.html", signatories=signatories,
                           forwardings=queries.forwardings_for(db(), ids))


@bp.route("/signataire/transmissions/<int:forwarding_id>", methods=["GET", "POST"])
def answer_forwarding(forwarding_id: int) -> Page:
    forwarding = db().get(Forwarding, forwarding_id) or abort(404)
    require(current_user, "ideas.view_forwarding", forwarding)
    form = ForwardingAnswerForm()
    if can(current_user, "ideas.answer_forwarding", forwarding) and form.validate_on_submit():
        try:
            services.answer_forwarding(db(), forwarding, form.answer.data, actor=current_user,
                                       now=clock.now())
        except services.IdeaError as error:
            attach(form, error, ERRORS)
        else:
            idea_ = forwarding.idea
            notifications.status_changed(idea_, queries.followers(db(), idea_),
                                         actor=current_user, forwarding=forwarding)
            flash(_("Merci ! Votre réponse est publiée sur la page de l’idée."), "success")
            return redirect(url_for("ideas.signatory_space"))
    return render_template("ideas/answer_forwarding.html", form=form, forwarding=forwarding,
                           idea=forwarding.idea), 400 if form.errors else 200


# --- Qui fait quoi --------------------------------------------------------------------


@bp.route("/qui-fait-quoi")
def who_does_what() -> Page:
    contract = territory_queries.current_contract(db()) or abort(404)
    return render_template("ideas/who_does_what.html", contract=contract,
                           orientations=territory_queries.orientations(db(), contract),
                           rows=queries.who_does_what(db(), contract),
                           recent=queries.RECENT)


@bp.route("/qui-fait-quoi/<int:signatory_id>")
def forwarded_to(signatory_id: int) -> Page:
    contract = territory_queries.current_contract(db()) or abort(404)
    signatory = db().get(Signatory, signatory_id)
    if signatory is None or signatory.contract_id != contract.id:
        abort(404)
    page = page_number(request.args.get("page"))
    forwardings, more = queries.forwarded_to(db(), contract, signatory, page)
    if page > 1 and not forwardings:
        abort(404)
    return render_template("ideas/forwarded_to.html", signatory=signatory,
                           forwardings=forwardings, page=page, more=more)
