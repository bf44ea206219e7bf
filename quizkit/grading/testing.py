"""Runs in the trusted supervisor: the API exercise tests use (points, visibility, assertions for the student).

Messages follow one shape: "Called <call>. Expected <what>, got <what came back>. <usual cause>".
A test module that sets READ_ONLY_INPUTS = True has every call's tensor arguments checked, here, against what
the child reports they were after the call (see proxy.py); `assert_unchanged` is the same check for data a
probe hands back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from quizkit.grading.wire.codec import Seeded

__all__ = ["Seeded", "assert_close", "assert_trajectory", "assert_unchanged", "check", "hidden", "points", "say"]

F = TypeVar("F", bound=Callable[..., Any])

POINTS_ATTR = "_quizkit_points"
HIDDEN_ATTR = "_quizkit_hidden"


def points(n: float) -> Callable[[F], F]:
    """The test's max score (default 1)."""
    if isinstance(n, bool) or not isinstance(n, (int, float)) or n < 0:
        raise ValueError(f"points must be a non-negative number, not {n!r}")

    def mark(fn: F) -> F:
        setattr(fn, POINTS_ATTR, n)
        return fn

    return mark


def hidden(fn: F) -> F:
    """Visibility 'hidden': the test counts, but its message stays out of the student-facing text report."""
    setattr(fn, HIDDEN_ATTR, True)
    return fn


def _describe(value: Any) -> str:
    import torch

    if type(value) is torch.Tensor:
        return f"a tensor of shape {tuple(value.shape)} and dtype {_dtype(value.dtype)}"
    if isinstance(value, torch.Tensor):
        return f"a {type(value).__name__} (a tensor subclass)"
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f"{type(value).__name__} {text}"


def _dtype(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _finish(parts: list[str], hint: str) -> str:
    text = " ".join(p.strip() for p in parts if p)
    return f"{text} {hint.strip()}".strip() if hint else text


Cause = tuple[Any, Any]  # (what a known mistake returns, the sentence that names it: a str or {"zh", "en"})


def say(text: Any) -> str:
    """A sentence in the grading language: a str as it is, or a {"zh": ..., "en": ...} mapping."""
    if isinstance(text, dict):
        from quizkit.render.i18n import get_lang

        return str(text.get(get_lang()) or text["en"])
    return str(text)


def matching_cause(got: Any, causes: Any, *, rtol: float, atol: float) -> str:
    """The sentence of the first known mistake whose result `got` equals (within rtol/atol), else ''.

    This is how a message names the cause instead of listing the formula: the test computes what the usual
    wrong versions return (on the same inputs, in the trusted process) and says which one the submission did."""
    import torch

    for wrong, cause in causes:
        if callable(wrong):
            wrong = wrong()
        if (type(got) is torch.Tensor and isinstance(wrong, torch.Tensor) and got.shape == wrong.shape
                and got.dtype == wrong.dtype
                and bool(torch.isclose(got, wrong.to(got.dtype), rtol=rtol, atol=atol, equal_nan=True).all())):
            return say(cause)
    return ""


def assert_close(got: Any, want: Any, *, rtol: float, atol: float, call: str, hint: str = "",
                 causes: Sequence[Cause] = ()) -> None:
    """got must be a plain torch.Tensor with want's shape and dtype, NaN/inf where want has them, and values
    within rtol/atol (the rule of torch.testing.assert_close). `causes` are (result of a known mistake, its
    cause): when got is one of them, the message says so before the general hint."""
    import torch

    if causes and type(got) is torch.Tensor and got.shape == want.shape and got.dtype == want.dtype:
        close = bool(torch.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True).all())
        cause = "" if close else matching_cause(got, causes, rtol=rtol, atol=atol)
        hint = f"{cause} {hint}".strip() if cause else hint

    head = f"Called {call}."
    want_desc = f"a tensor of shape {tuple(want.shape)} and dtype {_dtype(want.dtype)}"
    if type(got) is not torch.Tensor:
        raise AssertionError(_finish([head, f"Expected {want_desc}, got {_describe(got)}."], hint))
    if got.shape != want.shape:
        transposed = (got.dim() == 2 and tuple(got.shape) == tuple(want.shape)[::-1]
                      and say({"en": "You returned the transposed shape: check the order of the matrix product "
                                     "(A.T @ B, not B.T @ A) or a stray .T.",
                               "zh": "你返回的形状是转置的：检查矩阵乘法的顺序（A.T @ B，而不是 B.T @ A）或多余的 .T。"}))
        raise AssertionError(_finish([head, f"Expected shape {tuple(want.shape)}, got shape {tuple(got.shape)}.",
                                      transposed or ""], hint))
    if got.dtype != want.dtype:
        raise AssertionError(_finish([
            head, f"Expected dtype {_dtype(want.dtype)}, got {_dtype(got.dtype)}.",
            "Keep the input's dtype: build constants with the same dtype (e.g. torch.ones_like(x)).",
        ], hint))
    if got.numel() == 0:
        return
    if want.is_floating_point() or want.is_complex():
        for bad, label in ((torch.isnan, "nan"), (torch.isposinf, "inf"), (torch.isneginf, "-inf")):
            g, w = bad(got), bad(want)
            if not torch.equal(g, w):
                idx = _first_index(g != w)
                raise AssertionError(_finish([
                    head,
                    (f"Expected {_fmt(want[idx].item()) if not w[idx] else label} at index {_index(idx)}, "
                     f"got {_fmt(got[idx].item()) if not g[idx] else label}."),
                ], hint))
    # torch.testing.assert_close's rule (|got - want| <= atol + rtol * |want|) via torch.isclose, which avoids
    # assert_close's one-off import of torch.distributed (over a second).
    if not bool(torch.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True).all()):
        g64 = got.to(torch.float64) if not got.is_complex() else got.to(torch.complex128)
        w64 = want.to(g64.dtype)
        finite = torch.isfinite(w64) & torch.isfinite(g64)
        err = torch.where(finite, (g64 - w64).abs(), torch.zeros((), dtype=torch.float64))
        excess = err - (atol + rtol * w64.abs())
        idx = _first_index(excess == excess.max())
        raise AssertionError(_finish([
            head,
            (f"Expected values within rtol={rtol:g}, atol={atol:g} of the reference; the largest error is "
             f"{_fmt(err[idx].item())} at index {_index(idx)} (got {_fmt(g64[idx].item())}, expected "
             f"{_fmt(w64[idx].item())})."),
        ], hint)) from None


