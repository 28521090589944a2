"""The secret ballot, attacked: by whoever reads the database (transaction ids, physical
order, a dump, SQLite's write-ahead log, the kiosk's keyed fingerprints), by whoever
reads the server's log, and by a patient visitor of the public pages.

The election here is committed for real, one transaction per ballot as in production,
on all four channels. Every voter chose a different set of projects, so a guess that
pairs a register line with a counted ballot is right or wrong, never ambiguous. Before
the change that encrypted the box, each attack below named every voter's choices.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from civic.accounts.models import Role
from civic.budget import counting, identity, services
from civic.budget.models import Ballot, Channel, Participation, Round, SealedBallot
from civic.budget.services import BudgetError, Declaration
from civic.core.db import Base, checkpoint_wal
from civic.permanence import services as permanence_services
from tests import factories
from tests.factories import NOW

VOTERS = 30
TODAY = date(2026, 3, 14)
#: When the count happens: the vote of a "vote" round made by the factories is over.
COUNT_AT = NOW + timedelta(days=4, hours=2)
#: By chance alone, pairing 30 voters with 30 shuffled ballots gets one right on average;
#: six or more happens about once in 1 400 runs of a random permutation... and every time
#: an order leaks.
BY_CHANCE = 6


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read civic.core.clock.now(): pin it to the factories' NOW."""
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@dataclass
class Election:
    engine: Any
    round_id: int
    shares: list[str]
    #: What each register line really voted: fingerprint → canonical choices.
    truth: dict[str, str] = field(default_factory=dict)
    #: Declarations of those who voted at the kiosk (what an animator knows).
    kiosk_voters: list[Declaration] = field(default_factory=list)
    pilot_id: int = 0


def canonical(choices: dict[Any, Any]) -> str:
    return json.dumps({str(k): int(v) for k, v in sorted(choices.items(), key=lambda i:
                                                         int(i[0]))})


def _cleanup(engine: Any) -> None:
    """Delete every row, and on SQLite copy the zeroed pages into the file, so that the
    next test's file holds nothing of this one's."""
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    checkpoint_wal(engine)


@pytest.fixture
def election(app: Flask) -> Iterator[Election]:
    """30 ballots on four channels, each cast and committed in its own transaction."""
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        contract = factories.make_contract(setup)
        quartier = factories.make_quartier(setup, contract)
        fund = factories.make_fund(setup, quartier, approval_max=3)
        round_ = factories.make_round(setup, fund, "vote")
        projects = [factories.make_project(setup, round_, amount_cents=20_000).id
                    for _ in range(8)]
        permanence = factories.make_permanence(setup, quartier)
        pilot = factories.make_user(setup, roles=[(Role.PILOT, None)])
        residents = [factories.make_user(setup) for _ in range(VOTERS)]
        _, codes = permanence_services.generate_codes(setup, round_, VOTERS, actor=None,
                                                      now=NOW)
        setup.commit()
        held = Election(engine, round_.id, factories.SHARES[round_.id], pilot_id=pilot.id)
        secret, permanence_id = round_.secret, permanence.id
        user_ids = [u.id for u in residents]
    choices = [dict.fromkeys(c, 1) for c in itertools.combinations(projects, 3)][:VOTERS]
    channels = [Channel.ONLINE, Channel.KIOSK, Channel.CODE, Channel.PAPER]
    try:
        for n in range(VOTERS):
            who = Declaration(f"Votante {n:02d}", date(1960 + n, 1 + n % 12, 1 + n % 28), True)
            channel = channels[n % 4]
            with Session(engine) as session:
                voting = session.get(Round, held.round_id)
                permanence = session.get(type(permanence), permanence_id)
                if channel == Channel.ONLINE:
                    services.cast(session, voting, who, choices[n], channel=channel,
                                  user=session.get(type(residents[0]), user_ids[n]), now=NOW,
                                  today=TODAY)
                elif channel == Channel.KIOSK:
                    ticket = permanence_services.issue_ticket(session, voting, permanence, who,
                                                              now=NOW, today=TODAY)
                    voter = permanence_services.voter_of_ticket(session, voting, permanence,
                                                                ticket, now=NOW)
                    permanence_services.kiosk_cast(session, voting, permanence, ticket, voter,
                                                   choices[n], now=NOW, today=TODAY)
                    held.kiosk_voters.append(who)
                elif channel == Channel.CODE:
                    permanence_services.code_cast(session, voting, codes[n], who, choices[n],
                                                  now=NOW, today=TODAY)
                else:  # paper: the register at the table, the ballot typed in later
                    services.register_paper_voter(session, voting, who,
                                                  permanence_id=permanence_id, now=NOW,
                                                  today=TODAY)
                    session.commit()
                    services.enter_paper_ballot(session, voting, choices[n],
                                                permanence_id=permanence_id, now=NOW)
                session.commit()
            held.truth[identity.fingerprint(secret, who.name, who.birth_date)] = canonical(
                choices[n])
        yield held
    finally:
        _cleanup(engine)


