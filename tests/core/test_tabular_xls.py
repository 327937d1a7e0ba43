"""Excel 97–2003 (.xls) workbooks, written at test time with xlwt: the tabular reader reads them
(typed cells, sheets), the upload check holds them to the kind's size limit, and a damaged or lying
.xls is refused with a clear error before calamine reads it — calamine trusts an XLS's DIMENSIONS
record (a first row after the last makes it allocate 171 GB and abort the process) and panics on a
sheet offset past the stream's end (a ``BaseException``, a server error) — never a 500."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.core import files, tabular
from lindung.core.errors import FileRejected
from lindung.core.files import UploadRefused

xlwt = pytest.importorskip("xlwt")

HEADER = ["nik", "nama", "tanggal_lahir", "upah"]


def xls(sheets: dict[str, list[list]], *, far_cell: tuple[int, int] | None = None) -> bytes:
    """A real BIFF8 workbook: strings, integers, floats, dates in a date format."""
    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    ws.write(r, c, value, date_style)
                else:
                    ws.write(r, c, value)
        if far_cell is not None:
            ws.write(*far_cell, "x")
            far_cell = None
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROSTER = {
    "Data": [
        HEADER,
        ["1472015003900001", "Dédé Sutisna", dt.date(1985, 5, 25), 4500000],
        ["1472016505850002", "Siti Aminah", dt.date(1990, 3, 10), 1.5],
    ],
    "Kedua": [["x"]],
}


def _dimensions_offsets(content: bytes) -> list[int]:
    """File offsets of the DIMENSIONS records (xlwt writes the Workbook stream contiguously)."""
    out, i = [], 0
    while (i := content.find(b"\x00\x02\x0e\x00", i + 1)) != -1:
        out.append(i)
    return out


def test_an_xls_is_read_with_typed_cells_and_its_sheets(tmp_path):
    path = tmp_path / "daftar.xls"
    path.write_bytes(xls(ROSTER))
    info = tabular.TableInfo("csv")
    rows = list(tabular.read_rows(path, info=info))
    assert info.format == "xls" and info.sheets == ("Data", "Kedua") and info.sheet == "Data"
    assert [r.cells for r in rows] == ROSTER["Data"]
    assert isinstance(rows[1].cells[3], int) and rows[1].cells[2] == dt.date(1985, 5, 25)
    assert [r.cells for r in tabular.read_rows(path, sheet="kedua")] == [["x"]]
    # by content, not by name; from bytes too
    assert next(r.cells for r in tabular.read_rows(xls(ROSTER), name="upload.csv")) == HEADER
    assert tabular.sheet_names(path) == ("Data", "Kedua")


def test_the_upload_check_accepts_an_xls_by_content_and_holds_it_to_the_size_limit(settings):
    content = xls(ROSTER)
    detected = files.check_upload(SimpleUploadedFile("daftar.bin", content), "roster")
    assert (detected.type, detected.extension, detected.content_type) == ("xls", ".xls", "application/vnd.ms-excel")
    settings.LINDUNG_UPLOAD_LIMITS = {"roster": len(content) - 1}
    with pytest.raises(UploadRefused) as big:
        files.check_upload(SimpleUploadedFile("daftar.xls", content), "roster")
    assert big.value.code == "file_too_large" and big.value.status == 413


def test_a_cell_beyond_the_kinds_columns_is_refused_before_reading():
    content = xls({"Data": [HEADER]}, far_cell=(3, 200))  # column 201; a roster has at most 64
    with pytest.raises(UploadRefused) as wide:
        files.check_upload(SimpleUploadedFile("daftar.xls", content), "roster")
    assert wide.value.code == "sheet_too_large" and "201" in wide.value.message
    files.check_upload(SimpleUploadedFile("daftar.xls", xls({"Data": [HEADER]}, far_cell=(3, 60))), "roster")


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        # DIMENSIONS: first row 174 after the last (1): calamine wraps last − first to 4 billion rows
        (lambda b, d: b.__setitem__(slice(d + 4, d + 8), (174).to_bytes(4, "little")), "file_unreadable"),
        # DIMENSIONS: 2,000,000 rows, past Excel's 65,536 and the kind's limit
        (lambda b, d: b.__setitem__(slice(d + 8, d + 12), (2_000_000).to_bytes(4, "little")), "sheet_too_large"),
    ],
)
def test_a_lying_dimensions_record_is_refused_not_allocated(tmp_path, patch, code):
    content = bytearray(xls(ROSTER))
    patch(content, _dimensions_offsets(bytes(content))[-1])
    with pytest.raises(UploadRefused) as refused:
        files.check_upload(SimpleUploadedFile("daftar.xls", bytes(content)), "roster")
    assert refused.value.code == code
    path = tmp_path / "x.xls"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as rejected:  # the reader checks too, whoever calls it
        list(tabular.read_rows(path))
    assert rejected.value.errors[0].code == code


def test_a_sheet_offset_past_the_stream_is_refused_and_a_calamine_panic_is_a_clear_error(tmp_path, monkeypatch):
    content = bytearray(xls(ROSTER))
    record = content.find(b"Kedua") - 12  # BOUNDSHEET: header (4), BOF offset (4), flags, name length, encoding
    assert content[record : record + 2] == b"\x85\x00"
    content[record + 4 : record + 8] = (0x7672).to_bytes(4, "little")
    with pytest.raises(UploadRefused) as refused:
        files.check_upload(SimpleUploadedFile("daftar.xls", bytes(content)), "roster")
    assert refused.value.code == "file_unreadable" and "Excel 97" in refused.value.message
    path = tmp_path / "x.xls"
    path.write_bytes(content)
    # Without the check calamine panics (pyo3's PanicException, a BaseException): the reader
    # turns that into the same clear row error as any unreadable workbook.
    monkeypatch.setattr(tabular, "_check_xls", lambda path, what: None)
    with pytest.raises(FileRejected) as rejected:
        list(tabular.read_rows(path, sheet="Kedua"))
    assert rejected.value.errors[0].code == "unreadable_file" and "XLS" in rejected.value.message


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_a_broken_xls_is_refused_as_damaged(tmp_path, damage):
    good = xls(ROSTER)
    content = good[: len(good) // 2] if damage == "truncated" else good[:8] + b"\x00" * 600
    with pytest.raises(UploadRefused) as refused:
        files.check_upload(SimpleUploadedFile("daftar.xls", content), "roster")
    assert refused.value.code == "file_unreadable"
    path = tmp_path / "x.xls"
    path.write_bytes(content)
    with pytest.raises(FileRejected) as rejected:
        list(tabular.read_rows(path))
    assert rejected.value.errors[0].code == "file_unreadable"


@pytest.mark.django_db
def test_a_broken_xls_uploaded_as_a_bank_statement_answers_400_not_500(users, api_client):
    good = xls(ROSTER)
    api = api_client(users["finance"])
    for content in (good[: len(good) // 2], good[:8] + b"\x00" * 600):
        r = api.post("/api/v1/contributions/bank-statements", {"file": SimpleUploadedFile("rekening.xls", content)})
        assert r.status_code == 400 and r.json()["error"]["code"] == "file_unreadable", r.content