def _first_index(mask: Any) -> tuple[int, ...]:
    import torch

    nz = torch.nonzero(mask.reshape(mask.shape) if mask.dim() else mask.reshape(1))
    if nz.numel() == 0:
        return tuple(0 for _ in mask.shape)
    first = nz[0].tolist()
    return tuple(first) if mask.dim() else ()


def _index(idx: tuple[int, ...]) -> str:
    if not idx:
        return "()"
    return str(idx[0]) if len(idx) == 1 else str(tuple(idx))


def check(condition: Any, *, call: str, got: Any, expected: Any, hint: str = "") -> None:
    """Generic assertion with the same message style; `got`/`expected` are shown as text."""
    ok = bool(condition)
    if not ok:
        raise AssertionError(_finish([f"Called {call}.", f"Expected {expected}, got {got}."], hint))


INPUT_CHANGED_HINT = ("A function must leave its inputs as they were: compute into a new tensor (y = x * 2), "
                      "not in place (x.mul_(2), x[...] = ..., x += ...).")


def assert_unchanged(before: Any, after: Any, *, call: str, name: str = "its input", hint: str = "") -> None:
    """Every tensor in `before` (nested in lists, tuples and dicts) must be in `after`, at the same place, with
    the same shape, dtype and values (NaN where NaN was). `after` is what the child sent back after the call."""
    where = _first_change(before, after, name)
    if where is not None:
        raise AssertionError(_finish([f"Called {call}.", f"It changed {where} in place."],
                                     hint or INPUT_CHANGED_HINT))


def _has_tensor(v: Any) -> bool:
    import torch

    if isinstance(v, torch.Tensor):
        return True
    if isinstance(v, (list, tuple)):
        return any(_has_tensor(x) for x in v)
    if isinstance(v, dict):
        return any(_has_tensor(x) for x in v.values())
    return False


def _first_change(before: Any, after: Any, where: str) -> str | None:
    import torch

    if not _has_tensor(before):
        return None
    if isinstance(before, torch.Tensor):
        if type(after) is not torch.Tensor or after.shape != before.shape or after.dtype != before.dtype:
            return where
        if before.is_floating_point() or before.is_complex():
            same = (after == before) | (torch.isnan(after) & torch.isnan(before))
            return None if bool(same.all()) else where
        return None if torch.equal(after, before) else where
    if isinstance(before, (list, tuple)):
        if not isinstance(after, (list, tuple)) or len(after) != len(before):
            return where
        for i, (b, a) in enumerate(zip(before, after)):
            label = f"{where} {i + 1}" if where == "argument" else f"{where}[{i}]"
            found = _first_change(b, a, label)
            if found is not None:
                return found
        return None
    if not isinstance(after, dict) or set(after) != set(before):
        return where
    for key in before:
        label = f"{where} {key}" if where == "argument" else f"{where}[{key!r}]"
        found = _first_change(before[key], after[key], label)
        if found is not None:
            return found
    return None


IN_PLACE_HINT = (
    "step() must update the tensors in `params` in place (p.sub_(...), or p -= ... under torch.no_grad()); "
    "rebinding a local name or a list element leaves the caller's tensors unchanged."
)


