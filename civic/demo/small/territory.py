"""The small demo's contract: the real 2015 perimeters of four Toulouse quartiers, the
contract's orientations, its signatories and what each commits to."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from civic.core.db import session as db
from civic.territory import queries, services
from civic.territory.geo import read_qpv_features
from civic.territory.models import Contract, Orientation, Quartier, Signatory

DATA = Path(__file__).parents[2] / "demo_data"
QPV_FILE = DATA / "qpv2015_toulouse_4.geojson"

ORIENTATIONS = [
    ("Emploi et insertion",
     "Aller vers les personnes loin de l’emploi, soutenir la création d’activité."),
    ("Éducation et réussite",
     "Accompagner les enfants et les jeunes, de la crèche aux études."),
    ("Cadre de vie et renouvellement urbain",
     "Des logements, des rues et des espaces verts entretenus et agréables."),
    ("Santé et accès aux droits",
     "Se soigner près de chez soi, connaître et obtenir ses droits."),
    ("Lien social, culture et sport",
     "Se rencontrer, faire ensemble, accéder à la culture et au sport."),
    ("Tranquillité publique et prévention",
     "Se sentir en sécurité, prévenir les conflits et la délinquance."),
]

#: (name, kind, referent); the large demo forwards ideas to them by their index here.
SIGNATORIES = [
    ("Ville de Toulouse", "commune", "Camille Martin"),
    ("Toulouse Métropole", "epci", "Karim Benali"),
    ("Préfecture de la Haute-Garonne", "state", "Sophie Garnier"),
    ("Conseil départemental de la Haute-Garonne", "departement", "Julien Roux"),
    ("Région Occitanie", "region", "Fatou Diallo"),
    ("CAF de la Haute-Garonne", "caf", "Nadia Haddad"),
    ("Toulouse Métropole Habitat", "landlord", "Thomas Lefèvre"),
    ("France Travail Occitanie", "france_travail", "Inès Moreau"),
]

#: (orientation index, signatory index, commitment)
COMMITMENTS = [
    (0, 7, "Une conseillère France Travail tient une permanence chaque semaine au "
           "centre social."),
    (1, 3, "Accompagnement des collégiens exclus temporairement, avec les associations."),
    (2, 0, "Nettoyer les rues et réparer l’éclairage public signalé en moins d’un mois."),
    (2, 6, "Rénover les halls et les entrées d’immeubles d’ici 2027."),
    (3, 5, "Des rendez-vous pour les droits (allocations, logement) au centre social."),
    (4, 0, "Ouvrir les gymnases aux habitants le week-end."),
    (5, 2, "Des médiateurs de nuit, l’été, sur les places du quartier."),
]


def seed(now: datetime) -> list[Signatory]:
    """The contract on the real perimeters, its orientations and signatories; returns
    the signatories in the order of ``SIGNATORIES``."""
    contract = services.save_contract(db(), None, {
        "name": "Contrat de ville de Toulouse Métropole — Engagements Quartiers 2030",
        "start_year": 2024, "end_year": 2030}, actor=None, now=now)
    features, skipped = read_qpv_features(json.loads(QPV_FILE.read_text(encoding="utf-8")))
    services.import_qpv(db(), contract, features, skipped, actor=None, now=now)
    for position, (name, description) in enumerate(ORIENTATIONS):
        services.save_orientation(db(), contract, None, {
            "name": name, "description": description, "position": position},
            actor=None, now=now)
    return [_signatory(contract, name, kind, referent, now)
            for name, kind, referent in SIGNATORIES]


def _signatory(contract: Contract, name: str, kind: str, referent: str,
               now: datetime) -> Signatory:
    slug = referent.lower().replace(" ", ".").replace("è", "e").replace("é", "e")
    return services.save_signatory(db(), contract, None, {
        "name": name, "kind": kind, "referent_name": referent,
        "referent_email": f"{slug}@example.org",
        "commitment": "Répondre aux idées transmises dans un délai de deux mois."},
        actor=None, now=now)


def quartiers(*codes: str) -> list[Quartier]:
    """The demo's quartiers of these codes, in that order."""
    found = [queries.quartier_by_code(db(), code) for code in codes]
    assert all(q is not None for q in found)
    return [q for q in found if q is not None]


def commitments(orientations: Sequence[Orientation], signatories: Sequence[Signatory],
                now: datetime) -> None:
    """What each signatory commits to, orientation by orientation."""
    for o_index, s_index, text in COMMITMENTS:
        services.save_commitments(db(), signatories[s_index], {orientations[o_index].id: text},
                                  actor=None, now=now)


