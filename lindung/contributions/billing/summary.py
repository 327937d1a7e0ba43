"""What a billing run created and covers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BillingSummary:
    run_id: int | None
    invoices: int = 0
    lines: int = 0
    total: int = 0
    created: int = 0
    lines_created: int = 0
    invoice_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"invoices": self.invoices, "lines": self.lines, "total": self.total, "created": self.created}
