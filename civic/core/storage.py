"""Where uploaded photos are kept: two backends behind one small interface.

``local`` keeps each photo as a file under a folder (the development default: one machine).
``database`` keeps it as a row of ``stored_files``, so that every app machine behind a
load balancer reads what any of them received (the production default).

A photo is named once, at random, and never changes under that name. A post names its
photo in a column called ``photo``; when no such column names it any more (the post was
deleted, or its photo replaced), :func:`release_unused` removes it from the store.
This module knows no Flask: the caller says which backend and which session.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import LargeBinary, String, delete, event, inspect, select, union_all
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from civic.core.db import Base

#: The only names a photo is ever stored under: 128 random bits in hex, then ``.jpg``.
NAME = re.compile(r"[0-9a-f]{32}\.jpg")
JPEG = "image/jpeg"
#: The column through which a post names its stored photo.
PHOTO_COLUMN = "photo"


class StoredFile(Base):
    """A photo kept in the database, read by every app machine."""

    __tablename__ = "stored_files"

    #: The random name it is served under, ``/media/<name>``.
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    #: The media type it is served with (``image/jpeg``: photos are re-encoded).
    content_type: Mapped[str] = mapped_column(String(80))
    #: The re-encoded image, without EXIF.
    content: Mapped[bytes] = mapped_column("bytes", LargeBinary)
    #: Its length in bytes.
    size: Mapped[int]
    #: When it was stored; served as its Last-Modified.
    created_at: Mapped[datetime]


@dataclass(frozen=True)
class Photo:
    """A stored photo as served."""

    data: bytes
    content_type: str
    created_at: datetime


class Backend(Protocol):
    #: Whether a removal belongs to the database transaction (else it waits for the commit).
    transactional: bool

    def put(self, name: str, data: bytes, *, content_type: str, now: datetime) -> None: ...

    def get(self, name: str) -> Photo | None: ...

    def delete(self, names: Collection[str]) -> None: ...

    def names(self) -> list[str]: ...


class LocalBackend:
    """Files under one folder of this machine."""

    transactional = False

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, name: str, data: bytes, *, content_type: str, now: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / name).write_bytes(data)

    def get(self, name: str) -> Photo | None:
        if not NAME.fullmatch(name):
            return None
        path = self.directory / name
        try:
            data = path.read_bytes()
            modified = path.stat().st_mtime
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None
        return Photo(data, JPEG, datetime.fromtimestamp(modified, UTC))

    def delete(self, names: Collection[str]) -> None:
        for name in names:
            if NAME.fullmatch(name):
                (self.directory / name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(path.name for path in self.directory.iterdir()
                      if NAME.fullmatch(path.name) and path.is_file())


class DatabaseBackend:
    """Rows of ``stored_files``, in the session's transaction."""

    transactional = True

    def __init__(self, db: Session) -> None:
        self.db = db

    def put(self, name: str, data: bytes, *, content_type: str, now: datetime) -> None:
        self.db.add(StoredFile(name=name, content_type=content_type, content=data,
                               size=len(data), created_at=now))
        self.db.flush()

    def get(self, name: str) -> Photo | None:
        if not NAME.fullmatch(name):
            return None
        row = self.db.execute(select(StoredFile.content, StoredFile.content_type,
                                     StoredFile.created_at)
                              .where(StoredFile.name == name)).one_or_none()
        return None if row is None else Photo(bytes(row[0]), row[1], row[2])

    def delete(self, names: Collection[str]) -> None:
        if names:
            self.db.execute(delete(StoredFile).where(StoredFile.name.in_(list(names))))

    def names(self) -> list[str]:
        return list(self.db.scalars(select(StoredFile.name).order_by(StoredFile.name)))


def copy_missing(source: Backend, target: Backend) -> int:
    """Copy into ``target`` every photo of ``source`` it lacks, keeping name and date;
    returns how many were copied (0 the second time)."""
    present = set(target.names())
    copied = 0
    for name in source.names():
        if name in present:
            continue
        photo = source.get(name)
        if photo is None:
            continue
        target.put(name, photo.data, content_type=photo.content_type, now=photo.created_at)
        copied += 1
    return copied


# --- Releasing photos that no post names any more ---------------------------------------


def still_named(db: Session, names: Collection[str]) -> set[str]:
    """Those of ``names`` that some ``photo`` column of some table still holds (a point
    turned into an idea shares its photo with the idea)."""
    columns = [table.c[PHOTO_COLUMN] for table in Base.metadata.sorted_tables
               if PHOTO_COLUMN in table.c]
    if not names or not columns:
        return set()
    wanted = list(names)
    found = union_all(*[select(column.label("name")).where(column.in_(wanted))
                        for column in columns]).subquery()
    return set(db.scalars(select(found.c.name)))


#: ``session.info`` keys: names released by flushes since the last commit, and removals
#: that wait for the commit.
_RELEASED = "civic.photos_released"
_AFTER_COMMIT = "civic.photos_after_commit"


def _released_by_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Note the names that this flush stops naming: a deleted post's photo, a replaced one."""
    names: set[str] = session.info.setdefault(_RELEASED, set())
    for obj in session.deleted:
        if inspect(obj).mapper.has_property(PHOTO_COLUMN) and getattr(obj, PHOTO_COLUMN):
            names.add(getattr(obj, PHOTO_COLUMN))
    for obj in session.dirty:
        state = inspect(obj)
        if state.mapper.has_property(PHOTO_COLUMN):
            names.update(name for name in state.attrs[PHOTO_COLUMN].history.deleted if name)


def release_unused(session: Session, backend: Backend) -> list[str]:
    """Remove from ``backend`` the photos released since the last commit that no row
    names any more; returns their names. The database backend removes them in this
    transaction; the local one once it is committed, so a rollback loses no file."""
    released: set[str] = session.info.pop(_RELEASED, set())
    if not released:
        return []
    unused = sorted(released - still_named(session, released))
    if unused and backend.transactional:
        backend.delete(unused)
    elif unused:
        session.info.setdefault(_AFTER_COMMIT, []).append((backend, unused))
    return unused


def _before_commit(backend_for: Callable[[Session], Backend | None]) -> Callable[[Session], None]:
    def before_commit(session: Session) -> None:
        backend = backend_for(session)
        if backend is None:
            session.info.pop(_RELEASED, None)
            return
        session.flush()
        release_unused(session, backend)

    return before_commit


def _after_commit(session: Session) -> None:
    for backend, names in session.info.pop(_AFTER_COMMIT, []):
        backend.delete(names)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back transaction releases nothing (its rows still name their photos)."""
    if transaction.parent is None:
        session.info.pop(_RELEASED, None)
        session.info.pop(_AFTER_COMMIT, None)


def track_releases(session: Any, backend_for: Callable[[Session], Backend | None]) -> None:
    """Have ``session`` (a session or a ``scoped_session``) release unused photos at each
    commit, from the backend that ``backend_for`` chooses (``None``: keep them all).
    ORM deletes and changes are seen; a bulk ``DELETE`` statement is not."""
    if event.contains(session, "before_flush", _released_by_flush):
        return
    event.listen(session, "before_flush", _released_by_flush)
    event.listen(session, "before_commit", _before_commit(backend_for))
    event.listen(session, "after_commit", _after_commit)
    event.listen(session, "after_transaction_end", _after_transaction_end)
