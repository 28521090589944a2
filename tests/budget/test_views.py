"""The FPH cycle through its pages: propose, review, vote, count, publish, follow up."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.budget import box
from civic.budget.models import Ballot, Project, Round, SealedBallot
from civic.core.audit import AuditEntry
from tests import factories
from tests.conftest import Outbox
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    """Pages read civic.core.clock.now(): pin it to the factories' NOW."""
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture
def fund(db: Any, quartier: Any) -> Any:
    return factories.make_fund(db, quartier)


def proposal(**values: Any) -> dict[str, Any]:
    return {"title": "Repas partagé", "summary": "Un repas sur la place.",
            "description": "Chaque famille apporte un plat.", "amount_cents": "900",
            "lines-0-label": "Tables", "lines-0-amount_cents": "400",
            "lines-1-label": "Boissons", "lines-1-amount_cents": "500",
            "orientation_id": "", "carrier_kind": "residents",
            "carrier_name": "Les voisins", "contact": "06 12 34 56 78", "place": "", **values}


def test_a_resident_proposes_a_project_and_sees_its_status(login_as: Any, db: Any, fund: Any,
                                                           people: dict) -> None:
    round_ = factories.make_round(db, fund, "submission")
    client = login_as(people["resident"])
    wrong = client.post(f"/fph/{round_.id}/proposer", data=proposal(amount_cents="1000"))
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "Le total des lignes du budget est de 900,00" in page
    assert 'value="1000"' in page

    over = client.post(f"/fph/{round_.id}/proposer", data=proposal(
        amount_cents="2000", **{"lines-1-amount_cents": "1600"}))
    assert "Un projet peut demander 1\u202f500,00\xa0€ au plus." in over.get_data(as_text=True)

    photo = io.BytesIO()
    image = Image.new("RGB", (40, 30), "orange")
    exif = Image.Exif()
    exif[0x010F] = "Téléphone"  # camera maker: must not survive
    image.save(photo, "JPEG", exif=exif)
    photo.seek(0)
    done = client.post(f"/fph/{round_.id}/proposer",
                       data={**proposal(), "photo": (photo, "repas.jpg")},
                       content_type="multipart/form-data")
    assert done.status_code == 302
    project = db.scalar(select(Project).where(Project.title == "Repas partagé"))
    assert project.amount_cents == 90_000
    assert project.status == "submitted"
    assert [line["amount_cents"] for line in project.budget_lines] == [40_000, 50_000]
    stored = client.get(f"/media/{project.photo}").data
    assert Image.open(io.BytesIO(stored)).getexif() == {}
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "En attente d’examen" in page
    assert "Modifier mon projet" in page

    assert client.get(f"/fph/projets/{project.id}").status_code == 200
    assert login_as(people["signatory"]).get(f"/fph/projets/{project.id}").status_code == 403


