"""Display formats, once for the whole application: rupiah, numbers, dates and months in the
active language (Indonesian first), and the parser for amounts typed the Indonesian way.

    >>> rupiah(1_000_000)          # in Indonesian
    'Rp 1.000.000'
    >>> number(6573)
    '6.573'
    >>> date(dt.date(2023, 10, 1))
    '1 Oktober 2023'
    >>> parse_amount("Rp 9.744.000")
    9744000

The formats per language live in ``lindung/formats/<lang>/formats.py`` (Django's l10n format
modules, ``FORMAT_MODULE_PATH``), so a date rendered bare in a template (``{{ invoice.due_date }}``)
takes the same form as ``date()`` here and the ``|tanggal`` filter. Templates use the filters in
``lindung.core.templatetags.lindung``: ``rupiah``, ``number``, ``tanggal``, ``waktu``, ``bulan``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from lindung.rules.money import format_rupiah, group_thousands

__all__ = ["EMPTY", "date", "datetime", "month", "number", "parse_amount", "rupiah"]

EMPTY = "—"


def _separator() -> str:
    return formats.get_format("THOUSAND_SEPARATOR")


def number(value) -> str:
    """A whole number with the language's thousands separator: ``6.573`` (id), ``6,573`` (en)."""
    if value is None or value == "":
        return EMPTY
    return ("-" if int(value) < 0 else "") + group_thousands(abs(int(value)), _separator())


def rupiah(value) -> str:
    """Integer rupiah: ``Rp 1.000.000`` (id), ``Rp 1,000,000`` (en), ``-Rp 16.800``; ``—`` for none."""
    if value is None or value == "":
        return EMPTY
    return format_rupiah(int(value), _separator())


def date(value) -> str:
    """A date in the language's one form: ``1 Oktober 2023`` (id), ``1 October 2023`` (en). A
    datetime is shown as its local date."""
    if not value:
        return EMPTY
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(value, "DATE_FORMAT")


def datetime(value) -> str:
    """A moment in local time: ``1 Oktober 2023 14:05``."""
    if not value:
        return EMPTY
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


def month(value) -> str:
    """A month (billing period): ``Oktober 2023``."""
    if not value:
        return EMPTY
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLAIN = re.compile(r"\d+")
_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,0{1,2})?")  # 9.744.000 or 9.744.000,00
_COMMAS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.0{1,2})?")  # 9,744,000 or 9,744,000.00


def parse_amount(text) -> int:
    """An amount of whole rupiah as people type it: ``9744000``, ``9.744.000``, ``Rp 9.744.000``,
    ``Rp9.744.000,00`` (and the English grouping ``9,744,000``). Raises ``ValueError`` with a
    message for the user on anything else (letters, fractions of a rupiah, a negative sign)."""
    if isinstance(text, bool):
        raise ValueError(_("Enter an amount in rupiah, for example 9.744.000."))
    if isinstance(text, int):
        return text
    s = _SPACES.sub("", str(text or ""))
    if s[:2].lower() == "rp":
        s = s[2:].lstrip(".")
    if _PLAIN.fullmatch(s):
        return int(s)
    if _DOTS.fullmatch(s):
        return int(s.split(",")[0].replace(".", ""))
    if _COMMAS.fullmatch(s):
        return int(s.split(".")[0].replace(",", ""))
    raise ValueError(_("Enter an amount in rupiah, for example 9.744.000."))
