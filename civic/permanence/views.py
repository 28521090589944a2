"""Routes of the animator's tablet, the kiosk, paper votes and vote codes."""

from __future__ import annotations

from datetime import date, datetime

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from civic.accounts.models import Role
from civic.budget import box, counting
from civic.budget import queries as budget_queries
from civic.budget.forms import DeclarationForm
from civic.budget.messages import attach_error, error_text
from civic.budget.models import PaperVoid, Project, Round
from civic.budget.phases import Phase
from civic.budget.services import BudgetError, Declaration, check_choices
from civic.core import clock
from civic.core.db import session as db
from civic.core.extensions import limiter
from civic.core.forms import choices, is_db_int
from civic.core.i18n import LANGUAGE_NAMES, _
from civic.core.permissions import can, require
from civic.core.qr import qr_svg
from civic.core.security import no_store
from civic.core.web import timezone
from civic.permanence import bp, codes, queries, services
from civic.permanence.forms import (
    CodesForm,
    CodeVoteForm,
    KioskDeclarationForm,
    PaperVoidForm,
    PermanenceForm,
)
from civic.permanence.models import Permanence
from civic.territory import queries as territory_queries

Page = str | BaseResponse | tuple[str, int]


def _today() -> date:
    return clock.local_day(clock.now(), timezone())


def _permanence(permanence_id: int) -> Permanence:
    permanence = db().get(Permanence, permanence_id) or abort(404)
    require(current_user, "permanence.run", permanence)
    return permanence


def _voting_round(permanence: Permanence, round_id: int) -> Round:
    round_ = db().get(Round, round_id) or abort(404)
    if round_.fund.quartier_id != permanence.quartier_id:
        abort(404)
    return round_


# --- The hub --------------------------------------------------------------------------


@bp.route("/permanence", methods=["GET", "POST"])
def hub() -> Page:
    require(current_user, "permanence.hub")
    mine = current_user.quartier_ids_for(Role.ANIMATOR)
    form = PermanenceForm(data={"day": _today()} if request.method == "GET" else None)
    form.quartier_id.choices = choices((q.id, q.name) for q in territory_queries.quartiers(db())
                                       if q.id in mine)
    if form.validate_on_submit():
        quartier = territory_queries.quartier_by_id(db(), form.quartier_id.data)
        try:
            if quartier is None or quartier.id not in mine:
                raise BudgetError("quartier", "quartier_id")
            permanence = services.open_permanence(
                db(), quartier, form.place.data,
                clock.to_utc(datetime.combine(form.day.data, form.starts.data), timezone()),
                clock.to_utc(datetime.combine(form.day.data, form.ends.data), timezone()),
                actor=current_user, now=clock.now())
        except BudgetError as error:
            attach_error(form, error)
        else:
            return redirect(url_for("permanence.detail", permanence_id=permanence.id))
    return render_template("permanence/hub.html", form=form,
                           permanences=queries.upcoming(db(), mine, clock.now())), \
        400 if form.errors else 200


@bp.route("/permanence/<int:permanence_id>")
def detail(permanence_id: int) -> Page:
    permanence = _permanence(permanence_id)
    now = clock.now()
    rounds = [r for r in budget_queries.rounds_of_quartier(db(), permanence.quartier_id)
              if r.phase(now) in (Phase.VOTE, Phase.COUNTING)]
    return render_template("permanence/detail.html", permanence=permanence,
                           rounds=[(r, r.phase(now)) for r in rounds])


# --- Kiosk ----------------------------------------------------------------------------


def _declaration(form: DeclarationForm) -> Declaration:
    return Declaration(form.name.data, form.birth_date.data, bool(form.lives_in_quartier.data))


@bp.route("/permanence/<int:permanence_id>/kiosque/<int:round_id>", methods=["GET", "POST"])
def kiosk(permanence_id: int, round_id: int) -> Page:
    """The animator's screen: type and check the declaration, then hand the tablet over."""
    permanence = _permanence(permanence_id)
    round_ = _voting_round(permanence, round_id)
    form = KioskDeclarationForm()
    if form.validate_on_submit():
        declaration = _declaration(form)
        try:
            if not form.checked.data:
                raise BudgetError("not_checked", "checked")
            ticket = services.issue_ticket(db(), round_, permanence, declaration,
                                           now=clock.now(), today=_today())
        except BudgetError as error:
            attach_error(form, error)
        else:
            return _ballot_screen(round_, permanence, ticket, {}, str(current_user.language))
    return no_store(render_template("permanence/kiosk_start.html", form=form, round=round_,
                                     permanence=permanence), 400 if form.errors else 200)


