"""One reader for every table a user uploads: rosters, bank statements, wage reports, death files.

``read_rows(source)`` yields ``Row(number, cells)`` for each row of the file's sheet, streamed:

- **CSV and TSV** (``,``, ``;`` or tab, found from the first lines) in UTF-8 with or without BOM,
  UTF-16 LE/BE with or without BOM (detected from the NUL bytes), or Windows-1252 (Excel's "CSV"
  on Windows). Text that is neither, such as Shift-JIS, which would decode as Windows-1252 into
  mojibake, is refused (``implausible_text``) rather than read. Cells are text.
- **XLSX/XLSM, XLS and ODS** through python-calamine. Cells are typed: ``str``, ``int`` (integral
  numbers), ``float``, ``datetime.date`` (a date-time at midnight is a date), ``datetime.datetime``,
  ``bool``; an empty cell is ``""``. calamine holds a sheet's cells as one dense block, so an XLSX
  sheet whose real extent (scanned from its XML, whatever its ``dimension`` claims) is larger than
  ``DENSE_CELLS`` is streamed with openpyxl's read-only parser instead, at most ``MAX_COLUMNS``
  wide: memory stays bounded whatever the file claims. Merged cells carry their value in the
  top-left cell only (calamine), or in every cell with ``fill_merged=True`` (headers).

Row numbers are 1-based: the sheet's row for workbooks (leading empty rows counted), the record's
position for CSV (as a spreadsheet program shows the file). Columns are 0-based sheet columns.

The format is found from the content (zip: XLSX or ODS; OLE2: XLS; else text), never from the
name alone; ``check_suffix`` refuses a name whose extension a caller does not accept, before
anything is stored. A file that cannot be read raises ``FileRejected`` with one row-1 error whose
message says what to do.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext

from lindung.core.errors import FileRejected, RowError, ServiceError

# An XLSX sheet whose real extent holds more cells than this is streamed with openpyxl (calamine
# would allocate about 32 bytes per cell of the whole rectangle: 4,000,000 cells ~ 130 MB).
DENSE_CELLS = int(os.environ.get("LINDUNG_TABULAR_DENSE_CELLS", 4_000_000))
# Columns read from a streamed sheet (cells further right are ignored).
MAX_COLUMNS = 256
# Bytes of a text file looked at to find its separator and judge its encoding.
SAMPLE_BYTES = 256 * 1024
TABULAR_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".xls", ".ods")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")

Cell = Any  # str | int | float | bool | datetime.date | datetime.datetime


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based row of the sheet (CSV: the record's position)
    cells: list


@dataclass
class TableInfo:
    """What was found about a file: its format, and for text its encoding and separator."""

    format: str  # "csv", "xlsx", "xls", "ods"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: tuple[str, ...] = ()


def _rejected(code: str, message: str, what: str | None) -> FileRejected:
    return FileRejected([RowError(1, code, message, "file")], what=what)


def check_suffix(name: str, suffixes: tuple[str, ...] = TABULAR_SUFFIXES, *, what: str | None = None) -> str:
    """The lower-case extension of ``name`` if callers accept it; else ``ServiceError``
    ``unsupported_file`` listing the accepted ones (raised before anything is stored)."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in suffixes:
        accepted = ", ".join(suffixes)
        raise ServiceError(
            "unsupported_file",
            (
                gettext("A %(what)s must be one of %(accepted)s, not %(suffix)s.")
                if suffix
                else gettext("A %(what)s must be one of %(accepted)s, not a file without extension.")
            )
            % {"what": what or gettext("file"), "accepted": accepted, "suffix": suffix},
            {"file": "type"},
        )
    return suffix


# --- format ------------------------------------------------------------------------------------


def sniff_format(head: bytes, path: Path | None = None) -> str:
    """``xlsx``, ``ods``, ``xls`` or ``csv`` from a file's first bytes (and, for a zip, its members)."""
    if head.startswith(b"PK\x03\x04"):
        if path is not None:
            try:
                with zipfile.ZipFile(path) as zf:
                    names = set(zf.namelist())
                    if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype")[:100]:
                        return "ods"
                    if "content.xml" in names and "xl/workbook.xml" not in names:
                        return "ods"
            except zipfile.BadZipFile:
                return "xlsx"  # calamine will say it cannot be read
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    return "csv"


# --- text files ------------------------------------------------------------------------------

# Characters a Windows-1252 decoding yields from bytes 0x80-0x9F: in real Indonesian text only the
# quotes, dashes, the bullet and the ellipsis appear, and rarely.
_C1_PUNCTUATION = set("\u2018\u2019\u201c\u201d\u2013\u2014\u2022\u2026\u20ac")


