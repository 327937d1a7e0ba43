import datetime as dt

import pytest

from lindung.registry.nik import NikError, make_nik, nik_warnings, parse_nik


def test_make_and_parse_roundtrip_for_a_woman_adds_40_to_the_day():
    nik = make_nik("14.72.01", dt.date(1990, 3, 12), "F", 1)
    assert nik == "1472015203900001"
    info = parse_nik(nik)
    assert (info.day, info.month, info.year2, info.sex, info.district) == (12, 3, 90, "F", "14.72.01")
    assert dt.date(1990, 3, 12) in info.birth_date_candidates()


@pytest.mark.parametrize(
    "nik,code",
    [
        ("147201120390001", "nik_format"),  # 15 digits
        ("14720112039000A1", "nik_format"),
        ("9972011203900001", "nik_province"),  # 99 is no province
        ("1472011213900001", "nik_date"),  # month 13
        ("1472013102900001", "nik_date"),  # 31 February
        ("1472011203900000", "nik_format"),  # serial 0000
    ],
)
def test_invalid_niks_are_rejected_with_a_code(nik, code):
    with pytest.raises(NikError) as err:
        parse_nik(nik)
    assert err.value.code == code


def test_a_valid_nik_next_to_the_invalid_ones_parses():
    """The control for the cases above: the same digits with a real date are accepted."""
    info = parse_nik("1472011303900001")
    assert (info.day, info.month, info.year2, info.sex) == (13, 3, 90, "M")


def test_mismatching_birth_date_and_sex_are_warnings():
    info = parse_nik(make_nik("14.72.01", dt.date(1990, 3, 12), "M", 7))
    assert nik_warnings(info, dt.date(1990, 3, 12), "M") == []
    assert nik_warnings(info, dt.date(1991, 3, 12), "F") == ["birth_date_mismatch", "sex_mismatch"]
