"""Tests of events: signups, waiting lists, calendars, reminders, attendance."""
