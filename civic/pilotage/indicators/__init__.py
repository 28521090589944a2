"""The contract's steering indicators. Each is a ``Spec`` (``civic.pilotage.tables``):
a table declared once, its key, title, description, columns and audience, with the
function that asks the database for an aggregate (never every row) and whose docstring
says exactly what it counts. Calling a spec with ``(db, scope)`` gives its ``Table``.

They are split by the part they read: who took part (``participation``, which also says
who counts as a participant), the FPH (``budget``), ideas, the map, events, and the
cooperative dashboard's own tables. Orientations tag FPH projects and ideas: the
orientation narrows those tables only. Times are counted in the contract's time zone,
by local day.

``ALL`` names every table; ``DASHBOARD``, ``COOPERATIVE`` and ``OPEN`` are the tables of
each page, in the order it shows them. Who may read a table is its ``audience``, which
the rule "pilotage.read_table" reads (``civic.pilotage.permissions``).
"""

from __future__ import annotations

from civic.map.models import CATEGORIES
from civic.pilotage.indicators.budget import (
    FOLLOW_UP_LABELS,
    fph_follow_up,
    fph_rounds,
    funded_projects,
)
from civic.pilotage.indicators.common import CHANNELS, VOTE_CHANNEL, one_page
from civic.pilotage.indicators.cooperative import (
    FORWARDING_STATES,
    commitments,
    forwardings,
    measured_commitments,
)
from civic.pilotage.indicators.events import events_by_kind, signatory_events
from civic.pilotage.indicators.ideas import ideas_by_orientation, ideas_by_signatory
from civic.pilotage.indicators.map import points_by_category
from civic.pilotage.indicators.participation import (
    AGE_LABELS,
    CHANNEL_LABELS,
    GENDER_LABELS,
    participants,
    participants_by_age,
    participants_by_channel,
    participants_by_gender,
    participation_by_month,
)
from civic.pilotage.tables import Spec

__all__ = [
    "AGE_LABELS",
    "ALL",
    "CATEGORIES",
    "CHANNELS",
    "CHANNEL_LABELS",
    "COOPERATIVE",
    "DASHBOARD",
    "FOLLOW_UP_LABELS",
    "FORWARDING_STATES",
    "GENDER_LABELS",
    "OPEN",
    "VOTE_CHANNEL",
    "by_audience",
    "commitments",
    "events_by_kind",
    "forwardings",
    "fph_follow_up",
    "fph_rounds",
    "funded_projects",
    "ideas_by_orientation",
    "ideas_by_signatory",
    "measured_commitments",
    "one_page",
    "participants",
    "participants_by_age",
    "participants_by_channel",
    "participants_by_gender",
    "participation_by_month",
    "points_by_category",
    "signatory_events",
]

#: The steering dashboard's tables, in the order the page shows them.
DASHBOARD: tuple[Spec, ...] = (
    participants, participants_by_channel, participation_by_month, participants_by_gender,
    participants_by_age, fph_rounds, fph_follow_up, ideas_by_orientation, ideas_by_signatory,
    points_by_category, events_by_kind)
#: The cooperative dashboard's tables, in the order the page shows them.
COOPERATIVE: tuple[Spec, ...] = (commitments, measured_commitments, forwardings,
                                 signatory_events, ideas_by_signatory)
#: Aggregates anyone may read once small cells are suppressed (audience "open"), in the
#: order the open-data page shows them.
OPEN: tuple[Spec, ...] = (participants_by_channel, participants_by_gender, participants_by_age,
                          ideas_by_orientation, points_by_category, events_by_kind, fph_rounds)
#: Every table by its key: the dashboard's, then the cooperative dashboard's own.
ALL: dict[str, Spec] = {spec.key: spec for spec in (
    *DASHBOARD, commitments, measured_commitments, forwardings, signatory_events)}


def by_audience(audience: str) -> tuple[Spec, ...]:
    """The tables of one audience ("open", "cooperative", "dashboard"), in ``ALL``'s
    order."""
    return tuple(spec for spec in ALL.values() if spec.audience == audience)
