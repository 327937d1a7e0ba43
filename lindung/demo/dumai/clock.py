"""The replay's clock: what the services stamp as *now* (decisions, audit events, reports) is the
day of the story being replayed, so a claim decided in March 2024 shows March 2024 in its timeline.
Only ``lindung demo dumai`` sets it, in its own process, for the length of one step."""

from __future__ import annotations

import contextlib
import datetime as dt
from unittest import mock

from django.utils import timezone


@contextlib.contextmanager
def at(day: dt.date, hour: int = 10):
    """``timezone.now()`` (and so ``timezone.localdate()``) is ``day`` at ``hour`` local time,
    advancing a second per call so the order of the records is kept."""
    if day >= timezone.localdate():
        yield  # today (or later): the real clock
        return
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone()).astimezone(dt.UTC)
    ticks = {"n": 0}

    def now():
        ticks["n"] += 1
        return start + dt.timedelta(seconds=ticks["n"])

    with mock.patch("django.utils.timezone.now", now):
        yield