def test_an_unreadable_photo_is_refused_next_to_the_field(login_as: Any, db: Any, fund: Any,
                                                          people: dict) -> None:
    round_ = factories.make_round(db, fund, "submission")
    response = login_as(people["resident"]).post(
        f"/fph/{round_.id}/proposer",
        data={**proposal(), "photo": (io.BytesIO(b"not an image"), "x.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Cette photo ne peut pas être lue." in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Project)) == 0


def test_the_committee_admits_or_rejects_and_the_author_is_told(
        login_as: Any, db: Any, fund: Any, people: dict, outbox: Outbox) -> None:
    round_ = factories.make_round(db, fund, "review")
    first = factories.make_project(db, round_, people["resident"], status="submitted")
    second = factories.make_project(db, round_, people["resident"], status="submitted")
    client = login_as(people["moderator"])
    incomplete = client.post(f"/fph/projets/{first.id}/examen",
                             data={"decision": "admit", "within_cap": "y", "message": ""})
    assert incomplete.status_code == 400
    assert "Cochez tous les critères" in incomplete.get_data(as_text=True)
    client.post(f"/fph/projets/{first.id}/examen", data={
        "decision": "admit", "within_cap": "y", "in_quartier": "y", "fund_rules": "y",
        "carried_locally": "y", "message": ""})
    no_reason = client.post(f"/fph/projets/{second.id}/examen",
                            data={"decision": "reject", "message": ""})
    assert "Écrivez un message à l’auteur." in no_reason.get_data(as_text=True)
    client.post(f"/fph/projets/{second.id}/examen",
                data={"decision": "reject", "message": "Ce projet sort du quartier."})
    assert db.get(Project, first.id).status == "admitted"
    assert db.get(Project, second.id).status == "rejected"
    bodies = [outbox.body(m) for m in outbox.messages]
    assert any("a retenu votre projet" in b for b in bodies)
    assert any("Ce projet sort du quartier." in b for b in bodies)
    public = client.get(f"/fph/projets/{second.id}").get_data(as_text=True)
    assert "Ce projet sort du quartier." in public
    assert login_as(people["animator"]).get(
        f"/fph/projets/{first.id}/examen").status_code == 403


def vote_form(round_: Round, chosen: list[int], step: str, **values: Any) -> dict[str, Any]:
    return {"name": "Mireille Dupont", "birth_date": "1970-02-03", "lives_in_quartier": "y",
            "project": [str(p) for p in chosen], "step": step, **values}


def test_a_resident_votes_checks_and_gets_a_receipt(login_as: Any, db: Any, fund: Any,
                                                    people: dict) -> None:
    round_ = factories.make_round(db, fund, "vote")
    a, b, c = (factories.make_project(db, round_, amount_cents=n).id
               for n in (40_000, 60_000, 80_000))
    client = login_as(people["resident"])
    too_many = client.post(f"/fph/{round_.id}/voter", data=vote_form(round_, [a, b, c, a],
                                                                      "review"))
    assert too_many.status_code == 200  # duplicates collapse: three projects is allowed
    young = client.post(f"/fph/{round_.id}/voter",
                        data=vote_form(round_, [a], "review", birth_date="2015-01-01"))
    assert young.status_code == 400
    assert "Il faut avoir au moins 16 ans pour voter." in young.get_data(as_text=True)

    review = client.post(f"/fph/{round_.id}/voter", data=vote_form(round_, [a, b], "review"))
    page = review.get_data(as_text=True)
    assert "Vérifiez votre vote" in page
    assert "1\u202f000,00\xa0€" in page
    assert review.headers["Cache-Control"] == "no-store"
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 0

    cast = client.post(f"/fph/{round_.id}/voter", data=vote_form(round_, [a, b], "cast"))
    code = re.search(r'class="receipt"><code>([0-9A-F-]+)<', cast.get_data(as_text=True))
    assert code
    (ballot,) = db.scalars(select(SealedBallot))
    assert box.decrypt(factories.count_key(round_), ballot.ciphertext) == {
        str(a): 1, str(b): 1}  # what the trustees will read at the count
    found = client.post("/fph/recu", data={"code": code.group(1)}).get_data(as_text=True)
    assert "Ce bulletin est bien dans l’urne" in found
    again = client.get(f"/fph/{round_.id}/voter")
    assert again.status_code == 302
    assert "Vous avez voté" in client.get(f"/fph/{round_.id}").get_data(as_text=True)

    twin = login_as(people["animator"]).post(
        f"/fph/{round_.id}/voter", data=vote_form(round_, [c], "cast", name="MIREILLE DUPONT"),
        follow_redirects=True)
    assert "a déjà voté" in twin.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(SealedBallot)) == 1


def test_a_voter_who_asks_gets_the_receipt_by_mail_without_the_choices(
        login_as: Any, db: Any, fund: Any, people: dict, outbox: Any) -> None:
    round_ = factories.make_round(db, fund, "vote", title="FPH du printemps")
    a = factories.make_project(db, round_, title="Jardin partagé", amount_cents=40_000).id
    client = login_as(people["resident"])
    review = client.post(f"/fph/{round_.id}/voter", data=vote_form(round_, [a], "review"))
    assert "M’envoyer le reçu par e-mail" in review.get_data(as_text=True)
    cast = client.post(f"/fph/{round_.id}/voter",
                       data=vote_form(round_, [a], "cast", mail_receipt="y"))
    page = cast.get_data(as_text=True)
    code = re.search(r'class="receipt"><code>([0-9A-F-]+)<', page)
    assert code
    assert "Une copie du reçu part à votre adresse e-mail." in page
    [mail] = outbox.messages
    body = outbox.body(mail)
    assert mail["To"] == people["resident"].email
    assert "FPH du printemps" in mail["Subject"]
    assert code.group(1) in body
    assert "/fph/recu" in body
    assert "Jardin partagé" not in body
    assert "Mireille" not in body


