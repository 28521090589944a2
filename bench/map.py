"""The quartier map with 50 and 5 000 published points: page weight, GeoJSON, drawing time.

Run with ``make bench-map``. On a temporary SQLite database (Alembic, demo seed), Grand
Mirail (QP031007) is topped up to each size by a bulk insert of published points spread
inside its perimeter (fixed random seed). No tile layer: nothing is fetched from outside.

1. The page's own bytes: HTML of /quartiers/QP031007/carte plus the CSS and JS it links
   under /static/, gzip -9; not the GeoJSON, not tiles. Aim: ≤ 250 KB at any size.
2. The GeoJSON: raw and gzipped bytes, median server time (Flask test client) over 20
   requests, and over 20 conditional requests answered 304. Then the bytes the app itself
   sends for the largest size (Flask-Compress, ``Accept-Encoding: gzip``, and brotli).
   Aim: 5 000 points ≤ 120 KB on the wire.
3. Headless Chromium on a 390×844 viewport against a local werkzeug server, every request
   not to 127.0.0.1 blocked: time from navigation start until ``.map-box`` has
   ``data-markers`` equal to the number of points (performance.now()); map.js sets it once
   the cluster group has placed every marker. Median of 5 loads, each in a fresh browser
   context (cold cache). Aim: 5 000 points drawn in ≤ 1.5 s.
"""

from __future__ import annotations

import gzip
import logging
import random
import re
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from playwright.sync_api import Browser, Route, sync_playwright
from sqlalchemy import func, insert, select
from werkzeug.serving import make_server

from civic import create_app
from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import session
from civic.demo import seed
from civic.map import geometry
from civic.map.models import CATEGORIES, MapPoint
from civic.territory.models import Quartier

CODE = "QP031007"
PAGE, POINTS = f"/quartiers/{CODE}/carte", f"/quartiers/{CODE}/carte/points.geojson"
SIZES = (50, 5000)
SIZE_AIM, DRAW_AIM_MS = 250 * 1024, 1500.0
WIRE_AIM = 120 * 1024
RUNS, LOADS = 20, 5
TEXTS = ("Le trottoir est défoncé devant l’arrêt de bus, les poussettes passent sur la route.",
         "Le jardin partagé est bien entretenu, on s’y retrouve le samedi matin.",
         "Les poubelles débordent depuis une semaine au pied de l’immeuble.",
         "Nouveau banc à l’ombre près de l’aire de jeux : merci !")


def top_up(quartier: Quartier, size: int, rng: random.Random) -> None:
    """Bulk-insert published points until the quartier has ``size`` of them."""
    have = session.scalar(select(func.count()).select_from(MapPoint).where(
        MapPoint.quartier_id == quartier.id, MapPoint.moderation == "published")) or 0
    (south, west), (north, east) = geometry.bounds(quartier.perimeter)
    now, rows = clock.now(), []
    while len(rows) < size - have:
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        if geometry.contains(quartier.perimeter, lat, lon):
            n = have + len(rows)
            rows.append({"quartier_id": quartier.id, "polarity": ("positive", "negative")[n % 2],
                         "category": CATEGORIES[n % len(CATEGORIES)], "text": TEXTS[n % 4],
                         "latitude": lat, "longitude": lon, "created_at": now,
                         "moderation": "published", "moderated_at": now})
    if rows:
        session.execute(insert(MapPoint), rows)
    session.commit()


def page_bytes(client: FlaskClient, path: str = PAGE) -> int:
    html = client.get(path).data
    assets = re.findall(
        r'<(?:link[^>]*\bhref|script[^>]*\bsrc)="(/static/[^"?]+\.(?:css|js)(?:\?[^"]*)?)"',
        html.decode())
    return len(gzip.compress(html + b"".join(client.get(src).data for src in assets), 9))


