from __future__ import annotations

from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.core.api import ErrorOut, Page, require_perm
from lindung.membership import selectors, services
from lindung.membership.models import Sponsor

router = Router(tags=["membership"])


class SponsorOut(Schema):
    code: str
    name: str
    type: str
    region: str
    funding_source: str
    branch: str | None

    @staticmethod
    def resolve_region(obj: Sponsor) -> str:
        return obj.region_id

    @staticmethod
    def resolve_branch(obj: Sponsor) -> str | None:
        return obj.branch.code if obj.branch_id else None


class SponsorIn(Schema):
    code: str
    name: str
    type: Sponsor.Type
    region: str
    funding_source: Sponsor.FundingSource = Sponsor.FundingSource.APBD


@router.get("/sponsors", response=list[SponsorOut])
@paginate(Page)
def sponsor_list(request):
    require_perm(request, "membership.view_sponsor")
    return selectors.sponsor_list(user=request.user)


@router.get("/sponsors/{code}", response={200: SponsorOut, 404: ErrorOut})
def sponsor_detail(request, code: str):
    require_perm(request, "membership.view_sponsor")
    return selectors.sponsor_get(user=request.user, code=code)


@router.post("/sponsors", response={201: SponsorOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def sponsor_create(request, payload: SponsorIn):
    require_perm(request, "membership.add_sponsor")
    sponsor = services.sponsor_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        type=payload.type,
        region_code=payload.region,
        funding_source=payload.funding_source,
        branch=request.user.branch,
    )
    return Status(201, sponsor)
