"""Safe SymPy parsing and equivalence. Student text is walked as a Python AST against a whitelist and built
into SymPy objects directly: nothing is ever passed to eval, exec or sympify."""

from __future__ import annotations

import ast
import math
import random
from collections.abc import Sequence
from typing import Any

from quizkit.errors import QuizkitError

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_CONST_EXPONENT = 64
MAX_DIGITS = 300


class SymbolicError(QuizkitError):
    """Text that is not a safe, well-formed expression."""


def _functions() -> dict[str, Any]:
    import sympy as sp

    return {
        "exp": sp.exp, "log": sp.log, "ln": sp.log, "sqrt": sp.sqrt,
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
        "abs": sp.Abs, "Abs": sp.Abs, "max": sp.Max, "Max": sp.Max, "min": sp.Min, "Min": sp.Min,
        "floor": sp.floor, "ceiling": sp.ceiling, "ceil": sp.ceiling, "sign": sp.sign,
        "sigmoid": lambda x: 1 / (1 + sp.exp(-x)),
    }


def parse(text: str, variables: Sequence[str]) -> Any:
    """Build a SymPy expression from `text`, allowing only arithmetic, whitelisted functions and `variables`."""
    import sympy as sp

    if not isinstance(text, str):
        text = str(text)
    source = text.strip().replace("^", "**").replace("−", "-").replace("×", "*").replace("·", "*")
    if not source:
        raise SymbolicError("empty expression")
    if len(source) > MAX_LENGTH:
        raise SymbolicError(f"expression longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise SymbolicError(f"not an expression: {err.msg} at column {err.offset}; "
                            "write products with * (2*s, not 2s)") from None
    symbols = {name: sp.Symbol(name, real=True) for name in variables}
    functions = _functions()
    constants = {"pi": sp.pi, "E": sp.E}
    if "e" not in symbols:
        constants["e"] = sp.E

    binops: dict[type, Any] = {
        ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
        ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b,
    }

    def build(node: ast.AST, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise SymbolicError("expression nested too deeply")
        if isinstance(node, ast.Expression):
            return build(node.body, depth + 1)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return sp.Rational(str(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            if node.id in constants:
                return constants[node.id]
            allowed = ", ".join(variables) or "none"
            raise SymbolicError(f"unknown name '{node.id}' (variables: {allowed})")
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value = build(node.operand, depth + 1)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in binops:
            left, right = build(node.left, depth + 1), build(node.right, depth + 1)
            if isinstance(node.op, ast.Pow) and right.is_number:
                # Bound constant powers so that `(2**64)**64**...` cannot make SymPy build a giant integer.
                base = abs(float(left)) if left.is_number else 2.0
                if abs(float(right)) > MAX_CONST_EXPONENT or (
                        base > 1 and math.log10(base) * abs(float(right)) > MAX_DIGITS):
                    raise SymbolicError(f"power {ast.unparse(node)} is too large")
            if isinstance(node.op, ast.Div) and right == 0:
                raise SymbolicError("division by zero")
            return binops[type(node.op)](left, right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            if node.keywords or not node.args:
                raise SymbolicError(f"{node.func.id}() takes plain arguments")
            return functions[node.func.id](*(build(a, depth + 1) for a in node.args))
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else "this"
            raise SymbolicError(f"function '{name}' is not allowed (allowed: {', '.join(sorted(functions))})")
        raise SymbolicError(f"'{ast.unparse(node)}' is not allowed in an expression")

    return build(tree, 0)


def equivalent(student: str, answer: str, variables: Sequence[str], *, seed: int = 0) -> bool:
    """True when the two expressions are equal: simplify(a - b) == 0, or equal at every numeric spot check
    (simplify cannot prove every identity, and the spot checks keep it honest)."""
    a, b = parse(student, variables), parse(answer, variables)
    numeric = _spot_check(a, b, variables, seed)
    if numeric is False:
        return False
    import sympy as sp

    try:
        if sp.simplify(a - b) == 0:
            return True
    except Exception:  # noqa: BLE001 - simplify can fail on exotic input; the spot checks decide then
        pass
    return bool(numeric)


def _spot_check(a: Any, b: Any, variables: Sequence[str], seed: int) -> bool | None:
    """False on a clear numeric disagreement, True when all points agree, None when too few points evaluate."""
    import sympy as sp

    symbols = [sp.Symbol(v, real=True) for v in variables]
    fa, fb = sp.lambdify(symbols, a, "math"), sp.lambdify(symbols, b, "math")
    rng = random.Random(seed)
    agreed = 0
    for i in range(24):
        # Points inside (0, 1) suit probabilities like s = σ(x); the others cover larger magnitudes and signs.
        point = [rng.uniform(0.05, 0.95) if i % 2 == 0 else rng.uniform(-3, 7) for _ in symbols]
        try:
            va, vb = complex(fa(*point)), complex(fb(*point))
        except (ValueError, ZeroDivisionError, OverflowError, TypeError):
            continue
        if any(math.isnan(v.real) or math.isinf(v.real) for v in (va, vb)) or va.imag or vb.imag:
            continue
        if not math.isclose(va.real, vb.real, rel_tol=1e-9, abs_tol=1e-12):
            return False
        agreed += 1
        if agreed >= 8:
            return True
    return True if agreed >= 3 else None
