"""Writes of the registry context."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable

from django.db import transaction

from lindung.core import audit
from lindung.core.errors import FileRejected, RowError
from lindung.registry.models import Region

BUNDLED_REGIONS = Path(__file__).resolve().parent / "data" / "wilayah-dumai.csv"

# 2-digit province, then 2-digit regency/city, 2-digit district, 4-digit village.
_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")
_BATCH = 5000


@dataclass
class RegionImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_level: dict[int, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "by_level": {str(k): v for k, v in sorted(self.by_level.items())},
        }


ParsedRegion = tuple[int, str, str, int, str | None]  # (row, code, name, level, parent code)


def _parse_region_rows(lines: Iterable[str]) -> tuple[list[ParsedRegion], list[RowError]]:
    """Validate every row; return (rows, errors). Row numbers count the header as row 1."""
    reader = csv.reader(lines)
    errors: list[RowError] = []
    rows: list[ParsedRegion] = []
    try:
        header = next(reader)
    except StopIteration:
        return [], [RowError(1, "empty_file", "The file is empty; expected a header 'kode,nama'.")]
    except csv.Error as exc:
        return [], [RowError(1, "malformed_csv", f"Not a readable CSV file: {exc}.")]
    normalized = [h.strip().lstrip("\ufeff").lower() for h in header]
    if normalized[:2] not in (["kode", "nama"], ["code", "name"]) or len(normalized) != 2:
        return [], [RowError(1, "bad_header", f"Expected the header 'kode,nama', found {','.join(header)!r}.")]
    seen: dict[str, int] = {}
    line_no = 1
    try:
        for line_no, record in enumerate(reader, start=2):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue
            if len(record) != 2:
                errors.append(RowError(line_no, "wrong_column_count", f"Expected 2 columns (kode,nama), found {len(record)}."))
                continue
            code, name = record[0].strip(), record[1].strip()
            if not _CODE_RE.match(code):
                errors.append(RowError(line_no, "bad_code", f"Region code {code!r} is not of the form 14, 14.72, 14.72.01 or 14.72.01.1003.", "kode"))
                continue
            if not name:
                errors.append(RowError(line_no, "missing_name", f"Region {code} has no name.", "nama"))
                continue
            if len(name) > 200:
                errors.append(RowError(line_no, "name_too_long", f"Region {code} has a name longer than 200 characters.", "nama"))
                continue
            if code in seen:
                errors.append(RowError(line_no, "duplicate_code", f"Region code {code} appears again (first on row {seen[code]}).", "kode"))
                continue
            seen[code] = line_no
            level = code.count(".") + 1
            parent = code.rsplit(".", 1)[0] if level > 1 else None
            rows.append((line_no, code, name, level, parent))
    except csv.Error as exc:
        errors.append(RowError(line_no + 1, "malformed_csv", f"Unreadable CSV: {exc}."))
    return rows, errors


def import_regions(source: str | Path | IO[str], *, actor=None) -> RegionImportResult:
    """Load a Kepmendagri code list (CSV ``kode,nama``) idempotently.

    Every row is checked first; any malformed row rejects the whole file (``FileRejected`` names
    each row and reason) and nothing is written. Then new codes are inserted and changed names
    updated in batches, parents before children, in one transaction. Codes in the database that
    the file lacks are kept (they may be referenced) and counted nowhere.
    """
    if isinstance(source, (str, Path)):
        with open(source, encoding="utf-8-sig", newline="") as fh:
            return import_regions(fh, actor=actor)
    rows, errors = _parse_region_rows(source)
    if not errors and not rows:
        errors.append(RowError(2, "no_rows", "The file has a header but no regions."))
    codes_in_file = {r[1] for r in rows}
    existing = dict(Region.objects.values_list("code", "name"))
    for row, code, _name, _level, parent in rows:
        if parent is not None and parent not in codes_in_file and parent not in existing:
            errors.append(RowError(row, "unknown_parent", f"Region {code} has parent {parent}, which is neither in the file nor in the database.", "kode"))
    if errors:
        raise FileRejected(sorted(errors, key=lambda e: e.row), what="region file")

    result = RegionImportResult(rows=len(rows))
    to_create: list[Region] = []
    to_update: list[Region] = []
    for _row, code, name, level, parent in sorted(rows, key=lambda r: (r[3], r[1])):
        result.by_level[level] = result.by_level.get(level, 0) + 1
        old = existing.get(code)
        if old is None:
            to_create.append(Region(code=code, name=name, level=level, parent_id=parent))
        elif old != name:
            to_update.append(Region(code=code, name=name, level=level, parent_id=parent))
        else:
            result.unchanged += 1
    with transaction.atomic():
        for i in range(0, len(to_create), _BATCH):
            Region.objects.bulk_create(to_create[i : i + _BATCH], batch_size=_BATCH)
        for i in range(0, len(to_update), _BATCH):
            Region.objects.bulk_update(to_update[i : i + _BATCH], ["name"], batch_size=500)
        result.created = len(to_create)
        result.updated = len(to_update)
        if result.created or result.updated:
            audit.record(
                actor=actor,
                action="regions.import",
                object_type="registry.region",
                object_repr="Kepmendagri region list",
                changes={"created": result.created, "updated": result.updated},
                summary=f"{result.rows} rows: {result.created} created, {result.updated} updated, {result.unchanged} unchanged",
            )
    return result


def import_bundled_regions(*, actor=None) -> RegionImportResult:
    """The project's own Dumai region data (Riau, Kota Dumai, 7 kecamatan, 36 kelurahan)."""
    return import_regions(BUNDLED_REGIONS, actor=actor)

