"""The demo's measured commitments: three commitments with an indicator each, their
values entered year by year (one year still missing, as happens)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from civic.core.db import session as db
from civic.evaluation import services
from civic.territory.models import Signatory

#: (signatory index, orientation index, label, unit, baseline, target, {year: value}, source)
INDICATORS = [
    (7, 0, "Personnes reçues à la permanence France Travail", "personnes", "120", "300",
     {2024: "150", 2025: "210"}, "Bilan annuel de l’agence France Travail du Mirail"),
    (0, 2, "Délai moyen de réparation de l’éclairage signalé", "jours", "45", "30",
     {2024: "41"}, "Tableau de bord des services techniques de la ville"),
    (6, 2, "Halls d’immeubles rénovés", "halls", "0", "40",
     {2024: "6", 2025: "14"}, "Rapport d’activité du bailleur, programme de rénovation"),
]


def seed(signatories: Sequence[Signatory], now: datetime) -> None:
    for s_index, o_index, label, unit, baseline, target, values, source in INDICATORS:
        signatory = signatories[s_index]
        commitment = next(c for c in signatory.commitments
                          if c.orientation.position == o_index)
        indicator = services.add_indicator(db(), commitment, {
            "label": label, "unit": unit, "baseline": Decimal(baseline),
            "baseline_year": 2023, "target": Decimal(target), "target_year": 2030},
            actor=None, now=now)
        for year, value in values.items():
            services.record_value(db(), indicator, year, Decimal(value), source, actor=None,
                                  now=now)
