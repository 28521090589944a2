"""Compressed answers as a browser sees them: JSON, GeoJSON, CSS, JS and iCal compressed
and unchanged once decoded; HTML never (BREACH); the map's GeoJSON still answered 304
when the browser sends back the validator of the compressed form it received."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import brotli
import pytest

from civic import create_app
from tests import factories
from tests.conftest import test_config

EVERY = "gzip, deflate, br, zstd"


def _decoded(response: Any) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(response.data)
    if encoding == "br":
        return bytes(brotli.decompress(response.data))
    assert encoding is None, encoding
    return bytes(response.data)


def _points(db: Any, quartier: Any, n: int = 30) -> None:
    for i in range(n):
        factories.make_point(db, quartier, text=f"Trottoir défoncé devant le numéro {i}")


def _geojson_url(quartier: Any) -> str:
    return f"/quartiers/{quartier.code}/carte/points.geojson"


@pytest.mark.parametrize(("accept", "encoding"), [
    ("gzip", "gzip"), ("br", "br"), (EVERY, "br"), ("gzip;q=1.0, br;q=0.5", "gzip")])
def test_the_geojson_is_compressed_as_asked_and_decodes_to_the_same_body(
        client: Any, db: Any, quartier: Any, accept: str, encoding: str) -> None:
    _points(db, quartier)
    plain = client.get(_geojson_url(quartier))
    assert plain.headers.get("Content-Encoding") is None
    assert len(plain.data) > 2000
    packed = client.get(_geojson_url(quartier), headers={"Accept-Encoding": accept})
    assert packed.status_code == 200
    assert packed.mimetype == "application/geo+json"
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert _decoded(packed) == plain.data


def test_json_css_js_and_ical_are_compressed_too(client: Any, db: Any, quartier: Any,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: factories.NOW)
    for i in range(5):
        factories.make_event(db, quartier, title=f"Café des habitants n° {i}")
    for url in ("/api/v1/openapi.json", "/evenements.ics",
                "/static/css/civic.css", "/static/js/map.js",
                "/static/vendor/leaflet/leaflet.js"):
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.status_code == 200, url
        assert packed.headers.get("Content-Encoding") == "gzip", url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert _decoded(packed) == plain.data, url


def test_a_small_answer_is_left_as_it_is(client: Any, db: Any) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": EVERY})
    assert response.headers.get("Content-Encoding") is None
    assert response.json == {"status": "alive"}


def test_no_page_is_compressed_even_with_its_csrf_token_next_to_reflected_input(
        database_url: str, outbox_dir: Path) -> None:
    """BREACH: a page holding the session's CSRF token and what the visitor typed is sent
    uncompressed, whatever the browser accepts."""
    app = create_app(test_config(database_url, outbox_dir, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    form = client.get("/connexion").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    guess = "csrf_token" + "A" * 40
    answer = client.post("/connexion", headers={"Accept-Encoding": EVERY}, data={
        "email": guess, "password": "x", "csrf_token": token.group(1)})
    page = answer.get_data(as_text=True)
    assert answer.mimetype == "text/html"
    assert re.search(r'name="csrf_token" value="[^"]{20,}"', page)
    assert guess in page  # the form sends back what was typed: the attacker's guess
    assert answer.headers.get("Content-Encoding") is None
    assert "Accept-Encoding" in answer.headers["Vary"]
    for url in ("/", "/connexion", "/evenements"):
        response = client.get(url, headers={"Accept-Encoding": EVERY})
        assert response.status_code == 200, url
        assert response.headers.get("Content-Encoding") is None, url
        assert response.get_data(as_text=True).lower().startswith("<!doctype html>"), url


@pytest.mark.parametrize("accept", ["gzip", "br", None])
def test_a_browser_sending_back_the_validator_it_got_gets_304_without_a_new_read(
        client: Any, db: Any, quartier: Any, monkeypatch: Any, accept: str | None) -> None:
    _points(db, quartier)
    headers = {"Accept-Encoding": accept} if accept else {}
    first = client.get(_geojson_url(quartier), headers=headers)
    etag = first.headers["ETag"]
    assert first.headers.get("Content-Encoding") == accept
    assert etag.endswith(f':{accept}"') if accept else ":" not in etag

    def no_second_read(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the points were read again for a 304")

    monkeypatch.setattr("civic.map.queries.rows", no_second_read)
    again = client.get(_geojson_url(quartier), headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "Accept-Encoding" in again.headers["Vary"]


def test_a_changed_map_is_not_answered_304_on_an_old_compressed_validator(
        client: Any, db: Any, quartier: Any) -> None:
    _points(db, quartier)
    headers = {"Accept-Encoding": "gzip"}
    first = client.get(_geojson_url(quartier), headers=headers)
    factories.make_point(db, quartier, text="Un nouveau point, publié après")
    for held in (first.headers["ETag"], first.headers["ETag"].replace(":gzip", "")):
        changed = client.get(_geojson_url(quartier), headers={**headers, "If-None-Match": held})
        assert changed.status_code == 200, held
        assert "Un nouveau point" in _decoded(changed).decode()
        assert changed.headers["ETag"] != first.headers["ETag"]
    # A validator made up from the current one plus a foreign suffix is not a match.
    current = changed.headers["ETag"].removesuffix(':gzip"')
    forged = client.get(_geojson_url(quartier),
                        headers={**headers, "If-None-Match": f'{current}:evil"'})
    assert forged.status_code == 200


def test_a_part_of_a_static_file_is_sent_as_the_file_bytes(client: Any, db: Any) -> None:
    """A resumed download asks for bytes of the file: they are sent as they are, since the
    Content-Range counts the file's own bytes."""
    whole = (Path(client.application.static_folder) / "vendor/leaflet/leaflet.js").read_bytes()
    part = client.get("/static/vendor/leaflet/leaflet.js",
                      headers={"Accept-Encoding": EVERY, "Range": "bytes=1000-20999"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-20999/{len(whole)}"
    assert part.headers.get("Content-Encoding") is None
    assert part.data == whole[1000:21000]
