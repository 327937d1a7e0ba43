"""Masking of personal data for lists, logs and exports seen by roles that may not see it whole."""

from __future__ import annotations

import re


def mask_nik(nik: str | None) -> str:
    """``1472011203900001`` → ``1472********0001`` (region and serial stay, birth date hidden)."""
    if not nik:
        return ""
    if len(nik) <= 8:
        return "*" * len(nik)
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:]


def mask_name(name: str | None) -> str:
    """``Siti Rahmawati`` → ``S*** R*********``."""
    if not name:
        return ""
    return " ".join(part[0] + "*" * (len(part) - 1) if len(part) > 1 else part for part in name.split())


def mask_account(number: str | None) -> str:
    """``1234567890`` → ``******7890``."""
    if not number:
        return ""
    keep = 4 if len(number) > 6 else 1
    return "*" * (len(number) - keep) + number[-keep:]


# A NIK is 16 digits; in free text (log lines, exception messages such as a database's
# ``Key (nik)=(1472011203900001) already exists``) it stands apart from other digits.
_NIK_IN_TEXT = re.compile(r"(?<!\d)\d{16}(?!\d)")


def mask_text(text: str) -> str:
    """Every NIK in ``text`` masked (``mask_nik``); the rest unchanged."""
    if not text:
        return text
    return _NIK_IN_TEXT.sub(lambda m: mask_nik(m.group(0)), text)
