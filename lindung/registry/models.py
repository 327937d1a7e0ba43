from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class Region(models.Model):
    """An administrative region (wilayah) from the Kepmendagri code list.

    The official code is the primary key: ``14`` (province), ``14.72`` (regency/city),
    ``14.72.01`` (district, kecamatan), ``14.72.01.1003`` (village, kelurahan/desa).
    """

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("Province")
        REGENCY = 2, _("Regency / city")
        DISTRICT = 3, _("District (kecamatan)")
        VILLAGE = 4, _("Village (kelurahan / desa)")

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent"))

    access_scope = Scope(public=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="registry_region_level_range"),
            models.CheckConstraint(
                condition=(models.Q(level=1, parent__isnull=True) | models.Q(level__gt=1, parent__isnull=False)),
                name="registry_region_parent_by_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class SchoolLevel(models.TextChoices):
    """Education levels of the scholarship table (lindung.rules scholarship levels)."""

    NONE = "", _("Not in school")
    TK = "TK", _("Kindergarten (TK)")
    SD = "SD", _("Primary school (SD)")
    SMP = "SMP", _("Junior high school (SMP)")
    SMA = "SMA", _("Senior high school (SMA)")
    PT = "PT", _("Higher education or training (PT)")


class Person(models.Model):
    """A natural person, identified by NIK. One row per NIK (database constraint)."""

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("village (address)"), db_index=False
    )
    address = models.CharField(_("street address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    family_card_number = models.CharField(_("family card (KK) number"), max_length=16, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=34, blank=True)
    bank_account_holder = models.CharField(_("account holder"), max_length=200, blank=True)
    # Codes such as "birth_date_mismatch", "sex_mismatch": the NIK disagrees with the record.
    nik_warnings = models.JSONField(_("NIK warnings"), default=list, blank=True)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(sponsor="participants__sponsor", via_relation=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "nik"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.CheckConstraint(condition=models.Q(nik__regex=r"^[0-9]{16}$"), name="registry_person_nik_16_digits"),
            models.CheckConstraint(condition=models.Q(sex__in=["M", "F"]), name="registry_person_sex_valid"),
        ]
        # region: a plain index (the field's own index would add a second, LIKE-pattern one)
        indexes = [
            models.Index(fields=["family_card_number"], name="registry_person_kk_idx"),
            models.Index(fields=["region"], name="registry_person_region_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class FamilyMember(models.Model):
    """A relative of a person (the worker): the source of heirs and scholarship children.

    ``relation`` uses the vocabulary of the heirs rules (lindung.rules)."""

    class Relation(models.TextChoices):
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Sibling")
        PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
        WILL_BENEFICIARY = "will_beneficiary", _("Named in the will")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family", verbose_name=_("worker"))
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    full_name = models.CharField(_("full name"), max_length=200)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    school_level = models.CharField(_("school level"), max_length=3, choices=SchoolLevel.choices, blank=True)
    is_married = models.BooleanField(_("married"), default=False)
    is_working = models.BooleanField(_("working"), default=False)
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    access_scope = Scope(sponsor="person__participants__sponsor", via_relation=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["person", "relation", "birth_date"]
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        constraints = [
            models.CheckConstraint(condition=models.Q(nik="") | models.Q(nik__regex=r"^[0-9]{16}$"), name="registry_family_nik_16_digits_or_blank"),
            models.UniqueConstraint(fields=["person", "nik"], condition=~models.Q(nik=""), name="registry_family_unique_nik_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_relation_display()})"
