"""Realistic sponsor rosters for Dumai: valid NIKs across its villages, ages 18-65, both sexes,
common informal occupations, and about ``bad_share`` bad rows of every kind.

    from lindung.membership.roster_gen import write_roster
    write_roster("roster.csv", 1000, seed=1)          # ~2% bad rows
    write_roster("roster.xlsx", 100, bad_share=0)     # all good

Deterministic for a seed. Each bad row carries one problem (``BAD_KINDS``, rotating so every kind
appears); ``sex_mismatch`` rows are warnings and still enrolled."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

# Kota Dumai villages (kelurahan) by district, as in the bundled region list.
DUMAI_VILLAGES = {
    "14.72.01": ["1003", "1006", "1008", "1009"],
    "14.72.02": ["1002", "1003", "1004", "1006", "1009"],
    "14.72.03": ["1001", "1002", "1003", "1004", "1005", "1006", "1007"],
    "14.72.04": ["1001", "1002", "1003", "1004", "1005", "1006"],
    "14.72.05": ["1001", "1002", "1003", "1004"],
    "14.72.06": ["1001", "1002", "1003", "1004", "1005"],
    "14.72.07": ["1001", "1002", "1003", "1004", "1005"],
}
VILLAGES = [f"{d}.{v}" for d, vs in DUMAI_VILLAGES.items() for v in vs]
MEN = [
    "Ahmad",
    "Budi",
    "Darmawan",
    "Fajar",
    "Hendra",
    "Irwan",
    "Joko",
    "Rahmat",
    "Syahrul",
    "Taufik",
    "Wahyu",
    "Zulkifli",
    "Agus",
    "Eko",
    "Rudi",
    "Yusuf",
]
WOMEN = ["Aminah", "Dewi", "Fitri", "Intan", "Lestari", "Nurhayati", "Rina", "Sari", "Siti", "Wulan", "Yuliana", "Zainab", "Ratna", "Mega", "Ani"]
FAMILY = ["Siregar", "Nasution", "Harahap", "Lubis", "Saputra", "Hidayat", "Pratama", "Putri", "Syahputra", "Rahmawati", "Panjaitan", "Sinaga", ""]
OCCUPATIONS = [
    "Nelayan",
    "Petani",
    "Pedagang kaki lima",
    "Buruh harian lepas",
    "Tukang ojek",
    "Pengemudi ojek daring",
    "Marbot masjid",
    "Guru mengaji",
    "Tukang bangunan",
    "Penjahit",
    "Pekebun sawit",
    "Pedagang sayur",
    "Juru parkir",
    "Asisten rumah tangga",
]
STREETS = [
    "Jl. Sultan Syarif Kasim",
    "Jl. Sudirman",
    "Jl. Ombak",
    "Jl. Datuk Laksamana",
    "Jl. Soekarno-Hatta",
    "Jl. Sultan Hasanudin",
    "Jl. Bintan",
    "Jl. Cempedak",
    "Jl. Kelakap Tujuh",
    "Jl. Putri Tujuh",
]
HEADER = ["nik", "nama", "tanggal_lahir", "jenis_kelamin", "kode_wilayah", "alamat", "pekerjaan", "telepon", "nomor_kk"]
BAD_KINDS = [
    "nik_format",
    "nik_province",
    "nik_date",
    "missing_field",
    "bad_date",
    "bad_sex",
    "region_unknown",
    "bad_family_card",
    "age_out_of_range",
    "duplicate_in_file",
    "sex_mismatch",
]


def _nik(district: str, birth: dt.date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "F" else 0)
    return f"{district.replace('.', '')}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def generate_rows(n: int, *, seed: int = 1, bad_share: float = 0.02, on: dt.date = dt.date(2023, 10, 1), serial_base: int = 0):
    """Yield ``n`` roster rows (lists of strings, in HEADER order), about ``bad_share`` of them bad."""
    rng = random.Random(seed)
    used: dict[tuple, int] = {}
    bad_every = int(1 / bad_share) if bad_share > 0 else 0
    bad_i = 0
    last_good: list[str] | None = None
    districts = list(DUMAI_VILLAGES)
    for i in range(n):
        sex = "F" if rng.random() < 0.45 else "M"
        age_days = rng.randint(19 * 365, 64 * 365)
        birth = on - dt.timedelta(days=age_days)
        village = VILLAGES[rng.randrange(len(VILLAGES))]
        nik_district = village[:8] if rng.random() < 0.85 else districts[rng.randrange(len(districts))]
        key = (nik_district, birth, sex)
        serial = used.get(key, serial_base) + 1
        used[key] = serial
        nik = _nik(nik_district, birth, sex, serial)
        first = rng.choice(WOMEN if sex == "F" else MEN)
        name = f"{first} {rng.choice(FAMILY)}".strip()
        row = [
            nik,
            name,
            birth.isoformat() if i % 3 else birth.strftime("%d-%m-%Y"),
            ("P" if sex == "F" else "L"),
            village,
            f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}",
            rng.choice(OCCUPATIONS),
            f"08{rng.randint(11, 99)}{rng.randint(10**7, 10**8 - 1)}",
            f"1472{rng.randint(10**11, 10**12 - 1)}",
        ]
        if bad_every and i % bad_every == bad_every - 1 and last_good is not None:
            kind = BAD_KINDS[bad_i % len(BAD_KINDS)]
            bad_i += 1
            if kind == "nik_format":
                row[0] = nik[:15]
            elif kind == "nik_province":
                row[0] = "99" + nik[2:]
            elif kind == "nik_date":
                row[0] = nik[:8] + "13" + nik[10:]
            elif kind == "missing_field":
                row[1] = ""
            elif kind == "bad_date":
                row[2] = "31-02-1990"
            elif kind == "bad_sex":
                row[3] = "X"
            elif kind == "region_unknown":
                row[4] = "14.72.09.9999"
            elif kind == "bad_family_card":
                row[8] = "12345"
            elif kind == "age_out_of_range":
                b = on - dt.timedelta(days=rng.randint(70 * 365, 80 * 365))
                row[0], row[2] = _nik(nik_district, b, sex, used.get((nik_district, b, sex), serial_base) + 1), b.isoformat()
                used[(nik_district, b, sex)] = used.get((nik_district, b, sex), serial_base) + 1
            elif kind == "duplicate_in_file":
                row = list(last_good)
            elif kind == "sex_mismatch":  # a warning, still enrolled
                row[3] = "L" if row[3] == "P" else "P"
        else:
            last_good = row
        yield row


def write_roster(
    path: str | Path, n: int, *, seed: int = 1, bad_share: float = 0.02, on: dt.date = dt.date(2023, 10, 1), serial_base: int = 0
) -> Path:
    path = Path(path)
    rows = generate_rows(n, seed=seed, bad_share=bad_share, on=on, serial_base=serial_base)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("roster")
        ws.append(HEADER)
        for row in rows:
            ws.append(row)
        wb.save(path)
    else:
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(HEADER)
            w.writerows(rows)
    return path
