from __future__ import annotations

from django.utils.translation import gettext_noop
from ninja import Router, Schema
from ninja.pagination import paginate

from lindung.core import audit
from lindung.core.api import ErrorOut, Page, require_perm
from lindung.registry import selectors
from lindung.registry.models import Region

router = Router(tags=["registry"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return obj.parent_id


@router.get("/regions", response=list[RegionOut])
@paginate(Page)
def region_list(request, parent: str | None = None, level: int | None = None, q: str | None = None):
    require_perm(request, "registry.view_region")
    return selectors.region_list(user=request.user, parent=parent, level=level, q=q)


@router.get("/regions/{code}", response={200: RegionOut, 404: ErrorOut})
def region_detail(request, code: str):
    require_perm(request, "registry.view_region")
    return selectors.region_get(user=request.user, code=code)


# ---------------------------------------------------------------------------------------------
# Persons and families
# ---------------------------------------------------------------------------------------------

import datetime as dt  # noqa: E402

from ninja.responses import Status  # noqa: E402

from lindung.core.masking import mask_nik  # noqa: E402
from lindung.registry import services  # noqa: E402
from lindung.registry.models import Person  # noqa: E402


class PersonIn(Schema):
    nik: str
    full_name: str
    birth_date: dt.date
    sex: str
    region: str | None = None
    address: str = ""
    phone: str = ""
    occupation: str = ""
    family_card_number: str = ""


class PersonPatch(Schema):
    full_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    region: str | None = None
    address: str | None = None
    phone: str | None = None
    occupation: str | None = None
    family_card_number: str | None = None


class FamilyMemberIn(Schema):
    relation: str
    full_name: str
    nik: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    school_level: str = ""
    is_married: bool = False
    is_working: bool = False
    phone: str = ""


class FamilyMemberOut(Schema):
    id: int
    relation: str
    full_name: str
    nik: str
    birth_date: dt.date | None
    sex: str
    school_level: str
    is_married: bool
    is_working: bool
    death_date: dt.date | None


class PersonListOut(Schema):
    id: int
    nik_masked: str
    full_name: str
    birth_date: dt.date
    sex: str
    region: str | None

    @staticmethod
    def resolve_nik_masked(obj: Person) -> str:
        return mask_nik(obj.nik)

    @staticmethod
    def resolve_region(obj: Person) -> str | None:
        return obj.region_id


class PersonOut(Schema):
    id: int
    nik_masked: str
    full_name: str
    birth_date: dt.date
    sex: str
    region: str | None
    nik: str
    address: str
    phone: str
    occupation: str
    family_card_number: str
    nik_warnings: list[str]
    death_date: dt.date | None
    family: list[FamilyMemberOut]


class PersonCreateIn(PersonIn):
    family: list[FamilyMemberIn] = []


def _person_out(request, person: Person) -> dict:
    full = selectors.can_see_full_nik(request.user)
    fam = list(selectors.family_of(user=request.user, person=person))
    return {
        **PersonListOut.from_orm(person).dict(),
        "nik": person.nik if full else mask_nik(person.nik),
        "address": person.address,
        "phone": person.phone,
        "occupation": person.occupation,
        "family_card_number": person.family_card_number,
        "nik_warnings": person.nik_warnings,
        "death_date": person.death_date,
        "family": [{**FamilyMemberOut.from_orm(f).dict(), "nik": f.nik if full else mask_nik(f.nik)} for f in fam],
    }


@router.get("/persons", response=list[PersonListOut])
@paginate(Page)
def person_list(request, q: str | None = None):
    """Persons (NIK masked); ``q`` is a NIK prefix or part of a name."""
    require_perm(request, "registry.view_person")
    return selectors.person_list(user=request.user, q=q)


@router.get("/persons/{person_id}", response={200: PersonOut, 404: ErrorOut})
def person_detail(request, person_id: int):
    require_perm(request, "registry.view_person")
    person = selectors.person_get(user=request.user, pk=person_id)
    if selectors.can_see_full_nik(request.user):
        from lindung.registry.services import record_full_nik_view

        record_full_nik_view(user=request.user, person=person, where=audit.Message(gettext_noop("API person")))
    return _person_out(request, person)


@router.post("/persons", response={201: PersonOut, 400: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def person_create(request, payload: PersonCreateIn):
    """Register a person (and family). A NIK whose date or sex disagrees with the record is
    accepted and listed in ``nik_warnings``; a second person with the same NIK is 409."""
    require_perm(request, "registry.add_person")
    data = payload.dict(exclude={"family"})
    person = services.person_create(actor=request.user, family=[f.dict() for f in payload.family], **data)
    return Status(201, _person_out(request, person))


@router.patch("/persons/{person_id}", response={200: PersonOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def person_update(request, person_id: int, payload: PersonPatch):
    require_perm(request, "registry.change_person")
    person = services.person_update(selectors.person_get(user=request.user, pk=person_id), actor=request.user, **payload.dict(exclude_unset=True))
    return _person_out(request, person)


@router.get("/persons/{person_id}/family", response={200: list[FamilyMemberOut], 404: ErrorOut})
def family_list(request, person_id: int):
    require_perm(request, "registry.view_familymember")
    return _person_out(request, selectors.person_get(user=request.user, pk=person_id))["family"]


@router.post("/persons/{person_id}/family", response={201: FamilyMemberOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def family_add(request, person_id: int, payload: FamilyMemberIn):
    require_perm(request, "registry.add_familymember")
    member = services.family_member_add(selectors.person_get(user=request.user, pk=person_id), actor=request.user, **payload.dict())
    return Status(201, member)


@router.patch("/persons/{person_id}/family/{member_id}", response={200: FamilyMemberOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
def family_update(request, person_id: int, member_id: int, payload: FamilyMemberIn):
    require_perm(request, "registry.change_familymember")
    member = selectors.family_member_get(user=request.user, person=selectors.person_get(user=request.user, pk=person_id), member_id=member_id)
    return services.family_member_update(member, actor=request.user, **payload.dict(exclude_unset=True))


@router.delete("/persons/{person_id}/family/{member_id}", response={204: None, 404: ErrorOut})
def family_remove(request, person_id: int, member_id: int):
    require_perm(request, "registry.change_familymember")
    member = selectors.family_member_get(user=request.user, person=selectors.person_get(user=request.user, pk=person_id), member_id=member_id)
    services.family_member_remove(member, actor=request.user)
    return Status(204, None)