def _ballot_screen(round_: Round, permanence: Permanence, ticket: str,
                   picked: dict[int, int], language: str, step: str = "choose",
                   status: int = 200, projects: list[Project] | None = None) -> Response:
    if projects is None:
        projects = budget_queries.ballot_projects(db(), round_)
    template = "permanence/kiosk_confirm.html" if step == "confirm" else \
        "permanence/kiosk_ballot.html"
    with force_locale(language):
        body = render_template(
            template, round=round_, fund=round_.fund, permanence=permanence, ticket=ticket,
            projects=projects, picked=picked, kiosk_language=language,
            kiosk_languages=LANGUAGE_NAMES,
            chosen=[(p, picked[p.id]) for p in projects if p.id in picked],
            total=sum(p.amount_cents for p in projects if p.id in picked))
    return no_store(body, status)


@bp.route("/permanence/<int:permanence_id>/kiosque/<int:round_id>/bulletin",
          methods=["POST"])
def kiosk_ballot(permanence_id: int, round_id: int) -> Page:
    """The resident's screens: choose, confirm, cast — or give the tablet back."""
    permanence = _permanence(permanence_id)
    round_ = _voting_round(permanence, round_id)
    back = url_for("permanence.kiosk", permanence_id=permanence.id, round_id=round_.id)
    ticket = request.form.get("ticket", "")
    voter = services.voter_of_ticket(db(), round_, permanence, ticket, now=clock.now())
    if voter is None:
        flash(_("Le temps est écoulé : recommencez la déclaration."), "error")
        return redirect(back)
    action = request.form.get("action", "choose")
    language = request.form.get("switch_lang") or request.form.get("lang", "fr")
    language = language if language in LANGUAGE_NAMES else "fr"
    picked = counting.choices_from_form(request.form, round_.fund.vote_method)
    if action == "giveback":
        services.drop_ticket(db(), ticket)
        flash(_("La tablette a été rendue sans vote."), "info")
        return redirect(back)
    if action == "cast":  # the service checks the choices and the register, once
        try:
            services.kiosk_cast(db(), round_, permanence, ticket, voter, picked,
                                now=clock.now(), today=_today())
        except BudgetError as error:
            if error.field != "choices":
                flash(error_text(error), "error")
                return redirect(back)
            with force_locale(language):
                flash(error_text(error), "error")
            return _ballot_screen(round_, permanence, ticket, picked, language, status=400)
        with force_locale(language):
            return no_store(render_template("permanence/kiosk_thanks.html", round=round_,
                                            permanence=permanence, back=back))
    projects = budget_queries.ballot_projects(db(), round_)
    if action == "confirm":
        try:
            check_choices(db(), round_, picked, costs={p.id: p.amount_cents for p in projects})
        except BudgetError as error:
            with force_locale(language):
                flash(error_text(error), "error")
            return _ballot_screen(round_, permanence, ticket, picked, language, status=400,
                                  projects=projects)
        return _ballot_screen(round_, permanence, ticket, picked, language, step="confirm",
                              projects=projects)
    return _ballot_screen(round_, permanence, ticket, picked, language, projects=projects)


# --- Paper ----------------------------------------------------------------------------


