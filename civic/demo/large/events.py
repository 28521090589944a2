"""The large demo's events: walks and every other kind over the years and the coming
weeks, their signups (seats, waiting list, cancellations and promotions), the attendance
of past ones, and the nightly purge of the names of events long over."""

from __future__ import annotations

import math
import secrets
import uuid
from collections import Counter
from datetime import date, timedelta
from typing import Any

from flask import current_app

from civic.accounts.models import AGE_BRACKETS, GENDERS
from civic.demo.large.moderation import REJECT_REASONS
from civic.demo.large.people import FIRST_NAMES
from civic.demo.large.run import DAY, HOUR, Run, dt, local_day, local_ts, slug
from civic.events.models import KINDS, AttendanceFigure, Event, Signup, SignupStatus
from civic.moderation.models import State

#: kind → (weight, capacity range or None, local start hours, hours, share contract-wide)
EVENT_KINDS: dict[str, tuple[int, tuple[int, int] | None, tuple[int, ...], int, float]] = {
    "cafe": (20, (20, 40), (9, 10), 2, 0.0),
    "meal": (11, (30, 80), (12, 19), 3, 0.0),
    "project_party": (6, (60, 200), (14, 15, 16), 4, 0.0),
    "permanence": (13, None, (9, 14), 3, 0.0),
    "assizes": (2, (150, 300), (9,), 7, 1.0),
    "elected_meeting": (5, (60, 120), (18,), 2, 0.3),
    "workshop": (18, (8, 20), (14, 15, 17), 2, 0.0),
    "council_meeting": (12, (30, 60), (18,), 2, 0.0),
    "training": (6, (12, 25), (9, 14), 3, 0.6),
}
EVENT_TITLES = {
    "cafe": ["Café des habitants", "Café des parents", "Petit déjeuner du quartier"],
    "meal": ["Repas partagé", "Repas de quartier", "Goûter partagé"],
    "project_party": ["Fête du jardin partagé", "Inauguration de la fresque",
                      "Fête des projets FPH"],
    "permanence": ["Permanence d’accès aux droits", "Permanence du conseil citoyen"],
    "walk": ["Diagnostic en marchant"],
    "assizes": ["Assises du contrat de ville", "Rencontre des conseils citoyens"],
    "elected_meeting": ["Rencontre avec les élus", "Réunion publique sur le quartier"],
    "workshop": ["Atelier vélo", "Atelier couture", "Atelier numérique",
                 "Atelier cuisine du monde", "Atelier CV"],
    "council_meeting": ["Réunion du conseil citoyen", "Conseil citoyen ouvert"],
    "training": ["Formation des conseillers citoyens", "Formation : monter un projet FPH",
                 "Formation aux premiers secours"],
}
EVENT_TEXTS = {
    "cafe": "Un café, des croissants et les nouvelles du quartier. Venez avec vos questions.",
    "meal": "Chacun apporte un plat de chez lui. On mange ensemble et on fait connaissance.",
    "project_party": "Pour fêter un projet financé par le FPH avec celles et ceux qui l’ont "
                     "porté.",
    "permanence": "Un animateur vous reçoit : démarches, idées, vote FPH.",
    "walk": "On marche ensemble dans le quartier pour noter ce qui va et ce qui ne va pas.",
    "assizes": "Une journée pour faire le point sur le contrat de ville avec les habitants, "
               "les signataires et les élus.",
    "elected_meeting": "Les élus répondent aux questions des habitants.",
    "workshop": "Un atelier pratique, ouvert à toutes et à tous.",
    "council_meeting": "Ordre du jour : les idées reçues ce mois-ci, le FPH et les "
                       "prochains événements.",
    "training": "Une formation courte pour les conseillers citoyens et les bénévoles.",
}
ORGANISERS = ["", "", "Régie de quartier", "Centre social", "Association des parents",
              "Collectif des voisins"]
