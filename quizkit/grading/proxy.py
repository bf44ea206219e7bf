"""The `submission` fixture: a proxy to the student's module in the sandboxed child.

    submission.sigmoid(x)                      call a top-level function (or submission.call("name", ...))
    h = submission.new("Adam", params, lr=0.1)  make an object in the child; h.step(), h.get("lr")
    submission.probe("trajectory", ...)        run probes.trajectory(module, ...) in the child
    submission.has("sigmoid_grad")             whether the module defines the name

Every value that comes back is rebuilt from plain data in this process (see protocol.py).
"""

from __future__ import annotations

from typing import Any

from quizkit.grading.protocol import HandleRef
from quizkit.grading.session import Session, describe_call


class Submission:
    def __init__(self, session: Session) -> None:
        object.__setattr__(self, "_session", session)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        session: Session = object.__getattribute__(self, "_session")

        def remote(*args: Any, **kwargs: Any) -> Any:
            return session.request("call", name, args, kwargs, what=describe_call(name, args, kwargs))

        remote.__name__ = name
        return remote

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("the submission proxy is read-only")

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the top-level function `name` (for names that clash with the proxy's own methods)."""
        return self._session.request("call", name, args, kwargs, what=describe_call(name, args, kwargs))

    def new(self, class_name: str, *args: Any, **kwargs: Any) -> Handle:
        session = self._session
        what = describe_call(class_name, args, kwargs)
        hid = session.request("new", class_name, args, kwargs, what=what)
        return Handle(session, hid, session.generation, what)

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return self._session.request("probe", name, args, kwargs, what=f"the grading probe {name} on your code")

    def has(self, name: str) -> bool:
        return bool(self._session.request("has", name, (), {}, what=f"looking up {name}"))

    def __repr__(self) -> str:
        return f"<submission {self._session.filename}>"


class Handle(HandleRef):
    """An object living in the child. Methods are called remotely; attributes are read with .get()."""

    def __init__(self, session: Session, handle_id: int, generation: int, label: str) -> None:
        super().__init__(handle_id)
        object.__setattr__(self, "_session", session)
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
        return self._session.request("method", method, args, kwargs, handle=self.handle_id,
                                     generation=self._generation, what=what)

    def get(self, attr: str) -> Any:
        return self._session.request("get", attr, (), {}, handle=self.handle_id, generation=self._generation,
                                     what=f"{self._label}.{attr}")

    def __repr__(self) -> str:
        return f"<object {self._label} in the sandbox>"
