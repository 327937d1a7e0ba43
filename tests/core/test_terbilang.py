import pytest

from lindung.core.terbilang import short_rupiah, terbilang


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol"),
        (1, "satu"),
        (9, "sembilan"),
        (10, "sepuluh"),
        (11, "sebelas"),
        (12, "dua belas"),
        (19, "sembilan belas"),
        (20, "dua puluh"),
        (21, "dua puluh satu"),
        (99, "sembilan puluh sembilan"),
        (100, "seratus"),
        (101, "seratus satu"),
        (110, "seratus sepuluh"),
        (111, "seratus sebelas"),
        (200, "dua ratus"),
        (999, "sembilan ratus sembilan puluh sembilan"),
        (1000, "seribu"),
        (1001, "seribu satu"),
        (1100, "seribu seratus"),
        (2000, "dua ribu"),
        (6800, "enam ribu delapan ratus"),
        (10000, "sepuluh ribu"),
        (11000, "sebelas ribu"),
        (16800, "enam belas ribu delapan ratus"),
        (100000, "seratus ribu"),
        (111111, "seratus sebelas ribu seratus sebelas"),
        (1000000, "satu juta"),
        (1001000, "satu juta seribu"),
        (20700000, "dua puluh juta tujuh ratus ribu"),
        (42000000, "empat puluh dua juta"),
        (87000000, "delapan puluh tujuh juta"),
        (252000000, "dua ratus lima puluh dua juta"),
        (504000000, "lima ratus empat juta"),
        (1000000000, "satu miliar"),
        (187000000000, "seratus delapan puluh tujuh miliar"),
        (1000000000000, "satu triliun"),
        (3030000000000, "tiga triliun tiga puluh miliar"),
        (1000000000000000, "satu kuadriliun"),
        (1234567, "satu juta dua ratus tiga puluh empat ribu lima ratus enam puluh tujuh"),
    ],
)
def test_numbers_read_out_in_indonesian(amount, words):
    assert terbilang(amount, currency=False) == words


def test_rupiah_suffix_and_the_dumai_quarter():
    assert terbilang(252000000) == "dua ratus lima puluh dua juta rupiah"
    assert terbilang(504000000) == "lima ratus empat juta rupiah"
    assert terbilang(0) == "nol rupiah"


def test_capitalized_and_negative():
    assert terbilang(16800, capitalize=True) == "Enam belas ribu delapan ratus rupiah"
    assert terbilang(-5000) == "minus lima ribu rupiah"


def test_no_double_spaces_or_stray_zero_for_round_numbers():
    for amount in [10, 100, 1000, 10**6, 10**9, 10**12, 2 * 10**9 + 5, 300_000_020]:
        text = terbilang(amount, currency=False)
        assert "  " not in text and "nol" not in text


def test_rejects_non_integers_and_overflow():
    with pytest.raises(TypeError):
        terbilang(1.5)
    with pytest.raises(TypeError):
        terbilang(True)
    with pytest.raises(ValueError):
        terbilang(10**18)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (504000000, "Rp 504 juta"),
        (252000000, "Rp 252 juta"),
        (1_200_000_000, "Rp 1,2 miliar"),
        (16800, "Rp 16.800"),
        (187_000_000_000, "Rp 187 miliar"),
        (3_030_000_000_000, "Rp 3 triliun"),
    ],
)
def test_short_rupiah(amount, text):
    assert short_rupiah(amount) == text
