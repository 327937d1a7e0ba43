"""Amounts in Indonesian words (*terbilang*), as printed on invoices, receipts and hand-over lists.

    >>> terbilang(252000000)
    'dua ratus lima puluh dua juta rupiah'
    >>> terbilang(16800, currency=False)
    'enam belas ribu delapan ratus'

Rules of Indonesian number words: 1 is *se-* before *puluh*, *belas*, *ratus* and *ribu*
(*sepuluh*, *sebelas*, *seratus*, *seribu*) but *satu juta*, *satu miliar*; 11–19 are
*… belas*. Scales up to *kuadriliun* (10^15). Negative amounts read *minus …*."""

from __future__ import annotations

from lindung.rules.money import format_rupiah, group_thousands

_ONES = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_SCALES = [(10**15, "kuadriliun"), (10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")]
_MAX = 10**18 - 1


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds > 1:
        words += [_ONES[hundreds], "ratus"]
    if rest == 0:
        return words
    if rest < 10:
        words.append(_ONES[rest])
    elif rest == 10:
        words.append("sepuluh")
    elif rest == 11:
        words.append("sebelas")
    elif rest < 20:
        words += [_ONES[rest - 10], "belas"]
    else:
        tens, ones = divmod(rest, 10)
        words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    return words


def _words(n: int) -> list[str]:
    words: list[str] = []
    for value, name in _SCALES:
        count, n = divmod(n, value)
        if count:
            words += [*_words(count), name]
    thousands, n = divmod(n, 1000)
    if thousands == 1:
        words.append("seribu")
    elif thousands > 1:
        words += [*_below_thousand(thousands), "ribu"]
    words += _below_thousand(n)
    return words


def terbilang(amount: int, *, currency: bool = True, capitalize: bool = False) -> str:
    """``amount`` (integer rupiah) in Indonesian words, followed by ``rupiah`` unless ``currency=False``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("terbilang() takes an integer amount (rupiah are never fractional in Lindung)")
    if abs(amount) > _MAX:
        raise ValueError("amount is too large to be read out (maximum 999 kuadriliun)")
    words = ["nol"] if amount == 0 else _words(abs(amount))
    if amount < 0:
        words.insert(0, "minus")
    if currency:
        words.append("rupiah")
    text = " ".join(words)
    return text[:1].upper() + text[1:] if capitalize else text


def short_rupiah(amount: int) -> str:
    """A compact Indonesian figure for headlines: ``Rp 504 juta``, ``Rp 1,2 miliar``, ``Rp 16.800``."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("short_rupiah() takes an integer amount")
    sign = "-" if amount < 0 else ""
    n = abs(amount)
    for value, name in [(10**12, "triliun"), (10**9, "miliar"), (10**6, "juta")]:
        if n >= value:
            whole, rest = divmod(n, value)
            tenths = rest * 10 // value
            figure = group_thousands(whole) + (f",{tenths}" if tenths else "")
            return f"{sign}Rp {figure} {name}"
    return format_rupiah(amount)
