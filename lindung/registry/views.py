from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from lindung.registry import selectors
from lindung.registry.models import Region


@login_required
@permission_required("registry.view_region", raise_exception=True)
def region_list(request):
    parent_code = request.GET.get("parent") or None
    q = request.GET.get("q") or None
    qs = selectors.region_list(user=request.user, parent=parent_code, q=q, level=None if (parent_code or q) else 1)
    parent = Region.objects.filter(code=parent_code).first() if parent_code else None
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/region_list.html",
        {"page": page, "parent": parent, "path": selectors.region_path(parent) if parent else [], "q": q or ""},
    )
