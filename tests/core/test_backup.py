"""Backups, as an operator uses them: ``flask backup`` on a live site, ``flask restore`` into
a fresh database, and the restored site checked the way its users would check it (the
count's seal and published file, a receipt, a vote and a count with the trustees' shares,
a login, the photos). Then the attacks: a backup that lines up the register with the box,
a restore over live data, an archive that writes outside the uploads folder.

Data is committed for real (a backup reads another transaction's view), then deleted.
On PostgreSQL, the backup also travels through SQLite and back.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import os
import re
import tarfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.orm import Session

from civic import create_app
from civic.accounts.models import Role
from civic.budget import box, counting, services, trustees
from civic.budget.models import Ballot, Channel, Round, SealedBallot
from civic.budget.services import Declaration
from civic.core import backup
from civic.core.audit import AuditEntry
from civic.core.cli import alembic_config
from civic.core.db import Base, make_engine
from civic.core.db import session as scoped
from civic.core.storage import JPEG, DatabaseBackend
from civic.territory.models import Contract
from tests import factories
from tests.budget import test_secrecy_attacks as attacks
from tests.conftest import test_config
from tests.factories import NOW

#: The 30-voter election of the secrecy attacks, on four channels, one commit per ballot.
election = attacks.election

POSTGRES = os.environ.get("CIVIC_TEST_DATABASE_URL", "")
#: Where a backup goes before the site is checked: the same kind of database, and on
#: PostgreSQL also through SQLite and back (PostgreSQL → SQLite → PostgreSQL).
ROUTES = [("postgresql",), ("sqlite", "postgresql")] if POSTGRES else [("sqlite",)]
COUNT_AT = NOW + timedelta(days=4, hours=2)
TODAY = NOW.date()


# --- Databases and apps ---------------------------------------------------------------


@pytest.fixture
def new_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """``new_database("sqlite"|"postgresql")``: the URL of an empty database (a new
    file, or a new schema of the test database, dropped afterwards)."""
    schemas: list[str] = []
    admin = create_engine(POSTGRES) if POSTGRES else None

    def make(kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{tmp_path / f'restored-{uuid.uuid4().hex[:6]}.db'}"
        assert admin is not None
        schema = f"civic_restore_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        schemas.append(schema)
        separator = "&" if "?" in POSTGRES else "?"
        return f"{POSTGRES}{separator}options=-csearch_path%3D{schema}"

    yield make
    if admin is not None:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def site_of(app: Flask, outbox_dir: Path) -> Iterator[Callable[..., Flask]]:
    """``site_of(url, upload_dir)``: the site on another database, as production runs it
    (photos in the database). The tests' own app gets its session back afterwards."""
    made: list[Flask] = []

    def make(url: str, upload_dir: Path, **settings: Any) -> Flask:
        site = create_app(test_config(url, outbox_dir, UPLOAD_DIR=str(upload_dir),
                                      UPLOAD_STORAGE="database", **settings))
        made.append(site)
        return site

    yield make
    scoped.remove()
    for site in made:
        site.extensions["civic.engine"].dispose()
    scoped.configure(bind=app.extensions["civic.engine"])


@pytest.fixture
def committed(app: Flask) -> Iterator[Any]:
    """The tests' database engine; every row committed on it is deleted afterwards."""
    engine = app.extensions["civic.engine"]
    try:
        yield engine
    finally:
        attacks._cleanup(engine)


def run(site: Flask, *args: str, **kwargs: Any) -> Any:
    return site.test_cli_runner().invoke(args=list(args), **kwargs)


def rows_of(path: Path) -> dict[str, Counter[str]]:
    """Every table of a backup as a multiset of decoded rows (JSON columns parsed), so
    that two backups compare whatever the order and the database that wrote them."""
    with tarfile.open(path) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
        found: dict[str, Counter[str]] = {}
        for entry in manifest["tables"]:
            kinds = entry["columns"]
            lines = archive.extractfile(f"tables/{entry['name']}.jsonl")
            found[entry["name"]] = Counter(
                json.dumps({name: backup.decode(kinds[name], value)
                            for name, value in json.loads(line).items()},
                           sort_keys=True, default=repr)
                for line in lines)  # type: ignore[union-attr]
    return found


