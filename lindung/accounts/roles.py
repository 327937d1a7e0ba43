"""The roles of Lindung, each a Django group whose permissions are declared here by pattern.

A pattern is ``app_label.codename`` with ``*`` wildcards (``registry.view_*``). Later contexts add
their own custom permissions (``claims.approve_claim``) and the patterns pick them up. ``excluded``
patterns take permissions back out of what ``permissions`` matched (the officer adds membership
data but not sponsors and their agreements, which commit a budget and a quota: the admin's). The groups
are brought in line with this table after every ``migrate`` and by ``lindung roles sync``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

LINDUNG_APPS = ("core", "accounts", "registry", "membership", "contributions", "claims", "payouts", "reports")
OPERATIONAL_APPS = ("registry", "membership", "contributions", "claims", "payouts", "reports")
# Roles whose users work in one branch office and see that branch's rows (see core.scoping).
BRANCH_ROLES = frozenset({"officer", "verifier", "branch_head", "finance"})


def _view_all(*apps: str) -> list[str]:
    return [f"{app}.view_*" for app in apps]


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    description: str
    permissions: tuple[str, ...]
    excluded: tuple[str, ...] = ()


ROLES: dict[str, Role] = {
    r.name: r
    for r in [
        Role(
            "admin",
            _("Administrator"),
            _("Manages users, branches, sponsors and reference data; sees everything."),
            tuple(f"{app}.*" for app in LINDUNG_APPS) + ("auth.*",),
        ),
        Role(
            "officer",
            _("Officer (petugas)"),
            _("Enters data: persons, participants, rosters, payments and claims."),
            (
                *_view_all(*OPERATIONAL_APPS),
                "registry.add_*",
                "registry.change_*",
                "membership.add_*",
                "membership.change_*",
                "membership.import_*",
                "membership.print_*",
                # rows a roster held for verification, changes a roster proposes to the register
                "membership.decide_*",
                "contributions.add_*",
                "contributions.change_*",
                "claims.add_*",
                "claims.change_*",
                "claims.report_*",
                "claims.transfer_*",
                # yearly scholarships: proof of enrolment and stop events
                "payouts.change_scholarship*",
                "core.view_job",
            ),
            # sponsors and their agreements (budget, quota, package) are the admin's
            excluded=tuple(f"membership.{verb}_{model}" for verb in ("add", "change", "delete") for model in ("sponsor", "sponsoragreement")),
        ),
        Role(
            "verifier",
            _("Verifier"),
            _("Checks claims and documents before the branch head approves them."),
            (*_view_all(*OPERATIONAL_APPS), "claims.change_*", "claims.verify_*", "membership.decide_*", "core.view_job"),
        ),
        Role(
            "branch_head",
            _("Branch head"),
            _("Approves claims, payouts and corrections (the checker of maker-checker)."),
            (
                *_view_all(*OPERATIONAL_APPS),
                "claims.approve_*",
                "claims.transfer_*",
                "payouts.approve_*",
                "contributions.approve_*",
                "membership.approve_*",
                "core.view_job",
            ),
        ),
        Role(
            "finance",
            _("Finance"),
            _("Records payments and pays approved benefits."),
            (
                *_view_all(*OPERATIONAL_APPS),
                "contributions.add_*",
                "contributions.change_*",
                "payouts.add_*",
                "payouts.change_*",
                "payouts.pay_*",
                "payouts.authorise_*",
                "payouts.export_*",
                "payouts.import_*",
                "core.view_job",
            ),
        ),
        Role(
            "sponsor",
            _("Sponsor (Disnaker / Pemda)"),
            _("Sees only its own sponsor's workers, invoices and claims; uploads rosters."),
            (
                "registry.view_region",
                # its own programme only: not employers, construction projects or wage reports
                "membership.view_sponsor",
                "membership.view_sponsoragreement",
                "membership.view_participant",
                "membership.view_sponsorshipperiod",
                "membership.view_statuschange",
                "membership.view_rosterimport",
                "membership.import_*",
                "membership.print_*",
                "contributions.view_*",
                "claims.view_claim",
                "claims.report_*",
                # hand-over events that include the sponsor's workers (their cases only)
                "payouts.view_handoverevent",
                "reports.view_*",
                "core.view_job",
            ),
        ),
        Role(
            "auditor",
            _("Auditor"),
            _("Reads everything, including the audit trail; changes nothing."),
            (*_view_all(*LINDUNG_APPS), "auth.view_*"),
        ),
    ]
}


def permissions_for(role: Role, all_permissions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The ``(app_label, codename)`` pairs a role's patterns match."""
    chosen = []
    for app_label, codename in all_permissions:
        full = f"{app_label}.{codename}"
        if any(fnmatch.fnmatchcase(full, pattern) for pattern in role.permissions) and not any(
            fnmatch.fnmatchcase(full, pattern) for pattern in role.excluded
        ):
            chosen.append((app_label, codename))
    return chosen


def sync_roles() -> dict[str, int]:
    """Create the role groups and set exactly the permissions the table grants. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    perms = list(Permission.objects.select_related("content_type"))
    by_key = {(p.content_type.app_label, p.codename): p for p in perms}
    counts = {}
    for role in ROLES.values():
        group, _created = Group.objects.get_or_create(name=role.name)
        wanted = [by_key[k] for k in permissions_for(role, list(by_key))]
        group.permissions.set(wanted)
        counts[role.name] = len(wanted)
    return counts


def sync_roles_after_migrate(sender, app_config=None, **kwargs) -> None:
    """Runs once per migrate, after the last app has its permissions (``post_migrate`` is sent only
    for apps with a models module, so the last of those)."""
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is None or app_config is not with_models[-1]:
        return
    sync_roles()
