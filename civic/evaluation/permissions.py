"""Who measures the commitments: pilots define the indicators; a signatory's referent
enters the yearly values of that signatory's indicators (pilots may too); pilots and
every signatory read them all (the cooperative dashboard's rule)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from civic.accounts.models import Role
from civic.accounts.permissions import is_pilot
from civic.core import clock
from civic.core.permissions import rule

if TYPE_CHECKING:
    from civic.accounts.models import User


@rule("evaluation.manage")
def manage(user: User | None, _target: Any, _now: datetime) -> bool:
    """Opening an evaluation and its calendar: pilots (the committee writes its
    questions: ``evaluation.committee``)."""
    return is_pilot(user)


@rule("evaluation.read_commitments")
def read_commitments(user: User | None, _target: Any, _now: datetime) -> bool:
    return is_pilot(user) or (user is not None and user.has_role(Role.SIGNATORY))


@rule("evaluation.define_indicator")
def define_indicator(user: User | None, _commitment: Any, _now: datetime) -> bool:
    return is_pilot(user)


@rule("evaluation.enter_value")
def enter_value(user: User | None, indicator: Any, _now: datetime) -> bool:
    """``indicator``: a ``CommitmentIndicator``; its signatory's referent, or a pilot."""
    if user is None or indicator is None:
        return False
    return is_pilot(user) or user.has_role(
        Role.SIGNATORY, signatory_id=indicator.commitment.signatory_id)


# --- The evaluation committee, residents' proposals, surveys, workshops ------------------


def _today(now: datetime) -> date:
    """The contract's local day of ``now``."""
    from flask import current_app, has_app_context

    zone = current_app.config["TIMEZONE"] if has_app_context() else "Europe/Paris"
    return clock.local_day(now, zone)


def on_committee(user: User | None) -> bool:
    """The evaluation committee: pilots by right, and every evaluator (conseil citoyen
    members and signatories' referents the pilots named)."""
    return is_pilot(user) or (user is not None and user.has_role(Role.EVALUATOR))


def _animates(user: User | None, quartier_id: int | None) -> bool:
    return (user is not None and quartier_id is not None
            and user.has_role(Role.ANIMATOR, quartier_id=quartier_id))


@rule("evaluation.committee")
def committee(user: User | None, _target: Any, _now: datetime) -> bool:
    """The committee's work: deciding on proposed questions, building surveys, reading
    what waits for a decision."""
    return on_committee(user)


@rule("evaluation.propose_question")
def propose_question(user: User | None, evaluation: Any, now: datetime) -> bool:
    """Any resident with an account, while the evaluation takes proposals."""
    return (user is not None and evaluation is not None
            and evaluation.takes_proposals(_today(now)))


@rule("evaluation.support_proposal")
def support_proposal(user: User | None, proposal: Any, now: datetime) -> bool:
    """Supporting someone else's published proposal, while proposals are taken and the
    committee has not decided yet."""
    from civic.evaluation.models import Decision
    from civic.moderation.models import State

    return (user is not None and proposal is not None
            and proposal.moderation == State.PUBLISHED
            and proposal.decision == Decision.PENDING
            and proposal.author_id != user.id
            and proposal.evaluation.takes_proposals(_today(now)))


@rule("evaluation.answer_survey")
def answer_survey(_user: User | None, survey: Any, now: datetime) -> bool:
    """Anyone, account or not, while the survey is open (a survey answered "once" then
    asks for an account or a printed code)."""
    return survey is not None and survey.is_open(now)


@rule("evaluation.survey_kiosk")
def survey_kiosk(user: User | None, permanence: Any, _now: datetime) -> bool:
    """Handing the tablet to residents for a survey: animators of the permanence's
    quartier."""
    return permanence is not None and _animates(user, permanence.quartier_id)


@rule("evaluation.survey_paper")
def survey_paper(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Counting and typing in a quartier's paper forms: its animators, the committee."""
    return quartier is not None and (on_committee(user)
                                     or _animates(user, quartier.id))


@rule("evaluation.survey_codes")
def survey_codes(user: User | None, quartier: Any, _now: datetime) -> bool:
    """Printing single-use survey codes for a quartier: its animators, pilots."""
    return quartier is not None and (is_pilot(user) or _animates(user, quartier.id))


@rule("evaluation.record_workshop")
def record_workshop(user: User | None, workshop: Any, _now: datetime) -> bool:
    """A workshop's conclusions, photos and head count: animators of its quartier, the
    committee."""
    return workshop is not None and (
        on_committee(user) or _animates(user, workshop.event.quartier_id))
