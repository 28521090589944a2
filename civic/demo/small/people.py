"""The small demo's accounts: one for each role, all with one password shown once."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

import pyotp
from flask import current_app
from sqlalchemy.orm import Session

from civic.accounts import second_factor
from civic.accounts import services as accounts
from civic.accounts.models import Role, User
from civic.core.db import session as db
from civic.territory.models import Quartier, Signatory

PILOT = "pilote@example.org"
SIGNATORY = "signataire@example.org"
MODERATOR = "moderateur@example.org"
ANIMATOR = "animatrice@example.org"
RESIDENT = "habitante@example.org"

#: A role given to an account: (role, quartier id, signatory id).
Grant = tuple[Role, int | None, int | None]


def _people(mirail: Quartier, empalot: Quartier,
            signatories: Sequence[Signatory]) -> list[tuple[str, str, list[Grant]]]:
    """(e-mail, display name, roles) of each demo account."""
    return [
        (PILOT, "Claire (pilote)", [(Role.PILOT, None, None)]),
        (SIGNATORY, "Camille (Ville de Toulouse)", [(Role.SIGNATORY, None, signatories[0].id)]),
        (MODERATOR, "Yacine (conseil citoyen)", [(Role.MODERATOR, mirail.id, None)]),
        (ANIMATOR, "Aïcha (animatrice)",
         [(Role.ANIMATOR, mirail.id, None), (Role.ANIMATOR, empalot.id, None)]),
        (RESIDENT, "Mireille", []),
    ]


def staff_app(session: Session, user: User, secret: str, now: datetime) -> None:
    """A role needs a second step at login: the demo's staff share one app of codes."""
    keys = second_factor.Keys.derive(str(current_app.config["SECRET_KEY"]))
    second_factor.give_app(session, user, keys, secret, now=now)


def seed(mirail: Quartier, empalot: Quartier, signatories: Sequence[Signatory],
         now: datetime) -> tuple[str, str, dict[str, str], dict[str, User]]:
    """The accounts, living in Grand Mirail, their e-mail confirmed; returns the shared
    password, the app secret the accounts with a role share, {e-mail: roles} and
    {e-mail: account}."""
    password = secrets.token_urlsafe(9)
    app = pyotp.random_base32()
    created: dict[str, str] = {}
    users: dict[str, User] = {}
    for email, name, grants in _people(mirail, empalot, signatories):
        user = accounts.sign_up(db(), email=email, password=password, display_name=name,
                                language="fr", quartier_id=mirail.id, now=now).user
        user.email_confirmed_at = now
        for role, quartier_id, signatory_id in grants:
            accounts.grant_role(db(), user, role, quartier_id=quartier_id,
                                signatory_id=signatory_id, actor=None, now=now)
        if grants:
            staff_app(db(), user, app, now)
        created[email] = ", ".join(sorted({g[0].value for g in grants})) or "resident"
        users[email] = user
    db.flush()
    return password, app, created, users