def test_no_receipt_is_mailed_unless_asked(login_as: Any, db: Any, fund: Any, people: dict,
                                           outbox: Any) -> None:
    round_ = factories.make_round(db, fund, "vote")
    a = factories.make_project(db, round_, amount_cents=40_000).id
    cast = login_as(people["resident"]).post(f"/fph/{round_.id}/voter",
                                             data=vote_form(round_, [a], "cast"))
    assert cast.status_code == 200
    assert outbox.messages == []


def count_form(*shares: str) -> dict[str, str]:
    return {f"share_{n}": share for n, share in enumerate(shares, start=1)}


def test_the_count_needs_two_trustees_shares_and_publication_freezes_results(
        login_as: Any, db: Any, fund: Any, people: dict) -> None:
    from datetime import date

    from civic.budget import services
    from civic.budget.models import Channel

    fund.envelope_cents = 200_000  # room for one of the two projects only
    round_ = factories.make_round(db, fund, "vote")
    shares = factories.SHARES[round_.id]
    cheap, dear = (factories.make_project(db, round_, amount_cents=n).id
                   for n in (100_000, 150_000))
    for n, choice in enumerate([cheap, cheap, dear]):
        services.cast(db, round_, services.Declaration(f"V{n}", date(1980, 1, 1), True),
                      {choice: 1}, channel=Channel.ONLINE, user=None, now=NOW,
                      today=NOW.date())
    round_.vote_ends_at = NOW - factories.DAY / 2
    db.flush()
    url = f"/fph/{round_.id}"
    assert login_as(people["resident"]).post(f"{url}/depouillement",
                                             data=count_form(*shares[:2])).status_code == 403
    pilot = login_as(people["pilot"])
    one = pilot.post(f"{url}/depouillement", data=count_form(shares[0]))
    assert one.status_code == 400
    assert "Il faut les parts de 2 garants différents" in one.get_data(as_text=True)
    twice = pilot.post(f"{url}/depouillement", data=count_form(shares[0], shares[0]))
    assert "Cette part a déjà été saisie" in twice.get_data(as_text=True)
    assert db.get(Round, round_.id).results is None
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0
    assert pilot.post(f"{url}/publier").status_code == 403  # not counted yet
    assert login_as(people["resident"]).get(f"{url}/resultats").status_code == 404

    pilot = login_as(people["pilot"])
    counted = pilot.post(f"{url}/depouillement", data=count_form(shares[2], shares[0]))
    assert counted.status_code == 302
    results = db.get(Round, round_.id).results
    assert results["selected"] == [cheap]
    assert results["left_cents"] == 100_000
    assert [p["score"] for p in results["projects"]] == [2, 1]

    pilot.post(f"{url}/publier")
    published = db.get(Round, round_.id)
    reader = login_as(people["resident"])
    ballots_file = reader.get(f"{url}/bulletins.pb").data
    assert hashlib.sha256(ballots_file).hexdigest() == published.results_hash
    assert published.results_hash in reader.get(f"{url}/resultats").get_data(as_text=True)
    trackers = reader.get(f"{url}/empreintes.txt").get_data(as_text=True)
    listed = [line for line in trackers.splitlines() if not line.startswith("#")]
    assert len(listed) == 3
    assert box.seal_of(listed) == published.seal
    assert db.get(Project, cheap).follow_up == "to_start"
    actions = set(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "round", AuditEntry.target_id == str(round_.id))))
    assert {"budget.counted", "budget.results_published"} <= actions


def test_a_broken_seal_stops_the_count(login_as: Any, db: Any, fund: Any, people: dict) -> None:
    round_ = factories.make_round(db, fund, "counting")
    project = factories.make_project(db, round_)
    sneaked = box.encrypt(round_.box_key, {project.id: 1}, 100)
    db.add(SealedBallot(tracker=box.tracker(sneaked), round_id=round_.id, ciphertext=sneaked,
                        channel="online"))  # slipped in behind the seal
    db.flush()
    page = login_as(people["pilot"]).post(f"/fph/{round_.id}/depouillement",
                                          data=count_form(*factories.SHARES[round_.id][:2]),
                                          follow_redirects=True)
    assert "Le scellé de l’urne ne correspond plus" in page.get_data(as_text=True)
    assert db.get(Round, round_.id).results is None
    assert db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "budget.seal_broken")) == 1  # kept, for the inquiry


