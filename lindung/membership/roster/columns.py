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
    "nul_character": (_("The row contains a NUL character (a damaged or binary file?)."), "Baris memuat karakter NUL (berkas rusak atau biner?)."),
    "verification_needed": (
        _("Not enrolled: the branch office must verify this row against the register first."),
        "Tidak didaftarkan: kantor cabang harus memverifikasi baris ini dengan data kependudukan terlebih dahulu.",
    ),
    "rejected_earlier": (
        _("Rejected earlier by the branch office and sent again unchanged: not held again (correct the row to have it checked again)."),
        "Sudah ditolak kantor cabang pada %(detail)s. Baris yang sama tidak diperiksa lagi: perbaiki datanya lalu kirim lagi.",
    ),
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


XLSX_TEMPLATE_HEADER = ["NIK", "NAMA", "TANGGAL LAHIR", "JENIS KELAMIN", "KELURAHAN", "ALAMAT", "PEKERJAAN", "NO HP", "NOMOR KK"]
TEMPLATE_ROWS = 5000  # rows of the template that carry the drop-down lists


def template_xlsx(villages: list[tuple[str, str, str]] | None = None) -> bytes:
    """The roster template: a sheet to fill (NIK, NOMOR KK and NO HP as text cells; drop-down
    lists for JENIS KELAMIN and KELURAHAN) and, when ``villages`` (code, kelurahan, kecamatan)
    are given, a second sheet "Kelurahan" with the sponsor's villages and their codes, which the
    KELURAHAN list offers (a name found twice in the region carries its kecamatan, as the import
    reads it)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "Daftar pekerja"
    ws.append(tabular_write.safe_row(XLSX_TEMPLATE_HEADER))
    villages = villages or []
    counts: dict[str, int] = {}
    for _code, name, _district in villages:
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    choices = [name if counts[name.casefold()] == 1 else f"{name} (Kec. {district})" for _code, name, district in villages]
    example = choices[0] if choices else "Pangkalan Sesai"
    ws.append(
        tabular_write.safe_row(["1472015003900001", "Siti Aminah", "10-03-1990", "P", example, "Jl. Sudirman 1", "Nelayan", "081234567890", ""])
    )
    for col in ("A", "H", "I"):
        for row in range(1, TEMPLATE_ROWS + 1):
            ws[f"{col}{row}"].number_format = "@"  # NIK, phone and KK as text, never as numbers
    sex = DataValidation(type="list", formula1='"L,P"', allow_blank=True, showErrorMessage=True)
    sex.error = "L (laki-laki) atau P (perempuan)"
    ws.add_data_validation(sex)
    sex.add(f"D2:D{TEMPLATE_ROWS}")
    if villages:
        ref = wb.create_sheet("Kelurahan")
        ref.append(tabular_write.safe_row(["KELURAHAN", "KODE WILAYAH", "KECAMATAN"]))
        for choice, (code, _name, district) in zip(choices, villages, strict=True):
            ref.append(tabular_write.safe_row([choice, code, district]))
        village = DataValidation(type="list", formula1=f"=Kelurahan!$A$2:$A${len(villages) + 1}", allow_blank=True, showErrorMessage=True)
        village.error = "Pilih kelurahan/desa dari daftar (lembar Kelurahan)"
        ws.add_data_validation(village)
        village.add(f"E2:E{TEMPLATE_ROWS}")
    for col, width in zip("ABCDEFGHI", (20, 28, 15, 14, 28, 30, 18, 16, 20), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


SAMPLE_ROSTER = Path(__file__).resolve().parent.parent / "data" / "contoh-roster.csv"
