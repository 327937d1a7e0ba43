"""Web views: sponsors and their agreements (membership context)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from lindung.core.audit import audit_source
from lindung.core.errors import ServiceError
from lindung.core.forms import AmountField
from lindung.core.shortcuts import or_404
from lindung.membership import selectors, services
from lindung.membership.models import Sponsor, SponsorAgreement


@login_required
@permission_required("membership.view_sponsor", raise_exception=True)
def sponsor_list(request):
    return render(request, "membership/sponsor_list.html", {"sponsors": selectors.sponsor_list(user=request.user)})


@login_required
@permission_required("membership.view_sponsor", raise_exception=True)
def sponsor_detail(request, code: str):
    sponsor = or_404(selectors.sponsor_get, user=request.user, code=code)
    agreements = (
        selectors.agreements_with_usage(user=request.user, sponsor=sponsor) if request.user.has_perm("membership.view_sponsoragreement") else []
    )
    imports = selectors.roster_import_list(user=request.user, sponsor=sponsor)[:20] if request.user.has_perm("membership.view_rosterimport") else []
    return render(request, "membership/sponsor_detail.html", {"sponsor": sponsor, "agreements": agreements, "imports": imports})


class SponsorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30, help_text=_("Short and unique, e.g. PEMKO-DUMAI."))
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=Sponsor.Type.choices)
    region = forms.CharField(label=_("Region code"), max_length=13, help_text=_("Province, regency/city or village code, e.g. 14.72."))
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Sponsor.FundingSource.choices)


@login_required
@permission_required("membership.add_sponsor", raise_exception=True)
def sponsor_create(request):
    form = SponsorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with audit_source("web"):
                sponsor = services.sponsor_create(
                    actor=request.user,
                    code=d["code"],
                    name=d["name"],
                    type=d["type"],
                    region_code=d["region"].strip(),
                    funding_source=d["funding_source"],
                    branch=request.user.branch,
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for name, reason in exc.fields.items():
                if name in form.fields:
                    form.add_error(name, reason)
                else:
                    form.add_error(None, f"{name}: {reason}")
        else:
            messages.success(request, _t("Sponsor %(code)s created.") % {"code": sponsor.code})
            return redirect("membership:sponsor_detail", code=sponsor.code)
    return render(request, "membership/sponsor_form.html", {"form": form})


class AgreementForm(forms.Form):
    number = forms.CharField(label=_("Agreement (PKS) number"), max_length=60)
    start_date = forms.DateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = AmountField(label=_("Budget (Rp)"), min_value=0)
    quota = forms.IntegerField(label=_("Quota (workers)"), min_value=1)
    billing_frequency = forms.ChoiceField(label=_("Billing"), choices=SponsorAgreement.Billing.choices)
    include_jkm = forms.BooleanField(label=_("Include death insurance (JKM)"), required=False, initial=True)
    declared_income = AmountField(label=_("Declared income (Rp)"), min_value=1, initial=1_000_000)
    eligible_region = forms.CharField(label=_("Eligible region code (default: the sponsor's)"), required=False, max_length=13)
    min_age = forms.IntegerField(label=_("Minimum age"), initial=18, min_value=0)
    max_age = forms.IntegerField(label=_("Maximum age"), initial=65, min_value=0)


@login_required
@permission_required("membership.add_sponsoragreement", raise_exception=True)
def agreement_create(request, code: str):
    sponsor = or_404(selectors.sponsor_get, user=request.user, code=code)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with audit_source("web"):
                agreement = services.agreement_create(
                    actor=request.user,
                    sponsor=sponsor,
                    number=d["number"],
                    start_date=d["start_date"],
                    end_date=d["end_date"],
                    budget=d["budget"],
                    quota=d["quota"],
                    billing_frequency=d["billing_frequency"],
                    programs=["JKK", "JKM"] if d["include_jkm"] else ["JKK"],
                    declared_income=d["declared_income"],
                    eligible_region_code=d["eligible_region"] or None,
                    min_age=d["min_age"],
                    max_age=d["max_age"],
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            for name, reason in exc.fields.items():
                form.add_error(None, f"{name}: {reason}")
        else:
            messages.success(request, _t("Agreement %(number)s created.") % {"number": agreement.number})
            return redirect("membership:sponsor_detail", code=sponsor.code)
    return render(request, "membership/agreement_form.html", {"sponsor": sponsor, "form": form})


urlpatterns = [
    path("sponsors/", sponsor_list, name="sponsor_list"),
    path("sponsors/new/", sponsor_create, name="sponsor_create"),
    path("sponsors/<str:code>/", sponsor_detail, name="sponsor_detail"),
    path("sponsors/<str:code>/agreements/new/", agreement_create, name="agreement_create"),
]