def detect_encoding(path: Path) -> str:
    """``utf-8-sig``, ``utf-16`` (BOM), ``utf-16-le``/``utf-16-be`` (no BOM, from the NUL bytes)
    or ``cp1252``; ``FileRejected`` ``implausible_text`` for bytes that are none of them. The UTF-8
    check streams the whole file in blocks (flat memory)."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if sample.startswith(codecs.BOM_UTF8):
            pass
        elif (utf16 := _utf16_without_bom(sample)) is not None:
            return utf16
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for block in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            pass
        else:
            return "utf-8-sig"
    problem = _implausible_cp1252(sample)
    if problem:
        raise _rejected(
            "implausible_text",
            gettext(
                "The file is not UTF-8, UTF-16 or Windows-1252 text (%(problem)s): open it in a spreadsheet "
                'program and save it as "CSV UTF-8" or as an Excel workbook.'
            )
            % {"problem": problem},
            None,
        )
    return "cp1252"


def _utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 without a BOM: text in Latin script has a NUL byte in every other position."""
    sample = sample[: 4096 - 4096 % 2]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _implausible_cp1252(sample: bytes) -> str:
    """Why ``sample`` is not plausible Windows-1252 text (empty when it is): bytes Windows-1252 does
    not define, NUL bytes, or more accented and symbol characters than Indonesian or English text
    ever has (mojibake of Shift-JIS, GBK, UTF-16 ...)."""
    if b"\x00" in sample:
        return gettext("it contains NUL bytes")
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return _guess(sample) or gettext("it has bytes that Windows-1252 does not define")
    letters = sum(1 for c in text if c.isalpha())
    odd = sum(1 for c in text if ord(c) > 0x7F and c not in _C1_PUNCTUATION)
    # Two non-ASCII characters side by side: each is a byte of one multi-byte character.
    pairs = len(re.findall(r"[^\x00-\x7f]{2}", text))
    if odd and (odd > 0.05 * max(letters, 1) or (pairs >= 3 and pairs > 0.01 * max(letters, 1))):
        return _guess(sample) or gettext("its accented characters look like another encoding")
    return ""


def _guess(sample: bytes) -> str:
    """The encoding charset-normalizer finds most likely, as a phrase for a message."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample[:65536]).best()
    except Exception:  # pragma: no cover - the guess only words the message
        return ""
    if best is None or best.encoding in ("cp1252", "utf_8", "ascii", "latin_1"):
        return ""
    return gettext("it looks like %(encoding)s") % {"encoding": best.encoding}


def _delimiter(sample: str) -> str:
    """The separator of a text table: of ``,``, ``;`` and tab, the one found most often on one of
    the first lines (title rows above the header have few); a comma when none is found."""
    lines = sample.splitlines()[:50]
    best, best_count = ",", 0
    for candidate in (",", ";", "\t"):
        count = max((line.count(candidate) for line in lines), default=0)
        if count > best_count:
            best, best_count = candidate, count
    return best


def _csv_rows(path: Path, info: TableInfo) -> Iterator[Row]:
    encoding = detect_encoding(path)
    info.encoding = encoding
    with open(path, newline="", encoding=encoding, errors="replace") as fh:
        info.delimiter = _delimiter(fh.read(SAMPLE_BYTES // 2))
        fh.seek(0)
        reader = csv.reader(fh, delimiter=info.delimiter)
        number = 0
        try:
            for record in reader:
                number += 1
                if record and record[0].startswith("\ufeff"):
                    record[0] = record[0].lstrip("\ufeff")
                yield Row(number, record)
        except csv.Error as exc:
            raise _rejected(
                "malformed_csv", gettext("Row %(row)s is not readable CSV: %(error)s.") % {"row": number + 1, "error": exc}, None
            ) from None


# --- workbooks ---------------------------------------------------------------------------------


def typed(value: Cell) -> Cell:
    """A workbook cell as Lindung handles it: integral floats as ``int``, midnight date-times as
    dates, ``None`` as ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0, 0) and value.tzinfo is None:
        return value.date()
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + (b - 64)
    return n


def xlsx_extent(path: Path, member: str) -> tuple[int, int]:
    """(rows, columns) of the rectangle from A1 to the last cell present in a worksheet's XML,
    scanned in a stream (the ``dimension`` element may lie)."""
    max_row = max_col = 0
    tail = b""
    with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            data = tail + block
            for m in _CELL_REF.finditer(data):
                col = _column_number(m.group(1))
                row = int(m.group(2))
                if row > max_row:
                    max_row = row
                if col > max_col:
                    max_col = col
            tail = data[-32:]
    return max_row, max_col


