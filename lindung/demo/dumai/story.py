"""The published figures of the Dumai story and the fixed facts of the replay."""

from __future__ import annotations

import datetime as dt

D = dt.date

PROGRAMME_START = D(2023, 10, 1)
STORY_DAY = D(2024, 3, 21)  # Thursday: the hand-over at the Dumai branch
FIRST_WORKERS = 5_000
PREMIUM = 16_800  # per worker per month, JKK + JKM at a declared income of 1,000,000
DECLARED_INCOME = 1_000_000
FIRST_QUARTER_BILLING = 252_000_000  # 5,000 × 16,800 × 3
HANDOVER_TOTAL = 504_000_000  # 12 × 42,000,000
HANDOVER_WORDS = "lima ratus empat juta rupiah"
TARGET_2024 = 10_000

# Invoices the city paid late (first billed month → payment date): the regional budget (APBD) is
# disbursed late at some year starts. Every other invoice is paid on the 11th of its first month.
LATE_PAYMENTS = {
    dt.date(2024, 1, 1): dt.date(2024, 4, 16),  # the second quarter: unpaid on the hand-over day
    dt.date(2025, 1, 1): dt.date(2025, 3, 12),
    dt.date(2025, 2, 1): dt.date(2025, 3, 12),
    dt.date(2026, 1, 1): dt.date(2026, 2, 20),
}

ROSTER_SEED = 2023
AGREEMENT_PREFIX = "PKS-DUMAI-"


def agreement_number(year: int) -> str:
    return f"{AGREEMENT_PREFIX}{year}"


def agreement_years(today: dt.date) -> list[int]:
    """One agreement a year from October 2023, each from 1 October to 30 September, as long as it
    has started by ``today``."""
    return [y for y in range(2023, today.year + 1) if D(y, 10, 1) <= today]


def agreement_period(year: int) -> tuple[dt.date, dt.date]:
    return D(year, 10, 1), D(year + 1, 9, 30)
