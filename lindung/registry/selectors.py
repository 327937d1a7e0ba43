from __future__ import annotations

from django.db.models import Q, QuerySet

from lindung.registry.models import Region


def region_list(*, user, parent: str | None = None, level: int | None = None, q: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.visible_to(user)
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, province first."""
    codes = []
    parts = region.code.split(".")
    for i in range(1, len(parts) + 1):
        codes.append(".".join(parts[:i]))
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
