"""Writes of the membership context."""

from __future__ import annotations

from django.db import transaction

from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.membership.models import Sponsor
from lindung.registry.models import Region


@transaction.atomic
def sponsor_create(
    *, actor, code: str, name: str, type: str, region_code: str, funding_source: str = Sponsor.FundingSource.APBD, branch=None
) -> Sponsor:
    fields: dict[str, str] = {}
    if Sponsor.objects.filter(code=code).exists():
        raise ServiceError("duplicate", f"A sponsor with code {code!r} exists already.", {"code": "duplicate"}, status=409)
    if type not in Sponsor.Type.values:
        fields["type"] = f"must be one of {', '.join(Sponsor.Type.values)}"
    if funding_source not in Sponsor.FundingSource.values:
        fields["funding_source"] = f"must be one of {', '.join(Sponsor.FundingSource.values)}"
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        fields["region"] = f"unknown region code {region_code!r}"
    if fields:
        raise ServiceError("invalid", "The sponsor could not be created.", fields)
    sponsor = Sponsor.objects.create(code=code, name=name, type=type, region=region, funding_source=funding_source, branch=branch)
    audit.record(actor=actor, action="sponsor.create", obj=sponsor, changes=audit.diff(None, audit.snapshot(sponsor)), sponsor_id=sponsor.pk)
    return sponsor
