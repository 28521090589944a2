"""Words residents read for the kinds of event and the days of the week."""

from __future__ import annotations

from typing import Any

from civic.core.i18n import _l

KINDS: dict[str, Any] = {
    "cafe": _l("Café des habitants"),
    "meal": _l("Repas partagé"),
    "project_party": _l("Fête de projet"),
    "permanence": _l("Permanence"),
    "walk": _l("Diagnostic en marchant"),
    "assizes": _l("Assises de la politique de la ville"),
    "elected_meeting": _l("Rencontre élus – habitants"),
    "workshop": _l("Atelier"),
    "council_meeting": _l("Réunion du conseil citoyen"),
    "training": _l("Formation"),
}

WEEKDAYS: dict[int, Any] = {
    0: _l("lundi"), 1: _l("mardi"), 2: _l("mercredi"), 3: _l("jeudi"), 4: _l("vendredi"),
    5: _l("samedi"), 6: _l("dimanche"),
}

STATUSES: dict[str, Any] = {
    "confirmed": _l("Inscrit·e"),
    "waiting": _l("Liste d’attente"),
    "cancelled": _l("Annulé"),
    "walk_in": _l("Venu·e sans inscription"),
}
