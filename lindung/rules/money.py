"""Money arithmetic: the single place where rupiah amounts are rounded.

Rounding rule (project-wide): every *component* is computed exactly with
``decimal.Decimal`` from integer rupiah and decimal rates, then rounded once to
whole rupiah with ROUND_HALF_UP (0.5 rupiah rounds away from zero). Sums of
components are sums of already-rounded integers, so a total always equals the
sum of the components shown to the user.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["ROUNDING_RULE", "format_rate", "format_rupiah", "group_thousands", "round_rupiah", "to_rupiah"]

ROUNDING_RULE = "ROUND_HALF_UP to whole rupiah, once per component"

_ONE = Decimal(1)


def to_rupiah(*factors: int | Decimal) -> int:
    """Multiply ``factors`` exactly and round the product to whole rupiah.

    >>> to_rupiah(1_800_000, Decimal("0.0024"))
    4320
    >>> to_rupiah(1_000_001, Decimal("0.005"))  # 5000.005 -> 5000
    5000
    """
    product = _ONE
    for factor in factors:
        product *= factor
    return round_rupiah(product)


def round_rupiah(exact: Decimal) -> int:
    """Round an exact amount to whole rupiah — the only rounding in the rules engine."""
    return int(exact.quantize(_ONE, rounding=ROUND_HALF_UP))


def group_thousands(amount: int, separator: str = ".") -> str:
    """``6573`` → ``6.573``: digits in groups of three (Indonesian separator unless told)."""
    return f"{amount:,}".replace(",", separator)


def format_rupiah(amount: int, separator: str = ".") -> str:
    """The one rupiah notation: ``Rp 1.800.000``, ``-Rp 16.800`` (``lindung.core.formatting.rupiah``
    passes the active language's separator; the rules' explanations use the Indonesian one)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {group_thousands(abs(amount), separator)}"


def format_rate(rate: Decimal) -> str:
    """A rate as a percentage for explanations: ``Decimal("0.0024")`` → ``0.24%``."""
    return f"{(rate * 100).normalize():f}%"
