from __future__ import annotations

from django.db.models import QuerySet

from lindung.core.errors import NotFound
from lindung.membership.models import RosterImport, Sponsor, SponsorAgreement


def sponsor_list(*, user) -> QuerySet[Sponsor]:
    return Sponsor.objects.visible_to(user).select_related("region", "branch")


def sponsor_get(*, user, code: str) -> Sponsor:
    """A sponsor the user may see; ``NotFound`` for one that does not exist *or* is out of scope
    (so nobody learns that another sponsor's code exists)."""
    try:
        return sponsor_list(user=user).get(code=code)
    except Sponsor.DoesNotExist:
        raise NotFound(f"Sponsor {code!r} not found.") from None


def agreement_list(*, user, sponsor: Sponsor | None = None) -> QuerySet[SponsorAgreement]:
    qs = SponsorAgreement.objects.visible_to(user).select_related("sponsor", "eligible_region")
    return qs.filter(sponsor=sponsor) if sponsor is not None else qs


def agreement_get(*, user, sponsor_code: str, number: str) -> SponsorAgreement:
    try:
        return agreement_list(user=user).get(sponsor__code=sponsor_code, number=number)
    except SponsorAgreement.DoesNotExist:
        raise NotFound(f"Agreement {number!r} of sponsor {sponsor_code!r} not found.") from None


def agreements_with_usage(*, user, sponsor: Sponsor) -> list[tuple[SponsorAgreement, object]]:
    """Each visible agreement of ``sponsor`` with its usage (workers now, premium committed)."""
    from lindung.membership.roster import agreement_usage

    return [(a, agreement_usage(a)) for a in agreement_list(user=user, sponsor=sponsor)]


def roster_import_list(*, user, sponsor: Sponsor | None = None) -> QuerySet[RosterImport]:
    qs = RosterImport.objects.visible_to(user).select_related("agreement", "sponsor", "created_by")
    return qs.filter(sponsor=sponsor) if sponsor is not None else qs


def roster_import_get(*, user, pk: int) -> RosterImport:
    try:
        return roster_import_list(user=user).get(pk=pk)
    except RosterImport.DoesNotExist:
        raise NotFound(f"Roster import {pk} not found.") from None
