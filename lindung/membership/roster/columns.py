"""The roster file's columns (accepted header names), reason codes with their texts, and the
downloadable templates."""

from __future__ import annotations

import io
from pathlib import Path

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lindung.core import tabular_write
from lindung.core.errors import FileRejected, RowError
from lindung.membership.roster import layout

TEMPLATE_HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kode_wilayah", "alamat", "pekerjaan", "telepon", "nomor_kk"]
ERROR_COLUMNS = ["baris", "kode_kesalahan", "keterangan"]
MAX_LEN = {"name": 200, "address": 300, "occupation": 100}

# Reason code -> (English text for the web, Indonesian text for the error file sponsors download).
REASONS: dict[str, tuple] = {
    "nik_format": (_("NIK must be exactly 16 digits."), "NIK harus 16 digit angka."),
    "nik_province": (_("The NIK does not start with a province code."), "Dua digit awal NIK bukan kode provinsi."),
    "nik_date": (_("NIK digits 7-12 are not a valid birth date."), "Digit 7-12 NIK bukan tanggal lahir yang sah."),
    "nik_numeric": (
        _("The NIK is a number cell in the spreadsheet, whose last digit may be lost: format the NIK column as text."),
        "NIK tersimpan sebagai angka di Excel sehingga digit terakhir bisa hilang; format kolom NIK sebagai teks.",
    ),
    "missing_field": (_("A required column is empty."), "Kolom wajib kosong."),
    "bad_date": (
        _("Birth date is not a date (YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY)."),
        "Tanggal lahir tidak sah (YYYY-MM-DD, DD-MM-YYYY atau DD/MM/YYYY).",
    ),
    "bad_sex": (_("Sex must be L/P or M/F."), "Jenis kelamin harus L/P (atau M/F)."),
    "too_long": (_("A value is too long."), "Isian terlalu panjang."),
    "formula_like": (
        _("The name begins with =, +, -, @, a tab or a line break, as a spreadsheet formula does."),
        "Nama diawali =, +, -, @, tab atau baris baru seperti rumus spreadsheet.",
    ),
    "bad_family_card": (_("Family card number must be 16 digits."), "Nomor KK harus 16 digit angka."),
    "bad_phone": (_("Phone number is not valid."), "Nomor telepon tidak sah."),
    "region_unknown": (_("Region code unknown or not a village."), "Kode wilayah tidak dikenal atau bukan kode desa/kelurahan."),
    "region_name_unknown": (
        _("No village of that name in the agreement's region (the closest are named)."),
        "Kelurahan/desa dengan nama itu tidak ada di wilayah perjanjian (disebutkan yang paling mirip).",
    ),
    "region_name_ambiguous": (
        _("Several villages of the region have that name: add the KECAMATAN column (the candidates are named)."),
        "Beberapa kelurahan/desa di wilayah ini bernama sama: tambahkan kolom KECAMATAN (calon disebutkan).",
    ),
    "region_outside": (_("Village is outside the agreement's region."), "Desa/kelurahan di luar wilayah perjanjian kerja sama."),
    "age_out_of_range": (_("Age at cover start is outside the agreement's age range."), "Usia pada awal kepesertaan di luar batas usia perjanjian."),
    "duplicate_in_file": (_("The NIK appears earlier in the file."), "NIK sudah muncul di baris sebelumnya dalam berkas."),
    "already_active": (
        _("The person already has an active membership elsewhere."),
        "Sudah terdaftar aktif di kepesertaan lain (sponsor lain, PU atau BPU).",
    ),
    "deceased": (_("The person is recorded as deceased."), "Orang tersebut tercatat telah meninggal dunia."),
    "over_quota": (_("The agreement's worker quota is full."), "Kuota peserta perjanjian sudah penuh."),
    "over_budget": (_("The agreement's budget does not cover this worker's premium."), "Anggaran perjanjian tidak cukup untuk iuran peserta ini."),
    "birth_date_mismatch": (
        _("Warning: birth date differs from the NIK (enrolled anyway)."),
        "Peringatan: tanggal lahir berbeda dengan NIK (tetap didaftarkan).",
    ),
    "sex_mismatch": (_("Warning: sex differs from the NIK (enrolled anyway)."), "Peringatan: jenis kelamin berbeda dengan NIK (tetap didaftarkan)."),
}
WARNING_CODES = frozenset({"birth_date_mismatch", "sex_mismatch"})
SEX = {
    **dict.fromkeys(("L", "M", "LK", "LAKI-LAKI", "LAKILAKI", "LAKI", "PRIA", "MALE"), "M"),
    **dict.fromkeys(("P", "F", "PR", "W", "PEREMPUAN", "WANITA", "FEMALE"), "F"),
}


# How a missing column is named in the refusal (the template's name / the other accepted name).
NEEDED_NAMES = {
    ("nik",): "nik",
    ("name",): "nama/name",
    ("birth_date", "ttl"): "tanggal_lahir/birth_date/ttl",
    ("sex",): "jenis_kelamin/sex",
    ("region_code", "village"): "kode_wilayah/region_code/kelurahan",
}


def missing_columns(missing: list[tuple[str, ...]], row: int) -> FileRejected:
    expected = ", ".join(NEEDED_NAMES[g] for g in missing)
    return FileRejected(
        [RowError(row, "missing_column", gettext("Missing column(s): %(columns)s.") % {"columns": expected}, "header")], what=gettext("roster")
    )


def map_header(header: list[str], *, row: int = 1) -> dict[str, int]:
    """Column index per field of a one-row header (names and variants of ``layout.ALIASES``);
    ``FileRejected`` naming the missing needed columns."""
    index, _labels = layout.match_columns(header)
    missing = [g for g in layout.NEEDED if not any(f in index for f in g)]
    if missing:
        raise missing_columns(missing, row)
    return index


def template_csv() -> str:
    return tabular_write.csv_text([TEMPLATE_HEADER])


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "roster"
    ws.append(tabular_write.safe_row(TEMPLATE_HEADER))
    ws.append(
        tabular_write.safe_row(
            ["1472015003900001", "Siti Aminah", "1990-03-10", "P", "14.72.01.1003", "Jl. Sudirman 1", "Nelayan", "081234567890", ""]
        )
    )
    for col in ("A", "I", "H"):
        for cell in ws[col]:
            cell.number_format = "@"  # NIK, KK and phone as text, never as numbers
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "data" / "contoh-roster.csv"
