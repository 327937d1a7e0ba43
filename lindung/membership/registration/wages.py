"""An employer's monthly wage report: read from a file (CSV or workbook) or given as rows, checked, recorded."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit, tabular
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.core.files.checks import check_upload
from lindung.membership.kpj import is_valid_kpj
from lindung.membership.models import Employer, Participant, Segment, WageReport
from lindung.membership.registration.inputs import as_date, as_int, raise_invalid


@dataclass
class WageRow:
    row: int
    kpj: str
    wage: int


# What a wage report file may be: text tables and workbooks (``lindung.core.tabular``).
WAGE_SUFFIXES = tabular.TABULAR_SUFFIXES


def parse_wage_file(source: IO[bytes] | bytes | str, *, name: str | None = None) -> list[WageRow]:
    """Read a wage report (header ``kpj,wage``; ``kpj_number``/``no_kpj``/``upah`` accepted too)
    from a CSV/TSV (UTF-8, UTF-16 or Windows-1252) or a workbook; ``source`` is an uploaded file,
    bytes or text. Raises ``FileRejected`` listing every bad row (the file's own row numbers)."""
    what = _("wage file")
    if isinstance(source, str):
        source = source.encode("utf-8")
    name = name or getattr(source, "name", None) or "wages.csv"
    tabular.check_suffix(name, WAGE_SUFFIXES, what=what)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    check_upload(source, "wage_report")
    records = tabular.read_rows(source, name=name, what=what)
    header_row = next((r for r in records if not tabular.is_blank(r.cells)), None)
    if header_row is None:
        raise FileRejected([RowError(1, "empty_file", _("The file is empty; expected a header 'kpj,wage'."))], what=what)
    header = [tabular.text(h).strip().lower() for h in header_row.cells]
    aliases = {"kpj": "kpj", "kpj_number": "kpj", "no_kpj": "kpj", "wage": "wage", "upah": "wage"}
    cols = [aliases.get(h) for h in header]
    if "kpj" not in cols or "wage" not in cols:
        raise FileRejected(
            [
                RowError(
                    header_row.number, "bad_header", _("Expected the columns kpj and wage, found %(header)s.") % {"header": repr(",".join(header))}
                )
            ],
            what=what,
        )
    ki, wi = cols.index("kpj"), cols.index("wage")
    rows, errors = [], []
    for record in records:
        n, cells = record.number, record.cells
        if tabular.is_blank(cells):
            continue
        width = len(cells) - next((i for i, c in enumerate(reversed(cells)) if tabular.text(c).strip()), len(cells))
        if width != len(header):
            errors.append(
                RowError(n, "wrong_column_count", _("Expected %(expected)s columns, found %(found)s.") % {"expected": len(header), "found": width})
            )
            continue
        field_errors: dict[str, str] = {}
        wage = as_int(cells[wi], "wage", field_errors)
        if field_errors:
            errors.append(RowError(n, "bad_wage", field_errors["wage"], "wage"))
            continue
        rows.append(WageRow(n, tabular.text(cells[ki]).strip(), wage))
    if errors:
        raise FileRejected(errors, what=what)
    return rows


@transaction.atomic
def record_wages(employer: Employer, period, rows: Iterable[WageRow | dict], *, actor) -> dict:
    """Record an employer's monthly wage report (one row per PU worker: KPJ and wage). All or
    nothing: an unknown KPJ, a worker of another employer, a bad check digit, a duplicate or a
    non-positive wage rejects the whole report (``FileRejected`` naming each row). Re-sending a
    month replaces that month's wages. The participant's current wage follows the latest month."""
    errors: dict[str, str] = {}
    month = as_date(period, "period", errors)
    raise_invalid(errors, _("The wage report is not valid"))
    month = month.replace(day=1)
    items = [
        r if isinstance(r, WageRow) else WageRow(int(r.get("row") or i), str(r.get("kpj") or r.get("kpj_number") or ""), r.get("wage"))
        for i, r in enumerate(rows, start=1)
    ]
    if not items:
        raise ServiceError("invalid", _("The wage report has no rows."), {"rows": "empty"})
    row_errors: list[RowError] = []
    known = dict(Participant.objects.filter(kpj_number__in=[r.kpj for r in items]).values_list("kpj_number", "pk"))
    mine = dict(
        Participant.objects.filter(employer=employer, segment=Segment.PU, kpj_number__in=[r.kpj for r in items]).values_list(
            "kpj_number", "start_date"
        )
    )
    seen: dict[str, int] = {}
    for r in items:
        if not is_valid_kpj(r.kpj):
            row_errors.append(
                RowError(r.row, "bad_kpj", _("%(kpj)s is not a KPJ number (11 digits with a check digit).") % {"kpj": repr(r.kpj)}, "kpj")
            )
        elif r.kpj not in known:
            row_errors.append(RowError(r.row, "unknown_kpj", _("KPJ %(kpj)s is not registered.") % {"kpj": r.kpj}, "kpj"))
        elif r.kpj not in mine:
            row_errors.append(
                RowError(r.row, "not_this_employer", _("KPJ %(kpj)s is not a PU worker of %(npp)s.") % {"kpj": r.kpj, "npp": employer.npp}, "kpj")
            )
        elif r.kpj in seen:
            row_errors.append(
                RowError(
                    r.row, "duplicate_kpj", _("KPJ %(kpj)s appears again (first on row %(first)s).") % {"kpj": r.kpj, "first": seen[r.kpj]}, "kpj"
                )
            )
        elif month < mine[r.kpj].replace(day=1):
            row_errors.append(
                RowError(
                    r.row, "before_start", _("KPJ %(kpj)s was not yet registered in %(month)s.") % {"kpj": r.kpj, "month": f"{month:%Y-%m}"}, "kpj"
                )
            )
        if not isinstance(r.wage, int) or isinstance(r.wage, bool) or r.wage <= 0:
            row_errors.append(
                RowError(r.row, "bad_wage", _("The wage must be a positive whole number of rupiah (got %(wage)s).") % {"wage": repr(r.wage)}, "wage")
            )
        seen.setdefault(r.kpj, r.row)
    if row_errors:
        raise FileRejected(sorted(row_errors, key=lambda e: e.row), what=_("wage report"))
    ids = {r.kpj: known[r.kpj] for r in items}
    existing = {w.participant_id: w for w in WageReport.objects.filter(period=month, participant_id__in=ids.values())}
    to_create, to_update = [], []
    for r in items:
        pid = ids[r.kpj]
        if pid in existing:
            existing[pid].wage = r.wage
            to_update.append(existing[pid])
        else:
            to_create.append(WageReport(employer=employer, participant_id=pid, period=month, wage=r.wage))
    WageReport.objects.bulk_create(to_create, batch_size=2000)
    WageReport.objects.bulk_update(to_update, ["wage"], batch_size=2000)
    latest = dict(
        WageReport.objects.filter(participant_id__in=ids.values())
        .values("participant_id")
        .annotate(m=Max("period"))
        .values_list("participant_id", "m")
    )
    current = [Participant(pk=ids[r.kpj], wage=r.wage) for r in items if latest.get(ids[r.kpj]) == month]
    Participant.objects.bulk_update(current, ["wage"], batch_size=2000)
    total = sum(r.wage for r in items)
    audit.record(
        actor=actor,
        action="employer.wage_report",
        obj=employer,
        changes={"period": month.isoformat(), "rows": len(items), "created": len(to_create), "replaced": len(to_update), "total_wage": total},
        summary=audit.Message(
            gettext_noop("Wage report %(month)s: %(count)s workers, %(total)s"),
            month=audit.as_month(month),
            count=len(items),
            total=audit.as_rupiah(total),
        ),
    )
    return {"period": month.isoformat(), "rows": len(items), "created": len(to_create), "replaced": len(to_update), "total_wage": total}