def _xlsx_sheet_member(path: Path, index: int) -> str | None:
    """The zip member of the ``index``-th sheet (workbook order), from the workbook relations."""
    try:
        with zipfile.ZipFile(path) as zf:
            workbook = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile):
        return None
    ids = re.findall(r"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook) or re.findall(r"<(?:\w+:)?sheet\b[^>]*?\bid=\"([^\"]+)\"", workbook)
    if index >= len(ids):
        return None
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        if f'Id="{ids[index]}"' in rel:
            target = re.search(r'Target="([^"]+)"', rel).group(1)
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _unreadable(fmt: str, exc: Exception, what: str | None) -> FileRejected:
    return _rejected(
        "unreadable_file",
        gettext("The file cannot be read as a %(format)s workbook (%(error)s).") % {"format": fmt.upper(), "error": str(exc)[:200]},
        what,
    )


def _read_failed(exc: BaseException) -> bool:
    """Whether ``exc`` is calamine failing on the file: its ``CalamineError`` and friends, or a
    panic in its Rust code (pyo3's ``PanicException`` derives from ``BaseException``, so a plain
    ``except Exception`` lets a damaged XLS through as a server error)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _fill_merged(rows: Iterator[Row], merged: list, limit: int) -> Iterator[Row]:
    """Copy a merged range's value into each of its cells, for ranges starting in the first
    ``limit`` rows (headers)."""
    spans = [((r0, c0), (r1, c1)) for (r0, c0), (r1, c1) in merged if r0 < limit]
    values: dict[tuple[int, int], Cell] = {}
    for row in rows:
        r = row.number - 1
        if r >= limit and not values:
            yield row
            continue
        cells = row.cells
        for (r0, c0), (r1, c1) in spans:
            if r == r0 and c0 < len(cells):
                values[(r0, c0)] = cells[c0]
            if r0 <= r <= r1 and (r0, c0) in values:
                if len(cells) <= c1:
                    cells = cells + [""] * (c1 + 1 - len(cells))
                for c in range(c0, c1 + 1):
                    if cells[c] == "":
                        cells[c] = values[(r0, c0)]
        yield Row(row.number, cells)


def _check_xls(path: Path, what: str | None) -> None:
    """Whatever the caller checked: an XLS whose records claim more than Excel's own limits is
    refused before calamine allocates its sheets (a lying DIMENSIONS record aborts the process)."""
    from lindung.core.files.checks import UploadRefused, inspect_xls
    from lindung.core.files.kinds import SheetLimits

    try:
        with open(path, "rb") as fh:
            inspect_xls(fh, SheetLimits(max_columns=256, max_rows=65_536, max_cells=65_536 * 256), field="file")
    except UploadRefused as exc:
        raise _rejected(exc.code, exc.message, what) from None


def _workbook_rows(path: Path, info: TableInfo, sheet: int | str | None, what: str | None, fill_merged: int) -> Iterator[Row]:
    from python_calamine import CalamineWorkbook

    if info.format == "xls":
        _check_xls(path, what)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # python_calamine.CalamineError and friends: not a workbook at all
        if not _read_failed(exc):
            raise
        raise _unreadable(info.format, exc, what) from None
    try:
        visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible") and "WorkSheet" in str(m.typ)]
        info.sheets = tuple(visible or workbook.sheet_names)
        if not info.sheets:
            raise _rejected("no_sheet", gettext("The workbook has no sheet."), what)
        name = _pick_sheet(info.sheets, sheet, what)
        info.sheet = name
        if info.format == "xlsx":
            member = _xlsx_sheet_member(path, list(workbook.sheet_names).index(name))
            if member is not None:
                rows, cols = xlsx_extent(path, member)
                if rows * cols > DENSE_CELLS:
                    workbook.close()
                    yield from _openpyxl_rows(path, name, what)
                    return
        try:
            data = workbook.get_sheet_by_name(name)
            start_col = (data.start or (0, 0))[1]
            merged = data.merged_cell_ranges or []
        except BaseException as exc:
            if not _read_failed(exc):
                raise
            raise _unreadable(info.format, exc, what) from None
        pad = [""] * start_col

        def produce() -> Iterator[Row]:
            values_iter = iter(data.iter_rows())
            number = 0
            while True:
                try:
                    values = next(values_iter)
                except StopIteration:
                    return
                except BaseException as exc:
                    if not _read_failed(exc):
                        raise
                    raise _unreadable(info.format, exc, what) from None
                number += 1
                yield Row(number, pad + [typed(v) for v in values])

        rows_iter = produce()
        if fill_merged and merged:
            rows_iter = _fill_merged(rows_iter, merged, fill_merged)
        yield from rows_iter
    finally:
        try:
            workbook.close()
        except Exception:  # already closed (streamed fallback)
            pass


def _pick_sheet(names: tuple[str, ...], sheet: int | str | None, what: str | None) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    else:
        folded = {n.strip().casefold(): n for n in names}
        if str(sheet).strip().casefold() in folded:
            return folded[str(sheet).strip().casefold()]
    raise _rejected(
        "no_such_sheet",
        gettext("The workbook has no sheet %(sheet)s; its sheets: %(names)s.") % {"sheet": repr(sheet), "names": ", ".join(names)},
        what,
    )


def _openpyxl_rows(path: Path, name: str, what: str | None) -> Iterator[Row]:
    """A large XLSX sheet streamed by openpyxl's read-only parser (flat memory)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, ...
        raise _unreadable("xlsx", exc, what) from None
    try:
        ws = workbook[name]
        for number, values in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            yield Row(number, [typed(v) for v in values])
    finally:
        workbook.close()


