"""Masking of personal data for lists, logs and exports seen by roles that may not see it whole."""

from __future__ import annotations


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
