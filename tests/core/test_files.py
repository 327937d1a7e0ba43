"""The files kernel: detection by content, the size limit per kind, the spreadsheet inspection
before reading, storage, and the one serving view (scope, permission, audit)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.core import files
from lindung.core.files import kinds
from lindung.core.files.checks import column_number
from lindung.core.models import AuditEvent
from tests.core import files_samples as samples


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.PDF, "pdf"),
        (samples.PNG, "png"),
        (samples.JPEG, "jpeg"),
        (samples.CSV, "csv"),
        ("nik;nama\n1472;Siti\n".encode("utf-16"), "csv"),
        ("nik,nama\n".encode("utf-16-le"), "csv"),  # UTF-16 without BOM
        ("nama\nBudi Săntoso\n".encode("cp1252", "replace"), "csv"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "xls"),
        (samples.xlsx(samples.sheet("A1:B2", [("A1", "x")])), "xlsx"),
        (samples.ods(samples.ods_table("")), "ods"),
        (b'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"/>', "xml"),
        (b'<?xml version="1.0"?><html><script>x</script></html>', None),
        (samples.EXE, None),
        (samples.HTML, None),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, None),
        (b"PK\x03\x04not a zip at all", None),
    ],
)
def test_the_type_is_told_by_content(content, expected):
    assert files.sniff(io.BytesIO(content)) == expected


def test_the_name_does_not_matter():
    # An executable named .pdf is refused as a claim document; a real PDF named .png is a PDF.
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("akta-kematian.pdf", samples.EXE), "claim_document")
    assert exc.value.code == "file_type_refused" and "PDF, JPEG, PNG" in exc.value.message
    assert exc.value.fields == {"file": exc.value.message}
    assert files.check_upload(upload("scan.png", samples.PDF), "claim_document").type == "pdf"


def test_an_html_file_is_no_document_and_no_roster():
    for kind in ("claim_document", "roster"):
        with pytest.raises(files.UploadRefused) as exc:
            files.check_upload(upload("x.csv", samples.HTML), kind, field="document")
        assert exc.value.fields.keys() == {"document"} and exc.value.message.startswith("document:")


def test_size_limit_per_kind(settings):
    settings.LINDUNG_UPLOAD_LIMITS = {"claim_document": 1024}
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("big.pdf", samples.PDF + b"0" * 2000), "claim_document")
    assert exc.value.code == "file_too_large" and exc.value.status == 413 and "1 KB" in exc.value.message
    assert files.check_upload(upload("small.pdf", samples.PDF), "claim_document").type == "pdf"
    # The defaults: a roster of 200 MB is too large.
    assert kinds.get_kind("roster").limit < 200 * 1024 * 1024


def test_the_refusal_is_translated(settings):
    from django.utils import translation

    with translation.override("id"), pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("x.pdf", samples.EXE), "claim_document")
    assert "Berkas" in exc.value.message


def test_column_letters():
    assert [column_number(c) for c in ("A", "Z", "AA", "XFD")] == [1, 26, 27, 16384]


def test_the_far_cell_xlsx_is_refused_before_reading():
    content = samples.far_cell_xlsx()
    assert len(content) < 2000
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("roster.xlsx", content), "roster")
    assert exc.value.code == "sheet_too_large"
    assert "1.048.576" in exc.value.message and "16.384" in exc.value.message


def test_a_lying_dimension_does_not_hide_the_far_cell():
    content = samples.xlsx(samples.sheet("A1:B2", [("A1", "nik"), ("XFD5", "x")]))
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("roster.xlsx", content), "roster")
    assert exc.value.code == "sheet_too_large"


@pytest.mark.parametrize(
    "cell",
    ['<c r="A1048577"><v>1</v></c>', "<c r='XFD2'><v>1</v></c>", '<c r = "BZ3"><v>1</v></c>', '<c\tr="ZZ4"><v>1</v></c>'],
)
def test_far_cells_are_found_however_they_are_written(cell):
    # out of order (a far row among near ones), single quotes, spaces around '=', a tab
    body = (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:B3"/><sheetData>'
        f'<row r="1"><c r="A1"><v>1</v></c>{cell}</row><row r="2"><c r="B2"><v>2</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("roster.xlsx", samples.xlsx(body)), "roster")
    assert exc.value.code == "sheet_too_large"


def test_a_real_sized_xlsx_passes():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["nik", "nama", "tanggal_lahir"])
    for i in range(2000):
        ws.append([f"1472015003900{i:03d}", "Siti", "1990-03-10"])
    buf = io.BytesIO()
    wb.save(buf)
    assert files.check_upload(upload("roster.xlsx", buf.getvalue()), "roster").type == "xlsx"


def test_a_zip_bomb_xlsx_is_refused():
    content = samples.zip_bomb_xlsx(64)
    assert len(content) < 200_000
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("roster.xlsx", content), "roster")
    assert exc.value.code == "workbook_compression_ratio"


def test_the_unpacked_total_and_entry_count_are_limited(monkeypatch):
    small = kinds.FileKind("roster", "roster", kinds.SPREADSHEETS, 10**9, "x", sheet=kinds.SheetLimits(max_uncompressed=10_000, max_entries=5))
    monkeypatch.setitem(kinds.KINDS, "roster", small)
    big = samples.xlsx(samples.sheet("A1:A1", [("A1", "x" * 20_000)]))
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("r.xlsx", big), "roster")
    assert exc.value.code == "workbook_too_large_unpacked"
    many = samples.xlsx(samples.sheet("A1:A1", []), extra={f"xl/media/{i}.xml": b"x" for i in range(10)})
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("r.xlsx", many), "roster")
    assert exc.value.code == "workbook_too_many_parts"


def test_too_many_sheets(monkeypatch):
    small = kinds.FileKind("roster", "roster", kinds.SPREADSHEETS, 10**9, "x", sheet=kinds.SheetLimits(max_sheets=2))
    monkeypatch.setitem(kinds.KINDS, "roster", small)
    sheets = {f"xl/worksheets/sheet{i}.xml": samples.sheet("A1", []).encode() for i in range(2, 5)}
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("r.xlsx", samples.xlsx(samples.sheet("A1", []), extra=sheets)), "roster")
    assert exc.value.code == "workbook_too_many_sheets"


def test_ods_repeated_cells_count_only_with_values():
    # LibreOffice's trailing empty repeats are fine; a repeated cell holding a value counts in full.
    fine = samples.ods_table(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>nik</text:p></table:table-cell>'
        '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )
    assert files.check_upload(upload("r.ods", samples.ods(fine)), "roster").type == "ods"
    bomb = samples.ods_table(
        '<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
    )
    with pytest.raises(files.UploadRefused) as exc:
        files.check_upload(upload("r.ods", samples.ods(bomb)), "roster")
    assert exc.value.code == "sheet_too_large"


def test_zip_bomb_check_reads_no_member_whole():
    # The check of a 64 MB member streams it; the file's own position is left where it was.
    content = io.BytesIO(samples.xlsx(samples.sheet("A1:C3", [("A1", "a"), ("C3", "b")])))
    content.seek(7)
    files.check_upload(content, "roster")
    assert content.tell() == 7


@pytest.mark.django_db
def test_store_keeps_the_file_in_the_storage_not_as_a_path(users, settings):
    stored, detected = files.store_upload(upload("Surat.PDF", samples.PDF), kind="claim_document", actor=users["officer"])
    assert detected.type == "pdf" and stored.content_type == "application/pdf" and stored.size == len(samples.PDF)
    assert stored.file.name.startswith("claim_document/") and stored.file.name.endswith(f"{stored.pk}.pdf")
    assert stored.name == "Surat.PDF"
    with files.open_stored(stored) as fh:
        assert fh.read() == samples.PDF
    with files.local_path(stored) as path:
        assert path.read_bytes() == samples.PDF and str(path).startswith(str(settings.MEDIA_ROOT))
    # A file named .csv whose content is a PDF is stored as what it is.
    again, _ = files.store_upload(upload("data.csv", samples.PDF), kind="claim_document")
    assert again.name == "data.pdf"


@pytest.mark.django_db
def test_files_are_served_within_scope_only_and_audited(users, sponsors, client, api_client):
    from lindung.core.models import Job

    dumai_job = Job.objects.create(kind="membership_cards", sponsor_ref=sponsors["dumai"].pk)
    stored = files.store(samples.PDF, kind="membership_cards", name="cards.pdf", owner=dumai_job, sponsor_id=sponsors["dumai"].pk)
    client.force_login(users["sponsor"])
    response = client.get(f"/files/{stored.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == samples.PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action="file.download")
    assert (event.actor, event.object_id, event.sponsor_id_ref) == (users["sponsor"], str(stored.pk), sponsors["dumai"].pk)
    client.force_login(users["sponsor_riau"])
    assert client.get(f"/files/{stored.pk}/").status_code == 404
    assert api_client(users["sponsor_riau"]).get(f"/api/v1/files/{stored.pk}").status_code == 404
    assert api_client(users["sponsor"]).get(f"/api/v1/files/{stored.pk}").status_code == 200
    assert client.get("/files/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert AuditEvent.objects.filter(action="file.download").count() == 2
