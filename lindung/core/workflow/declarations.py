"""What a workflow declares: transitions, guards, maker-checker rules and approval levels.

Nothing here touches the database; :mod:`lindung.core.workflow.engine` carries the declarations out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from lindung.core.workflow.engine import Workflow
    from lindung.core.workflow.models import Decision

# The pseudo-transition a workflow records when an object is created (``Workflow.record_creation``),
# so "the creator may not verify" is declared like any other separation.
CREATE = "create"


@dataclass(frozen=True)
class Refusal:
    """Why a guard refuses a transition. ``code`` is stable (default ``guard_failed``); ``fields``
    names the input at fault, as every ``ServiceError`` does."""

    message: str
    code: str = "guard_failed"
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass
class TransitionContext:
    """What a guard or an effect sees. ``obj`` is the locked row (``None`` in a bulk transition,
    which has ``ids`` instead); ``decision`` is set once the decision row is written."""

    workflow: Workflow
    transition: Transition
    actor: Any
    from_state: str
    to_state: str
    obj: Any = None
    reason: str = ""
    note: str = ""
    amount: int | None = None
    effective_date: dt.date | None = None
    data: dict[str, Any] = field(default_factory=dict)
    decision: Decision | None = None
    ids: Sequence[int] | None = None

    @property
    def bulk(self) -> bool:
        return self.obj is None


# A guard returns None to let the transition pass, or a Refusal (or a plain message, which becomes
# a Refusal with code ``guard_failed``).
Guard = Callable[[TransitionContext], "Refusal | str | None"]
# An effect changes the locked object (and writes related rows) inside the transition's
# transaction; it returns the names of the object's fields it set, which are saved with the state.
Effect = Callable[[TransitionContext], "Iterable[str] | None"]
# A bulk effect runs once per chunk of ids, set-based (UPDATE … WHERE id IN …, INSERT … SELECT).
BulkEffect = Callable[[TransitionContext, Sequence[int]], None]
# Extra column values a bulk transition writes with the state (``{"end_date": …}``).
BulkUpdates = Callable[[TransitionContext], Mapping[str, Any]]


def _states(value: str | Iterable[str]) -> tuple[str, ...]:
    return (str(value),) if isinstance(value, str) else tuple(str(v) for v in value)


@dataclass(frozen=True)
class Transition:
    """One step: from any of ``source`` to ``target``.

    ``permission`` is a Django permission (``"claims.verify_claim"``), a callable
    ``(actor, obj) -> bool``, or None (callers decide who may). ``allow_system`` lets the system
    (no actor: the daily job) take the step. ``guards`` check one object; ``batch_guards`` check a
    bulk transition once for the whole batch. ``reason_required``: the step needs a reason code.
    """

    name: str
    source: tuple[str, ...]
    target: str
    permission: str | Callable[[Any, Any], bool] | None = None
    label: Any = None
    guards: tuple[Guard, ...] = ()
    batch_guards: tuple[Guard, ...] = ()
    allow_system: bool = False
    reason_required: bool = False
    effect: Effect | None = None
    bulk_updates: BulkUpdates | None = None
    bulk_effect: BulkEffect | None = None
    audit_action: str = ""
    bulk_audit_action: str = ""

    def __init__(self, name: str, *, source: str | Iterable[str], target: str, **options: Any) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "source", _states(source))
        object.__setattr__(self, "target", str(target))
        for key in ("guards", "batch_guards"):
            if key in options:
                options[key] = tuple(options[key])
        for key, value in options.items():
            if key not in self.__dataclass_fields__:
                raise TypeError(f"Transition {name!r}: unknown option {key!r}")
            object.__setattr__(self, key, value)

    @property
    def title(self) -> str:
        return str(self.label) if self.label is not None else self.name


@dataclass(frozen=True)
class SeparateActors:
    """Maker-checker: whoever performed any of ``first`` on an object may not perform any of
    ``then`` on the same object (``SeparateActors("verify", "approve")``: the verifier cannot
    approve). ``first`` may name :data:`CREATE`, the creation recorded by ``record_creation``."""

    first: tuple[str, ...]
    then: tuple[str, ...]

    def __init__(self, first: str | Iterable[str], then: str | Iterable[str]) -> None:
        object.__setattr__(self, "first", _states(first))
        object.__setattr__(self, "then", _states(then))


@dataclass(frozen=True)
class ExclusiveRoles:
    """Roles no one user may hold two of (``ExclusiveRoles("verifier", "branch_head")``): checked
    when a user is given roles, and again on every transition of the declaring workflow."""

    roles: tuple[str, ...]

    def __init__(self, *roles: str) -> None:
        if len(roles) < 2:
            raise ValueError("ExclusiveRoles needs at least two roles")
        object.__setattr__(self, "roles", tuple(roles))

    def conflict(self, role_names: Iterable[str]) -> tuple[str, ...]:
        held = tuple(r for r in self.roles if r in set(role_names))
        return held if len(held) > 1 else ()


@dataclass(frozen=True)
class Level:
    """From ``min_amount`` rupiah up, ``approvals`` different people must take the step."""

    min_amount: int
    approvals: int


@dataclass(frozen=True)
class ApprovalLevels:
    """Approval levels by amount for one transition, read from the ``LINDUNG_APPROVAL_LEVELS``
    setting under ``setting`` (``{"claims.approve": [[0, 1], [100000000, 2]]}``): each pair is a
    minimum amount and the number of different approvers from that amount up. A key that is not
    configured means one approver. The thresholds are configuration, never literals in code."""

    transition: str
    setting: str

    def levels(self) -> tuple[Level, ...]:
        raw = getattr(settings, "LINDUNG_APPROVAL_LEVELS", {}).get(self.setting) or ()
        levels = tuple(sorted((Level(int(a), int(n)) for a, n in raw), key=lambda lv: lv.min_amount))
        if any(lv.approvals < 1 or lv.min_amount < 0 for lv in levels):
            raise ValueError(f"LINDUNG_APPROVAL_LEVELS[{self.setting!r}]: amounts ≥ 0 and at least one approver per level")
        return levels

    def required(self, amount: int | None) -> int:
        """How many different approvers the step needs for ``amount`` (1 when not configured)."""
        needed = 1
        for level in self.levels():
            if amount is not None and amount >= level.min_amount:
                needed = level.approvals
        return needed
