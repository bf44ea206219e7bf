"""One submission being graded: its sandboxed child, time budget, captured output and per-test verdicts.

The proxy sends every request through `Session.request`. A timeout, crash, exit, output flood or forbidden call
is recorded as an *event* of the test that was running; the plugin gives that test the event's status even if
the test code caught the exception. Failures while importing the submission are remembered and repeated for
every later test without re-running it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizkit.grading import protocol
from quizkit.grading.limits import Limits
from quizkit.grading.protocol import (
    ForbiddenUse,
    HandleRef,
    ProtocolError,
    ReturnTypeError,
    SandboxFailure,
    SubmissionCrashed,
    SubmissionError,
    SubmissionTimeout,
)
from quizkit.grading.report import sanitize
from quizkit.grading.sandbox import CallTimeout, ChildGone, OutputFlood, Sandbox

_FAILURES = {"error": SubmissionCrashed, "timeout": SubmissionTimeout, "forbidden": ForbiddenUse}


@dataclass
class Event:
    status: str  # error | timeout | forbidden
    message: str


class InfrastructureError(Exception):
    """The sandbox itself could not run (not the student's fault)."""


class Session:
    def __init__(self, *, source: str, filename: str, limits: Limits, forbidden: tuple[str, ...],
                 probes: str | None, hide: list[str], secrets: list[str], disable: tuple[str, ...] = ()) -> None:
        self.source = source
        self.filename = filename
        self.limits = limits
        self.forbidden = forbidden
        self.probes = probes
        self.hide = hide
        self.secrets = secrets
        self.disable = disable
        self.sandbox: Sandbox | None = None
        self.loaded = False
        self.generation = 0  # bumps on every restart; handles from an older child are dead
        self.preset: Event | None = None  # syntax error or static forbidden finding: every test gets it
        self.load_failure: Event | None = None
        self.current: str | None = None
        self.events: dict[str, Event] = {}
        self.used = 0.0
        self.output = bytearray()
        self.output_total = 0
        self.isolation: list[str] = []
        self.uids: list[int] = []
        self.infrastructure: str | None = None

    # -- bookkeeping ---------------------------------------------------------------------------------------
    def begin_test(self, nodeid: str) -> None:
        self.current = nodeid

    def event_for(self, nodeid: str) -> Event | None:
        if self.preset is not None:
            return self.preset
        return self.events.get(nodeid)

    def fail(self, status: str, message: str) -> SandboxFailure:
        message = sanitize(message)
        if self.current is not None and self.current not in self.events:
            self.events[self.current] = Event(status, message)
        return _FAILURES[status](message)

    def output_text(self) -> str:
        text = self.output.decode("utf-8", "replace")
        if self.output_total > len(self.output):
            text += f"\n... ({self.output_total - len(self.output)} more bytes not kept)"
        return sanitize(text, 2000) if text.strip() else ""

    def remaining(self) -> float:
        return self.limits.total_seconds - self.used

    # -- the child ----------------------------------------------------------------------------------------------
    def _restart(self) -> None:
        if self.sandbox is not None:
            self._collect_output()
            self.sandbox.close()
        self.sandbox = None
        self.loaded = False
        self.generation += 1

    def _collect_output(self) -> None:
        if self.sandbox is None:
            return
        cap = int(self.limits.output_kb * 1024)
        room = cap - len(self.output)
        if room > 0:
            self.output.extend(self.sandbox.output[:room])
        self.output_total += self.sandbox.output_total
        self.sandbox.output.clear()
        self.sandbox.output_total = 0

    def close(self) -> None:
        if self.sandbox is not None:
            self._collect_output()
            self.sandbox.close()
            self.sandbox = None

    def ensure_loaded(self) -> None:
        if self.preset is not None:
            raise self.fail(self.preset.status, self.preset.message)
        if self.load_failure is not None:
            raise self.fail(self.load_failure.status, self.load_failure.message)
        if self.loaded and self.sandbox is not None and not self.sandbox.dead:
            return
        self._restart()
        if self.remaining() <= 0:
            raise self._budget_exhausted()
        t0 = time.monotonic()
        sandbox = Sandbox(self.limits, self.forbidden, self.hide, self.secrets, self.disable)
        try:
            sandbox.start()
        except (ChildGone, CallTimeout, OutputFlood, OSError, ConnectionError) as err:
            sandbox.close()
            self.infrastructure = f"the sandbox could not start: {err}"
            raise InfrastructureError(self.infrastructure) from None
        finally:
            self.used += time.monotonic() - t0
        self.sandbox = sandbox
        if not self.isolation:
            self.isolation = list(sandbox.isolation)
        if sandbox._uid is not None:
            self.uids.append(sandbox._uid)
        what = f"importing {self.filename}"
        message = {"op": "load", "source": self.source, "filename": self.filename, "probes": self.probes}
        try:
            reply, _ = self._exchange(message, [], 0, what)
        except SandboxFailure as err:
            self.load_failure = Event(err.status, str(err))
            raise
        if not reply.get("ok"):
            kind = reply.get("kind")
            text = sanitize(reply.get("message", ""))
            if kind == "forbidden":
                self.load_failure = Event("forbidden", text)
            elif kind == "exit":
                self.load_failure = Event("error", f"{self.filename} {text} while being imported; "
                                                   "a submission must not exit")
            else:
                self.load_failure = Event("error", f"Importing {self.filename} failed: {text}")
            self._restart()
            raise self.fail(self.load_failure.status, self.load_failure.message)
        self.loaded = True

    def _budget_exhausted(self) -> SandboxFailure:
        return self.fail("timeout", f"the submission used up its total time budget of "
                                    f"{self.limits.total_seconds:g} s; later tests were not run")

    def _exchange(self, message: dict[str, Any], blobs: list[bytes], size: int, what: str) -> tuple[dict, bytearray]:
        """One request with the deadline; sandbox failures become the running test's event."""
        assert self.sandbox is not None
        remaining = self.remaining()
        if remaining <= 0:
            self._restart()
            raise self._budget_exhausted()
        timeout = min(self.limits.call_seconds, remaining)
        t0 = time.monotonic()
        try:
            return self.sandbox.request(message, blobs, size, timeout)
        except CallTimeout:
            self._restart()
            if timeout < self.limits.call_seconds:
                raise self._budget_exhausted() from None
            raise self.fail("timeout", f"{what} did not finish within {timeout:g} s "
                                       "(an endless loop, or far too slow)") from None
        except OutputFlood:
            self._restart()
            raise self.fail("error", f"{what} printed more than {self.limits.output_kb:g} KB of output; "
                                     "remove the debugging prints") from None
        except ChildGone as err:
            self._restart()
            status = "timeout" if "SIGXCPU" in err.detail else "error"
            raise self.fail(status, f"the sandboxed process {err.detail} while {what}") from None
        finally:
            self.used += time.monotonic() - t0

    # -- requests from the proxy --------------------------------------------------------------------------------
    def request(self, op: str, name: str, args: tuple, kwargs: dict, *, handle: int | None = None,
                generation: int | None = None, what: str = "") -> Any:
        self.ensure_loaded()
        if generation is not None and generation != self.generation:
            raise self.fail("error", f"{what}: the object was lost when the sandbox restarted after an earlier "
                                     "crash or timeout")
        try:
            args_json, blobs, size = protocol.encode(list(args))
            kwargs_json, blobs2, size2 = _encode_more(kwargs, size)
        except TypeError as err:
            raise TypeError(f"cannot send the arguments of {what}: {err}") from None
        message: dict[str, Any] = {"op": op, "name": name, "args": args_json, "kwargs": kwargs_json}
        if handle is not None:
            message["handle"] = handle
        reply, blob = self._exchange(message, blobs + blobs2, size2 if blobs2 else size, what)
        if reply.get("ok"):
            if op == "new":
                hid = reply.get("handle")
                if type(hid) is not int:
                    raise self.fail("error", f"{what}: malformed reply from the sandbox")
                return hid
            try:
                return protocol.decode(reply.get("value"), blob)
            except ProtocolError as err:
                self._restart()
                raise self.fail("error", f"{what}: the sandbox sent malformed data ({err})") from None
        kind = reply.get("kind")
        text = sanitize(reply.get("message", ""))
        if kind == "forbidden":
            raise self.fail("forbidden", text)
        if kind == "exit":
            self._restart()
            raise self.fail("error", f"{what}: {text}; a submission must not exit")
        if kind == "type":
            raise ReturnTypeError(sanitize(f"{what} {text}"))
        if kind == "missing":
            raise SubmissionError(text)
        raise SubmissionError(sanitize(f"Called {what}; it raised {text}"))


def _encode_more(value: Any, offset: int) -> tuple[Any, list[bytes], int]:
    """Encode kwargs after the args' blob: shift tensor offsets by the args' size (aligned)."""
    obj, blobs, size = protocol.encode(value)
    if not blobs:
        return obj, [], offset
    pad = (-offset) % 64
    shift = offset + pad

    def fix(v: Any) -> Any:
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            if v.get("t") == "tensor":
                return {**v, "off": v["off"] + shift}
            return {k: fix(x) for k, x in v.items()}
        return v

    return fix(obj), ([b"\0" * pad] if pad else []) + blobs, shift + size


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


def read_probes(path: Path | None) -> str | None:
    return path.read_text(encoding="utf-8") if path is not None else None
