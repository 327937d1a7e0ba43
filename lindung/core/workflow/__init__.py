"""The decision and workflow kernel: declared states and transitions, maker-checker, approval
levels by amount, one append-only decision table, bulk (set-based) transitions.

A context declares a :class:`Workflow` for its model once (module level) and takes every state
change through ``workflow.perform(...)`` or ``workflow.perform_bulk(...)``; see
docs/architecture.md, "Decisions and workflows", for an example.
"""

from lindung.core.workflow.declarations import (
    CREATE,
    ApprovalLevels,
    ExclusiveRoles,
    Level,
    Refusal,
    SeparateActors,
    Transition,
    TransitionContext,
)
from lindung.core.workflow.engine import (
    BulkOutcome,
    Outcome,
    Workflow,
    WorkflowError,
    check_role_combination,
    exclusive_role_declarations,
    get_workflow,
    registered_workflows,
)

__all__ = [
    "CREATE",
    "ApprovalLevels",
    "BulkOutcome",
    "ExclusiveRoles",
    "Level",
    "Outcome",
    "Refusal",
    "SeparateActors",
    "Transition",
    "TransitionContext",
    "Workflow",
    "WorkflowError",
    "check_role_combination",
    "exclusive_role_declarations",
    "get_workflow",
    "registered_workflows",
]