@bp.route("/permanence/<int:permanence_id>/papier/<int:round_id>", methods=["GET", "POST"])
def paper(permanence_id: int, round_id: int) -> Page:
    """Paper votes at a permanence: the register, the ballots typed in after the box is
    opened, and their corrections until the count (a person forgotten in the register, a
    ballot entered by mistake, voided by two people)."""
    permanence = db().get(Permanence, permanence_id) or abort(404)
    require(current_user, "permanence.paper", permanence)
    round_ = _voting_round(permanence, round_id)
    voter_form = KioskDeclarationForm(prefix="voter")
    void_form = PaperVoidForm(prefix="void")
    part = request.form.get("part")
    done: BaseResponse | None = None
    status = 200
    if part == "voter" and voter_form.validate_on_submit():
        done = _paper_voter(round_, permanence, voter_form)
    elif part == "ballot":
        done = _paper_ballot(round_, permanence)
    elif part == "void" and void_form.validate_on_submit():
        done = _paper_void(round_, permanence, void_form)
    elif part == "void-decision" and is_db_int(request.form.get("void", "")):
        done = _paper_void_decision(round_, permanence, int(request.form["void"]))
    if done is not None:
        return done
    if voter_form.errors or void_form.errors or request.method == "POST":
        status = 400
    counts = [c for c in services.paper_counts(db(), round_)
              if c.permanence.id == permanence.id]
    return no_store(render_template(
        "permanence/paper.html", permanence=permanence, round=round_, fund=round_.fund,
        voter_form=voter_form, void_form=void_form,
        projects=budget_queries.ballot_projects(db(), round_),
        voids=budget_queries.paper_voids(db(), round_, permanence.id),
        receipt=box.receipt, count=counts[0] if counts else None,
        phase=round_.phase(clock.now()),
        fixable=round_.phase(clock.now()) in (Phase.VOTE, Phase.COUNTING)
        and not round_.count_started_at), status)


def _paper_voter(round_: Round, permanence: Permanence,
                 form: KioskDeclarationForm) -> BaseResponse | None:
    """Write a paper voter in the register: during the vote, or after it (audited) for
    one who was forgotten."""
    try:
        if not form.checked.data:
            raise BudgetError("not_checked", "checked")
        if round_.phase(clock.now()) == Phase.VOTE:
            services.budget.register_paper_voter(
                db(), round_, _declaration(form), permanence_id=permanence.id,
                now=clock.now(), today=_today())
        else:
            services.budget.add_forgotten_paper_voter(
                db(), round_, _declaration(form), permanence_id=permanence.id,
                actor=current_user, now=clock.now(), today=_today())
    except BudgetError as error:
        attach_error(form, error)
        return None
    flash(_("La personne est inscrite : donnez-lui un bulletin papier."), "success")
    return redirect(request.path)


def _paper_ballot(round_: Round, permanence: Permanence) -> BaseResponse | None:
    picked = counting.choices_from_form(request.form, round_.fund.vote_method)
    try:
        receipt = services.budget.enter_paper_ballot(db(), round_, picked,
                                                     permanence_id=permanence.id,
                                                     now=clock.now())
    except BudgetError as error:
        flash(error_text(error), "error")
        return None
    flash(_("Le bulletin papier est saisi. Son reçu : %(receipt)s (notez-le s’il faut "
            "l’annuler).", receipt=receipt), "success")
    return redirect(request.path)


def _paper_void(round_: Round, permanence: Permanence,
                form: PaperVoidForm) -> BaseResponse | None:
    try:
        services.budget.ask_paper_void(db(), round_, permanence_id=permanence.id,
                                       receipt=form.receipt.data or "",
                                       reason=form.reason.data or "", actor=current_user,
                                       now=clock.now())
    except BudgetError as error:
        attach_error(form, error)
        return None
    flash(_("L’annulation est demandée. Une autre personne doit la confirmer sur cette "
            "page."), "success")
    return redirect(request.path)


def _paper_void_decision(round_: Round, permanence: Permanence,
                         void_id: int) -> BaseResponse | None:
    void = db().get(PaperVoid, void_id)
    if void is None or (void.round_id, void.permanence_id) != (round_.id, permanence.id):
        abort(404)
    try:
        if request.form.get("decision") == "confirm":
            services.budget.confirm_paper_void(db(), void, actor=current_user,
                                               now=clock.now())
            flash(_("Le bulletin est retiré de l’urne."), "success")
        else:
            services.budget.withdraw_paper_void(db(), void, actor=current_user,
                                                now=clock.now())
            flash(_("La demande d’annulation est retirée."), "success")
    except BudgetError as error:
        flash(error_text(error), "error")
        return None
    return redirect(request.path)


# --- Vote codes -----------------------------------------------------------------------


@bp.route("/admin/fph/sessions/<int:round_id>/codes", methods=["GET", "POST"])
def vote_codes(round_id: int) -> Page:
    """Every print run of a round, wherever printed; pilots print and void."""
    round_ = db().get(Round, round_id) or abort(404)
    require(current_user, "budget.manage")
    return _codes_page(round_, None, allowed=can(current_user, "permanence.codes", round_),
                       back=url_for("budget.admin_funds"))


