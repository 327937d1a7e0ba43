"""The report laid out once — sections of labelled rows and tables — for the page, the workbook
(XLSX, through the project's safe writer) and the printable PDF, so the three always agree.

A cell is a value with its kind (``text``, ``number``, ``rupiah``, ``date``): the page and the PDF
format it for the active language (``lindung.core.formatting``), the workbook writes the value
itself (numbers stay numbers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from lindung.claims.models import ClaimProgram
from lindung.core import formatting
from lindung.core.labels import label
from lindung.membership.models import Participant
from lindung.reports.selectors import ProgrammeReport

TEXT, NUMBER, RUPIAH, DATE = "text", "number", "rupiah", "date"


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str = TEXT
    indent: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in (NUMBER, RUPIAH)

    @property
    def text(self) -> str:
        if self.kind == NUMBER:
            return formatting.number(self.value)
        if self.kind == RUPIAH:
            return formatting.rupiah(self.value)
        if self.kind == DATE:
            return formatting.date(self.value)
        return "" if self.value is None else str(self.value)


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    note: str = ""

    @property
    def headers(self) -> list[tuple[str, bool]]:
        """Each column's title and whether it holds numbers (aligned right)."""
        return [(title, i > 0 and self.numeric_column(i)) for i, title in enumerate(self.columns)]

    def numeric_column(self, i: int) -> bool:
        cells = [row[i] for row in self.rows if len(row) > i]
        return bool(cells) and all(c.numeric for c in cells)


def _n(value) -> Cell:
    return Cell(value, NUMBER)


def _rp(value) -> Cell:
    return Cell(value, RUPIAH)


def sections(report: ProgrammeReport) -> list[Section]:
    m, c = report.membership, report.contributions
    end = formatting.date(report.period.end)
    members = Section(
        "membership",
        _("Participants"),
        [_("Figure"), _("Workers")],
        [
            [Cell(_("Enrolled on %(date)s") % {"date": end}), _n(m.enrolled_at_end)],
            [Cell(_("Covered in the last month (paid)")), _n(m.covered_at_end)],
            [Cell(_("New memberships in the period")), _n(m.new)],
            [Cell(_("Memberships ended in the period")), _n(m.ended)],
            *[[Cell(_reason(reason), indent=True), _n(n)] for reason, n in m.ended_by_reason.items()],
        ],
    )
    contributions = Section(
        "contributions",
        _("Contributions"),
        [_("Figure"), _("Amount")],
        [
            [Cell(_("Worker-months billed")), _n(c.worker_months)],
            [Cell(_("Billed for the period's months")), _rp(c.billed)],
            [Cell(_("Of that, paid to date")), _rp(c.paid)],
            [Cell(_("Of that, still unpaid")), _rp(c.outstanding)],
            [Cell(_("Payments received in the period")), _rp(c.received)],
            [Cell(_("In arrears on %(date)s") % {"date": end}), _rp(c.arrears_at_end)],
            [Cell(_("Invoices in arrears on %(date)s") % {"date": end}), _n(c.invoices_in_arrears)],
        ],
    )
    claims = Section(
        "claims",
        _("Claims"),
        [
            _("Programme"),
            _("Cases in the period"),
            _("Cases to date"),
            _("Approved"),
            _("Benefit approved"),
            _("Rejected"),
            _("Paid"),
            _("Amount paid"),
        ],
        [
            [
                Cell(str(ClaimProgram(f.program).label)),
                _n(f.reported),
                _n(f.reported_to_date),
                _n(f.decided),
                _rp(f.decided_amount),
                _n(f.rejected),
                _n(f.paid),
                _rp(f.paid_amount),
            ]
            for f in report.claims
        ],
        total=[
            Cell(_("Total")),
            *[
                (_rp if attr.endswith("amount") else _n)(report.claims_total(attr))
                for attr in ("reported", "reported_to_date", "decided", "decided_amount", "rejected", "paid", "paid_amount")
            ],
        ],
        note=_(
            "A case counts in the period of its death or accident; to date means since the programme began, up to the period's end. "
            "Approved and paid count in the period of the approval and of the bank's confirmation."
        ),
    )
    s = report.scholarships
    scholarships = Section(
        "scholarships",
        _("Scholarships"),
        [_("Figure"), _("Amount")],
        [
            [Cell(_("School years paid")), _n(s.paid)],
            [Cell(_("Children")), _n(s.children)],
            [Cell(_("Amount paid")), _rp(s.amount)],
        ],
    )
    handovers = Section(
        "handovers",
        _("Hand-over events"),
        [_("Date"), _("Event"), _("Place"), _("Cases"), _("Of them paid"), _("Total")],
        [[Cell(h.date, DATE), Cell(h.title), Cell(h.place), _n(h.cases), _n(h.paid), _rp(h.total)] for h in report.handovers],
        total=[Cell(_("Total")), Cell(""), Cell(""), _n(report.handover_cases), _n(sum(h.paid for h in report.handovers)), _rp(report.handover_total)]
        if report.handovers
        else None,
        note="" if report.handovers else _("No hand-over event in the period."),
    )
    return [members, contributions, claims, scholarships, handovers]


def _reason(code: str) -> str:
    if code in Participant.ExitReason.values:
        return str(Participant.ExitReason(code).label)
    return label(code)


def title(report: ProgrammeReport) -> str:
    return _("Programme report: %(sponsor)s, %(period)s") % {"sponsor": report.sponsor_name, "period": report.period.label}


def subtitle(report: ProgrammeReport) -> str:
    return _("%(start)s – %(end)s · figures as of %(today)s") % {
        "start": formatting.date(report.period.start),
        "end": formatting.date(report.period.end),
        "today": formatting.date(report.as_of),
    }


def cell_value(cell: Cell):
    """The value a workbook cell holds (a number, a date or text)."""
    if cell.numeric:
        return int(cell.value or 0)
    if cell.kind == DATE and isinstance(cell.value, dt.date):
        return cell.value
    return ("    " if cell.indent else "") + cell.text
