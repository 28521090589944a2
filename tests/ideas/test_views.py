"""The idea box through its pages: what a resident, a pilot and a signatory see and do."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from civic.ideas.models import Comment, Forwarding, Idea
from tests import factories
from tests.factories import NOW


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_a_resident_posts_an_idea_and_sees_it_waiting(login_as: Any, db: Any, people: dict,
                                                     quartier: Any, contract: Any) -> None:
    orientation = factories.make_orientation(db, contract, name="Cadre de vie")
    client = login_as(people["resident"])
    form = client.get(f"/quartiers/{quartier.code}/idees/proposer")
    assert form.status_code == 200
    assert "Cadre de vie" in _text(form)
    sent = client.post(f"/quartiers/{quartier.code}/idees/proposer", data={
        "title": "Des bancs à l’ombre", "body": "Les parents attendent au soleil.",
        "orientation_id": str(orientation.id), "place": "Devant l’école"})
    assert sent.status_code == 302
    idea = db.scalars(select(Idea)).one()
    assert (idea.title, idea.moderation, idea.orientation_id, idea.author_id) == (
        "Des bancs à l’ombre", "pending", orientation.id, people["resident"].id)
    page = _text(client.get(sent.headers["Location"]))
    assert "attend la relecture du conseil citoyen" in page
    assert "Les parents attendent au soleil." in page
    listing = _text(client.get(f"/quartiers/{quartier.code}/idees"))
    assert "Vos idées en attente de relecture" in listing


def test_a_pending_idea_is_seen_by_nobody_else(login_as: Any, db: Any, people: dict,
                                               client: Any, quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"], moderation="pending")
    assert client.get(f"/idees/{idea.id}").status_code == 302  # to the login page
    assert login_as(people["animator"]).get(f"/idees/{idea.id}").status_code == 403
    assert login_as(people["moderator"]).get(f"/idees/{idea.id}").status_code == 200


def test_a_rejected_idea_shows_the_reason_but_not_its_text(client: Any, db: Any, people: dict,
                                                           quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"], moderation="rejected",
                               body="Texte injurieux", moderation_reason="Insulte.")
    page = _text(client.get(f"/idees/{idea.id}"))
    assert "Insulte." in page
    assert "Texte injurieux" not in page


def test_bad_input_is_answered_next_to_the_field_and_kept(login_as: Any, db: Any,
                                                          people: dict, quartier: Any) -> None:
    client = login_as(people["resident"])
    response = client.post(f"/quartiers/{quartier.code}/idees/proposer", data={
        "title": "", "body": "Mon texte gardé", "latitude": "nord"})
    assert response.status_code == 400
    page = _text(response)
    assert "Ce champ est obligatoire." in page
    assert "Mon texte gardé" in page
    assert "Cette position n’a pas pu être lue." in page
    assert db.scalar(select(func.count()).select_from(Idea)) == 0


def test_a_spam_robot_filling_the_hidden_field_posts_nothing(login_as: Any, db: Any,
                                                             people: dict,
                                                             quartier: Any) -> None:
    client = login_as(people["resident"])
    response = client.post(f"/quartiers/{quartier.code}/idees/proposer", data={
        "title": "Pas cher", "body": "Achetez", "website": "http://spam.example"})
    assert response.status_code == 400
    assert db.scalar(select(func.count()).select_from(Idea)) == 0


def test_links_are_shown_as_plain_text(client: Any, db: Any, people: dict,
                                       quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"],
                               body='Voir <a href="https://x.example">ici</a> https://y.example')
    page = _text(client.get(f"/idees/{idea.id}"))
    assert '<a href="https://x.example">' not in page
    assert "https://y.example" in page
    assert 'href="https://y.example"' not in page


def test_support_follow_and_comment(login_as: Any, db: Any, people: dict,
                                    quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    client = login_as(people["animator"])
    assert client.post(f"/idees/{idea.id}/soutien").status_code == 302
    assert client.post(f"/idees/{idea.id}/soutien").status_code == 302  # twice: one support
    assert "1 soutien" in _text(client.get(f"/idees/{idea.id}"))
    assert "Retirer mon soutien" in _text(client.get(f"/idees/{idea.id}"))
    client.post(f"/idees/{idea.id}/soutien", data={"action": "remove"})
    assert db.get(Idea, idea.id).support_count == 0
    client.post(f"/idees/{idea.id}/suivi")
    assert "Ne plus suivre" in _text(client.get(f"/idees/{idea.id}"))
    sent = client.post(f"/idees/{idea.id}/commentaires", data={"body": "Bonne idée !"})
    assert sent.status_code == 302
    comment = db.scalars(select(Comment)).one()
    assert comment.moderation == "pending"
    empty = client.post(f"/idees/{idea.id}/commentaires", data={"body": "  "})
    assert empty.status_code == 400
    assert "Ce champ est obligatoire." in _text(empty)


def test_the_author_cannot_support_their_own_idea(login_as: Any, db: Any, people: dict,
                                                  quartier: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"])
    client = login_as(people["resident"])
    assert "Je soutiens cette idée" not in _text(client.get(f"/idees/{idea.id}"))
    assert client.post(f"/idees/{idea.id}/soutien").status_code == 403


def test_an_animator_notes_the_idea_of_someone_without_an_account(
        login_as: Any, db: Any, people: dict, quartier: Any, other_quartier: Any) -> None:
    client = login_as(people["animator"])
    url = f"/permanence/quartiers/{quartier.code}/idee"
    missing = client.post(url, data={"title": "Un composteur", "body": "Pour les jardins"})
    assert missing.status_code == 400
    assert "Un composteur" in _text(missing)
    assert client.post(url, data={"title": "Un composteur", "body": "Pour les jardins",
                                  "author_name": "Fatou"}).status_code == 302
    idea = db.scalars(select(Idea)).one()
    assert (idea.author_id, idea.author_name, idea.entered_by_id) == (
        None, "Fatou", people["animator"].id)
    assert client.get(f"/permanence/quartiers/{other_quartier.code}/idee").status_code == 403


def test_a_pilot_forwards_an_idea_and_the_signatory_answers(
        login_as: Any, db: Any, people: dict, quartier: Any, signatory: Any,
        outbox: Any) -> None:
    idea = factories.make_idea(db, quartier, people["resident"], title="Éclairage du passage")
    follower = factories.make_user(db, language="en")
    db.add_all([factories_follow(idea, follower), factories_follow(idea, people["resident"])])
    db.flush()
    client = login_as(people["pilot"])
    refused = client.post(f"/idees/{idea.id}/reponse", data={
        "status": "forwarded", "response": "Transmise.", "due_on": "2026-03-01"})
    assert refused.status_code == 400
    assert "Choisissez le signataire." in _text(refused)
    sent = client.post(f"/idees/{idea.id}/reponse", data={
        "status": "forwarded", "response": "Transmise à la Ville.",
        "signatory_id": str(signatory.id), "due_on": "2026-04-15", "message": "Urgent"})
    assert sent.status_code == 302
    to = sorted(str(m["To"]) for m in outbox.messages)
    assert to == sorted([signatory.referent_email, follower.email, people["resident"].email])
    english = next(m for m in outbox.messages if m["To"] == follower.email)
    assert "Éclairage du passage" in str(english["Subject"])
    assert "New" in str(english["Subject"])
    page = _text(client.get(f"/idees/{idea.id}"))
    assert f"Transmise à <bdi>{signatory.name}</bdi>" in page
    assert "15 avril 2026" in page

    forwarding = db.scalars(select(Forwarding)).one()
    signatory_client = login_as(people["signatory"])
    space = _text(signatory_client.get("/signataire"))
    assert "Éclairage du passage" in space
    assert "À répondre" in space
    answered = signatory_client.post(f"/signataire/transmissions/{forwarding.id}",
                                     data={"answer": "Les lampes seront changées."})
    assert answered.status_code == 302
    page = _text(client.get(f"/idees/{idea.id}"))
    assert "Les lampes seront changées." in page
    who = _text(client.get("/qui-fait-quoi"))
    assert signatory.name in who
    assert "Éclairage du passage" in who
    assert "Répondu le jour même" in who


def factories_follow(idea: Any, user: Any) -> Any:
    from civic.ideas.models import Follow

    return Follow(idea_id=idea.id, user_id=user.id, created_at=NOW)


def test_another_signatory_cannot_answer(login_as: Any, db: Any, people: dict, quartier: Any,
                                         contract: Any, signatory: Any) -> None:
    from civic.accounts.models import Role

    idea = factories.make_idea(db, quartier, people["resident"])
    forwarding = Forwarding(idea_id=idea.id, signatory_id=signatory.id, forwarded_at=NOW,
                            due_on=NOW.date())
    db.add(forwarding)
    db.flush()
    stranger = factories.make_user(db, roles=[(Role.SIGNATORY, factories.make_signatory(
        db, contract))])
    client = login_as(stranger)
    assert client.post(f"/signataire/transmissions/{forwarding.id}",
                       data={"answer": "Non"}).status_code == 403
    assert db.get(Forwarding, forwarding.id).answered_at is None


def test_an_idea_sent_to_the_fph_opens_a_filled_proposal_for_its_author(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "submission")
    idea = factories.make_idea(db, quartier, people["resident"], title="Atelier vélo",
                               body="Réparer les vélos le samedi.", status="fph")
    client = login_as(people["resident"])
    assert "Proposer mon idée au FPH" in _text(client.get(f"/idees/{idea.id}"))
    went = client.post(f"/idees/{idea.id}/vers-le-fph")
    assert went.status_code == 302
    assert f"/fph/{round_.id}/proposer" in went.headers["Location"]
    form = _text(client.get(went.headers["Location"]))
    assert 'value="Atelier vélo"' in form
    assert "Réparer les vélos le samedi." in form
    other = login_as(people["animator"])
    assert other.post(f"/idees/{idea.id}/vers-le-fph").status_code == 403
    assert "Réparer les vélos" not in _text(other.get(
        f"/fph/{round_.id}/proposer?depuis=idea:{idea.id}"))


def test_the_list_filters_in_the_page(client: Any, db: Any, people: dict,
                                      quartier: Any) -> None:
    factories.make_idea(db, quartier, people["resident"], title="Bancs de l’école")
    factories.make_idea(db, quartier, people["resident"], title="Poubelles",
                        body="Elles débordent.")
    page = _text(client.get(f"/quartiers/{quartier.code}/idees?q=ECOLE&sort=supported"))
    assert "Bancs de l’école" in page
    assert "Poubelles" not in page
    for odd in ("orientation=abc&status=zz&page=-3", "page=99999999999999999999999"):
        assert client.get(f"/quartiers/{quartier.code}/idees?{odd}").status_code in (200, 400)


def test_the_quartier_page_shows_the_latest_ideas(client: Any, db: Any, people: dict,
                                                  quartier: Any) -> None:
    factories.make_idea(db, quartier, people["resident"], title="Des bancs")
    page = _text(client.get(f"/quartiers/{quartier.code}"))
    assert "Boîte à idées" in page
    assert "Des bancs" in page
    assert "Proposer une idée" in page


def test_my_data_holds_my_ideas_comments_supports_and_deletion_unsigns_them(
        login_as: Any, db: Any, people: dict, quartier: Any) -> None:
    import json

    from civic.ideas.models import Follow, Support

    me = factories.make_user(db)
    mine = factories.make_idea(db, quartier, me, title="Un composteur", latitude=43.57,
                               longitude=1.40)
    other = factories.make_idea(db, quartier, people["resident"])
    factories.make_comment(db, other, me, body="D’accord")
    db.add_all([Support(idea_id=other.id, user_id=me.id, created_at=NOW),
                factories_follow(other, me)])
    db.flush()
    client = login_as(me)
    data = json.loads(client.get("/compte/mes-donnees.json").data)["ideas"]
    assert [i["title"] for i in data["ideas"]] == ["Un composteur"]
    assert [c["text"] for c in data["comments"]] == ["D’accord"]
    assert data["supported_ideas"] == [other.id]
    assert data["followed_ideas"] == [other.id]
    client.post("/compte/supprimer", data={"password": factories.PASSWORD})
    kept = db.get(Idea, mine.id)
    assert kept.title == "Un composteur"
    assert kept.latitude is None
    assert db.scalar(select(func.count()).select_from(Follow).where(Follow.user_id == me.id)) == 0
    assert "Compte supprimé" in _text(client.get(f"/idees/{mine.id}"))


def test_posting_is_rate_limited(database_url: str, outbox_dir: Any) -> None:
    from civic import create_app
    from tests.conftest import test_config

    app = create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True))
    client = app.test_client()
    codes = [client.post("/quartiers/QP000000/idees/proposer", data={"title": "x"},
                         environ_base={"REMOTE_ADDR": "10.8.8.8"}).status_code
             for _ in range(11)]
    assert codes[:10] == [404] * 10
    assert codes[10] == 429
    elsewhere = client.post("/quartiers/QP000000/idees/proposer",
                            environ_base={"REMOTE_ADDR": "10.8.8.9"})
    assert elsewhere.status_code == 404


def test_who_does_what_links_each_long_list_to_its_own_pages(
        client: Any, db: Any, people: dict, quartier: Any, contract: Any,
        signatory: Any) -> None:
    from datetime import timedelta

    other_contract = factories.make_contract(db, name="Un autre contrat")
    stranger = factories.make_signatory(db, other_contract, name="Ailleurs")
    for n in range(12):
        idea = factories.make_idea(db, quartier, people["resident"], title=f"Banc {n}")
        db.add(Forwarding(idea_id=idea.id, signatory_id=signatory.id,
                          forwarded_at=NOW + timedelta(hours=n), due_on=NOW.date()))
    db.flush()
    who = _text(client.get("/qui-fait-quoi"))
    assert "12 idées transmises" in who
    assert "Banc 11" in who
    assert "Banc 2" in who
    assert "Banc 1<" not in who  # the eleventh latest is on the signatory's page only
    assert f'href="/qui-fait-quoi/{signatory.id}"' in who
    page = client.get(f"/qui-fait-quoi/{signatory.id}")
    assert page.status_code == 200
    assert all(f"Banc {n}<" in _text(page) for n in range(12))
    assert "Page suivante" not in _text(page)
    for url in (f"/qui-fait-quoi/{stranger.id}", "/qui-fait-quoi/999999",
                f"/qui-fait-quoi/{signatory.id}?page=3", "/qui-fait-quoi/99999999999999999999"):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/qui-fait-quoi/{signatory.id}?page=-1e9").status_code == 200