def count(held: Election, app: Flask) -> None:
    """The count as the trustees run it: through the page, two shares, committed."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(held.pilot_id)
        session["_fresh"] = True
    with pytest.MonkeyPatch.context() as later:
        later.setattr("civic.core.clock.now", lambda: COUNT_AT)
        answer = client.post(f"/fph/{held.round_id}/depouillement",
                             data={"share_1": held.shares[2], "share_2": held.shares[0]})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    with Session(held.engine) as check:
        assert check.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == held.round_id)) == VOTERS


def right_guesses(held: Election, guesses: list[tuple[str, str]]) -> int:
    """How many (fingerprint, choices) pairs of an attack are true."""
    return sum(held.truth.get(fingerprint) == choices for fingerprint, choices in guesses)


def postgres(held: Election) -> bool:
    return held.engine.dialect.name == "postgresql"


# --- The database administrator -------------------------------------------------------


def join_by_transaction(held: Election) -> list[tuple[str, str]]:
    """Register lines and counted ballots written by the same transaction (``xmin``)."""
    with held.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT p.fingerprint, b.choices FROM participations p "
            "JOIN ballots b ON b.xmin::text = p.xmin::text WHERE p.round_id = :r"),
            {"r": held.round_id}).all()
    return [(f, canonical(c if isinstance(c, dict) else json.loads(c))) for f, c in rows]


def line_up_by_physical_order(held: Election) -> list[tuple[str, str]]:
    """The n-th register line with the n-th counted ballot, in the heap's order (ctid)."""
    with held.engine.connect() as connection:
        register = connection.execute(text(
            "SELECT fingerprint FROM participations WHERE round_id = :r ORDER BY ctid"),
            {"r": held.round_id}).scalars().all()
        box = connection.execute(text(
            "SELECT choices FROM ballots WHERE round_id = :r ORDER BY ctid"),
            {"r": held.round_id}).scalars().all()
    return [(f, canonical(c if isinstance(c, dict) else json.loads(c)))
            for f, c in zip(register, box, strict=False)]


def line_up_by_dump(held: Election) -> list[tuple[str, str]]:
    """The n-th register line with the n-th counted ballot, in the order a plain dump
    writes them (pg_dump's COPY on PostgreSQL, ``.dump`` on SQLite)."""
    raw = held.engine.raw_connection()
    try:
        if postgres(held):
            def dump(table: str) -> str:
                with raw.cursor() as cursor, cursor.copy(
                        f"COPY {table} TO STDOUT") as stream:  # table names
                    return b"".join(bytes(chunk) for chunk in stream).decode()
        else:
            lines = list(raw.driver_connection.iterdump())

            def dump(table: str) -> str:
                return "\n".join(line for line in lines
                                 if line.startswith(f'INSERT INTO "{table}"'))
        register, box = dump("participations"), dump("ballots")
    finally:
        raw.close()
    fingerprints = [f for f in re.findall(r"\b[0-9a-f]{64}\b", register) if f in held.truth]
    ballots = [canonical(json.loads(c)) for c in re.findall(r"(\{\"[^}]*\})", box)]
    return list(zip(fingerprints, ballots, strict=False))


def wal_path(held: Election) -> Path:
    return Path(held.engine.url.database + "-wal")


def test_joining_by_transaction_or_order_links_nobody(election: Election, app: Flask) -> None:
    held = election
    attacks = [line_up_by_dump]
    if postgres(held):
        attacks += [join_by_transaction, line_up_by_physical_order]
    for attack in attacks:  # before the count there is nothing in clear to find
        assert right_guesses(held, attack(held)) == 0, attack.__name__
    if postgres(held):  # the register and the sealed box do share transactions…
        with held.engine.connect() as connection:
            linked = connection.execute(text(
                "SELECT p.fingerprint, s.ciphertext FROM participations p JOIN sealed_ballots s"
                " ON s.xmin::text = p.xmin::text WHERE p.round_id = :r"),
                {"r": held.round_id}).all()
        assert len(linked) == VOTERS - VOTERS // 4  # all but paper, typed in later
        for fingerprint, ciphertext in linked:  # …but all they give is a ciphertext
            assert held.truth[fingerprint].replace(" ", "").encode() not in bytes(ciphertext)
    count(held, app)
    for attack in attacks:
        assert right_guesses(held, attack(held)) < BY_CHANCE, attack.__name__
    if postgres(held):
        assert join_by_transaction(held) == []  # the box was written in one transaction


