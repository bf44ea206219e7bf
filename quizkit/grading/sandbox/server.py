"""Runs in the sandboxed child: serves the supervisor's requests on the student's module, replying raw data only.

Ops: load the file, call a function, make an object, call a method, read an attribute, run a probe, ask whether
a name exists. Every reply is one typed outcome (replies.py) and echoes the request's sequence number. A call's
reply also carries its arguments as they were after the call, so that the supervisor, not this process, decides
whether the submission modified its inputs. Nothing here decides a test.
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import traceback
import types
from typing import Any

from quizkit.grading.forbidden import OPERATORS, operators
from quizkit.grading.forbidden.guard import ForbiddenError, Guard
from quizkit.grading.wire import codec as protocol
from quizkit.grading.wire.replies import wire
from quizkit.render.i18n import t

_EMPTY_KWARGS = {"t": "dict", "v": []}


class _Missing(Exception):
    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


class _Unsendable(Exception):
    pass


class Server:
    def __init__(self, sock: socket.socket, config: dict[str, Any], layers: list[str]) -> None:
        self.sock = sock
        self.config = config
        self.layers = layers
        self.pid = os.getpid()
        self.module: types.ModuleType | None = None
        self.probes: types.ModuleType | None = None
        # Probes are compiled under a name nobody outside this process knows, so it cannot be borrowed.
        self.probes_file = f"<{secrets.token_hex(8)}>"
        self.handles: dict[int, Any] = {}
        self.handle_ids: dict[int, int] = {}  # id(obj) -> handle id
        self.next_handle = 1
        self.filename = "submission.py"
        self.path = ""
        protocol.pin_torch()
        self.guard = Guard(config.get("forbidden", []), trusted_files=[self.probes_file])
        self.guard.entry_codes = {Server._invoke.__code__}
        if config.get("forbidden"):
            self.guard.install()  # defence in depth, not an isolation layer: it lives in the student's interpreter
        self.operators = operators.from_config(config, self.guard.violations, lambda: self.path)
        if self.operators.active:
            self.layers.append(OPERATORS)

    def hello(self, uid: int | None = None) -> None:
        """Layer facts travel as fields: ids (not labels) of the layers in force, and the sandbox uid."""
        from quizkit.grading.sandbox.layers import ALL

        protocol.send_frame(self.sock, {"op": "hello", "pid": self.pid, "uid": uid,
                                        "layers": [x for x in self.layers if x in ALL]})

    def serve(self) -> None:
        import torch

        while True:
            try:
                request, blob = protocol.recv_frame(self.sock)
            except (EOFError, OSError, protocol.ProtocolError):
                os._exit(0)
            self.guard.violations.clear()
            try:
                with self.operators.enforced():  # every aten operator student code runs is checked
                    reply, blobs, size = self.handle(request, blob, torch)
            except BaseException as err:  # noqa: BLE001 - every failure becomes a reply
                reply, blobs, size = self.failure(err), [], 0
            if os.getpid() != self.pid:
                os._exit(0)  # a fork made by student code must never answer
            if self.guard.violations and reply["kind"] in ("ok", "made"):
                reply, blobs, size = wire("forbidden", message=self.guard.violations[0]), [], 0
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001, S110 - a broken stream must not stop the reply
                    pass
            seq = request.get("seq") if isinstance(request, dict) else None
            reply["seq"] = seq if type(seq) is int else None
            try:
                protocol.send_frame(self.sock, reply, blobs, size)
            except (OSError, TypeError, ValueError):
                os._exit(0)

    # -- requests -------------------------------------------------------------------------------------------
    def handle(self, req: Any, blob: bytearray, torch: Any) -> tuple[dict[str, Any], list[bytes], int]:
        if not isinstance(req, dict):
            raise RuntimeError("malformed request")
        op = req.get("op")
        if op == "load":
            self.load(req)
            return wire("ok", value=None), [], 0
        if self.module is None:
            raise RuntimeError("the submission is not loaded")
        name = req.get("name")
        if not isinstance(name, str):
            raise RuntimeError("malformed request")
        if op == "has":
            return wire("ok", value=name in vars(self.module)), [], 0
        decoder = protocol.Decoder(blob, resolve_handle=self.resolve, generators=True)
        args = decoder.dec(req.get("args", []))
        kwargs = decoder.dec(req.get("kwargs", _EMPTY_KWARGS))
        if not (isinstance(args, list) and isinstance(kwargs, dict)):
            raise RuntimeError("malformed request")
        if op == "new":
            obj = self._invoke(self.attr(name), args, kwargs)
            return self.made(obj), [], 0
        if op == "call":
            fn = self.attr(name)
        elif op == "method":
            fn = getattr(self.resolve(req.get("handle")), name)
        elif op == "get":
            fn, args, kwargs = getattr, [self.resolve(req.get("handle")), name], {}
        elif op == "probe":
            if self.probes is None:
                raise RuntimeError("this exercise has no probes.py")
            fn, args = getattr(self.probes, name), [self.module, *args]
        else:
            raise RuntimeError(f"unknown request {str(op)[:40]!r}")
        value = self._invoke(fn, args, kwargs)
        sent = args[1:] if op == "probe" else [] if op == "get" else args
        with torch._C.DisableTorchFunctionSubclass():
            return self.ok(value, sent, kwargs)

    def _invoke(self, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """The one frame that calls into student code (and into probes), whatever the op."""
        return fn(*args, **kwargs)

    def ok(self, value: Any, args: list[Any], kwargs: dict[str, Any]) -> tuple[dict[str, Any], list[bytes], int]:
        """The value, and the arguments as they are now: raw data for the supervisor's checks."""
        try:
            obj, blobs, size = protocol.encode(value)
        except (TypeError, ValueError, RecursionError) as err:
            raise _Unsendable(t("child.unsendable", error=err)) from None
        try:
            inputs, blobs, size = protocol.encode_after((args, kwargs), blobs, size, handle_of=self.handle_of)
        except (TypeError, ValueError, RecursionError):
            inputs = None  # e.g. the submission put an object into a list argument
        return wire("ok", value=obj, inputs=inputs), blobs, size

    def made(self, obj: Any) -> dict[str, Any]:
        hid = self.next_handle
        self.next_handle += 1
        self.handles[hid] = obj
        self.handle_ids[id(obj)] = hid
        return wire("made", handle=hid)

    def handle_of(self, obj: Any) -> int | None:
        hid = self.handle_ids.get(id(obj))
        return hid if hid is not None and self.handles.get(hid) is obj else None

    def attr(self, name: str) -> Any:
        assert self.module is not None
        if name not in vars(self.module):
            raise _Missing(name, t("child.missing", file=self.filename, name=name))
        value = vars(self.module)[name]
        if not callable(value):
            raise _Missing(name, t("child.not_callable", name=name, file=self.filename, type=type(value).__name__))
        return value

    def resolve(self, hid: Any) -> Any:
        if type(hid) is not int or hid not in self.handles:
            raise RuntimeError(f"unknown object handle {str(hid)[:20]}")
        return self.handles[hid]

    def load(self, req: dict[str, Any]) -> None:
        self.filename = os.path.basename(str(req.get("filename") or "submission.py"))
        if not self.filename.endswith(".py"):
            self.filename += ".py"
        self.path = os.path.join(os.getcwd(), self.filename)
        probes = req.get("probes")
        if isinstance(probes, str) and probes:
            mod = types.ModuleType("probes")
            mod.__file__ = self.probes_file
            exec(compile(probes, self.probes_file, "exec"), mod.__dict__)  # noqa: S102 - instructor probes, sandboxed
            self.probes = mod
        source = str(req.get("source", ""))
        try:
            with open(self.path, "w", encoding="utf-8") as fh:
                fh.write(source)
        except OSError:
            pass
        module = types.ModuleType("submission")
        module.__file__ = self.path
        sys.modules["submission"] = module
        self.module = module
        code = compile(source, self.path, "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - running the submission is the point
        self.guard.student_file = self.filename
        if self.guard.forbidden:
            self.guard.check_namespace(module, self.filename)

    def failure(self, err: BaseException) -> dict[str, Any]:
        """Facts about a failure, as fields; the supervisor words the message."""
        if isinstance(err, SystemExit):
            return wire("exited", code=_safe(err.code, 200), where=self.where(err))
        if isinstance(err, ForbiddenError) or self.guard.violations:
            message = self.guard.violations[0] if self.guard.violations else _safe(err)
            return wire("forbidden", message=message)
        if isinstance(err, _Missing):
            return wire("missing", name=err.name, message=str(err))
        if isinstance(err, _Unsendable):
            return wire("unsendable", message=str(err))
        text = _safe(err)
        if isinstance(err, MemoryError):
            text = text or t("child.out_of_memory", mb=self.config["limits"]["memory_mb"])
        return wire("raised", type=type(err).__name__, message=text, where=self.where(err))

    def where(self, err: BaseException) -> str:
        """'sigmoid.py:12, in sigmoid' for the innermost frame in the student's file."""
        try:
            frames = traceback.extract_tb(err.__traceback__)
        except Exception:  # noqa: BLE001
            return ""
        for fr in reversed(frames):
            if fr.filename == self.path:
                return f"{self.filename}:{fr.lineno}, in {fr.name}"
        return ""


def _safe(value: Any, limit: int = 2000) -> str:
    """str() of student objects can raise or run forever-long; keep it bounded."""
    try:
        text = str(value)
    except BaseException:  # noqa: BLE001
        text = f"<unprintable {type(value).__name__}>"
    if not isinstance(text, str):
        text = "<unprintable>"
    return str.__str__(text)[:limit]
