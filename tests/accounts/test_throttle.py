"""Throttling per account, played by a guesser spread over many network addresses: the
account's tries are held back whatever address they come from, the person behind a busy
address is not, and an unknown address is answered exactly like a known one."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from limits import parse_many
from limits.storage import MemoryStorage

from civic import config, create_app
from civic.accounts import throttle
from civic.accounts.throttle import Rules, delay
from tests import factories
from tests.conftest import Outbox, empty_redis, test_config

TOO_MANY = re.compile(r"Trop d’essais : réessayez dans (\d+) minutes?\.")
WRONG = "Adresse e-mail ou mot de passe incorrect."
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')
#: A Redis database of each backend's run, so that the SQLite and PostgreSQL runs of CI
#: may go side by side.
REDIS_URL = ("redis://127.0.0.1:6379/13" if os.environ.get("CIVIC_TEST_DATABASE_URL")
             else "redis://127.0.0.1:6379/14")


class Clock:
    """``civic.core.clock.now``, moved by the test instead of waited for."""

    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment

    def move(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock(factories.NOW)
    monkeypatch.setattr("civic.core.clock.now", moving)
    return moving


def limited_app(database_url: str, outbox_dir: Path, **settings: Any) -> Flask:
    """An app with its limits on, as in production (the tests' app has them off)."""
    return create_app(test_config(database_url, outbox_dir, RATELIMIT_ENABLED=True, **settings))


@pytest.fixture
def limited(database_url: str, outbox_dir: Path) -> Flask:
    return limited_app(database_url, outbox_dir)


@pytest.fixture
def guarded(limited: Flask, db: Any) -> FlaskClient:
    """A client of ``limited``; ``db`` comes after the app, so that its requests see
    what the test flushed."""
    return limited.test_client()


def log_in(client: FlaskClient, email: str | None, password: str, address: str) -> Any:
    return client.post("/connexion", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def page(answer: Any) -> str:
    """The page, without its CSRF tokens (signed with the time, they differ each time)."""
    return CSRF.sub("", answer.get_data(as_text=True))


def waiting(answer: Any) -> int | None:
    """The minutes the page asks to wait, if it says "too many tries"."""
    found = TOO_MANY.search(answer.get_data(as_text=True))
    return int(found.group(1)) if found else None


@pytest.mark.parametrize(("failures", "seconds"), [
    (1, 0), (4, 0), (5, 2), (6, 4), (7, 8), (12, 256), (13, 512), (14, 900), (15, 900),
    (10_000, 900),
])
def test_waits_double_after_the_free_tries_up_to_the_cap(failures: int, seconds: int) -> None:
    assert delay(failures, Rules(free_tries=5, max_delay=900)) == seconds


def test_ten_addresses_guessing_one_account_are_held_back(
        guarded: FlaskClient, db: Any, clock: Clock) -> None:
    rania = factories.make_user(db, display_name="Rania")
    answers = [log_in(guarded, rania.email, f"essai numéro {n}", f"203.0.113.{n}")
               for n in range(1, 11)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 5
    assert all(WRONG in a.get_data(as_text=True) for a in answers[:5])
    assert [waiting(a) for a in answers[5:]] == [1] * 5
    # The right password, from yet another address, during the wait: the same refusal.
    right = log_in(guarded, rania.email, factories.PASSWORD, "198.51.100.7")
    assert right.status_code == 429
    assert page(right) == page(answers[-1])

    clock.move(seconds=3)  # the 2 s wait is over
    assert log_in(guarded, rania.email, factories.PASSWORD, "198.51.100.7").status_code == 302
    # A login starts the count again: the free tries are back.
    guarded.post("/deconnexion")
    again = [log_in(guarded, rania.email, "encore faux", "203.0.113.99") for _ in range(5)]
    assert [a.status_code for a in again] == [200] * 5
    assert log_in(guarded, rania.email, "encore faux", "203.0.113.99").status_code == 429


def test_each_failure_after_a_wait_doubles_the_next_wait_up_to_15_minutes(
        guarded: FlaskClient, db: Any, clock: Clock) -> None:
    omar = factories.make_user(db, display_name="Omar")
    for n in range(5):
        log_in(guarded, omar.email, "pas le bon", f"192.0.2.{n}")
    minutes = []
    for n in range(11):
        refused = log_in(guarded, omar.email, "pas le bon", f"192.0.2.{100 + n}")
        minutes.append(waiting(refused))
        clock.move(minutes=minutes[-1] or 0)  # then one more failure, after the wait
        assert WRONG in log_in(guarded, omar.email, "pas le bon",
                               f"192.0.2.{200 + n}").get_data(as_text=True)
    # 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900 seconds, as the page rounds them up
    assert minutes == [1, 1, 1, 1, 1, 2, 3, 5, 9, 15, 15]


def test_a_reset_link_ends_the_wait_for_the_owner_of_the_mailbox(
        guarded: FlaskClient, db: Any, clock: Clock, outbox: Outbox) -> None:
    rania = factories.make_user(db, display_name="Rania")
    for n in range(6):
        log_in(guarded, rania.email, "pas le bon", f"203.0.113.{n}")
    assert waiting(log_in(guarded, rania.email, factories.PASSWORD, "198.51.100.8")) == 1
    guarded.post("/mot-de-passe-oublie", data={"email": rania.email},
                 environ_base={"REMOTE_ADDR": "198.51.100.8"})
    (message,) = outbox.messages
    link = re.search(r"http://localhost(/mot-de-passe/\S+)", outbox.body(message))
    assert link
    assert guarded.post(link.group(1), data={"password": "trois chats dorment"},
                        environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 302
    assert log_in(guarded, rania.email, "trois chats dorment", "198.51.100.8"
                  ).status_code == 302


def test_another_account_behind_the_same_address_is_not_held_back(
        guarded: FlaskClient, db: Any, clock: Clock) -> None:
    guessed = factories.make_user(db)
    neighbour = factories.make_user(db)
    shared = "100.64.0.1"  # a permanence's Wi-Fi, a mobile operator's gateway
    for _ in range(10):
        log_in(guarded, guessed.email, "pas le bon", shared)
    assert waiting(log_in(guarded, guessed.email, factories.PASSWORD, shared)) == 1
    assert log_in(guarded, neighbour.email, factories.PASSWORD, shared).status_code == 302


@pytest.fixture
def strict(database_url: str, outbox_dir: Path) -> Flask:
    return limited_app(database_url, outbox_dir, LOGIN_RATE_LIMIT="8 per minute")


def test_one_address_still_has_a_limit_of_its_own_looser_than_an_accounts(
        strict: Flask, db: Any, clock: Clock, tmp_path: Path) -> None:
    by_default = parse_many(str(config.load(tmp_path)["LOGIN_RATE_LIMIT"]))
    assert by_default[0].amount >= 5 * Rules().free_tries  # a permanence's Wi-Fi is busy
    client = strict.test_client()  # 8 a minute, so that the test reaches it soon
    # Someone trying one common password on many accounts, from one address.
    codes = [log_in(client, f"sprayed{n}@example.org", "Password1234", "100.64.9.9").status_code
             for n in range(9)]
    assert codes == [200] * 8 + [429]
    assert log_in(client, "sprayed0@example.org", "Password1234", "100.64.9.10"
                  ).status_code == 200


def test_an_unknown_address_is_answered_exactly_like_a_known_one(
        guarded: FlaskClient, db: Any, clock: Clock) -> None:
    known = factories.make_user(db, email="known.person@example.org")
    unknown = "other.person@example.org"  # the same length: the pages are compared whole
    assert len(unknown) == len(known.email or "")

    def tries(email: str, first: int) -> list[tuple[int, str]]:
        answers = [log_in(guarded, email, "pas le bon", f"10.1.{first}.{n}") for n in range(8)]
        return [(a.status_code, page(a).replace(email, "ADDRESS")) for a in answers]

    assert tries(known.email or "", 1) == tries(unknown, 2)


def test_the_store_never_holds_an_address(
        limited: Flask, guarded: FlaskClient, db: Any, clock: Clock) -> None:
    person = factories.make_user(db, email="lina.haddad@example.org")
    for _ in range(6):
        log_in(guarded, person.email, "pas le bon", "10.2.0.1")
    storage = limited.extensions["civic.throttle"].storage
    keys = list(storage.storage)  # memory://: a dict of counters
    assert any(key.startswith("civic/login-failures/") for key in keys)
    assert not [key for key in keys if "lina" in key or "@" in key or "example" in key]


def sign_up(client: FlaskClient, email: str, address: str) -> Any:
    return client.post("/inscription", data={"display_name": "Lina", "email": email,
                                             "password": "un mot de passe long",
                                             "quartier_id": ""},
                       environ_base={"REMOTE_ADDR": address})


def forgot(client: FlaskClient, email: str, address: str) -> Any:
    return client.post("/mot-de-passe-oublie", data={"email": email},
                       environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize(("send", "answered"), [(sign_up, 302), (forgot, 200)])
def test_sign_ups_and_reset_mails_for_one_address_are_limited_alike_known_or_not(
        guarded: FlaskClient, db: Any, outbox: Outbox, send: Any, answered: int) -> None:
    known = factories.make_user(db, email="known.person@example.org").email or ""
    unknown = "other.person@example.org"  # the same length: the pages are compared whole

    def four_times(email: str) -> list[tuple[int, str]]:
        pages = [send(guarded, email, f"10.3.{n}.{len(outbox.messages)}") for n in range(4)]
        return [(p.status_code, TOO_MANY.sub("TOO MANY", page(p)).replace(email, "ADDRESS"))
                for p in pages]

    for_known = four_times(known)
    assert for_known == four_times(unknown)
    assert [status for status, _page in for_known] == [answered] * 3 + [429]
    assert "TOO MANY" in for_known[3][1]
    # three mails to each address, not four
    recipients = sorted(str(m["To"]) for m in outbox.messages)
    assert recipients == sorted([known] * 3 + [unknown] * 3)


# --- Several app machines -------------------------------------------------------------


@pytest.fixture
def redis_db() -> Iterator[Any]:
    """Redis db 14, empty before and after."""
    yield from empty_redis(REDIS_URL)


@pytest.fixture
def on_redis(database_url: str, outbox_dir: Path, redis_db: Any) -> list[Flask]:
    """Two app machines with the same settings, each its own connection to Redis."""
    return [limited_app(database_url, outbox_dir, RATELIMIT_STORAGE_URI=REDIS_URL)
            for _ in range(2)]


@pytest.fixture
def on_memory(database_url: str, outbox_dir: Path) -> list[Flask]:
    return [limited_app(database_url, outbox_dir) for _ in range(2)]


def test_two_app_machines_on_redis_share_an_accounts_count(
        on_redis: list[Flask], redis_db: Any, db: Any, clock: Clock) -> None:
    first, second = on_redis
    assert first.extensions["civic.throttle"] is not second.extensions["civic.throttle"]
    person = factories.make_user(db, email="rania.k@example.org")
    machines = [first.test_client(), second.test_client()]
    answers = [log_in(machines[n % 2], person.email, "pas le bon", f"10.5.0.{n}")
               for n in range(5)]  # 3 tries on the first machine, 2 on the second
    assert [a.status_code for a in answers] == [200] * 5
    for machine in machines:  # both know that the account must wait
        assert waiting(log_in(machine, person.email, factories.PASSWORD, "10.5.1.1")) == 1
    keys = [key.decode() for key in redis_db.keys("*")]
    assert any("civic/login-wait/" in key for key in keys)
    assert not [key for key in keys if "rania" in key or "@" in key]
    clock.move(seconds=3)
    assert log_in(machines[1], person.email, factories.PASSWORD, "10.5.1.1").status_code == 302
    assert redis_db.keys("*civic/login-*") == []  # the login cleared the account's count


def test_on_memory_each_machine_counts_alone(
        on_memory: list[Flask], db: Any, clock: Clock) -> None:
    """What README warns of: without Redis, a guesser who alternates two machines gets
    the free tries of each (the Redis test above is the cure)."""
    first, second = (app.test_client() for app in on_memory)
    person = factories.make_user(db)
    for n in range(5):
        log_in(first, person.email, "pas le bon", f"10.6.0.{n}")
    assert waiting(log_in(first, person.email, "pas le bon", "10.6.1.1")) == 1
    assert WRONG in log_in(second, person.email, "pas le bon", "10.6.1.1").get_data(as_text=True)


def test_storage_keys_are_a_keyed_hash_of_the_normalised_address() -> None:
    one = throttle.Throttle(MemoryStorage(), b"secret one")
    other = throttle.Throttle(MemoryStorage(), b"secret two")
    key = one.key("login-failures", " Lina@Example.org ")
    assert key == one.key("login-failures", "lina@example.org")
    assert key != other.key("login-failures", "lina@example.org")
    assert re.fullmatch(r"civic/login-failures/[0-9a-f]{32}", key)