def test_sqlite_s_write_ahead_log_keeps_no_choice(election: Election, app: Flask) -> None:
    held = election
    if postgres(held):
        assert wal_path(held).name.endswith("-wal")  # nothing of the kind on PostgreSQL
        return
    database = Path(held.engine.url.database)
    plain = [t.encode() for t in held.truth.values()] + [
        t.replace(" ", "").encode() for t in held.truth.values()]
    before = database.read_bytes() + (wal_path(held).read_bytes() if wal_path(held).exists()
                                      else b"")
    assert not any(p in before for p in plain)  # sealed from the first moment
    count(held, app)
    # The count's transaction is copied into the database and the log emptied: no commit
    # can be read apart from the others any more.
    assert not wal_path(held).exists() or wal_path(held).stat().st_size == 0
    with held.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_recomputing_the_kiosk_fingerprint_finds_a_line_but_no_choice(
        election: Election, app: Flask) -> None:
    """The animator knows who came to the kiosk; the administrator has the round's key.
    Together they find the register line, which is not secret, and no ballot."""
    held = election
    count(held, app)
    with Session(held.engine) as attacker:
        round_ = attacker.get(Round, held.round_id)
        assert round_.secret is not None
        for who in held.kiosk_voters:
            fingerprint = identity.fingerprint(round_.secret, who.name, who.birth_date)
            line = attacker.scalars(select(Participation).where(
                Participation.fingerprint == fingerprint)).one()
            # Everything the line says that a counted ballot could also say: the channel.
            candidates = attacker.scalars(select(Ballot.choices).where(
                Ballot.round_id == held.round_id, Ballot.channel == line.channel)).all()
            assert candidates == []  # under 11 kiosk ballots: none is labelled kiosk
        channels = attacker.execute(select(Ballot.channel, func.count()).where(
            Ballot.round_id == held.round_id).group_by(Ballot.channel)).all()
        assert channels == [(None, VOTERS)]
        assert round_.results["turnout"] == {"online": 8, "kiosk": 8, "code": 7, "paper": 7}


def test_the_published_ballots_name_no_small_channel(election: Election, app: Flask) -> None:
    held = election
    count(held, app)
    with Session(held.engine) as session:
        text_ = counting.export_pb(session, session.get(Round, held.round_id))
    votes = text_.split("VOTES")[1].splitlines()[2:]
    assert len(votes) == VOTERS
    assert all(line.endswith(";") for line in votes)  # voting_method left empty


def test_destroying_the_secrets_deletes_the_ciphertexts_and_the_pieces(
        election: Election, app: Flask) -> None:
    held = election
    count(held, app)
    with Session(held.engine) as session:
        ciphertexts = [bytes(c) for c in session.scalars(select(SealedBallot.ciphertext))]
        round_ = session.get(Round, held.round_id)
        round_.results_published_at = COUNT_AT
        session.commit()
    with pytest.MonkeyPatch.context() as later:
        later.setattr("civic.core.clock.now", lambda: COUNT_AT + timedelta(days=400))
        done = app.test_cli_runner().invoke(args=["fph", "destroy-secrets"])
    assert "1 round(s)" in done.output
    with Session(held.engine) as session:
        assert session.scalar(select(func.count()).select_from(SealedBallot).where(
            SealedBallot.ciphertext.is_not(None))) == 0
        assert session.get(Round, held.round_id).secret is None
        assert all(t.sealed_piece is None for t in session.get(Round, held.round_id).trustees)
        from civic.budget import trustees

        forgotten = session.get(Round, held.round_id)
        with pytest.raises(BudgetError):  # the shares open nothing any more
            trustees.open_key(forgotten, held.shares[:2])
    if not postgres(held):  # and nothing of them is left in the file
        on_disk = Path(held.engine.url.database).read_bytes()
        assert not any(c[:24] in on_disk for c in ciphertexts)
        assert not wal_path(held).exists() or wal_path(held).stat().st_size == 0


# --- The server's log -----------------------------------------------------------------


