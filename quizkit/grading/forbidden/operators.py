"""Runs in the sandboxed child: every aten operator student code runs is checked against the exercise's allowlist.

A TorchDispatchMode is pushed only while the child handles a request (loading the submission, calling it,
running a probe on it). The dispatcher hands it every operator after Python names, composites and tensor
methods are resolved, so `F.glu`, `torch._softmax`, `torch.ops.aten.convolution`, `x.sigmoid()` or a kernel
fished out of memory all arrive as the same aten operator and are refused unless the exercise allows it. The
autograd engine's backward kernels arrive here too: with `autograd: false` grad mode is off while student code
runs, and any operator run with grad mode back on, or inside a backward pass (`.backward()`, torch.autograd.grad,
functorch.grad), is refused. Student code cannot pop the mode or reach this module: the static scan refuses
private torch names, torch.utils and every other route to them.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

from quizkit.grading.forbidden.guard import ForbiddenError
from quizkit.grading.forbidden.policy import OperatorPolicy, op_key


class Enforcer:
    """Holds one exercise's OperatorPolicy; `enforced()` is the window in which student code may run."""

    def __init__(self, policy: OperatorPolicy | None, violations: list[str], *, record: bool = False,
                 student_path: Callable[[], str] = str) -> None:
        self.policy = policy
        self.violations = violations  # shared with the guard: the request handler turns any entry into a refusal
        self.record = record  # exercise authors: print every operator (see record.py) instead of refusing it
        self.student_path = student_path  # where the student's file is, for file:line in messages
        self._decided: dict[Any, bool] = {}
        self._mode: Any = None
        self._torch: Any = None

    @property
    def active(self) -> bool:
        return self.policy is not None

    @contextlib.contextmanager
    def enforced(self) -> Iterator[None]:
        if self.policy is None:
            yield
            return
        mode = self._make_mode()
        self._cover_threads()
        torch = self._torch
        grad = torch.is_grad_enabled()
        if not self.policy.autograd:
            torch.set_grad_enabled(False)
        try:
            with mode:
                yield
        finally:
            torch.set_grad_enabled(grad)

    def _cover_threads(self) -> None:
        """Dispatch modes are per thread: a thread started while student code runs gets the same check."""
        import _thread
        import threading

        if getattr(threading, "_start_new_thread", None) is getattr(self, "_start", object()):
            return
        original = _thread.start_new_thread
        enforcer = self

        def start(function: Any, args: Any, kwargs: Any = None) -> Any:
            def run(*a: Any, **k: Any) -> Any:
                with enforcer.enforced():
                    return function(*a, **k)

            return original(run, args, kwargs or {})

        self._start = start
        threading._start_new_thread = start  # type: ignore[attr-defined]
        _thread.start_new_thread = start

    # -- the check -------------------------------------------------------------------------------------------
    def decide(self, func: Any) -> str | None:
        """None when the operator may run; else the i18n key of the refusal."""
        policy = self.policy
        assert policy is not None
        torch = self._torch
        if not policy.autograd and (torch.is_grad_enabled() or torch._C._current_graph_task_id() != -1):
            return "forbidden.autograd"
        allowed = self._decided.get(func)
        if allowed is None:
            key = op_key(func._schema.name)
            allowed = policy.allows(key)
            self._decided[func] = allowed
            if self.record and not allowed:
                os.write(1, f"\nquizkit-operator {key}\n".encode())
        return None if allowed or self.record else "forbidden.operator"

    def refuse(self, key: str, func: Any) -> None:
        from quizkit.render.i18n import t

        name = func._schema.name.removeprefix("aten::")
        message = t(key, where=self._where(), op=name)
        self.violations.append(message)
        raise ForbiddenError(message)

    def _where(self) -> str:
        """'sub.py:12: ' for the innermost frame of the student's file, when there is one."""
        path = self.student_path()
        f: Any = sys._getframe(2)
        while f is not None:
            if f.f_code.co_filename == path:
                return f"{os.path.basename(path)}:{f.f_lineno}: "
            f = f.f_back
        return f"{os.path.basename(path)}: " if path else ""

    def _make_mode(self) -> Any:
        if self._mode is None:
            import torch
            from torch.utils._python_dispatch import TorchDispatchMode

            enforcer = self
            self._torch = torch

            class _AllowlistMode(TorchDispatchMode):
                @classmethod
                def _should_skip_dynamo(cls) -> bool:
                    return False  # wrapping for dynamo would import torch._dynamo (seconds) in every child

                def __torch_dispatch__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
                    refusal = enforcer.decide(func)
                    if refusal is not None:
                        enforcer.refuse(refusal, func)
                    return func(*args, **(kwargs or {}))

            self._mode = _AllowlistMode
        return self._mode()


def from_config(config: dict[str, Any], violations: list[str], student_path: Callable[[], str]) -> Enforcer:
    """The child's Enforcer for a spawn config; no policy (no check) when the exercise states none, or when the
    supervisor switched the layer off and so sent none."""
    wire = config.get("operators")
    policy = OperatorPolicy.from_wire(wire)
    record = isinstance(wire, dict) and wire.get("record") is True
    return Enforcer(policy, violations, record=record, student_path=student_path)
