"""Writes of the accounts context: users, roles, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.accounts.models import ApiToken, Branch, User
from lindung.accounts.roles import BRANCH_ROLES, ROLES
from lindung.core import audit
from lindung.core.errors import ServiceError
from lindung.core.scoping import GLOBAL_ROLES
from lindung.core.workflow import check_role_combination


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    roles: list[str],
    branch: Branch | None = None,
    sponsor=None,
    full_name: str = "",
    email: str = "",
) -> User:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ServiceError("invalid", _("Unknown role(s): %(roles)s.") % {"roles": ", ".join(unknown)}, {"roles": f"unknown: {', '.join(unknown)}"})
    if "sponsor" in roles and sponsor is None:
        raise ServiceError("invalid", _("A sponsor user must belong to a sponsor."), {"sponsor": "required for the sponsor role"})
    if "sponsor" in roles and len(roles) > 1:
        raise ServiceError("invalid", _("The sponsor role cannot be combined with staff roles."), {"roles": "sponsor stands alone"})
    check_role_combination(roles)
    if set(roles) & BRANCH_ROLES and not set(roles) & GLOBAL_ROLES and branch is None:
        raise ServiceError("invalid", _("Branch staff must belong to a branch office."), {"branch": "required for branch staff"})
    if "sponsor" in roles and branch is None:
        branch = sponsor.branch
    if User.objects.filter(username=username).exists():
        raise ServiceError("duplicate", _("User %(username)s exists already.") % {"username": repr(username)}, {"username": "duplicate"}, status=409)
    first, _sep, last = full_name.partition(" ")
    user = User(username=username, branch=branch, sponsor=sponsor, first_name=first, last_name=last, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = "admin" in roles
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        changes={"roles": [None, sorted(roles)], "branch": [None, branch.pk if branch else None], "sponsor": [None, sponsor.pk if sponsor else None]},
        sponsor_id=sponsor.pk if sponsor else None,
    )
    return user


def token_create(*, actor, user: User, name: str = "", expires_at=None) -> tuple[ApiToken, str]:
    """Create a token; returns (token row, the secret shown once)."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=ApiToken.hash_key(key), expires_at=expires_at)
    audit.record(actor=actor, action="token.create", obj=token, object_repr=f"{token.prefix}… for {user.username}")
    return token, key


def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, object_repr=f"{token.prefix}… for {token.user.username}")
    return token


def token_authenticate(key: str) -> User | None:
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def _temporary_password() -> str:
    import secrets

    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no look-alikes (l, 1, O, 0)
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


@transaction.atomic
def password_reset(*, actor, user: User, temporary: str | None = None) -> str:
    """An administrator sets a temporary password (given, or generated and returned once); the user
    must choose their own at the next log-in. Clears the user's log-in lock. Audited, without the
    password."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.has_perm("accounts.change_user"):
        raise ServiceError("forbidden", _("You do not have permission for this action."), status=403)
    password = temporary or _temporary_password()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("invalid", _("The temporary password is not acceptable."), {"password": " ".join(exc.messages)}) from None
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.get_username()).delete()
    audit.record(
        actor=actor, action="user.password_reset", obj=user, summary=audit.Message(gettext_noop("temporary password set")), sponsor_id=user.sponsor_id
    )
    return password


@transaction.atomic
def password_changed(*, user: User) -> None:
    """The user chose their own password (Django's form has set it): the temporary one is gone."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    audit.record(actor=user, action="user.password_change", obj=user, sponsor_id=user.sponsor_id)