CANCEL_REASONS = ["Salle indisponible, l’événement est reporté.",
                  "Alerte météo : nous préférons annuler.", "L’intervenant est malade."]


def events(run: Run, walks: list[dict[str, Any]]) -> None:
    """Walks are events too; the other kinds spread over the years and the coming
    weeks. Signups, attendance and purges are played out before the rows are written,
    so that every counter goes in with its final value."""
    rng = run.rng
    plans: list[dict[str, Any]] = []
    for walk in walks:
        plans.append(event_plan(run, "walk", run.index_of(walk["quartier_id"]),
                                walk["starts_at"].timestamp(), place=walk["meeting_point"]))
    kinds = [k for k in KINDS if k != "walk"]
    weights = [EVENT_KINDS[k][0] for k in kinds]
    last = run.now + 45 * DAY if run.now <= run.end else run.end
    for n in range(max(len(kinds), run.n("events") - len(walks))):
        kind = kinds[n] if n < len(kinds) else rng.choices(kinds, weights)[0]
        _, _, hours, _, wide = EVENT_KINDS[kind]
        qi = -1 if rng.random() < wide else rng.choices(range(len(run.quartiers)),
                                                        run.q_weights)[0]
        day = run.day_between(run.start + 14 * DAY, last)
        plans.append(event_plan(run, kind, qi, local_ts(day, rng.choice(hours))))
    plans.sort(key=lambda p: p["row"]["starts_at"])
    signups, figures = signups_of(run, plans)
    ids = run.insert(Event, [p["row"] for p in plans], ids=True)
    for plan, event_id in zip(plans, ids, strict=True):
        plan["id"] = event_id
        for at, actor, action, details in plan["audit"]:
            run.audit(at, actor, action, "event", event_id, **details)
    for row in (*signups, *figures):
        row["event_id"] = row["event_id"]["id"]
    run.insert(Signup, signups)
    run.insert(AttendanceFigure, figures)


def event_plan(run: Run, kind: str, qi: int, starts: float, place: str = "") -> dict[str, Any]:
    """One event: who made it, its moderation, edits and cancellation."""
    rng = run.rng
    capacity_range, hours = (EVENT_KINDS[kind][1], EVENT_KINDS[kind][3]) if (
        kind in EVENT_KINDS) else ((20, 30), 2)
    q = run.quartiers[qi] if qi >= 0 else None
    created = max(run.start + HOUR, starts - rng.uniform(10, 40) * DAY)
    created = min(created, run.now - HOUR, starts - HOUR)
    audit: list[tuple[float, int | None, str, dict[str, Any]]] = []
    proposer = run.resident(qi, created) if q is not None and kind in (
        "cafe", "meal", "workshop", "project_party") and rng.random() < 0.1 else None
    row: dict[str, Any] = {
        "uid": uuid.UUID(int=rng.getrandbits(128), version=4).hex, "sequence": 0,
        "quartier_id": q.id if q else None, "kind": kind,
        "title": rng.choice(EVENT_TITLES[kind]) + (f" {q.of}" if q and kind in (
            "walk", "council_meeting") else ""),
        "description": EVENT_TEXTS[kind],
        "place": place or (rng.choice(q.places) if q else "Salle des fêtes du Capitole"),
        "address": "", "latitude": None, "longitude": None,
        "starts_at": dt(starts), "ends_at": dt(starts + hours * HOUR),
        "organiser": rng.choice(ORGANISERS) if proposer is None else "",
        "signatory_id": rng.choice(run.signatories).id if kind in (
            "training", "elected_meeting") and rng.random() < 0.5 else None,
        "bring": "Un plat à partager" if kind == "meal" else "",
        "step_free": rng.random() < 0.8, "childcare": rng.random() < 0.2,
        "interpretation": rng.choice(["", "", "", "arabe", "arabe, anglais"]),
        "capacity": rng.randint(*capacity_range) if capacity_range and (
            rng.random() < 0.85) else None,
        "seats_taken": 0, "cancelled_at": None, "cancel_reason": "", "walk_ins": 0,
        "attendance": 0, "attendance_taken_at": None, "waiting_kept": 0,
        "purged_at": None, "created_at": dt(created), "updated_at": None,
        "moderation_reason": "", "original_title": None}
    if q is not None and q.landmarks and rng.random() < 0.5:
        _, _, row["latitude"], row["longitude"] = rng.choice(q.landmarks)
    if proposer is None:
        author = rng.choice(q.animators) if q else rng.choice(run.pilots)
        row.update(author_id=author, moderation=State.PUBLISHED.value,
                   moderated_at=dt(created), moderated_by_id=None)
        audit.append((created, author, "events.create", {}))
    else:
        assert q is not None
        created = _proposed(run, row, q.moderators, proposer, created, starts, audit)
    actor = row["author_id"] if proposer is None else rng.choice(
        q.animators if q else run.pilots)
    _edit_or_cancel(run, row, actor, created, starts, audit)
    return {"row": row, "q": qi, "audit": audit, "animator": actor}


