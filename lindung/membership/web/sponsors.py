"""Web views: sponsors and their agreements (membership context)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from lindung.core.errors import NotFound
from lindung.membership import selectors


@login_required
@permission_required("membership.view_sponsor", raise_exception=True)
def sponsor_list(request):
    return render(request, "membership/sponsor_list.html", {"sponsors": selectors.sponsor_list(user=request.user)})


@login_required
@permission_required("membership.view_sponsor", raise_exception=True)
def sponsor_detail(request, code: str):
    try:
        sponsor = selectors.sponsor_get(user=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "membership/sponsor_detail.html", {"sponsor": sponsor})


urlpatterns = [
    path("sponsors/", sponsor_list, name="sponsor_list"),
    path("sponsors/<str:code>/", sponsor_detail, name="sponsor_detail"),
]