@bp.route("/permanence/<int:permanence_id>/codes/<int:round_id>", methods=["GET", "POST"])
def permanence_codes(permanence_id: int, round_id: int) -> Page:
    """An animator prints vote codes for their permanence, and sees its print runs."""
    permanence = db().get(Permanence, permanence_id) or abort(404)
    require(current_user, "permanence.print_codes", permanence)
    round_ = _voting_round(permanence, round_id)
    allowed = round_.phase(clock.now()) in (Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW,
                                            Phase.VOTE)
    return _codes_page(round_, permanence, allowed=allowed,
                       back=url_for("permanence.detail", permanence_id=permanence.id))


def _codes_page(round_: Round, permanence: Permanence | None, *, allowed: bool,
                back: str) -> Page:
    form = CodesForm()
    here = permanence.id if permanence else None
    if request.method == "POST" and is_db_int(request.form.get("void", "")):
        if not allowed:
            abort(403)
        voided = services.void_batch(db(), round_, int(request.form["void"]),
                                     actor=current_user, now=clock.now(), permanence_id=here)
        flash(_("Codes annulés dans ce lot : %(n)s.", n=voided), "success")
        return redirect(request.path)
    if form.validate_on_submit():
        if not allowed:
            abort(403)
        try:
            batch, made = services.generate_codes(db(), round_, form.count.data,
                                                  actor=current_user, now=clock.now(),
                                                  permanence_id=here)
        except BudgetError as error:
            attach_error(form, error)
        else:
            return no_store(render_template(
                "permanence/letters.html", round=round_, fund=round_.fund, batch=batch,
                letters=[(codes.grouped(code), _code_link(round_, code)) for code in made],
                address=url_for("permanence.code_vote", round_id=round_.id, _external=True),
                qr=qr_svg, codes_page=request.path))
    return render_template("permanence/codes.html", round=round_, fund=round_.fund, form=form,
                           batches=services.code_batches(db(), round_, here),
                           permanence=permanence, allowed=allowed, back=back), \
        400 if form.errors else 200


def _code_link(round_: Round, code: str) -> str:
    """The letter's link: the code rides in the fragment, which browsers never send, so
    no server or proxy log can hold it (code.js puts it in the form)."""
    return url_for("permanence.code_vote", round_id=round_.id,
                   _external=True) + "#c=" + codes.grouped(code)


@bp.route("/fph/<int:round_id>/code", methods=["GET", "POST"])
@limiter.limit("20 per minute;200 per hour", methods=["POST"])
def code_vote(round_id: int) -> Page:
    """A resident without an account votes on their own phone with a printed code."""
    round_ = db().get(Round, round_id) or abort(404)
    if round_.phase(clock.now()) != Phase.VOTE:
        flash(_("Le vote n’est pas ouvert."), "info")
        return redirect(url_for("budget.round_page", round_id=round_.id))
    form = CodeVoteForm()
    picked = counting.choices_from_form(request.form, round_.fund.vote_method)
    step = request.form.get("step", "choose")
    if step == "cast" and form.validate_on_submit():
        try:  # code_cast checks the code, the declaration and the choices, once
            receipt = services.code_cast(db(), round_, form.code.data, _declaration(form),
                                         picked, now=clock.now(), today=_today())
        except BudgetError as error:
            attach_error(form, error)
        else:
            return no_store(render_template("budget/voted.html", round=round_, code=receipt))
    projects = budget_queries.ballot_projects(db(), round_)
    if step == "review" and form.validate_on_submit():
        try:
            services.check_code(db(), round_, form.code.data)
            services.budget.check_declaration(round_.fund, _declaration(form), _today())
            check_choices(db(), round_, picked, costs={p.id: p.amount_cents for p in projects})
        except BudgetError as error:
            attach_error(form, error)
        else:
            return no_store(render_template(
                "budget/vote_confirm.html", round=round_, fund=round_.fund, form=form,
                chosen=[(p, picked[p.id]) for p in projects if p.id in picked],
                total=sum(p.amount_cents for p in projects if p.id in picked),
                picked=picked, vote_code=form.code.data))
    # "Changer mes choix" (step=choose) comes back to the form with what was typed.
    status = 400 if request.method == "POST" and step != "choose" else 200
    return no_store(render_template("budget/vote.html", round=round_, fund=round_.fund,
                                    form=form, projects=projects, picked=picked,
                                    with_code=True), status)
