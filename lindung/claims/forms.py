"""Web forms of the claims pages. Forms only translate input; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.claims.models import Outreach, PayeeKind
from lindung.registry.forms import DateInput
from lindung.registry.models import FamilyMember, SchoolLevel, Sex
from lindung.rules.banks import banks


class ReportDeathForm(forms.Form):
    participant = forms.CharField(label=_("NIK or KPJ number"), max_length=16, help_text=_("16-digit NIK or 11-digit KPJ number."))
    death_date = forms.DateField(label=_("Date of death"), widget=DateInput)
    note = forms.CharField(label=_("Note (who reported, source)"), max_length=500, required=False)

    def lookup(self) -> dict:
        value = self.cleaned_data["participant"].strip()
        return {"nik": value} if len(value) == 16 else {"kpj": value}


class OpenForm(forms.Form):
    claimant_name = forms.CharField(label=_("Claimant"), max_length=200, required=False)
    claimant_relation = forms.ChoiceField(label=_("Claimant's relation"), choices=[("", "—"), *FamilyMember.Relation.choices], required=False)
    claimant_phone = forms.CharField(label=_("Claimant's phone"), max_length=20, required=False)
    funeral_arranger = forms.CharField(label=_("Funeral arranged by (when there are no heirs)"), max_length=200, required=False)


class RelativeForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=FamilyMember.Relation.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    school_level = forms.ChoiceField(label=_("School level"), choices=SchoolLevel.choices, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)


def bank_choices():
    return [("", _("— choose a bank —"))] + [(b.code, b.label()) for b in banks()]


class PayeeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Payee"), choices=PayeeKind.choices)
    heir = forms.TypedChoiceField(label=_("Heir"), coerce=int, required=False, empty_value=None)
    share = forms.IntegerField(label=_("Share (of 10,000 parts)"), min_value=1, max_value=10_000, initial=10_000)
    bank_code = forms.ChoiceField(label=_("Bank"), required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=34, required=False)
    account_holder = forms.CharField(label=_("Account holder"), max_length=200, required=False)

    def __init__(self, *args, heirs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heir"].choices = [("", "—")] + [(h.pk, f"{h.full_name} ({h.relation_label})") for h in heirs]
        self.fields["bank_code"].choices = bank_choices()


class StepForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=64, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OutreachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Outreach.Kind.choices)
    result = forms.ChoiceField(label=_("Outcome"), choices=Outreach.Result.choices)
    contact = forms.CharField(label=_("Contacted"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class TransferForm(forms.Form):
    to_branch = forms.ChoiceField(label=_("To branch office"))
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_branch"].choices = [(b.code, b.name) for b in branches]


class DocumentUploadForm(forms.Form):
    code = forms.ChoiceField(label=_("Document"))
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(i.code, i.label) for i in items]
