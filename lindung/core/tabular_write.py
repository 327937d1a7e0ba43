"""One safe writer for every CSV and XLSX file Lindung writes (error files, templates, exports).

A spreadsheet program runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK(...)`` leaks data, ``+cmd|' /C calc'!A0`` starts a program through DDE), and a tab
or carriage return at the start hides such a cell. Every text cell written here that begins with
one of them is neutralised as OWASP's CSV-injection rule says: prefixed with a single quote, so the
program shows it as text. Numbers, dates and booleans are written as they are (they are values,
never formulas); text is always written as a text cell in XLSX, never as a formula.

``csv_writer(fh)`` wraps ``csv.writer``; ``xlsx_bytes(sheets)`` writes a workbook of one or more
sheets (streamed, write-only); ``safe_row(values)`` neutralises a row for a workbook built by hand
(templates with formats). On import, ``formula_like(text)`` says whether a name begins like a
formula: such names are row errors, not data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a ``'`` in front when it is text beginning like a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


def formula_like(text: str) -> bool:
    """True for text that a spreadsheet program would run as a formula (leading spaces ignored)."""
    return isinstance(text, str) and text.lstrip(" ").startswith(FORMULA_STARTS)


class _SafeCsvWriter:
    def __init__(self, fh: IO[str], **kwargs):
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(safe_row(row))


def csv_writer(fh: IO[str], **kwargs) -> _SafeCsvWriter:
    """A ``csv.writer`` whose every text cell is neutralised (see the module docstring)."""
    return _SafeCsvWriter(fh, **kwargs)


def csv_text(rows: Iterable[Iterable[Any]], **kwargs) -> str:
    buf = io.StringIO()
    csv_writer(buf, **kwargs).writerows(rows)
    return buf.getvalue()


def xlsx_bytes(sheets: dict[str, Iterable[Iterable[Any]]]) -> bytes:
    """A workbook with one sheet per item (title: rows), written streamed (openpyxl write-only);
    every text cell neutralised and typed as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(str(title)[:31])
        for row in rows:
            cells = []
            for value in row:
                value = neutralise(value)
                if isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.data_type = "s"  # text, never a formula
                    cells.append(cell)
                else:
                    cells.append(value)
            ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
