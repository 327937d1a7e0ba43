from __future__ import annotations

import datetime as dt

from ninja import Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from lindung.core.api import ErrorOut, Page, require_perm
from lindung.membership import selectors, services
from lindung.membership.models import Sponsor, SponsorAgreement

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


class AgreementOut(Schema):
    sponsor: str
    number: str
    start_date: dt.date
    end_date: dt.date
    programs: list[str]
    declared_income: int
    budget: int
    quota: int
    billing_frequency: str
    eligible_region: str | None
    min_age: int
    max_age: int

    @staticmethod
    def resolve_sponsor(obj: SponsorAgreement) -> str:
        return obj.sponsor.code

    @staticmethod
    def resolve_eligible_region(obj: SponsorAgreement) -> str | None:
        return obj.eligible_region_id


class AgreementIn(Schema):
    number: str
    start_date: dt.date
    end_date: dt.date
    budget: int
    quota: int
    billing_frequency: SponsorAgreement.Billing = SponsorAgreement.Billing.MONTHLY
    programs: list[str] = ["JKK", "JKM"]
    declared_income: int = 1_000_000
    eligible_region: str | None = None
    min_age: int = 18
    max_age: int = 65


@router.get("/sponsors/{code}/agreements", response={200: list[AgreementOut], 404: ErrorOut})
@paginate(Page)
def agreement_list(request, code: str):
    require_perm(request, "membership.view_sponsoragreement")
    sponsor = selectors.sponsor_get(user=request.user, code=code)
    return selectors.agreement_list(user=request.user, sponsor=sponsor)


@router.post("/sponsors/{code}/agreements", response={201: AgreementOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def agreement_create(request, code: str, payload: AgreementIn):
    require_perm(request, "membership.add_sponsoragreement")
    sponsor = selectors.sponsor_get(user=request.user, code=code)
    agreement = services.agreement_create(
        actor=request.user,
        sponsor=sponsor,
        number=payload.number,
        start_date=payload.start_date,
        end_date=payload.end_date,
        budget=payload.budget,
        quota=payload.quota,
        billing_frequency=payload.billing_frequency,
        programs=payload.programs,
        declared_income=payload.declared_income,
        eligible_region_code=payload.eligible_region,
        min_age=payload.min_age,
        max_age=payload.max_age,
    )
    return Status(201, agreement)
