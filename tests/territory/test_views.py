"""The quartier pages residents read and the set-up pages of the pilot."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from civic.core.audit import AuditEntry
from civic.territory.models import Contract, Orientation, Quartier, Signatory
from tests import factories


def test_home_lists_quartiers_and_the_quartier_page_shows_the_contract(
        client: Any, db: Any, contract: Any, quartier: Any) -> None:
    factories.make_orientation(db, contract, name="Emploi et insertion")
    factories.make_signatory(db, contract, name="CAF de Testville", referent_name="Nadia H.")
    home = client.get("/").get_data(as_text=True)
    assert "Les Tilleuls" in home
    assert f'/quartiers/{quartier.code}' in home
    page = client.get(f"/quartiers/{quartier.code.lower()}").get_data(as_text=True)
    assert "<h1><bdi>Les Tilleuls</bdi></h1>" in page
    assert "Emploi et insertion" in page
    assert "CAF de Testville" in page
    assert "Nadia H." in page
    assert "4\u202f200" in page  # population, formatted in French
    assert "Mon quartier" in client.get("/").get_data(as_text=True)


def test_unknown_quartier_is_a_friendly_404(client: Any) -> None:
    response = client.get("/quartiers/QN99999Z")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_set_up_pages_are_for_pilots(client: Any, login_as: Any, people: dict) -> None:
    assert client.get("/admin/quartiers").headers["Location"].startswith("/connexion")
    assert login_as(people["moderator"]).get("/admin/quartiers").status_code == 403
    assert login_as(people["pilot"]).get("/admin/quartiers").status_code == 200


def test_pilot_describes_the_contract(login_as: Any, db: Any, people: dict,
                                      contract: Any) -> None:
    client = login_as(people["pilot"])
    bad = client.post("/admin/contrat", data={"name": "Contrat", "start_year": "2030",
                                              "end_year": "2024"})
    assert bad.status_code == 400
    assert "La dernière année doit venir après la première." in bad.get_data(as_text=True)
    client.post("/admin/contrat", data={"name": "Engagements Quartiers 2030",
                                        "start_year": "2024", "end_year": "2030"})
    assert db.get(Contract, contract.id).name == "Engagements Quartiers 2030"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "territory.contract_updated"))
    assert entry.actor_id == people["pilot"].id
    assert entry.details["changed"]["name"][1] == "Engagements Quartiers 2030"


def test_pilot_adds_and_edits_a_quartier(login_as: Any, db: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    form = {"code": "qn03101a", "name": "Bagatelle", "commune": "Toulouse",
            "population": "6500", "perimeter": json.dumps(factories.SQUARE)}
    assert client.post("/admin/quartiers/nouveau", data=form).status_code == 302
    created = db.scalar(select(Quartier).where(Quartier.code == "QN03101A"))
    assert (created.name, created.population, created.perimeter) == (
        "Bagatelle", 6500, factories.SQUARE)

    duplicate = client.post("/admin/quartiers/nouveau", data={**form, "name": "Autre"})
    assert "Un autre quartier a déjà ce code." in duplicate.get_data(as_text=True)

    bad = client.post(f"/admin/quartiers/{created.id}", data={
        **form, "code": "31555", "population": "beaucoup", "perimeter": "{pas du json"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Le code ressemble à QN09301M" in page
    assert "Ce n’est pas du GeoJSON valide." in page
    assert "{pas du json" in page  # what was typed is kept
    assert db.get(Quartier, created.id).code == "QN03101A"

    client.post(f"/admin/quartiers/{created.id}", data={**form, "population": ""})
    assert db.get(Quartier, created.id).population is None
    assert "QN03101A" in client.get("/admin/quartiers").get_data(as_text=True)


def test_pilot_adds_orientations_and_signatories(login_as: Any, db: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    client.post("/admin/orientations/nouvelle", data={
        "name": "Santé", "description": "Se soigner près de chez soi.", "position": "2"})
    assert db.scalar(select(Orientation).where(Orientation.name == "Santé")).position == 2
    refused = client.post("/admin/signataires/nouveau", data={
        "name": "Bailleur", "kind": "landlord", "referent_name": "Léa",
        "referent_email": "pas une adresse"})
    assert refused.status_code == 400
    client.post("/admin/signataires/nouveau", data={
        "name": "Toulouse Métropole Habitat", "kind": "landlord", "referent_name": "Léa",
        "referent_email": "lea@example.org", "commitment": "Réparer vite."})
    signatory = db.scalar(select(Signatory).where(Signatory.referent_email == "lea@example.org"))
    assert signatory.kind == "landlord"
    journal = client.get("/admin/journal").get_data(as_text=True)
    assert "territory.signatory_created" in journal
    assert "territory.orientation_created" in journal


def test_pilot_grants_and_revokes_a_scoped_role(login_as: Any, db: Any, people: dict,
                                                quartier: Any) -> None:
    client = login_as(people["pilot"])
    resident = people["resident"]
    missing = client.post("/admin/roles", data={"email": resident.email, "role": "moderator",
                                                "quartier_id": "", "signatory_id": ""})
    assert "Choisissez le quartier où cette personne agira." in missing.get_data(as_text=True)
    unknown = client.post("/admin/roles", data={"email": "x@example.org", "role": "pilot",
                                                "quartier_id": "", "signatory_id": ""})
    assert "Aucun compte n’utilise cette adresse." in unknown.get_data(as_text=True)

    client.post("/admin/roles", data={"email": resident.email.upper(), "role": "moderator",
                                      "quartier_id": str(quartier.id), "signatory_id": ""})
    db.expire_all()
    (grant,) = db.get(type(resident), resident.id).roles
    assert (grant.role, grant.quartier_id) == ("moderator", quartier.id)
    assert "Rania" in client.get("/admin/roles").get_data(as_text=True)

    client.post(f"/admin/roles/{grant.id}/retirer")
    db.expire_all()
    assert db.get(type(resident), resident.id).roles == []
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(resident.id)))
    assert set(actions) == {"accounts.role_granted", "accounts.role_revoked"}


def test_the_last_pilot_cannot_be_removed(login_as: Any, db: Any, people: dict) -> None:
    client = login_as(people["pilot"])
    (grant,) = db.get(type(people["pilot"]), people["pilot"].id).roles
    page = client.post(f"/admin/roles/{grant.id}/retirer", follow_redirects=True)
    assert "Il doit rester au moins un·e pilote." in page.get_data(as_text=True)


def test_credits_cite_the_perimeter_source(client: Any) -> None:
    page = client.get("/credits").get_data(as_text=True)
    assert "ANCT" in page
    assert "Toulouse DataViz" in page
    assert "Licence Ouverte" in page
