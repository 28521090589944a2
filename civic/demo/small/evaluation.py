"""The demo's mid-term evaluation, with its questions; and its measured commitments:
three commitments with an indicator each, their values entered year by year (one year
still missing, as happens)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
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


#: (question, orientation indexes)
QUESTIONS = [
    ("Les jeunes du quartier trouvent-ils plus facilement un stage ou un emploi ?", (0,)),
    ("Les rues et les halls d’immeubles sont-ils plus propres et mieux éclairés ?", (2,)),
    ("Les familles connaissent-elles mieux leurs droits et les lieux où se faire aider ?",
     (3,)),
    ("Se sent-on plus en sécurité le soir sur les places du quartier ?", (5, 2)),
]


def seed(signatories: Sequence[Signatory], now: datetime) -> None:
    contract = signatories[0].contract
    evaluation = services.open_evaluation(db(), contract, {
        "kind": "midterm", "title": "Évaluation à mi-parcours du contrat de ville",
        "purpose": "Savoir, avec les habitants, ce qui a changé depuis 2024 dans les "
                   "quartiers, et si les signataires tiennent leurs promesses.",
        "starts_on": date(now.year, 1, 15), "ends_on": date(now.year + 1, 6, 30)},
        actor=None, now=now)
    orientations = contract.orientations
    for text, indexes in QUESTIONS:
        services.add_question(db(), evaluation, text, [orientations[i].id for i in indexes],
                              actor=None, now=now)
    _measure(signatories, now)


def _measure(signatories: Sequence[Signatory], now: datetime) -> None:
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