def _proposed(run: Run, row: dict[str, Any], moderators: list[int], proposer: int,
              created: float, starts: float,
              audit: list[tuple[float, int | None, str, dict[str, Any]]]) -> float:
    """An event a resident proposed: it waits for a moderator of the quartier, who
    publishes it or, now and then, rejects it. Returns when it was decided."""
    rng = run.rng
    run.touched(proposer, created)
    row.update(author_id=run.u_id[proposer], moderation=State.PENDING.value,
               moderated_at=None, moderated_by_id=None)
    audit.append((created, run.u_id[proposer], "events.propose", {}))
    decided = created + run.delay(1, 0.8, 10)
    if decided < min(run.now, starts):
        moderator = rng.choice(moderators)
        action = "reject" if rng.random() < 0.1 else "publish"
        state = State.REJECTED if action == "reject" else State.PUBLISHED
        reason = REJECT_REASONS[2] if action == "reject" else ""
        row.update(moderation=state.value, moderated_at=dt(decided),
                   moderated_by_id=moderator, moderation_reason=reason)
        audit.append((decided, moderator, f"moderation.{action}", {
            "before": "pending", "after": state.value, "reason": reason}))
        created = decided
    return created


def _edit_or_cancel(run: Run, row: dict[str, Any], actor: int, created: float,
                    starts: float,
                    audit: list[tuple[float, int | None, str, dict[str, Any]]]) -> None:
    """A few events are edited after they were announced, a few are cancelled."""
    rng = run.rng
    if rng.random() < 0.1 and created < min(starts, run.now) - HOUR:
        edited = rng.uniform(created, min(starts, run.now))
        row.update(sequence=rng.randint(1, 2), updated_at=dt(edited))
        audit.append((edited, actor, "events.edit", {"changes": ["description"]}))
    if row["moderation"] == State.PUBLISHED and rng.random() < 0.04:
        cancelled = rng.uniform(created, starts)
        if cancelled < run.now:
            row.update(cancelled_at=dt(cancelled), cancel_reason=rng.choice(
                CANCEL_REASONS), sequence=row["sequence"] + 1, updated_at=dt(cancelled))
            audit.append((cancelled, actor, "events.cancel", {}))


