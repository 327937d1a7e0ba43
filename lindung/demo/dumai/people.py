"""The generated workers of the Dumai programme: realistic names (Riau Malay, Minang, Batak,
Javanese, Bugis, Chinese-Indonesian families all live in Dumai), ages, sexes and the informal
occupations the city sponsors (fishers, farmers, market traders, motorcycle-taxi drivers,
religious workers), spread over its 36 kelurahan with valid NIKs. Deterministic for a seed.

The roster is written the way a Disnaker office keeps it (``write_xlsx``): a title block
above the header row, Indonesian column names, the kelurahan by name beside its code, NIK and
phone as text cells."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from lindung.registry.nik import make_nik
from lindung.rules.money import group_thousands

# Kecamatan → kelurahan of Kota Dumai (Kepmendagri 300.2.2-2138/2025), as in the bundled list.
KELURAHAN = {
    "14.72.01": {"1003": "Pangkalan Sesai", "1006": "Purnama", "1008": "Bagan Keladi", "1009": "Simpang Tetap Darul Ichsan"},
    "14.72.02": {"1002": "Teluk Binjai", "1003": "Tanjung Palas", "1004": "Jaya Mukti", "1006": "Buluh Kasap", "1009": "Bukit Batrem"},
    "14.72.03": {
        "1001": "Bukit Nenas",
        "1002": "Bukit Kayu Kapur",
        "1003": "Gurun Panjang",
        "1004": "Bagan Besar",
        "1005": "Kampung Baru",
        "1006": "Bagan Besar Timur",
        "1007": "Bukit Kapur",
    },
    "14.72.04": {
        "1001": "Lubuk Gaung",
        "1002": "Tanjung Penyembal",
        "1003": "Bangsal Aceh",
        "1004": "Basilam Baru",
        "1005": "Batu Teritip",
        "1006": "Sungai Geniot",
    },
    "14.72.05": {"1001": "Teluk Makmur", "1002": "Mundam", "1003": "Guntung", "1004": "Pelintung"},
    "14.72.06": {"1001": "Laksamana", "1002": "Rimba Sekampung", "1003": "Dumai Kota", "1004": "Bintan", "1005": "Sukajadi"},
    "14.72.07": {"1001": "Ratu Sima", "1002": "Bukit Timah", "1003": "Mekar Sari", "1004": "Bukit Datuk", "1005": "Bumi Ayu"},
}
VILLAGES = [(f"{d}.{v}", name) for d, vs in KELURAHAN.items() for v, name in vs.items()]
# Coastal kelurahan, where most fishers live.
COASTAL = {"14.72.02.1002", "14.72.04.1002", "14.72.04.1003", "14.72.04.1005", "14.72.05.1001", "14.72.05.1004", "14.72.06.1001", "14.72.01.1003"}

MEN = [
    "Ahmad",
    "Abdul",
    "Rahman",
    "Muhammad",
    "Syamsul",
    "Zulkifli",
    "Hasan",
    "Husin",
    "Ismail",
    "Yusuf",
    "Ilham",
    "Rizal",
    "Fadli",
    "Hendra",
    "Budi",
    "Agus",
    "Joko",
    "Slamet",
    "Sugeng",
    "Wahyudi",
    "Bambang",
    "Darmawan",
    "Eko",
    "Rudi",
    "Taufik",
    "Syahrul",
    "Irwan",
    "Firdaus",
    "Zainal",
    "Arifin",
    "Amri",
    "Azhar",
    "Khairul",
    "Nasrul",
    "Jefri",
    "Heri",
    "Dedi",
    "Roni",
    "Andi",
    "Safaruddin",
    "Mahmud",
    "Ridwan",
    "Tengku",
    "Raja",
    "Marzuki",
    "Lukman",
    "Saiful",
    "Fauzan",
    "Iskandar",
    "Wan",
    "Syafri",
]
WOMEN = [
    "Siti",
    "Nurhayati",
    "Aminah",
    "Rohani",
    "Fatimah",
    "Zainab",
    "Nurul",
    "Sri",
    "Dewi",
    "Wati",
    "Suryani",
    "Yusnita",
    "Rosmawati",
    "Hasnah",
    "Salmah",
    "Asmah",
    "Mariani",
    "Rahmawati",
    "Fitri",
    "Intan",
    "Lestari",
    "Rina",
    "Sari",
    "Wulan",
    "Yuliana",
    "Ratna",
    "Mega",
    "Ani",
    "Erna",
    "Elvi",
    "Desi",
    "Lina",
    "Maya",
    "Hj.Ramlah",
    "Juliana",
    "Sumiati",
    "Kartini",
    "Nurbaiti",
    "Halimah",
    "Rohayah",
    "Syarifah",
    "Zuraidah",
    "Maryam",
    "Aisyah",
]
SURNAMES_MALE = [
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Simanjuntak",
    "Sinaga",
    "Panjaitan",
    "Hutapea",
    "Pohan",
    "Saragih",
    "Saputra",
    "Hidayat",
    "Pratama",
    "Syahputra",
    "Kurniawan",
    "Setiawan",
    "Hasibuan",
    "Tanjung",
    "Chaniago",
    "Piliang",
    "Koto",
    "Sikumbang",
    "Daeng",
    "Effendi",
    "Gunawan",
    "Wijaya",
    "Halim",
    "Tan",
]
SURNAMES_FEMALE = [
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Sinaga",
    "Putri",
    "Rahmawati",
    "Wulandari",
    "Sari",
    "Lestari",
    "Handayani",
    "Hasibuan",
    "Tanjung",
    "Chaniago",
]

# (occupation, share, sex ratio M) — the sponsored informal workers of Dumai.
OCCUPATIONS = [
    ("Nelayan", 0.22, 0.95),
    ("Petani", 0.12, 0.75),
    ("Pekebun sawit", 0.08, 0.8),
    ("Pedagang pasar", 0.14, 0.35),
    ("Pedagang kaki lima", 0.08, 0.5),
    ("Tukang ojek", 0.08, 0.98),
    ("Pengemudi ojek daring", 0.05, 0.9),
    ("Marbot masjid", 0.04, 0.95),
    ("Guru mengaji", 0.04, 0.3),
    ("Pengurus rumah ibadah", 0.02, 0.6),
    ("Buruh harian lepas", 0.07, 0.8),
    ("Penjahit", 0.03, 0.2),
    ("Asisten rumah tangga", 0.03, 0.05),
]
STREETS = [
    "Jl. Sultan Syarif Kasim",
    "Jl. Jend. Sudirman",
    "Jl. Ombak",
    "Jl. Datuk Laksamana",
    "Jl. Soekarno-Hatta",
    "Jl. Sultan Hasanudin",
    "Jl. Bintan",
    "Jl. Cempedak",
    "Jl. Kelakap Tujuh",
    "Jl. Putri Tujuh",
    "Jl. Tuanku Tambusai",
    "Jl. Pangkalan Sesai",
    "Gg. Nelayan",
    "Jl. Sidomulyo",
    "Jl. Nerbit Besar",
]

HEADER = ["No", "NIK", "Nama Lengkap", "Tanggal Lahir", "Jenis Kelamin", "Kode Wilayah", "Kelurahan", "Alamat", "Pekerjaan", "No. HP", "No. KK"]


@dataclass(frozen=True)
class Worker:
    nik: str
    full_name: str
    birth_date: dt.date
    sex: str  # "M" / "F"
    village: str
    village_name: str
    address: str
    occupation: str
    phone: str
    family_card: str


def _occupation(rng: random.Random) -> tuple[str, float]:
    x = rng.random() * sum(s for _o, s, _m in OCCUPATIONS)
    for name, share, male in OCCUPATIONS:
        x -= share
        if x <= 0:
            return name, male
    return OCCUPATIONS[-1][0], OCCUPATIONS[-1][2]


def generate(n: int, *, seed: int, on: dt.date, serial_base: int = 0) -> list[Worker]:
    """``n`` distinct workers aged 18–64 on ``on``; NIK serials start above ``serial_base`` (a later
    cohort passes a higher base so its NIKs never collide with an earlier one's)."""
    rng = random.Random(seed)
    used: dict[tuple, int] = {}
    out = []
    for _i in range(n):
        occupation, male_share = _occupation(rng)
        village, village_name = VILLAGES[rng.randrange(len(VILLAGES))]
        if occupation == "Nelayan" and village not in COASTAL and rng.random() < 0.7:
            village = rng.choice(sorted(COASTAL))
            village_name = KELURAHAN[village[:8]][village[9:]]
        sex = "M" if rng.random() < male_share else "F"
        # Working ages skewed to 25–50.
        age = min(64, max(18, int(rng.triangular(18, 64, 38))))
        birth = on - dt.timedelta(days=age * 365 + rng.randint(30, 330))
        district = village[:8]
        key = (district, birth, sex)
        serial = used.get(key, serial_base) + 1
        used[key] = serial
        if sex == "M":
            name = f"{rng.choice(MEN)} {rng.choice(SURNAMES_MALE)}" if rng.random() < 0.8 else f"{rng.choice(MEN)} {rng.choice(MEN)}"
        else:
            name = f"{rng.choice(WOMEN)} {rng.choice(SURNAMES_FEMALE)}" if rng.random() < 0.6 else f"{rng.choice(WOMEN)} {rng.choice(WOMEN)}"
        name = name.replace("Hj.", "Hj. ")
        out.append(
            Worker(
                nik=make_nik(district, birth, sex, serial),
                full_name=name,
                birth_date=birth,
                sex=sex,
                village=village,
                village_name=village_name,
                address=f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 6):03d}",
                occupation=occupation,
                phone=f"08{rng.choice([11, 12, 13, 21, 22, 52, 53, 77, 78, 81, 82, 95])}{rng.randint(10**7, 10**8 - 1)}",
                family_card=f"{district.replace('.', '')}{rng.randint(10**9, 10**10 - 1)}",
            )
        )
    return out


