"""Runs in the trusted supervisor: the `submission` fixture, a proxy to the student's module in the sandboxed child.

    submission.sigmoid(x)                      call a top-level function (or submission.call("name", ...))
    h = submission.new("Adam", params, lr=0.1)  make an object in the child; h.step(), h.get("lr")
    submission.probe("trajectory", ...)        run probes.trajectory(module, ...) in the child
    submission.has("sigmoid_grad")             whether the module defines the name

Every value that comes back is rebuilt from plain data in this process (see codec.py). With
`read_only_inputs` (a test module sets READ_ONLY_INPUTS = True), every call's tensor arguments, as the child read
them back after the call, are compared here with what was sent: a submission that modifies its input fails
whichever call it does it in, so it cannot behave only while a particular test is watching.
"""

from __future__ import annotations

from typing import Any

from quizkit.grading.harness.session import Session
from quizkit.grading.testing import assert_unchanged
from quizkit.grading.wire.codec import HandleRef
from quizkit.grading.wire.replies import Made, Ok
from quizkit.render.i18n import t


class Submission:
    def __init__(self, session: Session, *, read_only_inputs: bool = False) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_read_only", read_only_inputs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def remote(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        remote.__name__ = name
        return remote

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the submission proxy is read-only")

    def _value(self, op: str, name: str, args: tuple, kwargs: dict, what: str, **kw: Any) -> Any:
        reply = self._session.request(op, name, args, kwargs, what=what, **kw)
        assert isinstance(reply, Ok)
        if self._read_only:
            check_inputs(reply, args, kwargs, what)
        return reply.value

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the top-level function `name` (for names that clash with the proxy's own methods)."""
        return self._value("call", name, args, kwargs, describe_call(name, args, kwargs))

    def call_with_inputs(self, name: str, *args: Any, **kwargs: Any) -> tuple[Any, list[Any], dict[str, Any]]:
        """(value, args, kwargs after the call): the arguments as the child saw them once the call returned."""
        what = describe_call(name, args, kwargs)
        reply = self._session.request("call", name, args, kwargs, what=what)
        assert isinstance(reply, Ok)
        if reply.inputs is None:
            raise AssertionError(t("harness.inputs_lost", what=what))
        return reply.value, reply.inputs[0], reply.inputs[1]

    def new(self, class_name: str, *args: Any, **kwargs: Any) -> Handle:
        session = self._session
        what = describe_call(class_name, args, kwargs)
        reply = session.request("new", class_name, args, kwargs, what=what)
        assert isinstance(reply, Made)
        return Handle(self, reply.handle, session.generation, what)

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._value("probe", name, args, kwargs, t("harness.probe", name=name))

    def has(self, name: str) -> bool:
        reply = self._session.request("has", name, (), {}, what=f"looking up {name}")
        return isinstance(reply, Ok) and reply.value is True

    def __repr__(self) -> str:
        return f"<submission {self._session.filename}>"


def check_inputs(reply: Ok, args: tuple, kwargs: dict, what: str) -> None:
    """Fail the test when the call changed a tensor it was given (compared here, never in the child)."""
    if reply.inputs is None:
        raise AssertionError(t("harness.inputs_lost", what=what))
    after_args, after_kwargs = reply.inputs
    assert_unchanged(list(args), after_args, call=what, name="argument")
    assert_unchanged(kwargs, after_kwargs, call=what, name="argument")


class Handle(HandleRef):
    """An object living in the child. Methods are called remotely; attributes are read with .get()."""

    def __init__(self, owner: Submission, handle_id: int, generation: int, label: str) -> None:
        super().__init__(handle_id)
        object.__setattr__(self, "_owner", owner)
        object.__setattr__(self, "_generation", generation)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def method(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        method.__name__ = name
        return method

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        what = f"{self._label}.{describe_call(method, args, kwargs)}"
        return self._owner._value("method", method, args, kwargs, what, handle=self.handle_id,
                                  generation=self._generation)

    def get(self, attr: str) -> Any:
        return self._owner._value("get", attr, (), {}, f"{self._label}.{attr}", handle=self.handle_id,
                                  generation=self._generation)

    def __repr__(self) -> str:
        return f"<object {self._label} in the sandbox>"


def describe_value(v: Any, depth: int = 0) -> str:
    """Short text for a value in a message: tensor(shape=(101,), dtype=float64)."""
    import torch

    if isinstance(v, torch.Tensor):
        return f"tensor(shape={tuple(v.shape)}, dtype={str(v.dtype).replace('torch.', '')})"
    if isinstance(v, HandleRef):
        return "<object>"
    if depth > 1:
        return "..."
    if isinstance(v, (list, tuple)):
        inner = ", ".join(describe_value(x, depth + 1) for x in list(v)[:4])
        more = ", ..." if len(v) > 4 else ""
        return f"[{inner}{more}]" if isinstance(v, list) else f"({inner}{more})"
    if isinstance(v, dict):
        inner = ", ".join(f"{k!r}: {describe_value(x, depth + 1)}" for k, x in list(v.items())[:4])
        return "{" + inner + (", ..." if len(v) > 4 else "") + "}"
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    parts = [describe_value(a) for a in args] + [f"{k}={describe_value(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"
