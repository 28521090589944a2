"""Event services: seats and the waiting list, the rules of a signup, cancel links,
attendance, and what an account deletion leaves of a signup."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, update
from sqlalchemy.exc import IntegrityError

from civic.accounts import services as accounts
from civic.core.security import sign, unsign
from civic.events import notifications, services
from civic.events.models import AttendanceFigure, Event, Signup, SignupStatus
from civic.events.services import EDITABLE, Attendance, EventError
from tests import factories
from tests.factories import NOW, PASSWORD

MINUTE = timedelta(minutes=1)


def join(db: Any, event: Any, party: int = 1, *, at: int = 0, **values: Any) -> Signup:
    """A guest signing up ``at`` minutes after NOW (arrival order is the time)."""
    return factories.make_signup(db, event, now=NOW + at * MINUTE,
                                 **{"party_size": party, **values})


def values_of(event: Any, **changes: Any) -> dict[str, Any]:
    """The edit form as it comes back: every field as it is, plus the changes."""
    return {**{name: getattr(event, name) for name in EDITABLE}, **changes}


def statuses(*signups: Signup) -> list[str]:
    return [s.status for s in signups]


# --- Seats and the waiting list --------------------------------------------------------


def test_seats_taken_move_by_party_size(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=10)
    family = join(db, event, 3)
    neighbours = join(db, event, 4, at=1)
    assert statuses(family, neighbours) == ["confirmed", "confirmed"]
    assert (event.seats_taken, event.seats_left) == (7, 3)
    services.cancel_signup(db, family, now=NOW + 2 * MINUTE)
    assert (family.status, event.seats_taken, event.seats_left) == ("cancelled", 4, 6)


def test_an_event_without_capacity_confirms_everybody_and_counts_them(db: Any,
                                                                      quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=None)
    signups = [join(db, event, 8, at=i) for i in range(3)]
    assert statuses(*signups) == ["confirmed"] * 3
    assert (event.seats_taken, event.seats_left) == (24, None)


def test_a_party_that_does_not_fit_waits_and_a_smaller_one_takes_the_free_seat(
        db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=5)
    first = join(db, event, 4)
    family = join(db, event, 3, at=1)
    assert (family.status, services.waiting_rank(db, family)) == ("waiting", 1)
    # One seat is free and nobody waiting fits it: a newcomer alone takes it, as the
    # waiting list itself would give it (first fit), and the family keeps its rank.
    alone = join(db, event, 1, at=2)
    assert (alone.status, services.waiting_rank(db, alone)) == ("confirmed", None)
    assert services.waiting_rank(db, family) == 1
    assert event.seats_taken == 5
    # Now full: the next one waits behind the family.
    late = join(db, event, 1, at=3)
    assert (late.status, services.waiting_rank(db, late)) == ("waiting", 2)
    assert services.waiting_rank(db, first) is None


def test_cancelling_a_place_promotes_the_first_waiting_party_that_fits(db: Any,
                                                                       quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=6)
    big, small = join(db, event, 4), join(db, event, 2, at=1)
    trio, duo, solo = join(db, event, 3, at=2), join(db, event, 2, at=3), join(db, event, 1, at=4)
    assert statuses(trio, duo, solo) == ["waiting"] * 3

    promoted = services.cancel_signup(db, small, now=NOW + 10 * MINUTE)
    # Two seats: the trio at the head does not fit and keeps its rank; the duo goes in.
    assert promoted == [duo]
    assert (duo.status, duo.promoted_at) == ("confirmed", NOW + 10 * MINUTE)
    assert [services.waiting_rank(db, s) for s in (trio, solo)] == [1, 2]
    assert event.seats_taken == 6

    promoted = services.cancel_signup(db, big, now=NOW + 11 * MINUTE)
    assert promoted == [trio, solo]
    assert statuses(trio, solo) == ["confirmed", "confirmed"]
    assert event.seats_taken == 6


def test_leaving_the_waiting_list_promotes_nobody(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=2)
    join(db, event, 2)
    first, second = join(db, event, 1, at=1), join(db, event, 1, at=2)
    assert services.cancel_signup(db, first, now=NOW + 5 * MINUTE) == []
    assert (first.status, second.status, event.seats_taken) == ("cancelled", "waiting", 2)
    assert services.waiting_rank(db, second) == 1
    assert services.waiting_rank(db, first) is None


def test_a_place_cannot_be_cancelled_twice(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=3)
    signup = join(db, event, 2)
    services.cancel_signup(db, signup, now=NOW)
    with pytest.raises(EventError, match="not_live"):
        services.cancel_signup(db, signup, now=NOW)
    assert event.seats_taken == 0


def test_raising_the_capacity_promotes_the_waiting_list(db: Any, quartier: Any,
                                                        people: dict) -> None:
    event = factories.make_event(db, quartier, capacity=2)
    join(db, event, 2)
    trio, solo, duo = join(db, event, 3, at=1), join(db, event, 1, at=2), join(db, event, 2, at=3)
    # Three new seats: the trio first, then nobody else fits. The promoted are returned,
    # to be told; a capacity is not a change of time or place.
    assert services.edit(db, event, values_of(event, capacity=5), actor=people["animator"],
                         now=NOW) == ([], [trio])
    assert statuses(trio, solo, duo) == ["confirmed", "waiting", "waiting"]
    assert event.seats_taken == 5
    assert services.edit(db, event, values_of(event, capacity=None),
                         actor=people["animator"], now=NOW) == ([], [solo, duo])
    assert statuses(trio, solo, duo) == ["confirmed"] * 3
    assert (event.seats_taken, event.seats_left) == (8, None)


def test_an_edit_says_which_changes_people_must_hear_about(db: Any, quartier: Any,
                                                          people: dict) -> None:
    event = factories.make_event(db, quartier)
    later = event.starts_at + timedelta(hours=1)
    animator = people["animator"]
    assert services.edit(db, event, values_of(event, title="Café du samedi", bring="rien"),
                         actor=animator, now=NOW) == ([], [])
    assert services.edit(db, event, values_of(event, place="Médiathèque", starts_at=later,
                                              ends_at=later + timedelta(hours=2)),
                         actor=animator, now=NOW) == (["starts_at", "ends_at", "place"], [])
    assert event.sequence == 2
    assert services.edit(db, event, values_of(event), actor=animator, now=NOW) == ([], [])
    assert event.sequence == 2  # nothing changed, calendars have nothing to update


def test_the_capacity_cannot_go_below_the_seats_taken(db: Any, quartier: Any,
                                                      people: dict) -> None:
    event = factories.make_event(db, quartier, capacity=10)
    join(db, event, 4)
    join(db, event, 2, at=1)
    with pytest.raises(EventError) as refused:
        services.edit(db, event, values_of(event, capacity=5), actor=people["animator"],
                      now=NOW)
    assert (refused.value.code, refused.value.field) == ("capacity_below", "capacity")
    assert (event.capacity, event.sequence) == (10, 0)
    services.edit(db, event, values_of(event, capacity=6), actor=people["animator"], now=NOW)
    assert (event.capacity, event.seats_left) == (6, 0)


def test_the_database_refuses_more_seats_than_the_capacity(db: Any, quartier: Any) -> None:
    """Even a code path that forgets the rule cannot overfill an event."""
    event = factories.make_event(db, quartier, capacity=3)
    join(db, event, 3)
    for seats in (4, -1):
        with pytest.raises(IntegrityError), db.begin_nested():
            db.execute(update(Event).where(Event.id == event.id).values(seats_taken=seats))
    db.refresh(event)
    assert event.seats_taken == 3


# --- Who may sign up, and how ----------------------------------------------------------


@pytest.mark.parametrize(("values", "code", "field"), [
    ({"name": "   "}, "required", "name"),
    ({"email": "", "phone": " "}, "contact", "email"),
    ({"consent": False}, "consent", "consent"),
    ({"party_size": 9}, "party_size", "party_size"),
])
def test_a_guest_gives_a_name_a_way_to_be_reached_and_consent(db: Any, quartier: Any,
                                                              values: dict, code: str,
                                                              field: str) -> None:
    event = factories.make_event(db, quartier)
    with pytest.raises(EventError) as refused:
        join(db, event, **values)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert event.seats_taken == 0
    assert db.scalar(select(func.count()).select_from(Signup)) == 0


def test_a_guest_with_an_email_only_is_enough(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier)
    signup = join(db, event, phone="", email=" Fatou.Sow@Example.org ", name="  Fatou   Sow ")
    assert (signup.name, signup.email, signup.phone) == ("Fatou Sow", "fatou.sow@example.org",
                                                         None)


def test_the_same_email_signs_up_once_until_it_cancels(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier)
    first = join(db, event, email="fatou@example.org")
    with pytest.raises(EventError, match="already_email"):
        join(db, event, email="FATOU@example.org", name="Fatou encore")
    services.cancel_signup(db, first, now=NOW)
    again = join(db, event, email="fatou@example.org", at=1)
    assert again.status == "confirmed"
    # On another event, the same address is welcome.
    assert join(db, factories.make_event(db, quartier), email="fatou@example.org").id


def test_an_account_signs_up_once_with_its_own_name_and_email(db: Any, quartier: Any,
                                                              people: dict) -> None:
    rania = people["resident"]
    event = factories.make_event(db, quartier)
    signup = factories.make_signup(db, event, rania, name="", phone="", consent=False)
    assert (signup.user_id, signup.name, signup.email, signup.consent) == (
        rania.id, "Rania", rania.email, True)
    with pytest.raises(EventError, match="already"):
        factories.make_signup(db, event, rania)
    assert event.seats_taken == 1
    services.cancel_signup(db, signup, now=NOW)
    assert factories.make_signup(db, event, rania).status == "confirmed"


def _cancelled(db: Any, event: Any) -> None:
    services.cancel_event(db, event, "Salle inondée", actor=None, now=NOW)


def _unpublished(db: Any, event: Any) -> None:
    event.moderation = "pending"


def _started(db: Any, event: Any) -> None:
    event.starts_at = NOW - MINUTE


@pytest.mark.parametrize("close", [_cancelled, _unpublished, _started])
def test_signups_are_closed_for_cancelled_unpublished_and_started_events(
        db: Any, quartier: Any, close: Any) -> None:
    event = factories.make_event(db, quartier)
    close(db, event)
    db.flush()
    with pytest.raises(EventError, match="closed"):
        join(db, event)
    assert event.seats_taken == 0


def test_a_place_cannot_be_cancelled_once_the_event_started(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier, capacity=1)
    signup, waiting = join(db, event), join(db, event, at=1)
    for who in (signup, waiting):
        with pytest.raises(EventError, match="started"):
            services.cancel_signup(db, who, now=event.starts_at)
    assert (signup.status, waiting.status, event.seats_taken) == ("confirmed", "waiting", 1)


def test_cancelling_the_event_lists_the_people_to_tell(db: Any, quartier: Any,
                                                       people: dict) -> None:
    event = factories.make_event(db, quartier, capacity=1)
    confirmed, waiting, gone = join(db, event), join(db, event, at=1), join(db, event, at=2)
    services.cancel_signup(db, gone, now=NOW)
    told = services.cancel_event(db, event, "  Salle   inondée ", actor=people["animator"],
                                 now=NOW)
    assert told == [confirmed, waiting]
    assert (event.cancel_reason, event.cancelled_at, event.sequence) == ("Salle inondée", NOW, 1)
    with pytest.raises(EventError, match="cancelled"):
        services.cancel_event(db, event, "encore", actor=people["animator"], now=NOW)
    # Nobody is promoted into a cancelled event.
    assert services.cancel_signup(db, confirmed, now=NOW) == []
    assert waiting.status == "waiting"


# --- Cancel links ----------------------------------------------------------------------


def test_a_cancel_link_names_its_signup_until_the_event_ends(db: Any, quartier: Any) -> None:
    event = factories.make_event(db, quartier)
    signup = join(db, event)
    payload = services.token_payload(signup)
    assert services.by_token(db, payload, now=NOW) == signup
    assert services.by_token(db, payload, now=event.ends_at) == signup
    with pytest.raises(EventError, match="token_expired"):
        services.by_token(db, payload, now=event.ends_at + MINUTE)


@pytest.mark.parametrize("tamper", [
    lambda p: None,  # what unsign gives for a bad signature
    lambda p: {**p, "k": "0" * 32},
    lambda p: {**p, "s": p["s"] + 1000},
    lambda p: {**p, "s": str(p["s"])},
    lambda p: {"s": p["s"]},
    lambda p: [p["s"], p["k"]],
])
def test_a_cancel_link_that_was_tampered_with_is_refused(db: Any, quartier: Any,
                                                        tamper: Any) -> None:
    event = factories.make_event(db, quartier)
    signup = join(db, event)
    join(db, event, at=1)  # another signup, whose id is not this one's
    with pytest.raises(EventError, match="token_invalid"):
        services.by_token(db, tamper(services.token_payload(signup)), now=NOW)


def _altered(token: str) -> str:
    """The token with its last character changed in a bit that counts (the last base64
    character also holds padding bits that a decoder ignores)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return token[:-1] + alphabet[alphabet.index(token[-1]) ^ 0b100000]


