"""The one upload check: what a file is, judged by its content (never by its name), whether it
is of a type its kind accepts, whether it is within the kind's size limit, and — for
spreadsheets — whether what it declares fits a real roster or statement, before anything reads it.

``check_upload(uploaded_file, kind, field="file")`` returns the detected type or raises
``UploadRefused`` (a ``ServiceError``: code, a translated message naming the field, status 400 or
413). Every upload path calls it: the roster, bank statement, wage and death-file imports, claim
documents, and the shared tabular reader before it opens a workbook (``check_path``).

Detection is a small documented check of magic bytes rather than a library, because Lindung
accepts six formats and the two zip-based ones (XLSX, ODS) must be told apart by their members,
which the zip inspection below reads anyway:

- PDF ``%PDF-`` (within the first 1 KB, as readers allow), PNG ``\\x89PNG\\r\\n\\x1a\\n``,
  JPEG ``FF D8 FF``;
- XLSX: a zip with ``[Content_Types].xml`` and ``xl/workbook.xml``; ODS: a zip whose
  ``mimetype`` member says ``application/vnd.oasis.opendocument.spreadsheet``;
- XLS: the OLE2 compound file signature ``D0 CF 11 E0 A1 B1 1A E1``;
- XML (bank answers): an XML declaration and no web markup (HTML, script, SVG);
- CSV: text — a UTF-16 BOM, or no NUL byte in the first 64 KB (or NULs only at alternate
  positions: UTF-16 without BOM), and not an HTML/XML/script document or a known executable.

Spreadsheet inspection (``inspect_spreadsheet``) reads only the zip's central directory (entry
count, declared uncompressed sizes, compression ratios), the sheet list, and streams each sheet's
XML in blocks to find its ``<dimension ref=…>`` and the largest cell reference, so a 1.6 KB file
that claims a cell at XFD1048576 or a member inflating to gigabytes is refused without allocating
anything of its size.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError
from lindung.core.files.kinds import FileKind, SheetLimits, get_kind
from lindung.core.formatting import number

HEAD_BYTES = 64 * 1024

CONTENT_TYPES = {
    "xml": "application/xml",
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "xls": "application/vnd.ms-excel",
}
EXTENSIONS = {"xml": ".xml", "pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "csv": ".csv", "xlsx": ".xlsx", "ods": ".ods", "xls": ".xls"}
# Names shown in messages (format names, the same in every language).
TYPE_NAMES = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG", "csv": "CSV", "xlsx": "XLSX", "xls": "XLS", "ods": "ODS", "xml": "XML"}

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXECUTABLES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"#!")
_MARKUP = re.compile(rb"^\s*<(?:!doctype|html|head|body|script|svg|\?xml|iframe|meta)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^\s*<\?xml\b")
# Web markup is no data file. (A DOCTYPE or entity declaration is refused by the XML reader that
# parses the file, e.g. the bank answers' ISO 20022 reader, with its own row error.)
_XML_REFUSED = re.compile(rb"<(?:html|script|svg|iframe)\b", re.IGNORECASE)


class UploadRefused(ServiceError):
    """An uploaded file was refused before anything read it."""

    def __init__(self, code: str, message: str, field: str = "file", *, status: int = 400):
        super().__init__(code, message, {field: message}, status=status)
        self.field = field


@dataclass(frozen=True)
class Detected:
    type: str  # pdf, png, jpeg, csv, xlsx, ods, xls

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.type]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.type]


def _open_zip(fh: BinaryIO) -> zipfile.ZipFile | None:
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def sniff(fh: BinaryIO) -> str | None:
    """The type of the file by its content, or ``None`` when it is none Lindung accepts.
    ``fh`` is a seekable binary file; its position is restored."""
    pos = fh.tell()
    try:
        fh.seek(0)
        head = fh.read(HEAD_BYTES)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if b"%PDF-" in head[:1024]:
            return "pdf"
        if head.startswith(OLE2):
            return "xls"
        if head.startswith(b"PK\x03\x04"):
            fh.seek(0)
            zf = _open_zip(fh)
            if zf is None:
                return None
            names = set(zf.namelist())
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and "content.xml" in names:
                info = zf.getinfo("mimetype")
                if info.file_size < 100:
                    with zf.open(info) as m:
                        if m.read(100).strip() == b"application/vnd.oasis.opendocument.spreadsheet":
                            return "ods"
            return None
        if _is_xml(head):
            return "xml"
        if _is_text(head):
            return "csv"
        return None
    finally:
        fh.seek(pos)


def _is_xml(head: bytes) -> bool:
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    return bool(_XML_DECL.match(body)) and not _XML_REFUSED.search(body)


def _is_text(head: bytes) -> bool:
    if not head:
        return True  # an empty file is text (the reader says it is empty)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if head.startswith(_EXECUTABLES) or head.startswith((b"PK", b"\x1f\x8b")):
        return False
    body = head[3:] if head.startswith(codecs.BOM_UTF8) else head
    if _MARKUP.match(body):
        return False
    if b"\x00" in head:
        # UTF-16 without a BOM: NULs at every other position (ASCII text), nowhere else.
        even, odd = head[0::2], head[1::2]
        return (even.count(0) == 0 and odd.count(0) >= len(odd) // 2) or (odd.count(0) == 0 and even.count(0) >= len(even) // 2)
    # Control characters other than tab, newlines, form feed and (Windows) EOF mean binary.
    controls = sum(1 for b in body if b < 32 and b not in (9, 10, 12, 13, 26))
    return controls <= len(body) // 1000


def _size_of(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        fh = upload
        pos = fh.tell()
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(pos)
    return int(size)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def check_upload(uploaded_file, kind: str | FileKind, field: str = "file") -> Detected:
    """Check an upload (a Django ``UploadedFile`` or any seekable binary file) for ``kind``.
    Returns what it is; raises ``UploadRefused`` naming ``field``. Reads only the head of the file
    (and, for XLSX/ODS, the zip directory and the sheets' XML in blocks)."""
    kind = get_kind(kind) if isinstance(kind, str) else kind
    label = _field_label(field)
    size = _size_of(uploaded_file)
    if size > kind.limit:
        raise UploadRefused(
            "file_too_large",
            _("%(field)s: the file is %(size)s; a %(kind)s may be at most %(limit)s.")
            % {"field": label, "size": _mb(size), "kind": kind.label, "limit": _mb(kind.limit)},
            field,
            status=413,
        )
    fh = getattr(uploaded_file, "file", uploaded_file)
    if hasattr(uploaded_file, "open") and getattr(uploaded_file, "closed", False):
        uploaded_file.open("rb")
        fh = getattr(uploaded_file, "file", uploaded_file)
    found = sniff(fh)
    allowed = ", ".join(TYPE_NAMES[t] for t in TYPE_NAMES if t in kind.types)
    if found is None or found not in kind.types:
        what = TYPE_NAMES[found] if found else _("a type Lindung does not accept")
        raise UploadRefused(
            "file_type_refused",
            _("%(field)s: the content of the file is %(found)s (whatever its name says); a %(kind)s must be %(allowed)s.")
            % {"field": label, "found": what, "kind": kind.label, "allowed": allowed},
            field,
        )
    if found in ("xlsx", "ods", "xls") and kind.sheet is not None:
        inspect_spreadsheet(fh, found, kind.sheet, field=field, size=size)
    return Detected(found)


def check_path(path: str | Path, kind: str | FileKind, field: str = "file") -> Detected:
    """``check_upload`` for a file on disk (the CLI, the tabular reader)."""
    with open(path, "rb") as fh:
        return check_upload(fh, kind, field)


def check_source(source, kind: str | FileKind, field: str = "file") -> Detected:
    """``check_upload`` for whatever a reader is given: a path, bytes, or a binary file object."""
    import io

    if isinstance(source, (bytes, bytearray)):
        return check_upload(io.BytesIO(source), kind, field)
    if isinstance(source, (str, Path)):
        return check_path(source, kind, field)
    return check_upload(source, kind, field)


def _field_label(field: str) -> str:
    return _("File") if field == "file" else field


# --- spreadsheets ------------------------------------------------------------------------------

# A cell's reference is the only attribute r="<letters><digits>" in sheet XML. The scans below
# start with the literal ' r="' (whitespace is made spaces first), which the regex engine finds
# fast; a full findall over every reference took 7 s for 100,000 rows.
_SPACES = bytes.maketrans(b"\t\n\r", b"   ")
_REF_WIDE = re.compile(rb' r="([A-Z]{2,8})[0-9]')  # columns AA and beyond (rare in a roster)
_REF_LONG_ROW = re.compile(rb' r="[A-Z]{1,4}([0-9]{7,8})"')  # rows from 1,000,000
_REF_LAST = re.compile(rb' r="[A-Z]{1,4}([0-9]{1,8})"')
_LETTERS = [bytes([c]) for c in range(ord("Z"), ord("A") - 1, -1)]
# XML also allows r = "A1" and r='A1': a block written so is scanned reference by reference.
_REF_ANY = re.compile(rb"\br\s*=\s*[\"']([A-Z]{1,8})([0-9]{1,8})[\"']")
_ODD_SPELLINGS = (b"r='", b"r =", b"r= ")


def _scan_refs(chunk: bytes, max_row: int, max_col: int, *, first: bool) -> tuple[int, int]:
    """The largest column of any cell reference in ``chunk``, and its largest row: every row from
    1,000,000 up, and otherwise the last reference of the block (rows come in order in a sheet; a
    file that puts a far row out of order below a million rows is still bounded by the columns
    limit here and by the tabular reader, which scans the real extent before reading)."""
    if any(odd in chunk for odd in _ODD_SPELLINGS):
        for letters, digits in _REF_ANY.findall(chunk):
            max_col, max_row = max(max_col, column_number(letters)), max(max_row, int(digits))
    wide = set(_REF_WIDE.findall(chunk))
    if wide:
        max_col = max(max_col, *(column_number(c) for c in wide))
    if first or max_col == 0:
        # Single-letter columns (26 at most, within every kind's limit) counted where they are
        # first seen; columns beyond Z are found in every block above.
        for letter in _LETTERS:
            if b' r="' + letter in chunk:
                max_col = max(max_col, column_number(letter))
                break
    long_rows = _REF_LONG_ROW.findall(chunk)
    if long_rows:
        max_row = max(max_row, max(map(int, long_rows)))
    tail = chunk[-4096:]
    last = None
    for last in _REF_LAST.finditer(tail):  # noqa: B007 - the last match is wanted
        pass
    if last is not None:
        max_row = max(max_row, int(last.group(1)))
    return max_row, max_col


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]{1,4})?([0-9]{1,8})?(?::([A-Z]{1,4})([0-9]{1,8}))?\"")
_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b")
BLOCK = 1 << 20


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    n = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _refuse_sheet(code: str, message: str, field: str):
    raise UploadRefused(code, message, field)