def test_vote_codes_and_choices_never_reach_a_url_a_log_or_a_cookie(
        app: Flask, client: Any, login_as: Any, db: Any, people: dict, quartier: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    project = factories.make_project(db, round_)
    letters = login_as(people["pilot"]).post(f"/admin/fph/sessions/{round_.id}/codes",
                                             data={"count": "1"}).get_data(as_text=True)
    code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2})</strong>", letters)[1]
    with client.session_transaction() as session:
        session.clear()
    requested = [f"/fph/{round_.id}/code"]  # what a phone sends for the QR's link
    client.get(requested[0])
    form = {"code": code, "name": "Zoé", "birth_date": "1999-09-09", "lives_in_quartier": "y",
            "project": [str(project.id)]}
    cookies = []
    for step in ("review", "cast"):
        answer = client.post(requested[0], data={**form, "step": step})
        cookies += answer.headers.getlist("Set-Cookie")
    assert "receipt" in answer.get_data(as_text=True)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (code, code.replace("-", ""), code.lower()):
        assert secret not in logged
        assert not any(secret in url for url in requested)
    serializer = app.session_interface.get_signing_serializer(app)
    for cookie in cookies:
        value = cookie.split(";")[0].split("=", 1)[1]
        content = serializer.loads(value) if value else {}
        assert set(content) <= {"_fresh", "_user_id", "_id", "csrf_token", "_flashes"}
        assert code not in json.dumps(content)


# --- The patient visitor --------------------------------------------------------------


def test_the_public_page_cannot_date_a_published_ballot(
        login_as: Any, client: Any, db: Any, quartier: Any, people: dict) -> None:
    """The visitor reloads the round page after each ballot, then hashes the published
    ballots every way they can think of and looks for them in what changed."""
    round_ = factories.make_round(db, factories.make_fund(db, quartier, approval_max=3),
                                  "vote")
    projects = [factories.make_project(db, round_, amount_cents=20_000).id for _ in range(8)]
    pages = []
    for n, chosen in enumerate(itertools.islice(itertools.combinations(projects, 3), VOTERS)):
        round_ = db.get(Round, round_.id)  # each page request ends the test's session
        services.cast(db, round_, Declaration(f"V{n}", date(1980, 1, 1 + n % 28), True),
                      dict.fromkeys(chosen, 1), channel=Channel.ONLINE, user=None, now=NOW,
                      today=TODAY)
        pages.append(client.get(f"/fph/{round_.id}").get_data(as_text=True))
    # Between two ballots, only the number of ballots changes.
    masked = {re.sub(r'Bulletins dans l’urne : \d+|name="csrf_token" value="[^"]+"', "", p)
              for p in pages}  # (the form token is the visitor's own, signed with a time)
    assert len(masked) == 1
    round_ = db.get(Round, round_.id)
    round_.vote_ends_at = NOW - timedelta(hours=1)
    db.flush()
    counting.count(db, round_, factories.SHARES[round_.id][:2], actor=people["pilot"],
                   now=NOW, small=11)
    counting.publish(db, round_, actor=people["pilot"], now=NOW)
    published = client.get(f"/fph/{round_.id}/bulletins.pb").get_data(as_text=True)
    lines = published.split("VOTES")[1].splitlines()[2:]
    import hashlib

    forms = set()
    for line in lines:
        voter, vote = line.split(";")[:2]
        for form in (line, f"{voter};{vote}", vote, json.dumps(dict.fromkeys(vote.split(","), 1)),
                     json.dumps(dict.fromkeys(vote.split(","), 1), separators=(",", ":"))):
            forms.add(int(hashlib.sha256(form.encode()).hexdigest(), 16))
    seen = [[int(h, 16) for h in re.findall(r"\b[0-9a-f]{64}\b", p)] for p in pages]
    differences = {(b - a) % 2**256 for before, after in itertools.pairwise(seen)
                   for a in before for b in after}
    assert not forms & differences
    assert not forms & {h for page in seen for h in page}


# --- The trustees ---------------------------------------------------------------------


@pytest.fixture
def closed(db: Any, quartier: Any) -> Round:
    """A round whose vote is over, with three ballots in its box."""
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "vote")
    a, b = (factories.make_project(db, round_).id for _ in range(2))
    for n, choice in enumerate(({a: 1}, {a: 1}, {b: 1})):
        services.cast(db, round_, Declaration(f"T{n}", date(1970, 1, 1 + n), True), choice,
                      channel=Channel.ONLINE, user=None, now=NOW, today=TODAY)
    round_.vote_ends_at = NOW - timedelta(hours=1)
    db.flush()
    return round_


