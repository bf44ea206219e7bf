"""Runs in the trusted supervisor: the rules that keep a submission from reaching around the other checks.

Deny by default. A submission may import only the modules its exercise lists (`imports:`), and may reach by
attribute only those modules (`torch.optim`, `F.torch.autograd` and `torch.nn.modules` are refused when they
are not listed, whatever the alias). It may not use reflection: no getattr/setattr/hasattr/delattr with a
computed name, no vars/globals/locals, no exec/eval/compile/__import__/open/breakpoint, no dunder attribute
other than __init__/__name__/__qualname__/__doc__ (defining dunder methods in a class is fine), no frame or
code attributes, no private names of imported modules or of torch.Tensor, no module passed around as a value,
and no assignment into an imported module or class. Everything in the child (the guard, the operator check,
the request handler) is then out of the student's reach, because every route to it is one of these.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import types
from typing import Any

from quizkit.grading.forbidden.names import MISSING, Finding, bind_import, fold_str, resolve
from quizkit.render.i18n import t

ALLOWED_DUNDER_ATTRS = frozenset({"__init__", "__name__", "__qualname__", "__doc__"})
ALLOWED_DUNDER_NAMES = frozenset({"__name__", "__doc__", "__file__", "__all__", "__version__", "__author__"})
CLASS_DUNDERS_REFUSED = frozenset({"__class__", "__dict__", "__builtins__", "__getattribute__"})
# Attributes of frames, tracebacks, generators, coroutines, code objects and cells: each leads to a frame's
# globals, and from there to everything in the child.
INTROSPECTION = frozenset("""
    f_back f_globals f_locals f_builtins f_code f_trace f_lasti tb_frame tb_next gi_frame gi_code gi_yieldfrom
    gi_suspended cr_frame cr_code cr_await cr_origin ag_frame ag_code ag_await co_code co_consts co_names
    co_filename func_globals func_closure func_code func_defaults cell_contents im_func im_self
