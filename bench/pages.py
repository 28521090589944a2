"""Page budgets on demo data: own HTML+CSS+JS compressed size, server time, SQL queries.

Run with ``make bench``. Aims (DESIGN.md): ≤ 60 KB compressed per page, ≤ 20 ms median
server time, a number of queries that does not grow with the data.
"""

from __future__ import annotations

import gzip
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from civic import create_app
from civic.accounts.models import User
from civic.core.cli import alembic_config
from civic.core.db import session
from civic.demo import seed

SIZE_AIM = 60 * 1024
TIME_AIM_MS = 20.0
RUNS = 50

PUBLIC = ["/", "/quartiers/QP031007", "/credits", "/confidentialite", "/inscription",
          "/connexion", "/fph/1", "/fph/3", "/fph/3/resultats", "/fph/projets/1", "/fph/recu",
          "/quartiers/QP031007/idees", "/quartiers/QP031007/idees?q=ecole&sort=supported",
          "/idees/1", "/qui-fait-quoi", "/quartiers/QP031007/carte/liste", "/points/1",
          "/evenements", "/quartiers/QP031007/evenements", "/evenements/calendrier",
          "/evenements/3", "/evenements/3/inscription", "/evenements.ics"]
#: Pages with a map are measured by bench/map.py, against the map page's own aim.
PILOT = ["/compte", "/admin/", "/admin/quartiers", "/admin/signataires", "/admin/roles",
         "/admin/journal", "/admin/fph", "/fph/1/depouillement",
         "/admin/fph/sessions/1/codes"]
ANIMATOR = ["/permanence", "/permanence/1", "/permanence/1/papier/1",
            "/permanence/quartiers/QP031007/idee", "/evenements/gerer", "/evenements/2/inscrits",
            "/evenements/5/presences", "/quartiers/QP031007/permanences"]
MODERATOR = ["/moderation", "/moderation/idea/6"]


def main() -> None:
    from alembic import command

    workdir = Path(tempfile.mkdtemp())
    url = f"sqlite:///{workdir / 'bench.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "MAIL_OUTBOX": str(workdir),
                      "RATELIMIT_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        seed(echo=False)
        session.commit()
        ids = {user.email: user.get_id() for user in session.scalars(select(User))}
    engine = app.extensions["civic.engine"]
    queries = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: object) -> None:
        queries["n"] += 1

    client = app.test_client()
    print(f"{'page':<30}{'KB gz':>8}{'aim':>6}{'median ms':>11}{'aim':>6}{'queries':>9}")
    worst_size = worst_time = 0.0
    for who, urls in (("visitor", PUBLIC), ("pilote@example.org", PILOT),
                      ("animatrice@example.org", ANIMATOR),
                      ("moderateur@example.org", MODERATOR)):
        if who != "visitor":
            with client.session_transaction() as s:
                s["_user_id"] = ids[who]
                s["_fresh"] = True
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            html = response.data
            assets = b"".join(
                client.get(src).data for src in re.findall(
                    r'(?:src|href)="(/static/[^"?]+\.(?:css|js)(?:\?[^"]*)?)"', html.decode()))
            size = len(gzip.compress(html + assets, 9))
            timings = []
            for _ in range(RUNS):
                queries["n"] = 0
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            median = statistics.median(timings)
            worst_size, worst_time = max(worst_size, size), max(worst_time, median)
            print(f"{url:<30}{size / 1024:>8.1f}{SIZE_AIM // 1024:>6}{median:>11.2f}"
                  f"{TIME_AIM_MS:>6.0f}{queries['n']:>9}")
    verdict = "within" if worst_size <= SIZE_AIM and worst_time <= TIME_AIM_MS else "OVER"
    print(f"worst: {worst_size / 1024:.1f} KB gz, {worst_time:.2f} ms median — {verdict} aims")
    print(f"session check: +{_session_cost(app, ids['pilote@example.org'])} reads "
          "on a logged-in page (aim: at most 1, one indexed read of the account)")


def _session_cost(app: Any, login_id: str) -> int:
    """Reads of a page that reads nothing else, logged in minus anonymous: the cost of
    checking the session's cookie (its account and its generation). SQLite's BEGIN,
    which opens the request's transaction, is not a read."""
    reads = {"n": 0}

    @event.listens_for(app.extensions["civic.engine"], "before_cursor_execute")
    def _read(_conn: Any, _cursor: Any, statement: str, *_args: object) -> None:
        reads["n"] += statement.lstrip().upper().startswith("SELECT")

    def cost(client: Any) -> int:
        client.get("/credits")
        reads["n"] = 0
        client.get("/credits")
        return reads["n"]

    anonymous = cost(app.test_client())
    logged_in = app.test_client()
    with logged_in.session_transaction() as s:
        s["_user_id"] = login_id
        s["_fresh"] = True
    return cost(logged_in) - anonymous


if __name__ == "__main__":
    main()
