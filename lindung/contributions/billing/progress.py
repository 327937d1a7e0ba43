"""Progress of a billing run for the job page."""

from __future__ import annotations


class Progress:
    """Done/total of a run for a ``progress(done, total, message)`` callback: one unit per payer
    for sponsor agreements and employers (known once the segment has listed its payers; counted
    as one until then), one unit each for the self-paying workers and the construction projects."""

    def __init__(self, callback, segments):
        self.callback = callback
        self.units = dict.fromkeys(segments, 1)
        self.done = dict.fromkeys(segments, 0)

    def _emit(self, message: str) -> None:
        if self.callback is not None:
            self.callback(sum(self.done.values()), sum(self.units.values()), message)

    def plan(self, segment: str, payers: int, message: str) -> None:
        self.units[segment] = max(payers, 1)
        self._emit(message)

    def advance(self, segment: str, message: str) -> None:
        self.done[segment] = min(self.done[segment] + 1, self.units[segment])
        self._emit(message)

    def complete(self, segment: str, message: str) -> None:
        self.done[segment] = self.units[segment]
        self._emit(message)