def test_a_signed_link_opens_its_signup_and_an_altered_one_does_not(app: Any, db: Any,
                                                                    quartier: Any) -> None:
    event = factories.make_event(db, quartier)
    signup = join(db, event)
    with app.test_request_context():
        token = notifications.token(signup)
        payload = unsign(notifications.TOKEN_PURPOSE, token, 3600)
        assert services.by_token(db, payload, now=NOW) == signup
        assert unsign(notifications.TOKEN_PURPOSE, _altered(token), 3600) is None
        other_purpose = sign("password-reset", services.token_payload(signup))
        assert unsign(notifications.TOKEN_PURPOSE, other_purpose, 3600) is None
        with pytest.raises(EventError, match="token_invalid"):
            services.by_token(db, unsign(notifications.TOKEN_PURPOSE, _altered(token), 3600),
                              now=NOW)


# --- Attendance ------------------------------------------------------------------------


def started_event(db: Any, quartier: Any, **values: Any) -> Any:
    return factories.make_event(db, quartier, starts_at=NOW - timedelta(hours=1), **values)


def early(db: Any, event: Any, party: int = 1, **values: Any) -> Signup:
    """Signed up the day before the event."""
    return factories.make_signup(db, event, party_size=party,
                                 now=event.starts_at - timedelta(days=1), **values)


