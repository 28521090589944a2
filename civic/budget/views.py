"""Routes of the FPH: thin; rules live in services and permissions."""

from __future__ import annotations

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
from flask_babel import format_datetime
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from civic.budget import box, bp, counting, notifications, prefill, queries, services, trustees
from civic.budget.forms import (
    ConfirmForm,
    DeclarationForm,
    FollowUpForm,
    FundForm,
    ProjectForm,
    ReceiptForm,
    ReviewForm,
    RoundForm,
    TrusteesForm,
    UpdateForm,
    count_form,
)
from civic.budget.labels import NEXT_STEPS
from civic.budget.messages import attach_error, error_text
from civic.budget.models import (
    Channel,
    FollowUp,
    Fund,
    Project,
    RememberedDeclaration,
    Round,
)
from civic.budget.phases import NEXT_BOUNDARY, Phase
from civic.core import clock
from civic.core.db import checkpoint_after_commit
from civic.core.db import session as db
from civic.core.forms import blank_choice, choices
from civic.core.i18n import _
from civic.core.permissions import PermissionDenied, can, require
from civic.core.qr import qr_svg
from civic.core.security import no_store
from civic.core.uploads import read_photo, store
from civic.core.web import timezone, visitor
from civic.map import queries as map_queries
from civic.map import views as map_views  # a module: civic.map imports this part too
from civic.map.models import Landmark
from civic.territory import queries as territory_queries
from civic.territory.models import Quartier

Page = str | BaseResponse | tuple[str, int]


def _round(round_id: int) -> Round:
    return db().get(Round, round_id) or abort(404)


def _project(project_id: int) -> Project:
    project = db().get(Project, project_id) or abort(404)
    require(current_user, "budget.view_project", project)
    return project


# --- Public pages ---------------------------------------------------------------------


@bp.route("/fph/<int:round_id>")
def round_page(round_id: int) -> Page:
    round_ = _round(round_id)
    now = clock.now()
    user = visitor()
    return render_template(
        "budget/round.html", round=round_, fund=round_.fund, phase=round_.phase(now),
        projects=queries.ballot_projects(db(), round_),
        mine=queries.my_projects(db(), round_, user),
        has_voted=services.has_voted(db(), round_, user),
        ballots=queries.ballot_count(db(), round_), empty_seal=box.EMPTY_SEAL,
        trustee_waiting=can(current_user, "budget.receive_share", round_))


@bp.route("/fph/projets/<int:project_id>")
def project_page(project_id: int) -> Page:
    project = _project(project_id)
    return render_template("budget/project.html", project=project, round=project.round,
                           phase=project.round.phase(clock.now()))


@bp.route("/fph/recu", methods=["GET", "POST"])
def receipt() -> Page:
    form = ReceiptForm()
    found = None
    checked = False
    if form.validate_on_submit():
        checked = True
        found = services.receipt_in_box(db(), form.code.data)
    return render_template("budget/receipt_check.html", form=form, found=found,
                           found_round=db().get(Round, found.round_id) if found else None,
                           checked=checked)


@bp.route("/fph/<int:round_id>/resultats")
def results(round_id: int) -> Page:
    round_ = _round(round_id)
    if round_.results is None or not can(current_user, "budget.view_results", round_):
        abort(404)  # unpublished results do not exist for the public
    return render_template("budget/results.html", round=round_, fund=round_.fund,
                           results=round_.results, phase=round_.phase(clock.now()),
                           explanation=counting.explain(round_.fund))


@bp.route("/fph/<int:round_id>/bulletins.pb")
def ballots_file(round_id: int) -> Response:
    round_ = _round(round_id)
    if round_.results_published_at is None:
        abort(404)
    return Response(counting.export_pb(db(), round_), mimetype="text/plain",
                    headers={"Content-Disposition":
                             f'attachment; filename="fph-{round_.id}-bulletins.pb"'})


# --- Proposing a project --------------------------------------------------------------


