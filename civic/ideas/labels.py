"""Words residents read for the statuses of an idea."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

STATUSES: dict[str, Any] = {
    "new": _l("En attente d’une réponse"),
    "under_study": _l("À l’étude"),
    "fph": _l("À proposer au FPH"),
    "forwarded": _l("Transmise à un signataire"),
    "planned": _l("Déjà prévue"),
    "not_feasible": _l("Pas réalisable"),
    "done": _l("Réalisée"),
}