def walk_ins(db: Any, event: Any) -> list[tuple[str, str, bool]]:
    return sorted(tuple(row) for row in db.execute(
        select(Signup.name, Signup.status, Signup.present).where(
            Signup.event_id == event.id, Signup.status == SignupStatus.WALK_IN)))


def test_attendance_counts_ticked_parties_and_walk_ins(db: Any, quartier: Any,
                                                       people: dict) -> None:
    event = started_event(db, quartier, capacity=4)
    family, alone, waiting = early(db, event, 3), early(db, event, 1), early(db, event, 2)
    assert waiting.status == "waiting"
    total = services.take_attendance(db, event, Attendance(
        present_ids=frozenset({family.id, waiting.id}), walk_ins=4,
        walk_in_names=("Amina", "  Jo   Martin ", ""),
        figures={("gender", "woman"): 5, ("gender", "man"): 3, ("gender", "other"): 0,
                 ("age", "25_39"): 2}), actor=people["animator"], now=NOW)
    assert total == 3 + 2 + 4
    assert (event.attendance, event.walk_ins, event.attendance_taken_at) == (9, 4, NOW)
    assert (family.present, alone.present, waiting.present) == (True, False, True)
    assert walk_ins(db, event) == [("Amina", "walk_in", True), ("Jo Martin", "walk_in", True)]
    assert services.figures_of(db, event) == {("gender", "woman"): 5, ("gender", "man"): 3,
                                              ("age", "25_39"): 2}
    # Counts only: nothing in a figure points to a person.
    columns = {c.key for c in inspect(AttendanceFigure).columns}
    assert columns == {"event_id", "dimension", "value", "count"}


