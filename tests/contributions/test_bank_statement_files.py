"""Bank statements through the kernel's tabular reader: workbooks, encodings, refused names."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from lindung.contributions import bank_statements, billing
from lindung.contributions.models import ContributionPayment, Invoice
from lindung.core.errors import FileRejected, ServiceError

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def q4(make_agreement, make_workers):
    agreement = make_agreement()
    make_workers(2, agreement=agreement)
    billing.run_billing(period=D(2023, 10, 1), today=D(2023, 10, 1))
    return Invoice.objects.get(period_start=D(2023, 10, 1))


def test_xlsx_statement_with_date_and_number_cells_is_applied(q4):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Date", "Amount", "Reference", "Bank_Reference"])
    ws.append([D(2023, 10, 12), q4.total, f"TRF {q4.number}", 99001])
    ws.append([dt.datetime(2023, 10, 13), 5000, "unknown transfer", "BNK-2"])
    buf = io.BytesIO()
    wb.save(buf)
    batch = bank_statements.import_bank_statement(content=buf.getvalue(), file_name="mutasi.xlsx", today=D(2024, 1, 31))
    assert (batch.rows, batch.matched, batch.unmatched) == (2, 1, 1)
    assert set(ContributionPayment.objects.values_list("bank_reference", flat=True)) == {"99001", "BNK-2"}
    q4.refresh_from_db()
    assert q4.status == "paid"


def test_utf16_and_windows_1252_statements_are_read(q4):
    text = "date\tamount\treference\tbank_reference\r\n2023-10-12\t5000\tTransfer – Dumai\tBNK-7\r\n"
    batch = bank_statements.import_bank_statement(content=text.encode("utf-16-le"), file_name="m.tsv", today=D(2024, 1, 31))
    assert batch.rows == 1
    text = "date;amount;reference;bank_reference\r\n12/10/2023;5000;Setoran José;BNK-8\r\n"
    batch = bank_statements.import_bank_statement(content=text.encode("cp1252"), file_name="m.csv", today=D(2024, 1, 31))
    assert ContributionPayment.objects.get(bank_reference="BNK-8").reference == "Setoran José"


def test_txt_is_refused_and_implausible_text_is_a_file_error(q4):
    good = b"date,amount,reference,bank_reference\n2023-10-12,5000,x,BNK-1\n"
    with pytest.raises(ServiceError) as exc:
        bank_statements.import_bank_statement(content=good, file_name="mutasi.txt", today=D(2024, 1, 31))
    assert exc.value.code == "unsupported_file" and ".txt" in exc.value.message
    jis = "date,amount,reference,bank_reference\n2023-10-12,5000,山田太郎様振込,BNK-1\n2023-10-12,6000,佐藤花子様振込,BNK-2\n".encode("shift_jis")
    with pytest.raises(FileRejected) as rejected:
        bank_statements.import_bank_statement(content=jis, file_name="mutasi.csv", today=D(2024, 1, 31))
    assert rejected.value.errors[0].code == "implausible_text"
    assert not ContributionPayment.objects.exists()


def test_header_below_a_blank_line_keeps_the_files_row_numbers(q4):
    content = b"\ndate,amount,reference,bank_reference\n2023-13-01,5000,x,BNK-1\n"
    with pytest.raises(FileRejected) as exc:
        bank_statements.import_bank_statement(content=content, file_name="m.csv", today=D(2024, 1, 31))
    assert [(e.row, e.code) for e in exc.value.errors] == [(3, "invalid_date")]


def test_reconciliation_xlsx_keeps_a_formula_like_sponsor_code_as_text(q4, users, client):
    from openpyxl import load_workbook

    from lindung.contributions import documents

    rows = [
        {
            "payer_type": "sponsor",
            "payer": "=2+5",
            "period": "2023-10",
            "period_end": "2023-12",
            "billed": 10,
            "fines": 0,
            "paid": 5,
            "outstanding": 5,
        }
    ]
    ws = load_workbook(io.BytesIO(documents.reconciliation_xlsx(rows))).active
    assert ws["B2"].value == "'=2+5" and ws["B2"].data_type == "s" and ws["E2"].value == 10
    # through the page, with a sponsor whose code was stored before codes were validated
    from lindung.membership.models import Sponsor

    Sponsor.objects.filter(pk=q4.sponsor_id).update(code="=2+5", name="=2+5")
    client.force_login(users["finance"])
    response = client.get("/contributions/reconciliation/?start=2023-10-01&end=2023-12-31&format=xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert any(v.startswith("'=2+5") for v in values) and all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_a_spreadsheet_bomb_is_refused_by_the_upload_check_before_it_is_read(q4, monkeypatch):
    from openpyxl import Workbook

    from lindung.core import tabular

    wb = Workbook()
    ws = wb.active
    ws.append(["date", "amount", "reference", "bank_reference"])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    monkeypatch.setattr(tabular, "read_rows", lambda *a, **k: pytest.fail("read before the upload check"))
    with pytest.raises(ServiceError) as exc:
        bank_statements.import_bank_statement(content=buf.getvalue(), file_name="bom.xlsx", today=D(2024, 1, 31))
    assert 400 <= exc.value.status < 500 and not isinstance(exc.value, FileRejected)