def _project_form(round_: Round, project: Project | None = None) -> ProjectForm:
    form = ProjectForm(obj=project)
    if request.method == "GET" and project is not None:
        for entry, line in zip(form.lines, project.budget_lines, strict=False):
            entry.form.label.data = line["label"]
            entry.form.amount_cents.data = line["amount_cents"]
        form.latitude.data = "" if project.latitude is None else str(project.latitude)
        form.longitude.data = "" if project.longitude is None else str(project.longitude)
    contract = round_.fund.quartier.contract
    form.orientation_id.choices = choices(
        blank_choice(_("Aucun en particulier"))
        + [(o.id, o.name) for o in territory_queries.orientations(db(), contract)])
    form.landmark_id.choices = choices(
        blank_choice(_("Je choisis sur la carte"))
        + [(lm.id, lm.name) for lm in map_queries.landmarks(db(), round_.fund.quartier_id)])
    return form


def _picker(round_: Round) -> dict[str, Any]:
    """The small map of the quartier the proposer taps the place on."""
    return map_views.place_picker(round_.fund.quartier)


def _project_values(form: ProjectForm) -> dict[str, Any] | None:
    """The form's values for the service, or None after marking a badly typed place."""
    values = {name: getattr(form, name).data for name in (
        "title", "summary", "description", "amount_cents", "orientation_id", "carrier_kind",
        "carrier_name", "contact", "place")}
    values["budget_lines"] = form.budget_lines()
    if values["amount_cents"] is None:  # the total of the lines, as the page shows it
        amounts = [line["amount_cents"] for line in values["budget_lines"]
                   if line["amount_cents"] is not None]
        if not amounts:
            form.amount_cents.errors = [_("Indiquez un montant.")]
            return None
        values["amount_cents"] = sum(amounts)
    for name in ("latitude", "longitude"):
        raw = (getattr(form, name).data or "").strip().replace(",", ".")
        try:
            values[name] = float(raw) if raw else None
        except ValueError:
            getattr(form, name).errors = [_("Écrivez un nombre, par exemple 43.5745.")]
            return None
    landmark = db().get(Landmark, form.landmark_id.data) if form.landmark_id.data else None
    if values["latitude"] is None and landmark is not None:  # chosen without the map
        values["latitude"], values["longitude"] = landmark.latitude, landmark.longitude
        values["place"] = values["place"] or landmark.name
    return values


def _stored(photo: bytes | None) -> str | None:
    return store(photo) if photo is not None else None


@bp.route("/fph/<int:round_id>/proposer", methods=["GET", "POST"])
def propose(round_id: int) -> Page:
    round_ = _round(round_id)
    require(current_user, "budget.propose", round_)
    form = _project_form(round_)
    if request.method == "GET":
        for name, value in prefill.values(db(), request.args.get("depuis"), current_user).items():
            getattr(form, name).data = value
    if form.validate_on_submit() and (values := _project_values(form)) is not None:
        readable, photo = read_photo(form.photo)
        if readable:
            try:
                project = services.propose(db(), round_, values, author=current_user,
                                           now=clock.now())
            except services.BudgetError as error:
                attach_error(form, error)
            else:
                services.set_photo(db(), project, _stored(photo))
                flash(_("Merci ! Votre projet est envoyé au comité du FPH."), "success")
                return redirect(url_for("budget.project_page", project_id=project.id))
    return render_template("budget/project_form.html", form=form, round=round_, project=None,
                           fund=round_.fund, picker=_picker(round_)), \
        400 if form.errors else 200


@bp.route("/fph/projets/<int:project_id>/modifier", methods=["GET", "POST"])
def edit_project(project_id: int) -> Page:
    project = _project(project_id)
    require(current_user, "budget.edit_project", project)
    form = _project_form(project.round, project)
    if form.validate_on_submit() and (values := _project_values(form)) is not None:
        readable, photo = read_photo(form.photo)
        if readable:
            try:
                services.edit_project(db(), project, values, now=clock.now())
            except services.BudgetError as error:
                attach_error(form, error)
            else:
                if photo:
                    services.set_photo(db(), project, _stored(photo))
                flash(_("Votre projet est mis à jour."), "success")
                return redirect(url_for("budget.project_page", project_id=project.id))
    return render_template("budget/project_form.html", form=form, round=project.round,
                           project=project, fund=project.round.fund,
                           picker=_picker(project.round)), 400 if form.errors else 200


@bp.route("/fph/projets/<int:project_id>/retirer", methods=["POST"])
def withdraw(project_id: int) -> Page:
    project = _project(project_id)
    require(current_user, "budget.edit_project", project)
    services.withdraw(db(), project, now=clock.now())
    flash(_("Votre projet est retiré."), "success")
    return redirect(url_for("budget.round_page", round_id=project.round_id))


