from __future__ import annotations

from ninja import Router, Schema
from ninja.pagination import paginate

from lindung.core.api import ErrorOut, Page, require_perm
from lindung.core.errors import NotFound
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
    region = Region.objects.visible_to(request.user).filter(code=code).first()
    if region is None:
        raise NotFound(f"Region {code!r} not found.")
    return region
