"""Web forms of registration: self-paying BPU workers, employers and PU workers, wage reports,
construction projects. The rules live in ``lindung.membership.registration``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.forms import AmountField
from lindung.membership.models import Employer, Participant, RiskClass
from lindung.registry.forms import DateInput, PersonForm, village_field


class BpuRegistrationForm(PersonForm):
    declared_income = AmountField(
        label=_("Declared monthly income (Rp)"),
        min_value=0,
        initial=1_000_000,
        help_text=_("Between the minimum and maximum in force for JKK (shown above)."),
    )
    jht = forms.BooleanField(label=_("Also old-age savings (JHT, optional)"), required=False)
    start_date = forms.DateField(label=_("Cover start"), widget=DateInput)

    def programs(self) -> list[str]:
        return ["JKK", "JKM"] + (["JHT"] if self.cleaned_data.get("jht") else [])


class EmployerForm(forms.Form):
    npp = forms.CharField(label=_("NPP (employer number)"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    risk_class = forms.ChoiceField(label=_("Risk class"), choices=RiskClass.choices)
    region = forms.ChoiceField(label=_("Region"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = village_field(self.fields["region"].label)


class PuWorkerForm(PersonForm):
    wage = AmountField(label=_("Monthly wage (Rp)"), min_value=1)
    start_date = forms.DateField(label=_("Cover start"), widget=DateInput)


class WageUploadForm(forms.Form):
    period = forms.DateField(label=_("Month (any day of it)"), widget=DateInput)
    file = forms.FileField(label=_("CSV file (kpj,wage)"), required=False)


class ProjectForm(forms.Form):
    contractor = forms.ModelChoiceField(label=_("Contractor"), queryset=Employer.objects.none(), to_field_name="npp")
    number = forms.CharField(label=_("Project number"), max_length=40)
    name = forms.CharField(label=_("Project name"), max_length=300)
    contract_value = AmountField(label=_("Contract value (Rp)"), min_value=1)
    total_wage = AmountField(label=_("Total wage (Rp), when known"), min_value=1, required=False)
    start_date = forms.DateField(label=_("Start"), widget=DateInput)
    end_date = forms.DateField(label=_("End"), widget=DateInput)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = employers if employers is not None else Employer.objects.none()
        self.fields["region"] = village_field(self.fields["region"].label)


class ProjectWorkerForm(PersonForm):
    wage = AmountField(label=_("Monthly wage (Rp), when known"), min_value=1, required=False)


class EndMembershipForm(forms.Form):
    reason = forms.ChoiceField(label=_("Exit reason"), choices=[c for c in Participant.ExitReason.choices if c[0]])
    effective_date = forms.DateField(label=_("Cover ends on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
