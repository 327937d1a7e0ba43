from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_noop

from lindung.core import audit
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


# ---------------------------------------------------------------------------------------------
# Persons and families (mounted under /persons/ by the membership URLs, namespace "membership")
# ---------------------------------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.http import Http404  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from lindung.core.audit import audit_source  # noqa: E402
from lindung.core.errors import NotFound, ServiceError  # noqa: E402
from lindung.registry import services  # noqa: E402
from lindung.registry.forms import FamilyMemberForm, PersonForm, apply_service_error  # noqa: E402


def _person(request, pk: int):
    try:
        return selectors.person_get(user=request.user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_list(request):
    q = request.GET.get("q") or None
    page = Paginator(selectors.person_list(user=request.user, q=q), 50).get_page(request.GET.get("page"))
    return render(request, "registry/person_list.html", {"page": page, "q": q or ""})


@login_required
@permission_required("registry.view_person", raise_exception=True)
def person_detail(request, pk: int):
    from lindung.membership.models import Participant

    person = _person(request, pk)
    if selectors.can_see_full_nik(request.user):
        from lindung.registry.services import record_full_nik_view

        record_full_nik_view(user=request.user, person=person, where=audit.Message(gettext_noop("person page")))
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "full_nik": selectors.can_see_full_nik(request.user),
            "family": selectors.family_of(user=request.user, person=person),
            "memberships": Participant.objects.visible_to(request.user).filter(person=person).order_by("start_date"),
            "family_form": FamilyMemberForm(),
        },
    )


@login_required
@permission_required("registry.change_person", raise_exception=True)
def person_edit(request, pk: int):
    person = _person(request, pk)
    initial = {f: getattr(person, f) for f in PersonForm.base_fields if f not in ("nik", "region")}
    initial["region"] = person.region_id or ""
    form = PersonForm(request.POST or None, initial=initial, edit=True)
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                services.person_update(person, actor=request.user, **form.person_data())
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("membership:person_detail", pk=person.pk)
    return render(request, "registry/person_form.html", {"form": form, "person": person})


@login_required
@permission_required("registry.add_familymember", raise_exception=True)
def family_add(request, pk: int):
    person = _person(request, pk)
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                services.family_member_add(person, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Family member added."))
            return redirect("membership:person_detail", pk=person.pk)
    return render(request, "registry/person_family_form.html", {"form": form, "person": person})


@login_required
@permission_required("registry.change_familymember", raise_exception=True)
def family_edit(request, pk: int, member_id: int):
    person = _person(request, pk)
    try:
        member = selectors.family_member_get(user=request.user, person=person, member_id=member_id)
    except NotFound:
        raise Http404 from None
    initial = {f: getattr(member, f) for f in FamilyMemberForm.base_fields}
    form = FamilyMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with audit_source("web"):
                services.family_member_update(member, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("membership:person_detail", pk=person.pk)
    return render(request, "registry/person_family_form.html", {"form": form, "person": person, "member": member})


@login_required
@permission_required("registry.change_familymember", raise_exception=True)
@require_POST
def family_remove(request, pk: int, member_id: int):
    person = _person(request, pk)
    try:
        member = selectors.family_member_get(user=request.user, person=person, member_id=member_id)
    except NotFound:
        raise Http404 from None
    with audit_source("web"):
        services.family_member_remove(member, actor=request.user)
    messages.success(request, _("Family member removed."))
    return redirect("membership:person_detail", pk=person.pk)