def lines_of(path: Path, table: str) -> list[dict[str, Any]]:
    """A table's rows in the order the backup wrote them."""
    with tarfile.open(path) as archive:
        stream = archive.extractfile(f"tables/{table}.jsonl")
        return [json.loads(line) for line in stream]  # type: ignore[union-attr]


def revision_of(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "JPEG")
    return out.getvalue()


def log_in(client: FlaskClient, user_id: int) -> FlaskClient:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


# --- A site worth restoring -----------------------------------------------------------


@dataclass
class Site:
    counted_id: int
    open_id: int
    pilot_id: int
    resident_email: str
    #: The projects of the open round, and the receipt of one of its ballots.
    open_projects: tuple[int, int]
    receipt: str
    counted_results: dict[str, Any]
    counted_seal: str
    results_hash: str
    #: Photo name → bytes: one kept in the database, one as a file under UPLOAD_DIR.
    stored_photo: tuple[str, bytes]
    file_photo: tuple[str, bytes]


def build_site(engine: Any, upload_dir: Path) -> Site:
    """A quartier with a counted and published round, a round open for votes (two
    ballots sealed in its box), accounts with passwords, and two photos."""
    with Session(engine) as db:
        quartier = factories.make_quartier(db, factories.make_contract(db))
        pilot = factories.make_user(db, roles=[(Role.PILOT, None)])
        resident = factories.make_user(db, email="rania@example.org")
        counted = factories.make_round(db, factories.make_fund(db, quartier, year=2026))
        a, b = (factories.make_project(db, counted, amount_cents=n).id
                for n in (400_000, 700_000))
        for n, choice in enumerate(({a: 1}, {a: 1, b: 1}, {b: 1}, {a: 1})):
            services.cast(db, counted, Declaration(f"Votant {n}", date(1980, 1, 1 + n), True),
                          choice, channel=Channel.ONLINE, user=None, now=NOW, today=TODAY)
        counted.vote_ends_at = NOW - timedelta(hours=1)
        db.flush()
        counting.count(db, counted, factories.SHARES[counted.id][1:], actor=pilot, now=NOW,
                       small=11)
        counting.publish(db, counted, actor=pilot, now=NOW)

        stored = (f"{uuid.uuid4().hex}.jpg", jpeg("teal"))
        on_disk = (f"{uuid.uuid4().hex}.jpg", jpeg("orange"))
        DatabaseBackend(db).put(stored[0], stored[1], content_type=JPEG, now=NOW)
        upload_dir.mkdir(parents=True, exist_ok=True)
        (upload_dir / on_disk[0]).write_bytes(on_disk[1])
        open_ = factories.make_round(db, factories.make_fund(db, quartier, year=2027))
        c = factories.make_project(db, open_, photo=stored[0]).id
        d = factories.make_project(db, open_, photo=on_disk[0]).id
        receipt = services.cast(db, open_, Declaration("Awa", date(1990, 5, 6), True),
                                {c: 1}, channel=Channel.ONLINE, user=None, now=NOW,
                                today=TODAY)
        services.cast(db, open_, Declaration("Bilal", date(1991, 6, 7), True), {c: 1, d: 1},
                      channel=Channel.ONLINE, user=None, now=NOW, today=TODAY)
        site = Site(counted.id, open_.id, pilot.id, resident.email, (c, d), receipt,
                    counted.results, counted.seal, counted.results_hash, stored, on_disk)
        db.commit()
    return site