def test_funded_projects_are_followed_up(login_as: Any, db: Any, fund: Any,
                                         people: dict) -> None:
    round_ = factories.make_round(db, fund, "results")
    project = factories.make_project(db, round_, follow_up="to_start")
    client = login_as(people["animator"])
    client.post(f"/fph/projets/{project.id}/suivi", data={
        "part": "status", "status-follow_up": "in_progress", "status-spent_cents": "350,50"})
    client.post(f"/fph/projets/{project.id}/suivi", data={
        "part": "news", "news-text": "Les tables sont réservées."})
    page = client.get(f"/fph/projets/{project.id}").get_data(as_text=True)
    assert "En cours" in page
    assert "350,50" in page
    assert "Les tables sont réservées." in page
    assert login_as(people["resident"]).get(
        f"/fph/projets/{project.id}/suivi").status_code == 403


def test_pilot_opens_a_fund_and_a_round(login_as: Any, db: Any, people: dict,
                                        quartier: Any) -> None:
    client = login_as(people["pilot"])
    bad = client.post("/admin/fph/fonds/nouveau", data={
        "quartier_id": str(quartier.id), "year": "2027", "envelope_cents": "10 000",
        "cap_cents": "20 000", "min_project_cents": "0", "min_age": "16",
        "vote_method": "approval", "approval_min": "1", "approval_max": "",
        "points_total": "0", "points_max": "0", "tally_rule": "greedy", "min_score": "0"})
    assert "Le plafond par projet ne peut pas dépasser l’enveloppe." in bad.get_data(as_text=True)
    client.post("/admin/fph/fonds/nouveau", data={
        "quartier_id": str(quartier.id), "year": "2027", "envelope_cents": "10 000",
        "cap_cents": "1 500", "min_project_cents": "200", "min_age": "16",
        "vote_method": "knapsack", "approval_min": "1", "approval_max": "",
        "points_total": "0", "points_max": "0", "tally_rule": "equal-shares", "min_score": "0"})
    from civic.budget.models import Fund

    fund = db.scalar(select(Fund).where(Fund.year == 2027))
    assert (fund.envelope_cents, fund.cap_cents, fund.tally_rule) == (
        1_000_000, 150_000, "equal-shares")
    dates = {"submission_starts_at": "2027-01-10T09:00", "review_starts_at": "2027-02-10T09:00",
             "vote_starts_at": "2027-03-01T09:00", "vote_ends_at": "2027-02-20T18:00",
             "follow_up_starts_at": "2027-06-01T09:00"}
    wrong = client.post(f"/admin/fph/fonds/{fund.id}/sessions/nouvelle",
                        data={"title": "Session 2027", **dates})
    assert "Cette date doit venir après la précédente." in wrong.get_data(as_text=True)
    client.post(f"/admin/fph/fonds/{fund.id}/sessions/nouvelle",
                data={"title": "Session 2027", **dates, "vote_ends_at": "2027-03-20T18:00"})
    round_ = db.scalar(select(Round).where(Round.title == "Session 2027"))
    assert round_.vote_starts_at.isoformat() == "2027-03-01T08:00:00+00:00"  # Paris, winter
    assert round_.phase(NOW) == "upcoming"
    client.post(f"/admin/fph/sessions/{round_.id}/avancer")
    assert db.get(Round, round_.id).phase(NOW) == "submission"


def test_the_quartier_page_says_what_residents_can_do_now(client: Any, db: Any, fund: Any,
                                                          quartier: Any) -> None:
    round_ = factories.make_round(db, fund, "vote")
    page = client.get(f"/quartiers/{quartier.code}").get_data(as_text=True)
    assert round_.title in page
    assert "Vote ouvert" in page
    assert "Choisissez les projets que vous voulez voir financés." in page


