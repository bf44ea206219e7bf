"""The one safe evaluator of arithmetic: Python's `ast` parser, a whitelist of node types, math for the functions.

Never eval: an expression is parsed, every node is checked against the whitelist below, and the tree is walked
here with plain floats and ints. Used by bank params (`{{ expr }}`, `where:`, numeric `answer:`) and by the
numeric answers a student types (where `^` also means a power). SymPy is not imported.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quizkit.render.i18n import t

Number = int | float | bool

MAX_SOURCE = 500  # characters; nobody types a longer number, and no bank expression needs one
MAX_MAGNITUDE = 1e300  # anything larger is "too large", not a float overflow somewhere later
MAX_INT_BITS = 1024


class ExprError(ValueError):
    """An expression that cannot be evaluated. `kind` says why:
    syntax | construct | name | zero_division | too_large | undefined."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _round(x: float, n: int = 0) -> float:
    return round(x, int(n)) if n else float(round(x))


FUNCTIONS: dict[str, Callable[..., Number]] = {
    "floor": math.floor, "ceil": math.ceil, "round": _round, "abs": abs, "min": min, "max": max,
    "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "log2": math.log2, "log10": math.log10,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "tanh": math.tanh, "sigmoid": _sigmoid,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
RESERVED = frozenset(FUNCTIONS) | frozenset(CONSTANTS)

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.Call, ast.Name,
            ast.Constant, ast.Load, ast.USub, ast.UAdd, ast.Not, ast.And, ast.Or, *_BINARY, *_COMPARE)
# What a refused construct is called in the message.
# An AST node -> its reader's name: a catalogue key (render/i18n_expr.py), or the operator itself.
_NAMES = {ast.Attribute: "expr.node.attribute", ast.Subscript: "expr.node.subscript", ast.Lambda: "expr.node.lambda",
          ast.List: "expr.node.list", ast.Tuple: "expr.node.tuple", ast.Dict: "expr.node.dict",
          ast.Set: "expr.node.set", ast.BitXor: "expr.node.bitxor", ast.BitAnd: "'&'", ast.BitOr: "'|'",
          ast.Invert: "'~'", ast.LShift: "'<<'", ast.RShift: "'>>'", ast.MatMult: "'@'", ast.Starred: "'*args'",
          ast.JoinedStr: "expr.node.fstring", ast.NamedExpr: "':='", ast.ListComp: "expr.node.comprehension",
          ast.GeneratorExp: "expr.node.comprehension", ast.Await: "await", ast.keyword: "expr.node.keyword"}


class Expr:
    """A checked expression; `names` are the free names it uses (besides functions and constants)."""

    def __init__(self, source: str, tree: ast.Expression, names: frozenset[str]):
        self.source = source
        self.tree = tree
        self.names = names

    def __call__(self, env: Mapping[str, Number] | None = None) -> Number:
        return evaluate(self, env or {})

    def __repr__(self) -> str:
        return f"Expr({self.source!r})"


def parse(source: str, names: Iterable[str] | None = None, *, caret_power: bool = False) -> Expr:
    """Parse and check `source`. `names`: the variables it may use (None: any, checked at evaluation).
    `caret_power`: read `^` as `**` (what a student means by 2^10)."""
    text = str(source).strip()
    if caret_power:
        text = text.replace("^", "**")  # textually, so 2^10*3 keeps the precedence of a power
    if not text:
        raise ExprError("syntax", t("expr.empty"))
    if len(text) > MAX_SOURCE:
        raise ExprError("too_large", t("expr.too_long", n=MAX_SOURCE))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as err:
        raise ExprError("syntax", t("expr.syntax", msg=err.msg)) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExprError("syntax", t("expr.too_deep")) from None
    used: set[str] = set()
    for node in ast.walk(tree):
        _check_node(node, used)
    allowed = set(names) if names is not None else None
    free = frozenset(used - RESERVED)
    if allowed is not None:
        unknown = sorted(free - allowed)
        if unknown:
            listed = ", ".join(sorted(allowed)) or t("expr.none")
            raise ExprError("name", t("expr.unknown_name", name=unknown[0], allowed=listed))
    return Expr(text, tree, free)


