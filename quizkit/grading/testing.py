"""Runs in the trusted supervisor: the API exercise tests use (points, visibility, assertions for the student).

Messages follow one shape: "Called <call>. Expected <what>, got <what came back>. <usual cause>".
A test module that sets READ_ONLY_INPUTS = True has every call's tensor arguments checked, here, against what
the child reports they were after the call (see proxy.py); `assert_unchanged` is the same check for data a
probe hands back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, Union

from quizkit.grading.expected import NotRecorded, expected, withheld
from quizkit.grading.wire.codec import Seeded
from quizkit.render.i18n import get_lang, t

__all__ = ["NotRecorded", "Seeded", "Tr", "assert_close", "assert_trajectory", "assert_unchanged", "check", "expected", "hidden",
           "instructor_only", "points", "say", "tr", "withheld"]

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


def instructor_only(obj: F) -> F:
    """A test file's helper that the student build leaves out, such as a model of the usual mistakes (which is
    mostly the right algorithm). There it becomes withheld(name): the check that calls it is not recorded, and a
    cause that calls it is simply not named."""
    return obj


class Tr:
    """Text in Chinese and English, resolved in the grading language when it is shown (the runner sets that
    language before the tests run, so a module-level hint is still translated per grade). `+` joins pieces."""

    __slots__ = ("parts",)

    def __init__(self, *parts: Any) -> None:
        self.parts: tuple[Any, ...] = parts

    def __str__(self) -> str:
        return "".join(text(p) for p in self.parts)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __add__(self, other: Any) -> Tr:
        return Tr(*self.parts, other)

    def __radd__(self, other: Any) -> Tr:
        return Tr(other, *self.parts)

    def __repr__(self) -> str:
        return f"Tr({self.parts!r})"


def tr(zh: str, en: str) -> Tr:
    """An exercise author's message or hint in both languages: hint=tr("…", "…")."""
    if not zh or not en:
        raise ValueError("tr() needs both a Chinese and an English text")
    return Tr({"zh": zh, "en": en})


