"""Roster import: a sponsor's list of workers (CSV or XLSX) enrolled into one agreement.

Three streamed passes, so memory stays flat in the number of rows (see docs/roster.md):

1. **read and check** each row on its own (NIK, required fields, dates, sex, region, age, duplicate
   NIK within the file); good rows go to a spool file, problems to an error spool;
2. **classify** the good rows in chunks of ``CHUNK`` NIKs against the database (``nik__in``, one
   query per table per chunk): already enrolled here, active elsewhere, deceased; then quota and
   budget in file order; rows to enrol go to a second spool;
3. **write** in one transaction: KPJ numbers reserved in one block, persons, participants,
   sponsorship periods and status changes inserted set-based (PostgreSQL ``COPY``, SQLite
   ``executemany``), one audit event for the import.

Passes 2 and 3 run in one transaction holding a lock on the agreement, so a crash leaves nothing
half-enrolled and a rerun completes the import; re-importing the same file is a no-op (every row
is ``already_enrolled``).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import heapq
import io
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lindung.core import audit
from lindung.core.errors import FileRejected, RowError, ServiceError
from lindung.core.jobs import job_handler
from lindung.membership.kpj import reserve_kpj_block
from lindung.membership.models import Participant, RosterImport, SponsorAgreement, SponsorshipPeriod
from lindung.registry.models import Person, Region
from lindung.registry.nik import NikError, nik_warnings, parse_nik
from lindung.rules import ContributionCase, calculate_contribution

CHUNK = 10_000
# XLSX files larger than this are streamed with openpyxl instead of read whole by calamine
# (7 MB is about 100,000 rows of 9 columns: ~90 MB of memory with calamine).
XLSX_STREAM_BYTES = int(os.environ.get("LINDUNG_ROSTER_XLSX_STREAM_BYTES", 8 * 1024 * 1024))

# Canonical field -> accepted header names (compared lower-case, stripped).
COLUMNS: dict[str, tuple[str, ...]] = {
    "nik": ("nik",),
    "name": ("nama", "name", "nama_lengkap", "full_name"),
    "birth_date": ("tanggal_lahir", "birth_date", "tgl_lahir"),
    "sex": ("jenis_kelamin", "sex"),
    "region_code": ("kode_wilayah", "region_code", "kode_desa"),
    "address": ("alamat", "address"),
    "occupation": ("pekerjaan", "occupation"),
    "phone": ("telepon", "phone", "no_hp"),
    "family_card_number": ("nomor_kk", "family_card_number", "no_kk"),
}
REQUIRED = ("nik", "name", "birth_date", "sex", "region_code")
TEMPLATE_HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kode_wilayah", "alamat", "pekerjaan", "telepon", "nomor_kk"]
ERROR_COLUMNS = ["baris", "kode_kesalahan", "keterangan"]
MAX_LEN = {"name": 200, "address": 300, "occupation": 100}

# Reason code -> (English text for the web, Indonesian text for the error file sponsors download).
REASONS: dict[str, tuple] = {
    "nik_format": (_("NIK must be exactly 16 digits."), "NIK harus 16 digit angka."),
    "nik_province": (_("The NIK does not start with a province code."), "Dua digit awal NIK bukan kode provinsi."),
    "nik_date": (_("NIK digits 7-12 are not a valid birth date."), "Digit 7-12 NIK bukan tanggal lahir yang sah."),
    "nik_numeric": (
        _("The NIK is a number cell in the spreadsheet, whose last digit may be lost: format the NIK column as text."),
        "NIK tersimpan sebagai angka di Excel sehingga digit terakhir bisa hilang; format kolom NIK sebagai teks.",
    ),
    "missing_field": (_("A required column is empty."), "Kolom wajib kosong."),
    "bad_date": (
        _("Birth date is not a date (YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)."),
        "Tanggal lahir tidak sah (YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY).",
    ),
    "bad_sex": (_("Sex must be L/P or M/F."), "Jenis kelamin harus L/P (atau M/F)."),
    "too_long": (_("A value is too long."), "Isian terlalu panjang."),
    "bad_family_card": (_("Family card number must be 16 digits."), "Nomor KK harus 16 digit angka."),
    "bad_phone": (_("Phone number is not valid."), "Nomor telepon tidak sah."),
    "region_unknown": (_("Region code unknown or not a village."), "Kode wilayah tidak dikenal atau bukan kode desa/kelurahan."),
    "region_outside": (_("Village is outside the agreement's region."), "Desa/kelurahan di luar wilayah perjanjian kerja sama."),
    "age_out_of_range": (_("Age at cover start is outside the agreement's age range."), "Usia pada awal kepesertaan di luar batas usia perjanjian."),
    "duplicate_in_file": (_("The NIK appears earlier in the file."), "NIK sudah muncul di baris sebelumnya dalam berkas."),
    "already_active": (
        _("The person already has an active membership elsewhere."),
        "Sudah terdaftar aktif di kepesertaan lain (sponsor lain, PU atau BPU).",
    ),
    "deceased": (_("The person is recorded as deceased."), "Orang tersebut tercatat telah meninggal dunia."),
    "over_quota": (_("The agreement's worker quota is full."), "Kuota peserta perjanjian sudah penuh."),
    "over_budget": (_("The agreement's budget does not cover this worker's premium."), "Anggaran perjanjian tidak cukup untuk iuran peserta ini."),
    "birth_date_mismatch": (
        _("Warning: birth date differs from the NIK (enrolled anyway)."),
        "Peringatan: tanggal lahir berbeda dengan NIK (tetap didaftarkan).",
    ),
    "sex_mismatch": (_("Warning: sex differs from the NIK (enrolled anyway)."), "Peringatan: jenis kelamin berbeda dengan NIK (tetap didaftarkan)."),
}
WARNING_CODES = frozenset({"birth_date_mismatch", "sex_mismatch"})
SEX = {"L": "M", "M": "M", "LAKI-LAKI": "M", "LAKI": "M", "MALE": "M", "P": "F", "F": "F", "PEREMPUAN": "F", "WANITA": "F", "FEMALE": "F"}


@dataclass
class RosterSummary:
    rows: int = 0
    enrolled: int = 0
    already_enrolled: int = 0
    rejected: int = 0
    warnings: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    error_file: str = ""
    dry_run: bool = False
    all_or_nothing: bool = False
    cover_start: str = ""
    import_id: int | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "enrolled": self.enrolled,
            "already_enrolled": self.already_enrolled,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "by_reason": dict(sorted(self.by_reason.items())),
            "error_file": self.error_file,
            "dry_run": self.dry_run,
            "all_or_nothing": self.all_or_nothing,
            "cover_start": self.cover_start,
            "import_id": self.import_id,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


# --- reading -----------------------------------------------------------------------------------


class NumberCell(str):
    """The text of a spreadsheet cell that held a number (not text): a NIK or family card number
    typed into Excel as a number keeps only 15 significant digits, so its last digit may be lost."""

    __slots__ = ("number",)


def _cell(value) -> str:
    """A spreadsheet cell as text: integral numbers without ``.0`` (as ``NumberCell``), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        text = NumberCell(str(int(value)) if isinstance(value, int) or value.is_integer() else str(value))
        text.number = value
        return text
    if isinstance(value, (dt.datetime,)):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Excel stores a number with 15 significant digits; doubles are exact up to 2**53.
