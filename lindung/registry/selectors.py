from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from lindung.core.errors import NotFound
from lindung.registry.models import FamilyMember, Person, Region


def region_list(*, user, parent: str | None = None, level: int | None = None, q: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.visible_to(user)
    if parent:
        qs = qs.filter(parent_id=parent)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs.order_by("code")


def region_get(*, user, code: str) -> Region:
    region = Region.objects.visible_to(user).filter(code=code).first()
    if region is None:
        raise NotFound(_("Region %(code)s not found.") % {"code": repr(code)})
    return region


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, province first."""
    codes = []
    parts = region.code.split(".")
    for i in range(1, len(parts) + 1):
        codes.append(".".join(parts[:i]))
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


# ---------------------------------------------------------------------------------------------
# Persons and families
# ---------------------------------------------------------------------------------------------


def person_list(*, user, q: str | None = None) -> QuerySet[Person]:
    """Persons the user may see; ``q`` matches a NIK prefix or a part of the name."""
    qs = Person.objects.visible_to(user).select_related("region")
    if q:
        q = q.strip()
        qs = qs.filter(nik__startswith=q) if q.isdigit() else qs.filter(full_name__icontains=q)
    return qs.order_by("full_name", "nik")


def person_get(*, user, pk: int) -> Person:
    person = Person.objects.visible_to(user).select_related("region").filter(pk=pk).first()
    if person is None:
        raise NotFound(_("Person %(id)s not found.") % {"id": pk})
    return person


def family_of(*, user, person: Person) -> QuerySet[FamilyMember]:
    return FamilyMember.objects.visible_to(user).filter(person=person).order_by("relation", "birth_date", "pk")


def family_member_get(*, user, person: Person, member_id: int) -> FamilyMember:
    member = family_of(user=user, person=person).filter(pk=member_id).first()
    if member is None:
        raise NotFound(_("Family member %(id)s not found.") % {"id": member_id})
    return member


def can_see_full_nik(user) -> bool:
    """Staff roles (officer, verifier, branch head, finance, admin, auditor) see a whole NIK on
    detail pages; sponsor users see it masked everywhere. Lists always mask."""
    from lindung.core.scoping import scope_kind

    return scope_kind(user) in ("all", "branch")
