"""The steering indicators on a small hand-built contract whose every figure is counted
by hand in the comments: who took part (once across parts and channels, people without
an account by their acts, new or already active), FPH, ideas, map, events and the
cooperative tables, with the quartier and orientation filters and local-time periods.

The year under study is 2025 in Europe/Paris; "today" is 10 January 2026."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask

from civic.accounts.models import Role, User
from civic.budget.models import Fund, Participation, Project, Round
from civic.events import services as event_services
from civic.ideas.models import Forwarding, Idea, Support
from civic.map.models import MapPoint, PointSupport, Walk
from civic.pilotage import indicators
from civic.pilotage.scope import Scope, for_year
from civic.pilotage.tables import Table
from civic.territory.models import Commitment, Orientation, Quartier
from tests import factories

DAY = timedelta(days=1)
#: Today is 10 January 2026 (local and UTC alike).
CLOCK = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
#: 31 December 2024 at 23:30 UTC is already 1 January 2025, 00:30, in Paris.
EVE_2024 = datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
#: 31 December 2025 at 23:30 UTC is already 1 January 2026, 00:30, in Paris.
EVE_2025 = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: CLOCK)


@pytest.fixture(autouse=True)
def _french(app: Flask, db: Any) -> Iterator[None]:
    """Labels are lazy strings: read them in French, as the dashboard does."""
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        yield


# --- Building blocks -------------------------------------------------------------------


def round_ending(db: Any, fund: Fund, end: datetime, **values: Any) -> Round:
    """A round in follow-up whose vote ended at ``end``."""
    return factories.make_round(
        db, fund, "follow_up", submission_starts_at=end - 60 * DAY,
        review_starts_at=end - 30 * DAY, vote_starts_at=end - 10 * DAY, vote_ends_at=end,
        follow_up_starts_at=end + 5 * DAY, **values)


def vote(db: Any, round_: Round, channel: str, day: date, user: User | None = None,
         permanence: Any = None) -> None:
    """One line of the register (never the ballot)."""
    db.add(Participation(id=uuid.uuid4().hex, round_id=round_.id,
                         fingerprint=uuid.uuid4().hex + uuid.uuid4().hex,
                         user_id=user.id if user else None, channel=channel, voted_on=day,
                         permanence_id=permanence.id if permanence else None))
    db.flush()


def idea(db: Any, quartier: Quartier, author: User | None, orientation: Orientation | None,
         created: datetime, *, answered_after: float | None = None, **values: Any) -> Idea:
    """An idea posted at ``created``, answered by the project team ``answered_after``
    days later (None: not answered)."""
    answered = None if answered_after is None else created + timedelta(days=answered_after)
    return factories.make_idea(
        db, quartier, author, orientation_id=orientation.id if orientation else None,
        created_at=created, responded_at=answered,
        response="Merci, c’est prévu." if answered else "", **values)


def forward(db: Any, item: Idea, signatory: Any, at: datetime, due: date,
            answered: datetime | None = None) -> Forwarding:
    forwarding = Forwarding(idea_id=item.id, signatory_id=signatory.id, forwarded_at=at,
                            due_on=due, answered_at=answered,
                            answer="Nous regardons." if answered else "")
    db.add(forwarding)
    db.flush()
    return forwarding


def event(db: Any, quartier: Quartier | None, starts: datetime, kind: str,
          capacity: int | None, **values: Any) -> Any:
    return factories.make_event(db, quartier, starts_at=starts, kind=kind, capacity=capacity,
                                **values)


def sign(db: Any, event_: Any, user: User | None = None, **values: Any) -> Any:
    """Signed up five days before, through the service (seats as in real life)."""
    return factories.make_signup(db, event_, user, now=event_.starts_at - 5 * DAY, **values)


def attend(db: Any, event_: Any, actor: User, present: list[Any], walk_ins: int,
           figures: dict[tuple[str, str], int] | None = None) -> int:
    """Attendance taken by the animator after the event, through the service."""
    return event_services.take_attendance(
        db, event_, event_services.Attendance(frozenset(s.id for s in present), walk_ins, (),
                                              figures or {}),
        actor=actor, now=event_.starts_at + timedelta(hours=3))


# --- The contract under study ----------------------------------------------------------


@pytest.fixture
def w(db: Any, contract: Any) -> SimpleNamespace:  # one story, told in order
    """Two quartiers, « Les Tilleuls » (Q) and « Le Parc » (P); what each person did is
    written next to it. "2025" means the local year in Paris."""
    w = SimpleNamespace()
    q = w.q = factories.make_quartier(db, contract, name="Les Tilleuls")
    p = w.p = factories.make_quartier(db, contract, name="Le Parc")
    emploi = w.emploi = factories.make_orientation(db, contract, name="Emploi", position=0)
    cadre = w.cadre = factories.make_orientation(db, contract, name="Cadre de vie",
                                                 position=1)
    caf = w.caf = factories.make_signatory(db, contract, name="CAF du Sud")
    hab = w.hab = factories.make_signatory(db, contract, name="Habitat Sud")
    ville = w.ville = factories.make_signatory(db, contract, name="Ville de Testville")
    animator = factories.make_user(db, display_name="Anne", roles=[(Role.ANIMATOR, q)])

    # Alice: several parts and channels in Q in 2025, and already active in 2024.
    alice = w.alice = factories.make_user(db, display_name="Alice", gender="woman",
                                          age_bracket="25_39")
    # Bob: comments and an idea in Q in 2025; in 2024 active in P only.
    bob = w.bob = factories.make_user(db, display_name="Bob", gender="man",
                                      age_bracket="40_54")
    # Carla: map and an event in Q in 2025, profile left blank.
    carla = w.carla = factories.make_user(db, display_name="Carla")
    # Dan: P only, in 2025.
    dan = w.dan = factories.make_user(db, display_name="Dan", gender="woman",
                                      age_bracket="18_24")
    # Eve: Q in 2024 only.
    eve = w.eve = factories.make_user(db, display_name="Eve", gender="man",
                                      age_bracket="65_plus")
    # Fred: one idea at 23:30 UTC on 31 December 2024, i.e. 2025 in Paris.
    fred = w.fred = factories.make_user(db, display_name="Fred", gender="other",
                                        age_bracket="under_18")
    # Gina: one idea at 23:30 UTC on 31 December 2025, i.e. 2026 in Paris.
    gina = w.gina = factories.make_user(db, display_name="Gina", gender="woman",
                                        age_bracket="55_64")
    # Hank: signed up for an event, never came, did nothing else.
    hank = w.hank = factories.make_user(db, display_name="Hank", gender="man",
                                        age_bracket="25_39")

    # --- FPH ----------------------------------------------------------------------------
    permanence = factories.make_permanence(db, q, animator, starts_at=utc(2025, 6, 12, 9),
                                           ends_at=utc(2025, 6, 12, 12))
    fund_q = factories.make_fund(db, q, year=2025, envelope_cents=1_000_000,
                                 cap_cents=300_000)
    rq = w.rq = round_ending(db, fund_q, utc(2025, 6, 15, 20), title="Appel 2025 Tilleuls")
    vote(db, rq, "online", date(2025, 6, 10), alice)                 # Alice, online (June)
    vote(db, rq, "kiosk", date(2025, 6, 12), permanence=permanence)   # 2 at the kiosk
    vote(db, rq, "kiosk", date(2025, 6, 12), permanence=permanence)
    vote(db, rq, "code", date(2025, 6, 13))                           # 1 printed code: online
    vote(db, rq, "paper", date(2025, 6, 14), permanence=permanence)   # 1 on paper
    w.p1 = factories.make_project(db, rq, amount_cents=300_000, orientation_id=emploi.id,
                                  follow_up="done", spent_cents=280_000,
                                  title="Jardin partagé")
    w.p2 = factories.make_project(db, rq, amount_cents=200_000, orientation_id=cadre.id,
                                  follow_up="in_progress", spent_cents=50_000,
                                  title="Fresque du préau")
    factories.make_project(db, rq, amount_cents=150_000, orientation_id=emploi.id)  # not won
    factories.make_project(db, rq, amount_cents=100_000, orientation_id=cadre.id,
                           status="rejected")                   # asked, even though rejected
    factories.make_project(db, rq, amount_cents=120_000, orientation_id=emploi.id,
                           status="withdrawn")                  # not asked any more
    factories.make_project(db, rq, amount_cents=80_000, orientation_id=emploi.id,
                           status="merged", merged_into_id=w.p1.id)  # asked through p1
    w.p7 = factories.make_project(db, rq, amount_cents=90_000, follow_up="to_start",
                                  title="Repair café")          # no orientation

    fund_p = factories.make_fund(db, p, year=2025, envelope_cents=500_000)
    rp = w.rp = round_ending(db, fund_p, utc(2025, 11, 20, 20), title="Appel 2025 Parc")
    vote(db, rp, "online", date(2025, 11, 18), dan)
    vote(db, rp, "kiosk", date(2025, 11, 19))
    w.q1 = factories.make_project(db, rp, amount_cents=120_000, orientation_id=cadre.id,
                                  follow_up="abandoned", spent_cents=10_000,
                                  title="Fête des voisins")
    factories.make_project(db, rp, amount_cents=60_000, orientation_id=emploi.id,
                           status="submitted")

    # The year before, and a round whose vote ends on 1 January 2026 in Paris.
    rq24 = round_ending(db, factories.make_fund(db, q, year=2024), utc(2024, 6, 15, 20))
    vote(db, rq24, "online", date(2024, 6, 10), eve)
    factories.make_project(db, rq24, amount_cents=100_000, follow_up="done",
                           spent_cents=100_000)
    r26 = round_ending(db, factories.make_fund(db, q, year=2026), EVE_2025)
    factories.make_project(db, r26, amount_cents=50_000, follow_up="to_start")

    # --- Ideas (answer delays in days) --------------------------------------------------
    w.i0 = idea(db, q, eve, emploi, utc(2024, 5, 1), answered_after=30)            # 2024
    db.add(Support(idea_id=w.i0.id, user_id=alice.id, created_at=utc(2024, 5, 2)))  # 2024
    w.i1 = idea(db, q, alice, emploi, utc(2025, 3, 5, 10), answered_after=10)
    w.i2 = idea(db, q, None, emploi, utc(2025, 4, 2, 9), answered_after=4,
                author_name="Fatou", entered_by_id=animator.id)  # typed at a permanence
    w.i3 = idea(db, q, bob, emploi, utc(2025, 9, 1, 8), answered_after=7)
    w.i4 = idea(db, q, fred, cadre, EVE_2024, moderation="pending")                # Jan 2025
    w.i5 = idea(db, q, None, cadre, utc(2025, 5, 20, 10), answered_after=2,
                author_name="M. Diallo", moderation="rejected")  # typed at a permanence
    w.i6 = idea(db, q, alice, cadre, utc(2025, 10, 10, 10), answered_after=5,
                moderation="hidden")
    w.i7 = idea(db, q, carla, None, utc(2025, 7, 3, 10), answered_after=1.5)
    w.i8 = idea(db, q, gina, cadre, EVE_2025)                                      # 2026
    w.i9 = idea(db, p, dan, emploi, utc(2025, 3, 1, 10), answered_after=20)        # P
    db.add(Support(idea_id=w.i3.id, user_id=alice.id, created_at=utc(2025, 9, 5)))
    # 31 January at 23:30 UTC: already February in Paris.
    factories.make_comment(db, w.i4, bob, created_at=utc(2025, 1, 31, 23, 30))
    db.flush()

    # --- Map --------------------------------------------------------------------------
    walk = Walk(quartier_id=q.id, animator_id=animator.id, title="Diagnostic en marchant",
                starts_at=utc(2025, 4, 20, 8), meeting_point="Métro", participants=8,
                created_at=utc(2025, 4, 1))
    db.add(walk)
    db.flush()
    m1 = factories.make_point(db, q, alice, polarity="positive", category="green",
                              walk_id=walk.id, created_at=utc(2025, 4, 20, 10))  # channel event
    factories.make_point(db, q, None, polarity="negative", category="safety",
                         walk_id=walk.id, created_at=utc(2025, 4, 20, 10, 30))
    factories.make_point(db, q, carla, polarity="negative", category="cleanliness",
                         created_at=utc(2025, 7, 2))
    factories.make_point(db, q, None, polarity="negative", category="cleanliness",
                         moderation="rejected", created_at=utc(2025, 7, 5))
    factories.make_point(db, q, None, polarity="negative", category="mobility",
                         created_at=EVE_2024)                                    # 2025
    factories.make_point(db, q, None, polarity="positive", category="facilities",
                         created_at=EVE_2025)                                    # 2026
    factories.make_point(db, q, None, polarity="positive", category="green",
                         created_at=utc(2024, 6, 1))                             # 2024
    factories.make_point(db, q, None, polarity="negative", category="cleanliness",
                         created_at=utc(2024, 6, 2))                             # 2024
    factories.make_point(db, q, None, polarity="negative", category="shops",
                         created_at=utc(2023, 12, 31, 23, 30))            # 2024 in Paris
    factories.make_point(db, p, None, polarity="negative", category="housing",
                         created_at=utc(2025, 5, 5))                             # P, 2025
    p0 = factories.make_point(db, p, None, polarity="positive", category="shops",
                              created_at=utc(2024, 8, 1))                        # P, 2024
    db.add(PointSupport(point_id=m1.id, user_id=carla.id, created_at=utc(2025, 7, 1)))
    db.add(PointSupport(point_id=p0.id, user_id=bob.id, created_at=utc(2024, 8, 1, 13)))
    db.flush()

    # --- Events (attendance = ticked signups' party sizes + walk-ins) -------------------
    e1 = w.e1 = event(db, q, utc(2025, 5, 12, 16), "cafe", 10, signatory_id=caf.id)
    s_alice = sign(db, e1, alice)
    s_fatou = sign(db, e1, name="Fatou", party_size=2)
    sign(db, e1, hank)                                           # seats 1 + 2 + 1 = 4
    attend(db, e1, animator, [s_alice, s_fatou], 3,             # present 1 + 2 + 3 = 6
           {("gender", "woman"): 3, ("gender", "man"): 2, ("age", "25_39"): 2,
            ("age", "40_54"): 1})
    e2 = event(db, q, utc(2025, 6, 20, 11), "meal", None)        # no limit of places
    s_omar = sign(db, e2, name="Omar", party_size=3)
    s_carla = sign(db, e2, carla, party_size=2)                  # seats 3 + 2 = 5
    attend(db, e2, animator, [s_omar, s_carla], 0, {("gender", "woman"): 1})  # present 5
    e3 = event(db, q, utc(2025, 9, 15, 16), "cafe", 20, signatory_id=ville.id)
    sign(db, e3, name="Lina", party_size=2)                      # seats 2, then cancelled
    e3.cancelled_at, e3.cancel_reason = utc(2025, 9, 10), "Salle indisponible"
    e4 = event(db, q, utc(2025, 10, 5, 14), "workshop", 8)
    sign(db, e4, name="Sami", party_size=4)                      # seats 4, did not come
    attend(db, e4, animator, [], 2)                              # present 2
    e5 = event(db, p, utc(2025, 3, 20, 17), "cafe", 10)          # P
    s_dan = sign(db, e5, dan)                                    # seats 1
    attend(db, e5, animator, [s_dan], 1, {("gender", "woman"): 2})  # present 2
    e7 = event(db, q, EVE_2025, "meal", 10, signatory_id=ville.id)  # 2026 in Paris
    sign(db, e7, name="Nora", party_size=2)
    attend(db, e7, animator, [], 7, {("gender", "man"): 3})
    event(db, q, utc(2025, 11, 1, 14), "training", 10, moderation="pending",
          signatory_id=hab.id)                                   # never published
    e9 = event(db, None, utc(2025, 11, 15, 17), "assizes", None,
               signatory_id=ville.id, title="Assises du contrat")  # the whole contract
    attend(db, e9, animator, [], 25)
    e10 = event(db, q, EVE_2024, "cafe", 30, signatory_id=ville.id,
                title="Réveillon solidaire")                     # 1 January 2025 in Paris
    attend(db, e10, animator, [], 12, {("gender", "man"): 4, ("age", "65_plus"): 5})

    # --- Signatories: commitments and forwarded ideas ------------------------------------
    db.add_all([Commitment(signatory_id=ville.id, orientation_id=cadre.id,
                           text="Rénover les halls"),
                Commitment(signatory_id=ville.id, orientation_id=emploi.id,
                           text="Chantiers d’insertion"),
                Commitment(signatory_id=caf.id, orientation_id=emploi.id,
                           text="Accompagner les familles")])
    forward(db, w.i1, ville, utc(2025, 3, 10, 9), date(2025, 4, 10),
            utc(2025, 3, 20, 9))                                 # 10 days, in time
    forward(db, w.i3, ville, utc(2025, 9, 2, 8), date(2025, 10, 2),
            utc(2025, 10, 5, 8))                                 # 33 days, late
    forward(db, w.i6, ville, utc(2025, 10, 11), date(2025, 11, 11))  # no answer: late
    forward(db, w.i2, caf, utc(2025, 4, 3), date(2026, 2, 1))        # no answer: waiting
    forward(db, w.i7, caf, utc(2025, 7, 4, 10), date(2025, 8, 4),
            utc(2025, 7, 6, 10))                                 # 2 days, in time
    forward(db, w.i3, caf, utc(2025, 12, 20, 10), date(2026, 1, 10))  # due today: waiting
    forward(db, w.i4, hab, EVE_2024, date(2025, 1, 31),
            utc(2025, 1, 10, 12))                                # 9.52 days, in time
    forward(db, w.i9, caf, utc(2025, 3, 2), date(2025, 4, 2),
            utc(2025, 3, 6))                                     # P: 4 days, in time
    forward(db, w.i0, ville, utc(2024, 6, 1), date(2024, 7, 1), utc(2024, 6, 3))  # 2024
    forward(db, w.i8, hab, utc(2026, 1, 2), date(2026, 1, 5))        # 2026
    return w


def year(w: SimpleNamespace, *, quartier: bool = False, orientation: Orientation | None = None,
         of: int = 2025) -> Scope:
    return for_year(of, quartier_id=w.q.id if quartier else None,
                    orientation_id=orientation.id if orientation else None)


def by(table: Table, key: str) -> dict[str, dict[str, Any]]:
    return {str(row[key]): row for row in table.rows}


def pick(row: dict[str, Any] | None, *keys: str) -> tuple[Any, ...]:
    assert row is not None
    return tuple(row[k] for k in keys)


# --- Who took part ---------------------------------------------------------------------


def test_participants_in_a_quartier(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants(db, year(w, quartier=True))
    # Accounts active in Q in 2025: Alice (vote, 2 ideas, support, event, walk point),
    # Bob (comment, idea), Carla (idea, point, « moi aussi », event), Fred (idea on
    # 1 January at 00:30) = 4. Not Dan (P), Eve (2024), Gina (2026), Hank (absent).
    # Without an account: votes 2 kiosk + 1 code + 1 paper = 4; ideas typed at a
    # permanence 2; events: e1 6 − 1 ticked (Alice) = 5, e2 5 − 1 (Carla) = 4,
    # e3 cancelled 0, e4 2, e10 12 → 23. Together 4 + 2 + 23 = 29.
    # In Q in 2024: Alice (support) and Eve (idea, vote). Alice returns; 3 are new.
    assert table.rows == [{"total": 33, "accounts": 4, "without_account": 29, "new": 3,
                           "returning": 1}]
    assert table.total is None


def test_participants_in_the_whole_contract(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants(db, year(w))
    # Accounts: the 4 of Q + Dan = 5. Without: votes 4 + 1 kiosk in P = 5; ideas 2;
    # events 23 + e5 (2 − Dan) 1 + the assizes 25 = 49 → 56.
    # In 2024: Alice, Eve, and Bob (a « moi aussi » in P): Alice and Bob return.
    assert table.rows == [{"total": 61, "accounts": 5, "without_account": 56, "new": 3,
                           "returning": 2}]


def test_periods_are_local_years(db: Any, w: SimpleNamespace) -> None:
    # 2024 in Q: Alice and Eve; Fred's idea at 23:30 UTC on 31 December is 2025 already,
    # and the Réveillon (same instant) too: nobody without an account.
    assert indicators.participants(db, year(w, quartier=True, of=2024)).rows == [
        {"total": 2, "accounts": 2, "without_account": 0, "new": 2, "returning": 0}]
    # 2026 in Q: Gina's idea and the meal of e7 (7 walk-ins), both at 23:30 UTC on
    # 31 December 2025; Gina was not active in 2025.
    assert indicators.participants(db, year(w, quartier=True, of=2026)).rows == [
        {"total": 8, "accounts": 1, "without_account": 7, "new": 1, "returning": 0}]


def test_the_orientation_does_not_narrow_participants(db: Any, w: SimpleNamespace) -> None:
    for function in (indicators.participants, indicators.participants_by_channel,
                     indicators.participation_by_month, indicators.participants_by_gender,
                     indicators.participants_by_age, indicators.points_by_category,
                     indicators.events_by_kind, indicators.signatory_events):
        narrowed = function(db, year(w, quartier=True, orientation=w.cadre))
        whole = function(db, year(w, quartier=True))
        assert (narrowed.rows, narrowed.total) == (whole.rows, whole.total), function.key


def channels(table: Table) -> list[tuple[Any, ...]]:
    return [pick(r, "channel", "accounts", "without_account", "people")
            for r in table.all_rows()]


def test_participants_by_channel_in_a_quartier(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants_by_channel(db, year(w, quartier=True))
    assert channels(table) == [
        # Alice, Bob, Carla, Fred; the printed code without an account.
        ("online", 4, 1, 5),
        # 2 kiosk votes and 2 ideas typed at a permanence.
        ("permanence", 0, 4, 4),
        ("paper", 0, 1, 1),
        # Alice (e1, the walk's point) and Carla (e2); 23 without an account.
        ("event", 2, 23, 25),
        # Alice and Carla are in two lines, but counted once here.
        ("total", 4, 29, 33),
    ]
    assert [str(r["label"]) for r in table.rows] == [
        "En ligne", "À une permanence", "Sur papier", "À un événement"]
    assert table.total is not None
    assert sum(r["accounts"] for r in table.rows) == 6 != table.total["accounts"]


def test_participants_by_channel_in_the_whole_contract(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants_by_channel(db, year(w))
    assert channels(table) == [
        ("online", 5, 1, 6),          # + Dan (idea, vote)
        ("permanence", 0, 5, 5),      # + the kiosk vote in P
        ("paper", 0, 1, 1),
        ("event", 3, 49, 52),         # + Dan at e5; + e5's 1 and the assizes' 25
        ("total", 5, 56, 61),
    ]
    # The channels' total is the participants' total.
    assert table.total is not None
    assert table.total["people"] == indicators.participants(db, year(w)).rows[0]["total"]


def test_participation_by_month(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participation_by_month(db, year(w, quartier=True))
    assert [r["month"] for r in table.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    assert [pick(r, "accounts", "without_account", "people") for r in table.rows] == [
        (1, 12, 13),   # Jan: Fred (00:30 on the 1st); the Réveillon's 12
        (1, 0, 1),     # Feb: Bob's comment (00:30 on the 1st)
        (1, 0, 1),     # Mar: Alice's idea
        (1, 1, 2),     # Apr: Alice's walk point; the idea typed for Fatou
        (1, 6, 7),     # May: Alice at e1; e1's 5 and the idea typed for M. Diallo
        (2, 8, 10),    # Jun: Alice's vote, Carla at e2; kiosk 2 + code 1 + paper 1 + e2's 4
        (1, 0, 1),     # Jul: Carla (idea, point, « moi aussi »), once
        (0, 0, 0),     # Aug
        (2, 0, 2),     # Sep: Bob's idea, Alice's support; e3 was cancelled
        (1, 2, 3),     # Oct: Alice's idea; e4's 2 walk-ins
        (0, 0, 0),     # Nov: the training is not published and nobody came
        (0, 0, 0),     # Dec: Gina and e7 at 23:30 UTC on the 31st are January 2026
    ]
    # Without an account, the months add up to the year.
    assert sum(r["without_account"] for r in table.rows) == 29
    assert table.total is None


def test_participation_by_month_of_a_short_period(db: Any, w: SimpleNamespace) -> None:
    # From 15 May to 14 June: the two partial months, each cut at the period's ends.
    scope = Scope(date(2025, 5, 15), date(2025, 6, 14), quartier_id=w.q.id)
    table = indicators.participation_by_month(db, scope)
    assert [pick(r, "month", "accounts", "without_account", "people")
            for r in table.rows] == [
        ("2025-05", 0, 1, 1),      # M. Diallo's idea on the 20th (e1 was on the 12th)
        ("2025-06", 1, 4, 5),      # Alice's vote on the 10th; kiosk, code, paper
    ]


def declared(table: Table) -> list[tuple[Any, ...]]:
    return [pick(r, "value", "accounts", "event_counts", "people") for r in table.rows]


def test_participants_by_gender(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants_by_gender(db, year(w, quartier=True))
    # Accounts: Alice woman, Bob man, Fred other, Carla not said.
    # Counted at the door: e1 3 women and 2 men, e2 1 woman, the Réveillon 4 men.
    assert declared(table) == [("woman", 1, 4, 5), ("man", 1, 6, 7), ("other", 1, 0, 1),
                               ("", 1, 0, 1)]
    assert [str(r["label"]) for r in table.rows] == ["Femmes", "Hommes", "Autre", "Non dit"]
    whole = indicators.participants_by_gender(db, year(w))
    # + Dan (woman) and e5's 2 women; e7 (2026) never counts.
    assert declared(whole) == [("woman", 2, 6, 8), ("man", 1, 6, 7), ("other", 1, 0, 1),
                               ("", 1, 0, 1)]


def test_participants_by_age(db: Any, w: SimpleNamespace) -> None:
    table = indicators.participants_by_age(db, year(w, quartier=True))
    # Accounts: Fred under 18, Alice 25-39, Bob 40-54, Carla not said. At the door:
    # e1 2 of 25-39 and 1 of 40-54, the Réveillon 5 of 65 and over.
    assert declared(table) == [("under_18", 1, 0, 1), ("18_24", 0, 0, 0),
                               ("25_39", 1, 2, 3), ("40_54", 1, 1, 2), ("55_64", 0, 0, 0),
                               ("65_plus", 0, 5, 5), ("", 1, 0, 1)]
    whole = indicators.participants_by_age(db, year(w))
    assert declared(whole)[1] == ("18_24", 1, 0, 1)  # Dan


# --- FPH -------------------------------------------------------------------------------

ROUND_KEYS = ("envelope", "requested", "granted", "use", "funded", "spent", "voters_online",
              "voters_permanence", "voters_paper", "voters")


def test_fph_rounds(db: Any, w: SimpleNamespace) -> None:
    table = indicators.fph_rounds(db, year(w))
    # Only the rounds whose vote ended in 2025 (not 2024's, not the one ending at 00:30
    # on 1 January 2026), by quartier name.
    assert [(r["quartier"], r["round"]) for r in table.rows] == [
        ("Le Parc", "Appel 2025 Parc"), ("Les Tilleuls", "Appel 2025 Tilleuls")]
    rows = by(table, "round")
    # Tilleuls: asked 3000 + 2000 + 1500 + 1000 (rejected) + 900 = 8400 €, not the
    # withdrawn 1200 nor the merged 800; granted 3000 + 2000 + 900 = 5900 € of 10 000 €
    # (59 %), 3 funded; spent 2800 + 500 = 3300 €. Voters: Alice and the code online,
    # 2 at the kiosk, 1 on paper.
    assert pick(rows["Appel 2025 Tilleuls"], *ROUND_KEYS) == (
        1_000_000, 840_000, 590_000, 59.0, 3, 330_000, 2, 2, 1, 5)
    # Parc: asked 1200 + 600; granted 1200 of 5000 (24 %); spent 100; Dan, 1 kiosk.
    assert pick(rows["Appel 2025 Parc"], *ROUND_KEYS) == (
        500_000, 180_000, 120_000, 24.0, 1, 10_000, 1, 1, 0, 2)
    # Total: granted 7100 of 15 000 € = 47.3 %.
    assert pick(table.total, *ROUND_KEYS) == (
        1_500_000, 1_020_000, 710_000, 47.3, 4, 340_000, 3, 3, 1, 7)
    assert table.total is not None
    assert str(table.total["quartier"]) == "Total"


def test_fph_rounds_narrowed(db: Any, w: SimpleNamespace) -> None:
    only_q = indicators.fph_rounds(db, year(w, quartier=True))
    assert [r["round"] for r in only_q.rows] == ["Appel 2025 Tilleuls"]
    assert pick(only_q.total, *ROUND_KEYS) == pick(only_q.rows[0], *ROUND_KEYS)
    # « Emploi » narrows the projects, never the envelopes nor the voters.
    table = indicators.fph_rounds(db, year(w, orientation=w.emploi))
    rows = by(table, "round")
    # Tilleuls: asked 3000 + 1500 (not the withdrawn, not the merged); granted 3000.
    assert pick(rows["Appel 2025 Tilleuls"], *ROUND_KEYS) == (
        1_000_000, 450_000, 300_000, 30.0, 1, 280_000, 2, 2, 1, 5)
    assert pick(rows["Appel 2025 Parc"], *ROUND_KEYS) == (
        500_000, 60_000, 0, 0.0, 0, 0, 1, 1, 0, 2)
    assert pick(table.total, *ROUND_KEYS) == (
        1_500_000, 510_000, 300_000, 20.0, 1, 280_000, 3, 3, 1, 7)


def test_fph_rounds_without_any_round(db: Any, w: SimpleNamespace) -> None:
    table = indicators.fph_rounds(db, year(w, of=2023))
    assert table.rows == []
    assert table.total is None


def follow_up(table: Table) -> list[tuple[Any, ...]]:
    return [pick(r, "status", "projects", "granted", "spent") for r in table.all_rows()]


def test_fph_follow_up(db: Any, w: SimpleNamespace) -> None:
    table = indicators.fph_follow_up(db, year(w, quartier=True))
    assert follow_up(table) == [("to_start", 1, 90_000, 0),            # Repair café
                                ("in_progress", 1, 200_000, 50_000),   # Fresque
                                ("done", 1, 300_000, 280_000),         # Jardin
                                ("abandoned", 0, 0, 0),
                                ("total", 3, 590_000, 330_000)]
    assert [str(r["label"]) for r in table.rows] == [
        "À démarrer", "En cours", "Réalisé", "Abandonné"]
    whole = indicators.fph_follow_up(db, year(w))
    assert follow_up(whole)[3:] == [("abandoned", 1, 120_000, 10_000),  # Fête des voisins
                                    ("total", 4, 710_000, 340_000)]
    emploi = indicators.fph_follow_up(db, year(w, orientation=w.emploi))
    assert follow_up(emploi)[4] == ("total", 1, 300_000, 280_000)


def test_funded_projects(db: Any, w: SimpleNamespace) -> None:
    found = indicators.funded_projects(db, year(w))
    # Largest first; the rounds of 2024 and of 1 January 2026 are left out.
    assert [(p["title"], p["quartier"], p["amount"], p["follow_up"]) for p in found] == [
        ("Jardin partagé", "Les Tilleuls", 300_000, "done"),
        ("Fresque du préau", "Les Tilleuls", 200_000, "in_progress"),
        ("Fête des voisins", "Le Parc", 120_000, "abandoned"),
        ("Repair café", "Les Tilleuls", 90_000, "to_start"),
    ]
    assert str(found[0]["label"]) == "Réalisé"
    assert [p["title"] for p in indicators.funded_projects(db, year(w), limit=2)] == [
        "Jardin partagé", "Fresque du préau"]
    assert [p["title"] for p in indicators.funded_projects(
        db, year(w, orientation=w.cadre))] == ["Fresque du préau", "Fête des voisins"]
    assert [p["title"] for p in indicators.funded_projects(
        db, year(w, quartier=True, orientation=w.cadre))] == ["Fresque du préau"]


# --- Ideas -----------------------------------------------------------------------------

IDEA_KEYS = ("posted", "published", "rejected", "answered", "median_days")


def test_ideas_by_orientation_in_a_quartier(db: Any, w: SimpleNamespace) -> None:
    table = indicators.ideas_by_orientation(db, year(w, quartier=True))
    assert [str(r["orientation"]) for r in table.rows] == [
        "Emploi", "Cadre de vie", "Sans orientation"]
    rows = by(table, "orientation")
    # Emploi: Alice's, Fatou's, Bob's, all published and answered in 10, 4 and 7 days:
    # the median of three is 7.
    assert pick(rows["Emploi"], *IDEA_KEYS) == (3, 3, 0, 3, 7.0)
    # Cadre de vie: Fred's (00:30 on 1 January, pending), M. Diallo's (rejected, 2 days),
    # Alice's (hidden, 5 days); not Gina's (2026). The median of two: (2 + 5) / 2.
    assert pick(rows["Cadre de vie"], *IDEA_KEYS) == (3, 0, 2, 2, 3.5)
    # Carla's, answered in a day and a half.
    assert pick(rows["Sans orientation"], *IDEA_KEYS) == (1, 1, 0, 1, 1.5)
    # All six delays: 1.5, 2, 4, 5, 7, 10 → (4 + 5) / 2.
    assert pick(table.total, *IDEA_KEYS) == (7, 4, 2, 6, 4.5)


def test_ideas_by_orientation_in_the_whole_contract(db: Any, w: SimpleNamespace) -> None:
    table = indicators.ideas_by_orientation(db, year(w))
    rows = by(table, "orientation")
    # + Dan's idea in P, answered in 20 days: 4, 7, 10, 20 → (7 + 10) / 2.
    assert pick(rows["Emploi"], *IDEA_KEYS) == (4, 4, 0, 4, 8.5)
    assert pick(rows["Cadre de vie"], *IDEA_KEYS) == (3, 0, 2, 2, 3.5)
    # Seven delays: 1.5, 2, 4, 5, 7, 10, 20 → 5.
    assert pick(table.total, *IDEA_KEYS) == (8, 5, 2, 7, 5.0)


def test_ideas_by_orientation_narrowed_to_one(db: Any, w: SimpleNamespace) -> None:
    table = indicators.ideas_by_orientation(db, year(w, quartier=True, orientation=w.emploi))
    assert [str(r["orientation"]) for r in table.rows] == ["Emploi"]
    assert pick(table.total, *IDEA_KEYS) == (3, 3, 0, 3, 7.0)


SIGNATORY_KEYS = ("forwarded", "answered", "answered_late", "overdue", "median_days")


def test_ideas_by_signatory(db: Any, w: SimpleNamespace) -> None:
    table = indicators.ideas_by_signatory(db, year(w, quartier=True))
    assert [r["signatory"] for r in table.rows] == [
        "CAF du Sud", "Habitat Sud", "Ville de Testville"]
    rows = by(table, "signatory")
    # CAF: Fatou's idea (due 1 February 2026: waiting), Carla's (answered in 2 days),
    # Bob's (due today: not late yet).
    assert pick(rows["CAF du Sud"], *SIGNATORY_KEYS) == (3, 1, 0, 0, 2.0)
    # Habitat: Fred's, forwarded at 00:30 on 1 January, answered in 9.52 days.
    assert pick(rows["Habitat Sud"], *SIGNATORY_KEYS) == (1, 1, 0, 0, 9.5)
    # Ville: in 10 days (in time), in 33 days (after the date asked), none past the date:
    # the median of two, (10 + 33) / 2.
    assert pick(rows["Ville de Testville"], *SIGNATORY_KEYS) == (3, 2, 1, 1, 21.5)
    assert pick(table.total, *SIGNATORY_KEYS) == (7, 4, 1, 1, None)
    whole = indicators.ideas_by_signatory(db, year(w))
    # + Dan's idea to the CAF, answered in 4 days: (2 + 4) / 2.
    assert pick(by(whole, "signatory")["CAF du Sud"], *SIGNATORY_KEYS) == (4, 2, 0, 0, 3.0)
    assert pick(whole.total, *SIGNATORY_KEYS) == (8, 5, 1, 1, None)
    emploi = indicators.ideas_by_signatory(db, year(w, quartier=True, orientation=w.emploi))
    assert [pick(r, *SIGNATORY_KEYS) for r in emploi.rows] == [
        (2, 0, 0, 0, None), (0, 0, 0, 0, None), (2, 2, 1, 0, 21.5)]


def test_overdue_follows_the_clock(db: Any, w: SimpleNamespace, monkeypatch: Any) -> None:
    # On 2 February 2026, Fatou's idea (due 1 February) and Bob's are late too.
    monkeypatch.setattr("civic.core.clock.now", lambda: utc(2026, 2, 2))
    table = indicators.ideas_by_signatory(db, year(w, quartier=True))
    assert pick(by(table, "signatory")["CAF du Sud"], *SIGNATORY_KEYS) == (3, 1, 0, 2, 2.0)


def test_forwardings(db: Any, w: SimpleNamespace) -> None:
    table = indicators.forwardings(db, year(w, quartier=True))
    assert [(*pick(r, "signatory", "idea", "quartier", "forwarded_on", "due_on",
                   "answered_on", "delay_days"), str(r["state"])) for r in table.rows] == [
        ("CAF du Sud", w.i3.title, "Les Tilleuls", "2025-12-20", "2026-01-10", "", None,
         "En attente"),
        ("CAF du Sud", w.i7.title, "Les Tilleuls", "2025-07-04", "2025-08-04", "2025-07-06",
         2, "Répondue"),
        ("CAF du Sud", w.i2.title, "Les Tilleuls", "2025-04-03", "2026-02-01", "", None,
         "En attente"),
        # Forwarded at 00:30 on 1 January in Paris: a forwarding of 2025.
        ("Habitat Sud", w.i4.title, "Les Tilleuls", "2025-01-01", "2025-01-31",
         "2025-01-10", 9, "Répondue"),
        ("Ville de Testville", w.i6.title, "Les Tilleuls", "2025-10-11", "2025-11-11", "",
         None, "En retard"),
        ("Ville de Testville", w.i3.title, "Les Tilleuls", "2025-09-02", "2025-10-02",
         "2025-10-05", 33, "Répondue en retard"),
        ("Ville de Testville", w.i1.title, "Les Tilleuls", "2025-03-10", "2025-04-10",
         "2025-03-20", 10, "Répondue"),
    ]
    whole = indicators.forwardings(db, year(w))
    assert [(r["idea"], r["quartier"]) for r in whole.rows if r["signatory"] == "CAF du Sud"
            ][-1] == (w.i9.title, "Le Parc")
    emploi = indicators.forwardings(db, year(w, quartier=True, orientation=w.emploi))
    assert [r["idea"] for r in emploi.rows] == [w.i3.title, w.i2.title, w.i3.title,
                                                w.i1.title]


# --- Map -------------------------------------------------------------------------------

POINT_KEYS = ("positive", "negative", "positive_before", "negative_before", "change")


def test_points_by_category(db: Any, w: SimpleNamespace) -> None:
    table = indicators.points_by_category(db, year(w, quartier=True))
    assert [r["category"] for r in table.rows] == list(indicators.CATEGORIES)
    rows = {r["category"]: pick(r, *POINT_KEYS) for r in table.rows}
    assert rows == {
        # Carla's (a rejected one does not count); one in 2024.
        "cleanliness": (0, 1, 0, 1, 0),
        "safety": (0, 1, 0, 0, 1),          # placed during the walk, without an account
        "facilities": (0, 0, 0, 0, 0),      # 00:30 on 1 January 2026: not 2025
        "green": (1, 0, 1, 0, 0),           # Alice's during the walk; one in 2024
        "mobility": (0, 1, 0, 0, 1),        # 00:30 on 1 January 2025
        "shops": (0, 0, 0, 1, -1),          # 00:30 on 1 January 2024: last year
        "housing": (0, 0, 0, 0, 0), "social": (0, 0, 0, 0, 0), "other": (0, 0, 0, 0, 0),
    }
    assert pick(table.total, *POINT_KEYS) == (1, 3, 1, 2, 1)
    assert str(by(table, "category")["green"]["label"]) != "green"
    whole = indicators.points_by_category(db, year(w))
    rows = {r["category"]: pick(r, *POINT_KEYS) for r in whole.rows}
    assert rows["housing"] == (0, 1, 0, 0, 1)          # P in 2025
    assert rows["shops"] == (0, 0, 1, 1, -2)           # P in 2024
    assert pick(whole.total, *POINT_KEYS) == (1, 4, 2, 2, 1)


# --- Events ----------------------------------------------------------------------------

EVENT_KEYS = ("events", "cancelled", "signed_up", "present", "fill_rate")


def test_events_by_kind_in_a_quartier(db: Any, w: SimpleNamespace) -> None:
    table = indicators.events_by_kind(db, year(w, quartier=True))
    rows = {r["kind"]: pick(r, *EVENT_KEYS) for r in table.rows}
    # Cafés: e1 (10 places, 4 taken, 6 present) and the Réveillon (30 places, 12 walk-ins);
    # e3 cancelled (its 2 places count nowhere). Fill rate 4 / 40.
    assert rows["cafe"] == (2, 1, 4, 18, 10.0)
    # Meal without a number of places: signed up 3 + 2, present 5, no fill rate.
    assert rows["meal"] == (1, 0, 5, 5, None)
    # Workshop: 4 of 8 places, 2 walk-ins present.
    assert rows["workshop"] == (1, 0, 4, 2, 50.0)
    # The training is not published; e7 is in 2026.
    assert rows["training"] == (0, 0, 0, 0, None)
    assert all(rows[k] == (0, 0, 0, 0, None) for k in rows
               if k not in {"cafe", "meal", "workshop"})
    # Fill rate over the events with places only: (4 + 4) / (40 + 8).
    assert pick(table.total, *EVENT_KEYS) == (4, 1, 13, 25, 16.7)


def test_events_by_kind_in_the_whole_contract(db: Any, w: SimpleNamespace) -> None:
    table = indicators.events_by_kind(db, year(w))
    rows = {r["kind"]: pick(r, *EVENT_KEYS) for r in table.rows}
    assert rows["cafe"] == (3, 1, 5, 20, 10.0)      # + e5 in P: 1 of 10 places, 2 present
    assert rows["assizes"] == (1, 0, 0, 25, None)   # the whole contract's
    assert pick(table.total, *EVENT_KEYS) == (6, 1, 14, 52, 15.5)  # 9 / 58


# --- Cooperative dashboard ------------------------------------------------------------


def test_commitments(db: Any, w: SimpleNamespace) -> None:
    table = indicators.commitments(db, year(w))
    assert [pick(r, "signatory", "orientation", "commitment") for r in table.rows] == [
        ("CAF du Sud", "Emploi", "Accompagner les familles"),
        ("Ville de Testville", "Emploi", "Chantiers d’insertion"),
        ("Ville de Testville", "Cadre de vie", "Rénover les halls"),
    ]
    narrowed = indicators.commitments(db, year(w, orientation=w.cadre))
    assert [r["commitment"] for r in narrowed.rows] == ["Rénover les halls"]


def test_signatory_events(db: Any, w: SimpleNamespace) -> None:
    table = indicators.signatory_events(db, year(w, quartier=True))
    # Not the pending training (Habitat), not e7 (2026); the cancelled café is listed;
    # the Réveillon is dated by its local day.
    assert [pick(r, "signatory", "date", "present", "cancelled") for r in table.rows] == [
        ("CAF du Sud", "2025-05-12", 6, False),
        ("Ville de Testville", "2025-01-01", 12, False),
        ("Ville de Testville", "2025-09-15", 0, True),
    ]
    assert table.rows[1]["event"] == "Réveillon solidaire"
    whole = indicators.signatory_events(db, year(w))
    assert [pick(r, "event", "date", "present") for r in whole.rows][-1] == (
        "Assises du contrat", "2025-11-15", 25)


# --- Every indicator -------------------------------------------------------------------


def test_every_indicator_is_tested_here() -> None:
    tested = {"participants", "participants_by_channel", "participation_by_month",
              "participants_by_gender", "participants_by_age", "fph_rounds", "fph_follow_up",
              "ideas_by_orientation", "ideas_by_signatory", "points_by_category",
              "events_by_kind", "commitments", "forwardings", "signatory_events"}
    # measured_commitments: tests/evaluation/test_views.py
    assert set(indicators.ALL) == tested | {"measured_commitments"}


def test_every_table_is_described_and_keyed_by_its_name(db: Any, w: SimpleNamespace) -> None:
    for name, function in indicators.ALL.items():
        table = function(db, year(w, quartier=True))
        assert table.key == name
        # Described for people, in their language: not the code's docstring.
        assert str(table.description).strip()
        assert " ".join(str(table.description).split()) != " ".join(
            (function.compute.__doc__ or "").split())
        assert str(table.title)
        keys = [c.key for c in table.columns]
        assert len(keys) == len(set(keys))
        for row in table.all_rows():
            assert set(keys) <= set(row), (name, set(keys) - set(row))


def test_an_empty_contract_counts_zero(db: Any, contract: Any) -> None:
    for name, function in indicators.ALL.items():
        table = function(db, for_year(2025))
        for row in table.all_rows():
            for column in table.columns:
                if column.kind in ("people", "int", "money"):
                    assert row[column.key] == 0, (name, column.key)


# --- SQL aggregates: the queries do not grow with the data -----------------------------


def grow(db: Any, contract: Any, quartier: Quartier, fund: Fund, times: int) -> None:
    """``times`` more of everything in ``quartier`` (and as much in a new quartier)."""
    for n in range(times):
        for where in (quartier, factories.make_quartier(db, contract)):
            _grow_once(db, contract, where, fund if where is quartier else None, n)
    db.flush()


def _grow_once(db: Any, contract: Any, quartier: Quartier, fund: Fund | None, n: int) -> None:
    orientation = factories.make_orientation(db, contract)
    signatory = factories.make_signatory(db, contract)
    db.add(Commitment(signatory_id=signatory.id, orientation_id=orientation.id,
                      text="Engagement"))
    users = [factories.make_user(db, gender=g, age_bracket=a)
             for g, a in (("woman", "25_39"), ("man", "40_54"), (None, None))]
    fund = fund or factories.make_fund(db, quartier, year=2025)
    round_ = round_ending(db, fund, utc(2025, 6, 1 + n))
    for user in users[:2]:
        vote(db, round_, "online", date(2025, 5, 25), user)
    for channel in ("kiosk", "paper", "code"):
        vote(db, round_, channel, date(2025, 5, 26))
    factories.make_project(db, round_, orientation_id=orientation.id,
                           follow_up="in_progress", spent_cents=1000)
    factories.make_project(db, round_, status="withdrawn")
    authors: list[User | None] = [*users, None]
    for k, author in enumerate(authors):
        item = idea(db, quartier, author, orientation if k % 2 else None,
                    utc(2025, 2 + k, 3), answered_after=k + 1)
        factories.make_comment(db, item, users[0], created_at=utc(2025, 3 + k, 4))
        db.add(Support(idea_id=item.id, user_id=users[1].id, created_at=utc(2025, 3 + k, 5)))
        forward(db, item, signatory, utc(2025, 2 + k, 4), date(2025, 3 + k, 4),
                utc(2025, 2 + k, 10) if k % 2 else None)
    walk = Walk(quartier_id=quartier.id, title="Marche", starts_at=utc(2025, 4, 1),
                meeting_point="Métro", created_at=utc(2025, 3, 1))
    db.add(walk)
    db.flush()
    for k, person in enumerate(users):
        point = factories.make_point(db, quartier, person, walk_id=walk.id if k else None,
                                     category=("green", "safety", "shops")[k],
                                     created_at=utc(2025, 4, 1 + k))
        db.add(PointSupport(point_id=point.id, user_id=users[0].id,
                            created_at=utc(2025, 4, 10)))
        factories.make_point(db, quartier, None, created_at=utc(2024, 4, 1 + k))
    for kind, capacity in (("cafe", 10), ("meal", None)):
        happening = event(db, quartier, utc(2025, 9, 10 + n), kind, capacity,
                          signatory_id=signatory.id)
        signups = [sign(db, happening, user) for user in users[:2]]
        signups.append(sign(db, happening, name="Invité", party_size=2))
        attend(db, happening, users[2], signups[1:], 3,
               {("gender", "woman"): 2, ("age", "65_plus"): 1})


def test_the_dashboard_queries_do_not_grow_with_the_data(db: Any, contract: Any,
                                                          count_queries: Any) -> None:
    quartier = factories.make_quartier(db, contract)
    fund = factories.make_fund(db, quartier, year=2025)
    scopes = [for_year(2025), for_year(2025, quartier_id=quartier.id),
              for_year(2025, quartier_id=quartier.id, orientation_id=factories.make_orientation(
                  db, contract).id)]

    def queries() -> tuple[int, int]:
        with count_queries() as dashboard:
            for scope in scopes:
                for function in indicators.DASHBOARD:
                    function(db, scope)
        with count_queries() as everything:
            for function in indicators.ALL.values():
                function(db, scopes[1])
            indicators.funded_projects(db, scopes[1])
        return dashboard.n, everything.n

    grow(db, contract, quartier, fund, 1)
    small = queries()
    assert indicators.participants(db, scopes[1]).rows[0]["accounts"] == 3
    grow(db, contract, quartier, fund, 4)  # five times as much
    assert queries() == small
    # The figures did grow: the queries are aggregates, not samples.
    assert indicators.participants(db, scopes[1]).rows[0]["accounts"] == 15
    assert indicators.participants(db, scopes[0]).rows[0]["accounts"] == 30
    assert db.query(MapPoint).count() == 60
    assert db.query(Project).count() == 20
