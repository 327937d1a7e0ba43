"""Registration of members who are not enrolled through a sponsor's roster: self-paying BPU
workers, employers with their wage-earner (PU) workers and monthly wage reports, and
construction projects (JAKON) with their workers.

Every function here is a service: it takes ``actor=``, validates with the rules engine, writes in
one transaction and records an audit event (one per batch on bulk paths). Validation errors name
the field (``ServiceError.fields``) or the row (``FileRejected``); nothing is half-written.

Modules: ``self_paying`` (BPU), ``employers`` (employers and PU workers), ``wages`` (monthly wage
reports), ``projects`` (construction projects and workers), ``lists`` (a list of workers of any
of these registered at once, set-based), ``exits`` (ending a membership),
``premiums`` (from the rules engine), ``inputs`` and ``people`` (what the services share).
"""

from lindung.membership.registration.employers import employer_create, register_pu_workers
from lindung.membership.registration.exits import end_membership
from lindung.membership.registration.lists import ListSummary, register_bpu_list, register_project_list, register_pu_list
from lindung.membership.registration.premiums import (
    bpu_income_limits,
    bpu_income_problem,
    bpu_premium,
    participant_premium,
    project_premium,
    pu_premium,
)
from lindung.membership.registration.projects import project_add_workers, register_project
from lindung.membership.registration.self_paying import register_bpu
from lindung.membership.registration.wages import WageRow, parse_wage_file, record_wages

__all__ = [
    "ListSummary",
    "WageRow",
    "bpu_income_limits",
    "bpu_income_problem",
    "bpu_premium",
    "employer_create",
    "end_membership",
    "parse_wage_file",
    "participant_premium",
    "project_add_workers",
    "project_premium",
    "pu_premium",
    "record_wages",
    "register_bpu",
    "register_bpu_list",
    "register_project",
    "register_project_list",
    "register_pu_list",
    "register_pu_workers",
]