def _precision_hint(g: Any, w: Any, rtol: float, atol: float, state: str) -> str:
    """A near miss (float32-sized error) has a different usual cause than a wrong formula."""
    import torch

    same_kind = type(g) is torch.Tensor and g.shape == w.shape and g.dtype == w.dtype and g.is_floating_point()
    if same_kind and not torch.allclose(g, w, rtol=rtol, atol=atol) and torch.allclose(g, w, rtol=1e-5, atol=1e-7):
        return (f"The error is tiny: the usual causes are some state ({state}) or constant built in float32 "
                "(e.g. torch.zeros(p.shape); use torch.zeros_like(p)), or eps in a slightly different place. ")
    return ""


def assert_trajectory(got: Any, want: list[list[Any]], inits: list[Any], *, rtol: float, atol: float, call: str,
                      hint: str, state: str = "optimizer state",
                      causes: Sequence[tuple[Any, str]] = ()) -> None:
    """Compare an optimizer's parameters after every step, naming the first step and tensor that went wrong.

    `want[k][i]` is params[i] after step k + 1; `inits` are the parameters before the first step. `causes` are
    (the trajectory of a known mistake, its cause): a submission that follows one of them, in every step and
    tensor, is told that cause, and not the float32 guess."""
    import torch

    check(
        isinstance(got, list) and len(got) == len(want),
        call=call,
        got=f"{type(got).__name__} of length {len(got) if isinstance(got, (list, tuple)) else '?'}",
        expected=f"a trajectory of {len(want)} steps",
        hint="The grading probe could not record the trajectory.",
    )
    for k, (g_step, w_step) in enumerate(zip(got, want)):
        check(
            isinstance(g_step, list) and len(g_step) == len(w_step),
            call=call,
            got=repr(g_step)[:200],
            expected=f"{len(w_step)} parameter tensors after step {k + 1}",
        )
        for i, (g, w) in enumerate(zip(g_step, w_step)):
            if k == 0 and isinstance(g, torch.Tensor) and g.shape == inits[i].shape and g.dtype == inits[i].dtype:
                unchanged = torch.equal(g, inits[i]) and not torch.equal(w, inits[i])
                check(
                    not unchanged,
                    call=f"{call}; params[{i}] after step 1",
                    got="the initial values, unchanged",
                    expected=f"updated values such as {w.flatten()[:4].tolist()}",
                    hint=IN_PLACE_HINT,
                )
            if not _close(g, w, rtol, atol):
                prev = inits[i] if k == 0 else want[k - 1][i]  # every earlier step matched
                cause = _trajectory_cause(got, causes, rtol, atol) or _step_cause(g, w, prev, rtol, atol)
                first = f"{cause} " if cause else _precision_hint(g, w, rtol, atol, state)
                assert_close(g, w, rtol=rtol, atol=atol, call=f"{call}; params[{i}] after step {k + 1}",
                             hint=first + hint)


def _step_cause(g: Any, w: Any, prev: Any, rtol: float, atol: float) -> str:
    """A step that is the expected one with the opposite sign, or scaled by one constant, names that."""
    import torch

    if not (type(g) is torch.Tensor and g.shape == w.shape and g.dtype == w.dtype and g.is_floating_point()):
        return ""
    mine, right = g - prev, w - prev
    if not bool((right.abs() > 1e-12).all()) or right.numel() == 0:
        return ""
    if _close(mine, -right, rtol, max(atol, 1e-12)):
        return say({"en": "Your step has the opposite sign: the parameters moved up the gradient. An optimizer "
                          "moves against it: p -= lr * (update).",
                    "zh": "你的更新步符号相反：参数沿梯度上升了。优化器应逆着梯度走：p -= lr * (update)。"})
    ratio = (mine / right).flatten()
    c = float(ratio[0])
    if abs(c) > 1e-12 and abs(c - 1) > 1e-6 and bool(torch.isclose(ratio, ratio[0], rtol=1e-6, atol=0).all()):
        return say({"en": f"Your step is {c:.6g} times the expected one in every coordinate: a constant factor is "
                          "wrong (the learning rate, or a factor such as (1 - momentum)).",
                    "zh": f"你的每个坐标的更新步都是预期的 {c:.6g} 倍：某个常数因子错了（学习率，或 (1 - momentum) "
                          "这样的因子）。"})
    return ""


def _close(g: Any, w: Any, rtol: float, atol: float) -> bool:
    import torch

    return (type(g) is torch.Tensor and g.shape == w.shape and g.dtype == w.dtype
            and bool(torch.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True).all()))


def _trajectory_cause(got: Any, causes: Any, rtol: float, atol: float) -> str:
    """The cause whose whole trajectory the submission followed."""
    for wrong, cause in causes:
        if callable(wrong):
            wrong = wrong()
        if isinstance(wrong, list) and len(wrong) == len(got) and all(
                isinstance(gs, list) and len(gs) == len(ws) and all(_close(g, w, rtol, atol) for g, w in zip(gs, ws))
                for gs, ws in zip(got, wrong)):
            return say(cause)
    return ""
