"""Routes of the quartier map: thin; rules live in services and permissions."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
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

from civic.core import clock, spreadsheet
from civic.core.compression import held_etag
from civic.core.db import session as db
from civic.core.extensions import account_key, limiter
from civic.core.forms import attach, blank_choice, choices, page_number
from civic.core.i18n import _, _l
from civic.core.permissions import require
from civic.core.uploads import read_photo, store
from civic.core.web import base_url, timezone
from civic.map import bp, geojson, queries, services
from civic.map.forms import FilterForm, LandmarkForm, PointForm, ToIdeaForm, WalkForm
from civic.map.labels import CATEGORIES, POLARITIES, SIGNS
from civic.map.models import Landmark, MapPoint, Walk
from civic.map.render import MapFragment, quartier_map
from civic.territory.models import Quartier
from civic.territory.pages import quartier_or_404

Page = str | BaseResponse | tuple[str, int]

ERRORS: dict[str, Any] = {
    "polarity": _l("Choisissez + ou −."),
    "category": _l("Choisissez un sujet."),
    "required": _l("Ce champ est obligatoire."),
    "too_long": _l("Ce texte est trop long."),
    "position_required": _l("Touchez la carte à l’endroit du point, ou choisissez le lieu le "
                            "plus proche."),
    "position": _l("Cette position n’a pas pu être lue. Réessayez."),
    "outside": _l("Ce point est en dehors du quartier. Placez-le dans le périmètre, ou à "
                  "200 mètres au plus."),
    "walk": _l("Cette marche est dans un autre quartier."),
    "not_published": _l("Ce point n’est pas publié."),
    "own_point": _l("Vous ne pouvez pas dire « moi aussi » à votre propre point."),
    "already_idea": _l("Ce point est déjà devenu une idée."),
    "participants": _l("Indiquez un nombre entre 0 et 10000."),
}


def _point(point_id: int) -> MapPoint:
    point = db().get(MapPoint, point_id) or abort(404)
    require(current_user, "map.view_point", point)
    return point


def _walk(walk_id: int) -> Walk:
    walk = db().get(Walk, walk_id) or abort(404)
    require(current_user, "map.walks", walk.quartier)
    return walk


def place_picker(quartier: Quartier) -> dict[str, Any]:
    """A small map of the quartier to tap a place on, for another part's form (an FPH
    proposal): what ``map/_map.html`` needs, and the landmarks for a page without
    JavaScript."""
    return {"map": _map(quartier), "labels": _labels(), "pick": True, "points_url": None,
            "landmarks": queries.landmarks(db(), quartier.id)}


def _map(quartier: Quartier) -> MapFragment:
    config = current_app.config
    return quartier_map(quartier.perimeter, tile_url=config["TILE_URL"],
                        attribution=config["TILE_ATTRIBUTION"],
                        perimeter_label=_("Périmètre du quartier"),
                        zoom_labels=(_("Agrandir la carte"), _("Réduire la carte")))


def _labels() -> dict[str, Any]:
    """Words map.js writes into markers and pop-ups, in the page's language."""
    return {"categories": {k: str(v) for k, v in CATEGORIES.items()},
            "signs": {k: str(v) for k, v in SIGNS.items()},
            "open": _("Ouvrir"), "supports": _("« moi aussi »"),
            "photo": _("Photo du point"), "picked": _("Point placé ici. Touchez ailleurs "
                                                      "pour le déplacer."),
            # {n}: filled in by map.js with the number of points a cluster holds.
            "cluster": _("%(n)s points ici : agrandissez la carte pour les voir", n="{n}")}


def _filters() -> tuple[FilterForm, queries.Filters]:
    form = FilterForm(request.args)
    form.polarity.choices = choices([*blank_choice(_("Tout")), *POLARITIES.items()])
    form.category.choices = choices([*blank_choice(_("Tous les sujets")), *CATEGORIES.items()])
    form.period.choices = choices([*blank_choice(_("Depuis le début")),
                                   ("month", _("Le dernier mois")),
                                   ("year", _("La dernière année"))])
    filters = queries.Filters(
        polarity=form.polarity.data if form.polarity.data in POLARITIES else "",
        category=form.category.data if form.category.data in CATEGORIES else "",
        period=form.period.data if form.period.data in queries.PERIODS else "",
        page=page_number(request.args.get("page")))
    return form, filters


def _filter_args(filters: queries.Filters) -> dict[str, Any]:
    return {k: v for k, v in (("polarity", filters.polarity), ("category", filters.category),
                              ("period", filters.period)) if v}


# --- The map and the list -------------------------------------------------------------


