"""Who may do what in the FPH. A round's phase decides which actions exist at all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.budget.models import ProjectStatus
from civic.budget.phases import Phase
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User

#: Projects anyone may read; the others only their author and the committee.
PUBLIC_STATUSES = frozenset({ProjectStatus.ADMITTED, ProjectStatus.REJECTED,
                             ProjectStatus.MERGED})


def _moderates(user: User | None, round_: Any) -> bool:
    return user is not None and user.has_role(Role.MODERATOR,
                                              quartier_id=round_.fund.quartier_id)


@rule("budget.manage")
def manage(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user)


@rule("budget.propose")
def propose(user: User | None, round_: Any, now: datetime) -> bool:
    return user is not None and round_.phase(now) == Phase.SUBMISSION


@rule("budget.edit_project")
def edit_project(user: User | None, project: Any, now: datetime) -> bool:
    if user is None or project.author_id != user.id:
        return False
    return project.round.phase(now) == Phase.SUBMISSION and project.status in (
        ProjectStatus.SUBMITTED, ProjectStatus.CHANGES_REQUESTED)


@rule("budget.view_project")
def view_project(user: User | None, project: Any, _now: datetime) -> bool:
    if project.status in PUBLIC_STATUSES:
        return True
    if user is None:
        return False
    return project.author_id == user.id or is_pilot(user) or _moderates(user, project.round)


@rule("budget.review_round")
def review_round(user: User | None, round_: Any, now: datetime) -> bool:
    """The FPH committee's queue: moderators of the quartier, while proposals are examined."""
    return _moderates(user, round_) and round_.phase(now) in (Phase.SUBMISSION, Phase.REVIEW)


@rule("budget.review")
def review(user: User | None, project: Any, now: datetime) -> bool:
    if not review_round(user, project.round, now):
        return False
    return user is not None and project.author_id != user.id  # nobody reviews their own project


@rule("budget.vote")
def vote(user: User | None, round_: Any, now: datetime) -> bool:
    return user is not None and round_.phase(now) == Phase.VOTE


@rule("budget.view_results")
def view_results(user: User | None, round_: Any, _now: datetime) -> bool:
    """Published results are public; before that, only pilots see the computed ones."""
    return round_.results_published_at is not None or is_pilot(user)


@rule("budget.view_count")
def view_count(user: User | None, round_: Any, _now: datetime) -> bool:
    """The count page (box, seal, register): pilots, and the quartier's moderators."""
    return is_pilot(user) or _moderates(user, round_)


def _is_trustee(user: User | None, round_: Any) -> bool:
    """A seat of the bureau, held by an account that logs in with two steps: a share of
    the count key is never handed, nor used, on a password alone."""
    return (user is not None and user.second_factor_at is not None
            and any(t.user_id == user.id for t in round_.trustees))


@rule("budget.trustees")
def trustees(user: User | None, round_: Any, now: datetime) -> bool:
    """The pilot names the bureau de vote, until the box is sealed before the vote."""
    return (is_pilot(user) and round_.box_key is None
            and round_.phase(now) in (Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW))


@rule("budget.receive_share")
def receive_share(user: User | None, round_: Any, now: datetime) -> bool:
    """A trustee receives their share once, before the vote."""
    if user is None or round_.box_key is not None or round_.phase(now) not in (
            Phase.UPCOMING, Phase.SUBMISSION, Phase.REVIEW):
        return False
    return any(t.user_id == user.id and t.public_key is None for t in round_.trustees)


@rule("budget.count")
def count(user: User | None, round_: Any, now: datetime) -> bool:
    """The count is run by a trustee or a pilot once the vote is over; the shares typed
    in, not the account, open the box."""
    if round_.phase(now) != Phase.COUNTING or round_.count_confirmed_at is not None:
        return False
    return round_.box_key is not None and (is_pilot(user) or _is_trustee(user, round_))


@rule("budget.publish")
def publish(user: User | None, round_: Any, now: datetime) -> bool:
    return (is_pilot(user) and round_.phase(now) == Phase.COUNTING
            and round_.count_confirmed_at is not None)


@rule("budget.follow_up")
def follow_up(user: User | None, project: Any, _now: datetime) -> bool:
    if user is None or project.follow_up is None:
        return False
    return is_pilot(user) or user.has_role(Role.ANIMATOR,
                                           quartier_id=project.round.fund.quartier_id)