_EXACT_NUMBER = 2**53


def _number_cell_unsafe(text: str) -> bool:
    """True for a numeric cell holding a 16-digit identifier that may have lost its last digit:
    Excel zeroes the 16th digit, and values above 2**53 are not even exact as doubles."""
    if not isinstance(text, NumberCell):
        return False
    number = text.number
    return abs(number) >= _EXACT_NUMBER or (len(text) >= 16 and text.endswith("0"))


def _excel_serial_date(text: str) -> dt.date | None:
    """A date typed into a number-formatted Excel cell (serial days since 1899-12-30)."""
    if not isinstance(text, NumberCell):
        return None
    number = text.number
    if not isinstance(number, (int, float)) or not 1 <= number < 2_958_466:  # 1900-01-01 .. 9999-12-31
        return None
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(number))


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or UTF-16 (with BOM, Excel's "Unicode text"); a file that is not
    valid UTF-8 is read as Windows-1252 (Excel's "CSV (Comma delimited)" on Windows). The check
    streams the file once in blocks, so memory stays flat."""
    import codecs

    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def iter_file_rows(path: str | Path) -> Iterator[list[str]]:
    """Rows (header first) of a ``.csv`` (streamed with the csv module; UTF-8, UTF-16 or
    Windows-1252; ``,``, ``;`` or tab) or
    ``.xlsx`` (python-calamine, first sheet) file, as lists of strings."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, newline="", encoding=_csv_encoding(path), errors="replace") as fh:
            header_line = fh.readline()
            fh.seek(0)
            # The header's most frequent separator: "," (default), ";" (Excel in Indonesian
            # locale) or a tab (Excel's "Unicode text").
            delimiter = max((",", ";", "\t"), key=header_line.count)
            yield from csv.reader(fh, delimiter=delimiter)
    elif suffix == ".xlsx" and path.stat().st_size > XLSX_STREAM_BYTES:
        # Large workbooks: openpyxl's read-only mode streams the sheet (flat memory, ~10x slower
        # than calamine, which holds the whole sheet in memory: ~0.9 kB per row of 9 columns).
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # not a workbook at all (zipfile.BadZipFile, KeyError, ...)
            raise _unreadable(path, exc) from None
        try:
            for row in workbook.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v) for v in row]
        finally:
            workbook.close()
    elif suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # python_calamine.CalamineError: not a workbook at all
            raise _unreadable(path, exc) from None
        try:
            sheet = workbook.get_sheet_by_index(0)
            for row in sheet.iter_rows():
                yield [_cell(v) for v in row]
        finally:
            workbook.close()
    else:
        raise ServiceError(
            "unsupported_file",
            (
                gettext("Roster files must be .csv or .xlsx, not %(suffix)s.") % {"suffix": suffix}
                if suffix
                else gettext("Roster files must be .csv or .xlsx, not a file without extension.")
            ),
            {"file": "type"},
        )


def _unreadable(path: Path, exc: Exception) -> FileRejected:
    return FileRejected(
        [
            RowError(
                1,
                "unreadable_file",
                gettext("The file cannot be read as a %(suffix)s workbook (%(error)s).") % {"suffix": path.suffix.lower(), "error": exc},
                "file",
            )
        ],
        what=gettext("roster"),
    )


