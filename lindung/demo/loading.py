"""``lindung demo``: the base data, then each step in dependency order, in one transaction.

A step is a module of this package with ``load(context: dict) -> dict``; ``context`` carries
``branch`` and ``sponsors`` (by code) and what earlier steps returned (under the step's name)."""

from __future__ import annotations

from django.db import transaction

from lindung.demo import contributions, registration, sponsorship
from lindung.demo.base import load_base

DEMO_STEPS = [
    sponsorship,  # agreements and an enrolled roster
    registration,  # self-paying BPU workers, employers (PU), a project
    contributions,  # billing runs and payments
]


@transaction.atomic
def load_demo() -> dict:
    context = load_base()
    for step in DEMO_STEPS:
        context[step.__name__.rsplit(".", 1)[-1]] = step.load(context)
    return {"users_created": context["users_created"], "sponsors": list(context["sponsors"]), "branch": context["branch"].code}
