"""The layer rules of docs/architecture.md, checked on the source: the kernel (``lindung.core``)
imports no bounded context and relates to no context's model, and no two modules of Lindung
import each other (directly or round a longer loop), counting imports inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

import lindung

ROOT = Path(lindung.__file__).parent
CONTEXTS = ("accounts", "registry", "membership", "contributions", "claims", "payouts", "reports", "demo")
CONTEXT_PREFIXES = tuple(f"lindung.{name}" for name in CONTEXTS)


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            skipped |= {id(inner) for stmt in node.body for inner in ast.walk(stmt)}
    return skipped


def _imports(path: Path, root: Path = ROOT, *, type_checking: bool = True) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every import in the file, at any depth, relative ones resolved;
    for ``from a import b`` both ``a`` and ``a.b`` (b may be a module). ``type_checking=False``
    leaves out the imports under ``if TYPE_CHECKING:``."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if type_checking else _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def _strings(path: Path) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def _in_context(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in CONTEXT_PREFIXES)


def core_imports_of_contexts(root: Path = ROOT) -> list[str]:
    """Every import of a context (and every string naming a context's module) under ``root/core``."""
    problems = []
    for path in sorted((root / "core").rglob("*.py")):
        where = path.relative_to(root.parent)
        problems += [f"{where}:{line} imports {name}" for line, name in _imports(path, root) if _in_context(name)]
        # importlib.import_module("lindung.membership...") and the like
        problems += [f"{where}:{line} names the module {text!r}" for line, text in _strings(path) if _in_context(text)]
    return problems


def test_core_imports_no_context():
    assert core_imports_of_contexts() == []


def test_the_check_finds_an_import_of_a_context(tmp_path):
    core = tmp_path / "lindung" / "core"
    core.mkdir(parents=True)
    (core / "selectors.py").write_text("def panels(user):\n    from ..membership.models import Sponsor\n    return Sponsor\n", encoding="utf-8")
    (core / "demo.py").write_text('STEPS = ["lindung.contributions.demo"]\nfrom lindung.core import audit\n', encoding="utf-8")
    found = core_imports_of_contexts(tmp_path / "lindung")
    assert "lindung/core/selectors.py:2 imports lindung.membership.models" in found
    assert "lindung/core/demo.py:1 names the module 'lindung.contributions.demo'" in found
    assert not [p for p in found if "lindung.core.audit" in p]


def test_core_models_relate_to_no_context_model():
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    problems = []
    for model in apps.get_app_config("core").get_models():
        for field in model._meta.get_fields():
            if not field.is_relation or (field.auto_created and not field.concrete):
                continue  # a reverse relation: a context's model pointing at the kernel is allowed
            related = field.related_model
            if related is None or related is user_model or related._meta.app_label == "core":
                continue
            problems.append(f"{model.__name__}.{field.name} -> {related._meta.label}")
    assert problems == []


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for _line, target in _imports(path, type_checking=False):  # annotations only: no cycle at run time
            while target and target not in modules:
                target = target.rpartition(".")[0]
            # a module importing the package it lives in runs that package's __init__ first anyway
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_import_cycles():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_cycle_check_finds_cycles(graph, expected):
    assert _cycles(graph) == expected


def api_reads_outside_selectors(root: Path = ROOT) -> list[str]:
    """``Model.objects`` used in an API handler module (``api.py``, ``api_*.py``, ``routes*.py``):
    handlers read through the context's scoped selectors only. The platform module
    ``core/api.py`` (idempotency records) is not a handler module."""
    problems = []
    for path in sorted([*root.rglob("api.py"), *root.rglob("api_*.py"), *root.rglob("routes*.py")]):
        if path == root / "core" / "api.py" or path == root / "api.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("objects", "_base_manager", "_default_manager"):
                problems.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    return problems


def test_api_handlers_read_through_selectors(tmp_path):
    assert api_reads_outside_selectors() == []
    probe = tmp_path / "lindung" / "membership"
    probe.mkdir(parents=True)
    (probe / "api_probe.py").write_text("def h(request):\n    return Participant.objects.filter(project=1)\n", encoding="utf-8")
    assert api_reads_outside_selectors(tmp_path / "lindung") == ["lindung/membership/api_probe.py:2"]
