"""The deaths and claims of the Dumai programme (the 14 cases of 21 March 2024 and later ones)."""

from __future__ import annotations

import datetime as dt


class Cases:
    def __init__(self, replay):
        self.replay = replay

    def events(self, month: dt.date, end: dt.date) -> list:
        """(day, callable(day) -> changed) of the month's deaths, claims and decisions."""
        return []
