"""Runs in the trusted supervisor: the static scan for forbidden names in a submission's source.

It resolves import aliases (`import torch.nn.functional as F` then `F.sigmoid`), `from` imports, star
imports, in-place variants (`sigmoid_`), tensor methods (`x.sigmoid()`), constant `getattr`/`import_module`
strings ("sig" + "moid" is folded), and identity aliases such as torch.nn.modules.activation.Sigmoid.
The rules that keep the student from reaching around it (imports allowlist, no reflection) are in rules.py.
"""

from __future__ import annotations

import ast
import sys
import types
from collections.abc import Sequence

from quizkit.grading.forbidden.names import Finding, Target, bind_import, fold_str, resolve
from quizkit.grading.forbidden.policy import Policy
from quizkit.grading.forbidden.rules import check_rules


class Scanner(ast.NodeVisitor):
    def __init__(self, source: str, targets: list[Target]) -> None:
        self.source = source
        self.targets = targets
        self.aliases: dict[str, str] = {}
        self.findings: dict[tuple[int, str], Finding] = {}
        self.called_with_args: set[int] = set()

    # -- helpers -----------------------------------------------------------------------------------------
    def code(self, node: ast.AST) -> str:
        text = ast.get_source_segment(self.source, node) or ""
        text = " ".join(text.split())
        return text if len(text) <= 80 else text[:77] + "..."

    def flag(self, node: ast.AST, name: str, code: str | None = None) -> None:
        line = getattr(node, "lineno", 0)
        key = (line, name)
        if key not in self.findings:
            self.findings[key] = Finding(line, name, code if code is not None else self.code(node))

    def check_dotted(self, node: ast.AST, dotted: str, code: str | None = None) -> bool:
        obj = resolve(dotted)
        for t in self.targets:
            if t.matches(dotted, obj):
                self.flag(node, t.name, code)
                return True
        return False

    def dotted(self, node: ast.AST) -> str | None:
        """torch.nn.functional.sigmoid for F.sigmoid when F is an import alias; None when not a name chain."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base is not None else None
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            name = fold_str(node.args[0])
            if name is not None and fname == "import_module":
                return name
            if name is not None and fname == "__import__":
                return name.split(".")[0]
        return None

    def attribute(self, node: ast.AST, base: ast.AST, attr: str) -> None:
        base_name = self.dotted(base)
        if base_name is not None:
            if self.check_dotted(node, f"{base_name}.{attr}"):
                return
            if isinstance(resolve(base_name), types.ModuleType) or base_name in sys.modules:
                return  # a module's attribute: decided by its full name above
        if isinstance(base, ast.Name) and base.id in ("self", "cls"):
            return
        if id(node) in self.called_with_args:
            return  # obj.sigmoid(x): a tensor's .sigmoid() takes no arguments, so this is the student's own
        for t in self.targets:
            if t.method and attr in (t.last, t.last + "_"):
                self.flag(node, t.name)
                return

    # -- visitors ----------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            self.check_dotted(node, a.name)
            bind_import(self.aliases, a)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        self.check_dotted(node, node.module)
        for a in node.names:
            if a.name == "*":
                for t in self.targets:
                    parent, _, last = t.name.rpartition(".")
                    if parent == node.module:
                        self.aliases[last] = t.name
                    elif parent.startswith(node.module + ".") or t.name.startswith(node.module + "."):
                        continue
                continue
            full = f"{node.module}.{a.name}"
            self.check_dotted(node, full)
            self.aliases[a.asname or a.name] = full

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.attribute(node, node.value, node.attr)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        full = self.aliases.get(node.id)
        if full is not None and full != node.id:
            self.check_dotted(node, full)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and node.args:
            self.called_with_args.add(id(func))
        fname = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if fname in ("getattr", "setattr", "hasattr", "delattr") and len(node.args) >= 2:
            attr = fold_str(node.args[1])
            if attr is not None:
                self.attribute(node, node.args[0], attr)
        elif fname in ("__import__", "import_module") and node.args:
            name = fold_str(node.args[0])
            if name is not None:
                self.check_dotted(node, name)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and "." in node.value:
            value = node.value.strip()
            for t in self.targets:
                if "." in t.name and (value == t.name or value.startswith(t.name + ".")):
                    self.flag(node, t.name)

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Constant):
            return  # docstrings and bare strings may mention names
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        folded = fold_str(node)
        if folded is not None and "." in folded:
            self.visit_Constant(ast.copy_location(ast.Constant(folded), node))
        self.generic_visit(node)


def scan(source: str, forbidden: Sequence[str], filename: str = "<submission>") -> list[Finding]:
    """Uses of forbidden names, in line order. Raises SyntaxError when the source does not parse."""
    if not forbidden:
        return []
    tree = ast.parse(source, filename=filename)
    scanner = Scanner(source, [Target(name) for name in forbidden])
    scanner.visit(tree)
    return sorted(scanner.findings.values(), key=lambda f: (f.line, f.name))



def check(source: str, policy: Policy, filename: str = "<submission>") -> list[Finding]:
    """Everything the scan refuses (forbidden names, imports outside the allowlist, reflection), by line.

    Raises SyntaxError when the source does not parse.
    """
    tree = ast.parse(source, filename=filename)
    _import_allowed(policy.imports)
    scanner = Scanner(source, [Target(name) for name in policy.refused])
    scanner.visit(tree)
    findings = {(f.line, f.name): f for f in check_rules(tree, source, policy.imports)}
    for f in scanner.findings.values():
        findings.setdefault((f.line, f.name), f)
    return sorted(findings.values(), key=lambda f: (f.line, f.name))


def _import_allowed(modules: tuple[str, ...]) -> None:
    """Names are resolved against the live modules, so the ones a submission may import must be loaded here."""
    import importlib

    for name in modules:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