def write_xlsx(path: str | Path, workers: list[Worker], *, title: str, subtitle: str, signed_on: dt.date) -> Path:
    """The roster as a Disnaker office keeps it: letterhead and title rows, a NO column, office
    column names (NO. KTP, NAMA PESERTA, L/P, KELURAHAN, KECAMATAN, RT/RW, NO HP/WA …), the
    kelurahan by name (no region code), a row of column numbers, birth dates as date cells, NIK and
    phone as text, and the total and the head of office's signature under the list."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Daftar Pekerja")
    for column, width in zip("ABCDEFGHIJKLM", (5, 19, 26, 12, 5, 22, 16, 30, 9, 20, 15, 19, 19), strict=True):
        ws.column_dimensions[column].width = width
    bold = Font(bold=True)

    def cell(value, *, font=None, date=False):
        c = WriteOnlyCell(ws, value=value)
        if font:
            c.font = font
        if date:
            c.number_format = "DD-MM-YYYY"
        return c

    ws.append([cell("PEMERINTAH KOTA DUMAI", font=bold)])
    ws.append([cell("DINAS TENAGA KERJA", font=bold)])
    ws.append([cell(title, font=bold)])
    ws.append([cell(subtitle)])
    ws.append([])
    header = ["NO", "NO. KTP", "NAMA PESERTA", "TGL LAHIR", "L/P", "KELURAHAN", "KECAMATAN", "ALAMAT", "RT/RW", "PEKERJAAN", "NO HP/WA", "NO KK"]
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    heads = []
    for h in header:
        c = cell(h, font=bold)
        c.alignment = centred
        heads.append(c)
    ws.append(heads)
    ws.append([cell(f"({i})") for i in range(1, len(header) + 1)])
    districts = {"14.72.01": "Dumai Barat", "14.72.02": "Dumai Timur", "14.72.03": "Bukit Kapur", "14.72.04": "Sungai Sembilan",
                 "14.72.05": "Medang Kampai", "14.72.06": "Dumai Kota", "14.72.07": "Dumai Selatan"}  # fmt: skip
    for i, w in enumerate(workers, start=1):
        street, _sep, rt_rw = w.address.partition(", RT ")
        ws.append(
            [
                i,
                w.nik,
                w.full_name.upper(),
                cell(w.birth_date, date=True),
                "L" if w.sex == "M" else "P",
                w.village_name.upper(),
                districts[w.village[:8]].upper(),
                street,
                rt_rw.replace("/RW ", "/"),
                w.occupation,
                w.phone,
                w.family_card,
            ]
        )
    ws.append([])
    ws.append(["", "", f"JUMLAH: {group_thousands(len(workers))} orang"])
    ws.append([])
    ws.append(["", "", "", "", "", "", "", "", "", f"Dumai, {signed_on.day} {MONTHS_ID[signed_on.month - 1]} {signed_on.year}"])
    ws.append(["", "", "", "", "", "", "", "", "", "Kepala Dinas Tenaga Kerja Kota Dumai"])
    ws.append([])
    ws.append([])
    ws.append(["", "", "", "", "", "", "", "", "", cell("SATRIO WIBOWO", font=bold)])
    ws.append(["", "", "", "", "", "", "", "", "", "NIP. 19720512 199803 1 004"])
    wb.save(path)
    return path


MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"]