def inspect_spreadsheet(fh: BinaryIO, found: str, limits: SheetLimits, *, field: str = "file", size: int | None = None) -> None:
    label = _field_label(field)
    if found == "xls":
        pos = fh.tell()
        fh.seek(0)
        try:
            inspect_xls(fh, limits, field=field)
        finally:
            fh.seek(pos)
        return
    pos = fh.tell()
    fh.seek(0)
    try:
        zf = _open_zip(fh)
        if zf is None:
            _refuse_sheet("file_unreadable", _("%(field)s: the workbook is damaged (not a readable zip file).") % {"field": label}, field)
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            _refuse_sheet(
                "workbook_too_many_parts",
                _("%(field)s: the workbook has %(count)s parts; at most %(limit)s are accepted.")
                % {"field": label, "count": len(infos), "limit": limits.max_entries},
                field,
            )
        total = sum(i.file_size for i in infos)
        if total > limits.max_uncompressed:
            _refuse_sheet(
                "workbook_too_large_unpacked",
                _("%(field)s: the workbook would unpack to %(size)s; at most %(limit)s are accepted (is it a zip bomb?).")
                % {"field": label, "size": _mb(total), "limit": _mb(limits.max_uncompressed)},
                field,
            )
        for info in infos:
            if info.file_size > BLOCK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                _refuse_sheet(
                    "workbook_compression_ratio",
                    _(
                        "%(field)s: a part of the workbook (%(part)s) is compressed %(ratio)s times; at most %(limit)s times is accepted (is it a zip bomb?)."
                    )
                    % {"field": label, "part": info.filename[:80], "ratio": info.file_size // max(info.compress_size, 1), "limit": limits.max_ratio},
                    field,
                )
        if found == "xlsx":
            _inspect_xlsx(zf, limits, field, label)
        else:
            _inspect_ods(zf, limits, field, label)
    finally:
        fh.seek(pos)


def _check_extent(rows: int, cols: int, sheet: str, limits: SheetLimits, field: str, label: str) -> None:
    if rows > limits.max_rows or cols > limits.max_columns or rows * cols > limits.max_cells:
        _refuse_sheet(
            "sheet_too_large",
            _(
                "%(field)s: sheet %(sheet)s reaches %(rows)s rows and %(cols)s columns; a roster or statement may have at most %(max_rows)s rows and %(max_cols)s columns (%(max_cells)s cells)."
            )
            % {
                "field": label,
                "sheet": sheet,
                "rows": number(rows),
                "cols": number(cols),
                "max_rows": number(limits.max_rows),
                "max_cols": limits.max_columns,
                "max_cells": number(limits.max_cells),
            },
            field,
        )


# BIFF records (Excel 97–2003 ``Workbook`` stream, BIFF5 ``Book``): BOF, DIMENSIONS, and the cell
# records, each starting with its row (u16) and column (u16).
_BIFF_BOF = 0x0809
_BIFF_BOUNDSHEET = 0x0085  # a sheet's name and the stream offset of its BOF
_BIFF_DIMENSIONS = 0x0200
_BIFF_CELLS = frozenset({0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406})
_BIFF_MULTI = frozenset({0x00BD, 0x00BE})  # MULRK, MULBLANK: first column at 2, last column at the end


def inspect_xls(fh: BinaryIO, limits: SheetLimits, *, field: str = "file") -> None:
    """An XLS (OLE2 compound file) before calamine reads it: calamine sizes each sheet by its
    DIMENSIONS record (last − first row, as unsigned numbers) and allocates it densely, so one lying
    record (a first row after the last in a 5 KB file) makes it ask for 80 GB and aborts the process. The workbook stream is walked record
    by record (olefile reads the container): the sheet count, every DIMENSIONS record and the row
    and column of every cell record are held to the kind's limits; a container or stream that
    cannot be read, a sheet whose offset lies past the stream's end (calamine panics) or a
    DIMENSIONS record whose first row or column lies after its last is refused as damaged."""
    import olefile

    label = _field_label(field)
    damaged = _("%(field)s: the workbook is damaged (not a readable Excel 97–2003 file).") % {"field": label}
    try:
        ole = olefile.OleFileIO(fh)
        try:
            stream = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
            if stream is None:
                _refuse_sheet("file_unreadable", damaged, field)
            data = ole.openstream(stream).read()
        finally:
            ole.close()
    except UploadRefused:
        raise
    except Exception:  # olefile's errors on a broken container are of several kinds
        _refuse_sheet("file_unreadable", damaged, field)
    sheets = 0
    sheet = "?"
    max_row = max_col = 0
    pos, end = 0, len(data)
    while pos + 4 <= end:
        kind = int.from_bytes(data[pos : pos + 2], "little")
        length = int.from_bytes(data[pos + 2 : pos + 4], "little")
        body = data[pos + 4 : pos + 4 + length]
        pos += 4 + length
        if kind == _BIFF_BOF and len(body) >= 4 and int.from_bytes(body[2:4], "little") == 0x0010:  # a worksheet starts
            sheets += 1
            sheet, max_row, max_col = str(sheets), 0, 0
            if sheets > limits.max_sheets:
                _refuse_sheet(
                    "workbook_too_many_sheets",
                    _("%(field)s: the workbook has %(count)s sheets; at most %(limit)s are accepted.")
                    % {"field": label, "count": sheets, "limit": limits.max_sheets},
                    field,
                )
        elif kind == _BIFF_BOUNDSHEET and length >= 4:
            if int.from_bytes(body[0:4], "little") >= end:  # calamine slices the stream there and panics
                _refuse_sheet("file_unreadable", damaged, field)
        elif kind == _BIFF_DIMENSIONS:
            if length >= 14:  # BIFF8: first row, last row + 1 (u32), first column, last column + 1 (u16)
                first_row, rows = int.from_bytes(body[0:4], "little"), int.from_bytes(body[4:8], "little")
                first_col, cols = int.from_bytes(body[8:10], "little"), int.from_bytes(body[10:12], "little")
            elif length >= 10:  # BIFF5: the rows as u16
                first_row, rows = int.from_bytes(body[0:2], "little"), int.from_bytes(body[2:4], "little")
                first_col, cols = int.from_bytes(body[4:6], "little"), int.from_bytes(body[6:8], "little")
            else:
                continue
            if first_row > rows or first_col > cols:  # calamine takes last − first, which wraps around
                _refuse_sheet("file_unreadable", damaged, field)
            _check_extent(rows, cols, sheet, limits, field, label)
        elif (kind in _BIFF_CELLS and length >= 4) or (kind in _BIFF_MULTI and length >= 6):
            row = int.from_bytes(body[0:2], "little") + 1
            col = int.from_bytes(body[length - 2 : length] if kind in _BIFF_MULTI else body[2:4], "little") + 1
            if row > max_row or col > max_col:
                max_row, max_col = max(max_row, row), max(max_col, col)
                _check_extent(max_row, max_col, sheet, limits, field, label)


def _inspect_xlsx(zf: zipfile.ZipFile, limits: SheetLimits, field: str, label: str) -> None:
    sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml") and n.count("/") == 2]
    if len(sheets) > limits.max_sheets:
        _refuse_sheet(
            "workbook_too_many_sheets",
            _("%(field)s: the workbook has %(count)s sheets; at most %(limit)s are accepted.")
            % {"field": label, "count": len(sheets), "limit": limits.max_sheets},
            field,
        )
    for name in sheets:
        sheet = name.rsplit("/", 1)[1].removesuffix(".xml")
        max_row = max_col = 0
        seen_data = False
        tail = b""
        with zf.open(name) as stream:
            while True:
                block = stream.read(BLOCK)
                if not block:
                    break
                chunk = tail + block
                if not seen_data:
                    m = _DIMENSION.search(chunk)
                    if m:
                        # The declared range: its last corner (or its only cell).
                        col_l, row_s = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
                        if col_l:
                            max_col = max(max_col, column_number(col_l))
                        if row_s:
                            max_row = max(max_row, int(row_s))
                        _check_extent(max_row, max_col, sheet, limits, field, label)
                    seen_data = bool(_SHEET_DATA.search(chunk))
                max_row, max_col = _scan_refs(chunk.translate(_SPACES), max_row, max_col, first=not tail)
                _check_extent(max_row, max_col, sheet, limits, field, label)
                tail = chunk[-256:]  # a reference split between two blocks is found in the next


_ODS_TABLE = re.compile(rb"<table:table\b[^>]*?table:name=\"([^\"]*)\"")
_REPEAT_ROWS = re.compile(rb"table:number-rows-repeated=\"([0-9]+)\"")
_REPEAT_COLS = re.compile(rb"table:number-columns-repeated=\"([0-9]+)\"")


def _inspect_ods(zf: zipfile.ZipFile, limits: SheetLimits, field: str, label: str) -> None:
    """ODS repeats rows and cells by attributes (``number-rows-repeated``): a trailing run of empty
    cells or rows, as LibreOffice writes, counts for nothing; a repeated cell or row that holds a
    value counts in full (that is how an ODS claims millions of cells in a few bytes)."""
    with zf.open("content.xml") as stream:
        data_tables = 0
        sheet = "?"
        row = 0
        max_row = max_col = 0
        tail = b""
        events = re.compile(
            rb"<table:table(?:\s[^>]*)?>|<table:table-row(?:\s[^>]*)?/?>|<table:(?:covered-)?table-cell(?:\s[^>]*)?/?>|</table:table-row>"
        )
        col = 0
        row_repeat = 1
        row_has_value = False
        while True:
            block = stream.read(BLOCK)
            if not block:
                break
            chunk = tail + block
            # Keep an unfinished tag for the next block.
            cut = chunk.rfind(b"<")
            if cut != -1 and chunk.find(b">", cut) == -1:
                chunk, tail = chunk[:cut], chunk[cut:]
            else:
                tail = b""
            for m in events.finditer(chunk):
                tag = m.group(0)
                if not tag.startswith((b"<table:table-", b"<table:covered-", b"</")):
                    data_tables += 1
                    if data_tables > limits.max_sheets:
                        _refuse_sheet(
                            "workbook_too_many_sheets",
                            _("%(field)s: the workbook has more than %(limit)s sheets.") % {"field": label, "limit": limits.max_sheets},
                            field,
                        )
                    name = _ODS_TABLE.match(tag)
                    sheet = name.group(1).decode("utf-8", "replace")[:40] if name else "?"
                    row = max_row = max_col = 0
                elif tag.startswith(b"<table:table-row"):  # the pattern matches no table-row-group
                    rep = _REPEAT_ROWS.search(tag)
                    row_repeat = int(rep.group(1)) if rep else 1
                    col = 0
                    row_has_value = False
                    if tag.endswith(b"/>"):
                        row += row_repeat
                elif tag == b"</table:table-row>":
                    row += row_repeat
                    if row_has_value:
                        max_row = max(max_row, row)
                        _check_extent(max_row, max_col, sheet, limits, field, label)
                else:
                    rep = _REPEAT_COLS.search(tag)
                    n = int(rep.group(1)) if rep else 1
                    empty = tag.endswith(b"/>") and b"office:value" not in tag
                    col += n
                    if not empty:
                        row_has_value = True
                        max_col = max(max_col, col)
                        _check_extent(max(max_row, row + row_repeat), max_col, sheet, limits, field, label)
