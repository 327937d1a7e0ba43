"""Carrying out declared transitions: lock, re-read, check, write state + decision + audit, in one
transaction. See docs/architecture.md ("Decisions and workflows") for an example."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.core import audit, labels
from lindung.core.errors import ServiceError
from lindung.core.workflow.declarations import (
    CREATE,
    ApprovalLevels,
    ExclusiveRoles,
    Refusal,
    SeparateActors,
    Transition,
    TransitionContext,
)
from lindung.core.workflow.models import Decision

_REGISTRY: dict[str, Workflow] = {}
CHUNK = 5000
# A bulk decision lists the ids of its batch up to this many; beyond it, the filter describes it.
DEFAULT_BATCH_IDS = 10_000
_SEEN = object()


class WorkflowError(ServiceError):
    """A transition was refused. Codes: ``transition_not_allowed``, ``permission_denied``,
    ``maker_checker``, ``guard_failed`` (or a guard's own code), ``reason_required``,
    ``stale_state``."""


_STATUS = {"permission_denied": 403, "maker_checker": 403, "stale_state": 409, "transition_not_allowed": 409}


def _refuse(code: str, message: str, fields: dict[str, str] | None = None) -> WorkflowError:
    return WorkflowError(code, message, fields, status=_STATUS.get(code, 400))


@dataclass(frozen=True)
class Outcome:
    """The result of one transition: the object (the caller's instance, brought up to date), the
    decision written, and whether the state moved (False for an approval still waiting for more
    approvers)."""

    obj: Any
    decision: Decision
    moved: bool


@dataclass(frozen=True)
class BulkOutcome:
    count: int
    decision: Decision | None


def _actor_pk(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None


def _role_names(actor) -> frozenset[str]:
    names = getattr(actor, "role_names", None)
    if names is None:
        names = frozenset(actor.groups.values_list("name", flat=True))
    return frozenset(names)


def exclusive_role_declarations() -> list[tuple[str, ExclusiveRoles]]:
    """Every ``ExclusiveRoles`` declared by a registered workflow, with the workflow's name."""
    return [(wf.name, ex) for wf in _REGISTRY.values() for ex in wf.exclusive_roles]


def check_role_combination(role_names: Iterable[str]) -> None:
    """Refuse (``roles_conflict``) a set of roles that a workflow declared may not be held together."""
    names = set(role_names)
    for _name, ex in exclusive_role_declarations():
        held = ex.conflict(names)
        if held:
            raise ServiceError(
                "roles_conflict",
                _("The roles %(roles)s may not be held by one user (maker-checker).") % {"roles": ", ".join(held)},
                {"roles": "conflict: " + ", ".join(held)},
            )


def get_workflow(name: str) -> Workflow:
    return _REGISTRY[name]


def registered_workflows() -> list[Workflow]:
    return list(_REGISTRY.values())


class Workflow:
    """The states and transitions of one model's state field, and its maker-checker rules.

    ``amount``: a field name or ``obj -> int`` giving the amount approval levels compare against
    (an explicit ``amount=`` to :meth:`perform` wins). ``audit_fields``: fields compared before and
    after in the audit event (the state field always). ``effect``/``bulk_effect`` run on every
    transition of the workflow, after the transition's own. ``sponsor_of``: ``obj -> sponsor id``
    for the audit event's sponsor reference.
    """

    def __init__(
        self,
        name: str,
        *,
        model: type[models.Model],
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        field: str = "status",
        separate: Iterable[SeparateActors] = (),
        exclusive_roles: Iterable[ExclusiveRoles] = (),
        approval_levels: Iterable[ApprovalLevels] = (),
        amount: str | Callable[[Any], int | None] | None = None,
        audit_fields: Iterable[str] = (),
        sponsor_of: Callable[[Any], int | None] | None = None,
        effect=None,
        bulk_effect=None,
        register: bool = True,
    ) -> None:
        self.name = name
        self.model = model
        self.states = states
        self.field = field
        self.transitions = {t.name: t for t in transitions}
        self.separate = tuple(separate)
        self.exclusive_roles = tuple(exclusive_roles)
        self.approval_levels = {a.transition: a for a in approval_levels}
        self.amount = amount
        self.audit_fields = tuple(dict.fromkeys([field, *audit_fields]))
        self.sponsor_of = sponsor_of
        self.effect = effect
        self.bulk_effect = bulk_effect
        self._validate()
        if register:
            self.register()

    def register(self) -> None:
        """Make the workflow known (its exclusive roles are then checked when users get roles)."""
        if _REGISTRY.get(self.name, self) is not self:
            raise ValueError(f"a workflow named {self.name!r} is registered already")
        _REGISTRY[self.name] = self

    def unregister(self) -> None:
        if _REGISTRY.get(self.name) is self:
            del _REGISTRY[self.name]

    # ------------------------------------------------------------------ declarations
    def _validate(self) -> None:
        known = set(self.states.values)
        for t in self.transitions.values():
            bad = [s for s in (*t.source, t.target) if s not in known]
            if bad:
                raise ValueError(f"workflow {self.name}: transition {t.name!r} names unknown state(s) {bad}")
            if t.name == CREATE:
                raise ValueError(f"workflow {self.name}: {CREATE!r} is reserved for the creation record")
        names = {*self.transitions, CREATE}
        for sep in self.separate:
            unknown = [n for n in (*sep.first, *sep.then) if n not in names]
            if unknown:
                raise ValueError(f"workflow {self.name}: separation names unknown transition(s) {unknown}")
        for tname in self.approval_levels:
            if tname not in self.transitions:
                raise ValueError(f"workflow {self.name}: approval levels for unknown transition {tname!r}")

    @property
    def object_type(self) -> str:
        return self.model._meta.label_lower

    def state_label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return value or "—"

    def transition(self, name: str) -> Transition:
        try:
            return self.transitions[name]
        except KeyError:
            raise ValueError(f"workflow {self.name}: no transition {name!r}") from None

    def step_label(self, name: str) -> str:
        """The words for a decision's step on a timeline: the transition's label ("authorise" →
        *otorisasi*), "created" for the creation record; a step no longer declared reads as its
        code's label."""
        if name == CREATE:
            return _("created")
        if name in self.transitions:
            return self.transitions[name].title
        return labels.label(name)

    def find(self, from_state: str, to_state: str) -> Transition | None:
        """The transition from ``from_state`` to ``to_state``, if one is declared."""
        for t in self.transitions.values():
            if from_state in t.source and t.target == to_state:
                return t
        return None

    def _resolve(self, name: str | None, to: str | None, current: str) -> Transition:
        what = str(self.model._meta.verbose_name)
        if name is not None:
            t = self.transition(name)
            if current not in t.source:
                raise _refuse(
                    "transition_not_allowed",
                    _("“%(step)s” is not possible while the %(object)s is “%(state)s”.")
                    % {"step": t.title, "object": what, "state": self.state_label(current)},
                    {self.field: current},
                )
            return t
        t = self.find(current, str(to))
        if t is None:
            raise _refuse(
                "transition_not_allowed",
                _("A %(object)s cannot go from “%(from)s” to “%(to)s”.")
                % {"object": what, "from": self.state_label(current), "to": self.state_label(str(to))},
                {self.field: str(to)},
            )
        return t

    # ------------------------------------------------------------------ checks
    def _check_actor(self, t: Transition, actor, obj) -> None:
        if _actor_pk(actor) is None:
            if not t.allow_system:
                raise _refuse("permission_denied", _("“%(step)s” must be taken by a signed-in user.") % {"step": t.title})
            return
        if t.permission is not None:
            allowed = actor.has_perm(t.permission) if isinstance(t.permission, str) else bool(t.permission(actor, obj))
            if not allowed:
                raise _refuse("permission_denied", _("You do not have the permission for “%(step)s”.") % {"step": t.title})
        held_names = _role_names(actor)
        for ex in self.exclusive_roles:
            held = ex.conflict(held_names)
            if held:
                raise _refuse(
                    "maker_checker",
                    _("You hold the roles %(roles)s together, which this workflow does not allow; ask an administrator to separate them.")
                    % {"roles": ", ".join(held)},
                    {"roles": ", ".join(held)},
                )

    def _history(self, obj) -> models.QuerySet:
        return Decision.objects.filter(object_type=self.object_type, object_id=str(obj.pk))

    def _check_separation(self, t: Transition, actor, obj) -> None:
        actor_pk = _actor_pk(actor)
        if actor_pk is None:
            return
        for sep in self.separate:
            if t.name not in sep.then:
                continue
            earlier = self._history(obj).filter(transition__in=sep.first, actor_id=actor_pk).values_list("transition", flat=True).first()
            if earlier is not None:
                step = str(self.transitions[earlier].title) if earlier in self.transitions else _("create")
                raise _refuse(
                    "maker_checker",
                    _("You took the step “%(earlier)s” on this %(object)s, so another person must take “%(step)s”.")
                    % {"earlier": step, "object": str(self.model._meta.verbose_name), "step": t.title},
                    {"actor": "maker-checker"},
                )

    @staticmethod
    def _run_guards(guards: Iterable, ctx: TransitionContext) -> None:
        for guard in guards:
            refusal = guard(ctx)
            if refusal is None:
                continue
            if not isinstance(refusal, Refusal):
                refusal = Refusal(str(refusal))
            raise _refuse(refusal.code, refusal.message, dict(refusal.fields))

    def _check_reason(self, t: Transition, reason: str) -> None:
        if t.reason_required and not reason:
            raise _refuse("reason_required", _("“%(step)s” needs a reason.") % {"step": t.title}, {"reason": "required"})

    def _amount(self, obj, amount: int | None) -> int | None:
        if amount is not None or self.amount is None:
            return amount
        return getattr(obj, self.amount) if isinstance(self.amount, str) else self.amount(obj)

    def _approvals(self, t: Transition, actor, obj, amount: int | None) -> tuple[int, int]:
        """(approvals already given in this round, approvals required). A round is the run of
        partial approvals of ``t`` since the object last took another step."""
        levels = self.approval_levels.get(t.name)
        if levels is None:
            return 0, 1
        required = levels.required(amount)
        given: list[int | None] = []
        for d in self._history(obj).order_by("-id").only("transition", "details", "actor_id").iterator():
            if d.transition != t.name or not d.details.get("partial"):
                break
            given.append(d.actor_id)
        actor_pk = _actor_pk(actor)
        if actor_pk is not None and actor_pk in given:
            raise _refuse(
                "maker_checker",
                _("You have already approved this step; %(required)s different people must take “%(step)s” for this amount.")
                % {"required": required, "step": t.title},
                {"actor": "already approved"},
            )
        return len(given), required

    def check(self, obj, name: str, *, actor) -> WorkflowError | None:
        """Why ``actor`` may not take ``name`` on ``obj`` now (without locking), or None. For
        showing only the actions a user may take; :meth:`perform` checks again under the lock."""
        try:
            t = self._resolve(name, None, getattr(obj, self.field))
            self._check_actor(t, actor, obj)
            self._check_separation(t, actor, obj)
            if t.name in self.approval_levels:
                self._approvals(t, actor, obj, self._amount(obj, None))
        except WorkflowError as exc:
            return exc
        return None

    def available(self, obj, *, actor) -> list[Transition]:
        """The transitions ``actor`` may take on ``obj`` in its current state (guards not run)."""
        return [t for t in self.transitions.values() if getattr(obj, self.field) in t.source and self.check(obj, t.name, actor=actor) is None]

    def history(self, obj) -> models.QuerySet:
        """The decisions on ``obj``, oldest first (bulk batches are not listed per object)."""
        return self._history(obj).select_related("actor").order_by("id")

    # ------------------------------------------------------------------ writing
    def _decision(self, ctx: TransitionContext, *, object_id: str = "", count: int = 1, batch=None, details=None) -> Decision:
        actor_pk = _actor_pk(ctx.actor)
        return Decision.objects.create(
            actor_id=actor_pk,
            actor_username=ctx.actor.get_username() if actor_pk else "",
            source=audit.current_source(),
            workflow=self.name,
            transition=ctx.transition.name,
            object_type=self.object_type,
            object_id=object_id,
            from_state=ctx.from_state,
            to_state=ctx.to_state,
            reason=ctx.reason[:64],
            note=ctx.note[:500],
            amount=ctx.amount,
            effective_date=ctx.effective_date,
            count=count,
            batch=batch,
            details=details or {},
        )

    def record_creation(self, obj, *, actor, note: str = "") -> Decision:
        """Record who created ``obj`` (the pseudo-transition :data:`CREATE`), so separations such
        as ``SeparateActors(CREATE, "verify")`` apply. Call it in the creating transaction."""
        state = getattr(obj, self.field)
        ctx = TransitionContext(self, Transition(CREATE, source=state, target=state), actor, "", state, obj=obj, note=note)
        return self._decision(ctx, object_id=str(obj.pk), details={"created": True})

    def record_creations(self, objs, *, actor, note: str = "") -> list[Decision]:
        """:meth:`record_creation` for many objects created together (an import), in one insert per
        chunk: each object still gets its own creation record, so separations apply to each."""
        actor_pk = _actor_pk(actor)
        rows = [
            Decision(
                actor_id=actor_pk,
                actor_username=actor.get_username() if actor_pk else "",
                source=audit.current_source(),
                workflow=self.name,
                transition=CREATE,
                object_type=self.object_type,
                object_id=str(obj.pk),
                from_state="",
                to_state=getattr(obj, self.field),
                note=note[:500],
                count=1,
                details={"created": True},
            )
            for obj in objs
        ]
        return Decision.objects.bulk_create(rows, batch_size=CHUNK)

    def perform(
        self,
        obj,
        name: str | None = None,
        *,
        actor,
        to: str | None = None,
        reason: str = "",
        note: str = "",
        amount: int | None = None,
        effective_date: dt.date | None = None,
        data: dict[str, Any] | None = None,
        expect: Any = _SEEN,
    ) -> Outcome:
        """Take transition ``name`` (or the one leading to ``to``) on ``obj``, in one transaction:
        lock the row (``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transactions serialise writers),
        re-read its state, refuse with ``stale_state`` when it is no longer ``expect`` (by default
        the state of the instance passed in: the state the user saw), check the step, permission,
        exclusive roles, separations, guards and approval levels, then write the new state, the
        decision and the audit event. ``expect=None`` skips the staleness check (the transition
        then starts from whatever state the row holds now)."""
        if (name is None) == (to is None):
            raise ValueError("perform() takes a transition name or to=, not both")
        seen = getattr(obj, self.field) if expect is _SEEN else expect
        with transaction.atomic():
            locked = self.model._base_manager.select_for_update().get(pk=obj.pk)
            current = getattr(locked, self.field)
            if seen is not None and current != seen:
                raise _refuse(
                    "stale_state",
                    _("This %(object)s was changed by someone else in the meantime: it is now “%(state)s”. Reload it and try again.")
                    % {"object": str(self.model._meta.verbose_name), "state": self.state_label(current)},
                    {self.field: current},
                )
            t = self._resolve(name, to, current)
            self._check_actor(t, actor, locked)
            self._check_reason(t, reason)
            self._check_separation(t, actor, locked)
            value = self._amount(locked, amount)
            ctx = TransitionContext(
                self,
                t,
                actor,
                current,
                t.target,
                obj=locked,
                reason=reason,
                note=note,
                amount=value,
                effective_date=effective_date,
                data=dict(data or {}),
            )
            self._run_guards(t.guards, ctx)
            given, required = self._approvals(t, actor, locked, value)
            partial = given + 1 < required
            before = audit.snapshot(locked, self.audit_fields)
            details = {"partial": partial, "approvals": given + 1, "required": required} if required > 1 else {}
            if partial:
                ctx.to_state = current
            ctx.decision = self._decision(ctx, object_id=str(locked.pk), details=details)
            if not partial:
                setattr(locked, self.field, t.target)
                changed = [self.field]
                for effect in (t.effect, self.effect):
                    if effect is not None:
                        changed.extend(effect(ctx) or ())
                changed.extend(f.name for f in self.model._meta.concrete_fields if getattr(f, "auto_now", False))
                locked.save(update_fields=list(dict.fromkeys(changed)))
                for fname in dict.fromkeys(changed):
                    f = self.model._meta.get_field(fname)
                    setattr(obj, f.attname, getattr(locked, f.attname))
            audit.record(
                actor=actor,
                action=(t.audit_action or f"{self.name}.{t.name}") + (".partial" if partial else ""),
                obj=locked,
                changes=audit.diff(before, audit.snapshot(locked, self.audit_fields)),
                summary=note
                or (audit.Message(gettext_noop("approval %(given)s of %(required)s"), given=given + 1, required=required) if partial else ""),
                sponsor_id=self.sponsor_of(locked) if self.sponsor_of else None,
            )
        return Outcome(obj, ctx.decision, not partial)

    def perform_bulk(
        self,
        ids: Iterable[int],
        name: str | None = None,
        *,
        from_state: str,
        actor,
        to: str | None = None,
        reason: str = "",
        note: str = "",
        effective_date: dt.date | None = None,
        description: str = "",
        data: dict[str, Any] | None = None,
        summary: str = "",
    ) -> BulkOutcome:
        """Take one transition on every object of ``ids`` that is still in ``from_state``,
        set-based, and write ONE decision for the batch (its ids, or ``description`` when there
        are more than ``LINDUNG_DECISION_BATCH_IDS``) and one audit event. Rows are locked in id
        order; objects that left ``from_state`` meanwhile are skipped. Per-object guards and
        maker-checker rules do not apply to bulk steps (declare them only on single steps);
        ``batch_guards`` run once. Returns how many objects moved and the decision."""
        wanted = sorted(set(ids))
        if not wanted:
            return BulkOutcome(0, None)
        t = self._resolve(name, to, from_state) if name is None else self.transition(name)
        if from_state not in t.source:
            self._resolve(t.name, None, from_state)
        self._check_actor(t, actor, None)
        self._check_reason(t, reason)
        ctx = TransitionContext(self, t, actor, from_state, t.target, reason=reason, note=note, effective_date=effective_date, data=dict(data or {}))
        self._run_guards(t.batch_guards, ctx)
        manager = self.model._base_manager
        with transaction.atomic():
            moving: list[int] = []
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                moving.extend(
                    manager.filter(pk__in=chunk, **{self.field: from_state}).select_for_update().order_by("pk").values_list("pk", flat=True)
                )
            if not moving:
                return BulkOutcome(0, None)
            ctx.ids = moving
            limit = int(getattr(settings, "LINDUNG_DECISION_BATCH_IDS", DEFAULT_BATCH_IDS))
            batch: dict[str, Any] = {"ids": moving} if len(moving) <= limit else {"ids_omitted": len(moving)}
            if description:
                batch["filter"] = description
            ctx.decision = self._decision(ctx, count=len(moving), batch=batch)
            fields = {self.field: t.target, **(dict(t.bulk_updates(ctx)) if t.bulk_updates else {})}
            for start in range(0, len(moving), CHUNK):
                chunk = moving[start : start + CHUNK]
                manager.filter(pk__in=chunk).update(**fields)
                for effect in (t.bulk_effect, self.bulk_effect):
                    if effect is not None:
                        effect(ctx, chunk)
            # Shown on the audit page in the reader's language, in words.
            words = {"count": len(moving), "objects": audit.as_objects(self.model._meta.label_lower), "from": audit.as_label(from_state)}
            words["to"] = audit.as_label(t.target)
            if effective_date:
                default_summary = audit.Message(
                    gettext_noop("%(count)s %(objects)s: %(from)s → %(to)s, on %(date)s"), **words, date=audit.as_date(effective_date)
                )
            else:
                default_summary = audit.Message(gettext_noop("%(count)s %(objects)s: %(from)s → %(to)s"), **words)
            audit.record(
                actor=actor,
                action=t.bulk_audit_action or f"{self.name}.bulk_{t.name}",
                object_type=self.object_type,
                changes={
                    "from": from_state,
                    "to": t.target,
                    "count": len(moving),
                    "effective_date": effective_date.isoformat() if effective_date else None,
                    "reason": reason,
                    "decision": ctx.decision.pk,
                },
                summary=summary or default_summary,
            )
        return BulkOutcome(len(moving), ctx.decision)
