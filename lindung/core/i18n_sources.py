"""The translatable messages of the source tree, found without gettext's tools.

``makemessages`` needs GNU gettext; this reads the same messages with Python's ``ast`` (calls to
``_``, ``gettext``, ``gettext_lazy``, ``pgettext``, ``ngettext`` … with literal arguments) and
Django's own template scanner, so ``lindung i18n sources`` and the test suite can tell which
messages are missing from the Indonesian catalogue on a machine with only Python.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

Key = tuple[str | None, str]  # (context, msgid)

PLAIN = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
WITH_CONTEXT = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}

# A Python string literal as Django's template scanner writes it (optionally u-prefixed).
_STRING = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_CALL = re.compile(r"\b(n?p?gettext)\(\s*(" + _STRING + r"(?:\s*,\s*" + _STRING + r")*)")


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def from_python(path: Path) -> Iterator[Key]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if name in PLAIN and args and args[0] is not None:
            yield (None, args[0])
        elif name in WITH_CONTEXT and len(args) >= 2 and args[0] is not None and args[1] is not None:
            yield (args[0], args[1])


def from_template(path: Path) -> Iterator[Key]:
    from django.utils.translation.template import templatize

    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _CALL.finditer(code):
        strings = [ast.literal_eval(s.lstrip("u")) for s in re.findall(_STRING, match.group(2))]
        if match.group(1).startswith(("p", "np")):
            if len(strings) >= 2:
                yield (strings[0], strings[1])
        elif strings:
            yield (None, strings[0])


def source_messages(root: Path, only: list[str] | None = None) -> dict[Key, list[str]]:
    """Every translatable message under ``root`` (the ``lindung`` package) with the files that use
    it; ``only`` limits the scan to paths (relative to ``root``) starting with one of its items."""
    found: dict[Key, list[str]] = {}
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.html")]):
        relative = path.relative_to(root).as_posix()
        if "migrations/" in relative or (only and not relative.startswith(tuple(only))):
            continue
        keys = from_python(path) if path.suffix == ".py" else from_template(path)
        for key in keys:
            found.setdefault(key, [])
            if relative not in found[key]:
                found[key].append(relative)
    return found


def missing_translations(root: Path, po_path: Path, only: list[str] | None = None) -> dict[Key, list[str]]:
    """The source messages that ``po_path`` does not translate."""
    import polib

    translated = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path)).translated_entries() if not e.obsolete}
    return {key: files for key, files in source_messages(root, only).items() if key not in translated}