@pytest.mark.parametrize(("names", "figures", "code", "field"), [
    (("A", "B", "C"), {}, "names_over", "walk_in_names"),
    ((), {("gender", "woman"): 2, ("gender", "man"): 2}, "figures_over", "gender"),
    ((), {("age", "65_plus"): 4}, "figures_over", "age"),
    ((), {("gender", "unicorn"): 1}, "figures", "gender"),
    ((), {("age", "25_39"): -1}, "figures", "age"),
])
def test_attendance_figures_cannot_say_more_than_who_came(db: Any, quartier: Any,
                                                          people: dict, names: tuple,
                                                          figures: dict, code: str,
                                                          field: str) -> None:
    event = started_event(db, quartier)
    signup = early(db, event, 1)
    with pytest.raises(EventError) as refused:
        services.take_attendance(db, event, Attendance(frozenset({signup.id}), 2, names,
                                                       figures),
                                 actor=people["animator"], now=NOW)
    assert (refused.value.code, refused.value.field) == (code, field)  # 3 present at most
    assert (event.attendance, event.attendance_taken_at) == (0, None)
    assert services.figures_of(db, event) == {}


def test_attendance_taken_again_replaces_the_first(db: Any, quartier: Any,
                                                   people: dict) -> None:
    event = started_event(db, quartier)
    signup = early(db, event, 2)
    animator = people["animator"]
    services.take_attendance(db, event, Attendance(
        frozenset({signup.id}), 2, ("Amina", "Jo"), {("gender", "woman"): 3,
                                                     ("age", "18_24"): 1}),
        actor=animator, now=NOW)
    total = services.take_attendance(db, event, Attendance(
        frozenset(), 1, ("Yacine",), {("gender", "man"): 1}), actor=animator,
        now=NOW + MINUTE)
    assert (total, event.attendance, event.walk_ins) == (1, 1, 1)
    assert signup.present is False
    assert walk_ins(db, event) == [("Yacine", "walk_in", True)]
    assert services.figures_of(db, event) == {("gender", "man"): 1}


