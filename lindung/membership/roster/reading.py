"""Reading a roster file: rows of a CSV (UTF-8, UTF-16 or Windows-1252) or a workbook as lists of
strings, spreadsheet cells as text, and the dates sponsors type."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext

from lindung.core.errors import FileRejected, RowError, ServiceError

# XLSX files larger than this are streamed with openpyxl instead of read whole by calamine
# (7 MB is about 100,000 rows of 9 columns: ~90 MB of memory with calamine).
XLSX_STREAM_BYTES = int(os.environ.get("LINDUNG_ROSTER_XLSX_STREAM_BYTES", 8 * 1024 * 1024))


class NumberCell(str):
    """The text of a spreadsheet cell that held a number (not text): a NIK or family card number
    typed into Excel as a number keeps only 15 significant digits, so its last digit may be lost."""

    __slots__ = ("number",)


def cell(value) -> str:
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


def number_cell_unsafe(text: str) -> bool:
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
                yield [cell(v) for v in row]
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
                yield [cell(v) for v in row]
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


def bad_date_note(text: str) -> str:
    """Why a birth date was not read (Indonesian, for the error file)."""
    text = text.strip()
    if _DATE_DMY_SHORT_YEAR.fullmatch(text):
        return f"{text!r}: tahun harus 4 digit"
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return f"{text!r}: angka, bukan tanggal"
    return f"{text!r}"[:60]
