from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lindung.core.scoping import Scope, ScopedQuerySet


class Branch(models.Model):
    """A branch office (kantor cabang) of the agency."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("registry.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region"))
    address = models.CharField(_("address"), max_length=300, blank=True)

    access_scope = Scope(public=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch office")
        verbose_name_plural = _("branch offices")

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    pass


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A person who signs in. Staff belong to a branch office; sponsor users to a sponsor."""

    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("branch office"))
    sponsor = models.ForeignKey(
        "membership.Sponsor", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("sponsor")
    )

    # Set when an administrator sets a temporary password: the next web request goes to the
    # password change page until the user chose their own (lindung.accounts.middleware).
    must_change_password = models.BooleanField(_("must change password"), default=False)

    access_scope = Scope(sponsor="sponsor", branch="branch")

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *names: str) -> bool:
        return bool(self.role_names & set(names))

    def clean(self) -> None:
        super().clean()
        if self.pk and "sponsor" in self.role_names and not self.sponsor_id:
            raise ValidationError({"sponsor": _("A sponsor user must belong to a sponsor.")})


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    access_scope = Scope(staff_only=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "lnd_" + secrets.token_urlsafe(32)

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
