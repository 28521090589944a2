"""The large demo's people: the staff of every quartier, about 20 000 residents who join
over the years (many do one thing, a few do a lot), and the few who delete their account."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

import pyotp
from sqlalchemy import delete, update

from civic.accounts import services as accounts
from civic.accounts.models import AGE_BRACKETS, GENDERS, Role, RoleGrant, User
from civic.budget.models import Project
from civic.demo.large.run import DAY, HOUR, Run, dt, local_ts, slug
from civic.demo.small import people as small_people
from civic.events.models import Signup
from civic.ideas.models import Follow, Idea
from civic.moderation.models import Report

FIRST_NAMES = [
    "Fatou", "Moussa", "Nadia", "Karim", "Sofia", "Jean", "Leïla", "Omar", "Mireille",
    "Yacine", "Aïcha", "Samir", "Inès", "Thomas", "Amina", "Mohamed", "Julie", "Rachid",
    "Hélène", "Bilal", "Camille", "Youssef", "Sarah", "Mamadou", "Chantal", "Ibrahim",
    "Lucie", "Nabil", "Awa", "Pierre", "Fatima", "Hugo", "Mariam", "Kevin", "Zohra", "Paul",
    "Salma", "Djamel", "Emma", "Issa", "Nathalie", "Hamza", "Léa", "Abdou", "Monique",
    "Rayan", "Khadija", "Louis", "Naïma", "Sékou", "Martine", "Ali", "Yasmine", "Bernard",
    "Aminata", "Mehdi", "Anaïs", "Souleymane", "Dominique", "Houria",
]
ARABIC_NAMES = ["فاطمة", "محمد", "خديجة", "يوسف", "مريم", "عمر", "سلمى", "كريم"]
SURNAMES = ["Diallo", "Martin", "Benali", "Traoré", "Garcia", "Haddad", "Bernard", "Nguyen",
            "Mendy", "Lefèvre", "Bouzid", "Moreau", "Camara", "Petit", "Ziani", "Roux",
            "Keita", "Durand", "Amrani", "Fournier", "Sow", "Lopez", "Cherif", "Blanc"]
#: New residents by year: the launch brings the most, then word of mouth.
JOIN_WEIGHTS = {2024: 1.0, 2025: 0.75, 2026: 0.6}

#: An account to create and the role it gets: (account, role, quartier id, signatory id).
Grant = tuple[User, Role, int | None, int | None]


# --- Staff ------------------------------------------------------------------------------


def staff(run: Run) -> None:
    """Two moderators (conseil citoyen) and an animator per quartier, a second pilot,
    and one account for each signatory's referent."""
    at = dt(run.start + HOUR)
    demo_users = run.demo_users
    mirail, empalot = run.by_code["QP031007"], run.by_code["QP031010"]
    run.quartiers[mirail].moderators.append(demo_users[small_people.MODERATOR].id)
    for qi in (mirail, empalot):
        run.quartiers[qi].animators.append(demo_users[small_people.ANIMATOR].id)
    run.signatory_users = {run.signatories[0].id: demo_users[small_people.SIGNATORY].id}
    grants: list[Grant] = []

    def account(email: str | None, name: str, quartier_id: int | None) -> User:
        user = User(email=email, password_hash=run.password_hash, display_name=name,
                    language="fr", quartier_id=quartier_id, created_at=at,
                    email_confirmed_at=at)
        run.db.add(user)
        return user

    names = iter(run.rng.sample(FIRST_NAMES, len(FIRST_NAMES)))
    for q in run.quartiers:
        code = q.obj.code.lower()
        for k in range(2 - len(q.moderators)):
            user = account(f"conseil.{code}.{k + 1}@example.org",
                           f"{next(names)} (conseil citoyen)", q.id)
            grants.append((user, Role.MODERATOR, q.id, None))
        user = account(f"animation.{code}@example.org", f"{next(names)} (animation)", q.id)
        grants.append((user, Role.ANIMATOR, q.id, None))
    prefet = account("delegue.prefet@example.org", "Didier (délégué du préfet)", None)
    grants.append((prefet, Role.PILOT, None, None))
    for signatory in run.signatories[1:]:
        user = account(signatory.referent_email, f"{signatory.referent_name} "
                       f"({signatory.name})"[:80], None)
        grants.append((user, Role.SIGNATORY, None, signatory.id))
    run.db.flush()
    _grant(run, grants, at + timedelta(hours=1))
    run.pilots = [run.pilot.id, prefet.id]
    run.users_by_id = {u.id: u for u in [*demo_users.values(), *(g[0] for g in grants)]}


