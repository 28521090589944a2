"""``flask --app wsgi seed-demo``: a believable contract on real Toulouse perimeters.

The perimeters are the real 2015 QPV geography of four Toulouse quartiers (ANCT,
« Quartiers prioritaires de la politique de la ville », Licence Ouverte, through the
Toulouse DataViz association's Hackaviz 2021 repository); see the credits page. The
people and addresses are invented and use the reserved domain example.org.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import click
from flask.cli import with_appcontext

from civic.accounts import services as accounts
from civic.accounts.models import Role
from civic.core import clock
from civic.core.db import session as db
from civic.territory import queries, services
from civic.territory.geo import read_qpv_features

QPV_FILE = Path(__file__).parent / "demo_data" / "qpv2015_toulouse_4.geojson"

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


def seed(*, echo: bool = True) -> dict[str, str]:
    """Create the demo contract and one account per role; returns {email: role}."""
    now = clock.now()
    contract = services.save_contract(db(), None, {
        "name": "Contrat de ville de Toulouse Métropole — Engagements Quartiers 2030",
        "start_year": 2024, "end_year": 2030}, actor=None, now=now)
    features, skipped = read_qpv_features(json.loads(QPV_FILE.read_text(encoding="utf-8")))
    services.import_qpv(db(), contract, features, skipped, actor=None, now=now)
    for position, (name, description) in enumerate(ORIENTATIONS):
        services.save_orientation(db(), contract, None, {
            "name": name, "description": description, "position": position},
            actor=None, now=now)
    signatories = []
    for name, kind, referent in SIGNATORIES:
        slug = referent.lower().replace(" ", ".").replace("è", "e").replace("é", "e")
        signatories.append(services.save_signatory(db(), contract, None, {
            "name": name, "kind": kind, "referent_name": referent,
            "referent_email": f"{slug}@example.org",
            "commitment": "Répondre aux idées transmises dans un délai de deux mois."},
            actor=None, now=now))
    mirail, empalot = (queries.quartier_by_code(db(), code) for code in ("QP031007", "QP031010"))
    assert mirail is not None and empalot is not None
    people: list[tuple[str, str, list[tuple[Role, int | None, int | None]]]] = [
        ("pilote@example.org", "Claire (pilote)", [(Role.PILOT, None, None)]),
        ("signataire@example.org", "Camille (Ville de Toulouse)",
         [(Role.SIGNATORY, None, signatories[0].id)]),
        ("moderateur@example.org", "Yacine (conseil citoyen)", [(Role.MODERATOR, mirail.id, None)]),
        ("animatrice@example.org", "Aïcha (animatrice)",
         [(Role.ANIMATOR, mirail.id, None), (Role.ANIMATOR, empalot.id, None)]),
        ("habitante@example.org", "Mireille", []),
    ]
    password = secrets.token_urlsafe(9)
    created: dict[str, str] = {}
    for email, name, grants in people:
        user = accounts.sign_up(db(), email=email, password=password, display_name=name,
                                language="fr", quartier_id=mirail.id, now=now).user
        user.email_confirmed_at = now
        for role, quartier_id, signatory_id in grants:
            accounts.grant_role(db(), user, role, quartier_id=quartier_id,
                                signatory_id=signatory_id, actor=None, now=now)
        created[email] = ", ".join(sorted({g[0].value for g in grants})) or "resident"
    db.flush()
    if echo:
        click.echo("Demo data created. Demo accounts (shown once), all with the password "
                   f"{password}:")
        for email, roles in created.items():
            click.echo(f"  {roles:<10} {email}")
    return created


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when a contract already exists.")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Fill the database with the demo contract on real Toulouse perimeters."""
    with db.begin():
        if queries.current_contract(db()) is not None:
            if if_empty:
                return
            raise click.ClickException("The database already holds a contract.")
        seed()
