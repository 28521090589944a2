"""Routes of the steering data: the dashboard, the cooperative dashboard, exports, the
yearly report, open data and API tokens. Thin: the figures come from ``indicators``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

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
from flask_babel import format_date
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from civic.core import clock
from civic.core.db import session as db
from civic.core.forms import blank_choice, choices
from civic.core.i18n import _, get_locale
from civic.core.money import format_cents
from civic.core.permissions import PermissionDenied, can, require
from civic.core.web import timezone, visitor
from civic.pilotage import bp, charts, export, indicators, queries, release, secrecy, services
from civic.pilotage.forms import (
    QUARTER_LABELS,
    YEARS,
    OpenDataForm,
    RevokeForm,
    ScopeForm,
    TokenForm,
)
from civic.pilotage.models import ApiToken
from civic.pilotage.scope import Scope, for_year
from civic.pilotage.tables import Spec, Table
from civic.territory import queries as territory_queries

if TYPE_CHECKING:
    from civic.accounts.models import User

Page = str | BaseResponse | tuple[str, int]
#: Tables about people's declared attributes: hidden below the threshold everywhere.
DECLARED = {"participants_by_gender", "participants_by_age"}
#: A period longer than this is refused (the month chart would not mean much).
MAX_DAYS = 3660
#: WTForms' own message for a value not in a select, translated by WTForms.
NOT_A_CHOICE = "Not a valid choice."


def _threshold() -> int:
    return int(current_app.config["SMALL_CELL_THRESHOLD"])


def hidden_mark() -> str:
    return _("< %(n)d", n=_threshold())


def scope_from_request() -> tuple[ScopeForm, Scope]:
    """The filter as typed, and the scope it gives; a wrong value falls back on the
    current year with the message next to the field."""
    tz = timezone()
    form = ScopeForm(request.args)
    quartiers = territory_queries.quartiers(db())
    contract = territory_queries.current_contract(db())
    orientations = territory_queries.orientations(db(), contract) if contract else []
    form.quartier.choices = choices(blank_choice(_("Tous les quartiers"))
                                    + [(q.code, q.name) for q in quartiers])
    form.orientation.choices = choices(blank_choice(_("Toutes les orientations"))
                                       + [(o.id, o.name) for o in orientations])
    form.validate()
    quartier = next((q for q in quartiers if q.code == form.quartier.data), None)
    orientation = next((o.id for o in orientations if o.id == form.orientation.data), None)
    for field, found in ((form.quartier, quartier), (form.orientation, orientation)):
        if field.data not in ("", None) and found is None and not field.errors:
            field.errors = [*field.errors, field.gettext(NOT_A_CHOICE)]
    narrowing = {"quartier_id": quartier.id if quartier else None,
                 "orientation_id": orientation}
    first, last = form.du.data, form.au.data
    for day in (form.du, form.au):  # a year the period's arithmetic can reach
        if day.data and not day.errors and not YEARS[0] <= day.data.year <= YEARS[1]:
            day.errors = [*day.errors, _("Indiquez une année entre 2000 et 2100.")]
    if first and last and not form.du.errors and not form.au.errors:
        if last < first:
            form.au.errors = [*form.au.errors, _("Cette date doit venir après la première.")]
        elif (last - first).days > MAX_DAYS:
            form.au.errors = [*form.au.errors, _("Dix ans au plus.")]
        else:
            return form, Scope(first, last, tz, **narrowing)
    year = form.annee.data if form.annee.data and not form.annee.errors else (
        clock.local_day(clock.now(), tz).year)
    form.annee.data = year
    return form, for_year(year, tz, **narrowing)


def _filter_args(form: ScopeForm, scope: Scope) -> dict[str, Any]:
    args: dict[str, Any] = {}
    if scope.year:
        args["annee"] = scope.year
    else:
        args.update(du=scope.first_day.isoformat(), au=scope.last_day.isoformat())
    if scope.quartier_id:
        args["quartier"] = form.quartier.data
    if scope.orientation_id:
        args["orientation"] = scope.orientation_id
    return args


def compute_tables(specs: Sequence[Spec], scope: Scope, *,
                   protect_all: bool = False) -> list[Table]:
    """The tables of one page, sharing their common figures; small counts of people
    hidden in declared-profile tables always, in every table with ``protect_all``."""
    found = []
    with indicators.one_page():
        for spec in specs:
            table = spec(db(), scope)
            if protect_all or table.key in DECLARED:
                table = secrecy.protect(table, _threshold())
            found.append(table)
    return found


def _charts(tables: dict[str, Table]) -> dict[str, Markup]:
    """The charts a Copil would rather look at than read, each next to its table."""
    rtl = get_locale().language == "ar" if get_locale() else False
    drawn: dict[str, Markup] = {}
    months = tables.get("participation_by_month")
    if months and months.rows:
        short = "MMM" if len(months.rows) <= 12 else "MMM yy"
        drawn["participation_by_month"] = charts.line_chart(
            str(months.title),
            [format_date(date.fromisoformat(r["month"] + "-01"), short) for r in months.rows],
            [charts.Series(_("Participants"), [r["people"] for r in months.rows])],
            description=_("Participants chaque mois de la période."), rtl=rtl)
    points = tables.get("points_by_category")
    if points:
        drawn["points_by_category"] = charts.bar_chart(
            str(points.title), [str(r["label"]) for r in points.rows],
            [charts.Series(_("Points +"), [r["positive"] for r in points.rows], pattern=0),
             charts.Series(_("Points −"), [r["negative"] for r in points.rows], pattern=1)],
            description=_("Points positifs et négatifs par sujet."), horizontal=True, rtl=rtl)
    rounds = tables.get("fph_rounds")
    if rounds and rounds.rows:
        drawn["fph_rounds"] = charts.bar_chart(
            str(rounds.title), [f"{r['quartier']} — {r['round']}" for r in rounds.rows],
            [charts.Series(_("Enveloppe"), [r["envelope"] for r in rounds.rows], pattern=0),
             charts.Series(_("Accordé"), [r["granted"] for r in rounds.rows], pattern=1),
             charts.Series(_("Dépensé"), [r["spent"] for r in rounds.rows], pattern=2)],
            description=_("Utilisation de l’enveloppe de chaque appel à projets."),
            horizontal=True, rtl=rtl,
            value_format=lambda cents: format_cents(int(cents), str(get_locale())))
    return drawn


def _scope_text(form: ScopeForm, scope: Scope) -> dict[str, Any]:
    quartier = next((label for value, label, *_rest in form.quartier.iter_choices()
                     if scope.quartier_id and value == form.quartier.data), None)
    orientation = next((label for value, label, *_rest in form.orientation.iter_choices()
                        if scope.orientation_id and value == str(scope.orientation_id)), None)
    return {"quartier": quartier, "orientation": orientation}


# --- Dashboards ------------------------------------------------------------------------


@bp.route("/pilotage")
def dashboard() -> Page:
    require(current_user, "pilotage.dashboard")
    form, scope = scope_from_request()
    tables = compute_tables(indicators.DASHBOARD, scope)
    by_key = {t.key: t for t in tables}
    return render_template("pilotage/dashboard.html", form=form, scope=scope, tables=by_key,
                           charts=_charts(by_key), args=_filter_args(form, scope),
                           named=_scope_text(form, scope), hidden=hidden_mark())


@bp.route("/pilotage/cooperatif")
def cooperative() -> Page:
    require(current_user, "pilotage.cooperative")
    form, scope = scope_from_request()
    tables = {t.key: t for t in compute_tables(indicators.COOPERATIVE, scope)}
    return render_template("pilotage/cooperative.html", form=form, scope=scope,
                           tables=tables, args=_filter_args(form, scope),
                           named=_scope_text(form, scope), hidden=hidden_mark())


@bp.route("/pilotage/rapport")
def report() -> Page:
    """The yearly progress report (rapport d'étape), printable on A4."""
    require(current_user, "pilotage.dashboard")
    form, scope = scope_from_request()
    tables = {t.key: t for t in compute_tables(indicators.DASHBOARD, scope)}
    answered = queries.answered_ideas(db(), scope, limit=12)
    return render_template("pilotage/report.html", form=form, scope=scope, tables=tables,
                           charts=_charts(tables), funded=indicators.funded_projects(
                               db(), scope, limit=15),
                           answered=answered, args=_filter_args(form, scope),
                           named=_scope_text(form, scope), hidden=hidden_mark(),
                           today=clock.local_day(clock.now(), scope.timezone),
                           contract_name=getattr(territory_queries.current_contract(db()),
                                                 "name", ""))


@bp.route("/pilotage/colonnes")
def columns() -> Page:
    """What every table and column counts (the exports' and the API's documentation):
    the tables' declarations, without counting anything."""
    tables = [spec.empty() for spec in indicators.ALL.values()]
    return render_template("pilotage/columns.html", tables=tables,
                           open_keys={spec.key for spec in indicators.OPEN})


# --- Exports ---------------------------------------------------------------------------


def _allowed(spec: Spec, user: User | None) -> bool:
    """Whether ``user`` may download ``spec`` as the dashboards count it: a table they
    may read ("pilotage.read_table"). These downloads do not hide small counts of people
    (only the declared-profile tables'): an open table is downloaded here by the
    steering dashboard's readers only, and by everybody else from open data, as the
    year's release publishes it."""
    if not can(user, "pilotage.read_table", spec):
        return False
    return spec.audience != "open" or can(user, "pilotage.dashboard")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _name(stem: str, scope: Scope) -> str:
    period = str(scope.year) if scope.year else f"{scope.first_day}_{scope.last_day}"
    return f"{stem}-{period}"


@bp.route("/pilotage/tableaux/<key>.<fmt>")
def table_export(key: str, fmt: str) -> Response:
    spec = indicators.ALL.get(key)
    if spec is None or fmt not in ("csv", "xlsx"):
        abort(404)
    if not _allowed(spec, visitor()):
        raise PermissionDenied("pilotage.read_table", anonymous=visitor() is None)
    _form, scope = scope_from_request()
    [table] = compute_tables([spec], scope)
    services.record_export(db(), current_user, key, fmt, clock.now())
    if fmt == "csv":
        separator = ";" if request.args.get("sep") in (";", "semicolon", "pv") else ","
        # For a spreadsheet (semicolons), headed by the columns' names in the reader's
        # language, as the workbook is; for programs (commas), by their stable keys, as
        # the API. ?entetes=libelles or ?entetes=cles chooses either way.
        asked = request.args.get("entetes")
        labels = asked == "libelles" or (asked != "cles" and separator == ";")
        return _download(export.csv_bytes(table, hidden=hidden_mark(), separator=separator,
                                          labels=labels),
                         "text/csv; charset=utf-8", f"{_name(key, scope)}.csv")
    return _download(_xlsx([table]), XLSX, f"{_name(key, scope)}.xlsx")


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(tables: list[Table]) -> bytes:
    return export.xlsx_bytes(tables, hidden=hidden_mark(), columns_title=_("Colonnes"),
                             heading=[_("Colonne"), _("Libellé"), _("Ce qu’elle compte")])


@bp.route("/pilotage/export.xlsx")
def workbook() -> Response:
    """Every table of the dashboard in one workbook."""
    require(current_user, "pilotage.dashboard")
    _form, scope = scope_from_request()
    tables = compute_tables(indicators.DASHBOARD, scope)
    services.record_export(db(), current_user, "all", "xlsx", clock.now())
    return _download(_xlsx(tables), XLSX, f"{_name('pilotage', scope)}.xlsx")


# --- Open data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRequest:
    """A cell of the open-data grid: a year, maybe a quarter, a quartier, an orientation."""

    year: int
    quarter: int | None = None
    quartier_id: int | None = None
    quartier_code: str | None = None
    orientation_id: int | None = None

    def args(self) -> dict[str, Any]:
        found: dict[str, Any] = {"annee": self.year}
        if self.quarter:
            found["trimestre"] = self.quarter
        if self.quartier_code:
            found["quartier"] = self.quartier_code
        if self.orientation_id:
            found["orientation"] = self.orientation_id
        return found


def public_years() -> list[int]:
    return services.public_years(db(), clock.local_day(clock.now(), timezone()),
                                 services.settle_days())


def next_publication() -> tuple[int, date] | None:
    return services.next_publication(db(), clock.local_day(clock.now(), timezone()),
                                     services.settle_days())


def open_request() -> tuple[OpenDataForm, OpenRequest]:
    """The grid cell asked for, and the form as typed: a value off the grid gets its
    message next to its field and the default (the latest year, all of it, everywhere)."""
    years = public_years()
    form = OpenDataForm(request.args)
    quartiers = territory_queries.quartiers(db())
    contract = territory_queries.current_contract(db())
    orientations = territory_queries.orientations(db(), contract) if contract else []
    form.annee.choices = choices([(y, str(y)) for y in reversed(years)])
    form.trimestre.choices = choices(blank_choice(_("Toute l’année"))
                                     + list(QUARTER_LABELS.items()))
    form.quartier.choices = choices(blank_choice(_("Tous les quartiers"))
                                    + [(q.code, q.name) for q in quartiers])
    form.orientation.choices = choices(blank_choice(_("Toutes les orientations"))
                                       + [(o.id, o.name) for o in orientations])
    form.validate()
    asked = {name: request.args.get(name, "") for name in ("annee", "trimestre")}
    year = form.annee.data if form.annee.data in years else years[-1]
    if asked["annee"] and form.annee.data not in years:
        form.annee.errors = [_("Choisissez une année de la liste : %(years)s.",
                               years=", ".join(map(str, years)))]
    quarter = form.trimestre.data if form.trimestre.data in QUARTER_LABELS else None
    if asked["trimestre"] and quarter is None:
        form.trimestre.errors = [_("Choisissez toute l’année ou un trimestre de la liste.")]
    quartier = next((q for q in quartiers if q.code == form.quartier.data), None)
    if form.quartier.data and quartier is None:
        form.quartier.errors = [form.quartier.gettext(NOT_A_CHOICE)]
    orientation = next((o.id for o in orientations if o.id == form.orientation.data), None)
    if form.orientation.data not in ("", None) and orientation is None:
        form.orientation.errors = [form.orientation.gettext(NOT_A_CHOICE)]
    form.annee.data, form.trimestre.data = year, quarter
    return form, OpenRequest(year, quarter, quartier.id if quartier else None,
                             quartier.code if quartier else None, orientation)


def open_spec(key: str) -> Spec | None:
    """The table ``key`` if open data serves it: one that anybody, anonymous included,
    may read (its audience is "open"); else None."""
    spec = indicators.ALL.get(key)
    if spec is None or not can(None, "pilotage.read_table", spec):
        return None
    return spec


def open_tables(asked: OpenRequest, keys: Sequence[str]) -> list[Table]:
    """The public tables of one cell of the grid, their counts of people as the year's
    release publishes them (``release``): never computed for this request alone. Only
    open tables: asking for another one is a bug (LookupError)."""
    specs = []
    for key in keys:
        spec = open_spec(key)
        if spec is None:
            raise LookupError(f"not an open table: {key}")
        specs.append(spec)
    tz = timezone()
    published = services.published(db(), asked.year, timezone=tz, threshold=_threshold(),
                                   now=clock.now())
    found = []
    with indicators.one_page():
        for spec in specs:
            slot = release.Slot(spec.key, asked.quartier_id, asked.quarter)
            table = spec(db(), release.scope_of(asked.year, slot, tz, asked.orientation_id))
            found.append(published.apply(slot, table))
    return found


@bp.route("/donnees-ouvertes")
def open_data() -> Page:
    coming = next_publication()
    if not public_years():
        return render_template("pilotage/open_data.html", coming=coming, form=None,
                               threshold=_threshold(), hidden=hidden_mark())
    form, asked = open_request()
    keys = [spec.key for spec in indicators.OPEN
            if asked.quarter is None or spec.key in release.QUARTERLY]
    tables = {t.key: t for t in open_tables(asked, keys)}
    named = {"quartier": next((label for value, label, *_rest in form.quartier.iter_choices()
                               if asked.quartier_code and value == asked.quartier_code), None),
             "orientation": next((label for value, label, *_rest in
                                  form.orientation.iter_choices()
                                  if asked.orientation_id
                                  and value == str(asked.orientation_id)), None)}
    return render_template(
        "pilotage/open_data.html", form=form, asked=asked, tables=tables,
        order=[k for k in release.OPEN if k in tables], args=asked.args(), named=named,
        quarter_label=QUARTER_LABELS.get(asked.quarter or 0),
        year_args={k: v for k, v in asked.args().items() if k != "trimestre"},
        hidden=hidden_mark(), threshold=_threshold(), coming=coming), \
        400 if form.errors else 200


@bp.route("/donnees-ouvertes/<key>.csv")
def open_data_csv(key: str) -> Page | Response:
    if open_spec(key) is None or not public_years():
        abort(404)
    form, asked = open_request()
    if asked.quarter and key not in release.QUARTERLY:
        form.trimestre.errors = [_("Ce tableau compte des personnes : il n’est publié que "
                                   "pour l’année entière.")]
    if form.errors:
        text = "\n".join(f"{name}: {' '.join(map(str, errors))}"
                         for name, errors in form.errors.items())
        return Response(text + "\n", status=400, content_type="text/plain; charset=utf-8")
    [table] = open_tables(asked, [key])
    separator = ";" if request.args.get("sep") in (";", "semicolon", "pv") else ","
    period = f"{asked.year}-T{asked.quarter}" if asked.quarter else str(asked.year)
    response = _download(export.csv_bytes(table, hidden=hidden_mark(), separator=separator),
                         "text/csv; charset=utf-8", f"{key}-{period}.csv")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# --- API tokens ------------------------------------------------------------------------


@bp.route("/compte/jetons", methods=["GET", "POST"])
def api_tokens() -> Page:
    require(current_user, "pilotage.tokens")
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        _token, created = services.create_token(db(), current_user, form.name.data or "",
                                                now=clock.now())
        form = TokenForm(formdata=None)
    return render_template("pilotage/tokens.html", form=form, created=created,
                           tokens=queries.of_user(db(), current_user)), \
        400 if form.errors else 200


@bp.route("/compte/jetons/<int(max=2147483647):token_id>/revoquer", methods=["POST"])
def revoke_token(token_id: int) -> BaseResponse:
    require(current_user, "pilotage.tokens")
    token = db().get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if RevokeForm().validate_on_submit():
        services.revoke_token(db(), token, actor=current_user, now=clock.now())
        flash(_("Le jeton est révoqué : il ne donne plus accès à rien."), "success")
    return redirect(url_for("pilotage.api_tokens"))
