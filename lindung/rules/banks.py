"""Indonesian banks (reference data) and the form check of an account number.

The list lives in ``lindung/rules/reference/banks.yaml`` with its source; claims (payees) and payouts
(payment orders, bank files) use this one list.

    >>> bank("014").short_name
    'BCA'
    >>> [p.message for p in check_account_number("014", "12345")]
    ['BCA account numbers have 10 digits; this one has 5']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

import yaml

__all__ = ["BANKS_FILE", "AccountProblem", "Bank", "BankList", "UnknownBank", "bank", "banks", "check_account_number", "normalise_account_number"]

BANKS_FILE = Path(__file__).with_name("reference") / "banks.yaml"
_CODE = re.compile(r"^\d{3}$")
_BIC = re.compile(r"^[A-Z]{4}ID[A-Z0-9]{2}([A-Z0-9]{3})?$")
_SEPARATORS = re.compile(r"[\s.\-]")


class UnknownBank(LookupError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"unknown bank code {code!r}")


@dataclass(frozen=True, slots=True)
class AccountProblem:
    """Why an account number's form is wrong; ``code`` and ``params`` let a caller word it in its language."""

    code: str  # unknown_bank | empty | not_digits | wrong_length
    message: str
    params: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Bank:
    code: str
    name: str
    short_name: str
    bic: str | None
    bic_confirmed: bool
    account_digits: tuple[int, int]
    account_digits_published: bool

    def label(self) -> str:
        return f"{self.code} — {self.short_name}"


@dataclass(frozen=True, slots=True)
class BankList:
    banks: Mapping[str, Bank]
    source: str
    general_account_digits: tuple[int, int]

    def __iter__(self):
        return iter(self.banks.values())

    def __len__(self) -> int:
        return len(self.banks)

    def get(self, code: str) -> Bank | None:
        return self.banks.get(code)


def _range(raw: object, where: str) -> tuple[int, int]:
    if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(n, int) and not isinstance(n, bool) for n in raw)):
        raise ValueError(f"{where}: expected [min, max] digits")
    low, high = raw
    if not 1 <= low <= high <= 34:
        raise ValueError(f"{where}: digits range {low}–{high} is not possible")
    return low, high


def _load(path: Path) -> BankList:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    label = path.name
    general = _range(data.get("general_account_digits"), f"{label}: general_account_digits")
    source = str(data.get("source") or "").strip()
    if not source:
        raise ValueError(f"{label}: source is required")
    found: dict[str, Bank] = {}
    for index, row in enumerate(data.get("banks") or []):
        where = f"{label}: banks[{index}]"
        unknown = set(row) - {"code", "name", "short_name", "bic", "bic_confirmed", "account_digits"}
        if unknown:
            raise ValueError(f"{where}: unknown key {sorted(unknown)[0]}")
        code = row.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ValueError(f"{where}.code: a bank code is 3 digits, quoted")
        if code in found:
            raise ValueError(f"{where}.code: duplicate bank code {code}")
        bic = row.get("bic")
        if bic is not None and not _BIC.match(str(bic)):
            raise ValueError(f"{where}.bic: {bic!r} is not an Indonesian BIC (8 or 11 characters, country ID)")
        digits = row.get("account_digits")
        found[code] = Bank(
            code=code,
            name=str(row["name"]),
            short_name=str(row.get("short_name") or row["name"]),
            bic=bic,
            bic_confirmed=bool(row.get("bic_confirmed", bic is not None)),
            account_digits=_range(digits, f"{where}.account_digits") if digits is not None else general,
            account_digits_published=digits is not None,
        )
    return BankList(MappingProxyType(dict(sorted(found.items()))), source, general)


@lru_cache(maxsize=4)
def banks(path: Path = BANKS_FILE) -> BankList:
    """The bank list (read once per process)."""
    return _load(path)


def bank(code: str) -> Bank:
    found = banks().get(code)
    if found is None:
        raise UnknownBank(code)
    return found


def normalise_account_number(number: str) -> str:
    """Spaces, dots and dashes that people type between digit groups are dropped."""
    return _SEPARATORS.sub("", number or "")


def check_account_number(bank_code: str, number: str) -> list[AccountProblem]:
    """Problems with the form of ``number`` at bank ``bank_code`` (empty list: the form is right).

    Digits only, and the bank's published length where known, otherwise the general range. A correct
    form does not prove the account exists; the bank's answer to the transfer does."""
    found = banks().get(bank_code)
    if found is None:
        return [AccountProblem("unknown_bank", f"unknown bank code {bank_code!r}", {"bank_code": bank_code})]
    digits = normalise_account_number(number)
    if not digits:
        return [AccountProblem("empty", "the account number is empty", {})]
    if not digits.isdigit() or not digits.isascii():
        return [AccountProblem("not_digits", "an account number has digits only", {})]
    low, high = found.account_digits
    if low <= len(digits) <= high:
        return []
    params = {"bank": found.short_name, "min": low, "max": high, "length": len(digits)}
    if low == high:
        return [AccountProblem("wrong_length", f"{found.short_name} account numbers have {low} digits; this one has {len(digits)}", params)]
    return [AccountProblem("wrong_length", f"{found.short_name} account numbers have {low} to {high} digits; this one has {len(digits)}", params)]
