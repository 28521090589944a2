"""The large demo's map: landmarks of every quartier, walks (diagnostics en marchant)
with their points, and residents' points gathered around a few hot spots."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from civic.demo.large.moderation import moderate
from civic.demo.large.people import slots_of
from civic.demo.large.run import DAY, HOUR, Post, QuartierPlan, Run, dt, local_ts
from civic.demo.small.map import inside
from civic.map import geometry
from civic.map.models import CATEGORIES, Landmark, MapPoint, Walk

POINT_TEXTS = {
    ("negative", "cleanliness"): ["Dépôts sauvages au pied de l’immeuble.",
                                  "Les poubelles débordent après le marché."],
    ("positive", "cleanliness"): ["La rue est propre depuis le passage de la régie.",
                                  "Nouveaux conteneurs de tri, très pratiques."],
    ("negative", "safety"): ["Le passage n’est pas éclairé le soir.",
                             "Des voitures roulent très vite devant l’école."],
    ("positive", "safety"): ["Les médiateurs passent le soir, on se sent mieux.",
                             "Le nouvel éclairage du square change tout."],
    ("negative", "facilities"): ["L’ascenseur est souvent en panne.",
                                 "Le grillage du city stade est cassé."],
    ("positive", "facilities"): ["La médiathèque a de nouveaux horaires le soir.",
                                 "Le gymnase est ouvert le week-end."],
    ("negative", "green"): ["Les arbres n’ont pas été taillés depuis longtemps.",
                            "La pelouse est pleine de déchets."],
    ("positive", "green"): ["Le parc est bien entretenu, les enfants adorent les jeux.",
                            "Le jardin partagé est magnifique au printemps."],
    ("negative", "mobility"): ["Le trottoir est trop étroit pour les poussettes.",
                               "Pas de passage piéton devant l’arrêt de bus."],
    ("positive", "mobility"): ["La nouvelle piste cyclable est très pratique.",
                               "L’arrêt de bus a enfin un abri."],
    ("negative", "shops"): ["La boulangerie a fermé, il n’y a plus de commerce.",
                            "Le distributeur de billets est toujours en panne."],
    ("positive", "shops"): ["Le marché du dimanche est très vivant.",
                            "La nouvelle épicerie solidaire est une chance."],
    ("negative", "housing"): ["La porte d’entrée du bâtiment ne ferme plus.",
                              "Humidité et moisissures dans les appartements."],
    ("positive", "housing"): ["Les halls rénovés sont beaux et lumineux.",
                              "Le bailleur a vite réparé les boîtes aux lettres."],
    ("negative", "social"): ["Plus aucun lieu pour se retrouver depuis la fermeture du local.",
                             "Les jeunes n’ont rien à faire le soir."],
    ("positive", "social"): ["Le jardin partagé réunit les voisins le samedi.",
                             "Le centre social organise de belles sorties."],
    ("negative", "other"): ["Bruit de scooters tard le soir.",
                            "Le panneau d’information est illisible."],
    ("positive", "other"): ["Une belle fresque sur le mur du gymnase.",
                            "Les voisins s’entraident beaucoup ici."],
}
#: Weights of the categories, for negative then positive points (order of CATEGORIES).
CATEGORY_WEIGHTS = {"negative": [22, 16, 14, 6, 14, 5, 15, 4, 4],
                    "positive": [5, 5, 15, 25, 8, 14, 5, 18, 5]}


def inside_of(run: Run, q: QuartierPlan, count: int) -> list[tuple[float, float]]:
    """``count`` positions inside the quartier, drawn from the run's random draws."""
    perimeter = q.obj.perimeter
    assert perimeter is not None
    return inside(perimeter, count, run.rng)


def landmarks(run: Run) -> None:
    """The hot spots of every quartier, and five landmarks where there are none yet."""
    rows: list[dict[str, Any]] = []
    for q in run.quartiers:
        q.hotspots = inside_of(run, q, 40)
        existing = list(run.db.execute(select(
            Landmark.id, Landmark.name, Landmark.latitude, Landmark.longitude)
            .where(Landmark.quartier_id == q.id)).all())
        if existing:
            q.landmarks = [(i, n, lat, lon) for i, n, lat, lon in existing]
            continue
        for name, (lat, lon) in zip(
                [f"École {q.of}", f"Arrêt de bus {q.obj.name}", f"Square {q.of}",
                 f"Centre commercial {q.of}", f"Maison de quartier {q.of}"],
                inside_of(run, q, 5), strict=True):
            rows.append({"quartier_id": q.id, "name": name, "latitude": lat,
                         "longitude": lon})
    ids = run.insert(Landmark, rows, ids=True)
    for landmark_id, row in zip(ids, rows, strict=True):
        q = run.quartiers[run.index_of(row["quartier_id"])]
        q.landmarks.append((landmark_id, row["name"], row["latitude"], row["longitude"]))
        run.audit(run.start + 2 * HOUR, run.pilot.id, "map.landmark_added", "landmark",
                  landmark_id, name=row["name"])


