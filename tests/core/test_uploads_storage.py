"""Where photos are kept and how they are served: on one machine's disk (``local``) or in
the database (``database``), which every app machine behind the load balancer reads.

A "machine" here is an app built by ``create_app`` on the test database with an upload
folder of its own; two of them stand for two app servers.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import event, func, select

from civic import config as settings
from civic import create_app
from civic.budget.models import Project
from civic.core.storage import StoredFile
from civic.core.uploads import reencode, store
from civic.ideas.models import Idea
from civic.map.models import MapPoint
from tests import factories
from tests.conftest import test_config
from tests.factories import NOW

YEAR = 365 * 24 * 3600


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: Any) -> None:
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)


@pytest.fixture(scope="module")
def machines(database_url: str, outbox_dir: Path, app: Flask,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Flask]]:
    """Two machines storing photos in the database, two keeping them on their disk."""
    made = {name: create_app(test_config(
        database_url, outbox_dir, UPLOAD_STORAGE=storage,
        UPLOAD_DIR=str(tmp_path_factory.mktemp(f"uploads-{name}"))))
        for name, storage in (("a", "database"), ("b", "database"),
                              ("local", "local"), ("other_local", "local"))}
    yield made
    for machine in made.values():
        machine.extensions["civic.engine"].dispose()


@pytest.fixture(autouse=True)
def empty_upload_dirs(machines: dict[str, Flask]) -> None:
    for machine in machines.values():
        for path in Path(machine.config["UPLOAD_DIR"]).glob("*"):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _files(machine: Flask) -> list[str]:
    return sorted(os.listdir(machine.config["UPLOAD_DIR"]))


def _rows(db: Any, name: str | None = None) -> int:
    query = select(func.count()).select_from(StoredFile)
    if name is not None:
        query = query.where(StoredFile.name == name)
    return int(db.scalar(query))


def _login(machine: Flask, user: Any) -> FlaskClient:
    client = machine.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _photo(colour: str = "orange") -> io.BytesIO:
    """A PNG carrying EXIF with a camera maker and a GPS position."""
    image = Image.new("RGB", (64, 48), colour)
    exif = Image.Exif()
    exif[0x010F] = "Téléphone"
    exif[0x8825] = {1: "N", 2: (43.0, 34.0, 30.0), 3: "E", 4: (1.0, 24.0, 18.0)}
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif)
    out.seek(0)
    return out


def _post_idea(client: FlaskClient, quartier: Any) -> Any:
    return client.post(f"/quartiers/{quartier.code}/idees/proposer", data={
        "title": "Un banc cassé", "body": "Le banc devant l’école est cassé.",
        "photo": (_photo(), "banc.png")}, content_type="multipart/form-data")


def _post_point(client: FlaskClient, quartier: Any) -> Any:
    return client.post(f"/quartiers/{quartier.code}/carte/ajouter", data={
        "polarity": "negative", "category": "safety", "text": "Lampadaire éteint",
        "latitude": "43.575", "longitude": "1.405", "photo": (_photo(), "lampe.png")},
        content_type="multipart/form-data")


FORMS = {"idea": (_post_idea, Idea), "point": (_post_point, MapPoint)}


def _posted_photo(db: Any, machine: Flask, user: Any, quartier: Any, form: str) -> str:
    post, model = FORMS[form]
    response = post(_login(machine, user), quartier)
    assert response.status_code == 302, response.get_data(as_text=True)
    name = db.scalars(select(model.photo).order_by(model.id.desc())).first()
    assert name
    return str(name)


def _assert_served_as_an_immutable_jpeg(response: Any, name: str) -> None:
    assert response.status_code == 200
    headers = response.headers
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"] == "inline"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Length"] == str(len(response.data))
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["ETag"] == f'"{name.removesuffix(".jpg")}"'
    assert set(headers["Cache-Control"].replace(" ", "").split(",")) == {
        "public", f"max-age={YEAR}", "immutable"}
    assert headers["Last-Modified"]
    assert headers["Expires"]
    image = Image.open(io.BytesIO(response.data))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert image.getexif() == {}  # neither camera nor position survive


# --- The database backend: what one machine receives, every machine serves ---------------


@pytest.mark.parametrize("form", ["idea", "point"])
def test_a_photo_posted_on_one_machine_is_served_by_another(
        form: str, db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    a, b = machines["a"], machines["b"]
    name = _posted_photo(db, a, people["resident"], quartier, form)

    row = db.get(StoredFile, name)
    assert (row.content_type, row.size, row.created_at) == ("image/jpeg", len(row.content), NOW)
    assert _files(a) == []
    assert _files(b) == []

    served = b.test_client().get(f"/media/{name}")
    _assert_served_as_an_immutable_jpeg(served, name)
    assert served.data == row.content
    assert served.headers["Last-Modified"] == "Sat, 14 Mar 2026 10:00:00 GMT"
    assert a.test_client().get(f"/media/{name}").headers["ETag"] == served.headers["ETag"]


def test_the_page_of_the_post_shows_the_photo_from_any_machine(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    name = _posted_photo(db, machines["a"], people["resident"], quartier, "point")
    point = db.scalars(select(MapPoint).where(MapPoint.photo == name)).one()
    page = _login(machines["b"], people["resident"]).get(f"/points/{point.id}")
    assert f'src="/media/{name}"' in page.get_data(as_text=True)
    assert machines["b"].test_client().get(f"/media/{name}").status_code == 200


def test_a_refused_post_stores_no_photo(db: Any, machines: dict[str, Flask], people: dict,
                                        quartier: Any) -> None:
    client = _login(machines["a"], people["resident"])
    outside = client.post(f"/quartiers/{quartier.code}/carte/ajouter", data={
        "polarity": "negative", "category": "safety", "text": "Loin d’ici",
        "latitude": "43.6045", "longitude": "1.444", "photo": (_photo(), "loin.png")},
        content_type="multipart/form-data")
    assert outside.status_code == 400
    assert _rows(db) == 0


# --- The local backend -------------------------------------------------------------------


def test_the_local_backend_keeps_files_on_its_own_disk(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    local = machines["local"]
    name = _posted_photo(db, local, people["resident"], quartier, "idea")
    assert _files(local) == [name]
    assert _rows(db) == 0

    served = local.test_client().get(f"/media/{name}")
    _assert_served_as_an_immutable_jpeg(served, name)
    assert served.data == (Path(local.config["UPLOAD_DIR"]) / name).read_bytes()
    # Which is why production stores them in the database: another disk lacks them.
    assert machines["other_local"].test_client().get(f"/media/{name}").status_code == 404


# --- Conditional requests, ranges and names that are not photos --------------------------


@pytest.mark.parametrize("machine", ["a", "local"])
def test_a_browser_holding_the_photo_gets_304_and_a_range_gets_206(
        machine: str, db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    app = machines[machine]
    name = _posted_photo(db, app, people["resident"], quartier, "point")
    client = app.test_client()
    first = client.get(f"/media/{name}")
    again = client.get(f"/media/{name}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "immutable" in again.headers["Cache-Control"]
    since = client.get(f"/media/{name}",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    other = client.get(f"/media/{name}", headers={"If-None-Match": '"0123456789abcdef"'})
    assert other.status_code == 200
    assert other.data == first.data
    part = client.get(f"/media/{name}", headers={"Range": "bytes=0-9"})
    assert part.status_code == 206
    assert part.data == first.data[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(first.data)}"


@pytest.mark.parametrize("machine", ["a", "local"])
@pytest.mark.parametrize("name", [
    "0123456789abcdef0123456789abcdef.jpg",  # well formed, never stored
    "0123456789ABCDEF0123456789ABCDEF.jpg",
    "0123456789abcdef0123456789abcdef.png",
    "0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef.jpg.html",
    ".0123456789abcdef0123456789abcde.jpg",
    "..%2F..%2Fsecret_key",
    "%2e%2e%2fcivic.db",
    "x.jpg",
])
def test_an_unknown_or_malformed_name_is_404(machine: str, name: str, db: Any,
                                             machines: dict[str, Flask]) -> None:
    response = machines[machine].test_client().get(f"/media/{name}")
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_file_planted_next_to_the_photos_is_not_served(db: Any,
                                                         machines: dict[str, Flask]) -> None:
    """Only names the store makes are served, whatever else lies in the folder."""
    local = machines["local"]
    folder = Path(local.config["UPLOAD_DIR"])
    (folder / "page.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (folder / ("f" * 32 + ".jpg")).mkdir()
    client = local.test_client()
    assert client.get("/media/page.html").status_code == 404
    assert client.get(f"/media/{'f' * 32}.jpg").status_code == 404


# --- Removing a post removes its photo -----------------------------------------------------


def test_a_removed_post_takes_its_photo_out_of_the_table(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    a, b = machines["a"], machines["b"]
    kept = _posted_photo(db, a, people["resident"], quartier, "idea")
    gone = _posted_photo(db, a, people["resident"], quartier, "idea")
    with a.app_context():
        db.delete(db.scalars(select(Idea).where(Idea.photo == gone)).one())
        db.commit()
    assert _rows(db, gone) == 0
    assert b.test_client().get(f"/media/{gone}").status_code == 404
    assert _rows(db, kept) == 1  # the other post's photo stays
    assert b.test_client().get(f"/media/{kept}").status_code == 200


def test_moderation_keeps_the_photo_of_a_rejected_post(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    """Rejecting keeps the original, so that a restore shows it again: the photo stays."""
    a, b = machines["a"], machines["b"]
    name = _posted_photo(db, a, people["resident"], quartier, "idea")
    idea = db.scalars(select(Idea).where(Idea.photo == name)).one()
    moderator = _login(a, people["moderator"])
    rejected = moderator.post(f"/moderation/idea/{idea.id}", data={
        "d-action": "reject", "d-reason": "Une personne est reconnaissable."})
    assert rejected.status_code == 302
    db.expire_all()
    assert db.get(Idea, idea.id).moderation == "rejected"
    assert _rows(db, name) == 1
    page = _login(b, people["moderator"]).get(f"/moderation/idea/{idea.id}")
    assert f'src="/media/{name}"' in page.get_data(as_text=True)
    assert b.test_client().get(f"/media/{name}").status_code == 200


def test_a_replaced_project_photo_is_removed(db: Any, machines: dict[str, Flask],
                                             people: dict, quartier: Any) -> None:
    a, b = machines["a"], machines["b"]
    round_ = factories.make_round(db, factories.make_fund(db, quartier), "submission")
    client = _login(a, people["resident"])
    project_fields = {
        "title": "Repas partagé", "summary": "Un repas sur la place.",
        "description": "Chaque famille apporte un plat.", "amount_cents": "900",
        "lines-0-label": "Tables", "lines-0-amount_cents": "400",
        "lines-1-label": "Boissons", "lines-1-amount_cents": "500", "orientation_id": "",
        "carrier_kind": "residents", "carrier_name": "Les voisins",
        "contact": "06 12 34 56 78", "place": ""}
    proposed = client.post(f"/fph/{round_.id}/proposer", content_type="multipart/form-data",
                           data={**project_fields, "photo": (_photo("blue"), "a.png")})
    assert proposed.status_code == 302
    project_url = proposed.headers["Location"].removesuffix("/")
    project = db.scalars(select(Project)).one()
    first = project.photo
    edited = client.post(f"/fph/projets/{project.id}/modifier",
                         content_type="multipart/form-data",
                         data={**project_fields, "photo": (_photo("green"), "b.png")})
    assert edited.status_code == 302
    db.expire_all()
    second = db.get(Project, project.id).photo
    assert second != first
    assert _rows(db, first) == 0
    assert _rows(db, second) == 1
    assert b.test_client().get(f"/media/{first}").status_code == 404
    assert b.test_client().get(f"/media/{second}").status_code == 200
    assert client.get(project_url).status_code == 200


def test_a_photo_shared_by_a_point_and_its_idea_stays_while_one_names_it(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    a = machines["a"]
    with a.test_request_context():
        name = store(reencode(_photo()))
    point = factories.make_point(db, quartier, people["resident"], photo=name)
    made = _login(a, people["moderator"]).post(f"/points/{point.id}/vers-une-idee",
                                               data={"title": "Éclairer la rue"})
    assert made.status_code == 302
    idea = db.scalars(select(Idea).where(Idea.photo == name)).one()
    with a.app_context():
        db.delete(db.get(MapPoint, point.id))
        db.commit()
    assert _rows(db, name) == 1  # the idea still shows it
    assert machines["b"].test_client().get(f"/media/{name}").status_code == 200
    with a.app_context():
        db.get(Idea, idea.id).photo = None  # the photo taken off the idea
        db.commit()
    assert _rows(db, name) == 0


def test_a_removal_undone_keeps_the_photo(db: Any, machines: dict[str, Flask], people: dict,
                                          quartier: Any) -> None:
    """A deletion rolled back (here, its savepoint) leaves the post and its photo."""
    for machine in ("a", "local"):
        app = machines[machine]
        name = _posted_photo(db, app, people["resident"], quartier, "point")
        with app.app_context():
            try:
                with db.begin_nested():
                    db.delete(db.scalars(select(MapPoint).where(MapPoint.photo == name)).one())
                    db.flush()
                    raise RuntimeError("the purge failed half-way")
            except RuntimeError:
                pass
            db.commit()
        assert app.test_client().get(f"/media/{name}").status_code == 200


def test_the_local_backend_deletes_the_file_once_the_removal_is_committed(
        db: Any, machines: dict[str, Flask], people: dict, quartier: Any) -> None:
    local = machines["local"]
    name = _posted_photo(db, local, people["resident"], quartier, "point")
    with local.app_context():
        db.delete(db.scalars(select(MapPoint).where(MapPoint.photo == name)).one())
        db.flush()
        assert _files(local) == [name]  # not before the commit
        db.commit()
    assert _files(local) == []
    assert local.test_client().get(f"/media/{name}").status_code == 404


def test_a_commit_that_fails_leaves_the_local_file(db: Any, machines: dict[str, Flask],
                                                   people: dict, quartier: Any) -> None:
    """The file of a removed post goes only once the removal is saved: a commit that
    fails after the photos were released (here, a later step of the commit raises)
    leaves the post in the database and its file on the disk."""
    local = machines["local"]
    name = _posted_photo(db, local, people["resident"], quartier, "point")

    def database_goes_away(_session: Any) -> None:
        raise ConnectionError("the database went away")

    with local.app_context():
        db.delete(db.scalars(select(MapPoint).where(MapPoint.photo == name)).one())
        db.flush()
        event.listen(db(), "before_commit", database_goes_away, once=True)
        with pytest.raises(ConnectionError):
            db.commit()
    assert _files(local) == [name]


# --- Moving existing files into the database ----------------------------------------------


def test_migrate_to_db_copies_the_files_once(db: Any, machines: dict[str, Flask],
                                             people: dict, quartier: Any) -> None:
    local = machines["local"]
    names = sorted(_posted_photo(db, local, people["resident"], quartier, form)
                   for form in ("idea", "point"))
    folder = Path(local.config["UPLOAD_DIR"])
    old = datetime(2025, 6, 1, 8, 30, tzinfo=UTC)
    os.utime(folder / names[0], (old.timestamp(), old.timestamp()))
    (folder / "notes.txt").write_text("not a photo", encoding="utf-8")
    assert _rows(db) == 0

    runner = local.test_cli_runner()
    first = runner.invoke(args=["uploads", "migrate-to-db"])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "2 photos copied into the database"
    rows = {row.name: row for row in db.scalars(select(StoredFile))}
    assert sorted(rows) == names
    for name in names:
        assert rows[name].content == (folder / name).read_bytes()
        assert rows[name].size == (folder / name).stat().st_size
    assert rows[names[0]].created_at == old  # Last-Modified does not move

    again = runner.invoke(args=["uploads", "migrate-to-db"])
    assert again.exit_code == 0
    assert again.output.strip() == "0 photos copied into the database"
    assert _rows(db) == 2

    # Once switched, another machine serves them, with the same Last-Modified.
    served = machines["b"].test_client().get(f"/media/{names[0]}")
    _assert_served_as_an_immutable_jpeg(served, names[0])
    assert served.headers["Last-Modified"] == "Sun, 01 Jun 2025 08:30:00 GMT"


# --- The setting --------------------------------------------------------------------------


@pytest.mark.parametrize(("env", "expected"), [("development", "local"),
                                               ("production", "database")])
def test_production_stores_photos_in_the_database_by_default(
        env: str, expected: str, monkeypatch: Any, tmp_path: Path) -> None:
    monkeypatch.setenv("CIVIC_ENV", env)
    monkeypatch.delenv("CIVIC_UPLOAD_STORAGE", raising=False)
    monkeypatch.setenv("CIVIC_SECRET_KEY", "k" * 40)
    assert settings.load(tmp_path)["UPLOAD_STORAGE"] == expected
    monkeypatch.setenv("CIVIC_UPLOAD_STORAGE", "local")
    assert settings.load(tmp_path)["UPLOAD_STORAGE"] == "local"


def test_an_unknown_storage_refuses_to_start(database_url: str, outbox_dir: Path,
                                             app: Flask) -> None:
    with pytest.raises(RuntimeError, match="CIVIC_UPLOAD_STORAGE"):
        create_app(test_config(database_url, outbox_dir, UPLOAD_STORAGE="s3"))


def test_expires_is_a_year_after_the_answer(db: Any, machines: dict[str, Flask], people: dict,
                                            quartier: Any) -> None:
    name = _posted_photo(db, machines["a"], people["resident"], quartier, "idea")
    served = machines["b"].test_client().get(f"/media/{name}")
    assert parsedate_to_datetime(served.headers["Expires"]) == NOW + timedelta(days=365)