@bp.route("/quartiers/<code>/carte")
def map_page(code: str) -> Page:
    quartier = quartier_or_404(code)
    form, filters = _filters()
    return render_template("map/map.html", quartier=quartier, form=form, map=_map(quartier),
                           labels=_labels(), filter_args=_filter_args(filters),
                           points_url=url_for("map.points_geojson",
                                              **{"code": code, **_filter_args(filters)}))


@bp.route("/quartiers/<code>/carte/liste")
def list_page(code: str) -> Page:
    quartier = quartier_or_404(code)
    form, filters = _filters()
    points, more = queries.page(db(), quartier.id, filters, clock.now())
    return render_template("map/list.html", quartier=quartier, form=form, points=points,
                           more=more, filters=filters, filter_args=_filter_args(filters))


def _feature_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Two url_for calls, not two per point: thousands of points stay fast.
    point_url = url_for("map.point", point_id=0)[:-1]
    media_url = url_for("media", name="x")[:-1]
    for row in rows:
        row["date"] = row.pop("created_at").date().isoformat()
        row["url"] = f"{point_url}{row['id']}"
        if row["photo"]:
            row["photo"] = f"{media_url}{row['photo']}"
    return rows


def _geojson_body(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def _geojson_response(body: str, filename: str, *, cache: bool) -> Response:
    response = Response(body, mimetype="application/geo+json")
    if request.args.get("telecharger"):
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if cache:
        response.headers["Cache-Control"] = "public, max-age=60"
    else:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/quartiers/<code>/carte/points.geojson")
def points_geojson(code: str) -> Response:
    """The published points of a quartier (public): the map reads it, anyone may
    download it. It is cached: a 304 answers when nothing changed."""
    quartier = quartier_or_404(code)
    _form, filters = _filters()
    now = clock.now()
    state = queries.last_change(db(), quartier.id)
    day = now.date().isoformat() if filters.period else ""
    key = f"{quartier.id}|{state}|{filters}|{day}|{request.args.get('telecharger')}"
    etag = hashlib.sha256(key.encode()).hexdigest()[:32]
    # The browser sends back the validator it got: this one, or a compressed form's.
    held = held_etag(etag, request.if_none_match)
    if held:
        response = Response(status=304)
        response.set_etag(held)
    else:
        rows = _feature_rows(queries.rows(db(), quartier.id, filters, now))
        response = _geojson_response(_geojson_body(geojson.feature_collection(rows)),
                                     f"points-{quartier.code}.geojson", cache=True)
        response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


@bp.route("/points/<int:point_id>")
def point(point_id: int) -> Page:
    found = _point(point_id)
    supports = False
    if current_user.is_authenticated:
        from civic.map.models import PointSupport

        supports = db().get(PointSupport, (found.id, current_user.id)) is not None
    return render_template("map/point.html", point=found, quartier=found.quartier,
                           supports=supports)


# --- Adding and supporting ------------------------------------------------------------


def _point_form(quartier: Quartier) -> PointForm:
    form = PointForm()
    form.landmark_id.choices = choices(blank_choice(_("Je choisis sur la carte")) + [
        (lm.id, lm.name) for lm in queries.landmarks(db(), quartier.id)])
    return form


def _save_point(quartier: Quartier, form: PointForm, walk: Walk | None) -> MapPoint | None:
    if not form.validate_on_submit():
        return None
    readable, photo = read_photo(form.photo)
    if not readable:
        return None
    values = {name: getattr(form, name).data for name in (
        "polarity", "category", "text", "latitude", "longitude", "landmark_id")}
    try:
        new = services.add_point(db(), quartier, values, author=current_user, walk=walk,
                                 now=clock.now())
    except services.MapError as error:
        attach(form, error, ERRORS, "required")
        return None
    if photo is not None:
        services.set_photo(db(), new, store(photo))
    return new


@bp.route("/quartiers/<code>/carte/ajouter", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=account_key)
@limiter.limit("60 per hour", methods=["POST"])
def add(code: str) -> Page:
    quartier = quartier_or_404(code)
    require(current_user, "map.add", quartier)
    form = _point_form(quartier)
    new = _save_point(quartier, form, None)
    if new is not None:
        if new.moderation == "published":
            flash(_("Merci ! Le point est sur la carte."), "success")
        elif getattr(current_user, "email", None):
            flash(_("Merci ! Le conseil citoyen relit chaque point avant de le publier. Vous "
                    "recevrez un courriel quand le vôtre sera sur la carte."), "success")
        else:
            flash(_("Merci ! Le conseil citoyen relit chaque point avant de le publier : il "
                    "sera sur la carte après sa relecture."), "success")
        return redirect(url_for("map.point", point_id=new.id))
    return render_template("map/add.html", quartier=quartier, form=form, map=_map(quartier),
                           labels=_labels(), walk=None), 400 if form.errors else 200


@bp.route("/points/<int:point_id>/moi-aussi", methods=["POST"])
@limiter.limit("120 per hour", key_func=account_key)
@limiter.limit("300 per hour")
def support(point_id: int) -> Page:
    found = _point(point_id)
    require(current_user, "map.support", found)
    if request.form.get("action") == "remove":
        if services.withdraw_support(db(), found, current_user):
            flash(_("Votre « moi aussi » est retiré."), "success")
    else:
        try:
            services.support(db(), found, current_user, now=clock.now())
        except services.MapError as error:
            flash(str(ERRORS[error.code]), "error")
        else:
            flash(_("C’est noté : vous aussi."), "success")
    return redirect(url_for("map.point", point_id=found.id))


@bp.route("/points/<int:point_id>/vers-une-idee", methods=["GET", "POST"])
def to_idea(point_id: int) -> Page:
    found = _point(point_id)
    require(current_user, "map.to_idea", found)
    form = ToIdeaForm(data={"title": found.title} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            idea = services.to_idea(db(), found, form.title.data, actor=current_user,
                                    now=clock.now())
        except services.MapError as error:
            attach(form, error, ERRORS, "required")
        else:
            flash(_("Le point est devenu une idée : répondez-y ou transmettez-la à un "
                    "signataire."), "success")
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template("map/to_idea.html", form=form, point=found,
                           quartier=found.quartier), 400 if form.errors else 200


# --- Walks ----------------------------------------------------------------------------


@bp.route("/quartiers/<code>/marches")
def walks(code: str) -> Page:
    quartier = quartier_or_404(code)
    require(current_user, "map.walks", quartier)
    return render_template("map/walks.html", quartier=quartier,
                           walks=queries.walks(db(), {quartier.id}))


def _walk_values(form: WalkForm) -> dict[str, Any]:
    tz = timezone()
    return {"title": form.title.data, "meeting_point": form.meeting_point.data,
            "route": form.route.data or "", "participants": form.participants.data,
            "starts_at": clock.to_utc(datetime.combine(form.day.data, form.time.data), tz)}


@bp.route("/quartiers/<code>/marches/nouvelle", methods=["GET", "POST"])
def new_walk(code: str) -> Page:
    quartier = quartier_or_404(code)
    require(current_user, "map.create_walk", quartier)
    form = WalkForm(data={"day": clock.local_day(clock.now(), timezone())}
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            walk = services.save_walk(db(), quartier, None, _walk_values(form),
                                      actor=current_user, now=clock.now())
        except services.MapError as error:
            attach(form, error, ERRORS, "required")
        else:
            return redirect(url_for("map.walk", walk_id=walk.id))
    return render_template("map/walk_form.html", form=form, quartier=quartier, walk=None), \
        400 if form.errors else 200


@bp.route("/marches/<int:walk_id>/modifier", methods=["GET", "POST"])
def edit_walk(walk_id: int) -> Page:
    walk = _walk(walk_id)
    require(current_user, "map.walk_point", walk)
    local = clock.to_local(walk.starts_at, timezone())
    form = WalkForm(obj=walk, data={"day": local.date(), "time": local.time()}
                    if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_walk(db(), walk.quartier, walk, _walk_values(form),
                               actor=current_user, now=clock.now())
        except services.MapError as error:
            attach(form, error, ERRORS, "required")
        else:
            flash(_("C’est enregistré."), "success")
            return redirect(url_for("map.walk", walk_id=walk.id))
    return render_template("map/walk_form.html", form=form, quartier=walk.quartier,
                           walk=walk), 400 if form.errors else 200


@bp.route("/marches/<int:walk_id>", methods=["GET", "POST"])
def walk(walk_id: int) -> Page:
    """During the walk, on the animator's tablet: add points, published at once."""
    found = _walk(walk_id)
    quartier = found.quartier
    form = _point_form(quartier)
    if request.method == "POST":
        require(current_user, "map.walk_point", found)
        if _save_point(quartier, form, found) is not None:
            flash(_("Point ajouté à la marche."), "success")
            # The next point is often of the same kind, a few steps on: the page comes
            # back with the last choices, where the map was, at the form.
            return redirect(url_for("map.walk", walk_id=found.id, sens=form.polarity.data,
                                    sujet=form.category.data,
                                    vue=_view(request.form.get("view")), _anchor="noter"))
    elif request.args.get("sens") in POLARITIES and request.args.get("sujet") in CATEGORIES:
        form.polarity.data = request.args["sens"]
        form.category.data = request.args["sujet"]
    points = queries.walk_points(db(), found)
    return render_template("map/walk.html", walk=found, quartier=quartier, form=form,
                           points=points, map=_map(quartier), labels=_labels(),
                           points_url=url_for("map.walk_geojson", walk_id=found.id),
                           route=[[round(p.latitude, 6), round(p.longitude, 6)]
                                  for p in points],
                           view=_view(request.args.get("vue"))), \
        400 if form.errors else 200


def _view(raw: str | None) -> str | None:
    """Where the map was (« lat,lng,zoom »), when well formed; else nothing."""
    parts = (raw or "").split(",")
    try:
        lat, lng, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except (ValueError, IndexError):
        return None
    if len(parts) != 3 or not (-90 <= lat <= 90 and -180 <= lng <= 180 and 1 <= zoom <= 19):
        return None
    return f"{lat:.6f},{lng:.6f},{zoom}"


def _report_counts(found: Walk) -> list[tuple[str, int, int]]:
    counts = queries.walk_counts(db(), found)
    return [(category, counts.get((category, "positive"), 0),
             counts.get((category, "negative"), 0)) for category in CATEGORIES]


@bp.route("/marches/<int:walk_id>/rapport")
def walk_report(walk_id: int) -> Page:
    found = _walk(walk_id)
    return render_template("map/walk_report.html", walk=found, quartier=found.quartier,
                           counts=_report_counts(found),
                           points=queries.walk_points(db(), found), map=_map(found.quartier),
                           labels=_labels(),
                           points_url=url_for("map.walk_geojson", walk_id=found.id))


@bp.route("/marches/<int:walk_id>/points.geojson")
def walk_geojson(walk_id: int) -> Response:
    found = _walk(walk_id)
    rows = _feature_rows(queries.rows(db(), found.quartier_id, queries.Filters(), clock.now(),
                                      walk_id=found.id))
    return _geojson_response(_geojson_body(geojson.feature_collection(rows)),
                             f"marche-{found.id}.geojson", cache=False)


@bp.route("/marches/<int:walk_id>/points.csv")
def walk_csv(walk_id: int) -> Response:
    found = _walk(walk_id)
    rows = _feature_rows(queries.rows(db(), found.quartier_id, queries.Filters(), clock.now(),
                                      walk_id=found.id))
    # Words in the reader's language and whole addresses: the file goes to a workshop's
    # spreadsheet, away from the site.
    base = base_url()
    heading = {"id": _("Numéro"), "polarity": _("Positif ou négatif"),
               "category": _("Sujet"), "text": _("Ce qui est écrit"), "date": _("Date"),
               "supports": _("Moi aussi"), "photo": _("Photo du point"),
               "url": _("Adresse de la page"), "latitude": _("Latitude"),
               "longitude": _("Longitude")}
    columns = [*geojson.PROPERTIES, "latitude", "longitude"]
    for row in rows:
        row["category"] = str(CATEGORIES.get(row["category"], row["category"]))
        row["polarity"] = str(POLARITIES.get(row["polarity"], row["polarity"]))
        row["url"] = base + row["url"]
        row["photo"] = base + row["photo"] if row["photo"] else ""
    body = spreadsheet.csv_text([[heading[name] for name in columns],
                                 *([row[name] for name in columns] for row in rows)],
                                separator=";" if request.args.get("sep") == "semicolon" else ",")
    response = Response("\ufeff" + body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="marche-{found.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- Landmarks (pilot) ----------------------------------------------------------------


@bp.route("/admin/quartiers/<int:quartier_id>/reperes", methods=["GET", "POST"])
def landmarks(quartier_id: int) -> Page:
    quartier = db().get(Quartier, quartier_id) or abort(404)
    require(current_user, "map.landmarks", quartier)
    form = LandmarkForm()
    if form.validate_on_submit():
        try:
            services.add_landmark(db(), quartier, form.name.data, form.latitude.data,
                                  form.longitude.data, actor=current_user, now=clock.now())
        except services.MapError as error:
            attach(form, error, ERRORS, "required")
        else:
            flash(_("Le lieu est ajouté."), "success")
            return redirect(url_for("map.landmarks", quartier_id=quartier.id))
    return render_template("map/landmarks.html", form=form, quartier=quartier,
                           landmarks=queries.landmarks(db(), quartier.id)), \
        400 if form.errors else 200


@bp.route("/admin/reperes/<int:landmark_id>/supprimer", methods=["POST"])
def remove_landmark(landmark_id: int) -> Page:
    landmark = db().get(Landmark, landmark_id) or abort(404)
    require(current_user, "map.landmarks", landmark)
    quartier_id = landmark.quartier_id
    services.remove_landmark(db(), landmark, actor=current_user, now=clock.now())
    flash(_("Le lieu est retiré."), "success")
    return redirect(url_for("map.landmarks", quartier_id=quartier_id))