def test_any_two_of_three_shares_count_alike(db: Any, closed: Round, people: dict) -> None:
    shares = factories.SHARES[closed.id]
    outcomes = []
    for pair in itertools.permutations(shares, 2):
        with db.begin_nested() as attempt:
            results = counting.count(db, closed, list(pair), actor=people["pilot"], now=NOW,
                                     small=11)
            outcomes.append((results["selected"], [p["score"] for p in results["projects"]]))
            attempt.rollback()
        db.expire_all()
    assert len(outcomes) == 6
    assert len(set(map(repr, outcomes))) == 1


@pytest.mark.parametrize(("damage", "code"), [
    (lambda s: [s[0]], "share_missing"),
    (lambda s: [s[0], ""], "share_missing"),
    (lambda s: [s[1], s[1]], "share_twice"),
    (lambda s: [s[0], s[1][:-8]], "share_malformed"),
    (lambda s: [s[0], s[1][:-1] + ("A" if s[1][-1] != "A" else "B")], "share_mistyped"),
    (lambda s: [s[0], "du texte au hasard"], "share_malformed"),
])
def test_a_missing_wrong_or_repeated_share_changes_nothing(
        db: Any, closed: Round, people: dict, damage: Any, code: str) -> None:
    seal = closed.seal
    with pytest.raises(BudgetError) as refused:
        counting.count(db, closed, damage(factories.SHARES[closed.id]), actor=people["pilot"],
                       now=NOW, small=11)
    assert refused.value.code == code
    assert closed.results is None
    assert closed.count_confirmed_at is None
    assert closed.seal == seal
    assert db.scalar(select(func.count()).select_from(Ballot)) == 0


def test_a_share_of_another_round_or_a_foreign_key_is_refused(db: Any, closed: Round,
                                                              quartier: Any,
                                                              people: dict) -> None:
    from civic.budget import box

    other = factories.make_round(db, factories.make_fund(db, quartier, year=2027), "vote")
    stranger = box.share_text(closed.id, 2, box.new_key()[0])  # well formed, wrong key
    for shares, code in (([factories.SHARES[closed.id][0], factories.SHARES[other.id][1]],
                          "share_other_round"),
                         ([factories.SHARES[closed.id][0], stranger], "share_wrong")):
        with pytest.raises(BudgetError) as refused:
            counting.count(db, closed, shares, actor=people["pilot"], now=NOW, small=11)
        assert refused.value.code == code
    assert closed.results is None


def test_a_box_sealed_in_one_process_is_counted_in_another(app: Flask,
                                                          database_url: str) -> None:
    """Nothing of the count key lives in a process between requests: the shares, given
    here, open a box in a fresh Python process that never saw it sealed."""
    engine = app.extensions["civic.engine"]
    with Session(engine) as setup:
        quartier = factories.make_quartier(setup, factories.make_contract(setup))
        round_ = factories.make_round(setup, factories.make_fund(setup, quartier), "vote")
        project = factories.make_project(setup, round_)
        services.cast(setup, round_, Declaration("Un", date(1970, 1, 1), True), {project.id: 1},
                      channel=Channel.ONLINE, user=None, now=NOW, today=TODAY)
        round_id, project_id, shares = round_.id, project.id, factories.SHARES[round_.id]
        setup.commit()
    script = (
        "import sys, json\n"
        "from datetime import datetime\n"
        "from civic import create_app\n"
        "from civic.budget import counting\n"
        "from civic.budget.models import Round\n"
        "from civic.core.db import session as db\n"
        "url, round_id, at, shares = json.loads(sys.stdin.read())\n"
        "app = create_app({'TESTING': True, 'SECRET_KEY': 'x', 'DATABASE_URL': url})\n"
        "with app.app_context(), db.begin():\n"
        "    results = counting.count(db(), db.get(Round, round_id), shares, actor=None,\n"
        "                             now=datetime.fromisoformat(at), small=11)\n"
        "print(json.dumps(results['selected']))\n")
    engine.dispose()  # SQLite: no connection of ours holds the log while the other runs
    try:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
            input=json.dumps([database_url, round_id, COUNT_AT.isoformat(), shares[1:]]),
            check=False)
        engine.dispose()
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1]) == [project_id]
        with Session(engine) as check:
            assert check.scalar(select(func.count()).select_from(Ballot).where(
                Ballot.round_id == round_id)) == 1
    finally:
        with engine.begin() as connection:
            connection.execute(delete(Ballot))
        _cleanup(engine)
