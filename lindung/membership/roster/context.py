"""What the three passes of an import share: the summary, and the context (agreement, cover
start, eligible villages, the file's header and the error spools)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lindung.membership.models import SponsorAgreement
from lindung.membership.roster.layout import Layout
from lindung.membership.roster.spool import Spool

IGNORED_SHOWN = 50


@dataclass
class RosterSummary:
    rows: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    rejected: int = 0
    warnings: int = 0
    held: int = 0  # rows held for the branch office's verification (code verification_needed)
    by_reason: dict[str, int] = field(default_factory=dict)
    error_file: str = ""
    dry_run: bool = False
    all_or_nothing: bool = False
    cover_start: str = ""
    import_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    ignored_lines: int = 0
    ignored: list[dict] = field(default_factory=list)  # the first IGNORED_SHOWN: {"row", "text"}
    header_row: int = 1
    sheet: str = ""

    def ignore(self, row: int, text: str) -> None:
        """A line under the list that is not a worker (signature, total, note): reported, not rejected."""
        self.ignored_lines += 1
        if len(self.ignored) < IGNORED_SHOWN:
            self.ignored.append({"row": row, "text": text})

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "enrolled": self.enrolled,
            "already_enrolled": self.already_enrolled,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "held": self.held,
            "by_reason": dict(sorted(self.by_reason.items())),
            "error_file": self.error_file,
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "cover_start": self.cover_start,
            "import_id": self.import_id,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "ignored_lines": self.ignored_lines,
            "ignored": list(self.ignored),
            "header_row": self.header_row,
            "sheet": self.sheet,
        }


@dataclass
class ImportContext:
    agreement: SponsorAgreement
    cover_start: dt.date
    villages: frozenset[str]
    summary: RosterSummary
    header: list[str]
    index: dict[str, int]
    errors: Spool  # rows: row_no, code, field, *raw
    errors_db: Spool
    layout: Layout | None = None
    # Rows held for verification and proposed changes, written by pass 2 when the import writes
    # (not for a dry run); inserted after the enrolments (``roster.holding``).
    held: Spool | None = None
    proposals: Spool | None = None


def reject(ctx: ImportContext, spool: Spool, row_no: int, code: str, raw: list[str], detail: str = "") -> None:
    ctx.summary.by_reason[code] = ctx.summary.by_reason.get(code, 0) + 1
    spool.write([row_no, code, detail, *raw])