def map_header(header: list[str]) -> dict[str, int]:
    """Column index per canonical field; ``FileRejected`` naming the missing required columns."""
    index: dict[str, int] = {}
    names = [h.strip().lower().replace(" ", "_") for h in header]
    for fld, aliases in COLUMNS.items():
        for i, name in enumerate(names):
            if name in aliases and fld not in index:
                index[fld] = i
    missing = [f for f in REQUIRED if f not in index]
    if missing:
        expected = ", ".join(f"{COLUMNS[f][0]}/{COLUMNS[f][1]}" if len(COLUMNS[f]) > 1 else COLUMNS[f][0] for f in missing)
        raise FileRejected(
            [RowError(1, "missing_column", gettext("Missing column(s): %(columns)s.") % {"columns": expected}, "header")], what=gettext("roster")
        )
    return index


_DATE_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_DATE_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_DATE_DMY_SHORT_YEAR = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2}")


def parse_date(text: str) -> dt.date | None:
    """``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY`` (also ``DD.MM.YYYY`` and without leading
    zeros, as Excel writes ``10/3/1990``); an Excel serial number from a numeric cell."""
    serial = _excel_serial_date(text)
    if serial is not None:
        return serial
    text = text.strip()
    if m := _DATE_YMD.fullmatch(text):
        y, mo, d = m.group(1), m.group(2), m.group(3)
    elif m := _DATE_DMY.fullmatch(text):
        d, mo, y = m.group(1), m.group(3), m.group(4)
    else:
        return None
    try:
        return dt.date(int(y), int(mo), int(d))
    except ValueError:
        return None


def _bad_date_note(text: str) -> str:
    """Why a birth date was not read (Indonesian, for the error file)."""
    text = text.strip()
    if _DATE_DMY_SHORT_YEAR.fullmatch(text):
        return f"{text!r}: tahun harus 4 digit"
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return f"{text!r}: angka, bukan tanggal"
    return f"{text!r}"[:60]


def _age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# --- the premium and the agreement's usage --------------------------------------------------------


