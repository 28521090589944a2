"""The large demo's contract: the small demo's setting-up dated back to the start of the
contract, and six invented quartiers (codes QP031901…QP031906, small squares around
Toulouse) next to the four real ones."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from civic.accounts.models import User
from civic.core.audit import AuditEntry
from civic.demo.large.run import QuartierPlan, Run, dt
from civic.demo.small import people as small_people
from civic.territory import queries
from civic.territory import services as territory
from civic.territory.models import Contract, Quartier

#: Orders of magnitude for the four real quartiers (not the official INSEE figures).
POPULATIONS = {"QP031007": 31_000, "QP031010": 5_500, "QP031014": 3_400, "QP031019": 2_700}
#: (code, name, commune, centre latitude, centre longitude, half side in metres,
#: population, moderation mode): invented quartiers around Toulouse.
SYNTHETIC = [
    ("QP031901", "Les Violettes", "Toulouse", 43.6335, 1.4265, 420, 3_900, "pre"),
    ("QP031902", "Cité du Canal", "Toulouse", 43.5850, 1.4760, 350, 2_600, "post"),
    ("QP031903", "Les Hauts de Garonne", "Blagnac", 43.6420, 1.3830, 380, 3_100, "pre"),
    ("QP031904", "Les Tourterelles", "Colomiers", 43.6090, 1.3290, 450, 4_400, "post"),
    ("QP031905", "Le Moulin Vieux", "Cugnaux", 43.5400, 1.3480, 320, 2_100, "pre"),
    ("QP031906", "La Garrigue", "Balma", 43.6080, 1.5050, 300, 1_800, "post"),
]
#: « Maison de quartier … » for every quartier.
OF = {"QP031007": "du Grand Mirail", "QP031010": "d’Empalot", "QP031014": "de Soupetard",
      "QP031019": "de la Gloire", "QP031901": "des Violettes", "QP031902": "du Canal",
      "QP031903": "des Hauts de Garonne", "QP031904": "des Tourterelles",
      "QP031905": "du Moulin Vieux", "QP031906": "de la Garrigue"}
MIRAIL_PLACES = ["Maison de quartier de la Reynerie", "Centre social Bellefontaine",
                 "Place Abbal", "Médiathèque de la Reynerie", "Gymnase de Bellefontaine"]
#: The small demo's accounts.
DEMO_ACCOUNTS = [small_people.PILOT, small_people.SIGNATORY, small_people.MODERATOR,
                 small_people.ANIMATOR, small_people.RESIDENT]


def square(lat: float, lon: float, half_m: float) -> dict[str, Any]:
    """A GeoJSON Polygon (lon/lat), a square of 2 × ``half_m`` metres around the centre."""
    dlat = half_m / 111_320
    dlon = half_m / (111_320 * math.cos(math.radians(lat)))
    ring = [[round(lon - dlon, 6), round(lat - dlat, 6)], [round(lon + dlon, 6),
            round(lat - dlat, 6)], [round(lon + dlon, 6), round(lat + dlat, 6)],
            [round(lon - dlon, 6), round(lat + dlat, 6)], [round(lon - dlon, 6),
            round(lat - dlat, 6)]]
    return {"type": "Polygon", "coordinates": [ring]}


def set_up(run: Run) -> None:
    """The small demo's contract, dated back, and its ten quartiers."""
    contract = queries.current_contract(run.db)
    assert contract is not None
    run.contract = contract
    run.signatories = sorted(contract.signatories, key=lambda s: s.id)
    run.orientations = [o.id for o in contract.orientations]
    setting_up(run)
    quartiers_of(run, contract)


def setting_up(run: Run) -> None:
    """The contract, its quartiers and the demo's accounts were set up when the contract
    began, not today: date them (and their audit entries) back to its start."""
    at = dt(run.start)
    run.contract.created_at = at
    for quartier in run.contract.quartiers:
        quartier.created_at = quartier.updated_at = at
    run.demo_users = {u.email: u for u in run.db.scalars(
        select(User).where(User.email.in_(DEMO_ACCOUNTS)))}
    for user in run.demo_users.values():
        user.created_at = user.email_confirmed_at = at
        for grant in user.roles:
            grant.granted_at = at
    run.db.execute(update(AuditEntry).where(AuditEntry.action.in_([
        "territory.contract_created", "territory.qpv_imported",
        "territory.orientation_created", "territory.signatory_created",
        "accounts.role_granted"])).values(at=at))
    run.pilot = run.demo_users[small_people.PILOT]
    run.password_hash = run.pilot.password_hash
    run.db.flush()


def quartiers_of(run: Run, contract: Contract) -> None:
    """Populations for the real quartiers, the invented ones, and the plan of each."""
    at = dt(run.start)
    for quartier in sorted(contract.quartiers, key=lambda q: q.code):
        territory.save_quartier(run.db, contract, quartier, {
            "code": quartier.code, "population": POPULATIONS.get(quartier.code)},
            actor=None, now=at)
    for code, name, commune, lat, lon, half, population, mode in SYNTHETIC:
        territory.save_quartier(run.db, contract, None, {
            "code": code, "name": name, "commune": commune, "population": population,
            "perimeter": square(lat, lon, half), "moderation_mode": mode},
            actor=run.pilot, now=at + timedelta(hours=1))
    for quartier in run.db.scalars(select(Quartier).order_by(Quartier.code)):
        of = OF.get(quartier.code, f"de {quartier.name}")
        places = MIRAIL_PLACES if quartier.code == "QP031007" else [
            f"Maison de quartier {of}", f"Centre social {of}", f"Médiathèque {of}",
            f"Gymnase {of}", f"Square {of}"]
        run.quartiers.append(QuartierPlan(
            obj=quartier, weight=(quartier.population or 2_000) ** 0.6, of=of,
            places=places))
    run.q_weights = [q.weight for q in run.quartiers]
    run.by_code = {q.obj.code: i for i, q in enumerate(run.quartiers)}
