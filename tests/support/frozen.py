"""A frozen wall clock for the app's layout snapshots: every date the screens draw (reviews due, the exam
countdown, the exam date's days left, a lab run's day) is then the same on every run and every day.

The study layer reads the time in two places (`tutor.study.scheduler.utc`, which every session, the
plan, readiness and the store call, and `tutor.study.labruns`), the home outlook reads today's date; those
module attributes are swapped for frozen ones, so nothing in `tutor/` changes. Local times (a lab run's
"14:05", review's "at 09:30") are drawn in UTC. Textual's own timers use the monotonic clock, untouched.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday morning


def frozen_datetime(now: datetime) -> type[datetime]:
    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return now.astimezone(tz) if tz is not None else now.replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return now.replace(tzinfo=None)

    return FrozenDatetime


def frozen_date(today: date) -> type[date]:
    class FrozenDate(date):
        @classmethod
        def today(cls):
            return today

    return FrozenDate


def freeze(monkeypatch, now: datetime = NOW) -> datetime:
    """Stop the study layer's and the home screen's clock at `now` (UTC); undone by monkeypatch."""
    stopped = frozen_datetime(now)
    for module in ("tutor.study.scheduler", "tutor.study.labruns"):
        monkeypatch.setattr(f"{module}.datetime", stopped)
    monkeypatch.setattr("tutor.app.widgets.home_outlook.date", frozen_date(now.date()))
    return now


@contextmanager
def utc_local_time() -> Iterator[None]:
    """Local time is UTC inside (`datetime.astimezone()` with no zone), whatever the machine's zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


def days_before(days: float, now: datetime = NOW) -> datetime:
    return now - timedelta(days=days)
