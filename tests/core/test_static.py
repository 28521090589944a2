"""Static files: their URL names their content, so a browser keeps them a year and still
gets a new file the moment it changes; nothing else is kept that long."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for

from civic import ROOT
from tests import factories

YEAR = "public, max-age=31536000, immutable"


def _version(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:12]


@pytest.fixture
def folder(app: Any, tmp_path: Path, monkeypatch: Any) -> Path:
    """The app serves its static files from an empty temporary folder."""
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "css").mkdir()
    return tmp_path


def _url(app: Any, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_the_url_changes_with_the_content(app: Any, client: Any, folder: Path) -> None:
    style = folder / "css" / "site.css"
    style.write_bytes(b"body { color: black; }")
    before = _url(app, "css/site.css")
    assert before == f"/static/css/site.css?v={_version(b'body { color: black; }')}"
    assert _url(app, "css/site.css") == before  # the same file, the same URL

    style.write_bytes(b"body { color: #1d4e89; margin: 0; }")
    after = _url(app, "css/site.css")
    assert after != before
    assert after == f"/static/css/site.css?v={_version(b'body { color: #1d4e89; margin: 0; }')}"

    new = client.get(after)
    assert new.data == b"body { color: #1d4e89; margin: 0; }"
    assert new.headers["Cache-Control"] == YEAR
    # A page still holding the old URL gets today's file, which it must not keep a year.
    old = client.get(before)
    assert old.status_code == 200
    assert old.data == b"body { color: #1d4e89; margin: 0; }"
    assert "immutable" not in old.headers["Cache-Control"]
    assert "31536000" not in old.headers["Cache-Control"]


def test_a_url_for_a_missing_or_outside_file_carries_no_version(app: Any, folder: Path) -> None:
    (folder.parent / "secret.txt").write_text("not to be hashed")
    assert _url(app, "css/missing.css") == "/static/css/missing.css"
    assert "v=" not in _url(app, "../secret.txt")


def test_only_the_right_version_is_kept_a_year(client: Any, db: Any) -> None:
    right = client.get(_url(client.application, "css/civic.css"))
    assert right.status_code == 200
    assert right.headers["Cache-Control"] == YEAR
    unversioned = client.get("/static/css/civic.css")
    assert unversioned.status_code == 200
    assert unversioned.headers["Cache-Control"] == "public, max-age=300"
    for wrong in ("000000000000", "", "7e0e7bfdc30c' OR '1", "x" * 200):
        answer = client.get("/static/css/civic.css", query_string={"v": wrong})
        assert answer.status_code == 200, wrong
        assert answer.headers["Cache-Control"] == "no-cache", wrong
        assert "Expires" not in answer.headers, wrong
    # The year-long answer still revalidates like any other (a forced reload).
    again = client.get(_url(client.application, "css/civic.css"),
                       headers={"If-None-Match": right.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == YEAR


def _static_links(page: str) -> list[str]:
    return re.findall(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="(/static/[^"]+)"', page)


def test_pages_link_every_static_file_by_its_version(client: Any, db: Any, quartier: Any,
                                                    monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: factories.NOW)
    event = factories.make_event(db, quartier, latitude=43.575, longitude=1.405)
    static = Path(client.application.static_folder)
    seen = set()
    for url in ("/", f"/quartiers/{quartier.code}/carte", f"/evenements/{event.id}",
                "/connexion"):
        page = client.get(url).get_data(as_text=True)
        links = _static_links(page)
        assert links, url
        for link in links:
            parts = urlsplit(link.replace("&amp;", "&"))
            [version] = parse_qs(parts.query)["v"]
            filename = parts.path.removeprefix("/static/")
            assert version == _version((static / filename).read_bytes()), link
            seen.add(filename)
    assert {"css/civic.css", "vendor/leaflet/leaflet.js", "js/map.js"} <= seen


def test_no_template_script_or_style_writes_a_static_path_by_hand() -> None:
    """Every link to a static file goes through url_for, so that it carries its version;
    files under static/ refer to each other by relative paths only."""
    offenders = []
    for path in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static").rglob("*.js"),
                 *(ROOT / "static").rglob("*.css"), *(ROOT / "civic").rglob("*.py")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"""["'(]/static/""", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