def signups_of(run: Run, plans: list[dict[str, Any]]
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Signups of each published event, its attendance, and the nightly purge of the
    names of events ended more than the retention period ago (counts stay)."""
    rng = run.rng
    demand = []
    for plan in plans:
        row = plan["row"]
        if row["moderation"] != State.PUBLISHED or row["kind"] == "permanence":
            demand.append(0.0)
        elif row["capacity"] is not None:
            demand.append(row["capacity"] / 1.8 * rng.uniform(0.4, 1.3))
        else:
            demand.append(rng.uniform(3, 20))
    factor = run.n("event_signups") / max(1.0, sum(demand))
    retention = int(current_app.config.get("EVENT_SIGNUP_RETENTION_DAYS", 30)) * DAY
    kept: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    purges: Counter[date] = Counter()
    run.signups_made = 0
    for index, (plan, wanted) in enumerate(zip(plans, demand, strict=True)):
        row = plan["row"]
        signups = sign_up(run, plan, index, round(wanted * factor))
        run.signups_made += len(signups)
        signups.extend(attendance(run, plan, signups, figures))
        ends = row["ends_at"].timestamp()
        purge = local_ts(local_day(ends + retention) + timedelta(days=1), 3, 30)
        if purge <= run.now:
            row["waiting_kept"] = sum(s["party_size"] for s in signups
                                      if s["status"] == SignupStatus.WAITING)
            row["purged_at"] = dt(purge)
            purges[local_day(purge)] += 1
        else:
            kept.extend(signups)
    for day, count in sorted(purges.items()):
        run.audit(local_ts(day, 3, 30), None, "events.purge", "event", None, events=count)
    return kept, figures


def sign_up(run: Run, plan: dict[str, Any], index: int, count: int) -> list[dict[str, Any]]:
    """Joins and cancellations in the order they happen: a seat when the party fits,
    else the waiting list; a freed seat goes to the first people waiting who fit."""
    rng = run.rng
    row = plan["row"]
    opens = row["created_at"].timestamp() + HOUR
    closes = min(row["starts_at"].timestamp(), run.now,
                 row["cancelled_at"].timestamp() if row["cancelled_at"] else math.inf)
    if closes <= opens or count <= 0:
        return []
    steps: list[tuple[float, int, dict[str, Any]]] = []
    users: set[int] = set()
    for k in range(count):
        t = opens + (closes - opens) * math.sqrt(rng.random())
        signup = signup_row(run, plan, index, t, users, k)
        steps.append((t, 0, signup))
        if rng.random() < 0.08:
            steps.append((rng.uniform(t, closes), 1, signup))
    steps.sort(key=lambda s: (s[0], s[1]))
    row["seats_taken"] = _seat(steps, row["capacity"])
    return [signup for _, action, signup in steps if action == 0]


def _seat(steps: list[tuple[float, int, dict[str, Any]]], capacity: int | None) -> int:
    """Play the joins (action 0) and cancellations (1) in order; returns the seats taken."""
    seats = 0
    waiting: list[dict[str, Any]] = []
    for t, action, signup in steps:
        party = signup["party_size"]
        if action == 0:
            if capacity is None or seats + party <= capacity:
                signup["status"] = SignupStatus.CONFIRMED.value
                seats += party
            else:
                waiting.append(signup)
            continue
        was = signup["status"]
        signup.update(status=SignupStatus.CANCELLED.value, cancelled_at=dt(t))
        if was == SignupStatus.WAITING:
            waiting.remove(signup)
            continue
        seats -= party
        seats = _promote(waiting, seats, capacity, t)
    return seats


def _promote(waiting: list[dict[str, Any]], seats: int, capacity: int | None,
             t: float) -> int:
    """A freed seat goes to the first people waiting who fit; returns the seats taken."""
    for other in list(waiting):
        if capacity is None or seats >= capacity:
            break
        if seats + other["party_size"] <= capacity:
            other.update(status=SignupStatus.CONFIRMED.value, promoted_at=dt(t))
            seats += other["party_size"]
            waiting.remove(other)
    return seats


def signup_row(run: Run, plan: dict[str, Any], index: int, t: float, users: set[int],
               k: int) -> dict[str, Any]:
    """A resident with an account (a third of the time), else a guest with a phone
    or an e-mail who agreed to be contacted about this event."""
    rng = run.rng
    row = plan["row"]
    qi = plan["q"] if plan["q"] >= 0 else rng.choices(range(len(run.quartiers)),
                                                      run.q_weights)[0]
    user = run.resident(qi, t) if rng.random() < 0.35 else None
    signup: dict[str, Any] = {
        "event_id": plan, "key": secrets.token_hex(16), "language": "fr",
        "party_size": rng.choices(range(1, 9), (55, 20, 10, 6, 4, 2, 2, 1))[0],
        "childcare": row["childcare"] and rng.random() < 0.2,
        "step_free": rng.random() < 0.05,
        "interpretation": "arabe" if row["interpretation"] and rng.random() < 0.2 else "",
        "consent": True, "status": SignupStatus.WAITING.value, "present": False,
        "created_at": dt(t), "promoted_at": None, "cancelled_at": None,
        "reminded_at": None}
    if user is not None and user not in users:
        users.add(user)
        run.touched(user, t)
        signup.update(user_id=run.u_id[user], name=run.u_name[user],
                      email=run.u_email[user], phone=None)
        return signup
    name = rng.choice(FIRST_NAMES)
    by_mail = rng.random() < 0.3
    phone = "06 " + " ".join(str(rng.randint(10, 99)) for _ in range(4))
    signup.update(user_id=None, name=name,
                  email=f"{slug(name)}.{index}.{k}@example.org" if by_mail else None,
                  phone=None if by_mail else phone)
    return signup


def attendance(run: Run, plan: dict[str, Any], signups: list[dict[str, Any]],
               figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who came to a past event: ticks, walk-ins (some named), and, about half the
    time, the declared genders and age brackets as counts. Returns the named
    walk-ins, who are signups too."""
    rng = run.rng
    row = plan["row"]
    ends = row["ends_at"].timestamp()
    if row["moderation"] != State.PUBLISHED or row["cancelled_at"] is not None \
            or ends >= run.now or rng.random() > 0.85:
        return []
    taken = min(run.now, ends + rng.uniform(0.2, 48) * HOUR)
    present = 0
    for signup in signups:
        if signup["status"] in (SignupStatus.CONFIRMED, SignupStatus.WAITING):
            signup["present"] = rng.random() < (
                0.82 if signup["status"] == SignupStatus.CONFIRMED else 0.1)
            present += signup["party_size"] if signup["present"] else 0
    walk_ins = rng.randint(0, 6) if row["capacity"] else rng.randint(2, 25)
    total = present + walk_ins
    row.update(walk_ins=walk_ins, attendance=total, attendance_taken_at=dt(taken))
    plan["audit"].append((taken, plan["animator"], "events.attendance",
                          {"attendance": total}))
    if total and rng.random() < 0.55:
        _figures(run, plan, total, figures)
    names = rng.sample(FIRST_NAMES, min(walk_ins, rng.randint(0, 3)))
    return [{"event_id": plan, "user_id": None, "key": secrets.token_hex(16),
             "name": name, "email": None, "phone": None, "language": "fr",
             "party_size": 1, "childcare": False, "step_free": False,
             "interpretation": "", "consent": False,
             "status": SignupStatus.WALK_IN.value, "present": True,
             "created_at": dt(taken), "promoted_at": None, "cancelled_at": None,
             "reminded_at": None} for name in names]


def _figures(run: Run, plan: dict[str, Any], total: int,
             figures: list[dict[str, Any]]) -> None:
    """The genders and age brackets declared by part of those who came, as counts."""
    for dimension, values, shares in (
            ("gender", GENDERS, (60, 37, 3)),
            ("age", AGE_BRACKETS, (8, 10, 27, 27, 15, 13))):
        declared = round(total * run.rng.uniform(0.3, 0.95))
        counts = Counter(run.rng.choices(values, shares, k=declared))
        figures.extend({"event_id": plan, "dimension": dimension, "value": value,
                        "count": count} for value, count in sorted(counts.items()))