def check_the_restored_site(site: Flask, built: Site, upload_dir: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """What the pilot, a trustee, a resident and a visitor check on the restored site."""
    engine = site.extensions["civic.engine"]
    client = site.test_client()
    monkeypatch.setattr("civic.core.clock.now", lambda: NOW)

    # The counted round: same results, its seal adds up over the restored sealed box,
    # and the published ballots file still hashes to the published code.
    with Session(engine) as db:
        counted = db.get(Round, built.counted_id)
        assert counted.results == built.counted_results
        assert counted.seal == built.counted_seal
        sealed = db.execute(select(SealedBallot.tracker, SealedBallot.ciphertext)
                            .where(SealedBallot.round_id == counted.id)).all()
        assert len(sealed) == 4
        assert box.seal_holds(sealed, counted.seal)
    page = client.get(f"/fph/{built.counted_id}").get_data(as_text=True)
    assert f'<code class="seal">{built.counted_seal}</code>' in page
    published = client.get(f"/fph/{built.counted_id}/bulletins.pb").data
    assert hashlib.sha256(published).hexdigest() == built.results_hash
    assert built.results_hash in client.get(f"/fph/{built.counted_id}/resultats").get_data(
        as_text=True)
    trackers = client.get(f"/fph/{built.counted_id}/empreintes.txt").get_data(as_text=True)
    assert box.seal_of(t for t in trackers.splitlines() if not t.startswith("#")) == \
        built.counted_seal

    # A voter of the open round finds their ballot with their receipt.
    found = client.post("/fph/recu", data={"code": built.receipt}).get_data(as_text=True)
    assert "Ce bulletin est bien dans l’urne" in found

    # The photos, from the database and from the restored files.
    name, data = built.stored_photo
    assert client.get(f"/media/{name}").data == data
    assert (upload_dir / built.file_photo[0]).read_bytes() == built.file_photo[1]

    # The resident logs in with their password (and not with another), then votes.
    wrong = client.post("/connexion", data={"email": built.resident_email,
                                            "password": "pas le bon"})
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.get_data(as_text=True)
    logged = client.post("/connexion", data={"email": built.resident_email,
                                             "password": factories.PASSWORD})
    assert logged.status_code == 302
    assert client.get("/compte").status_code == 200
    c, d = built.open_projects
    form = {"name": "Chloé Martin", "birth_date": "1985-03-04", "lives_in_quartier": "y",
            "project": [str(d)], "step": "cast"}
    cast = client.post(f"/fph/{built.open_id}/voter", data=form).get_data(as_text=True)
    assert re.search(r'class="receipt"><code>[0-9A-F-]+<', cast)

    # Two trustees count the open round with the shares they kept since before the backup.
    monkeypatch.setattr("civic.core.clock.now", lambda: COUNT_AT)
    with Session(engine) as db:
        audited_before = db.scalar(select(func.max(AuditEntry.id)))
    shares = factories.SHARES[built.open_id]
    counted = log_in(client, built.pilot_id).post(
        f"/fph/{built.open_id}/depouillement", data={"share_1": shares[0], "share_2": shares[2]})
    assert counted.status_code == 302, counted.get_data(as_text=True)
    with Session(engine) as db:
        results = db.get(Round, built.open_id).results
        assert results["ballots"] == 3
        assert {p["id"]: p["score"] for p in results["projects"]} == {c: 2, d: 2}
        assert db.scalar(select(func.count()).select_from(Ballot).where(
            Ballot.round_id == built.open_id)) == 3
        # New rows take ids after the restored ones (PostgreSQL's sequences were moved).
        assert db.scalar(select(func.max(AuditEntry.id))) > audited_before


@pytest.mark.parametrize("route", ROUTES, ids="-then-".join)
def test_a_restored_backup_is_the_same_working_site(
        app: Flask, committed: Any, new_database: Callable[[str], str],
        site_of: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        route: tuple[str, ...]) -> None:
    uploads = tmp_path / "uploads"
    built = build_site(committed, uploads)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    archive = tmp_path / "civic.tar.gz"
    done = run(app, "backup", str(archive))
    assert done.exit_code == 0, done.output
    assert "and 1 files, at revision" in done.output
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner only
    original = rows_of(archive)
    assert original["participations"]
    assert original["sealed_ballots"]
    assert original["stored_files"]

    for hop, kind in enumerate(route):
        url = new_database(kind)
        restored_uploads = tmp_path / f"restored-uploads-{hop}"
        site = site_of(url, restored_uploads)
        done = run(site, "restore", str(archive))
        assert done.exit_code == 0, done.output
        total = sum(sum(rows.values()) for rows in original.values())
        assert f"Restored {total} rows" in done.output
        assert "and 1 files" in done.output
        # What the restored database holds is what the backup held, value for value.
        archive = tmp_path / f"again-{hop}.tar.gz"
        assert run(site, "backup", str(archive)).exit_code == 0
        assert rows_of(archive) == original
    check_the_restored_site(site, built, restored_uploads, monkeypatch)


def test_a_restore_into_a_database_that_holds_data_is_refused_and_changes_nothing(
        app: Flask, committed: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uploads = tmp_path / "uploads"
    build_site(committed, uploads)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(uploads))
    archive = tmp_path / "civic.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    with Session(committed) as db:  # the site lives on after its backup
        factories.make_contract(db, name="Contrat signé après la sauvegarde")
        db.commit()
    before = tmp_path / "before.tar.gz"
    assert run(app, "backup", str(before)).exit_code == 0
    (uploads / next(uploads.iterdir()).name).unlink()  # a photo replaced since

    refused = run(app, "restore", str(archive))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    assert "contracts (2)" in refused.output
    after = tmp_path / "after.tar.gz"
    assert run(app, "backup", str(after)).exit_code == 0
    assert rows_of(after) == rows_of(before)
    assert list(uploads.iterdir()) == []  # no file put back either


def test_the_backup_is_one_snapshot_and_holds_no_writer_back(
        app: Flask, committed: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows committed while the backup reads are in none of its tables, whether the
    table was read before or after; and the writer did not have to wait for it."""
    with Session(committed) as db:
        factories.make_contract(db)
        db.commit()
    dump = backup._dump_table
    written: list[str] = []

    def dump_then_write(connection: Any, table: Any, sink: Any) -> int:
        count = dump(connection, table, sink)
        if table.name == "contracts":  # read: now the site goes on, in another transaction
            with Session(committed) as db:
                factories.make_user(db, email="pendant@example.org",
                                    roles=[(Role.PILOT, None)])
                factories.make_contract(db, name="Écrit pendant la sauvegarde")
                db.commit()
            written.append(table.name)
        return count

    monkeypatch.setattr(backup, "_dump_table", dump_then_write)
    archive = tmp_path / "civic.tar.gz"
    done = run(app, "backup", str(archive))
    assert done.exit_code == 0, done.output
    assert written == ["contracts"]
    assert [row["name"] for row in lines_of(archive, "contracts")] == [
        "Contrat de ville de Testville"]
    assert lines_of(archive, "users") == []
    assert lines_of(archive, "role_grants") == []
    with Session(committed) as db:
        assert db.scalar(select(func.count()).select_from(Contract)) == 2


def test_an_older_backup_is_restored_at_its_revision_then_upgraded(
        app: Flask, committed: Any, new_database: Callable[[str], str],
        site_of: Callable[..., Flask], tmp_path: Path) -> None:
    """As the compose file leaves it, the new database is already migrated to this
    version's schema; a backup made by the previous version is restored at its own
    revision (the empty schema is taken down to it), then ``db upgrade`` brings it up."""
    with Session(committed) as db:
        factories.make_user(db, email="ancienne@example.org",
                            roles=[(Role.MODERATOR, factories.make_quartier(
                                db, factories.make_contract(db)))])
        db.commit()
    current = tmp_path / "current.tar.gz"
    done = run(app, "backup", "-")
    assert done.exit_code == 0
    assert "Backed up" in done.stderr
    current.write_bytes(done.stdout_bytes)

    # What the previous version wrote: its tables and columns, at its revision.
    script = ScriptDirectory.from_config(alembic_config(str(app.config["DATABASE_URL"])))
    previous = script.get_revision(script.get_current_head()).down_revision
    scratch = f"sqlite:///{tmp_path / 'previous.db'}"
    command.upgrade(alembic_config(scratch), previous)
    engine = create_engine(scratch)
    schema = {name: set(c["name"] for c in inspect(engine).get_columns(name))
              for name in inspect(engine).get_table_names()}
    engine.dispose()
    older = tmp_path / "older.tar.gz"
    with tarfile.open(current) as source, tarfile.open(older, "w:gz") as target:
        manifest = json.load(source.extractfile("manifest.json"))  # type: ignore[arg-type]
        manifest["revision"] = previous
        manifest["tables"] = [{**entry, "columns": {n: k for n, k in entry["columns"].items()
                                                    if n in schema[entry["name"]]}}
                              for entry in manifest["tables"] if entry["name"] in schema]
        add(target, "manifest.json", json.dumps(manifest).encode())
        for entry in manifest["tables"]:
            kept = [json.dumps({n: v for n, v in row.items() if n in entry["columns"]})
                    for row in lines_of(current, entry["name"])]
            add(target, f"tables/{entry['name']}.jsonl", "".join(f"{r}\n" for r in kept).encode())

    url = new_database("postgresql" if POSTGRES else "sqlite")
    command.upgrade(alembic_config(url), "head")
    site = site_of(url, tmp_path / "restored-uploads")
    done = run(site, "restore", "-", input=older.read_bytes())
    assert done.exit_code == 0, done.output
    assert f"at revision {previous}" in done.output
    assert "db upgrade` next" in done.output
    assert revision_of(url) == previous
    assert run(site, "db", "upgrade").exit_code == 0
    assert revision_of(url) == script.get_current_head()
    again = tmp_path / "again.tar.gz"
    assert run(site, "backup", str(again)).exit_code == 0
    assert rows_of(again) == rows_of(current)


def test_a_database_behind_this_version_is_not_backed_up(
        new_database: Callable[[str], str], site_of: Callable[..., Flask],
        tmp_path: Path) -> None:
    """Its tables are not those of this version's models: the backup says so and writes
    nothing, rather than a file that a restore would take for whole."""
    url = new_database("sqlite")
    command.upgrade(alembic_config(url), "head")
    command.downgrade(alembic_config(url), "-1")
    archive = tmp_path / "civic.tar.gz"
    refused = run(site_of(url, tmp_path / "uploads"), "backup", str(archive))
    assert refused.exit_code == 1
    assert "back up with the version that matches the database" in refused.output
    assert list(tmp_path.glob("civic.tar.gz*")) == []


def add(archive: tarfile.TarFile, name: str, data: bytes, *, kind: bytes = tarfile.REGTYPE,
        link: str = "") -> None:
    member = tarfile.TarInfo(name)
    member.type = kind
    if kind == tarfile.SYMTYPE:
        member.linkname = link
        archive.addfile(member)
        return
    member.size = len(data)
    archive.addfile(member, io.BytesIO(data))


@pytest.mark.parametrize(("name", "kind"), [
    ("uploads/../../outside.jpg", tarfile.REGTYPE),
    ("uploads/photos/../../../civic.db", tarfile.REGTYPE),
    ("uploads/passwd.jpg", tarfile.SYMTYPE),  # a link to follow at the next write
], ids=["up-twice", "down-then-up", "symbolic-link"])
def test_an_archive_that_writes_outside_the_uploads_is_refused(
        app: Flask, committed: Any, new_database: Callable[[str], str],
        site_of: Callable[..., Flask], tmp_path: Path, name: str, kind: bytes) -> None:
    with Session(committed) as db:
        factories.make_contract(db)
        db.commit()
    archive = tmp_path / "civic.tar.gz"
    assert run(app, "backup", str(archive)).exit_code == 0
    crafted = tmp_path / "crafted.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(crafted, "w:gz") as target:
        for member in source.getmembers():
            add(target, member.name, source.extractfile(member).read())  # type: ignore[union-attr]
        add(target, name, b"\xff\xd8", kind=kind, link="/etc/passwd")
    url = new_database("sqlite")
    uploads = tmp_path / "deep" / "uploads"
    refused = run(site_of(url, uploads), "restore", str(crafted))
    assert refused.exit_code == 1
    assert "unsafe file name" in refused.output
    assert not any(p.name in ("outside.jpg", "civic.db") for p in tmp_path.rglob("*"))
    assert not uploads.exists()
    assert revision_of(url) is None  # refused before anything was migrated


def test_a_file_that_is_not_a_backup_is_refused(
        new_database: Callable[[str], str], site_of: Callable[..., Flask],
        tmp_path: Path) -> None:
    url = new_database("sqlite")
    site = site_of(url, tmp_path / "uploads")
    for content in (b"not even gzip", _tar_gz({"notes.txt": b"hello"})):
        path = tmp_path / "suspect.tar.gz"
        path.write_bytes(content)
        refused = run(site, "restore", str(path))
        assert refused.exit_code == 1
        assert "not a civic backup" in refused.output
    assert revision_of(url) is None


def _tar_gz(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in members.items():
            add(archive, name, data)
    return out.getvalue()


# --- The ballot box in a backup -------------------------------------------------------


def right_guesses(held: attacks.Election, register: list[dict[str, Any]],
                  box_: list[dict[str, int]]) -> int:
    """Pair the n-th register line with the n-th ballot, as they lie in the file."""
    guesses = [(line["fingerprint"], attacks.canonical(choices))
               for line, choices in zip(register, box_, strict=True)]
    return attacks.right_guesses(held, guesses)


def lined_up(path: Path, held: attacks.Election, key: bytes
             ) -> tuple[list[dict[str, Any]], list[dict[str, int]], list[dict[str, int]]]:
    """The register, the sealed box opened with the count key, and the counted box, each
    in the order the backup wrote it."""
    def of_round(table: str) -> list[dict[str, Any]]:
        return [row for row in lines_of(path, table) if row["round_id"] == held.round_id]

    sealed = [box.decrypt(key, base64.b64decode(row["ciphertext"]))
              for row in of_round("sealed_ballots")]
    counted = [json.loads(row["choices"]) for row in of_round("ballots")]
    return of_round("participations"), sealed, counted


def sealed_in_table_order(held: attacks.Election, key: bytes) -> int:
    """The control: the register and the sealed box in the order PostgreSQL stores them
    (what a plain dump of the tables writes) do line up."""
    with held.engine.connect() as connection:
        register = connection.execute(text(
            "SELECT fingerprint FROM participations WHERE round_id = :r ORDER BY ctid"),
            {"r": held.round_id}).scalars().all()
        sealed = connection.execute(text(
            "SELECT ciphertext FROM sealed_ballots WHERE round_id = :r ORDER BY ctid"),
            {"r": held.round_id}).scalars().all()
    return right_guesses(held, [{"fingerprint": f} for f in register],
                         [box.decrypt(key, bytes(c)) for c in sealed])


def test_a_backup_lines_up_no_voter_with_a_ballot(
        election: attacks.Election, app: Flask, new_database: Callable[[str], str],
        tmp_path: Path) -> None:
    """Whoever holds a backup, and later the count key (the trustees at the count, or
    whoever took their shares), lines up the n-th voter of the register with the n-th
    ballot of the box, sealed or counted: no more right guesses than chance."""
    held = election
    url = str(app.config["DATABASE_URL"])
    with Session(held.engine) as db:
        key = trustees.open_key(db.get(Round, held.round_id), held.shares[:2])[0]
    before = tmp_path / "before-the-count.tar.gz"
    backup.backup_to(before, url, Base.metadata, None, now=NOW)
    register, sealed, counted = lined_up(before, held, key)
    assert len(register) == len(sealed) == attacks.VOTERS
    assert counted == []
    assert right_guesses(held, register, sealed) < attacks.BY_CHANCE
    if attacks.postgres(held):  # the tables' own order would have named the voters
        assert sealed_in_table_order(held, key) >= attacks.BY_CHANCE

    attacks.count(held, app)
    after = tmp_path / "after-the-count.tar.gz"
    backup.backup_to(after, url, Base.metadata, None, now=NOW)
    register, sealed, counted = lined_up(after, held, key)
    assert len(counted) == attacks.VOTERS
    assert right_guesses(held, register, sealed) < attacks.BY_CHANCE
    assert right_guesses(held, register, counted) < attacks.BY_CHANCE

    # Restored, the register and the box lie in the backup's order: nothing to line up.
    target = new_database("postgresql" if POSTGRES else "sqlite")
    with after.open("rb") as stream:
        backup.restore(target, Base.metadata, stream, tmp_path / "uploads")
    restored = dataclasses.replace(held, engine=make_engine(target))
    try:
        attacks_there = [attacks.line_up_by_dump]
        if attacks.postgres(restored):
            attacks_there.append(attacks.line_up_by_physical_order)
        for attack in attacks_there:
            guesses = attack(restored)
            assert len(guesses) == attacks.VOTERS, attack.__name__
            assert attacks.right_guesses(held, guesses) < attacks.BY_CHANCE, attack.__name__
    finally:
        restored.engine.dispose()


def test_every_table_of_the_models_is_in_a_backup(app: Flask, committed: Any,
                                                  tmp_path: Path) -> None:
    """A table added by a part (photos kept in the database, the mail outbox…) comes
    along without a line here: the backup holds every table the migrations made."""
    archive = tmp_path / "civic.tar.gz"
    summary = backup.backup_to(archive, str(app.config["DATABASE_URL"]), Base.metadata,
                               None, now=NOW)
    engine = app.extensions["civic.engine"]
    made = {name for name in inspect(engine).get_table_names()
            if name != "alembic_version" and not name.startswith("procrastinate_")}
    assert set(summary.rows) == made == set(rows_of(archive))
    assert summary.left_out == []
    assert {"stored_files", "sealed_ballots", "participations", "users"} <= made