def test_my_data_lists_my_projects_and_where_i_voted_never_what(login_as: Any, db: Any,
                                                                 fund: Any,
                                                                 people: dict) -> None:
    import json
    from datetime import date

    from civic.budget import services
    from civic.budget.models import Channel

    resident = people["resident"]
    round_ = factories.make_round(db, fund, "vote")
    mine = factories.make_project(db, round_, resident, title="Jardin partagé")
    services.cast(db, round_, services.Declaration("Rania", date(1990, 1, 1), True),
                  {mine.id: 1}, channel=Channel.ONLINE, user=resident, now=NOW,
                  today=NOW.date())
    data = json.loads(login_as(resident).get("/compte/mes-donnees.json").data)
    assert [p["title"] for p in data["fph"]["projects"]] == ["Jardin partagé"]
    assert data["fph"]["votes"] == [{"round": round_.title, "channel": "online",
                                     "day": "2026-03-14", "choices": None}]


def test_deleting_an_account_keeps_projects_but_not_the_contact(login_as: Any, db: Any,
                                                                fund: Any) -> None:
    author = factories.make_user(db)
    round_ = factories.make_round(db, fund, "results")
    project = factories.make_project(db, round_, author, contact="06 11 22 33 44")
    login_as(author).post("/compte/supprimer", data={"password": factories.PASSWORD})
    kept = db.get(Project, project.id)
    assert kept.title == project.title
    assert kept.contact == ""


def test_the_trustees_page_says_what_a_lost_share_costs(login_as: Any, db: Any, fund: Any,
                                                        people: dict) -> None:
    from civic.budget import trustees

    pilot = login_as(people["pilot"])
    spare = factories.make_round(db, fund, "review")
    trustees.name(db, spare, [people["pilot"], people["moderator"],
                              factories.make_user(db, roles=[(Role.MODERATOR, fund.quartier)])],
                  2, actor=people["pilot"], now=NOW)
    page = pilot.get(f"/admin/fph/sessions/{spare.id}/garants").get_data(as_text=True)
    assert "rien n’est perdu : les autres suffisent" in page
    tight = factories.make_round(db, fund, "review")
    trustees.name(db, tight, [people["pilot"], people["moderator"]], 2, actor=people["pilot"],
                  now=NOW)
    page = pilot.get(f"/admin/fph/sessions/{tight.id}/garants").get_data(as_text=True)
    assert "chaque part est indispensable" in page
    assert "rien n’est perdu" not in page
    mine = login_as(people["moderator"]).get(f"/fph/{tight.id}/garant").get_data(as_text=True)
    assert "Chaque part est indispensable" in mine


def test_a_proposal_without_an_amount_asks_the_total_of_its_lines(login_as: Any, db: Any,
                                                                  fund: Any, people: dict
                                                                  ) -> None:
    round_ = factories.make_round(db, fund, "submission")
    client = login_as(people["resident"])
    done = client.post(f"/fph/{round_.id}/proposer", data=proposal(amount_cents=""))
    assert done.status_code == 302
    project = db.scalar(select(Project).where(Project.round_id == round_.id))
    assert project.amount_cents == sum(line["amount_cents"] for line in project.budget_lines)
    nothing = client.post(f"/fph/{round_.id}/proposer", data={
        **proposal(amount_cents=""), "lines-0-label": "", "lines-0-amount_cents": "",
        "lines-1-label": "", "lines-1-amount_cents": ""})
    assert nothing.status_code == 400
    assert '<p class="error" id="amount_cents-error">Indiquez un montant.</p>' in (
        nothing.get_data(as_text=True))


def test_the_place_of_a_proposal_is_tapped_or_chosen_among_the_landmarks(
        login_as: Any, db: Any, fund: Any, people: dict, quartier: Any) -> None:
    from civic.map.models import Landmark

    landmark = Landmark(quartier_id=quartier.id, name="Square Abbal", latitude=43.5741,
                        longitude=1.4032)
    db.add(landmark)
    db.flush()
    round_ = factories.make_round(db, fund, "submission")
    client = login_as(people["resident"])
    form = client.get(f"/fph/{round_.id}/proposer").get_data(as_text=True)
    assert 'class="map-box"' in form
    assert "data-pick-form" in form
    assert re.search(r'<input id="latitude"[^>]*name="latitude" type="hidden"', form)
    assert ">Square Abbal</option>" in form  # the way without JavaScript
    client.post(f"/fph/{round_.id}/proposer", data=proposal(landmark_id=str(landmark.id)))
    project = db.scalar(select(Project).where(Project.round_id == round_.id))
    assert (project.latitude, project.longitude, project.place) == (43.5741, 1.4032,
                                                                    "Square Abbal")