def _check_node(node: ast.AST, used: set[str]) -> None:
    if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.BoolOp)) and not isinstance(node.op, _ALLOWED):
        raise ExprError("construct", t("expr.not_allowed", what=_describe(node.op)))
    if not isinstance(node, _ALLOWED):
        raise ExprError("construct", t("expr.not_allowed", what=_describe(node)))
    if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or
                                           not isinstance(node.value, (int, float))):
        raise ExprError("construct", t("expr.literal", value=repr(node.value)))
    if isinstance(node, ast.Name):
        used.add(node.id)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            what = node.func.id if isinstance(node.func, ast.Name) else t("expr.this_call")
            raise ExprError("construct", t("expr.function", name=what, allowed=", ".join(FUNCTIONS)))
        if node.keywords:
            raise ExprError("construct", t("expr.keywords"))


def _describe(node: ast.AST) -> str:
    for kind, name in _NAMES.items():
        if isinstance(node, kind):
            return t(name) if name.startswith("expr.") else name
    return f"'{type(node).__name__}'"


def evaluate(expr: Expr | str, env: Mapping[str, Number] | None = None) -> Number:
    """The value of expr with the names in env; ExprError for anything undefined, infinite or too large."""
    if isinstance(expr, str):
        expr = parse(expr, env.keys() if env is not None else ())
    env = env or {}
    try:
        value = _eval(expr.tree.body, env)
    except ZeroDivisionError:
        raise ExprError("zero_division", t("expr.zero_division")) from None
    except OverflowError:
        raise ExprError("too_large", t("expr.result_too_large")) from None
    except (ValueError, TypeError) as err:
        raise ExprError("undefined", t("expr.undefined", detail=err)) from None
    except RecursionError:
        raise ExprError("syntax", t("expr.too_deep")) from None
    return _finite(value)


def _finite(value: Number) -> Number:
    if isinstance(value, float):
        if math.isnan(value):
            raise ExprError("undefined", t("expr.nan"))
        if math.isinf(value) or abs(value) > MAX_MAGNITUDE:
            raise ExprError("too_large", t("expr.result_too_large"))
    elif isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        raise ExprError("too_large", t("expr.result_too_large"))
    return value


def _power(base: Number, exp: Number) -> Number:
    # Bound the size before computing: 9**9**9 would otherwise take minutes and gigabytes.
    if abs(base) > 1 and abs(exp) * math.log2(abs(base)) > MAX_INT_BITS:
        if exp > 0:
            raise OverflowError
        return 0.0
    result = base ** exp
    if isinstance(result, complex):
        raise ValueError("a negative number to a fractional power")
    return result


def _eval(node: ast.AST, env: Mapping[str, Number]) -> Number:
    if isinstance(node, ast.Constant):
        return node.value  # type: ignore[return-value]  # parse() admits int and float literals only
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        raise ExprError("name", t("expr.unknown_name_plain", name=node.id))
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, env), _eval(node.right, env)
        if isinstance(node.op, ast.Pow):
            return _finite(_power(left, right))
        return _finite(_BINARY[type(node.op)](left, right))
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, env)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, env) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env)
        for op, comp in zip(node.ops, node.comparators):
            right = _eval(comp, env)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.IfExp):
        return _eval(node.body, env) if _eval(node.test, env) else _eval(node.orelse, env)
    if isinstance(node, ast.Call):
        args = [_eval(a, env) for a in node.args]
        return _finite(FUNCTIONS[node.func.id](*args))  # type: ignore[attr-defined]
    raise ExprError("construct", t("expr.not_allowed", what=_describe(node)))  # pragma: no cover - parse() refused it
