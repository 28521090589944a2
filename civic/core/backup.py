"""Backups: one ``.tar.gz`` holding a consistent snapshot of the database and the uploaded
files, and its restoration into an empty database.

``flask backup OUT.tar.gz`` reads every table in **one** read-only transaction (on
PostgreSQL: REPEATABLE READ; on SQLite: one deferred read transaction, so that no writer
waits for it), so that the rows agree with each other as they did at one instant. Each
table becomes ``tables/<name>.jsonl``: one JSON object per row, **in primary-key order,
never in the order rows were written**. The register of voters (``participations``,
random ids) and the sealed box (``sealed_ballots``, keyed by the SHA-256 of each
ciphertext) are therefore written in two unrelated random orders: the n-th line of one
says nothing of the n-th line of the other. Bytes are written in base64, times in ISO
8601 with their offset, JSON columns as the exact JSON text the database holds (so a JSON
``null`` stays apart from SQL NULL). ``manifest.json`` says which format, which Alembic
revision, which tables with how many rows and the kind of each column. The files under
``UPLOAD_DIR`` follow under ``uploads/``, read just after the rows: a photo is written
before the row that names it is committed, so every photo the snapshot names is there
(unless it was replaced during the backup itself).

``flask restore IN.tar.gz`` refuses a database that holds any row of civic's tables,
migrates it to the backup's revision, inserts every table in dependency order in one
transaction (a row that names another row of its own table gets that link once all are
in), sets PostgreSQL's sequences past the restored ids, then puts the files back. It works
between SQLite and PostgreSQL in both directions: values are decoded from the manifest's
kinds, not from either database's types.

The job queue's own tables (``procrastinate_*``) are not saved: scheduled jobs are asked
again by the worker, and mails still to send are rows of ``outgoing_mails``.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from itertools import islice
from pathlib import Path, PurePosixPath
from typing import IO, Any

import click
from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator, TypeEngine

from civic.core import clock
from civic.core.cli import alembic_config
from civic.core.db import BUSY_TIMEOUT_MS, Base, make_engine

FORMAT = "civic-backup"
VERSION = 1
MANIFEST = "manifest.json"
TABLES = "tables"
UPLOADS = "uploads"
#: Tables that belong to the job queue, not to civic: never saved, never checked for rows.
NOT_SAVED_PREFIXES = ("procrastinate_",)
#: Rows inserted per statement at restore.
BATCH = 500
#: A table's lines stay in memory up to this size, then go to a temporary file.
SPOOL_BYTES = 32 * 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and what to do."""


@dataclass
class Summary:
    """What a backup wrote or a restore put back."""

    revision: str
    #: Rows per table, in dependency order.
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    #: Tables of the database that no model describes, so not in the backup.
    left_out: list[str] = field(default_factory=list)


# --- Values ---------------------------------------------------------------------------

_KINDS: dict[type, str] = {bytes: "bytes", datetime: "datetime", date: "date", time: "time",
                           Decimal: "decimal", timedelta: "interval"}


def _base_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def kind_of(column: Column[Any]) -> str:
    """How a column's values are written: ``json``, ``bytes``, ``datetime``, ``date``,
    ``time``, ``decimal``, ``interval``, or ``plain`` (numbers, text, booleans)."""
    base = _base_type(column.type)
    if isinstance(base, JSON):
        return "json"
    try:
        python_type = base.python_type
    except NotImplementedError:
        return "plain"
    return _KINDS.get(python_type, "plain")


def encode(kind: str, value: Any) -> Any:
    """A column's value as JSON can hold it (``json`` values are already text)."""
    if value is None or kind in ("plain", "json"):
        return value
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "decimal":
        return str(value)
    if kind == "interval":
        return [value.days, value.seconds, value.microseconds]
    return value.isoformat()  # datetime, date, time


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "bytes": base64.b64decode, "decimal": Decimal, "date": date.fromisoformat,
    "time": time.fromisoformat}


