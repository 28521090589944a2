"""Workshops of the evaluation: the committee attaches an « atelier » to a question, its
animators record the conclusions, the head count and photos of the boards once it has
started, and the evaluation's page shows them under the question; hostile or mistaken
input is answered next to its field, never with a 500."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select

from civic.accounts.models import Role
from civic.core.audit import AuditEntry
from civic.evaluation import services, workshops
from civic.evaluation.models import Workshop, WorkshopPhoto
from tests import factories
from tests.evaluation.conftest import NOW
from tests.test_hostile_input import HOSTILE, SCRIPT

MIDTERM = {"kind": "midterm", "title": "Évaluation à mi-parcours 2026", "purpose": "",
           "starts_on": date(2026, 1, 15), "ends_on": date(2026, 10, 31)}
CONCLUSIONS = "Les jeunes veulent des stages près de chez eux.\nIls demandent un forum."


@pytest.fixture
def question(db: Any, contract: Any, orientation: Any) -> Any:
    evaluation = services.open_evaluation(db, contract, MIDTERM, actor=None, now=NOW)
    return services.add_question(db, evaluation, "Les jeunes trouvent-ils un stage ?",
                                 [orientation.id], actor=None, now=NOW)


@pytest.fixture
def held(db: Any, quartier: Any) -> Any:
    """A workshop event of ``quartier`` held yesterday."""
    return factories.make_event(db, quartier, kind="workshop", title="Atelier emploi",
                                place="Centre social", starts_at=NOW - timedelta(days=1))


@pytest.fixture
def coming(db: Any, quartier: Any) -> Any:
    """A workshop event of ``quartier`` next week."""
    return factories.make_event(db, quartier, kind="workshop", title="Atelier logement",
                                place="Maison de quartier")


@pytest.fixture
def evaluator(db: Any) -> Any:
    return factories.make_user(db, display_name="Élise", roles=[(Role.EVALUATOR, None)])


def jpeg(color: str = "orange") -> io.BytesIO:
    """A small JPEG that says where it was taken, as phones do."""
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Téléphone"  # camera maker: must not survive
    Image.new("RGB", (40, 30), color).save(photo, "JPEG", exif=exif)
    photo.seek(0)
    return photo


def keep(names: list[str]) -> Any:
    def store(_data: bytes) -> str:
        names.append(f"{len(names):032x}.jpg")
        return names[-1]

    return store


def actions(db: Any) -> list[str]:
    return list(db.scalars(select(AuditEntry.action).where(
        AuditEntry.target_type == "workshop").order_by(AuditEntry.id)))


# --- Services ------------------------------------------------------------------------


def test_only_a_published_workshop_of_the_contract_is_attached_once(
        db: Any, question: Any, quartier: Any, held: Any) -> None:
    cafe = factories.make_event(db, quartier, kind="cafe")
    elsewhere = factories.make_quartier(db, factories.make_contract(db, name="Ailleurs"))
    foreign = factories.make_event(db, elsewhere, kind="workshop")
    pending = factories.make_event(db, quartier, kind="workshop", moderation="pending")
    cancelled = factories.make_event(db, quartier, kind="workshop", cancelled_at=NOW)
    whole_contract = factories.make_event(db, None, kind="workshop")
    for event, code in ((cafe, "not_a_workshop"), (foreign, "not_a_workshop"),
                        (pending, "not_a_workshop"), (None, "not_a_workshop"),
                        (cancelled, "workshop_cancelled")):
        with pytest.raises(workshops.WorkshopError) as refused:
            workshops.attach(db, question, event, actor=None, now=NOW)
        assert (refused.value.code, refused.value.field) == (code, "event_id")
    assert {e.id for e in workshops.attachable(db, question.evaluation)} == {
        held.id, whole_contract.id}
    workshops.attach(db, question, held, actor=None, now=NOW)
    workshops.attach(db, question, whole_contract, actor=None, now=NOW)
    with pytest.raises(workshops.WorkshopError) as twice:
        workshops.attach(db, question, held, actor=None, now=NOW)
    assert twice.value.code == "workshop_taken"
    assert workshops.attachable(db, question.evaluation) == []
    assert [w.event_id for w in workshops.of_question(db, question)] == [
        held.id, whole_contract.id]
    assert actions(db) == ["evaluation.workshop_attached"] * 2


def test_conclusions_wait_for_the_start_and_are_trimmed_then_corrected(
        db: Any, question: Any, coming: Any, held: Any, people: dict) -> None:
    early = workshops.attach(db, question, coming, actor=None, now=NOW)
    with pytest.raises(workshops.WorkshopError) as refused:
        workshops.record(db, early, CONCLUSIONS, 12, actor=None, now=NOW)
    assert refused.value.code == "workshop_not_started"
    workshop = workshops.attach(db, question, held, actor=None, now=NOW)
    animator = people["animator"]
    for text, participants, code in (("  \n ", 3, "conclusions_required"),
                                     ("x" * 5001, 3, "conclusions_too_long"),
                                     ("Bien", -1, "participants_range"),
                                     ("Bien", 10_001, "participants_range")):
        with pytest.raises(workshops.WorkshopError) as wrong:
            workshops.record(db, workshop, text, participants, actor=animator, now=NOW)
        assert wrong.value.code == code
    assert workshop.recorded_at is None
    workshops.record(db, workshop, f"  {CONCLUSIONS}  \n", 14, actor=animator, now=NOW)
    assert (workshop.conclusions, workshop.participants) == (CONCLUSIONS, 14)
    assert (workshop.recorded_by_id, workshop.recorded_at) == (animator.id, NOW)
    workshops.record(db, workshop, CONCLUSIONS, 15, actor=animator, now=NOW)
    workshops.record(db, workshop, CONCLUSIONS, 15, actor=animator, now=NOW)  # unchanged
    assert actions(db)[-2:] == ["evaluation.workshop_recorded",
                                "evaluation.workshop_corrected"]
    corrected = db.scalars(select(AuditEntry).where(
        AuditEntry.action == "evaluation.workshop_corrected")).one()
    assert corrected.details["changed"] == {"participants": [14, 15]}
    with pytest.raises(workshops.WorkshopError) as kept:
        workshops.detach(db, workshop, actor=None, now=NOW)
    assert kept.value.code == "workshop_recorded"
    workshops.detach(db, early, actor=None, now=NOW)
    assert db.get(Workshop, coming.id) is None


def test_a_cancelled_workshop_takes_no_conclusions(db: Any, question: Any, held: Any
                                                    ) -> None:
    workshop = workshops.attach(db, question, held, actor=None, now=NOW)
    held.cancelled_at = NOW
    with pytest.raises(workshops.WorkshopError) as refused:
        workshops.record(db, workshop, CONCLUSIONS, 3, actor=None, now=NOW)
    assert refused.value.code == "workshop_cancelled"


def test_a_photo_needs_a_caption_six_at_most_and_a_refused_one_is_not_stored(
        db: Any, question: Any, held: Any, coming: Any) -> None:
    workshop = workshops.attach(db, question, held, actor=None, now=NOW)
    names: list[str] = []
    for caption, code in (("  ", "caption_required"), ("x" * 201, "caption_too_long")):
        with pytest.raises(workshops.WorkshopError) as refused:
            workshops.add_photo(db, workshop, b"jpeg", caption, store=keep(names),
                                actor=None, now=NOW)
        assert (refused.value.code, refused.value.field) == (code, "caption")
    early = workshops.attach(db, question, coming, actor=None, now=NOW)
    with pytest.raises(workshops.WorkshopError):
        workshops.add_photo(db, early, b"jpeg", "Tableau", store=keep(names), actor=None,
                            now=NOW)
    for n in range(workshops.PHOTOS_MAX):
        workshops.add_photo(db, workshop, b"jpeg", f"  Tableau   n° {n} ", store=keep(names),
                            actor=None, now=NOW)
    with pytest.raises(workshops.WorkshopError) as full:
        workshops.add_photo(db, workshop, b"jpeg", "Un de trop", store=keep(names),
                            actor=None, now=NOW)
    assert full.value.code == "too_many_photos"
    assert len(names) == workshops.PHOTOS_MAX  # nothing stored for the refused ones
    assert [p.caption for p in workshop.photos][:2] == ["Tableau n° 0", "Tableau n° 1"]
    workshops.remove_photo(db, workshop.photos[0], actor=None, now=NOW)
    assert len(workshop.photos) == workshops.PHOTOS_MAX - 1
    assert actions(db)[-2:] == ["evaluation.workshop_photo_added",
                                "evaluation.workshop_photo_removed"]
    with pytest.raises(workshops.WorkshopError) as kept:
        workshops.detach(db, workshop, actor=None, now=NOW)
    assert kept.value.code == "workshop_recorded"


# --- Pages ---------------------------------------------------------------------------


def test_the_committee_attaches_a_workshop_from_the_question_page(
        login_as: Any, db: Any, question: Any, held: Any, people: dict, evaluator: Any
        ) -> None:
    url = f"/evaluation/questions/{question.id}/ateliers"
    for who in ("resident", "animator", "signatory"):
        assert login_as(people[who]).get(url).status_code == 403, who
    client = login_as(evaluator)
    page = client.get(url).get_data(as_text=True)
    assert "Aucun atelier ne travaille encore sur cette question." in page
    assert "Atelier emploi" in page
    done = client.post(url, data={"event_id": str(held.id)})
    assert done.status_code == 302
    assert db.get(Workshop, held.id).question_id == question.id
    page = client.get(url).get_data(as_text=True)
    assert "Conclusions pas encore notées." in page
    assert "Aucun atelier n’est libre." in page
    # The committee's own question page leads there.
    assert url in client.get(f"/evaluation/questions/{question.id}").get_data(as_text=True)
    again = client.post(url, data={"event_id": str(held.id)})
    assert again.status_code == 400
    assert "Cet atelier travaille déjà sur une question" in again.get_data(as_text=True)
    detached = client.post(f"/evaluation/ateliers/{held.id}/detacher")
    assert detached.status_code == 302
    assert db.get(Workshop, held.id) is None


@pytest.mark.parametrize(("value", "message"), [
    ("", "Choisissez un atelier."),
    ("abc", None),
    ("99999999999999999999", None),
    ("2147483647", "Choisissez un atelier du contrat dans la liste."),
    ("-1", "Choisissez un atelier du contrat dans la liste."),
])
def test_a_wrong_choice_of_workshop_is_told_next_to_the_field(
        login_as: Any, db: Any, question: Any, held: Any, evaluator: Any, value: str,
        message: str | None) -> None:
    answer = login_as(evaluator).post(f"/evaluation/questions/{question.id}/ateliers",
                                      data={"event_id": value})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert 'id="event_id-error"' in page
    if message is not None:
        assert message in page
    assert db.scalar(select(func.count()).select_from(Workshop)) == 0


def test_the_animator_records_the_workshop_and_the_page_shows_it_under_the_question(
        app: Any, login_as: Any, db: Any, question: Any, held: Any, people: dict,
        other_quartier: Any) -> None:
    workshops.attach(db, question, held, actor=None, now=NOW)
    url = f"/evaluation/ateliers/{held.id}"
    elsewhere = factories.make_user(db, roles=[(Role.ANIMATOR, other_quartier)])
    assert login_as(elsewhere).get(url).status_code == 403
    assert login_as(people["resident"]).get(url).status_code == 403
    animator = login_as(people["animator"])
    event_page = animator.get(f"/evenements/{held.id}").get_data(as_text=True)
    assert "Cet atelier travaille sur une question de l’évaluation du contrat" in event_page
    assert "Les jeunes trouvent-ils un stage ?" in event_page
    assert url in event_page
    assert animator.get(url).status_code == 200
    done = animator.post(url, data={"conclusions": CONCLUSIONS, "participants": "14"})
    assert done.status_code == 302
    added = animator.post(f"{url}/photos", data={
        "photo-photo": (jpeg(), "tableau.jpg"), "photo-caption": "Le tableau des idées"},
        content_type="multipart/form-data")
    assert added.status_code == 302
    photo = db.scalars(select(WorkshopPhoto)).one()
    visitor = app.test_client()
    stored = visitor.get(f"/media/{photo.photo}").data
    assert Image.open(io.BytesIO(stored)).getexif() == {}

    page = visitor.get(f"/evaluation/{question.evaluation_id}").get_data(as_text=True)
    section = page[page.index(f'id="question-{question.id}"'):]
    assert "Les ateliers sur cette question" in section
    assert "Atelier emploi" in section
    assert "14 participants" in section
    assert "Ils demandent un forum." in section
    assert f'src="/media/{photo.photo}" alt="Le tableau des idées"' in section
    # Fewer people than the secrecy threshold: the page says so, as the report does.
    assert animator.post(url, data={"conclusions": CONCLUSIONS,
                                    "participants": "4"}).status_code == 302
    page = visitor.get(f"/evaluation/{question.evaluation_id}").get_data(as_text=True)
    section = page[page.index(f'id="question-{question.id}"'):]
    assert "Moins de 11 participants." in section
    assert "4 participants" not in section
    # Visitors do not get the animator's link; she does.
    assert url not in section
    assert url in animator.get(f"/evaluation/{question.evaluation_id}").get_data(as_text=True)

    removed = animator.post(f"{url}/photos/{photo.id}/retirer")
    assert removed.status_code == 302
    assert db.scalar(select(func.count()).select_from(WorkshopPhoto)) == 0


def test_before_the_workshop_its_page_says_when_conclusions_may_be_noted(
        login_as: Any, db: Any, question: Any, coming: Any, people: dict) -> None:
    workshops.attach(db, question, coming, actor=None, now=NOW)
    client = login_as(people["animator"])
    page = client.get(f"/evaluation/ateliers/{coming.id}").get_data(as_text=True)
    assert "L’atelier n’a pas encore commencé." in page
    assert 'name="conclusions"' not in page
    refused = client.post(f"/evaluation/ateliers/{coming.id}",
                          data={"conclusions": CONCLUSIONS, "participants": "3"})
    assert refused.status_code == 400
    assert db.get(Workshop, coming.id).recorded_at is None
    public = client.get(f"/evaluation/{question.evaluation_id}").get_data(as_text=True)
    assert "Les conclusions seront publiées ici après l’atelier." in public


def test_the_head_count_taken_at_the_door_is_proposed(
        login_as: Any, db: Any, question: Any, held: Any, people: dict) -> None:
    held.attendance, held.attendance_taken_at = 23, NOW
    workshops.attach(db, question, held, actor=None, now=NOW)
    page = login_as(people["animator"]).get(f"/evaluation/ateliers/{held.id}")
    assert re.search(r'name="participants"[^>]*value="23"', page.get_data(as_text=True))


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"conclusions": ""}, "conclusions", "Ce champ est obligatoire."),
    ({"conclusions": "   "}, "conclusions", "Ce champ est obligatoire."),
    ({"conclusions": "x" * 5001}, "conclusions", "5000 caractères au plus."),
    ({"conclusions": "Bien\x00"}, "conclusions", "caractères invisibles"),
    ({"participants": "-1"}, "participants", "Indiquez un nombre entre 0 et 10 000."),
    ({"participants": "10001"}, "participants", "Indiquez un nombre entre 0 et 10 000."),
    ({"participants": "99999999999999999999"}, "participants", None),
    ({"participants": "beaucoup"}, "participants", None),
])
def test_wrong_conclusions_are_told_next_to_their_field_and_kept(
        login_as: Any, db: Any, question: Any, held: Any, people: dict, data: dict,
        field: str, message: str | None) -> None:
    workshops.attach(db, question, held, actor=None, now=NOW)
    sent = {"conclusions": CONCLUSIONS, "participants": "14", **data}
    answer = login_as(people["animator"]).post(f"/evaluation/ateliers/{held.id}", data=sent)
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    if message is not None:
        assert message in page
    if field == "participants":
        assert "Les jeunes veulent des stages près de chez eux." in page  # kept
    assert db.get(Workshop, held.id).recorded_at is None


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"photo-photo": (io.BytesIO(b"not an image"), "x.jpg")}, "photo-photo",
     "Cette photo ne peut pas être lue."),
    ({"photo-photo": (io.BytesIO(b"MZ"), "x.exe")}, "photo-photo",
     "Envoyez une photo (JPEG, PNG ou WebP)."),
    ({"photo-photo": None}, "photo-photo", "Choisissez une photo."),
    ({"photo-caption": ""}, "photo-caption", "Ce champ est obligatoire."),
    ({"photo-caption": "x" * 201}, "photo-caption", "200 caractères au plus."),
    ({"photo-caption": "Tableau\x1bnoir"}, "photo-caption", "caractères invisibles"),
])
def test_a_wrong_photo_is_told_next_to_its_field_and_not_stored(
        login_as: Any, db: Any, question: Any, held: Any, people: dict, data: dict,
        field: str, message: str) -> None:
    workshops.attach(db, question, held, actor=None, now=NOW)
    sent = {"photo-photo": (jpeg(), "tableau.jpg"), "photo-caption": "Le tableau", **data}
    sent = {k: v for k, v in sent.items() if v is not None}
    answer = login_as(people["animator"]).post(f"/evaluation/ateliers/{held.id}/photos",
                                               data=sent, content_type="multipart/form-data")
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert db.scalar(select(func.count()).select_from(WorkshopPhoto)) == 0


def test_a_seventh_photo_is_refused_next_to_the_field(
        login_as: Any, db: Any, question: Any, held: Any, people: dict) -> None:
    workshop = workshops.attach(db, question, held, actor=None, now=NOW)
    for n in range(workshops.PHOTOS_MAX):
        workshops.add_photo(db, workshop, b"jpeg", f"Tableau {n}",
                            store=keep([]), actor=None, now=NOW)
    client = login_as(people["animator"])
    page = client.get(f"/evaluation/ateliers/{held.id}").get_data(as_text=True)
    assert 'name="photo-photo"' not in page
    answer = client.post(f"/evaluation/ateliers/{held.id}/photos", data={
        "photo-photo": (jpeg(), "tableau.jpg"), "photo-caption": "Un de trop"},
        content_type="multipart/form-data")
    assert answer.status_code == 400
    assert "Un atelier a 6 photos au plus." in answer.get_data(as_text=True)


def test_a_photo_of_another_workshop_is_not_removed_through_this_one(
        login_as: Any, db: Any, question: Any, held: Any, quartier: Any, people: dict
        ) -> None:
    mine = workshops.attach(db, question, held, actor=None, now=NOW)
    other_event = factories.make_event(db, quartier, kind="workshop",
                                       starts_at=NOW - timedelta(days=2))
    other = workshops.attach(db, question, other_event, actor=None, now=NOW)
    photo = workshops.add_photo(db, other, b"jpeg", "Tableau", store=keep([]),
                                actor=None, now=NOW)
    client = login_as(people["animator"])
    assert client.post(f"/evaluation/ateliers/{mine.event_id}/photos/{photo.id}/retirer"
                       ).status_code == 404
    assert client.post(f"/evaluation/ateliers/{mine.event_id}/photos/99999999999/retirer"
                       ).status_code == 404
    assert db.get(WorkshopPhoto, photo.id) is not None


def test_a_recorded_workshop_stays_attached(
        login_as: Any, db: Any, question: Any, held: Any, evaluator: Any) -> None:
    workshop = workshops.attach(db, question, held, actor=None, now=NOW)
    workshops.record(db, workshop, CONCLUSIONS, 4, actor=None, now=NOW)
    answer = login_as(evaluator).post(f"/evaluation/ateliers/{held.id}/detacher")
    assert answer.status_code == 400
    assert "il reste attaché à sa question" in answer.get_data(as_text=True)
    assert db.get(Workshop, held.id) is not None


def test_the_evaluation_page_reads_workshops_in_a_bounded_number_of_queries(
        client: Any, db: Any, question: Any, quartier: Any, count_queries: Any) -> None:
    def add_workshop(n: int) -> None:
        event = factories.make_event(db, quartier, kind="workshop",
                                     starts_at=NOW - timedelta(days=n + 1))
        workshop = workshops.attach(db, question, event, actor=None, now=NOW)
        workshops.record(db, workshop, CONCLUSIONS, n, actor=None, now=NOW)
        workshops.add_photo(db, workshop, b"jpeg", "Tableau", store=keep([]), actor=None,
                            now=NOW)

    add_workshop(0)
    url = f"/evaluation/{question.evaluation_id}"
    assert client.get(url).status_code == 200
    with count_queries() as one:
        client.get(url)
    for n in range(1, 6):
        add_workshop(n)
    with count_queries() as six:
        page = client.get(url).get_data(as_text=True)
    assert page.count('alt="Tableau"') == 6
    assert six.n == one.n


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_is_answered_without_a_500_and_never_echoed_unescaped(
        login_as: Any, db: Any, question: Any, held: Any, quartier: Any, people: dict,
        value: str) -> None:
    free = factories.make_event(db, quartier, kind="workshop",
                                starts_at=NOW - timedelta(days=3))
    workshops.attach(db, question, held, actor=None, now=NOW)
    client = login_as(people["pilot"])
    sent = [
        (f"/evaluation/questions/{question.id}/ateliers", {"event_id": value}, {}),
        (f"/evaluation/ateliers/{held.id}", {"conclusions": value, "participants": value},
         {}),
        (f"/evaluation/ateliers/{held.id}", {"conclusions": CONCLUSIONS,
                                             "participants": value}, {}),
        (f"/evaluation/ateliers/{held.id}/photos",
         {"photo-photo": (jpeg(), "tableau.jpg"), "photo-caption": value},
         {"content_type": "multipart/form-data"}),
    ]
    for url, data, options in sent:
        answer = client.post(url, data=data, **options)
        assert answer.status_code < 500, (url, data)
        assert SCRIPT not in answer.get_data(as_text=True), url
    assert db.get(Workshop, free.id) is None