# --- Review by the FPH committee ------------------------------------------------------


@bp.route("/fph/<int:round_id>/examen")
def review_queue(round_id: int) -> Page:
    round_ = _round(round_id)
    require(current_user, "budget.review_round", round_)
    return render_template("budget/review_queue.html", round=round_, fund=round_.fund,
                           projects=queries.projects(db(), round_))


@bp.route("/fph/projets/<int:project_id>/examen", methods=["GET", "POST"])
def review(project_id: int) -> Page:
    project = _project(project_id)
    require(current_user, "budget.review", project)
    form = ReviewForm(data=project.checklist if request.method == "GET" else None)
    others = [p for p in queries.projects(db(), project.round) if p.id != project.id]
    form.merge_into.choices = choices(blank_choice("—") + [(p.id, p.title) for p in others])
    if form.validate_on_submit():
        target = db().get(Project, form.merge_into.data) if form.merge_into.data else None
        checklist = {name: getattr(form, name).data for name in services.CHECKLIST}
        try:
            services.review(db(), project, form.decision.data, checklist=checklist,
                            message=form.message.data or "", merge_into=target,
                            actor=current_user, now=clock.now())
        except services.BudgetError as error:
            attach_error(form, error)
        else:
            notifications.reviewed(project)
            flash(_("La décision est enregistrée et l’auteur est prévenu."), "success")
            return redirect(url_for("budget.review_queue", round_id=project.round_id))
    return render_template("budget/review.html", form=form, project=project,
                           round=project.round, fund=project.round.fund), \
        400 if form.errors else 200


# --- The vote -------------------------------------------------------------------------


@bp.route("/fph/<int:round_id>/voter", methods=["GET", "POST"])
def vote(round_id: int) -> Page:
    round_ = _round(round_id)
    phase = round_.phase(clock.now())
    if phase != Phase.VOTE:  # said plainly, not as a missing right
        if phase in (Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW):
            flash(_("Le vote n’est pas encore ouvert : il ouvre le %(when)s.",
                    when=format_datetime(round_.vote_starts_at, "short")), "info")
        else:
            flash(_("Le vote est clos. Merci à toutes celles et ceux qui ont voté."), "info")
        return redirect(url_for("budget.round_page", round_id=round_.id))
    require(current_user, "budget.vote", round_)
    form = DeclarationForm()
    picked = counting.choices_from_form(request.form, round_.fund.vote_method)
    step = request.form.get("step", "choose")
    if request.method == "GET" and services.has_voted(db(), round_, current_user):
        flash(_("Vous avez déjà voté pour cette session. Merci !"), "info")
        return redirect(url_for("budget.round_page", round_id=round_.id))
    kept = services.remembered(db(), current_user, round_.fund.quartier_id)
    if kept is not None and request.method == "GET":
        # Filled in, never sent as is: the person checks it and ticks the box again.
        form.name.data, form.birth_date.data = kept.name, kept.birth_date
    if step == "cast" and form.validate_on_submit():
        return _cast_online(round_, form, picked)  # the service checks everything once
    projects = queries.ballot_projects(db(), round_)
    if step == "review" and _declaration(form, round_)[1] is False and _choices_ok(
            round_, projects, picked):
        return no_store(render_template(
            "budget/vote_confirm.html", round=round_, fund=round_.fund, form=form,
            chosen=[(p, picked[p.id]) for p in projects if p.id in picked],
            total=sum(p.amount_cents for p in projects if p.id in picked), picked=picked,
            kept=kept))
    status = 400 if request.method == "POST" and step != "choose" else 200
    return no_store(render_template("budget/vote.html", round=round_, fund=round_.fund,
                                    form=form, projects=projects, picked=picked,
                                    kept=kept), status)


def _choices_ok(round_: Round, projects: list[Project], picked: dict[int, int]) -> bool:
    try:
        services.check_choices(db(), round_, picked,
                               costs={p.id: p.amount_cents for p in projects})
    except services.BudgetError as error:
        flash(error_text(error), "error")
        return False
    return True