def decode(kind: str, value: Any, *, naive_utc: bool = False) -> Any:
    """The value ``encode`` wrote, as the database expects it. ``naive_utc``: aware times
    become naive UTC (SQLite keeps no zone; civic reads its times back as UTC)."""
    if value is None or kind == "plain":
        return value
    if kind == "json":
        loaded = json.loads(value)
        return JSON.NULL if loaded is None else loaded  # JSON null, not SQL NULL
    if kind == "datetime":
        moment = datetime.fromisoformat(value)
        if naive_utc and moment.tzinfo is not None:
            return moment.astimezone(UTC).replace(tzinfo=None)
        return moment
    if kind in _DECODERS:
        return _DECODERS[kind](value)
    if kind == "interval":
        days, seconds, microseconds = value
        return timedelta(days=days, seconds=seconds, microseconds=microseconds)
    raise BackupError(f"unknown kind of column in the backup: {kind}")


# --- Backup ---------------------------------------------------------------------------


def _sqlite_reader(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions begin where we say
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


@contextmanager
def snapshot(url: str) -> Iterator[Connection]:
    """One read-only transaction that sees the database as it was at one instant."""
    engine = create_engine(url, poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        # A deferred BEGIN: the snapshot starts at the first read and no writer waits
        # for it (the app's own engine begins IMMEDIATE, which would hold every writer).
        event.listen(engine, "connect", _sqlite_reader)
        event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execution_options(isolation_level="REPEATABLE READ",
                                             postgresql_readonly=True)
            with connection.begin():
                yield connection
    finally:
        engine.dispose()


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def _saved(name: str) -> bool:
    return name != "alembic_version" and not name.startswith(NOT_SAVED_PREFIXES)


def _dump_table(connection: Connection, table: Table, sink: IO[bytes]) -> int:
    """Write the table's rows to ``sink`` as JSON lines, by primary key; returns how many."""
    kinds = {column.name: kind_of(column) for column in table.columns}
    columns = [cast(column, Text).label(column.name) if kinds[column.name] == "json"
               else column for column in table.columns]
    order = list(table.primary_key.columns) or list(table.columns)
    rows = connection.execute(select(*columns).order_by(*order)
                              .execution_options(yield_per=1000))
    count = 0
    for row in rows:
        line = {name: encode(kinds[name], value) for name, value in row._mapping.items()}
        sink.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode())
        sink.write(b"\n")
        count += 1
    return count


def _upload_files(upload_dir: Path | None) -> list[Path]:
    if upload_dir is None or not upload_dir.is_dir():
        return []
    return sorted(path for path in upload_dir.rglob("*")
                  if path.is_file() and not path.is_symlink())


def _add_member(archive: tarfile.TarFile, name: str, stream: IO[bytes], size: int,
                moment: datetime) -> None:
    member = tarfile.TarInfo(name)
    member.size, member.mode, member.mtime = size, 0o600, int(moment.timestamp())
    archive.addfile(member, stream)


def backup(url: str, metadata: MetaData, out: IO[bytes], upload_dir: Path | None, *,
           now: datetime) -> Summary:
    """Write the backup of the database at ``url`` and of ``upload_dir`` to ``out``."""
    with ExitStack() as spools:
        with snapshot(url) as connection:
            dialect = connection.dialect.name
            revision = MigrationContext.configure(connection).get_current_revision()
            if revision is None or revision != _head(url):
                raise BackupError(
                    f"The database is at revision {revision or 'none'} and this version of "
                    f"civic at {_head(url)}: back up with the version that matches the "
                    "database, or run `flask db upgrade` first.")
            present = {name for name in inspect(connection).get_table_names()
                       if _saved(name)}
            summary = Summary(revision, left_out=sorted(present - set(metadata.tables)))
            dumps = []
            for table in metadata.sorted_tables:
                if table.name in present:
                    sink = spools.enter_context(tempfile.SpooledTemporaryFile(SPOOL_BYTES))
                    summary.rows[table.name] = _dump_table(connection, table, sink)
                    dumps.append((table, sink))
        files = _upload_files(upload_dir)
        summary.files = len(files)
        manifest = {
            "format": FORMAT, "version": VERSION, "created_at": now.isoformat(),
            "revision": revision, "dialect": dialect, "files": len(files),
            "tables": [{"name": table.name, "rows": summary.rows[table.name],
                        "columns": {c.name: kind_of(c) for c in table.columns}}
                       for table, _ in dumps],
        }
        with tarfile.open(fileobj=out, mode="w|gz") as archive:
            data = json.dumps(manifest, indent=1).encode()
            _add_member(archive, MANIFEST, BytesIO(data), len(data), now)
            for table, sink in dumps:
                size = sink.tell()
                sink.seek(0)
                _add_member(archive, f"{TABLES}/{table.name}.jsonl", sink, size, now)
            _add_files(archive, files, upload_dir, now)
    return summary


def _add_files(archive: tarfile.TarFile, files: list[Path], upload_dir: Path | None,
               now: datetime) -> None:
    for path in files:
        assert upload_dir is not None
        with path.open("rb") as stream:
            _add_member(archive, f"{UPLOADS}/{path.relative_to(upload_dir).as_posix()}",
                        stream, os.fstat(stream.fileno()).st_size, now)


def backup_to(path: Path, url: str, metadata: MetaData, upload_dir: Path | None, *,
              now: datetime) -> Summary:
    """Write the backup to ``path``, readable by its owner only; a backup that fails
    leaves no file that could be mistaken for a whole one."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            summary = backup(url, metadata, out, upload_dir, now=now)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return summary


# --- Restore --------------------------------------------------------------------------


def _manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        stream = archive.extractfile(MANIFEST)
        manifest = json.load(stream) if stream is not None else {}
    except (KeyError, ValueError):
        manifest = {}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("This file is not a civic backup (no manifest.json of civic).")
    if manifest.get("version") != VERSION:
        raise BackupError(f"This backup is of format {manifest.get('version')}; this "
                          f"version of civic reads format {VERSION}.")
    return manifest


def _check_revision(script: ScriptDirectory, revision: str) -> None:
    try:
        script.get_revision(revision)
    except CommandError as error:
        raise BackupError(f"This backup was made at revision {revision}, which this "
                          "version of civic does not know: restore it with the version "
                          "that made it (or a newer one).") from error


def _rows_in(engine: Engine, names: Iterable[str]) -> dict[str, int]:
    """The tables among ``names`` that hold rows, with how many."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for name in sorted(set(names) & present):
            table = Table(name, MetaData())
            count = connection.scalar(select(func.count()).select_from(table))
            if count:
                found[name] = int(count)
    return found


def _refuse_unless_empty(engine: Engine, names: Iterable[str]) -> None:
    found = _rows_in(engine, names)
    if found:
        listed = ", ".join(f"{name} ({n})" for name, n in list(found.items())[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise BackupError("The database already holds data; a backup is only restored "
                          f"into an empty database. Rows found in {listed}{more}.")


def _migrate(engine: Engine, url: str, script: ScriptDirectory, revision: str) -> None:
    """Bring the empty database to ``revision``: up from nothing or an older schema,
    down from a newer one (its tables are empty)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == revision:
        return
    config = alembic_config(url)
    older = current is not None and revision in {
        step.revision for step in script.walk_revisions("base", current)}
    (command.downgrade if older else command.upgrade)(config, revision)


def _lines(archive: tarfile.TarFile, name: str) -> Iterator[dict[str, Any]]:
    stream = archive.extractfile(f"{TABLES}/{name}.jsonl")
    if stream is None:
        raise BackupError(f"The backup lacks the rows of {name}.")
    for line in stream:
        yield json.loads(line)


def _link_later(connection: Connection, table: Table, links: list[dict[str, Any]],
                columns: list[str]) -> None:
    """Set the links of rows to rows of their own table, once all of them are in."""
    if not links:
        return
    keys = list(table.primary_key.columns)
    statement = (table.update()
                 .where(and_(*(key == bindparam(f"key_{key.name}") for key in keys)))
                 .values({name: bindparam(f"link_{name}") for name in columns}))
    connection.execute(statement, links)


def _load_table(connection: Connection, table: Table, lines: Iterator[dict[str, Any]],
                entry: dict[str, Any]) -> int:
    kinds: dict[str, str] = entry["columns"]
    unknown = sorted(set(kinds) - set(table.columns.keys()))
    if unknown:
        raise BackupError(f"{table.name} has no column {', '.join(unknown)} at this revision.")
    for column in table.columns:
        if isinstance(column.type, JSON):
            column.type.none_as_null = True  # None is SQL NULL; JSON.NULL is JSON null
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    naive = connection.dialect.name == "sqlite"
    links: list[dict[str, Any]] = []
    count = 0
    while batch := list(islice(lines, BATCH)):
        rows = [{name: decode(kinds[name], value, naive_utc=naive)
                 for name, value in line.items()} for line in batch]
        for row in rows:
            if any(row.get(name) is not None for name in own):
                links.append({**{f"key_{k.name}": row[k.name] for k in table.primary_key},
                              **{f"link_{name}": row[name] for name in own}})
                row.update(dict.fromkeys(own))
        connection.execute(table.insert(), rows)
        count += len(rows)
    _link_later(connection, table, links, own)
    if count != entry["rows"]:
        raise BackupError(f"{table.name}: {count} rows read where the manifest says "
                          f"{entry['rows']}; the file is damaged.")
    return count


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """PostgreSQL: the next id of each table comes after the restored ones."""
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        key, name = quote(keys[0].name), quote(table.name)
        connection.execute(text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "  # noqa: S608  (quoted identifiers)
            f"COALESCE(MAX({key}), 1), MAX({key}) IS NOT NULL) FROM {name}"),
            {"table": name, "column": keys[0].name})


def _load(connection: Connection, archive: tarfile.TarFile,
          manifest: dict[str, Any]) -> dict[str, int]:
    entries = {entry["name"]: entry for entry in manifest["tables"]}
    missing = sorted(set(entries) - set(inspect(connection).get_table_names()))
    if missing:
        raise BackupError(f"No table {', '.join(missing)} at revision {manifest['revision']}.")
    reflected = MetaData()
    reflected.reflect(connection, only=sorted(entries))
    counts: dict[str, int] = {}
    for table in reflected.sorted_tables:
        if table.name in entries:
            counts[table.name] = _load_table(connection, table, _lines(archive, table.name),
                                             entries[table.name])
    if connection.dialect.name == "postgresql":
        _reset_sequences(connection, reflected.sorted_tables)
    return counts


def _upload_members(archive: tarfile.TarFile) -> list[tuple[tarfile.TarInfo, PurePosixPath]]:
    """The uploaded files of the backup, each with a path that stays inside UPLOAD_DIR."""
    found = []
    for member in archive.getmembers():
        path = PurePosixPath(member.name)
        if not path.parts or path.parts[0] != UPLOADS:
            continue
        relative = path.relative_to(UPLOADS)
        if (not member.isfile() or not relative.parts or ".." in relative.parts
                or path.is_absolute()):
            raise BackupError(f"The backup holds an unsafe file name: {member.name!r}.")
        found.append((member, relative))
    return found


def _read(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = archive.extractfile(member)
    return stream.read() if stream is not None else b""


def _refuse_other_files(archive: tarfile.TarFile,
                        members: list[tuple[tarfile.TarInfo, PurePosixPath]],
                        upload_dir: Path) -> None:
    clashes = [str(relative) for member, relative in members
               if (target := upload_dir.joinpath(*relative.parts)).exists()
               and (not target.is_file() or target.read_bytes() != _read(archive, member))]
    if clashes:
        raise BackupError(f"{upload_dir} already holds other files under the names of the "
                          f"backup's: {', '.join(clashes[:5])}…")


def _put_back(archive: tarfile.TarFile, members: list[tuple[tarfile.TarInfo, PurePosixPath]],
              upload_dir: Path) -> int:
    for member, relative in members:
        target = upload_dir.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(_read(archive, member))
        os.replace(partial, target)
    return len(members)


def _open(source: IO[bytes]) -> tarfile.TarFile:
    try:
        return tarfile.open(fileobj=source, mode="r:gz")
    except tarfile.TarError as error:
        raise BackupError("This file is not a civic backup (not a .tar.gz).") from error


def restore(url: str, metadata: MetaData, source: IO[bytes], upload_dir: Path) -> Summary:
    """Restore the backup read from ``source`` (a seekable file) into the empty database
    at ``url`` and into ``upload_dir``. Nothing is changed if the database holds rows;
    if the rows cannot all be inserted, none is (the database is left migrated, empty)."""
    with _open(source) as archive:
        manifest = _manifest(archive)
        revision = str(manifest["revision"])
        script = ScriptDirectory.from_config(alembic_config(url))
        _check_revision(script, revision)
        members = _upload_members(archive)
        engine = make_engine(url)
        try:
            _refuse_unless_empty(engine, [*metadata.tables,
                                          *(entry["name"] for entry in manifest["tables"])])
            _refuse_other_files(archive, members, upload_dir)
            _migrate(engine, url, script, revision)
            with engine.begin() as connection:
                rows = _load(connection, archive, manifest)
        finally:
            engine.dispose()
        files = _put_back(archive, members, upload_dir)
    return Summary(revision, rows=rows, files=files)


# --- Commands -------------------------------------------------------------------------


def describe(summary: Summary, verb: str) -> str:
    total = sum(summary.rows.values())
    lines = [f"{verb} {total} rows of {len(summary.rows)} tables and {summary.files} "
             f"files, at revision {summary.revision}."]
    lines += [f"  {name}: {n}" for name, n in summary.rows.items() if n]
    if summary.left_out:
        lines.append(f"Not in the backup (no model describes them): "
                     f"{', '.join(summary.left_out)}.")
    return "\n".join(lines)


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, allow_dash=True))
@with_appcontext
def backup_command(out: str) -> None:
    """Write a consistent backup of the database and the uploaded files to OUT
    (a .tar.gz; - writes it to the standard output, to pipe it into encryption)."""
    url = current_app.config["DATABASE_URL"]
    try:
        if out == "-":
            summary = backup(url, Base.metadata, sys.stdout.buffer,
                             _upload_dir(), now=clock.now())
        else:
            summary = backup_to(Path(out), url, Base.metadata, _upload_dir(), now=clock.now())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(describe(summary, "Backed up"), err=out == "-")


@contextmanager
def _seekable(source: str) -> Iterator[IO[bytes]]:
    """The backup as a seekable file; standard input is first copied to a temporary one."""
    if source != "-":
        with open(source, "rb") as stream:
            yield stream
        return
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(sys.stdin.buffer, copy)
        copy.seek(0)
        yield copy


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def restore_command(source: str) -> None:
    """Restore a backup (a file, or - for the standard input) into an empty database."""
    url = current_app.config["DATABASE_URL"]
    try:
        with _seekable(source) as stream:
            summary = restore(url, Base.metadata, stream, _upload_dir())
    except (BackupError, CommandError, tarfile.TarError, OSError) as error:
        raise click.ClickException(str(error)) from error
    except SQLAlchemyError as error:
        raise click.ClickException(
            f"The restore failed and inserted nothing ({type(error).__name__}: "
            f"{str(error).splitlines()[0]}). The database is left empty: run the "
            "restore again once the cause is fixed.") from error
    click.echo(describe(summary, "Restored"))
    head = _head(url)
    if summary.revision != head:
        click.echo(f"The restored database is at revision {summary.revision}; this version "
                   f"of civic is at {head}: run `flask --app wsgi db upgrade` next.")