def _grant(run: Run, grants: list[Grant], at: datetime) -> None:
    """The staff's roles, granted by the pilot; the plan learns who does what where."""
    app = pyotp.random_base32()  # nobody logs in as them: a secret nobody is shown
    for user, role, quartier_id, signatory_id in grants:
        accounts.grant_role(run.db, user, role, quartier_id=quartier_id,
                            signatory_id=signatory_id, actor=run.pilot, now=at)
        if user.second_factor_at is None:
            small_people.staff_app(run.db, user, app, at)
        if role == Role.MODERATOR:
            run.quartiers[run.index_of(quartier_id)].moderators.append(user.id)
        elif role == Role.ANIMATOR:
            run.quartiers[run.index_of(quartier_id)].animators.append(user.id)
        elif role == Role.SIGNATORY and signatory_id is not None:
            run.signatory_users[signatory_id] = user.id


# --- Residents --------------------------------------------------------------------------


def activity_count(run: Run) -> int:
    """How many things a resident does over the years: many do one, a few do a lot."""
    pick = run.rng.random()
    if pick < 0.52:
        return 1
    if pick < 0.80:
        return run.rng.randint(2, 3)
    if pick < 0.95:
        return run.rng.randint(4, 9)
    if pick < 0.995:
        return run.rng.randint(10, 30)
    return run.rng.randint(31, 120)


def join_time(run: Run) -> float:
    """When a resident opens an account: a year (weighted), then a day in it."""
    spans = []
    for year, weight in JOIN_WEIGHTS.items():
        a = max(run.start + DAY, local_ts(date(year, 1, 1), 0))
        b = min(run.end - HOUR, local_ts(date(year + 1, 1, 1), 0))
        if b > a:
            spans.append((a, b, weight * (b - a)))
    a, b, _ = run.rng.choices(spans, [w for _, _, w in spans])[0]
    return run.moment(a, b)


def slot_targets(run: Run) -> dict[str, int]:
    """What residents' own activity is made of (walk points, ideas typed by animators
    and ideas from map points come on top)."""
    walk_points = 12 * run.n("walks")
    return {"idea": round(0.9 * run.n("ideas")),
            "point": max(1, run.n("map_points") - walk_points),
            "support": run.n("supports"), "comment": run.n("comments"),
            "point_support": run.n("point_supports")}


def slot_kinds(run: Run) -> list[str]:
    """The kind of each slot of ``run.slots``: drawn once, the same on every call."""
    if len(run.kinds) != len(run.slots):
        run.kinds = [kind for kind, count in slot_targets(run).items()
                     for _ in range(count)]
        run.rng.shuffle(run.kinds)
    return run.kinds


def slots_of(run: Run, kind: str) -> list[tuple[float, int]]:
    """The slots of one kind, in time order."""
    return sorted(s for s, k in zip(run.slots, slot_kinds(run), strict=True) if k == kind)


def residents(run: Run) -> None:
    """The residents' accounts, in bulk, and what each quartier knows of its own."""
    count = run.n("users")
    slot_total = sum(slot_targets(run).values())
    joins = sorted(join_time(run) for _ in range(count))
    counts = [activity_count(run) for _ in range(count)]
    _adjust(run, counts, slot_total)
    rows = [_resident(run, index, join, activities)
            for index, (join, activities) in enumerate(zip(joins, counts, strict=True))]
    run.u_id = run.insert(User, rows, ids=True)
    for index, home in enumerate(run.u_home):
        if home >= 0:
            q = run.quartiers[home]
            q.joins.append(run.u_join[index])
            q.members.append(index)
            q.cumulative.append((q.cumulative[-1] if q.cumulative else 0.0)
                                + run.u_weight[index])


