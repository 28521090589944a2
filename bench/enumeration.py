"""Whether the time of an answer tells that an address has an account.

Run with ``.venv/bin/python -m bench.enumeration``. For sign-up, "forgot password" and
login, the median server time with an address that has an account and with one that
has none, taken in turns on a fresh SQLite database. Aim: indistinguishable — the two
medians within 5 % of each other (the audit found 21–148 ms against 315–1 689 ms for
sign-up, Argon2 running only for new accounts).
"""

from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alembic import command
from flask.testing import FlaskClient

from civic import create_app
from civic.accounts import services
from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import session

RUNS = 40
AIM = 0.05
KNOWN = "known.person@example.org"
PASSWORD = "un mot de passe long"  # noqa: S105  (a bench account on a throwaway database)


def timed(send: Callable[[], object]) -> float:
    start = time.perf_counter()
    send()
    return (time.perf_counter() - start) * 1000


def compare(name: str, known: Callable[[], object], unknown: Callable[[], object]) -> bool:
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(RUNS):  # in turns, so that a slow moment of the machine hits both
        times["known"].append(timed(known))
        times["unknown"].append(timed(unknown))
    a, b = (statistics.median(times[k]) for k in ("known", "unknown"))
    gap = abs(a - b) / max(a, b)
    ok = gap <= AIM
    print(f"{name:<18}{a:>12.1f}{b:>14.1f}{gap * 100:>9.1f} %   "
          f"{'indistinguishable' if ok else 'DISTINGUISHABLE'}")
    return ok


def main() -> None:
    workdir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{workdir / 'bench.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "MAIL_OUTBOX": str(workdir),
                      "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "LOG_LEVEL": "WARNING"})
    with app.app_context():
        user = services.sign_up(session(), email=KNOWN, password=PASSWORD, display_name="Lina",
                                language="fr", quartier_id=None, now=clock.now()).user
        user.email_confirmed_at = clock.now()
        session.commit()
    client: FlaskClient = app.test_client()
    fresh = (f"person{n:04d}@example.org" for n in itertools.count())

    def sign_up(email: str) -> Callable[[], object]:
        return lambda: client.post("/inscription", data={
            "display_name": "Lina", "email": email, "password": PASSWORD, "quartier_id": ""})

    def sign_up_new() -> object:
        return sign_up(next(fresh))()

    def forgot(email: str) -> Callable[[], object]:
        return lambda: client.post("/mot-de-passe-oublie", data={"email": email})

    def log_in(email: str) -> Callable[[], object]:
        return lambda: client.post("/connexion", data={"email": email, "password": "pas le bon"})

    print(f"median server time, ms, {RUNS} runs each; aim: indistinguishable "
          f"(medians within {AIM:.0%})")
    print(f"{'':<18}{'has account':>12}{'has none':>14}{'gap':>11}")
    results = [compare("sign-up", sign_up(KNOWN), sign_up_new),
               compare("forgot password", forgot(KNOWN), forgot("nobody.here@example.org")),
               compare("login (wrong)", log_in(KNOWN), log_in("nobody.here@example.org"))]
    print("all indistinguishable" if all(results) else "some answers tell who has an account")


if __name__ == "__main__":
    main()
