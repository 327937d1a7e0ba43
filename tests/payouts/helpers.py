"""Test helpers of the payouts tests."""

from __future__ import annotations

from lindung.claims.models import ClaimHeir
from lindung.rules import Child, ScholarshipCase, scholarship_schedule
from lindung.rules.results import jsonable


def with_scholarship(claim, children):
    """The decided claim's frozen benefit granting the scholarship to these children (the rules
    engine's schedule; the fixtures' workers have too few contribution months for the JKM condition)."""
    heirs = [
        ClaimHeir.objects.create(claim=claim, relation="child", full_name=name, birth_date=birth, entitled=True) for name, birth, _l, _y in children
    ]
    case = ScholarshipCase(
        event_date=claim.event_date,
        children=tuple(Child(birth_date=b, level=level, year_in_level=y, id=str(h.pk)) for h, (_n, b, level, y) in zip(heirs, children, strict=True)),
    )
    result = scholarship_schedule(case)
    data = result.to_dict()
    claim.benefit = {**claim.benefit, "scholarship": jsonable(data) if not isinstance(data, dict) else data}
    claim.save(update_fields=["benefit"])
    return heirs
