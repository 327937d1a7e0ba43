"""The kernel's tabular reader: encodings, separators, workbooks, typed cells, bounded memory."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile

import pytest

from lindung.core import tabular
from lindung.core.errors import FileRejected, ServiceError

ROWS = [["nik", "nama", "tanggal_lahir"], ["1472015003900001", "Siti Aminah", "10/03/1990"], ["1472016505850002", "Dédé Sutisna", "1985-05-25"]]


def _csv(rows, sep=",") -> str:
    return "".join(sep.join(r) + "\r\n" for r in rows)


def _read(path_or_bytes, **kw):
    info = tabular.TableInfo("csv")
    rows = list(tabular.read_rows(path_or_bytes, info=info, **kw))
    return rows, info


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", b"", "utf-8-sig"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
        ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_text_encodings_are_detected(tmp_path, encoding, bom, expected):
    path = tmp_path / "x.csv"
    path.write_bytes(bom + _csv(ROWS).encode(encoding))
    rows, info = _read(path)
    assert info.encoding == expected and info.format == "csv"
    assert [r.cells for r in rows] == ROWS
    assert [r.number for r in rows] == [1, 2, 3]


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separators_are_found_below_title_rows(tmp_path, sep):
    path = tmp_path / "x.tsv"
    path.write_text("DAFTAR PEKERJA RENTAN, KOTA DUMAI\r\n\r\n" + _csv(ROWS, sep), encoding="utf-8")
    rows, info = _read(path)
    assert info.delimiter == sep
    assert rows[3].cells == ROWS[1] and rows[3].number == 4


def test_shift_jis_is_refused_not_read_as_mojibake(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(
        _csv([["nik", "nama"], ["1472015003900001", "山田太郎"], ["1472016505850002", "佐藤花子"], ["1472016505850003", "鈴木一郎"]]).encode(
            "shift_jis"
        )
    )
    with pytest.raises(FileRejected) as exc:
        _read(path)
    assert exc.value.errors[0].code == "implausible_text"
    assert "CSV UTF-8" in exc.value.message


def test_plausible_windows_1252_with_a_few_accents_is_read(tmp_path):
    path = tmp_path / "x.csv"
    lines = [["nik", "nama", "alamat"]] + [["1472015003900001", f"Pekerja {i}", "Jl. Sudirman – Dumai"] for i in range(30)] + [["1", "André", "Café"]]
    path.write_bytes(_csv(lines).encode("cp1252"))
    rows, info = _read(path)
    assert info.encoding == "cp1252" and rows[-1].cells == ["1", "André", "Café"]


def test_bytes_source_and_quoted_newlines(tmp_path):
    rows, _info = _read(b'a,b\r\n"two\nlines",x\r\nc,d\r\n', name="s.csv")
    assert [r.cells for r in rows] == [["a", "b"], ["two\nlines", "x"], ["c", "d"]]
    assert [r.number for r in rows] == [1, 2, 3]


def test_xlsx_cells_are_typed_and_rows_numbered_from_the_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    ws["B3"] = "NIK"
    ws["C3"] = "TGL"
    ws["D3"] = "UPAH"
    ws["B4"] = "1472015003900001"
    ws["C4"] = dt.date(1980, 5, 12)
    ws["D4"] = 4500000
    ws["E4"] = 1.5
    ws["F4"] = dt.datetime(2024, 1, 2, 10, 30)
    wb.create_sheet("Kedua")["A1"] = "x"
    path = tmp_path / "x.xlsx"
    wb.save(path)
    rows, info = _read(path)
    assert info.format == "xlsx" and info.sheets == ("Data", "Kedua") and info.sheet == "Data"
    by_number = {r.number: r.cells for r in rows}
    assert by_number[3][1:4] == ["NIK", "TGL", "UPAH"]
    assert by_number[4][1:6] == ["1472015003900001", dt.date(1980, 5, 12), 4500000, 1.5, dt.datetime(2024, 1, 2, 10, 30)]
    assert isinstance(by_number[4][3], int)
    second, _ = _read(path, sheet="kedua")
    assert second[0].cells == ["x"]
    with pytest.raises(FileRejected) as exc:
        _read(path, sheet="Lain")
    assert exc.value.errors[0].code == "no_such_sheet" and "Data, Kedua" in exc.value.message


def test_merged_header_cells_are_repeated_when_asked(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["NO", "TEMPAT, TANGGAL LAHIR", None])
    ws.append([None, "TEMPAT", "TANGGAL"])
    ws.merge_cells("B1:C1")
    ws.merge_cells("A1:A2")
    path = tmp_path / "x.xlsx"
    wb.save(path)
    rows, _ = _read(path, fill_merged=5)
    assert rows[0].cells == ["NO", "TEMPAT, TANGGAL LAHIR", "TEMPAT, TANGGAL LAHIR"]
    assert rows[1].cells == ["NO", "TEMPAT", "TANGGAL"]


def test_a_sheet_claiming_a_huge_extent_is_streamed_not_allocated(tmp_path, monkeypatch):
    """A1 and XFD1048576 would make calamine allocate the whole rectangle (issue 10 item 2)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "nik"
    ws["A2"] = "1472015003900001"
    ws["XFD30"] = "far"
    path = tmp_path / "x.xlsx"
    wb.save(path)
    assert tabular.xlsx_extent(path, "xl/worksheets/sheet1.xml") == (30, 16384)
    monkeypatch.setattr(tabular, "DENSE_CELLS", 1000)
    import python_calamine

    def refuse(*a, **k):
        raise AssertionError("the dense sheet must not be loaded")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "get_sheet_by_name", refuse, raising=False)
    rows, _ = _read(path)
    assert rows[0].cells[0] == "nik" and rows[1].cells[0] == "1472015003900001"
    assert max(len(r.cells) for r in rows) <= tabular.MAX_COLUMNS


def _ods(cells: list[list[str]]) -> bytes:
    body = "".join(
        "<table:table-row>"
        + "".join(f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in row)
        + "</table:table-row>"
        for row in cells
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Lembar1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return buf.getvalue()


def test_ods_is_read(tmp_path):
    path = tmp_path / "x.ods"
    path.write_bytes(_ods(ROWS))
    rows, info = _read(path)
    assert info.format == "ods" and info.sheets == ("Lembar1",)
    assert [r.cells for r in rows] == ROWS


def test_format_comes_from_the_content_not_the_name(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["a", 1])
    path = tmp_path / "x.csv"  # an XLSX saved under a .csv name
    wb.save(path)
    rows, info = _read(path)
    assert info.format == "xlsx" and rows[0].cells == ["a", 1]


def test_a_broken_workbook_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileRejected) as exc:
        _read(path)
    assert exc.value.errors[0].code == "unreadable_file"


def test_check_suffix():
    assert tabular.check_suffix("Daftar.XLSX") == ".xlsx"
    with pytest.raises(ServiceError) as exc:
        tabular.check_suffix("mutasi.txt", (".csv", ".xlsx"), what="bank statement")
    assert exc.value.code == "unsupported_file" and ".txt" in exc.value.message and ".csv, .xlsx" in exc.value.message
    with pytest.raises(ServiceError):
        tabular.check_suffix("noext")


def test_text_of_cells():
    assert [tabular.text(v) for v in (None, 5, 5.0, 2.5, dt.date(2024, 1, 2), "x", True)] == ["", "5", "5", "2.5", "2024-01-02", "x", "1"]
    assert tabular.is_blank(["", "  ", ""]) and not tabular.is_blank(["", 0])
