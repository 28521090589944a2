"""What a refused change says, next to its field."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

ERRORS: dict[str, Any] = {
    "target_not_after_baseline": _l("L’année de l’objectif doit venir après celle du point "
                                    "de départ."),
    "target_is_baseline": _l("L’objectif doit être différent du point de départ."),
    "values_before_baseline": _l("Des valeurs sont déjà saisies avant cette année : "
                                 "choisissez une année plus ancienne."),
    "before_baseline": _l("Cette année vient avant le point de départ de l’indicateur."),
    "future_year": _l("Cette année n’est pas encore passée."),
    "source_required": _l("Ce champ est obligatoire."),
    "unknown_kind": _l("Choisissez dans la liste."),
    "ends_before_start": _l("La fin doit venir après le début."),
    "kind_taken": _l("Cette évaluation existe déjà pour ce contrat."),
    "orientation_required": _l("Cochez au moins une orientation du contrat."),
}
