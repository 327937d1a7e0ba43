"""Reading a roster file: its rows through the kernel's tabular reader as lists of strings
(spreadsheet cells as text), and the dates sponsors type."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext

from lindung.core import tabular

# Rows at the top of a sheet whose merged cells are repeated into every cell they span (the
# header is looked for there).
HEADER_ROWS = 20


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


def iter_file_rows(path: str | Path, *, info: tabular.TableInfo | None = None, sheet: str | None = None) -> Iterator[tabular.Row]:
    """Rows of a roster file through the kernel's tabular reader (CSV/TSV in UTF-8, UTF-16 or
    Windows-1252; XLSX, XLS, ODS), each cell as text (``cell``), numbers as ``NumberCell``."""
    info = info if info is not None else tabular.TableInfo("csv")
    for row in tabular.read_rows(path, what=gettext("roster"), info=info, sheet=sheet, fill_merged=HEADER_ROWS):
        # Text files have text cells already; workbook cells are typed.
        yield row if info.format == "csv" else tabular.Row(row.number, [cell(v) for v in row.cells])


_DATE_DMY_SHORT_YEAR = re.compile(r"\d{1,2}([-/.])\d{1,2}\1\d{2}")


def parse_date(text: str) -> dt.date | None:
    """A date as ``tabular.parse_date`` reads it (``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY``,
    ``12 Mei 1980`` ...), or an Excel serial number from a numeric cell."""
    serial = _excel_serial_date(text)
    if serial is not None:
        return serial
    return tabular.parse_date(text)


def bad_date_note(text: str) -> str:
    """Why a birth date was not read (Indonesian, for the error file)."""
    text = text.strip()
    if _DATE_DMY_SHORT_YEAR.fullmatch(text):
        return f"{text!r}: tahun harus 4 digit"
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return f"{text!r}: angka, bukan tanggal"
    return f"{text!r}"[:60]