@pytest.mark.parametrize(("starts_in", "code"), [
    (timedelta(days=1), "not_started"),
    (timedelta(days=7), "not_started"),
])
def test_attendance_waits_for_the_day(db: Any, quartier: Any, people: dict,
                                      starts_in: timedelta, code: str) -> None:
    event = factories.make_event(db, quartier, starts_at=NOW + starts_in)
    with pytest.raises(EventError, match=code):
        services.take_attendance(db, event, Attendance(frozenset(), 1, (), {}),
                                 actor=people["animator"], now=NOW)
    assert event.attendance == 0


def test_attendance_is_refused_for_a_cancelled_or_purged_event(db: Any, quartier: Any,
                                                               people: dict) -> None:
    cancelled = started_event(db, quartier, cancelled_at=NOW - timedelta(days=1),
                              cancel_reason="Pluie")
    purged = factories.make_event(db, quartier, starts_at=NOW - timedelta(days=40))
    assert services.purge(db, now=NOW, days=30) == [purged.id]
    for event, code in ((cancelled, "cancelled"), (purged, "purged")):
        with pytest.raises(EventError, match=code):
            services.take_attendance(db, event, Attendance(frozenset(), 3, (), {}),
                                     actor=people["animator"], now=NOW)
        assert event.attendance == 0


# --- Account deletion ------------------------------------------------------------------


def test_deleting_an_account_blanks_its_signups_and_keeps_the_seats(db: Any, quartier: Any,
                                                                    people: dict) -> None:
    rania = people["resident"]
    event, other = factories.make_event(db, quartier), factories.make_event(db, quartier)
    mine = factories.make_signup(db, event, rania, phone="06 11 22 33 44", party_size=2)
    mine_too = factories.make_signup(db, other, rania)
    guest = join(db, event, email="fatou@example.org")
    accounts.delete_account(db, rania, PASSWORD, now=NOW)
    db.expire_all()
    for signup in (mine, mine_too):
        assert (signup.name, signup.email, signup.phone, signup.user_id) == ("", None, None,
                                                                             None)
        assert signup.status == "confirmed"
    assert (guest.name, guest.email, guest.phone) == ("Fatou", "fatou@example.org",
                                                      "06 12 34 56 78")
    assert (event.seats_taken, other.seats_taken) == (3, 1)
