"""Safe SymPy parsing and equivalence, under a CPU and wall limit. Student text is walked as a Python AST
against a whitelist and built into SymPy objects directly: nothing is ever passed to eval, exec or sympify.

Work on a student's expression (evaluating it, comparing it) runs through `bounded`: in a forked process with
RLIMIT_CPU and a wall deadline, whose JSON result comes back over a pipe, so no expression can keep the quiz or
the grader busy for long. Equivalence is decided by evaluating both expressions at random points; when too few
points can be evaluated the answer is "not equivalent", never an unbounded `simplify`.
"""

from __future__ import annotations

import ast
import json
import math
import os
import random
import select
import signal
import time
from collections.abc import Callable, Sequence
from typing import Any

from quizkit.errors import QuizkitError
from quizkit.render.i18n import t

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_CONST_EXPONENT = 64
MAX_DIGITS = 300
CPU_SECONDS = 3  # CPU time of one bounded piece of SymPy work
WALL_SECONDS = 4.0  # and its wall time (a loaded machine shares the CPU)
_RESULT_LIMIT = 1 << 20  # bytes of JSON a bounded call may send back


class SymbolicError(QuizkitError):
    """Text that is not a safe, well-formed expression."""


class SymbolicTimeout(SymbolicError):
    """Work on an expression took longer than its CPU or wall limit."""


def bounded(fn: Callable[..., Any], *args: Any, cpu_seconds: int = CPU_SECONDS,
            wall_seconds: float = WALL_SECONDS) -> Any:
    """fn(*args) in a forked process under RLIMIT_CPU and a wall deadline; its result must be JSON-able.

    Raises SymbolicTimeout when a limit is hit, SymbolicError when fn raised one (its message kept), and
    SymbolicError for any other failure. Without os.fork (Windows) fn runs in this process, unbounded."""
    if not hasattr(os, "fork"):
        return fn(*args)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked worker; its result is checked by the parent
        _bounded_child(read_fd, write_fd, cpu_seconds, fn, args)
    os.close(write_fd)
    try:
        data = _read_until(read_fd, time.monotonic() + wall_seconds)
    finally:
        os.close(read_fd)
        _finish(pid)
    if data is None:
        raise SymbolicTimeout(t("expr.timeout", seconds=f"{wall_seconds:g}"))
    try:
        reply = json.loads(data)
    except ValueError:
        raise SymbolicTimeout(t("expr.cpu", seconds=cpu_seconds)) from None
    if "error" in reply:
        raise SymbolicError(str(reply["error"]))
    if "crash" in reply:
        raise SymbolicError(t("expr.crash", detail=reply["crash"]))
    return reply["ok"]


def _bounded_child(read_fd: int, write_fd: int, cpu_seconds: int, fn: Callable[..., Any], args: tuple) -> None:
    code = 0
    try:
        import resource

        os.close(read_fd)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        try:
            out: dict[str, Any] = {"ok": fn(*args)}
        except SymbolicError as err:
            out = {"error": str(err)}
        except Exception as err:  # noqa: BLE001 - reported to the parent as a fact
            out = {"crash": type(err).__name__}
        data = json.dumps(out).encode("utf-8")
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 - the parent sees no result
        code = 1
    os._exit(code)


def _read_until(fd: int, deadline: float) -> bytes | None:
    """All the worker wrote before closing its end, or None at the deadline."""
    chunks: list[bytes] = []
    size = 0
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        try:
            if not poller.poll(int(remaining * 1000) + 1):
                continue
        except InterruptedError:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > _RESULT_LIMIT:
            return None
        chunks.append(chunk)


def _finish(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


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
        raise SymbolicError(t("expr.empty"))
    if len(source) > MAX_LENGTH:
        raise SymbolicError(t("expr.too_long", n=MAX_LENGTH))
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise SymbolicError(t("expr.syntax_at", msg=err.msg, column=err.offset)) from None
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
            raise SymbolicError(t("expr.too_deep"))
        if isinstance(node, ast.Expression):
            return build(node.body, depth + 1)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return sp.Rational(str(node.value)) if isinstance(node.value, float) else sp.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id in symbols:
                return symbols[node.id]
            if node.id in constants:
                return constants[node.id]
            allowed = ", ".join(variables) or t("expr.none")
            raise SymbolicError(t("expr.unknown_variable", name=node.id, allowed=allowed))
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
                    raise SymbolicError(t("expr.power_too_large", power=ast.unparse(node)))
            if isinstance(node.op, ast.Div) and right == 0:
                raise SymbolicError(t("expr.zero_division"))
            return binops[type(node.op)](left, right)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in functions:
            if node.keywords or not node.args:
                raise SymbolicError(t("expr.plain_arguments", name=node.func.id))
            return functions[node.func.id](*(build(a, depth + 1) for a in node.args))
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else t("expr.this_call")
            raise SymbolicError(t("expr.function", name=name, allowed=", ".join(sorted(functions))))
        raise SymbolicError(t("expr.construct", what=f"'{ast.unparse(node)}'"))

    return build(tree, 0)


def equivalent(student: str, answer: str, variables: Sequence[str], *, seed: int = 0) -> bool:
    """True when the two expressions agree at random points (under the CPU and wall limit of `bounded`).

    A SymbolicError for text that is not an expression; False for a disagreement, for too few points where both
    can be evaluated, and for work that hits the limit."""
    import sympy  # noqa: F401 - imported here, before the fork, so that each check does not import it again

    parse(student, variables)  # bad text is the student's to fix: raise now, in this process
    parse(answer, variables)
    try:
        return bool(bounded(equivalent_now, student, answer, list(variables), seed))
    except SymbolicTimeout:
        return False


def equivalent_now(student: str, answer: str, variables: Sequence[str], seed: int = 0) -> bool:
    """`equivalent` in this process, without a limit: only for code already running under `bounded`."""
    a, b = parse(student, variables), parse(answer, variables)
    return _spot_check(a, b, variables, seed) is True


def evaluate_now(text: str, variables: Sequence[str], points: Sequence[Sequence[float]]) -> list[float]:
    """The expression's value at each point (nan where it is not a real number); only under `bounded`."""
    import sympy as sp

    expr = parse(text, variables)
    symbols = [sp.Symbol(v, real=True) for v in variables]
    out = []
    for values in points:
        try:
            out.append(float(expr.evalf(subs=dict(zip(symbols, values)))))
        except (TypeError, ValueError, OverflowError):  # complex, or not a number
            out.append(float("nan"))
    return out


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
