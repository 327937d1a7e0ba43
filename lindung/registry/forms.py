"""Web forms of the registry: a person and their family members. Forms only translate input;
the rules live in ``lindung.registry.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.errors import ServiceError
from lindung.registry.models import FamilyMember, Region, SchoolLevel, Sex


def village_choices():
    return [("", _("— choose a village —"))] + [
        (r.code, f"{r.code} {r.name}") for r in Region.objects.filter(level=Region.Level.VILLAGE).order_by("code")
    ]


class DateInput(forms.DateInput):
    """An HTML date picker; its value must be ISO (YYYY-MM-DD) whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)


class PersonForm(forms.Form):
    nik = forms.CharField(label=_("NIK"), max_length=16, min_length=16, help_text=_("16 digits, from the identity card (KTP)."))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    region = forms.ChoiceField(label=_("Village (address)"), required=False)
    address = forms.CharField(label=_("Street address"), max_length=300, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    occupation = forms.CharField(label=_("Occupation"), max_length=100, required=False)
    family_card_number = forms.CharField(label=_("Family card (KK) number"), max_length=16, required=False)

    def __init__(self, *args, edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = village_choices()
        if edit:
            del self.fields["nik"]

    def person_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in PersonForm.base_fields}


class FamilyMemberForm(forms.Form):
    relation = forms.ChoiceField(label=_("Relation"), choices=FamilyMember.Relation.choices)
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    nik = forms.CharField(label=_("NIK"), max_length=16, required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DateInput)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    school_level = forms.ChoiceField(label=_("School level"), choices=SchoolLevel.choices, required=False)
    is_married = forms.BooleanField(label=_("Married"), required=False)
    is_working = forms.BooleanField(label=_("Working"), required=False)


def apply_service_error(form: forms.Form, exc: ServiceError, prefix: str = "") -> None:
    """Show a service's field errors on the form fields they name (the rest at the top).

    ``fields`` holds short machine-readable reasons; an error naming a single field shows the
    service's message (in the active language) on that field instead."""
    placed = False
    for name, message in exc.fields.items():
        key = name[len(prefix) :] if prefix and name.startswith(prefix) else name
        if key in form.fields:
            form.add_error(key, exc.message if len(exc.fields) == 1 else message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
