"""Who may see which rows: declared once per model, used by web, API, exports and jobs.

Every model of a Lindung app declares ``access_scope = Scope(...)`` and uses
``ScopedQuerySet`` (``objects = ScopedQuerySet.as_manager()``). Then
``Model.objects.visible_to(user)`` is the only way views, API handlers, exports and jobs
fetch rows for a user. A model that declares no scope is invisible to everyone but
administrators and auditors (fail closed); a test checks that every model declares one.

Rules:
- inactive or anonymous users see nothing;
- superusers and the ``admin`` and ``auditor`` roles see everything;
- ``sponsor`` users see only rows whose ``sponsor`` path equals their own sponsor, rows of
  ``public`` models (e.g. regions), and nothing of staff-only models;
- branch staff (officer, verifier, branch head, finance) see rows of their own branch where a
  model declares a ``branch`` path, and everything else; a staff user who belongs to no branch
  sees nothing (fail closed), rather than every branch's rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

SELF = "__self__"


@dataclass(frozen=True)
class Scope:
    """``sponsor``: lookup path from the model to its Sponsor (``SELF`` for the Sponsor model);
    ``branch``: lookup path to its Branch; ``public``: readable by every signed-in user;
    ``staff_only``: never visible to sponsor users."""

    sponsor: str | None = None
    branch: str | None = None
    public: bool = False
    staff_only: bool = False
    # True when a path crosses a to-many relation (a person with several memberships): the filter
    # then runs as a subquery so rows are not repeated.
    via_relation: bool = False


GLOBAL_ROLES = frozenset({"admin", "auditor"})


def scope_kind(user) -> str:
    """``none``, ``all``, ``sponsor`` or ``branch`` for a user (cached on the user object)."""
    cached = getattr(user, "_lindung_scope_kind", None)
    if cached is not None:
        return cached
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        kind = "none"
    elif user.is_superuser or (user.role_names & GLOBAL_ROLES):
        kind = "all"
    elif "sponsor" in user.role_names:
        kind = "sponsor" if user.sponsor_id else "none"
    else:
        kind = "branch" if user.branch_id else "none"
    try:
        user._lindung_scope_kind = kind
    except AttributeError:  # pragma: no cover - AnonymousUser has slots-free attrs anyway
        pass
    return kind


def filter_for(queryset: models.QuerySet, user) -> models.QuerySet:
    model = queryset.model
    scope: Scope | None = getattr(model, "access_scope", None)
    kind = scope_kind(user)
    if kind == "none":
        return queryset.none()
    if kind == "all":
        return queryset
    if scope is None:
        return queryset.none()
    if kind == "sponsor":
        if scope.public:
            return queryset
        if scope.staff_only or scope.sponsor is None:
            return queryset.none()
        if scope.sponsor == SELF:
            return queryset.filter(pk=user.sponsor_id)
        return _filter(queryset, scope, scope.sponsor, user.sponsor_id)
    # branch staff
    if scope.branch and user.branch_id:
        return _filter(queryset, scope, scope.branch, user.branch_id)
    return queryset


def _filter(queryset: models.QuerySet, scope: Scope, path: str, value) -> models.QuerySet:
    if scope.via_relation:
        inner = queryset.model._base_manager.filter(**{path: value}).values("pk")
        return queryset.filter(pk__in=inner)
    return queryset.filter(**{path: value})


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> ScopedQuerySet:
        return filter_for(self, user)