def _adjust(run: Run, counts: list[int], slot_total: int) -> None:
    """Adjust the activity so that the slots add up to the targets exactly (unless there
    are fewer of them than residents, who all do something)."""
    count = len(counts)
    total = sum(counts)
    while total != slot_total and (total < slot_total or total > count):
        index = run.rng.randrange(count)
        if total < slot_total:
            counts[index] += 1
            total += 1
        elif counts[index] > 1:
            counts[index] -= 1
            total -= 1


def _resident(run: Run, index: int, join: float, activities: int) -> dict[str, Any]:
    """One resident's account, and the times of what they will do."""
    rng = run.rng
    span = 0.0 if activities == 1 else rng.expovariate(1 / (250 * DAY)) * (
        1 + math.log(activities))
    leave = min(run.end, join + span)
    first = join + rng.uniform(3, 90) * 60
    times = [first] + [run.moment(first, max(leave, first + HOUR))
                       for _ in range(activities - 1)]
    times = [min(t, run.end) for t in times]
    run.slots.extend((t, index) for t in times)
    home = rng.choices(range(len(run.quartiers)), run.q_weights)[0] if (
        rng.random() < 0.88) else -1
    arabic = rng.random() < 0.1
    first_name = rng.choice(ARABIC_NAMES if arabic and rng.random() < 0.4
                            else FIRST_NAMES)
    name = first_name if rng.random() < 0.5 else (
        f"{first_name} {rng.choice(SURNAMES)[0]}.")
    email = f"{slug(first_name)}.{index + 1}@example.org"
    declares = rng.random() < 0.4
    row = {
        "email": email, "password_hash": run.password_hash, "display_name": name,
        "language": "ar" if arabic else ("en" if rng.random() < 0.04 else "fr"),
        "quartier_id": run.quartiers[home].id if home >= 0 else None,
        "gender": rng.choices(GENDERS, (52, 45, 3))[0] if declares else None,
        "age_bracket": rng.choices(AGE_BRACKETS, (4, 12, 30, 27, 15, 12))[0]
        if declares or rng.random() < 0.03 else None,
        "created_at": dt(join), "email_confirmed_at": dt(first - 60),
        "last_login_at": dt(max(times)), "deleted_at": None}
    run.u_join.append(join)
    run.u_leave.append(leave)
    run.u_home.append(home)
    run.u_weight.append(float(activities))
    run.u_name.append(name)
    run.u_email.append(email)
    run.u_last.append(max(times))
    return row


# --- Accounts deleted by their owners ---------------------------------------------------


def departures(run: Run) -> None:
    """A few residents delete their account: ``accounts.services.delete_account`` and
    the parts' erasers, applied in bulk."""
    rng = run.rng
    gone = [u for u in range(len(run.u_id)) if run.u_last[u] < run.now - 30 * DAY
            and rng.random() < 0.008]
    if not gone:
        return
    for u in gone:
        at = min(run.now - DAY, run.u_last[u] + rng.uniform(5, 200) * DAY)
        run.db.execute(update(User).where(User.id == run.u_id[u]).values(
            email=None, password_hash=None, display_name="", gender=None,
            age_bracket=None, quartier_id=None, deleted_at=dt(at)))
        run.audit(at, None, "accounts.deleted", "user", run.u_id[u])
    ids = [run.u_id[u] for u in gone]
    for k in range(0, len(ids), 500):
        chunk = ids[k:k + 500]
        run.db.execute(update(Idea).where(Idea.author_id.in_(chunk))
                       .values(latitude=None, longitude=None))
        run.db.execute(delete(Follow).where(Follow.user_id.in_(chunk)))
        run.db.execute(update(Report).where(Report.reporter_id.in_(chunk))
                       .values(reporter_id=None))
        run.db.execute(update(Project).where(Project.author_id.in_(chunk))
                       .values(contact=""))
        run.db.execute(update(Signup).where(Signup.user_id.in_(chunk)).values(
            name="", email=None, phone=None, user_id=None))
        run.db.execute(delete(RoleGrant).where(RoleGrant.user_id.in_(chunk)))