def _cast_online(round_: Round, form: DeclarationForm, picked: dict[int, int]) -> Page:
    declaration = services.Declaration(form.name.data, form.birth_date.data,
                                       bool(form.lives_in_quartier.data))
    try:
        code = services.cast(db(), round_, declaration, picked, channel=Channel.ONLINE,
                             user=current_user, now=clock.now(),
                             today=clock.local_day(clock.now(), timezone()))
    except services.BudgetError as error:
        flash(error_text(error), "error")
        return redirect(url_for("budget.round_page", round_id=round_.id))
    if request.form.get("remember"):
        services.remember_declaration(db(), current_user, declaration,
                                      quartier_id=round_.fund.quartier_id, now=clock.now())
    elif services.remembered(db(), current_user, round_.fund.quartier_id) is not None:
        services.forget_declaration(db(), current_user)  # the box was unticked
    mailed = bool(request.form.get("mail_receipt")) and bool(current_user.email)
    if mailed:
        notifications.receipt(round_, current_user, code)
    return no_store(render_template("budget/voted.html", round=round_, code=code,
                                    mailed=mailed))


def _declaration(form: DeclarationForm, round_: Round) -> tuple[Any, bool]:
    if not form.validate_on_submit():
        return None, True
    declaration = services.Declaration(form.name.data, form.birth_date.data,
                                       bool(form.lives_in_quartier.data))
    try:
        services.check_declaration(round_.fund, declaration,
                                   clock.local_day(clock.now(), timezone()))
    except services.BudgetError as error:
        attach_error(form, error)
        return None, True
    return declaration, False


@bp.route("/compte/vote-fph", methods=["GET", "POST"])
@login_required
def remembered_declaration() -> Page:
    """What the site remembers, at the person's request, to fill in their next votes."""
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        services.forget_declaration(db(), current_user)
        flash(_("C’est oublié : au prochain vote, vous taperez à nouveau votre nom et votre "
                "date de naissance."), "success")
        return redirect(url_for("budget.remembered_declaration"))
    kept = db().get(RememberedDeclaration, current_user.id)
    return render_template("budget/remembered.html", kept=kept,
                           quartier=db().get(Quartier, kept.quartier_id) if kept else None)


# --- The bureau de vote and the count -------------------------------------------------


@bp.route("/admin/fph/sessions/<int:round_id>/garants", methods=["GET", "POST"])
def trustees_page(round_id: int) -> Page:
    """The pilot names the trustees of the round's count key."""
    round_ = _round(round_id)
    require(current_user, "budget.manage")
    people = trustees.eligible(db(), round_)
    form = TrusteesForm(data={"trustees": [t.user_id for t in round_.trustees],
                              "needed": round_.trustees_needed}
                        if request.method == "GET" and round_.trustees else None)
    form.trustees.choices = choices((u.id, u.display_name) for u in people)
    if form.validate_on_submit():
        require(current_user, "budget.trustees", round_)
        chosen = [u for u in people if u.id in form.trustees.data]
        try:
            seats = trustees.name(db(), round_, chosen, form.needed.data, actor=current_user,
                                  now=clock.now())
        except services.BudgetError as error:
            attach_error(form, error)
        else:
            notifications.trustee_named(round_, [s.user for s in seats])
            flash(_("Les garants sont nommés. Chacun reçoit un courriel pour venir chercher "
                    "sa part de clé."), "success")
            return redirect(request.path)
    return render_template("budget/admin/trustees.html", form=form, round=round_,
                           fund=round_.fund, phase=round_.phase(clock.now())), \
        400 if form.errors else 200


@bp.route("/fph/<int:round_id>/garant", methods=["GET", "POST"])
def trustee(round_id: int) -> Page:
    """A trustee receives their share, once: the answer is the only copy there is."""
    round_ = _round(round_id)
    if visitor() is None:  # the mailed link: log in first, then come back here
        raise PermissionDenied("budget.receive_share", anonymous=True)
    seat = trustees.seat_of(round_, visitor())
    if seat is None:
        abort(404)
    if request.method == "POST":  # hand_share checks the seat, the phase and "only once"
        try:
            share = trustees.hand_share(db(), round_, current_user, now=clock.now())
        except services.BudgetError as error:
            flash(error_text(error), "error")
            return redirect(request.path)
        return no_store(render_template("budget/share_sheet.html", round=round_,
                                        fund=round_.fund, seat=seat, share=share,
                                        qr=qr_svg(share)))
    return render_template("budget/trustee.html", round=round_, fund=round_.fund, seat=seat,
                           phase=round_.phase(clock.now()))


