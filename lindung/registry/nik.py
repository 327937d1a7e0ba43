"""NIK (Nomor Induk Kependudukan), the 16-digit national identity number.

Positions 1–2 province, 3–4 regency/city, 5–6 district (where first registered; never changes on
moving), 7–12 birth date DDMMYY with 40 added to the day for women, 13–16 serial from 0001. The
century is not encoded. A NIK whose date or sex disagrees with the recorded person is legitimate
(corrections never change a NIK): that is a *warning*, never a rejection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Province codes of Kepmendagri 300.2.2-2138/2025 (38 provinces).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96", "97",
    }
)  # fmt: skip


@dataclass(frozen=True)
class NikInfo:
    nik: str
    province: str
    regency: str  # "14.72"
    district: str  # "14.72.01"
    day: int
    month: int
    year2: int
    sex: str  # "M" or "F"
    serial: str

    def birth_date_candidates(self) -> list[dt.date]:
        out = []
        for century in (1900, 2000):
            try:
                out.append(dt.date(century + self.year2, self.month, self.day))
            except ValueError:
                pass
        return out


class NikError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def parse_nik(nik: str) -> NikInfo:
    """Parse and check a NIK; raises ``NikError`` (code ``nik_format``, ``nik_province`` or
    ``nik_date``) when it cannot be a NIK."""
    if not isinstance(nik, str) or len(nik) != 16 or not nik.isdigit():
        raise NikError("nik_format", "NIK must be exactly 16 digits.")
    province = nik[0:2]
    if province not in PROVINCE_CODES:
        raise NikError("nik_province", f"NIK starts with {province}, which is not a province code.")
    raw_day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "F" if raw_day > 40 else "M"
    day = raw_day - 40 if raw_day > 40 else raw_day
    if nik[12:16] == "0000":
        raise NikError("nik_format", "NIK serial (last 4 digits) cannot be 0000.")
    info = NikInfo(
        nik=nik,
        province=province,
        regency=f"{nik[0:2]}.{nik[2:4]}",
        district=f"{nik[0:2]}.{nik[2:4]}.{nik[4:6]}",
        day=day,
        month=month,
        year2=year2,
        sex=sex,
        serial=nik[12:16],
    )
    if not (1 <= month <= 12) or not (1 <= day <= 31) or not info.birth_date_candidates():
        raise NikError("nik_date", f"NIK digits 7–12 ({nik[6:12]}) are not a valid birth date (DDMMYY, day + 40 for women).")
    return info


def nik_warnings(info: NikInfo, birth_date: dt.date | None, sex: str | None) -> list[str]:
    """``birth_date_mismatch`` / ``sex_mismatch`` where the person's record disagrees with the NIK."""
    warnings = []
    if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (info.day, info.month, info.year2):
        warnings.append("birth_date_mismatch")
    if sex and sex != info.sex:
        warnings.append("sex_mismatch")
    return warnings


def make_nik(district_code: str, birth_date: dt.date, sex: str, serial: int) -> str:
    """Build a NIK (for demo data and tests): ``make_nik("14.72.01", date(1990,3,12), "F", 1)``."""
    day = birth_date.day + (40 if sex == "F" else 0)
    return f"{district_code.replace('.', '')}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"
