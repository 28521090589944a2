"""What the pilotage part does beyond reading figures: building and keeping the open-data
release of each year (``release``), which years the public may ask for, and the job that
rebuilds the releases every night; making and revoking API tokens; noting each export in
the audit log."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy.orm import Session

from civic.core import audit as audit_log
from civic.core import clock
from civic.core.db import commit
from civic.core.db import session as db_session
from civic.core.jobs import job
from civic.pilotage import figures, release
from civic.pilotage.models import ApiToken, OpenRelease
from civic.pilotage.queries import PREFIX, token_digest
from civic.territory import queries as territory_queries

if TYPE_CHECKING:
    from civic.accounts.models import User


def public_years(db: Session, today: date, settle_days: int) -> list[int]:
    """The years open data answers for: the contract's years that ended ``settle_days``
    ago or more (late paper ballots and attendance are in by then). A year is published
    once, whole, and never changes after (``published``): nobody can difference two
    versions of it, whether a day or a quarter apart."""
    contract = territory_queries.current_contract(db)
    if contract is None:
        return []
    return [y for y in range(contract.start_year, contract.end_year + 1)
            if publication_day(y, settle_days) <= today]


def publication_day(year: int, settle_days: int) -> date:
    """The day ``year``'s open data is published."""
    return date(year + 1, 1, 1) + timedelta(days=settle_days)


def next_publication(db: Session, today: date, settle_days: int) -> tuple[int, date] | None:
    """The next year to be published, and when; None when every year of the contract is."""
    contract = territory_queries.current_contract(db)
    if contract is None:
        return None
    for year in range(contract.start_year, contract.end_year + 1):
        if publication_day(year, settle_days) > today:
            return year, publication_day(year, settle_days)
    return None


def quartier_ids(db: Session) -> list[int]:
    return [q.id for q in territory_queries.quartiers(db)]


def build_release(db: Session, year: int, *, timezone: str, threshold: int,
                  audit: bool = True) -> release.Release:
    """A year's release computed now from the database (not stored)."""
    ids = quartier_ids(db)
    return release.protect(year, release.compute(db, year, timezone, ids), ids, threshold,
                           audit=audit)


def store(db: Session, published: release.Published, *, now: datetime) -> None:
    cells = [[*cell, value] for cell, value in published.shown.items()]
    row = db.get(OpenRelease, published.year)
    if row is None:
        row = OpenRelease(year=published.year)
        db.add(row)
    row.threshold = published.threshold
    row.built_at = now
    row.figures = {"cells": cells}
    db.flush()


def stored(db: Session, year: int) -> bool:
    """Whether ``year``'s release is published."""
    return db.get(OpenRelease, year) is not None


def _loaded(row: OpenRelease) -> release.Published:
    shown: dict[release.Cell, int | None] = {
        (key, quartier, quarter, str(rid), column): value
        for key, quartier, quarter, rid, column, value in row.figures.get("cells", [])}
    return release.Published(row.year, row.threshold, shown)


def published(db: Session, year: int, *, timezone: str, threshold: int, now: datetime
              ) -> release.Published:
    """The release of ``year`` as first published: built and kept on its first reading,
    then never built again (a changed threshold applies to the years published after
    it). Only ``flask pilotage release --again`` publishes a year a second time."""
    row = db.get(OpenRelease, year)
    if row is not None:
        return _loaded(row)
    built = build_release(db, year, timezone=timezone, threshold=threshold).published
    store(db, built, now=now)
    return built


def _settings() -> dict[str, Any]:
    config = current_app.config
    return {"timezone": str(config["TIMEZONE"]),
            "threshold": int(config["SMALL_CELL_THRESHOLD"])}


@job("pilotage.refresh_figures", cron="10 2 * * *")
def refresh_figures() -> None:
    """Every day of the daily figures computed again from the acts: mends whatever a
    change made past the session left stale (``civic.pilotage.figures``)."""
    db = db_session()
    figures.rebuild(db)
    commit(db)


@job("pilotage.build_releases", cron="20 2 * * *")
def build_releases() -> None:
    """Publish the years whose time has come and that nobody has read yet: a year
    already published is never built again."""
    db = db_session()
    settings = _settings()
    now = clock.now()
    today = clock.local_day(now, settings["timezone"])
    for year in public_years(db, today, settle_days()):
        if db.get(OpenRelease, year) is None:
            store(db, build_release(db, year, **settings).published, now=now)
    commit(db)


def settle_days() -> int:
    return int(current_app.config["OPEN_DATA_SETTLE_DAYS"])


# --- API tokens ------------------------------------------------------------------------


def create_token(db: Session, user: User, name: str, *, now: datetime
                 ) -> tuple[ApiToken, str]:
    """A new token and its value, which is shown this once and never stored (only its
    digest is)."""
    value = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=" ".join(name.split())[:80],
                     digest=token_digest(value), prefix=value[:12], created_at=now)
    db.add(token)
    db.flush()
    audit_log.record(db, actor=user, action="pilotage.token_created",
                     target_type="api_token", target_id=token.id, now=now)
    return token, value


def revoke_token(db: Session, token: ApiToken, *, actor: User | None, now: datetime) -> None:
    """Revoke ``token`` for good; revoking it again changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = now
        db.flush()
        audit_log.record(db, actor=actor, action="pilotage.token_revoked",
                         target_type="api_token", target_id=token.id, now=now)


# --- Exports ---------------------------------------------------------------------------


def record_export(db: Session, actor: Any, key: str, fmt: str, now: datetime) -> None:
    """Note in the audit log that ``actor`` downloaded the table ``key`` ("all": the
    dashboard's workbook) as ``fmt`` ("csv", "xlsx")."""
    audit_log.record(db, actor=actor, action="pilotage.export", target_type="table",
                     target_id=key, now=now, format=fmt)