def position(run: Run, q: QuartierPlan) -> tuple[float, float, int | None]:
    """Where a point is: a landmark picked from the list, or a tap near a hotspot."""
    if q.landmarks and run.rng.random() < 0.15:
        landmark_id, _, lat, lon = run.rng.choice(q.landmarks)
        return lat, lon, landmark_id
    lat, lon = run.rng.choice(q.hotspots)
    jittered = (round(lat + run.rng.gauss(0, 0.0007), 6),
                round(lon + run.rng.gauss(0, 0.001), 6))
    perimeter = q.obj.perimeter
    assert perimeter is not None
    if geometry.contains(perimeter, *jittered):
        return jittered[0], jittered[1], None
    return lat, lon, None


def walks(run: Run) -> list[dict[str, Any]]:
    """The walks, written at once: their points and events refer to them."""
    rows: list[dict[str, Any]] = []
    for _ in range(run.n("walks")):
        qi = run.rng.choices(range(len(run.quartiers)), run.q_weights)[0]
        q = run.quartiers[qi]
        day = run.day_between(run.start + 20 * DAY, run.end - DAY)
        starts = local_ts(day, run.rng.choice((10, 14, 17)))
        if starts >= run.end:
            starts = run.end - DAY
        meeting = run.rng.choice(q.landmarks)[1]
        rows.append({
            "quartier_id": q.id, "animator_id": run.rng.choice(q.animators),
            "title": f"Diagnostic en marchant {q.of}"[:120], "starts_at": dt(starts),
            "meeting_point": meeting,
            "route": f"{meeting}, {', '.join(run.rng.sample(q.places, 3))}, retour.",
            "participants": run.rng.randint(6, 30),
            "created_at": dt(max(run.start + DAY, starts - run.rng.uniform(7, 30) * DAY))})
    ids = run.insert(Walk, rows, ids=True)
    for walk_id, row in zip(ids, rows, strict=True):
        row["id"] = walk_id
        run.audit(row["created_at"].timestamp(), row["animator_id"], "map.walk_created",
                  "walk", walk_id)
    return rows


def plan_points(run: Run, walk_rows: list[dict[str, Any]]) -> None:
    """Residents' points (every category at least once), then the walks' points,
    published at once as an animator enters them."""
    rng = run.rng
    for n, (t, user) in enumerate(slots_of(run, "point")):
        qi = run.where(user)
        polarity = "negative" if rng.random() < 0.6 else "positive"
        category = CATEGORIES[n] if n < len(CATEGORIES) else rng.choices(
            CATEGORIES, CATEGORY_WEIGHTS[polarity])[0]
        post = point(run, qi, user, t, polarity, category, None)
        moderate(run, post, run.quartiers[qi], reject=0.04, hide=0.01)
        run.touched(user, t)
    for walk in walk_rows:
        qi = run.index_of(walk["quartier_id"])
        begins = walk["starts_at"].timestamp()
        for k in range(rng.randint(8, 16)):
            polarity = "negative" if rng.random() < 0.65 else "positive"
            category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS[polarity])[0]
            post = point(run, qi, -1, begins + (10 + 8 * k) * 60, polarity, category, walk)
            moderate(run, post, run.quartiers[qi], reject=0, hide=0.005, at_once=True)


def point(run: Run, qi: int, user: int, t: float, polarity: str, category: str,
          walk: dict[str, Any] | None) -> Post:
    q = run.quartiers[qi]
    lat, lon, landmark_id = position(run, q)
    row = {"quartier_id": q.id, "author_id": walk["animator_id"] if walk else None,
           "polarity": polarity, "category": category,
           "text": run.rng.choice(POINT_TEXTS[(polarity, category)]),
           "latitude": lat, "longitude": lon, "landmark_id": landmark_id, "photo": None,
           "walk_id": walk["id"] if walk else None, "idea_id": None}
    post = Post(qi, user, t, row)
    post.appeal = min(1.0, 0.12 * run.rng.paretovariate(1.2))
    run.points.append(post)
    return post


def write_points(run: Run) -> None:
    """The points, with the ids of the ideas some became, and the audit of walk points."""
    rows = []
    for post in run.points:
        row = dict(post.row)
        if isinstance(row["idea_id"], Post):
            row["idea_id"] = row["idea_id"].id
        if post.author >= 0:
            row["author_id"] = run.u_id[post.author]
        rows.append({**row, **post.moderation(), "created_at": dt(post.created),
                     "support_count": post.row.get("support_count", 0)})
    for post, point_id in zip(run.points, run.insert(MapPoint, rows, ids=True), strict=True):
        post.id = point_id
    for post in run.points:
        if post.row["walk_id"] is not None:
            run.audit(post.created, post.row["author_id"], "map.walk_point", "point",
                      post.id, walk=post.row["walk_id"])
