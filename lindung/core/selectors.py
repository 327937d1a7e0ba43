"""Reads of the kernel: jobs, the audit trail and the home page's panels.

The kernel knows no context: each context registers the panels it shows on the home page from its
``AppConfig.ready()`` with ``register_home_panels(order, provider)``; ``provider(user)`` returns the
user's panels of that context (none when the user's role has nothing there). ``home_panels``
lists them by ``order``; the kernel's own panels (audit trail, recent jobs) come last."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lindung.core.errors import NotFound
from lindung.core.formatting import number
from lindung.core.labels import label
from lindung.core.models import AuditEvent, Job


def job_get(*, user, job_id) -> Job:
    job = Job.objects.visible_to(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such job."))
    from lindung.core.jobs import with_live_state

    return with_live_state(job)


def audit_event_list(*, user, action: str | None = None, object_type: str | None = None, object_id: str | None = None, actor: str | None = None):
    qs = AuditEvent.objects.visible_to(user)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_username=actor)
    return qs


@dataclass
class Panel:
    title: str
    body: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    figure: str | None = None


PanelProvider = Callable[[object], Iterable[Panel]]
# provider's dotted name -> (order, provider): registering the same provider twice keeps one.
_PROVIDERS: dict[str, tuple[int, PanelProvider]] = {}


def register_home_panels(order: int, provider: PanelProvider) -> PanelProvider:
    """Show ``provider(user)``'s panels on the home page, in ``order`` among the contexts'
    (sponsors 10, data entry 20, participants 30, claims 40, payouts 50, contributions 60; the
    kernel's own come after 900)."""
    _PROVIDERS[f"{provider.__module__}.{provider.__qualname__}"] = (order, provider)
    return provider


def home_panels(user) -> list[Panel]:
    """The panels of a user's home page, by role."""
    panels: list[Panel] = []
    for _order, provider in sorted(_PROVIDERS.values(), key=lambda item: item[0]):
        panels.extend(provider(user))
    return panels


def _kernel_panels(user) -> list[Panel]:
    panels = []
    if user.has_perm("core.view_auditevent"):
        panels.append(
            Panel(
                _("Audit trail"),
                _("Every change made through Lindung, who made it and when."),
                [(str(_("Open the audit trail")), reverse("core:audit_list"))],
                figure=number(AuditEvent.objects.count()),
            )
        )
    recent_jobs = list(Job.objects.visible_to(user).filter(created_by=user)[:5])
    if recent_jobs:
        panels.append(
            Panel(
                _("Your recent jobs"),
                "",
                [(f"{label(j.kind)} — {j.get_status_display()}", reverse("core:job_detail", args=[j.pk])) for j in recent_jobs],
            )
        )
    return panels


register_home_panels(900, _kernel_panels)
