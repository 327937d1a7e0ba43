"""Do the three answers about a worker agree today? The participant page (its status), the coverage
answer (``coverage_on``; for every worker at once ``coverage_on_many``, the same rules read
set-based) and the card (``cards.card_status``, the function its QR code's public
verification answers with, on the card's validity from ``participant_selectors.valid_until``).
The check asks them of the sponsored workers and, with the city-wide layer, of every participant
of the layer."""

from __future__ import annotations

import datetime as dt

from lindung.contributions.coverage import COVERED, GRACE, CoverageResult, coverage_on, coverage_on_many
from lindung.demo.base import DUMAI_SPONSOR
from lindung.membership import cards
from lindung.membership.models import Participant
from lindung.membership.participant_selectors import valid_until

# The participant status each coverage answer stands for.
_AS_STATUS = {COVERED: "active", GRACE: "grace"}


def answers(participant: Participant, on: dt.date, cover: CoverageResult | None = None) -> dict[str, str]:
    cover = cover or coverage_on(participant, on)
    return {
        "page": participant.status,
        "coverage": _AS_STATUS.get(cover.status, "ended"),
        "card": cards.card_status(participant.status, valid_until(participant), on),
    }


def disagreements(on: dt.date, *, sponsor_code: str = DUMAI_SPONSOR) -> tuple[list[str], int]:
    """``(["KPJ: page=…, coverage=…, card=…", …], workers checked)`` for every worker of the sponsor."""
    problems, n, _covered = compare(Participant.objects.filter(sponsor__code=sponsor_code), on)
    return problems, n


def compare(workers, on: dt.date) -> tuple[list[str], int, int]:
    """``(disagreements, workers checked, covered today)`` for the participants of ``workers`` (a
    queryset), read in chunks of 2,000 with their coverage answers at once (``coverage_on_many``)."""
    problems = []
    n = covered = 0
    batch: list[Participant] = []

    def flush():
        nonlocal covered
        covers = coverage_on_many(batch, on)
        for participant in batch:
            cover = covers[participant.pk]
            covered += cover.status == COVERED
            found = answers(participant, on, cover)
            if len(set(found.values())) > 1:
                problems.append(f"{participant.kpj_number}: " + ", ".join(f"{k}={v}" for k, v in found.items()))
        batch.clear()

    for participant in workers.select_related("agreement", "project").order_by("kpj_number").iterator(chunk_size=2000):
        n += 1
        batch.append(participant)
        if len(batch) == 2000:
            flush()
    flush()
    return problems, n, covered