def median_ms(client: FlaskClient, headers: dict[str, str], status: int) -> float:
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(POINTS, headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == status, response.status_code
    return statistics.median(timings)


def wire_bytes(client: FlaskClient, encoding: str) -> int:
    """The GeoJSON's size as the app sends it to a browser that accepts ``encoding``."""
    response = client.get(POINTS, headers={"Accept-Encoding": encoding})
    assert response.headers.get("Content-Encoding") == encoding, response.headers
    return len(response.data)


def draw_ms(browser: Browser, base: str, size: int) -> float:
    """Median time from navigation start until map.js reports ``size`` markers."""
    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    timings = []
    for _ in range(LOADS):
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      is_mobile=True, has_touch=True, device_scale_factor=3)
        context.route("**/*", local_only)
        page = context.new_page()
        page.goto(base + PAGE)
        markers, at = page.wait_for_function(
            """() => { const n = document.querySelector('.map-box')?.dataset.markers;
                      return n && [n, performance.now()]; }""",
            timeout=60_000).json_value()
        context.close()
        if markers != str(size):  # "error", or points missing: not drawn at all
            print(f"map.js reported data-markers={markers!r}, not {size}")
            at = float("inf")
        timings.append(at)
    return statistics.median(timings)


def main() -> None:
    from alembic import command

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no request log
    workdir = Path(tempfile.mkdtemp())
    try:
        url = f"sqlite:///{workdir / 'bench.db'}"
        command.upgrade(alembic_config(url), "head")
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "MAIL_OUTBOX": str(workdir),
                          "RATELIMIT_ENABLED": False, "TILE_URL": "", "LOG_LEVEL": "WARNING"})
        with app.app_context():
            seed(echo=False)
            session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        client, rng, results = app.test_client(), random.Random(2024), {}
        print(f"{'points':>7}{'page KB gz':>12}{'aim':>5}{'geojson KB':>12}{'KB gz':>7}"
              f"{'200 ms':>8}{'304 ms':>8}{'drawn ms':>10}{'aim':>6}", flush=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--headless", "--no-sandbox"])
            for size in SIZES:
                with app.app_context():
                    top_up(session.scalar(select(Quartier).where(Quartier.code == CODE)),
                           size, rng)
                body = client.get(POINTS)
                assert body.json
                assert len(body.json["features"]) == size
                page_gz, raw, raw_gz = page_bytes(client), len(body.data), len(
                    gzip.compress(body.data, 9))
                full, conditional = median_ms(client, {}, 200), median_ms(
                    client, {"If-None-Match": body.headers["ETag"]}, 304)
                drawn = draw_ms(browser, base, size)
                results[size] = (page_gz, drawn)
                aim = f"{DRAW_AIM_MS:.0f}" if size == max(SIZES) else "-"
                print(f"{size:>7}{page_gz / 1024:>12.1f}{SIZE_AIM // 1024:>5}{raw / 1024:>12.1f}"
                      f"{raw_gz / 1024:>7.1f}{full:>8.1f}{conditional:>8.2f}{drawn:>10.0f}{aim:>6}",
                      flush=True)
            browser.close()
        server.shutdown()
        # An event's page with the small map of its place (the demo's first event has one).
        event_gz = page_bytes(client, "/evenements/1")
        print(f"event page with its map: {event_gz / 1024:.1f} KB gz (aim {SIZE_AIM // 1024})")
        worst_size = max([event_gz, *(page_gz for page_gz, _ in results.values())])
        gz, br = wire_bytes(client, "gzip"), wire_bytes(client, "br")
        print(f"{max(SIZES)} points GeoJSON on the wire: {gz / 1024:.1f} KB gzip, "
              f"{br / 1024:.1f} KB br (aim ≤ {WIRE_AIM // 1024} KB) — "
              f"{'met' if max(gz, br) <= WIRE_AIM else 'MISSED'}")
        drawn = results[max(SIZES)][1]
        print(f"page ≤ {SIZE_AIM // 1024} KB gz: {worst_size / 1024:.1f} KB — "
              f"{'met' if worst_size <= SIZE_AIM else 'MISSED'}; "
              f"{max(SIZES)} points drawn ≤ {DRAW_AIM_MS:.0f} ms: {drawn:.0f} ms — "
              f"{'met' if drawn <= DRAW_AIM_MS else 'MISSED'}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
