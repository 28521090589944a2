"""Event jobs: the reminders (every day at 16:00 UTC) and the purge of old signups
(every night); also commands, `events send-reminders` and `events purge-signups`."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from civic.core import clock
from civic.core.db import commit, session
from civic.core.jobs import job
from civic.events import notifications, services

events_cli = AppGroup("events", help="Event reminders and the retention of signups.")


def end_of_tomorrow(now: datetime, timezone: str) -> datetime:
    """Midnight at the end of tomorrow, local time, in UTC."""
    tomorrow = clock.local_day(now, timezone) + timedelta(days=2)
    return clock.to_utc(datetime.combine(tomorrow, datetime.min.time()), timezone)


def send_reminders(now: datetime) -> int:
    """Mail each confirmed person whose event starts by the end of tomorrow, once: the
    reminder is claimed in the database in the transaction that puts its mail in the
    outbox, so a second run (even a simultaneous one) sends nothing again."""
    db = session()
    due = services.due_reminders(db, now=now, tomorrow_ends=end_of_tomorrow(
        now, current_app.config["TIMEZONE"]))
    sent = 0
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        for signup in due:
            if services.mark_reminded(db, signup, now=now):
                sent += notifications.reminder(signup, now)
        commit(db)
    return sent


@job("events.send_reminders", cron="0 16 * * *")
def reminders_job() -> str:
    return f"{send_reminders(clock.now())} reminders sent"


@job("events.purge_signups", cron="30 2 * * *")
def purge_job() -> str:
    return f"signups deleted for {purge_signups()} events"


def purge_signups() -> int:
    db = session()
    purged = services.purge(db, now=clock.now(),
                            days=current_app.config["EVENT_SIGNUP_RETENTION_DAYS"])
    commit(db)
    return len(purged)


@events_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Mail tomorrow's reminders (the worker runs it daily; safe to run twice)."""
    click.echo(f"{send_reminders(clock.now())} reminders sent")


@events_cli.command("purge-signups")
def purge_command() -> None:
    """Delete the names and contacts of events ended EVENT_SIGNUP_RETENTION_DAYS ago."""
    click.echo(f"signups deleted for {purge_signups()} events")