class _Key:
    """A catalogue key, looked up when shown."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def __str__(self) -> str:
        return t(self.key)


Text = Union[str, Tr, Mapping[str, str]]  # noqa: UP007 - a runtime alias that also reads in Python 3.10


def text(value: Any) -> str:
    """A message piece in the grading language: a str as it is, a Tr, or a {"zh": ..., "en": ...} mapping."""
    if isinstance(value, Mapping):
        return str(value.get(get_lang()) or value.get("en") or next(iter(value.values()), ""))
    return str(value)


def _describe(value: Any) -> str:
    import torch

    if type(value) is torch.Tensor:
        return t("test.tensor", shape=tuple(value.shape), dtype=_dtype(value.dtype))
    if isinstance(value, torch.Tensor):
        return t("test.subclass", name=type(value).__name__)
    if value is None:
        return "None"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return t("test.value", type=type(value).__name__, text=text)


def _dtype(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _finish(parts: list[str], hint: Text) -> str:
    sep = "" if get_lang() == "zh" else " "  # Chinese sentences end in 。 and need no space between them
    body = sep.join(p.strip() for p in parts if p)
    extra = text(hint).strip() if hint else ""
    return f"{body}{sep}{extra}".strip() if extra else body


Cause = tuple[Any, Any]  # (what a known mistake returns, the sentence that names it: a str, a tr() or {"zh", "en"})


def say(value: Any) -> str:
    """A sentence in the grading language: a str as it is, a tr(), or a {"zh": ..., "en": ...} mapping."""
    return text(value)


def matching_cause(got: Any, causes: Any, *, rtol: float, atol: float) -> str:
    """The sentence of the first known mistake whose result `got` equals (within rtol/atol), else ''.

    This is how a message names the cause instead of listing the formula: the test computes what the usual
    wrong versions return (on the same inputs, in the trusted process) and says which one the submission did."""
    import torch

    for wrong, cause in causes:
        if callable(wrong):
            try:
                wrong = wrong()
            except NotRecorded:  # a student build without this answer: the cause is not named, that is all
                continue
        if (type(got) is torch.Tensor and isinstance(wrong, torch.Tensor) and got.shape == wrong.shape
                and got.dtype == wrong.dtype
                and bool(torch.isclose(got, wrong.to(got.dtype), rtol=rtol, atol=atol, equal_nan=True).all())):
            return say(cause)
    return ""


def assert_close(got: Any, want: Any, *, rtol: float, atol: float, call: Text, hint: Text = "",
                 causes: Sequence[Cause] = ()) -> None:
    """got must be a plain torch.Tensor with want's shape and dtype, NaN/inf where want has them, and values
    within rtol/atol (the rule of torch.testing.assert_close). `causes` are (result of a known mistake, its
    cause): when got is one of them, the message says so before the general hint."""
    import torch

    if causes and type(got) is torch.Tensor and got.shape == want.shape and got.dtype == want.dtype:
        close = bool(torch.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True).all())
        cause = "" if close else matching_cause(got, causes, rtol=rtol, atol=atol)
        if cause:
            sep = "" if get_lang() == "zh" else " "
            hint = f"{cause}{sep}{text(hint)}".strip()

    head = t("test.called", call=text(call))
    want_desc = t("test.tensor", shape=tuple(want.shape), dtype=_dtype(want.dtype))
    if type(got) is not torch.Tensor:
        raise AssertionError(_finish([head, t("test.expected_got", expected=want_desc, got=_describe(got))], hint))
    if got.shape != want.shape:
        transposed = (got.dim() == 2 and tuple(got.shape) == tuple(want.shape)[::-1]
                      and say({"en": "You returned the transposed shape: check the order of the matrix product "
                                     "(A.T @ B, not B.T @ A) or a stray .T.",
                               "zh": "你返回的形状是转置的：检查矩阵乘法的顺序（A.T @ B，而不是 B.T @ A）或多余的 .T。"}))
        raise AssertionError(_finish([head, t("test.shape", want=tuple(want.shape), got=tuple(got.shape)),
                                      transposed or ""], hint))
    if got.dtype != want.dtype:
        raise AssertionError(_finish([
            head, t("test.dtype", want=_dtype(want.dtype), got=_dtype(got.dtype)), t("test.dtype_hint"),
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
                    t("test.at_index", want=_fmt(want[idx].item()) if not w[idx] else label, index=_index(idx),
                      got=_fmt(got[idx].item()) if not g[idx] else label),
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
            t("test.tolerance", rtol=f"{rtol:g}", atol=f"{atol:g}", err=_fmt(err[idx].item()), index=_index(idx),
              got=_fmt(g64[idx].item()), want=_fmt(w64[idx].item())),
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


def check(condition: Any, *, call: Text, got: Any, expected: Any, hint: Text = "") -> None:
    """Generic assertion with the same message style; `got`/`expected` are shown as text (str, Tr or mapping)."""
    ok = bool(condition)
    if not ok:
        raise AssertionError(_finish([t("test.called", call=text(call)),
                                      t("test.expected_got", expected=text(expected), got=text(got))], hint))


INPUT_CHANGED_HINT = Tr(_Key("test.input_changed_hint"))


def assert_unchanged(before: Any, after: Any, *, call: Text, name: Text = "", hint: Text = "") -> None:
    """Every tensor in `before` (nested in lists, tuples and dicts) must be in `after`, at the same place, with
    the same shape, dtype and values (NaN where NaN was). `after` is what the child sent back after the call."""
    where = _first_change(before, after, text(name) if name else t("test.its_input"))
    if where is not None:
        raise AssertionError(_finish([t("test.called", call=text(call)), t("test.changed", where=where)],
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
            label = t("test.argument", n=i + 1) if where == "argument" else f"{where}[{i}]"
            found = _first_change(b, a, label)
            if found is not None:
                return found
        return None
    if not isinstance(after, dict) or set(after) != set(before):
        return where
    for key in before:
        label = t("test.keyword", name=key) if where == "argument" else f"{where}[{key!r}]"
        found = _first_change(before[key], after[key], label)
        if found is not None:
            return found
    return None


IN_PLACE_HINT = Tr(_Key("test.in_place_hint"))


def _precision_hint(g: Any, w: Any, rtol: float, atol: float, state: Text) -> str:
    """A near miss (float32-sized error) has a different usual cause than a wrong formula."""
    import torch

    same_kind = type(g) is torch.Tensor and g.shape == w.shape and g.dtype == w.dtype and g.is_floating_point()
    if same_kind and not torch.allclose(g, w, rtol=rtol, atol=atol) and torch.allclose(g, w, rtol=1e-5, atol=1e-7):
        return t("test.precision_hint", state=text(state)) + " "
    return ""


def assert_trajectory(got: Any, want: list[list[Any]], inits: list[Any], *, rtol: float, atol: float, call: Text,
                      hint: Text, state: Text = "", causes: Sequence[Cause] = ()) -> None:
    """Compare an optimizer's parameters after every step, naming the first step and tensor that went wrong.

    `want[k][i]` is params[i] after step k + 1; `inits` are the parameters before the first step. `causes` are
    (the trajectory of a known mistake, its cause): a submission that follows one of them, in every step and
    tensor, is told that cause, and not the float32 guess."""
    import torch

    call, state = text(call), text(state) if state else t("test.optimizer_state")
    check(
        isinstance(got, list) and len(got) == len(want),
        call=call,
        got=t("test.trajectory_got", type=type(got).__name__, n=len(got) if isinstance(got, (list, tuple)) else "?"),
        expected=t("test.trajectory_want", n=len(want)),
        hint=t("test.trajectory_probe"),
    )
    for k, (g_step, w_step) in enumerate(zip(got, want)):
        check(
            isinstance(g_step, list) and len(g_step) == len(w_step),
            call=call,
            got=repr(g_step)[:200],
            expected=t("test.step_tensors", n=len(w_step), k=k + 1),
        )
        for i, (g, w) in enumerate(zip(g_step, w_step)):
            if k == 0 and isinstance(g, torch.Tensor) and g.shape == inits[i].shape and g.dtype == inits[i].dtype:
                unchanged = torch.equal(g, inits[i]) and not torch.equal(w, inits[i])
                check(
                    not unchanged,
                    call=t("test.step_param", call=call, i=i, k=1),
                    got=t("test.unchanged_values"),
                    expected=t("test.updated_values", values=w.flatten()[:4].tolist()),
                    hint=IN_PLACE_HINT,
                )
            if not _close(g, w, rtol, atol):
                prev = inits[i] if k == 0 else want[k - 1][i]  # every earlier step matched
                cause = _trajectory_cause(got, causes, rtol, atol) or _step_cause(g, w, prev, rtol, atol)
                first = f"{cause} " if cause else _precision_hint(g, w, rtol, atol, state)
                assert_close(g, w, rtol=rtol, atol=atol, call=t("test.step_param", call=call, i=i, k=k + 1),
                             hint=first + text(hint))


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
            try:
                wrong = wrong()
            except NotRecorded:
                continue
        if isinstance(wrong, list) and len(wrong) == len(got) and all(
                isinstance(gs, list) and len(gs) == len(ws) and all(_close(g, w, rtol, atol) for g, w in zip(gs, ws))
                for gs, ws in zip(got, wrong)):
            return say(cause)
    return ""
