"""Runs in the trusted supervisor: one submission being graded, its sandboxed child, time budget and test events.

The proxy sends every request through `Session.request`, which returns the child's typed reply (replies.py) or
raises. Every failed outcome, whether the child reported it (raised, exited, forbidden) or the sandbox saw it
(timeout, crash, output flood, a reply out of order), becomes a test failure in one place, `Session.failure`.
Timeouts, crashes, exits, floods and forbidden calls are also recorded as an *event* of the running test, so the
plugin gives that test the event's status even if the test code caught the exception. A failure while importing
the submission is remembered and repeated for every later test without re-running it.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from typing import Any

from quizkit.grading.report import Status, sanitize
from quizkit.grading.sandbox.limits import Limits
from quizkit.grading.sandbox.supervisor import CallTimeout, ChildGone, OutputFlood, Sandbox
from quizkit.grading.wire import codec as protocol
from quizkit.grading.wire.codec import (
    ForbiddenUse,
    ProtocolError,
    ReturnTypeError,
    SandboxFailure,
    SubmissionCrashed,
    SubmissionError,
    SubmissionTimeout,
)
from quizkit.grading.wire.replies import (
    Exited,
    Forbidden,
    Made,
    Missing,
    Ok,
    Raised,
    Reply,
    Unsendable,
    parse_reply,
)
from quizkit.render.i18n import t

_FAILURES = {Status.ERROR: SubmissionCrashed, Status.TIMEOUT: SubmissionTimeout, Status.FORBIDDEN: ForbiddenUse}


# -- what the sandbox itself observed, in the same shape as the child's replies -----------------------------
@dataclass(frozen=True)
class Crashed:
    """The child died or broke the protocol; `signal` is the signal that killed it, if any."""

    detail: str
    signal: int | None = None


@dataclass(frozen=True)
class TimedOut:
    seconds: float
    budget: bool = False  # the submission's total budget ran out (not just this call's deadline)


@dataclass(frozen=True)
class Flooded:
    kb: float


Failure = Raised | Exited | Forbidden | Missing | Unsendable | Crashed | TimedOut | Flooded


@dataclass(frozen=True)
class Event:
    status: Status  # error | timeout | forbidden
    message: str


class InfrastructureError(Exception):
    """The sandbox itself could not run (not the student's fault)."""


class Session:
    def __init__(self, *, source: str, filename: str, limits: Limits, forbidden: tuple[str, ...],
                 probes: str | None, hide: list[str], secrets: list[str], disable: tuple[str, ...] = (),
                 operators: dict[str, Any] | None = None, lang: str = "en") -> None:
        self.source = source
        self.filename = filename
        self.limits = limits
        self.forbidden = forbidden
        self.probes = probes
        self.hide = hide
        self.secrets = secrets
        self.disable = disable
        self.operators = operators  # the exercise's aten allowlist, sent to the child as data
        self.lang = lang  # sent with every spawn: the child words its own refusals in it
        self.sandbox: Sandbox | None = None
        self.loaded = False
        self.generation = 0  # bumps on every restart; handles from an older child are dead
        self.preset: Event | None = None  # unreadable file, syntax error, static finding: every test gets it
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

    def _event(self, status: Status, message: str, *, loading: bool = False) -> SandboxFailure:
        event = Event(status, sanitize(message))
        if loading:
            self.load_failure = event
        if self.current is not None and self.current not in self.events:
            self.events[self.current] = event
        return _FAILURES[status](event.message)

    def output_text(self) -> str:
        text = self.output.decode("utf-8", "replace")
        if self.output_total > len(self.output):
            text += f"\n... ({self.output_total - len(self.output)} more bytes not kept)"
        return sanitize(text, 2000) if text.strip() else ""

    def remaining(self) -> float:
        return self.limits.total_seconds - self.used

    # -- the one place a failed outcome becomes a test failure ---------------------------------------------------
    def failure(self, outcome: Failure, what: str, *, loading: bool = False) -> Exception:
        """The exception the running test fails with; sandbox-level failures restart the child first."""
        if isinstance(outcome, (Crashed, TimedOut, Flooded, Exited)) or loading:
            self._restart()
        if isinstance(outcome, TimedOut):
            if outcome.budget:
                text = t("harness.budget", seconds=f"{self.limits.total_seconds:g}")
            else:
                text = t("harness.timeout", what=what, seconds=f"{outcome.seconds:g}")
            return self._event(Status.TIMEOUT, text, loading=loading)
        if isinstance(outcome, Flooded):
            return self._event(Status.ERROR, t("harness.flooded", what=what, kb=f"{outcome.kb:g}"), loading=loading)
        if isinstance(outcome, Crashed):
            status = Status.TIMEOUT if outcome.signal == signal.SIGXCPU else Status.ERROR
            return self._event(status, t("harness.crashed", detail=outcome.detail, what=what), loading=loading)
        if isinstance(outcome, Forbidden):
            return self._event(Status.FORBIDDEN, outcome.message, loading=loading)
        if isinstance(outcome, Exited):
            exit_text = t("harness.exit", code=outcome.code) + (f" ({outcome.where})" if outcome.where else "")
            if loading:
                return self._event(Status.ERROR, t("harness.exit_import", file=self.filename, exit=exit_text),
                                   loading=True)
            return self._event(Status.ERROR, t("harness.exit_call", what=what, exit=exit_text))
        if isinstance(outcome, Raised):
            text = f"{outcome.type_name}: {outcome.message}" if outcome.message else outcome.type_name
            text += f" ({outcome.where})" if outcome.where else ""
            if loading:
                return self._event(Status.ERROR, t("harness.import_failed", file=self.filename, error=text),
                                   loading=True)
            return SubmissionError(sanitize(t("harness.raised", what=what, error=text)))
        if isinstance(outcome, Unsendable):
            if loading:
                return self._event(Status.ERROR, t("harness.import_failed", file=self.filename, error=outcome.message),
                                   loading=True)
            return ReturnTypeError(sanitize(f"{what} {outcome.message}"))
        if loading:
            return self._event(Status.ERROR, t("harness.import_failed", file=self.filename, error=outcome.message),
                               loading=True)
        return SubmissionError(sanitize(outcome.message))

    # -- the child ----------------------------------------------------------------------------------------------
    def _restart(self) -> None:
        if self.sandbox is not None:
            t0 = time.monotonic()
            self._collect_output()
            self.sandbox.close()
            self.used += time.monotonic() - t0  # killing a child counts against the budget too
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
        for known in (self.preset, self.load_failure):
            if known is not None:
                raise self._event(known.status, known.message)
        if self.loaded and self.sandbox is not None and not self.sandbox.dead:
            return
        self._restart()
        if self.remaining() <= 0:
            raise self.failure(TimedOut(0.0, budget=True), "")
        self._start()
        message = {"op": "load", "source": self.source, "filename": self.filename, "probes": self.probes}
        reply = self._exchange(message, [], 0, t("harness.importing", file=self.filename), loading=True)
        if not isinstance(reply, Ok):
            raise self.failure(Raised("RuntimeError", "malformed reply to the import"), "", loading=True)
        self.loaded = True

    def _start(self) -> None:
        t0 = time.monotonic()
        sandbox = Sandbox(self.limits, self.forbidden, self.hide, self.secrets, self.disable, self.operators,
                          self.lang)
        try:
            sandbox.start()
        except (ChildGone, CallTimeout, OutputFlood, OSError, ConnectionError) as err:
            sandbox.close()
            self.infrastructure = t("harness.no_start", error=err)
            raise InfrastructureError(self.infrastructure) from None
        finally:
            self.used += time.monotonic() - t0
        self.sandbox = sandbox
        if not self.isolation:
            self.isolation = list(sandbox.isolation)
        if sandbox._uid is not None:
            self.uids.append(sandbox._uid)

    def _exchange(self, message: dict[str, Any], blobs: list[bytes], size: int, what: str, *,
                  loading: bool = False) -> Ok | Made:
        """One request under the deadline; the reply if it is a success, else the failure is raised."""
        assert self.sandbox is not None
        remaining = self.remaining()
        if remaining <= 0:
            raise self.failure(TimedOut(0.0, budget=True), what, loading=loading)
        timeout = min(self.limits.call_seconds, remaining)
        t0 = time.monotonic()
        outcome: Reply | Failure
        try:
            raw, blob = self.sandbox.request(message, blobs, size, timeout)
            outcome = parse_reply(raw, blob)
        except CallTimeout:
            outcome = TimedOut(timeout, budget=timeout < self.limits.call_seconds)
        except OutputFlood:
            outcome = Flooded(self.limits.output_kb)
        except ChildGone as err:
            outcome = Crashed(err.detail, err.signal)
        except ProtocolError as err:
            outcome = Crashed(f"sent malformed data ({err})")
        finally:
            self.used += time.monotonic() - t0
        if isinstance(outcome, (Ok, Made)):
            return outcome
        raise self.failure(outcome, what, loading=loading)

    # -- requests from the proxy --------------------------------------------------------------------------------
    def request(self, op: str, name: str, args: tuple, kwargs: dict, *, handle: int | None = None,
                generation: int | None = None, what: str = "") -> Ok | Made:
        self.ensure_loaded()
        if generation is not None and generation != self.generation:
            raise self._event(Status.ERROR, t("harness.lost", what=what))
        try:
            args_json, blobs, size = protocol.encode(list(args))
            kwargs_json, blobs, size = protocol.encode_after(kwargs, blobs, size)
        except (TypeError, ValueError) as err:
            raise TypeError(t("harness.unsendable_args", what=what, error=err)) from None
        message: dict[str, Any] = {"op": op, "name": name, "args": args_json, "kwargs": kwargs_json}
        if handle is not None:
            message["handle"] = handle
        reply = self._exchange(message, blobs, size, what)
        if (op == "new") != isinstance(reply, Made):
            raise self.failure(Crashed("sent a reply of the wrong kind"), what)
        return reply