@bp.route("/fph/<int:round_id>/depouillement", methods=["GET", "POST"])
def count_page(round_id: int) -> Page:
    round_ = _round(round_id)
    require(current_user, "budget.view_count", round_)
    form = count_form(round_.trustees_needed)
    if form.validate_on_submit():
        require(current_user, "budget.count", round_)
        try:
            counting.count(db(), round_, form.shares(round_.trustees_needed),
                           actor=current_user, now=clock.now(),
                           small=current_app.config["SMALL_CELL_THRESHOLD"])
        except services.BudgetError as error:
            if error.code == "seal_broken":  # its audit entry must be kept: no rollback
                flash(error_text(error), "error")
                return redirect(request.path)
            attach_error(form, error)
        else:
            checkpoint_after_commit(db)  # the log keeps nothing of the box, commit by commit
            flash(_("L’urne est ouverte et les bulletins sont comptés. Les résultats peuvent "
                    "être publiés."), "success")
            if can(current_user, "budget.publish", round_):
                return redirect(url_for("budget.results", round_id=round_.id))
            return redirect(url_for("budget.round_page", round_id=round_.id))
    return no_store(render_template(
        "budget/count.html", round=round_, fund=round_.fund, form=form,
        phase=round_.phase(clock.now()), seal_intact=services.seal_intact(db(), round_),
        ballots=queries.ballot_count(db(), round_), turnout=queries.turnout(db(), round_)),
        400 if form.errors else 200)


@bp.route("/fph/<int:round_id>/empreintes.txt")
def trackers_file(round_id: int) -> Response:
    """The published list of trackers, once the results are out."""
    round_ = _round(round_id)
    if round_.results_published_at is None:
        abort(404)
    return Response(counting.trackers_text(db(), round_), mimetype="text/plain",
                    headers={"Content-Disposition":
                             f'attachment; filename="fph-{round_.id}-empreintes.txt"'})


@bp.route("/fph/<int:round_id>/publier", methods=["GET", "POST"])
def publish(round_id: int) -> Page:
    """Publish the results, once the page has said that they cannot change after."""
    round_ = _round(round_id)
    require(current_user, "budget.publish", round_)
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        counting.publish(db(), round_, actor=current_user, now=clock.now())
        flash(_("Les résultats sont publiés."), "success")
        return redirect(url_for("budget.results", round_id=round_.id))
    return render_template(
        "budget/admin/confirm.html", round=round_, title=_("Publier les résultats"),
        consequence=_("Tout le monde verra les résultats, et ils ne pourront plus changer. "
                      "Les projets financés passent au suivi."),
        confirm=_("Publier les résultats"),
        action=url_for("budget.publish", round_id=round_.id),
        back=url_for("budget.results", round_id=round_.id))


# --- Follow-up ------------------------------------------------------------------------


@bp.route("/fph/projets/<int:project_id>/suivi", methods=["GET", "POST"])
def follow_up(project_id: int) -> Page:
    project = _project(project_id)
    require(current_user, "budget.follow_up", project)
    form = FollowUpForm(obj=project, prefix="status")
    update_form = UpdateForm(prefix="news")
    if request.method == "POST" and request.form.get("part") == "status" and form.validate():
        services.set_follow_up(db(), project, FollowUp(form.follow_up.data),
                               form.spent_cents.data, actor=current_user, now=clock.now())
        flash(_("L’avancement est enregistré."), "success")
        return redirect(url_for("budget.project_page", project_id=project.id))
    if request.method == "POST" and request.form.get("part") == "news" and update_form.validate():
        readable, photo = read_photo(update_form.photo)
        if readable:
            services.add_update(db(), project, update_form.text.data, _stored(photo),
                                actor=current_user, now=clock.now())
            flash(_("La nouvelle est publiée."), "success")
            return redirect(url_for("budget.project_page", project_id=project.id))
    return render_template("budget/follow_up.html", project=project, form=form,
                           update_form=update_form), \
        400 if form.errors or update_form.errors else 200


# --- Funds and rounds (pilot) ---------------------------------------------------------


@bp.route("/admin/fph")
def admin_funds() -> Page:
    require(current_user, "budget.manage")
    return render_template("budget/admin/funds.html", funds=queries.funds(db()),
                           now=clock.now())