def _month_starts(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        yield dt.date(y, m, 1)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


class Pricer:
    """Monthly premium of one worker under an agreement, from the rules engine (cached per month)."""

    def __init__(self, agreement: SponsorAgreement):
        self.agreement = agreement
        self._month: dict[dt.date, int] = {}

    def monthly(self, month: dt.date) -> int:
        if month not in self._month:
            a = self.agreement
            result = calculate_contribution(ContributionCase(segment="BPU", on=month, programs=tuple(a.programs), wage=a.declared_income))
            self._month[month] = int(result.total)
        return self._month[month]

    def cost(self, start: dt.date, end: dt.date | None = None) -> int:
        """Premium from the month of ``start`` to the month of ``end`` (default: agreement end),
        every month counted whole."""
        last = min(end or self.agreement.end_date, self.agreement.end_date)
        first = max(start, self.agreement.start_date)
        if last < first:
            return 0
        return sum(self.monthly(m) for m in _month_starts(first, last))


@dataclass
class AgreementUsage:
    active: int
    committed: int
    quota: int
    budget: int

    @property
    def quota_left(self) -> int:
        return max(self.quota - self.active, 0)

    @property
    def budget_left(self) -> int:
        return max(self.budget - self.committed, 0)


def agreement_usage(agreement: SponsorAgreement, pricer: Pricer | None = None) -> AgreementUsage:
    """Workers under the agreement now (open sponsorship periods) and the premium it has committed:
    every period of the agreement priced from its start to its end (or the agreement's end)."""
    from django.db.models import Count

    pricer = pricer or Pricer(agreement)
    active = 0
    committed = 0
    for start, end, n in (
        SponsorshipPeriod.objects.filter(agreement=agreement).values_list("start_date", "end_date").annotate(n=Count("id")).order_by()
    ):
        if end is None:
            active += n
        committed += n * pricer.cost(start, end)
    return AgreementUsage(active=active, committed=committed, quota=agreement.quota, budget=agreement.budget)


def default_cover_start(agreement: SponsorAgreement, today: dt.date | None = None) -> dt.date:
    """The agreement's start when importing before it; else the first day of the next month."""
    today = today or timezone.localdate()
    if today < agreement.start_date:
        return agreement.start_date
    return dt.date(today.year + (today.month == 12), today.month % 12 + 1, 1)


# --- spools --------------------------------------------------------------------------------------


class _Spool:
    """A temporary CSV file written then read back in order (keeps rows off the heap)."""

    def __init__(self, directory: str):
        self.fh = tempfile.TemporaryFile("w+", newline="", encoding="utf-8", dir=directory)
        self.writer = csv.writer(self.fh)
        self.count = 0

    def write(self, row) -> None:
        self.writer.writerow(row)
        self.count += 1

    def rows(self) -> Iterator[list[str]]:
        self.fh.flush()
        self.fh.seek(0)
        return csv.reader(self.fh)

    def close(self) -> None:
        self.fh.close()


# --- the import ----------------------------------------------------------------------------------


@dataclass
class _Context:
    agreement: SponsorAgreement
    cover_start: dt.date
    villages: frozenset[str]
    summary: RosterSummary
    header: list[str]
    index: dict[str, int]
    errors: _Spool  # rows: row_no, code, field, *raw
    errors_db: _Spool


def _reject(ctx: _Context, spool: _Spool, row_no: int, code: str, raw: list[str], detail: str = "") -> None:
    ctx.summary.by_reason[code] = ctx.summary.by_reason.get(code, 0) + 1
    spool.write([row_no, code, detail, *raw])


def _check_rows(rows: Iterator[list[str]], ctx: _Context, good: _Spool, progress: Callable | None) -> None:
    """Pass 1: check every row on its own; good rows to ``good`` as
    ``row_no, nik, name, birth, sex, region, address, occupation, phone, kk, warnings``."""
    idx = ctx.index
    width = len(ctx.header)
    get = {f: idx.get(f) for f in COLUMNS}
    i_nik, i_name, i_birth, i_sex, i_region = (get[f] for f in REQUIRED)
    i_addr, i_occ, i_phone, i_kk = get["address"], get["occupation"], get["phone"], get["family_card_number"]
    seen: set[int] = set()
    villages = ctx.villages
    min_age, max_age, on = ctx.agreement.min_age, ctx.agreement.max_age, ctx.cover_start
    summary = ctx.summary
    all_villages = _all_villages()
    region_root = ctx.agreement.eligible_region_id or ctx.agreement.sponsor.region_id
    row_no = 1
    for raw in rows:
        row_no += 1
        if len(raw) < width:
            raw = raw + [""] * (width - len(raw))
        if not any(c.strip() for c in raw):
            continue  # blank lines are not rows
        summary.rows += 1
        problems: list[tuple[str, str]] = []
        nik = raw[i_nik].strip().lstrip("'").replace(" ", "")
        name = " ".join(raw[i_name].split())
        birth_text = raw[i_birth]
        sex_text = raw[i_sex].strip().upper()
        region = raw[i_region].strip()
        address = " ".join(raw[i_addr].split()) if i_addr is not None else ""
        occupation = raw[i_occ].strip() if i_occ is not None else ""
        phone = raw[i_phone].strip().replace(" ", "").replace("-", "") if i_phone is not None else ""
        if phone[:1] == "8" and isinstance(raw[i_phone], NumberCell):
            phone = "0" + phone  # a number cell drops the leading 0 of 08xx
        kk = raw[i_kk].strip().lstrip("'") if i_kk is not None else ""
        info = None
        if not nik:
            problems.append(("missing_field", "nik"))
        elif _number_cell_unsafe(raw[i_nik]):
            problems.append(("nik_numeric", "nik"))
        else:
            try:
                info = parse_nik(nik)
            except NikError as exc:
                problems.append((exc.code, _nik_note(nik, exc)))
        for value, fld in ((name, "nama"), (birth_text.strip(), "tanggal_lahir"), (sex_text, "jenis_kelamin"), (region, "kode_wilayah")):
            if not value:
                problems.append(("missing_field", fld))
        birth = None
        if birth_text.strip():
            birth = parse_date(birth_text)
            if birth is None:
                problems.append(("bad_date", f"tanggal_lahir: {_bad_date_note(birth_text)}"))
        sex = None
        if sex_text:
            sex = SEX.get(sex_text)
            if sex is None:
                problems.append(("bad_sex", "jenis_kelamin"))
        if len(name) > MAX_LEN["name"]:
            problems.append(("too_long", "nama"))
        if len(address) > MAX_LEN["address"]:
            problems.append(("too_long", "alamat"))
        if len(occupation) > MAX_LEN["occupation"]:
            problems.append(("too_long", "pekerjaan"))
        if kk and i_kk is not None and _number_cell_unsafe(raw[i_kk]):
            problems.append(("bad_family_card", "nomor_kk: tersimpan sebagai angka di Excel, format kolom sebagai teks"))
        elif kk and not (len(kk) == 16 and kk.isdigit()):
            problems.append(("bad_family_card", "nomor_kk"))
        if phone and (len(phone) > 20 or not phone.lstrip("+").isdigit()):
            problems.append(("bad_phone", "telepon"))
        if region and region not in villages:
            if region in all_villages:
                problems.append(("region_outside", f"kode_wilayah: {region} di luar {region_root}"))
            else:
                problems.append(("region_unknown", f"kode_wilayah: {region!r}"[:80]))
        if birth is not None:
            age = _age_on(birth, on)
            if not (min_age <= age <= max_age):
                problems.append(("age_out_of_range", f"tanggal_lahir: usia {age} tahun pada {on:%d-%m-%Y}, batas {min_age}-{max_age}"))
        if info is not None:
            key = int(nik)
            if key in seen:
                problems.append(("duplicate_in_file", "nik"))
            elif not problems:
                seen.add(key)
        if problems:
            summary.rejected += 1
            for code, fld in problems:
                _reject(ctx, ctx.errors, row_no, code, raw, fld)
        else:
            warnings = nik_warnings(info, birth, sex)
            good.write([row_no, nik, name, birth.isoformat(), sex, region, address, occupation, phone, kk, ",".join(warnings)])
        if progress and summary.rows % 5000 == 0:
            progress(summary.rows, None, "checking rows")


def _nik_note(nik: str, exc: NikError) -> str:
    """The NIK column plus what is wrong with it (Indonesian, for the error file). The note is also
    listed beside the masked NIK (result page, API), so it repeats no digit the mask hides."""
    if exc.code == "nik_format":
        if "E+" in nik.upper():
            return "nik: notasi ilmiah Excel; format kolom NIK sebagai teks"
        if len(nik) == 16 and nik.isdigit():
            return "nik: 4 digit terakhir tidak boleh 0000"
        return f"nik: {len(nik)} karakter" if nik.isdigit() else "nik: bukan angka"
    if exc.code == "nik_province":
        return f"nik: {nik[:2]} bukan kode provinsi"
    return "nik"  # nik_date: digits 7-12 are the birth date, which the mask hides


def _all_villages() -> frozenset[str]:
    return frozenset(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))


