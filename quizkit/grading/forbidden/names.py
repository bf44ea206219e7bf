"""Runs in the trusted supervisor (and, for lookups, in the child's guard): dotted names and what they are.

A dotted name is looked up statically (module dicts and class MROs, never running module __getattr__ hooks or
descriptors), so the scan can tell torch.nn.modules.activation.Sigmoid from torch.nn.Sigmoid by identity
without importing anything new. Constant string expressions ("sig" + "moid") are folded the same way.
"""

from __future__ import annotations

import ast
import sys
import types
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    line: int
    name: str  # the forbidden name or refused construct, e.g. torch.sigmoid or getattr
    code: str  # the source text that uses it
    text: str = ""  # the whole message after "file:line: ", when it is not the forbidden-name one

    def message(self, filename: str) -> str:
        from quizkit.render.i18n import t

        if self.text:
            return f"{filename}:{self.line}: {self.text}"
        return f"{filename}:{self.line}: " + t("forbidden.name", code=self.code, name=self.name)

MISSING = object()
_MISSING = MISSING


def static_lookup(obj: Any, name: str) -> Any:
    """getattr without running module __getattr__ hooks or descriptors (never imports anything)."""
    if isinstance(obj, types.ModuleType):
        return vars(obj).get(name, _MISSING)
    if isinstance(obj, type):
        for klass in obj.__mro__:
            if name in vars(klass):
                return vars(klass)[name]
        return _MISSING
    return _MISSING


def resolve(dotted: str) -> Any:
    """The object a dotted name refers to in this process, looked up statically; _MISSING when unknown."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        mod = sys.modules.get(".".join(parts[:cut]))
        if mod is None:
            continue
        obj: Any = mod
        for name in parts[cut:]:
            obj = static_lookup(obj, name)
            if obj is _MISSING:
                return _MISSING
        return obj
    return _MISSING


class Target:
    def __init__(self, name: str) -> None:
        self.name = name
        self.obj = resolve(name)
        self.is_module = isinstance(self.obj, types.ModuleType)
        parent = resolve(name.rpartition(".")[0]) if "." in name else _MISSING
        self.last = name.rpartition(".")[2]
        # A method of a class (torch.Tensor.sigmoid): any `<expr>.sigmoid` may be it.
        self.method = isinstance(parent, type) and not self.is_module
        self.inplace = _MISSING
        if not self.is_module and parent is not _MISSING:
            self.inplace = static_lookup(parent, self.last + "_")

    def matches(self, dotted: str, obj: Any) -> bool:
        if dotted == self.name or dotted.startswith(self.name + "."):
            return True
        if dotted == self.name + "_" and not self.is_module:
            return True
        if obj is _MISSING or obj is None:
            return False
        if self.obj is not _MISSING and obj is self.obj and not isinstance(obj, (int, float, str, bool)):
            return True
        return self.inplace is not _MISSING and obj is self.inplace


def fold_str(node: ast.AST) -> str | None:
    """The value of a constant string expression ("sig" + "moid", f-strings of constants); else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = fold_str(node.left), fold_str(node.right)
        if left is not None and right is not None:
            return left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            s = fold_str(v)
            if s is None:
                return None
            parts.append(s)
        return "".join(parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" \
            and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
        sep = fold_str(node.func.value)
        items = [fold_str(e) for e in node.args[0].elts]
        if sep is not None and all(i is not None for i in items):
            return sep.join(items)  # type: ignore[arg-type]
    return None


def bind_import(aliases: dict[str, str], alias: ast.alias) -> None:
    """Record what `import a.b [as x]` binds: x names a.b; without `as`, a names the package a."""
    if alias.asname:
        aliases[alias.asname] = alias.name
    else:
        top = alias.name.split(".")[0]
        aliases[top] = top
