"""Bank bulk-transfer CSV files: the columns of the upload and of the result file, per bank format.

A format names its upload columns (a header and either an order field or a fixed value) and how
to read the bank's result CSV (which column holds the order reference, the status, the reason…).
The built-in ``default`` format is the generic one; more formats, or changed columns, come from the
``LINDUNG_BANK_FILE_FORMATS`` setting (JSON in the environment variable of the same name), merged
over the built-in ones. Cells are written through the kernel's safe writer
(``lindung.core.tabular_write``), which neutralises formula cells, so a spreadsheet never runs them.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lindung.core.errors import ServiceError
from lindung.core.tabular_write import csv_writer

# Fields of an order a column may name.
ORDER_FIELDS = (
    "number",
    "bank_code",
    "bank_bic",
    "bank_name",
    "account_number",
    "account_holder",
    "payee_name",
    "amount",
    "currency",
    "remittance",
    "execution_date",
    "claim_number",
    "batch_number",
)

BUILTIN_FORMATS: dict[str, dict[str, Any]] = {
    "default": {
        "label": "Generic bulk transfer (CSV)",
        "delimiter": ",",
        "date_format": "%Y-%m-%d",
        "columns": [
            {"header": "reference", "field": "number"},
            {"header": "bank_code", "field": "bank_code"},
            {"header": "bic", "field": "bank_bic"},
            {"header": "account_number", "field": "account_number"},
            {"header": "account_holder", "field": "account_holder"},
            {"header": "amount", "field": "amount"},
            {"header": "currency", "field": "currency"},
            {"header": "execution_date", "field": "execution_date"},
            {"header": "description", "field": "remittance"},
        ],
        "answer": {
            "reference": "reference",
            "status": "status",
            "amount": "amount",
            "bank_reference": "bank_reference",
            "reason_code": "reason_code",
            "reason": "reason",
            "date": "date",
            "date_format": "%Y-%m-%d",
            "paid": ["PAID", "SUCCESS", "BERHASIL", "OK", "ACSC", "ACCC"],
            "failed": ["FAILED", "GAGAL", "REJECTED", "RJCT"],
            "unknown": ["PENDING", "UNKNOWN", "DIPROSES", "PDNG"],
        },
    },
    "semicolon": {
        "label": "Bulk transfer, semicolon-separated (spreadsheet export)",
        "delimiter": ";",
        "date_format": "%d/%m/%Y",
        "columns": [
            {"header": "No Referensi", "field": "number"},
            {"header": "Kode Bank", "field": "bank_code"},
            {"header": "No Rekening", "field": "account_number"},
            {"header": "Nama Pemilik Rekening", "field": "account_holder"},
            {"header": "Nominal", "field": "amount"},
            {"header": "Mata Uang", "value": "IDR"},
            {"header": "Tanggal", "field": "execution_date"},
            {"header": "Keterangan", "field": "remittance"},
        ],
        "answer": {
            "reference": "No Referensi",
            "status": "Status",
            "amount": "Nominal",
            "bank_reference": "No Transaksi",
            "reason_code": "Kode Alasan",
            "reason": "Keterangan",
            "date": "Tanggal",
            "date_format": "%d/%m/%Y",
            "paid": ["BERHASIL", "SUKSES"],
            "failed": ["GAGAL", "DITOLAK"],
            "unknown": ["DIPROSES", "PENDING"],
        },
    },
}


@dataclass(frozen=True)
class BankFormat:
    code: str
    label: str
    delimiter: str
    date_format: str
    columns: tuple[dict[str, str], ...]
    answer: dict[str, Any]


def formats() -> dict[str, BankFormat]:
    """The built-in formats with the ``LINDUNG_BANK_FILE_FORMATS`` setting merged over them."""
    merged = copy.deepcopy(BUILTIN_FORMATS)
    for code, spec in (getattr(settings, "LINDUNG_BANK_FILE_FORMATS", None) or {}).items():
        merged[code] = {**merged.get(code, {}), **spec}
    out = {}
    for code, spec in merged.items():
        columns = tuple(spec.get("columns") or ())
        for col in columns:
            if "value" not in col and col.get("field") not in ORDER_FIELDS:
                raise ValueError(f"LINDUNG_BANK_FILE_FORMATS[{code!r}]: column {col.get('header')!r} names unknown field {col.get('field')!r}")
        out[code] = BankFormat(
            code,
            str(spec.get("label") or code),
            str(spec.get("delimiter") or ","),
            str(spec.get("date_format") or "%Y-%m-%d"),
            columns,
            dict(BUILTIN_FORMATS["default"]["answer"] | (spec.get("answer") or {})),
        )
    return out


def get_format(code: str) -> BankFormat:
    found = formats().get(code)
    if found is None:
        raise ServiceError(
            "unknown_format", _("Unknown bank file format %(code)s.") % {"code": code}, {"bank_format": "one of " + ", ".join(formats())}
        )
    return found


def iter_csv(rows: Iterable[dict[str, Any]], fmt: BankFormat) -> Iterator[bytes]:
    """The upload file, streamed row by row (UTF-8, CRLF, header first)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, delimiter=fmt.delimiter, lineterminator="\r\n")

    def flush() -> bytes:
        data = buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
        return data

    writer.writerow([c["header"] for c in fmt.columns])
    yield flush()
    for n, row in enumerate(rows, 1):
        writer.writerow([c["value"] if "value" in c else _field(row, c["field"], fmt) for c in fmt.columns])
        if n % 500 == 0:
            yield flush()
    yield flush()


def _field(row: dict[str, Any], field: str, fmt: BankFormat) -> Any:
    if field == "currency":
        return "IDR"
    if field == "execution_date":
        return row["execution_date"].strftime(fmt.date_format)
    return row.get(field, "")