def _eligible_villages(agreement: SponsorAgreement) -> frozenset[str]:
    root = agreement.eligible_region_id or agreement.sponsor.region_id
    qs = Region.objects.filter(level=Region.Level.VILLAGE)
    return frozenset(c for c in qs.filter(code__startswith=root).values_list("code", flat=True) if c == root or c.startswith(root + "."))


def _chunks(rows: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _classify(ctx: _Context, good: _Spool, enrol: _Spool, progress: Callable | None) -> None:
    """Pass 2: the database's view of each good row, in chunks; quota and budget in file order.
    Rows to enrol go to ``enrol`` as the good row plus the existing person's id (or "")."""
    agreement = ctx.agreement
    summary = ctx.summary
    pricer = Pricer(agreement)
    usage = agreement_usage(agreement, pricer)
    per_worker = pricer.cost(ctx.cover_start)
    active, committed = usage.active, usage.committed
    done = 0
    for chunk in _chunks(good.rows(), CHUNK):
        niks = [r[1] for r in chunk]
        persons = {nik: (pk, death) for nik, pk, death in _lookup("SELECT nik, id, death_date FROM registry_person WHERE nik {} ", niks)}
        open_memberships: dict[int, int | None] = {}
        if persons:
            for person_id, agreement_id in _lookup(
                "SELECT person_id, agreement_id FROM membership_participant WHERE status <> 'ended' AND person_id {} ",
                [p[0] for p in persons.values()],
            ):
                # One open membership here wins over any other (it makes the row a no-op).
                if open_memberships.get(person_id) != agreement.pk:
                    open_memberships[person_id] = agreement_id
        for row in chunk:
            row_no, nik = int(row[0]), row[1]
            person = persons.get(nik)
            code = None
            if person is not None:
                pid, death = person
                if pid in open_memberships:
                    if open_memberships[pid] == agreement.pk:
                        summary.already_enrolled += 1
                        continue
                    code = "already_active"
                elif death is not None:
                    code = "deceased"
            if code is None:
                if active >= agreement.quota:
                    code = "over_quota"
                elif committed + per_worker > agreement.budget:
                    code = "over_budget"
            if code is not None:
                summary.rejected += 1
                _reject(ctx, ctx.errors_db, row_no, code, _raw_from_good(ctx, row), "")
                continue
            active += 1
            committed += per_worker
            if row[10]:
                summary.warnings += 1
                for w in row[10].split(","):
                    _reject(ctx, ctx.errors_db, row_no, w, _raw_from_good(ctx, row), "")
            enrol.write([*row, person[0] if person else ""])
        done += len(chunk)
        if progress:
            progress(done, good.count, "checking against the register")


def _lookup(sql: str, values: list) -> list[tuple]:
    """``sql`` with ``{}`` replaced by a membership test against ``values`` passed as ONE
    parameter (PostgreSQL ``= ANY(array)``, SQLite ``IN (SELECT value FROM json_each(...))``), so a
    10,000-value chunk is one short statement, not 10,000 placeholders."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(sql.format("= ANY(%s)"), [values])
        else:
            cur.execute(sql.format("IN (SELECT value FROM json_each(%s))"), [json.dumps(values)])
        rows = cur.fetchall()
    if connection.vendor != "postgresql":
        rows = [tuple(dt.date.fromisoformat(v) if isinstance(v, str) and len(v) == 10 and v[4] == "-" else v for v in r) for r in rows]
    return rows


def _raw_from_good(ctx: _Context, row: list[str]) -> list[str]:
    """The row's values in the file's column order (from the normalised spool row)."""
    values = {
        "nik": row[1],
        "name": row[2],
        "birth_date": row[3],
        "sex": "L" if row[4] == "M" else "P",
        "region_code": row[5],
        "address": row[6],
        "occupation": row[7],
        "phone": row[8],
        "family_card_number": row[9],
    }
    out = [""] * len(ctx.header)
    for fld, i in ctx.index.items():
        out[i] = values[fld]
    return out


# --- set-based writers ---------------------------------------------------------------------------


class _BulkWriter:
    """Inserts rows into real tables: ``COPY`` on PostgreSQL, ``executemany`` elsewhere; hands out
    primary keys up front so related rows need no read-back."""

    def __init__(self):
        self.vendor = connection.vendor
        self._next_id: dict[str, int] = {}

    def ids(self, table: str, n: int) -> list[int]:
        if n == 0:
            return []
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                cur.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
                return [r[0] for r in cur.fetchall()]
            if table not in self._next_id:
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cur.fetchone()
                self._next_id[table] = max(top, seq[0] if seq else 0) + 1
        first = self._next_id[table]
        self._next_id[table] = first + n
        return list(range(first, first + n))

    def insert(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cols = ", ".join(columns)
        if self.vendor == "postgresql":
            connection.ensure_connection()
            with connection.connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

    def date(self, value: dt.date):
        return value if self.vendor == "postgresql" else value.isoformat()

    def now(self):
        now = timezone.now()
        return now if self.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)


def _write(ctx: _Context, enrol: _Spool, batch: RosterImport, actor, progress: Callable | None) -> None:
    """Pass 3: enrol the rows of ``enrol`` (inside the import's transaction)."""
    n = enrol.count
    if n == 0:
        return
    agreement, sponsor = ctx.agreement, ctx.agreement.sponsor
    start = ctx.cover_start
    year = start.year
    serial = reserve_kpj_block(n, year)  # one block for the whole import; the first serial only
    w = _BulkWriter()
    now = w.now()
    start_v = w.date(start)
    programs = json.dumps(list(agreement.programs))
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    person_t, part_t = Person._meta.db_table, Participant._meta.db_table
    period_t = SponsorshipPeriod._meta.db_table
    from lindung.membership.models import StatusChange

    change_t = StatusChange._meta.db_table
    done = 0
    for chunk in _chunks(enrol.rows(), CHUNK):
        new_rows = [r for r in chunk if not r[11]]
        new_ids = iter(w.ids(person_t, len(new_rows)))
        person_rows = []
        person_ids = []
        existing_updates = []
        for r in chunk:
            warnings = json.dumps(r[10].split(",") if r[10] else [])
            if r[11]:
                pid = int(r[11])
                existing_updates.append((pid, r))
            else:
                pid = next(new_ids)
                person_rows.append(
                    (pid, r[1], r[2], w.date(dt.date.fromisoformat(r[3])), r[4], r[5], r[6], r[8], r[7], r[9], "", "", "", warnings, now, now)
                )
            person_ids.append(pid)
        w.insert(
            person_t,
            [
                "id",
                "nik",
                "full_name",
                "birth_date",
                "sex",
                "region_id",
                "address",
                "phone",
                "occupation",
                "family_card_number",
                "bank_name",
                "bank_account_number",
                "bank_account_holder",
                "nik_warnings",
                "created_at",
                "updated_at",
            ],
            person_rows,
        )
        if existing_updates:
            _update_existing_persons(existing_updates)
        part_ids = w.ids(part_t, len(chunk))
        w.insert(
            part_t,
            [
                "id",
                "kpj_number",
                "person_id",
                "segment",
                "programs",
                "wage",
                "risk_class",
                "agreement_id",
                "sponsor_id",
                "branch_id",
                "start_date",
                "status",
                "exit_reason",
                "created_at",
                "updated_at",
            ],
            [
                (
                    part_id,
                    _kpj(year, serial + done + i),
                    pid,
                    "BPU",
                    programs,
                    agreement.declared_income,
                    "",
                    agreement.pk,
                    sponsor.pk,
                    sponsor.branch_id,
                    start_v,
                    "active",
                    "",
                    now,
                    now,
                )
                for i, (part_id, pid) in enumerate(zip(part_ids, person_ids, strict=True))
            ],
        )
        w.insert(
            period_t,
            ["participant_id", "agreement_id", "sponsor_id", "start_date", "end_reason", "import_batch_id"],
            [(part_id, agreement.pk, sponsor.pk, start_v, "", batch.pk) for part_id in part_ids],
        )
        w.insert(
            change_t,
            ["participant_id", "from_status", "to_status", "effective_date", "reason", "note", "at", "actor_id"],
            [(part_id, "", "active", start_v, "roster_import", f"roster import #{batch.pk}", now, actor_id) for part_id in part_ids],
        )
        done += len(chunk)
        ctx.summary.enrolled += len(chunk)
        if progress:
            progress(done, n, "enrolling")


_DOUBLED = {str(d): (2 * d - 9 if 2 * d > 9 else 2 * d) for d in range(10)}


def _kpj(year: int, serial: int) -> str:
    """``kpj.format_kpj`` for the bulk path (same Luhn digit, about 3x faster)."""
    body = f"{year % 100:02d}{serial:08d}"
    total = sum(_DOUBLED[c] for c in body[9::-2]) + sum(map(int, body[8::-2]))
    return body + str((10 - total % 10) % 10)


def _update_existing_persons(updates: list[tuple[int, list[str]]]) -> None:
    """A known person enrolled again: the roster's contact details fill in the register; name,
    birth date and sex stay as registered."""
    persons = Person.objects.in_bulk([pid for pid, _r in updates])
    changed = []
    for pid, r in updates:
        p = persons[pid]
        for attr, value in (("region_id", r[5]), ("address", r[6]), ("occupation", r[7]), ("phone", r[8]), ("family_card_number", r[9])):
            if value:
                setattr(p, attr, value)
        changed.append(p)
    Person.objects.bulk_update(changed, ["region_id", "address", "occupation", "phone", "family_card_number", "updated_at"], batch_size=1000)


# --- entry points --------------------------------------------------------------------------------


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def import_dir(import_id: int) -> Path:
    path = Path(settings.DATA_DIR) / "roster" / str(import_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def create_import(
    path: str | Path,
    *,
    agreement: SponsorAgreement,
    actor=None,
    file_name: str | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    keep_copy: bool = True,
) -> RosterImport:
    """Record an upload (status pending) and keep a copy of the file under ``DATA_DIR/roster/<id>/``."""
    path = Path(path)
    if not path.exists():
        raise ServiceError("not_found", gettext("No such file: %(path)s") % {"path": path}, {"file": "missing"})
    batch = RosterImport.objects.create(
        agreement=agreement,
        sponsor=agreement.sponsor,
        file_name=(file_name or path.name)[:255],
        file_sha256=file_sha256(path),
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if keep_copy:
        target = import_dir(batch.pk) / ("upload" + path.suffix.lower())
        shutil.copyfile(path, target)
        batch.stored_file = str(target)
    else:
        batch.stored_file = str(path)
    batch.save(update_fields=["stored_file"])
    return batch


def run_import(batch: RosterImport, *, actor=None, start: dt.date | None = None, progress: Callable | None = None) -> RosterSummary:
    """Check and enrol the roster of ``batch`` (see the module docstring). Writes the error file and
    the summary on ``batch``; raises ``ServiceError`` for a file that cannot be read at all."""
    agreement = SponsorAgreement.objects.select_related("sponsor").get(pk=batch.agreement_id)
    cover_start = start or default_cover_start(agreement)
    if not (agreement.start_date <= cover_start <= agreement.end_date):
        _finish(batch, RosterImport.Status.REJECTED, {"error": "cover start outside the agreement"})
        raise ServiceError(
            "outside_agreement",
            gettext("Cover would start on %(start)s, outside the agreement %(number)s (%(from)s to %(to)s).")
            % {"start": cover_start, "number": agreement.number, "from": agreement.start_date, "to": agreement.end_date},
            {"start": "outside the agreement period"},
        )
    summary = RosterSummary(dry_run=batch.dry_run, all_or_nothing=batch.all_or_nothing, cover_start=cover_start.isoformat(), import_id=batch.pk)
    RosterImport.objects.filter(pk=batch.pk).update(status=RosterImport.Status.RUNNING)
    out_dir = import_dir(batch.pk)
    spools: list[_Spool] = []
    try:
        rows = iter_file_rows(batch.stored_file)
        header = next(rows, None)
        if header is None:
            raise FileRejected([RowError(1, "empty_file", gettext("The file is empty."), "header")], what=gettext("roster"))
        index = map_header(header)
        spools = [_Spool(str(out_dir)) for _ in range(4)]
        errors, errors_db, good, enrol = spools
        ctx = _Context(agreement, cover_start, _eligible_villages(agreement), summary, header, index, errors, errors_db)
        clock = time.perf_counter()
        _check_rows(rows, ctx, good, progress)
        summary.seconds["check"] = time.perf_counter() - clock
        with transaction.atomic():
            # Serialise imports into one agreement: quota and budget are counted under this lock
            # (SQLite transactions begin IMMEDIATE, holding the database's write lock).
            SponsorAgreement.objects.select_for_update().filter(pk=agreement.pk).first()
            clock = time.perf_counter()
            _classify(ctx, good, enrol, progress)
            summary.seconds["classify"] = time.perf_counter() - clock
            blocked = batch.all_or_nothing and summary.rejected > 0
            if not batch.dry_run and not blocked:
                clock = time.perf_counter()
                _write(ctx, enrol, batch, actor, progress)
                summary.seconds["write"] = time.perf_counter() - clock
            elif not blocked:
                summary.enrolled = enrol.count  # what would be enrolled
            if not batch.dry_run:
                audit.record(
                    actor=actor,
                    action="roster.import",
                    obj=batch,
                    object_repr=f"{agreement} {batch.file_name}",
                    changes={
                        k: v
                        for k, v in summary.as_dict().items()
                        if k in ("rows", "enrolled", "already_enrolled", "rejected", "warnings", "by_reason")
                    },
                    summary=f"{batch.file_name}: {summary.rows} rows, {summary.enrolled} enrolled, {summary.rejected} rejected",
                    sponsor_id=agreement.sponsor_id,
                )
            summary.error_file = _write_error_file(ctx, out_dir)
            # An earlier run of the same file that died half-way is completed by this one.
            RosterImport.objects.filter(
                agreement=agreement, file_sha256=batch.file_sha256, status__in=[RosterImport.Status.RUNNING, RosterImport.Status.PENDING]
            ).exclude(pk=batch.pk).update(status=RosterImport.Status.FAILED, summary={"superseded_by": batch.pk})
            clock = time.perf_counter()
        summary.seconds["commit"] = time.perf_counter() - clock
        _finish(batch, RosterImport.Status.REJECTED if blocked else RosterImport.Status.DONE, summary.as_dict(), summary.error_file)
    except FileRejected as exc:
        _finish(batch, RosterImport.Status.REJECTED, {"error": exc.message})
        raise
    except BaseException as exc:
        _finish(batch, RosterImport.Status.FAILED, {"error": f"{type(exc).__name__}: {exc}"[:500]})
        raise
    finally:
        for s in spools:
            s.close()
    return summary


def _finish(batch: RosterImport, status: str, summary: dict, error_file: str = "") -> None:
    RosterImport.objects.filter(pk=batch.pk).update(status=status, summary=summary, error_file=error_file, finished_at=timezone.now())
    batch.status, batch.summary, batch.error_file = status, summary, error_file


def _write_error_file(ctx: _Context, out_dir: Path) -> str:
    """``errors.csv``: the file's own columns plus ``baris``, ``kode_kesalahan``, ``keterangan``,
    in row order (the two error spools are each in row order; merged, not sorted in memory)."""
    path = out_dir / "errors.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([*ctx.header, *ERROR_COLUMNS])
        merged = heapq.merge(ctx.errors.rows(), ctx.errors_db.rows(), key=lambda r: int(r[0]))
        for row in merged:
            row_no, code, fld, raw = row[0], row[1], row[2], row[3:]
            text = REASONS.get(code, ("", code))[1]
            if fld:
                text = f"{text} (kolom {fld})"
            writer.writerow([*raw, row_no, code, text])
    return str(path)


def import_roster(
    path: str | Path,
    *,
    agreement: SponsorAgreement,
    actor=None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    start: dt.date | None = None,
    file_name: str | None = None,
    progress: Callable | None = None,
    keep_copy: bool = True,
) -> RosterSummary:
    """Import a roster file into ``agreement`` in one call (CLI, demo, benchmark)."""
    batch = create_import(
        path, agreement=agreement, actor=actor, file_name=file_name, dry_run=dry_run, all_or_nothing=all_or_nothing, keep_copy=keep_copy
    )
    return run_import(batch, actor=actor, start=start, progress=progress)


def find_agreement(sponsor, number: str | None = None, on: dt.date | None = None) -> SponsorAgreement:
    """The named agreement of ``sponsor``, or the one in force ``on`` (default today; else the latest)."""
    qs = SponsorAgreement.objects.filter(sponsor=sponsor)
    if number:
        agreement = qs.filter(number=number).first()
        if agreement is None:
            raise ServiceError(
                "not_found",
                gettext("Sponsor %(sponsor)s has no agreement %(number)s.") % {"sponsor": sponsor.code, "number": repr(number)},
                {"agreement": "not found"},
                status=404,
            )
        return agreement
    on = on or timezone.localdate()
    agreement = qs.filter(start_date__lte=on, end_date__gte=on).order_by("-start_date").first() or qs.order_by("-start_date").first()
    if agreement is None:
        raise ServiceError("no_agreement", gettext("Sponsor %(sponsor)s has no agreement yet.") % {"sponsor": sponsor.code}, {"agreement": "none"})
    return agreement


def template_csv() -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(TEMPLATE_HEADER)
    return buf.getvalue()


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "roster"
    ws.append(TEMPLATE_HEADER)
    ws.append(["1472015003900001", "Siti Aminah", "1990-03-10", "P", "14.72.01.1003", "Jl. Sudirman 1", "Nelayan", "081234567890", ""])
    for col in ("A", "I", "H"):
        for cell in ws[col]:
            cell.number_format = "@"  # NIK, KK and phone as text, never as numbers
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SAMPLE_ROSTER = Path(__file__).resolve().parent / "data" / "contoh-roster.csv"


@job_handler("roster_import")
def roster_import_job(ctx) -> dict:
    """Job handler: ``params = {"import_id": id, "start": "YYYY-MM-DD" | None}``."""
    from lindung.accounts.models import User

    batch = RosterImport.objects.get(pk=ctx.params["import_id"])
    actor = User.objects.filter(pk=ctx.job.created_by_id).first() if ctx.job.created_by_id else None
    start = dt.date.fromisoformat(ctx.params["start"]) if ctx.params.get("start") else None
    RosterImport.objects.filter(pk=batch.pk).update(job=ctx.job)
    summary = run_import(batch, actor=actor, start=start, progress=lambda done, total=None, message=None: ctx.progress(done, total, message))
    return {k: v for k, v in summary.as_dict().items() if k != "error_file"}


def start_import_from_upload(
    upload, *, agreement: SponsorAgreement, actor, dry_run: bool = False, all_or_nothing: bool = False, start: dt.date | None = None
) -> RosterImport:
    """Store an uploaded roster (web or API) and run its import as a ``roster_import`` job."""
    from lindung.core.jobs import start_job

    name = Path(upload.name or "roster.csv").name
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ServiceError("unsupported_file", gettext("Roster files must be .csv or .xlsx."), {"file": "must be .csv or .xlsx"})
    if start is not None and not (agreement.start_date <= start <= agreement.end_date):
        raise ServiceError(
            "outside_agreement", gettext("The cover start is outside the agreement's period."), {"start": "outside the agreement period"}
        )
    upload_dir = Path(settings.DATA_DIR) / "roster" / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, dir=upload_dir, delete=False) as tmp:
        for part in upload.chunks():
            tmp.write(part)
    try:
        batch = create_import(tmp.name, agreement=agreement, actor=actor, file_name=name, dry_run=dry_run, all_or_nothing=all_or_nothing)
    finally:
        Path(tmp.name).unlink(missing_ok=True)
    job = start_job(
        "roster_import", actor=actor, sponsor=agreement.sponsor, params={"import_id": batch.pk, "start": start.isoformat() if start else None}
    )
    RosterImport.objects.filter(pk=batch.pk).update(job=job)
    batch.refresh_from_db()
    return batch
