"""Who may manage accounts and roles, and the quartier-scoped roles other parts build on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from civic.accounts.models import Role, User
from civic.core.permissions import rule


def is_pilot(user: User | None) -> bool:
    return user is not None and user.has_role(Role.PILOT)


@rule("accounts.manage_roles")
def manage_roles(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user)


@rule("audit.read")
def read_audit(user: User | None, quartier: Any, _now: datetime) -> bool:
    """The journal of actions: a pilot reads all of it; a conseil citoyen member reads
    the history of the posts of the quartiers they moderate. Without a quartier: whether
    the person may open the journal at all."""
    if is_pilot(user):
        return True
    if user is None:
        return False
    if quartier is None:
        return bool(user.quartier_ids_for(Role.MODERATOR))
    return user.has_role(Role.MODERATOR, quartier_id=quartier.id)


def audit_quartiers(user: Any) -> set[int] | None:
    """What part of the journal ``user`` reads, as the rule "audit.read" allows it:
    None for all of it (a pilot), else the quartiers whose posts' history they read
    (empty: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    if is_pilot(user):
        return None
    return set(user.quartier_ids_for(Role.MODERATOR))


@rule("mail.manage")
def manage_mail(user: User | None, _target: Any, _now: datetime) -> bool:
    """The mail outbox: how many wait, which failed, and sending them again."""
    return is_pilot(user)


@rule("admin.access")
def admin_access(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user)


@rule("account.edit")
def edit_account(user: User | None, account: Any, _now: datetime) -> bool:
    """Only the person themself edits, exports or deletes their account."""
    return user is not None and account is not None and user.id == account.id


@rule("quartier.moderate")
def moderate_quartier(user: User | None, quartier: Any, _now: datetime) -> bool:
    """A conseil citoyen member moderates their own quartiers only."""
    if user is None or quartier is None:
        return False
    return user.has_role(Role.MODERATOR, quartier_id=quartier.id)


@rule("quartier.animate")
def animate_quartier(user: User | None, quartier: Any, _now: datetime) -> bool:
    """An animator acts for residents of their own quartiers only."""
    if user is None or quartier is None:
        return False
    return user.has_role(Role.ANIMATOR, quartier_id=quartier.id)