@bp.route("/admin/fph/fonds/nouveau", methods=["GET", "POST"], defaults={"fund_id": None})
@bp.route("/admin/fph/fonds/<int:fund_id>", methods=["GET", "POST"])
def edit_fund(fund_id: int | None) -> Page:
    require(current_user, "budget.manage")
    fund = db().get(Fund, fund_id) or abort(404) if fund_id is not None else None
    form = FundForm(obj=fund)
    form.quartier_id.choices = choices([(q.id, q.name)
                                        for q in territory_queries.quartiers(db())])
    if form.validate_on_submit():
        quartier = fund.quartier if fund else territory_queries.quartier_by_id(
            db(), form.quartier_id.data)
        values = {name: field.data for name, field in form._fields.items()}
        try:
            if quartier is None:
                raise services.BudgetError("quartier", "quartier_id")
            services.save_fund(db(), quartier, fund, values, actor=current_user,
                               now=clock.now())
        except services.BudgetError as error:
            attach_error(form, error)
        else:
            flash(_("Le fonds est enregistré."), "success")
            return redirect(url_for("budget.admin_funds"))
    return render_template("budget/admin/fund_form.html", form=form, fund=fund), \
        400 if form.errors else 200


@bp.route("/admin/fph/fonds/<int:fund_id>/sessions/nouvelle", methods=["GET", "POST"],
          defaults={"round_id": None})
@bp.route("/admin/fph/fonds/<int:fund_id>/sessions/<int:round_id>", methods=["GET", "POST"])
def edit_round(fund_id: int, round_id: int | None) -> Page:
    require(current_user, "budget.manage")
    fund = db().get(Fund, fund_id) or abort(404)
    round_ = db().get(Round, round_id) if round_id is not None else None
    if round_id is not None and (round_ is None or round_.fund_id != fund.id):
        abort(404)
    form = RoundForm(obj=round_)
    if request.method == "GET" and round_ is not None:
        for name in services.ROUND_DATES:
            getattr(form, name).data = clock.to_local(getattr(round_, name), timezone())
    if form.validate_on_submit():
        values = {"title": form.title.data, **{
            name: clock.to_utc(getattr(form, name).data, timezone())
            for name in services.ROUND_DATES}}
        try:
            round_ = services.save_round(db(), fund, round_, values, actor=current_user,
                                         now=clock.now())
        except services.BudgetError as error:
            attach_error(form, error)
        else:
            flash(_("La session est enregistrée."), "success")
            return redirect(url_for("budget.admin_funds"))
    passed = {name for name in services.ROUND_DATES
              if round_ is not None and getattr(round_, name) <= clock.now()}
    for name in passed:
        field = getattr(form, name)
        field.description = _("Cette date est passée : elle reste telle quelle.")
    if round_ is not None and round_.phase(clock.now()) == Phase.VOTE:
        form.vote_ends_at.description = _("Le vote est ouvert : vous pouvez reculer sa "
                                          "clôture pour le prolonger.")
    return render_template("budget/admin/round_form.html", form=form, fund=fund,
                           round=round_, passed=passed), 400 if form.errors else 200


@bp.route("/admin/fph/sessions/<int:round_id>/avancer", methods=["GET", "POST"])
def advance(round_id: int) -> Page:
    """Move a round on by hand: the page names the step and says what cannot be undone;
    its button does it."""
    require(current_user, "budget.manage")
    round_ = _round(round_id)
    phase = round_.phase(clock.now())
    if phase not in NEXT_BOUNDARY:
        flash(error_text(services.BudgetError("cannot_advance")), "error")
        return redirect(url_for("budget.admin_funds"))
    step, consequence = NEXT_STEPS[phase.value]
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        try:
            services.advance_phase(db(), round_, actor=current_user, now=clock.now())
        except services.BudgetError as error:
            flash(error_text(error), "error")
        else:
            flash(_("C’est fait : %(step)s.", step=str(step).lower()), "success")
        return redirect(url_for("budget.admin_funds"))
    return render_template("budget/admin/confirm.html", round=round_, title=step,
                           consequence=consequence, confirm=step,
                           action=url_for("budget.advance", round_id=round_.id),
                           back=url_for("budget.admin_funds"))

