"""The pages of the questions residents propose: who sees and does what, the committee's
decisions with their mails, the moderation queue, the committee role granted on the role
page, and hostile or mistaken input answered next to its field, never with a 500."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from civic.accounts.models import Role, RoleGrant
from civic.evaluation import proposals, services
from civic.evaluation.models import EvaluationQuestion, ProposalSupport, QuestionProposal
from tests import factories
from tests.evaluation.conftest import NOW
from tests.evaluation.test_proposals import CALENDAR, QUESTION, open_evaluation, propose
from tests.test_hostile_input import HOSTILE, SCRIPT


def _text(response: Any) -> str:
    """The page as a reader sees its words: no markup, one space between them."""
    words = html.unescape(re.sub(r"<[^>]+>", "", response.get_data(as_text=True)))
    return " ".join(words.replace("\u202f", " ").replace("\xa0", " ").split())


def _published(db: Any, evaluation: Any, author: Any, quartier: Any,
               **values: Any) -> QuestionProposal:
    proposal = propose(db, evaluation, author, quartier, **values)
    proposal.moderation = "published"
    db.flush()
    return proposal


@pytest.fixture
def evaluation(db: Any, contract: Any) -> Any:
    return open_evaluation(db, contract)


@pytest.fixture
def author(db: Any, quartier: Any) -> Any:
    return factories.make_user(db, display_name="Nadia", quartier_id=quartier.id)


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Élise", roles=[(Role.EVALUATOR, None)])


# --- The public list, the form, supports -----------------------------------------------


def test_a_visitor_reads_the_list_and_is_sent_to_log_in_to_take_part(
        client: Any, db: Any, evaluation: Any, author: Any, quartier: Any) -> None:
    proposal = _published(db, evaluation, author, quartier, why="Mon fils cherche.")
    page = client.get(f"/evaluation/{evaluation.id}/propositions")
    assert page.status_code == 200
    body = _text(page)
    assert "et soutenez celles des autres, jusqu’au 31 mars 2026 inclus." in body
    assert QUESTION in body
    assert "Proposée le 14 mars 2026 par un·e habitant·e · Les Tilleuls" in body
    assert "Mon fils cherche." in body
    assert "0 soutien" in body
    assert "Connectez-vous pour soutenir cette question." in body
    form = client.get(f"/evaluation/{evaluation.id}/propositions/nouvelle")
    assert form.status_code == 302
    assert "/connexion?next=" in form.headers["Location"]
    refused = client.post(f"/evaluation/propositions/{proposal.id}/soutien")
    assert "/connexion" in refused.headers["Location"]
    assert db.scalars(select(ProposalSupport)).all() == []


def test_a_resident_proposes_and_only_they_see_it_until_it_is_published(
        login_as: Any, db: Any, evaluation: Any, author: Any, people: dict,
        quartier: Any) -> None:
    client = login_as(author)
    form = client.get(f"/evaluation/{evaluation.id}/propositions/nouvelle")
    assert form.status_code == 200
    page = form.get_data(as_text=True)
    assert f'<option selected value="{quartier.id}">' in page  # the account's quartier
    assert re.search(r'<input checked id="show_name-0"[^>]*value="anonymous"', page)
    assert "Mon nom affiché : Nadia" in page
    sent = client.post(f"/evaluation/{evaluation.id}/propositions/nouvelle", data={
        "text": QUESTION, "why": "", "quartier_id": str(quartier.id), "show_name": "name"})
    assert sent.status_code == 302
    proposal = db.scalars(select(QuestionProposal)).one()
    assert sent.headers["Location"].endswith(
        f"/evaluation/{evaluation.id}/propositions#proposition-{proposal.id}")
    assert (proposal.show_name, proposal.moderation) == (True, "pending")
    listed = client.get(f"/evaluation/propositions/{proposal.id}")
    assert listed.headers["Location"].endswith(
        f"/evaluation/{evaluation.id}/propositions#proposition-{proposal.id}")
    mine = _text(client.get(f"/evaluation/{evaluation.id}/propositions"))
    assert "Vos questions pas encore publiées" in mine
    assert f"{QUESTION} Le conseil citoyen va la relire avant de la publier." in mine
    other = _text(login_as(people["resident"]).get(f"/evaluation/{evaluation.id}/propositions"))
    assert QUESTION not in other
    assert "Aucune question n’attend la décision du comité." in other


def test_once_the_last_day_is_past_the_form_sends_back_to_the_list(
        login_as: Any, db: Any, contract: Any, author: Any) -> None:
    evaluation = open_evaluation(db, contract, proposals_until=date(2026, 3, 10))
    client = login_as(author)
    answer = client.get(f"/evaluation/{evaluation.id}/propositions/nouvelle")
    assert answer.status_code == 302
    page = _text(client.get(answer.headers["Location"]))
    assert "Le temps des propositions est passé pour cette évaluation." in page
    assert "Les propositions sont terminées depuis le 10 mars 2026." in page
    assert "Proposer une question" not in page
    assert client.post(f"/evaluation/{evaluation.id}/propositions/nouvelle", data={
        "text": QUESTION, "quartier_id": "1"}).status_code == 302
    assert db.scalars(select(QuestionProposal)).all() == []


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"text": ""}, "text", "Écrivez votre question."),
    ({"text": "Pourquoi?"}, "text", "Entre 10 et 300 caractères."),
    ({"text": "Q" * 100_000}, "text", "Entre 10 et 300 caractères."),
    ({"text": "Pour\x00quoi les halls ?"}, "text", None),
    ({"why": "W" * 100_000}, "why", "1000 caractères au plus."),
    ({"quartier_id": ""}, "quartier_id", "Choisissez votre quartier dans la liste."),
    ({"quartier_id": "abc"}, "quartier_id", None),
    ({"quartier_id": "99999999999999999999"}, "quartier_id", None),
    ({"quartier_id": "{elsewhere}"}, "quartier_id", "Choisissez votre quartier dans la liste."),
    ({"show_name": "admin"}, "show_name", None),
])
def test_a_wrong_proposal_is_told_next_to_its_field_and_kept(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any, data: dict,
        field: str, message: str | None) -> None:
    elsewhere = factories.make_quartier(db, factories.make_contract(db, name="Ailleurs"))
    sent = {"text": QUESTION, "why": "Parce que.", "quartier_id": str(quartier.id),
            "show_name": "anonymous", **data}
    sent = {k: v.format(elsewhere=elsewhere.id) for k, v in sent.items()}
    answer = login_as(author).post(f"/evaluation/{evaluation.id}/propositions/nouvelle",
                                   data=sent)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message is not None:
        assert message in page, page[page.find(f'id="{field}-error"'):][:200]
    if field != "why":
        assert ">\r\nParce que.</textarea>" in page  # what was typed stays
    assert db.scalars(select(QuestionProposal)).all() == []


def test_markup_in_a_proposal_is_shown_as_text(login_as: Any, db: Any, evaluation: Any,
                                               author: Any, quartier: Any) -> None:
    quartier.moderation_mode = "post"
    client = login_as(author)
    assert client.post(f"/evaluation/{evaluation.id}/propositions/nouvelle", data={
        "text": f"{SCRIPT} les halls ?", "why": '"><img src=x onerror=alert(1)>',
        "quartier_id": str(quartier.id), "show_name": "anonymous"}).status_code == 302
    page = client.get(f"/evaluation/{evaluation.id}/propositions").get_data(as_text=True)
    assert SCRIPT not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_a_resident_supports_then_withdraws_and_never_their_own(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        people: dict) -> None:
    proposal = _published(db, evaluation, author, quartier)
    url = f"/evaluation/propositions/{proposal.id}/soutien"
    client = login_as(people["resident"])
    assert client.post(url).status_code == 302
    assert client.post(url, data={"action": "<script>"}).status_code == 302  # a second one
    assert db.get(QuestionProposal, proposal.id).support_count == 1
    page = _text(client.get(f"/evaluation/{evaluation.id}/propositions"))
    assert "1 soutien" in page
    assert "Retirer mon soutien" in page
    assert client.post(url, data={"action": "remove"}).status_code == 302
    assert db.get(QuestionProposal, proposal.id).support_count == 0
    own = login_as(author)
    assert own.post(url).status_code == 403
    assert "C’est votre question" in _text(own.get(f"/evaluation/{evaluation.id}/propositions"))
    for wrong in ("999999", "99999999999999999999", "abc", "-1"):
        assert own.post(f"/evaluation/propositions/{wrong}/soutien").status_code == 404


def test_every_post_needs_its_csrf_token(app: Any, login_as: Any, db: Any, evaluation: Any,
                                         author: Any, quartier: Any, people: dict,
                                         evaluator: Any, monkeypatch: Any) -> None:
    proposal = _published(db, evaluation, author, quartier)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    client = login_as(people["resident"])
    url = f"/evaluation/propositions/{proposal.id}/soutien"
    assert client.post(url).status_code == 400
    assert client.post(f"/evaluation/{evaluation.id}/propositions/nouvelle", data={
        "text": QUESTION, "quartier_id": str(quartier.id),
        "show_name": "anonymous"}).status_code == 400
    page = client.get(f"/evaluation/{evaluation.id}/propositions").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    assert client.post(url, data={"csrf_token": token[1]}).status_code == 302
    committee = login_as(evaluator)
    assert committee.post(f"/evaluation/propositions/{proposal.id}/decision/ecarter",
                          data={f"ecarter-{proposal.id}-reason": "Non."}).status_code == 400
    assert db.get(QuestionProposal, proposal.id).decision == "pending"
    assert db.get(QuestionProposal, proposal.id).support_count == 1


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_never_break_a_proposal_form(login_as: Any, db: Any, evaluation: Any,
                                                    author: Any, quartier: Any,
                                                    evaluator: Any, value: str) -> None:
    proposal = _published(db, evaluation, author, quartier)
    resident = login_as(author)
    answers = [resident.post(f"/evaluation/{evaluation.id}/propositions/nouvelle",
                             data=dict.fromkeys(["text", "why", "quartier_id", "show_name"],
                                                value))]
    committee = login_as(evaluator)
    for how, fields in (("garder", ["text", "orientations", "reason"]),
                        ("regrouper", ["question_id", "reason"]), ("ecarter", ["reason"])):
        answers.append(committee.post(
            f"/evaluation/propositions/{proposal.id}/decision/{how}",
            data={f"{how}-{proposal.id}-{f}": value for f in fields}))
    for answer in answers:
        assert answer.status_code < 500
        body = answer.get_data(as_text=True)
        assert SCRIPT not in body
        assert "<img src=x" not in body


# --- The committee ---------------------------------------------------------------------


def test_the_committee_page_lists_the_most_supported_first_for_its_members_only(
        client: Any, login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        people: dict, evaluator: Any) -> None:
    quiet = _published(db, evaluation, author, quartier, text="Une question peu soutenue ?")
    loud = _published(db, evaluation, author, quartier, text="Une question très soutenue ?")
    for person in ("resident", "moderator", "animator"):
        proposals.support(db, loud, people[person], now=NOW, today=date(2026, 3, 14))
    url = f"/evaluation/{evaluation.id}/propositions/comite"
    assert "/connexion" in client.get(url).headers["Location"]
    for role in ("resident", "moderator", "animator", "signatory"):
        assert login_as(people[role]).get(url).status_code == 403, role
    assert login_as(people["pilot"]).get(url).status_code == 200
    page = _text(login_as(evaluator).get(url))
    assert page.index(loud.text) < page.index(quiet.text)
    assert "3 soutiens" in page
    assert "En attente d’une décision (2)" in page
    assert login_as(evaluator).get("/evaluation/999999/propositions/comite").status_code == 404


def test_the_committee_pages_take_a_bounded_number_of_queries(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        evaluator: Any, orientation: Any, count_queries: Any) -> None:
    client = login_as(evaluator)
    urls = [f"/evaluation/{evaluation.id}/propositions",
            f"/evaluation/{evaluation.id}/propositions/comite", f"/evaluation/{evaluation.id}"]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            found.append(counted.n)
        return found

    first = _published(db, evaluation, author, quartier)
    proposals.keep(db, first, QUESTION, [orientation.id], "Oui.", actor=evaluator, now=NOW)
    _published(db, evaluation, author, quartier)
    few = counts()
    for n in range(8):
        more = _published(db, evaluation, factories.make_user(db), quartier,
                          show_name=bool(n % 2))
        if n % 3 == 0:
            proposals.merge(db, more, first.question, "Pareil.", actor=evaluator, now=NOW)
    assert counts() == few


def test_keeping_through_the_page_tells_the_author_and_credits_them(
        login_as: Any, app: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        evaluator: Any, orientation: Any, outbox: Any) -> None:
    anonymous = _published(db, evaluation, author, quartier, text="les stages ??")
    named = _published(db, evaluation, author, quartier, show_name=True,
                       text="Les stages sont-ils plus faciles à trouver ?")
    client = login_as(evaluator)
    url = f"/evaluation/propositions/{anonymous.id}/decision/garder"
    refused = client.post(url, data={f"garder-{anonymous.id}-text": QUESTION,
                                     f"garder-{anonymous.id}-orientations": str(orientation.id),
                                     f"garder-{anonymous.id}-reason": "  "})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert f'id="garder-{anonymous.id}-reason-error"' in page
    assert "Écrivez la raison du comité : elle sera publique." in page
    assert f">\r\n{QUESTION}</textarea>" in page
    assert outbox.messages == []
    kept = client.post(url, data={f"garder-{anonymous.id}-text": QUESTION,
                                  f"garder-{anonymous.id}-orientations": str(orientation.id),
                                  f"garder-{anonymous.id}-reason": "Beaucoup en parlent."})
    assert kept.status_code == 302
    assert kept.headers["Location"].endswith(f"/evaluation/{evaluation.id}/propositions/comite")
    question = db.scalars(select(EvaluationQuestion)).one()
    assert (question.text, db.get(QuestionProposal, anonymous.id).question_id) == (
        QUESTION, question.id)
    [mail] = outbox.messages
    assert mail["To"] == author.email
    assert mail["Subject"] == "Votre question est retenue pour l’évaluation"
    body = " ".join(outbox.body(mail).split())
    assert "« les stages ?? »" in body
    assert f"« {QUESTION} »" in body
    assert "Sa raison : Beaucoup en parlent." in body
    assert f"http://localhost/evaluation/propositions/{anonymous.id}" in body

    merged = client.post(f"/evaluation/propositions/{named.id}/decision/regrouper", data={
        f"regrouper-{named.id}-question_id": str(question.id),
        f"regrouper-{named.id}-reason": "La même question."})
    assert merged.status_code == 302
    page = _text(client.get(f"/evaluation/{evaluation.id}"))
    assert "Question proposée par un·e habitant·e, Nadia." in page
    public = _text(client.get(f"/evaluation/{evaluation.id}/propositions"))
    assert "Gardée par le comité" in public
    assert "La raison du comité : Beaucoup en parlent." in public
    assert "Rapprochée d’une question de l’évaluation" in public


@pytest.mark.parametrize(("value", "message"), [
    ("", "Choisissez une question de cette évaluation."),
    ("{theirs}", "Choisissez une question de cette évaluation."),
    ("999999", "Choisissez une question de cette évaluation."),
    ("abc", None),
    ("99999999999999999999", None),
])
def test_merging_into_a_question_elsewhere_is_refused_next_to_the_choice(
        login_as: Any, db: Any, contract: Any, evaluation: Any, author: Any, quartier: Any,
        evaluator: Any, orientation: Any, value: str, message: str | None) -> None:
    final = open_evaluation(db, contract, kind="final", title="Évaluation finale")
    theirs = services.add_question(db, final, QUESTION, [orientation.id], actor=None, now=NOW)
    services.add_question(db, evaluation, QUESTION, [orientation.id], actor=None, now=NOW)
    proposal = _published(db, evaluation, author, quartier)
    answer = login_as(evaluator).post(
        f"/evaluation/propositions/{proposal.id}/decision/regrouper", data={
            f"regrouper-{proposal.id}-question_id": value.format(theirs=theirs.id),
            f"regrouper-{proposal.id}-reason": "Pareil."})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="regrouper-{proposal.id}-question_id-error"' in page
    if message is not None:
        assert message in page
    assert ">\r\nPareil.</textarea>" in page
    assert db.get(QuestionProposal, proposal.id).decision == "pending"


def test_a_deleted_author_is_not_told_and_shows_as_a_resident(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        evaluator: Any, orientation: Any, outbox: Any) -> None:
    proposal = _published(db, evaluation, author, quartier, show_name=True)
    author.deleted_at, author.email, author.display_name = NOW, None, ""
    db.flush()
    client = login_as(evaluator)
    answer = client.post(f"/evaluation/propositions/{proposal.id}/decision/garder", data={
        f"garder-{proposal.id}-text": QUESTION,
        f"garder-{proposal.id}-orientations": str(orientation.id),
        f"garder-{proposal.id}-reason": "Oui."}, follow_redirects=True)
    assert "La décision est enregistrée." in _text(answer)
    assert "L’auteur est prévenu" not in _text(answer)
    assert outbox.messages == []
    assert "Question proposée par un·e habitant·e." in _text(
        client.get(f"/evaluation/{evaluation.id}"))


def test_a_decision_is_changed_on_its_own_page_and_the_author_told_again(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        evaluator: Any, orientation: Any, outbox: Any) -> None:
    proposal = _published(db, evaluation, author, quartier)
    proposals.keep(db, proposal, QUESTION, [orientation.id], "Oui.", actor=evaluator, now=NOW)
    client = login_as(evaluator)
    page = _text(client.get(f"/evaluation/propositions/{proposal.id}/decision"))
    assert "Changer la décision" in page
    assert "Garder la question" not in page  # already a question
    assert "Modifier les mots de la question" in page
    aside = client.post(f"/evaluation/propositions/{proposal.id}/decision/ecarter",
                        data={f"ecarter-{proposal.id}-reason": "<b>Hors contrat</b>"})
    assert aside.status_code == 302
    assert db.get(QuestionProposal, proposal.id).decision == "set_aside"
    assert db.scalars(select(EvaluationQuestion)).one().text == QUESTION  # it stays
    [mail] = outbox.messages
    assert mail["Subject"] == "Le comité d’évaluation a mis votre question de côté"
    public = client.get(f"/evaluation/{evaluation.id}/propositions").get_data(as_text=True)
    assert "&lt;b&gt;Hors contrat&lt;/b&gt;" in public
    assert "Question proposée par" not in _text(client.get(f"/evaluation/{evaluation.id}"))
    for wrong in ("/evaluation/propositions/999999/decision",
                  "/evaluation/propositions/99999999999999999999/decision"):
        assert client.get(wrong).status_code == 404
    assert client.post(f"/evaluation/propositions/{proposal.id}/decision/effacer",
                       data={}).status_code == 404
    assert login_as(author).get(f"/evaluation/propositions/{proposal.id}/decision"
                                ).status_code == 403


# --- The evaluation's pages ------------------------------------------------------------


def test_the_committee_writes_questions_and_pilots_keep_the_calendar(
        login_as: Any, db: Any, evaluation: Any, evaluator: Any, orientation: Any) -> None:
    client = login_as(evaluator)
    assert client.get("/evaluation/nouvelle").status_code == 403
    assert client.get(f"/evaluation/{evaluation.id}/modifier").status_code == 403
    assert client.post(f"/evaluation/{evaluation.id}/questions/nouvelle", data={
        "text": QUESTION, "orientations": str(orientation.id)}).status_code == 302
    question = db.scalars(select(EvaluationQuestion)).one()
    assert client.post(f"/evaluation/questions/{question.id}", data={
        "text": "Autrement dit ?", "orientations": str(orientation.id)}).status_code == 302
    page = _text(client.get(f"/evaluation/{evaluation.id}"))
    assert "Ajouter une question" in page
    assert "Modifier la question" in page
    assert "Modifier l’évaluation" not in page
    assert "Décider des questions proposées" in page
    assert "Jusqu’au 31 mars 2026 inclus, chaque habitant·e peut proposer une question." in page
    assert client.post(f"/evaluation/questions/{question.id}/supprimer",
                       data={"remove-confirm": "y"}).status_code == 302


@pytest.mark.parametrize(("last", "message"), [
    ("2026-02-28", "Ce jour doit tomber entre le début et la fin de l’évaluation."),
    ("2026-11-01", "Ce jour doit tomber entre le début et la fin de l’évaluation."),
    ("demain", None),
])
def test_the_last_day_to_propose_falls_within_the_evaluation(
        login_as: Any, db: Any, evaluation: Any, people: dict, last: str,
        message: str | None) -> None:
    client = login_as(people["pilot"])
    form = {**{k: str(v) for k, v in CALENDAR.items()}, "proposals_until": last}
    answer = client.post(f"/evaluation/{evaluation.id}/modifier", data=form)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="proposals_until-error"' in page
    if message is not None:
        assert message in page
    assert f'value="{last}"' in page
    assert db.get(type(evaluation), evaluation.id).proposals_until == date(2026, 3, 31)
    emptied = client.post(f"/evaluation/{evaluation.id}/modifier",
                          data={**form, "proposals_until": ""})
    assert emptied.status_code == 302
    assert db.get(type(evaluation), evaluation.id).proposals_until is None
    no_phase = _text(client.get(f"/evaluation/{evaluation.id}/propositions"))
    assert "Cette évaluation ne prend pas de questions proposées par les habitants." in no_phase


def test_a_pilot_names_a_committee_member_on_the_role_page(login_as: Any, db: Any,
                                                           people: dict) -> None:
    member = factories.make_user(db, display_name="Élise", second_factor=True)
    client = login_as(people["pilot"])
    page = client.get("/admin/roles").get_data(as_text=True)
    assert '<option value="evaluator">Membre du comité d’évaluation</option>' in page
    granted = client.post("/admin/roles", data={"email": member.email, "role": "evaluator",
                                                "quartier_id": "", "signatory_id": ""})
    assert granted.status_code == 302
    grant = db.scalars(select(RoleGrant).where(RoleGrant.user_id == member.id)).one()
    assert (grant.role, grant.quartier_id, grant.signatory_id) == ("evaluator", None, None)
    listed = _text(client.get("/admin/roles"))
    assert "Membre du comité d’évaluation" in listed
    twice = client.post("/admin/roles", data={"email": member.email, "role": "evaluator",
                                              "quartier_id": "", "signatory_id": ""})
    assert twice.status_code == 400
    assert "Ce compte a déjà ce rôle." in twice.get_data(as_text=True)
    journal = client.get("/admin/journal").get_data(as_text=True)
    assert "a donné un rôle" in journal
    assert re.search(r"<dt>Rôle</dt><dd>(<[^>]+>)*Membre du comité d’évaluation<", journal)
    assert login_as(member).get("/evaluation").status_code == 200


# --- Moderation ------------------------------------------------------------------------


def test_the_moderator_publishes_from_the_queue_and_the_author_is_told(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        other_quartier: Any, people: dict, outbox: Any) -> None:
    proposal = propose(db, evaluation, author, quartier)
    elsewhere = propose(db, evaluation, author, other_quartier, text="Ailleurs, une question ?")
    moderator = login_as(people["moderator"])
    queue = _text(moderator.get("/moderation"))
    assert "Question pour l’évaluation" in queue
    assert QUESTION in queue
    assert "un·e habitant·e" in queue
    assert "Ailleurs, une question ?" not in queue
    assert moderator.get(f"/moderation/eval_proposal/{elsewhere.id}").status_code == 403
    item = _text(moderator.get(f"/moderation/eval_proposal/{proposal.id}"))
    assert "Rendre le titre plus clair" not in item  # a question is published whole
    published = moderator.post(f"/moderation/eval_proposal/{proposal.id}",
                               data={"d-action": "publish"})
    assert published.status_code == 302
    assert db.get(QuestionProposal, proposal.id).moderation == "published"
    [mail] = outbox.messages
    assert mail["To"] == author.email
    assert f"http://localhost/evaluation/propositions/{proposal.id}" in outbox.body(mail)
    assert QUESTION in _text(login_as(people["resident"]).get(
        f"/evaluation/{evaluation.id}/propositions"))


def test_a_rejected_proposal_shows_its_reason_to_its_author_only(
        login_as: Any, db: Any, evaluation: Any, author: Any, quartier: Any,
        people: dict) -> None:
    proposal = propose(db, evaluation, author, quartier)
    assert login_as(people["moderator"]).post(
        f"/moderation/eval_proposal/{proposal.id}",
        data={"d-action": "reject", "d-reason": "Question déjà posée."}).status_code == 302
    mine = _text(login_as(author).get(f"/evaluation/{evaluation.id}/propositions"))
    assert "Le conseil citoyen ne l’a pas publiée. Sa raison : Question déjà posée." in mine
    theirs = _text(login_as(people["resident"]).get(f"/evaluation/{evaluation.id}/propositions"))
    assert "Question déjà posée." not in theirs