# --- the entry point ---------------------------------------------------------------------------


@contextmanager
def _as_path(source: str | Path | bytes | IO[bytes], name: str):
    if isinstance(source, (str, Path)):
        yield Path(source)
        return
    suffix = Path(name or "").suffix.lower() or ".bin"
    with tempfile.NamedTemporaryFile("wb", suffix=suffix, delete=False) as tmp:
        if isinstance(source, bytes):
            tmp.write(source)
        else:
            if hasattr(source, "seek"):
                source.seek(0)
            shutil.copyfileobj(source, tmp, 1 << 20)
    try:
        yield Path(tmp.name)
    finally:
        Path(tmp.name).unlink(missing_ok=True)


def read_rows(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str = "",
    sheet: int | str | None = None,
    what: str | None = None,
    info: TableInfo | None = None,
    fill_merged: int = 0,
) -> Iterator[Row]:
    """The rows of a CSV/TSV file or of one sheet of a workbook (see the module docstring).
    ``source`` is a path, or the file's bytes / a binary file object (``name`` gives its
    extension); ``sheet`` a sheet's index or name (default the first visible one); ``info`` is
    filled with what was found; ``fill_merged`` (a number of rows) repeats merged header cells."""
    info = info if info is not None else TableInfo("csv")
    with _as_path(source, name) as path:
        with open(path, "rb") as fh:
            head = fh.read(8)
        info.format = sniff_format(head, path)
        claimed = Path(name or (str(source) if isinstance(source, (str, Path)) else "")).suffix.lower()
        if info.format == "csv" and claimed in WORKBOOK_SUFFIXES:
            raise _unreadable(claimed.lstrip("."), ValueError(gettext("not a workbook")), what)
        if info.format == "csv":
            yield from _csv_rows(path, info)
        else:
            yield from _workbook_rows(path, info, sheet, what, fill_merged)


def sheet_names(source: str | Path, *, what: str | None = None) -> tuple[str, ...]:
    """The visible sheets of a workbook (empty for a text file)."""
    path = Path(source)
    with open(path, "rb") as fh:
        fmt = sniff_format(fh.read(8), path)
    if fmt == "csv":
        return ()
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            visible = [m.name for m in workbook.sheets_metadata if str(m.visible).endswith("Visible") and "WorkSheet" in str(m.typ)]
            return tuple(visible or workbook.sheet_names)
    except BaseException as exc:
        if not _read_failed(exc):
            raise
        raise _unreadable(fmt, exc, what) from None


def text(value: Cell) -> str:
    """A cell as text: integral numbers without ``.0``, dates as ISO (YYYY-MM-DD)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Month names as Indonesian (and English) lists write them, full or short.
MONTHS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "agu", "agt", "ags", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
_DATE_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?")
_DATE_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
_DATE_NAMED = re.compile(r"(\d{1,2})[\s.-]+([a-z]+)\.?[\s.,-]+(\d{4})")


def parse_date(value: Cell) -> dt.date | None:
    """A date cell, or text as people type dates: ``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY``,
    ``DD.MM.YYYY`` (leading zeros optional) and ``12 Mei 1980`` / ``12-Mei-1980`` (Indonesian or
    English month names, full or short). ``None`` when it is not a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    value = value.strip()
    if m := _DATE_YMD.fullmatch(value):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _DATE_DMY.fullmatch(value):
        d, mo, y = int(m.group(1)), int(m.group(3)), int(m.group(4))
    elif (m := _DATE_NAMED.fullmatch(value.lower())) and m.group(2) in MONTHS:
        d, mo, y = int(m.group(1)), MONTHS[m.group(2)], int(m.group(3))
    else:
        return None
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def is_blank(cells: list) -> bool:
    return not any((c.strip() if isinstance(c, str) else c is not None) for c in cells)


__all__ = [
    "DENSE_CELLS",
    "TABULAR_SUFFIXES",
    "Row",
    "TableInfo",
    "check_suffix",
    "detect_encoding",
    "is_blank",
    "parse_date",
    "read_rows",
    "sheet_names",
    "sniff_format",
    "text",
    "typed",
    "xlsx_extent",
]
