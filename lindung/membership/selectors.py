from __future__ import annotations

from django.db.models import QuerySet

from lindung.core.errors import NotFound
from lindung.membership.models import Sponsor


def sponsor_list(*, user) -> QuerySet[Sponsor]:
    return Sponsor.objects.visible_to(user).select_related("region", "branch")


def sponsor_get(*, user, code: str) -> Sponsor:
    """A sponsor the user may see; ``NotFound`` for one that does not exist *or* is out of scope
    (so nobody learns that another sponsor's code exists)."""
    try:
        return sponsor_list(user=user).get(code=code)
    except Sponsor.DoesNotExist:
        raise NotFound(f"Sponsor {code!r} not found.") from None
