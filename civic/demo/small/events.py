"""The small demo's events: coming and past ones in both quartiers, a full one with a
waiting list, and the attendance of the past one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from civic.accounts.models import User
from civic.core import clock
from civic.core.db import session as db
from civic.demo.small.people import ANIMATOR, RESIDENT
from civic.events import services as events
from civic.events.models import Event
from civic.map import queries as map_queries
from civic.territory.models import Quartier, Signatory

#: (kind, title, place, days from now, start hour, hours, capacity, description)
EVENTS = [
    ("cafe", "Café des habitants", "Maison de quartier de la Reynerie", 3, 9, 2, 25,
     "Un café, des croissants et les nouvelles du quartier. Venez avec vos questions."),
    ("meal", "Repas partagé de la fin d’année", "Centre social Bellefontaine", 9, 12, 3, 6,
     "Chacun apporte un plat de chez lui. On mange ensemble et on fait connaissance."),
    ("workshop", "Atelier : réparer son vélo", "Place Abbal", 12, 14, 3, None,
     "Des outils et des bénévoles pour apprendre à réparer son vélo."),
    ("council_meeting", "Réunion du conseil citoyen", "Maison de quartier de la Reynerie",
     16, 18, 2, 40, "Ordre du jour : les idées reçues ce mois-ci et le vote FPH."),
    ("project_party", "Fête du jardin partagé", "Jardin partagé du lac", -20, 14, 4, 80,
     "Pour fêter le jardin financé par le FPH l’an dernier."),
]
GUESTS = ["Fatou", "Moussa", "Nadia", "Karim", "Sofia", "Jean", "Leïla", "Omar"]


def seed(mirail: Quartier, empalot: Quartier, users: dict[str, User],
         signatories: Sequence[Signatory], now: datetime) -> None:
    """The events above (the workshop in Empalot, by the régie de quartier), at
    landmarks of Grand Mirail, with guests signed up."""
    animator, resident = users[ANIMATOR], users[RESIDENT]
    today = clock.local_day(now, "Europe/Paris")
    spots = map_queries.landmarks(db(), mirail.id)
    for n, (kind, title, place, days, hour, hours, capacity, text) in enumerate(EVENTS):
        starts = clock.to_utc(datetime.combine(today + timedelta(days=days), time(hour)),
                              "Europe/Paris")
        created_at = min(now, starts) - timedelta(days=10)
        event = events.create(db(), empalot if n == 2 else mirail, {
            "kind": kind, "title": title, "description": text, "place": place,
            "address": "", "organiser": "Régie de quartier" if n == 2 else "",
            "signatory_id": signatories[0].id if n == 3 else None, "bring": (
                "Un plat à partager" if kind == "meal" else ""),
            "step_free": True, "childcare": n in (0, 1), "interpretation": (
                "arabe" if n in (0, 3) else ""), "capacity": capacity,
            "starts_at": starts, "ends_at": starts + timedelta(hours=hours),
            "latitude": spots[n].latitude if n != 2 and spots else None,
            "longitude": spots[n].longitude if n != 2 and spots else None},
            author=animator, proposed=False,
            now=created_at)
        _sign_up(event, n, created_at)
        if n == 0:
            events.sign_up(db(), event, {"party_size": 2}, user=resident, language="fr",
                           now=created_at + timedelta(days=1))
        if days < 0:
            _attendance(event, animator, starts + timedelta(hours=1))


def _sign_up(event: Event, n: int, created_at: datetime) -> None:
    """More guests for each next event, by phone, one with a child, one asking for an
    interpreter."""
    for k, name in enumerate(GUESTS[: 3 + 2 * n]):
        events.sign_up(db(), event, {
            "name": name, "phone": f"06 12 34 56 {k:02d}", "email": None,
            "party_size": 1 + k % 3, "childcare": k == 1, "consent": True,
            "interpretation": "arabe" if k == 2 else ""}, user=None, language="fr",
            now=created_at + timedelta(hours=k + 1))


def _attendance(event: Event, animator: Any, taken: datetime) -> None:
    """All but the last signup came, with walk-ins, two of them named."""
    signed = events.live_signups(db(), event)
    events.take_attendance(db(), event, events.Attendance(
        present_ids=frozenset(s.id for s in signed[:-1]), walk_ins=9,
        walk_in_names=("Rachid", "Hélène"),
        figures={("gender", "woman"): 12, ("gender", "man"): 8,
                 ("age", "25_39"): 7, ("age", "40_54"): 6,
                 ("age", "65_plus"): 4}), actor=animator, now=taken)
