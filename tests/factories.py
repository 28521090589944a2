"""Plain factory functions: they add and flush, never commit."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from civic.accounts.models import Role, RoleGrant, User
from civic.accounts.second_factor import TOTP_WINDOW, Keys, give_app
from civic.core.security import hash_password
from civic.territory.models import Contract, Orientation, Quartier, Signatory

NOW = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)

SQUARE = {"type": "Polygon",
          "coordinates": [[[1.40, 43.57], [1.41, 43.57], [1.41, 43.58], [1.40, 43.58],
                           [1.40, 43.57]]]}


def make_contract(db: Session, **values: Any) -> Contract:
    contract = Contract(**{"name": "Contrat de ville de Testville", "start_year": 2024,
                           "end_year": 2030, "created_at": NOW, **values})
    db.add(contract)
    db.flush()
    return contract


def make_quartier(db: Session, contract: Contract, **values: Any) -> Quartier:
    n = next(_seq)
    quartier = Quartier(**{"contract": contract, "code": f"QN{n:06d}", "name": f"Quartier {n}",
                           "commune": "Testville", "population": 4200, "perimeter": SQUARE,
                           "created_at": NOW, "updated_at": NOW, **values})
    db.add(quartier)
    db.flush()
    return quartier


def make_orientation(db: Session, contract: Contract, **values: Any) -> Orientation:
    orientation = Orientation(**{"contract": contract, "name": f"Orientation {next(_seq)}",
                                 "description": "", "position": 0, **values})
    db.add(orientation)
    db.flush()
    return orientation


def make_signatory(db: Session, contract: Contract, **values: Any) -> Signatory:
    n = next(_seq)
    signatory = Signatory(**{"contract": contract, "name": f"Signataire {n}", "kind": "commune",
                             "referent_name": "Référente", "referent_email": f"ref{n}@example.org",
                             "commitment": "", **values})
    db.add(signatory)
    db.flush()
    return signatory


#: The site's secret key in tests (``tests.conftest.test_config``), from which the apps'
#: secrets are encrypted.
SECRET_KEY = "tests-only-secret"
#: The authenticator app of every account made with a role: tests compute its codes.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_KEYS = Keys.derive(SECRET_KEY)
_used_steps: dict[str, int] = {}


def app_code(address: str, secret: str = TOTP_SECRET) -> str:
    """A code of the account's app that its account has not taken yet, by the site's clock
    (``clock.now``, which a test may freeze): the current step's, else the next step's
    (taken too), else, once the clock moved on, the one after (the site refuses a code
    twice)."""
    import time

    import pyotp

    from civic.core import clock

    totp = pyotp.TOTP(secret)
    step = max(totp.timecode(clock.now()), _used_steps.get(address, -1) + 1)
    for _second in range(2 * totp.interval):
        if step <= totp.timecode(clock.now()) + TOTP_WINDOW:
            break
        time.sleep(1)
    else:
        raise AssertionError(f"{address} used every code the clock allows: it does not move")
    _used_steps[address] = step
    return totp.generate_otp(step)


def make_user(db: Session, *, roles: list[tuple[Role, Any]] | None = None,
              confirmed: bool = True, second_factor: bool | None = None,
              **values: Any) -> User:
    """An account; one with a role has an authenticator app (``TOTP_SECRET``) unless
    ``second_factor=False``, so that its roles take effect; ``second_factor=True`` gives
    a resident one too."""
    n = next(_seq)
    enrolled = bool(roles) if second_factor is None else second_factor
    user = User(**{"email": f"person{n}@example.org", "password_hash": _PASSWORD_HASH,
                   "display_name": f"Personne {n}", "language": "fr", "created_at": NOW,
                   "email_confirmed_at": NOW if confirmed else None, **values})
    db.add(user)
    db.flush()
    if enrolled:
        give_app(db, user, _KEYS, TOTP_SECRET, now=NOW)
    for role, scope in roles or []:
        db.add(RoleGrant(
            user=user, role=role.value, granted_at=NOW,
            quartier_id=scope.id if role in (Role.MODERATOR, Role.ANIMATOR) else None,
            signatory_id=scope.id if role == Role.SIGNATORY else None))
    db.flush()
    return user


# --- FPH --------------------------------------------------------------------------------

from datetime import timedelta  # noqa: E402

from civic.budget import box, trustees  # noqa: E402
from civic.budget.box import EMPTY_SEAL  # noqa: E402
from civic.budget.models import Fund, Project, Round, Trustee  # noqa: E402

DAY = timedelta(days=1)

#: Offsets of the five dates of a round from NOW, so that NOW falls in the named phase.
PHASE_OFFSETS = {
    "upcoming": (1, 2, 3, 4, 5),
    "submission": (-1, 2, 3, 4, 5),
    "review": (-2, -1, 3, 4, 5),
    "vote": (-3, -2, -1, 4, 5),
    "counting": (-4, -3, -2, -1, 5),
    "results": (-4, -3, -2, -1, 5),
    "follow_up": (-5, -4, -3, -2, -1),
}


def make_fund(db: Session, quartier: Quartier, **values: Any) -> Fund:
    fund = Fund(**{"quartier_id": quartier.id, "year": 2026, "envelope_cents": 1_000_000,
                   "cap_cents": 150_000, "min_project_cents": 10_000, "min_age": 16,
                   "vote_method": "approval", "approval_min": 1, "approval_max": 3,
                   "points_total": 10, "points_max": 5, "tally_rule": "greedy",
                   "min_score": 0, "created_at": NOW, **values})
    db.add(fund)
    db.flush()
    return fund


def make_round(db: Session, fund: Fund, phase: str = "vote", **values: Any) -> Round:
    offsets = PHASE_OFFSETS[phase]
    dates = dict(zip(("submission_starts_at", "review_starts_at", "vote_starts_at",
                      "vote_ends_at", "follow_up_starts_at"),
                     (NOW + n * DAY for n in offsets), strict=True))
    round_ = Round(**{"fund": fund, "title": f"Session {next(_seq)}", "secret": b"k" * 32,
                      "seal": EMPTY_SEAL, "created_at": NOW, **dates, **values})
    if phase in ("results", "follow_up"):
        round_.results = round_.results or {"selected": []}
        round_.count_started_at = round_.count_confirmed_at = NOW - DAY
        round_.results_published_at = values.get("results_published_at", NOW - DAY)
    db.add(round_)
    db.flush()
    if phase in ("vote", "counting") and "box_key" not in values:
        make_box(db, round_)
    return round_


#: The trustees' shares of the rounds made here, by round id (a test keeps them as a
#: trustee would; the server keeps none).
SHARES: dict[int, list[str]] = {}


def make_box(db: Session, round_: Round, count: int = 3, needed: int = 2) -> list[str]:
    """Seal the round's empty box with ``count`` trustees' seats (no accounts), as the
    services do once every trustee has received a share; returns the shares."""
    round_.trustees_needed = needed
    shares = []
    for position in range(1, count + 1):
        private, public = box.new_key()
        db.add(Trustee(round_id=round_.id, position=position, public_key=public,
                       received_at=NOW - 5 * DAY))
        shares.append(box.share_text(round_.id, position, private))
    db.flush()
    db.expire(round_, ["trustees"])
    trustees.seal_empty_box(db, round_, now=round_.vote_starts_at - DAY)
    SHARES[round_.id] = shares
    return shares


def count_key(round_: Round) -> bytes:
    """The round's count key, rebuilt from its trustees' shares as the count does."""
    return trustees.open_key(round_, SHARES[round_.id][:round_.trustees_needed])[0]


def make_project(db: Session, round_: Round, author: User | None = None, **values: Any
                 ) -> Project:
    amount = values.pop("amount_cents", 50_000)
    project = Project(**{"round": round_, "author_id": author.id if author else None,
                         "title": f"Projet {next(_seq)}", "summary": "Un résumé.",
                         "description": "Une description.", "amount_cents": amount,
                         "budget_lines": [{"label": "Tout", "amount_cents": amount}],
                         "carrier_kind": "residents", "carrier_name": "Collectif",
                         "contact": "06 00 00 00 00", "status": "admitted",
                         "created_at": NOW, "updated_at": NOW, **values})
    db.add(project)
    db.flush()
    return project


def make_permanence(db: Session, quartier: Quartier, animator: User | None = None,
                    **values: Any) -> Any:
    from civic.permanence.models import Permanence

    permanence = Permanence(**{"quartier_id": quartier.id, "place": "Maison de quartier",
                               "starts_at": NOW - timedelta(hours=1),
                               "ends_at": NOW + timedelta(hours=3),
                               "animator_id": animator.id if animator else None,
                               "created_at": NOW, **values})
    db.add(permanence)
    db.flush()
    return permanence


# --- Idea box -------------------------------------------------------------------------


def make_idea(db: Session, quartier: Quartier, author: User | None = None, **values: Any
              ) -> Any:
    from civic.ideas.models import Idea
    from civic.ideas.search import normalise

    n = next(_seq)
    idea = Idea(**{"quartier_id": quartier.id, "author_id": author.id if author else None,
                   "author_name": "" if author else "Fatou", "title": f"Idée {n}",
                   "body": "Des bancs à l’ombre près de l’école.", "moderation": "published",
                   "created_at": NOW, **values})
    idea.search_text = normalise(f"{idea.title} {idea.body} {idea.place or ''}")
    db.add(idea)
    db.flush()
    return idea


def make_comment(db: Session, idea: Any, author: User, **values: Any) -> Any:
    from civic.ideas.models import Comment

    comment = Comment(**{"idea_id": idea.id, "author_id": author.id, "body": "D’accord !",
                         "moderation": "published", "created_at": NOW, **values})
    db.add(comment)
    db.flush()
    return comment


# --- Quartier map ---------------------------------------------------------------------


def make_point(db: Session, quartier: Quartier, author: User | None = None, **values: Any
               ) -> Any:
    from civic.map.models import MapPoint

    point = MapPoint(**{"quartier_id": quartier.id, "author_id": author.id if author else None,
                        "polarity": "negative", "category": "cleanliness",
                        "text": "Dépôt sauvage", "latitude": 43.575, "longitude": 1.405,
                        "moderation": "published", "created_at": NOW, **values})
    db.add(point)
    db.flush()
    return point


# --- Events ---------------------------------------------------------------------------


def make_event(db: Session, quartier: Quartier | None, author: User | None = None,
               **values: Any) -> Any:
    """A published café in ``quartier`` (None: the whole contract), a week after NOW,
    10 places."""
    import uuid

    from civic.events.models import Event

    starts = values.pop("starts_at", NOW + timedelta(days=7))
    event = Event(**{"uid": uuid.uuid4().hex, "quartier_id": quartier.id if quartier else None,
                     "author_id": author.id if author else None, "kind": "cafe",
                     "title": f"Café des habitants {next(_seq)}", "place": "Maison de quartier",
                     "address": "2 place Abbal", "starts_at": starts,
                     "ends_at": values.pop("ends_at", starts + timedelta(hours=2)),
                     "capacity": 10, "moderation": "published", "created_at": NOW - timedelta(
                         days=1), **values})
    db.add(event)
    db.flush()
    return event


def make_signup(db: Session, event: Any, user: User | None = None, *, now: datetime = NOW,
                language: str = "fr", **values: Any) -> Any:
    """A signup through the service (seats and waiting list as in real life)."""
    from civic.events import services

    fields = {"name": "Fatou", "email": None, "phone": "06 12 34 56 78", "consent": True,
              **values}
    return services.sign_up(db, event, fields, user=user, language=language, now=now)
