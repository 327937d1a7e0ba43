"""The reference list of Indonesian banks and the account-number form check."""

from __future__ import annotations

from pathlib import Path

import pytest

from lindung.rules.banks import BANKS_FILE, UnknownBank, _load, bank, banks, check_account_number, normalise_account_number


def test_the_list_has_its_source_and_the_banks_a_payout_needs() -> None:
    found = banks()
    assert "Bank Indonesia" in found.source
    assert len(found) >= 40
    assert bank("002").bic == "BRINIDJA"
    assert bank("014").short_name == "BCA"
    assert bank("451").name.startswith("PT Bank Syariah Indonesia")
    # Dumai's regional bank and the North Sumatra bank of a heir who moved there
    assert bank("119").bic == "PDRIIDJA"
    assert bank("117").short_name == "Bank Sumut"
    assert all(len(b.code) == 3 and b.code.isdigit() for b in found)
    with pytest.raises(UnknownBank):
        bank("999")


@pytest.mark.parametrize(
    ("code", "number", "problem"),
    [
        ("014", "1234567890", None),
        ("014", "123 456 7890", None),
        ("014", "123456789", "wrong_length"),
        ("002", "0123-01-000123-50-9", None),  # BRI: 15 digits, as printed with dashes
        ("002", "01230100012350", "wrong_length"),
        ("008", "1234567890123", None),
        ("011", "12345", None),  # no published length: general rule 5–20
        ("011", "1234", "wrong_length"),
        ("011", "1" * 21, "wrong_length"),
        ("011", "12345A", "not_digits"),
        ("011", "١٢٣٤٥٦", "not_digits"),  # Arabic-Indic digits are not account digits
        ("011", "  ", "empty"),
        ("999", "1234567890", "unknown_bank"),
    ],
)
def test_account_number_form(code: str, number: str, problem: str | None) -> None:
    found = check_account_number(code, number)
    assert [p.code for p in found] == ([] if problem is None else [problem])
    for p in found:
        assert p.message


def test_wrong_length_names_the_bank_and_both_lengths() -> None:
    (problem,) = check_account_number("022", "123")
    assert problem.params == {"bank": "CIMB Niaga", "min": 10, "max": 14, "length": 3}
    assert problem.message == "CIMB Niaga account numbers have 10 to 14 digits; this one has 3"


def test_normalise_drops_separators_only() -> None:
    assert normalise_account_number(" 12.34-56 78 ") == "12345678"


def test_a_bad_list_is_refused_with_its_row(tmp_path: Path) -> None:
    text = BANKS_FILE.read_text(encoding="utf-8") + '  - {code: "014", name: Duplicate, short_name: X}\n'
    path = tmp_path / "banks.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"duplicate bank code 014"):
        _load(path)
    path.write_text(BANKS_FILE.read_text(encoding="utf-8").replace("bic: BRINIDJA", "bic: BRINXXJA"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"banks\[0\]\.bic"):
        _load(path)