""".split())
REFUSED_BUILTINS = {  # name -> i18n key of the advice
    "eval": "forbidden.advice.code", "exec": "forbidden.advice.code", "compile": "forbidden.advice.code",
    "__import__": "forbidden.advice.import", "open": "forbidden.advice.files", "breakpoint": "forbidden.advice.io",
    "input": "forbidden.advice.io", "help": "forbidden.advice.io", "vars": "forbidden.advice.names",
    "globals": "forbidden.advice.names", "locals": "forbidden.advice.names",
}
REFLECTIVE = frozenset({"getattr", "setattr", "delattr", "hasattr"})


def _tensor_private_names() -> frozenset[str]:
    torch = sys.modules.get("torch")
    if torch is None:
        return frozenset()
    names: set[str] = set()
    for klass in torch.Tensor.__mro__:
        names.update(n for n in vars(klass) if n.startswith("_") and not n.startswith("__"))
    return frozenset(names)


def _dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def module_name(dotted: str) -> str | None:
    """The canonical name of the module `dotted` refers to (torch.nn.functional.torch -> torch); else None."""
    obj = resolve(dotted)
    if isinstance(obj, types.ModuleType):
        return str(obj.__name__)
    if obj is not MISSING or "." not in dotted:
        return None
    parent = resolve(dotted.rpartition(".")[0])
    if not isinstance(parent, types.ModuleType) or not hasattr(parent, "__path__"):
        return None
    try:  # a submodule that is not imported yet (its parent package is, so nothing new runs)
        spec = importlib.util.find_spec(f"{parent.__name__}.{dotted.rpartition('.')[2]}")
    except (ImportError, ValueError, AttributeError):
        return None
    return spec.name if spec is not None else None


class Rules(ast.NodeVisitor):
    def __init__(self, source: str, imports: tuple[str, ...]) -> None:
        self.source = source
        self.allowed = frozenset(imports) | {"__future__"}
        self.shown = ", ".join(sorted(set(imports) - {"__future__"})) or "-"
        self.aliases: dict[str, str] = {}
        self.star: list[str] = []
        self.findings: dict[tuple[int, str], Finding] = {}
        self.ok: set[int] = set()  # ids of nodes already judged (attribute bases, alias sources, getattr)
        self.class_depth = 0
        self.tensor_private = _tensor_private_names()

    # -- helpers -----------------------------------------------------------------------------------------------
    def code(self, node: ast.AST) -> str:
        text = " ".join((ast.get_source_segment(self.source, node) or "").split())
        return text if len(text) <= 80 else text[:77] + "..."

    def refuse(self, node: ast.AST, key: str, what: str, **args: Any) -> None:
        line = getattr(node, "lineno", 0)
        if (line, what) not in self.findings:
            text = t(key, code=self.code(node), name=what, allowed=self.shown, **args)
            self.findings[(line, what)] = Finding(line, what, self.code(node), text)

    def dotted(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            name = self.aliases.get(node.id)
            if name is None:
                name = next((f"{m}.{node.id}" for m in self.star if resolve(f"{m}.{node.id}") is not MISSING), None)
            return name
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value)
            return f"{base}.{node.attr}" if base is not None else None
        return None

    def check_module(self, node: ast.AST, dotted: str) -> bool:
        """Refuse `dotted` when it is a module outside the allowlist; True when it is a module."""
        mod = module_name(dotted)
        if mod is None:
            return False
        if mod not in self.allowed:
            self.refuse(node, "forbidden.module", mod)
        return True

    def check_attr(self, node: ast.AST, base: ast.AST, attr: str, *, store: bool = False) -> None:
        """One attribute access `base.attr` (also getattr(base, "attr")), whatever syntax spelled it."""
        self.ok.add(id(base))
        if _dunder(attr):
            if attr not in ALLOWED_DUNDER_ATTRS:
                self.refuse(node, "forbidden.dunder", attr)
            return
        if attr in INTROSPECTION:
            self.refuse(node, "forbidden.introspection", attr)
            return
        base_name = self.dotted(base)
        if base_name is None:
            is_self = isinstance(base, ast.Name) and base.id in ("self", "cls")
            if attr in self.tensor_private and not is_self:
                self.refuse(node, "forbidden.private", attr)
            return
        if self.check_module(node, base_name) and module_name(base_name) not in self.allowed:
            return  # a star import can bind a module the allowlist lacks (F's own `importlib`)
        full = f"{base_name}.{attr}"
        if attr.startswith("_"):
            self.refuse(node, "forbidden.private", full)
            return
        if store:
            self.refuse(node, "forbidden.patch", full)
            return
        self.check_module(node, full)

    # -- imports -----------------------------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.name not in self.allowed:
                self.refuse(node, "forbidden.import", a.name)
            bind_import(self.aliases, a)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            self.refuse(node, "forbidden.relative", "." * node.level + (node.module or ""))
            return
        if node.module not in self.allowed:
            self.refuse(node, "forbidden.import", node.module)
        for a in node.names:
            if a.name == "*":
                self.star.append(node.module)
                continue
            full = f"{node.module}.{a.name}"
            if _dunder(a.name) or a.name.startswith("_"):
                self.refuse(node, "forbidden.private", full)
            else:
                self.check_module(node, full)
            self.aliases[a.asname or a.name] = full

    # -- names and attributes -------------------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if isinstance(node.ctx, ast.Load):
            if name in REFUSED_BUILTINS:
                self.refuse(node, "forbidden.builtin", name, advice=t(REFUSED_BUILTINS[name]))
            elif name in REFLECTIVE and id(node) not in self.ok:
                self.refuse(node, "forbidden.reflection", name)
            elif _dunder(name) and name not in ALLOWED_DUNDER_NAMES:
                self.refuse(node, "forbidden.dunder", name)
            elif id(node) not in self.ok:
                dotted = self.dotted(node)
                mod = module_name(dotted) if dotted is not None else None
                if mod is not None:
                    self.refuse(node, "forbidden.module_value", mod)
        elif _dunder(name) and (name in CLASS_DUNDERS_REFUSED
                                or (not self.class_depth and name not in ALLOWED_DUNDER_NAMES)):
            self.refuse(node, "forbidden.dunder", name)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_attr(node, node.value, node.attr, store=not isinstance(node.ctx, ast.Load))
        if id(node) not in self.ok and isinstance(node.ctx, ast.Load):
            full = self.dotted(node)
            mod = module_name(full) if full is not None else None
            if mod is not None:
                self.refuse(node, "forbidden.module_value", mod)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        target = node.targets[0] if len(node.targets) == 1 else None
        if isinstance(target, ast.Name):
            source = self.dotted(node.value)
            mod = module_name(source) if source is not None else None
            if mod in self.allowed and not self.class_depth:  # `F = torch.nn.functional`: an alias
                self.ok.add(id(node.value))
                self.aliases[target.id] = mod
            else:
                self.aliases.pop(target.id, None)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in REFLECTIVE:
            attr = fold_str(node.args[1]) if len(node.args) >= 2 else None
            if attr is not None and not node.keywords:
                self.ok.add(id(func))
                self.check_attr(node, node.args[0], attr, store=func.id in ("setattr", "delattr"))
            else:
                self.refuse(node, "forbidden.reflection", func.id)
        self.generic_visit(node)

    # -- classes, annotations, patterns ---------------------------------------------------------------------
    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in (*node.bases, *node.keywords, *node.decorator_list):
            self.visit(child)
        self.class_depth += 1
        for stmt in node.body:
            self.visit(stmt)
        self.class_depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        depth, self.class_depth = self.class_depth, 0
        for deco in node.decorator_list:
            self.visit(deco)
        self.visit(node.args)
        self.annotation(node.returns)
        for stmt in node.body:
            self.visit(stmt)
        self.class_depth = depth

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_arg(self, node: ast.arg) -> None:
        self.annotation(node.annotation)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.annotation(node.annotation)
        self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)

    def annotation(self, node: ast.expr | None) -> None:
        """String annotations are code (typing evaluates them later): scan them like any other expression."""
        if node is None:
            return
        text = fold_str(node)
        if text is None:
            self.visit(node)
            return
        try:
            parsed = ast.parse(text.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return  # not an expression: typing would refuse it too
        for sub in ast.walk(parsed):
            if hasattr(sub, "lineno"):
                ast.copy_location(sub, node)
        source, self.source = self.source, text.strip()
        try:
            self.visit(parsed)
        finally:
            self.source = source

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:  # `case object(__class__=c)` reads attributes too
            if _dunder(attr) and attr not in ALLOWED_DUNDER_ATTRS:
                self.refuse(node, "forbidden.dunder", attr)
            elif attr in INTROSPECTION:
                self.refuse(node, "forbidden.introspection", attr)
        self.generic_visit(node)


def check_rules(tree: ast.AST, source: str, imports: tuple[str, ...]) -> list[Finding]:
    rules = Rules(source, imports)
    rules.visit(tree)
    return list(rules.findings.values())
