"""KPJ membership numbers.

Scheme (Lindung's own; the agency's internal scheme is not public): 11 digits =
``YY`` (year of issue) + 8-digit serial (from 00000001, per year) + 1 Luhn check digit over the
first 10 digits. ``23000000010`` is the first number issued in 2023. The check digit catches every
single-digit typo and most adjacent transpositions. Numbers are reserved in blocks from
``KpjSequence`` (one row per year, locked while a block is taken), so a bulk import of a million
workers takes one short transaction, not a million.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

# The Luhn weight of a digit in a doubled position (2d, minus 9 when it has two digits).
_DOUBLED = {str(d): (2 * d - 9 if 2 * d > 9 else 2 * d) for d in range(10)}


def luhn_check_digit(body: str) -> int:
    """The Luhn check digit of the digits in ``body`` (the rightmost digit is doubled)."""
    total = sum(_DOUBLED[c] for c in body[-1::-2]) + sum(map(int, body[-2::-2]))
    return (10 - total % 10) % 10


def kpj_number(year: int, serial: int) -> str:
    """The KPJ number of ``serial`` in ``year``, unchecked (the bulk path; ``format_kpj`` checks)."""
    body = f"{year % 100:02d}{serial:08d}"
    return body + str(luhn_check_digit(body))


MAX_SERIAL = 99_999_999


def format_kpj(year: int, serial: int) -> str:
    if not 1 <= serial <= MAX_SERIAL:
        raise ValueError("KPJ serial out of range")
    return kpj_number(year, serial)


def is_valid_kpj(number: str) -> bool:
    return len(number) == 11 and number.isdigit() and luhn_check_digit(number[:10]) == int(number[10])


def reserve_kpj_block(count: int, year: int) -> int:
    """Reserve ``count`` consecutive serials for ``year`` and return the first (the numbers are
    ``format_kpj(year, first + i)``); call inside the enrolling transaction so a rollback returns
    them. Only the first serial is returned, so a million-row import holds no list of numbers."""
    from lindung.core.errors import ServiceError
    from lindung.membership.models import KpjSequence

    if count <= 0:
        raise ValueError("count must be positive")
    with transaction.atomic():
        seq, _created = KpjSequence.objects.select_for_update().get_or_create(year=year, defaults={"next_serial": 1})
        first = seq.next_serial
        if first + count - 1 > MAX_SERIAL:
            raise ServiceError(
                "kpj_exhausted",
                _("Only %(left)s KPJ numbers are left for %(year)s; %(count)s were asked for.")
                % {"left": f"{max(MAX_SERIAL - first + 1, 0):,}", "year": year, "count": f"{count:,}"},
                {"kpj": "no numbers left for the year"},
            )
        seq.next_serial = first + count
        seq.save(update_fields=["next_serial"])
    return first


def reserve_kpj_numbers(count: int, year: int) -> list[str]:
    """Reserve ``count`` consecutive KPJ numbers for ``year`` (see ``reserve_kpj_block``)."""
    if count <= 0:
        return []
    first = reserve_kpj_block(count, year)
    return [format_kpj(year, serial) for serial in range(first, first + count)]
