"""Rosters as offices make them (issue 9): built with openpyxl for the import and browser tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lindung.registry.nik import make_nik

# (name, birth date, sex, kelurahan as typed, kecamatan as typed) -> enrolled?
DUMAI_WORKERS = [
    ("Siti Aminah", dt.date(1980, 5, 12), "F", "Kel. Purnama", "Dumai Barat", True),
    ("Budi Santoso", dt.date(1985, 1, 3), "M", "PANGKALAN SESAI", "Kec. Dumai Barat", True),
    ("Rina Marlina", dt.date(1990, 7, 21), "F", "bagan  keladi", "DUMAI BARAT", True),
    ("Joko Susilo", dt.date(1975, 11, 30), "M", "Pangkalan Sesei", "Dumai Barat", True),  # misspelt
    ("Dewi Lestari", dt.date(1988, 2, 14), "F", "Desa Teluk Binjai", "Dumai Timur", True),
    ("Agus Salim", dt.date(1979, 9, 9), "M", "Sukamaju", "Dumai Barat", False),  # no such kelurahan
]
SIGNATURE = ["Dumai, 15 Januari 2024", "Kepala Dinas Tenaga Kerja", "Kota Dumai", "H. AHMAD SUBAGIO, S.Sos", "NIP. 19700101 199503 1 001"]


def _district(kecamatan: str) -> str:
    return {"dumai barat": "14.72.01", "dumai timur": "14.72.02"}[kecamatan.lower().replace("kec. ", "")]


def office_xlsx(path: Path, workers=DUMAI_WORKERS, bad_nik: bool = True) -> Path:
    """Two title rows, a blank row, a merged two-level header (NO, NIK, NAMA LENGKAP, TEMPAT,
    TANGGAL LAHIR in one cell, JENIS KELAMIN, ALAMAT over JALAN / KELURAHAN / KECAMATAN, PEKERJAAN,
    NO HP), a row of column numbers, kelurahan names instead of codes, a signature block."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "DAFTAR PEKERJA RENTAN PENERIMA BANTUAN IURAN BPJS KETENAGAKERJAAN"
    ws["A2"] = "KOTA DUMAI TAHUN 2024"
    ws.merge_cells("A1:K1")
    ws.merge_cells("A2:K2")
    ws["A1"].font = Font(bold=True)
    top = ["NO", "NIK", "NAMA LENGKAP", "TEMPAT, TANGGAL LAHIR", "JENIS KELAMIN", "ALAMAT", None, None, "PEKERJAAN", "NO HP"]
    sub = [None, None, None, None, None, "JALAN", "KELURAHAN", "KECAMATAN", None, None]
    for col, value in enumerate(top, start=1):
        ws.cell(4, col, value)
    for col, value in enumerate(sub, start=1):
        if value:
            ws.cell(5, col, value)
    for letter in "ABCDEIJ":
        ws.merge_cells(f"{letter}4:{letter}5")
    ws.merge_cells("F4:H4")
    for row in ws["A4:J5"]:
        for c in row:
            c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col in range(1, 11):
        ws.cell(6, col, f"({col})")
    r = 7
    for i, (name, birth, sex, kelurahan, kecamatan, _ok) in enumerate(workers, start=1):
        nik = make_nik(_district(kecamatan), birth, sex, 100 + i)
        values = [
            i,
            nik,
            name,
            f"Dumai, {birth:%d-%m-%Y}",
            "L" if sex == "M" else "P",
            f"Jl. Merdeka No. {i}",
            kelurahan,
            kecamatan,
            "Buruh",
            f"08127{i:06d}",
        ]
        for col, value in enumerate(values, start=1):
            ws.cell(r, col, value).number_format = "@" if col in (2, 10) else "General"
        r += 1
    if bad_nik:
        values = [len(workers) + 1, "14720112345", "Nama Salah NIK", "Dumai, 01-01-1990", "P", "Jl. Sudirman", "Purnama", "Dumai Barat", "Buruh", ""]
        for col, value in enumerate(values, start=1):
            ws.cell(r, col, value)
        r += 1
    r += 1  # a blank row, then the signature block at the right
    for line in SIGNATURE:
        ws.cell(r, 8, line)
        r += 1 if "Kota" not in line else 3  # room for the signature
    wb.save(path)
    return path


SECOND_WORKERS = [
    ("Hendra Gunawan", dt.date(1982, 5, 12), "M", "Bukit Timah", "14.72.07", True),
    ("Sri Wahyuni", dt.date(1991, 12, 1), "F", "Ratu Sima", "14.72.07", True),
    ("Yusuf Hamzah", dt.date(1970, 3, 15), "M", "Bukit Kapur", "14.72.03", True),
]


def second_layout_xlsx(path: Path, workers=SECOND_WORKERS) -> Path:
    """Another office's list: an instructions sheet first, then the list on sheet "Data" with a
    one-row header (No., Nomor Induk Kependudukan, Nama Peserta, Tempat Lahir, Tgl Lahir as
    "12 Mei 1980" text or an Excel date, L/P, Desa, Kec., RT/RW, No. HP/WA) and a total line."""
    from openpyxl import Workbook

    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
    wb = Workbook()
    info = wb.active
    info.title = "Petunjuk"
    info["A1"] = "Petunjuk pengisian: isi satu baris per pekerja."
    info["A2"] = "Kolom NIK diisi 16 digit."
    ws = wb.create_sheet("Data")
    ws.append(["No.", "Nomor Induk Kependudukan", "Nama Peserta", "Tempat Lahir", "Tgl Lahir", "L/P", "Desa", "Kec.", "RT/RW", "No. HP/WA"])
    for i, (name, birth, sex, desa, district, _ok) in enumerate(workers, start=1):
        nik = make_nik(district, birth, sex, 200 + i)
        birth_cell = birth if i % 2 else f"{birth.day} {months[birth.month - 1]} {birth.year}"
        kec = {"14.72.07": "Dumai Selatan", "14.72.03": "Bukit Kapur"}[district]
        ws.append([i, nik, name, "Dumai", birth_cell, "LAKI-LAKI" if sex == "M" else "PEREMPUAN", desa, kec, "001/002", f"0812{i:08d}"])
    ws.append(["", "", f"TOTAL: {len(workers)} orang"])
    wb.save(path)
    return path
