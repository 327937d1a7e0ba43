"""Web forms of the registry: a person and their family members. Forms only translate input;
the rules live in ``lindung.registry.services``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lindung.core.errors import ServiceError
from lindung.registry.models import FamilyMember, Region, SchoolLevel, Sex

# Above this many villages (the full Kepmendagri list has about 84,000) a select is unusable and
# costly to build on every form: the village code is typed instead, and checked.
VILLAGE_CHOICES_MAX = 2_000


def village_choices(limit: int = VILLAGE_CHOICES_MAX) -> list[tuple[str, str]] | None:
    """The villages as select choices (code and name only, one query), or None when there are
    more than ``limit`` of them."""
    rows = list(Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").values_list("code", "name")[: limit + 1])
    if len(rows) > limit:
        return None
    return [("", _("— choose a village —"))] + [(code, f"{code} {name}") for code, name in rows]


def _known_village(code: str) -> None:
    if code and not Region.objects.filter(code=code, level=Region.Level.VILLAGE).exists():
        raise forms.ValidationError(_("No village has the code %(code)s."), params={"code": code}, code="unknown_region")


def village_field(label, *, limit: int = VILLAGE_CHOICES_MAX) -> forms.Field:
    """An optional village: a select of the villages, or a code to type when there are too many."""
    choices = village_choices(limit)
    if choices is None:
        return forms.CharField(
            label=label,
            required=False,
            max_length=13,
            validators=[_known_village],
            help_text=_("The village code (kode wilayah), e.g. 14.72.01.1001."),
        )
    return forms.ChoiceField(label=label, required=False, choices=choices)


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

    def __init__(self, *args, edit: bool = False, village_limit: int = VILLAGE_CHOICES_MAX, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = village_field(self.fields["region"].label, limit=village_limit)
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
