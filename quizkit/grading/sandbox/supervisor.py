"""Runs in the trusted supervisor: one sandboxed child per submission, reached through the zygote (zygote.py).

For each submission the supervisor asks the zygote for a child; it gets back two file descriptors: the request
socket and the pipe carrying the child's stdout/stderr. Every request has a wall-clock deadline; while waiting
the supervisor drains the output pipe and keeps at most output_kb of it. A timeout, an oversized output or a
broken reply kills the child, and with it its PID namespace (everything the submission started); the next
request starts a fresh child. SIGTERM or SIGINT to the supervisor still kills the children and removes their
folders.
"""

from __future__ import annotations

import os
import secrets
import select
import shutil
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from quizkit.grading.sandbox import layers, zygote
from quizkit.grading.sandbox.limits import Limits
from quizkit.grading.sandbox.zygote import secret_paths, start_zygote  # noqa: F401 - the runner's entry points
from quizkit.grading.wire import codec as protocol
from quizkit.grading.wire.codec import ProtocolError
from quizkit.render.i18n import STRINGS, t

_live: dict[int, Sandbox] = {}  # id -> running sandbox, for the signal handlers


class ChildGone(Exception):
    """The child died or broke the protocol; `detail` says how, `signal` is the signal that killed it if any."""

    def __init__(self, detail: str, signal: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.signal = signal


class CallTimeout(Exception):
    pass


class OutputFlood(Exception):
    pass


@dataclass
class Sandbox:
    limits: Limits
    forbidden: tuple[str, ...] = ()
    hide: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    disable: tuple[str, ...] = ()  # layers to switch off; fixed per zygote, never sent to the child
    operators: dict[str, Any] | None = None  # forbidden.OperatorPolicy.to_wire(): checked in the child
    lang: str = "en"  # the language of the child's own messages (this grade's, not the zygote's)

    pid: int = 0
    isolation: list[str] = field(default_factory=list)  # layer ids in force, from the child's hello
    output: bytearray = field(default_factory=bytearray)
    output_total: int = 0
    _sock: socket.socket | None = None
    _out: int = -1
    _workdir: str = ""
    _uid: int | None = None
    _key: frozenset[str] = frozenset()
    _exit: dict[str, Any] | None = None
    _seq: int = 0  # the last request's sequence number
    dead: bool = True

    @property
    def uid(self) -> int | None:
        return self._uid

    # -- life cycle -----------------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> None:
        _install_signal_cleanup()
        self._key = zygote.switched_off(self.disable)
        self._workdir = tempfile.mkdtemp(prefix="quizkit-sandbox-")
        _live[id(self)] = self
        config = {"workdir": self._workdir, "limits": self.limits.to_dict(), "forbidden": list(self.forbidden),
                  "secrets": sorted(set(self.hide) | set(self.secrets)),
                  "operators": self.operators, "lang": self.lang, "debug": os.environ.get("QUIZKIT_SANDBOX_DEBUG", "")}
        try:
            pid, sock_fd, out_fd = zygote.connection(self._key).spawn(config)
        except (OSError, ConnectionError, ValueError):
            zygote.reset(self._key)
            pid, sock_fd, out_fd = zygote.connection(self._key).spawn(config)
        self.pid = pid
        self._sock = socket.socket(fileno=sock_fd)
        self._sock.setblocking(False)
        self._out = out_fd
        os.set_blocking(out_fd, False)
        self.dead = False
        hello, _ = self.request_raw(None, timeout)
        if hello.get("op") != "hello":
            raise ChildGone(t("sandbox.did_not_start"))
        raw = hello.get("layers")
        self.isolation = [x for x in raw if x in layers.ALL] if isinstance(raw, list) else []
        uid = hello.get("uid")
        self._uid = uid if type(uid) is int else None

    def kill(self) -> None:
        """Kill the child and everything it started; wait (briefly) until the zygote says all of it is gone."""
        if self.pid > 0 and not self._exit:
            _signal_tree(self.pid)
            if self._uid is not None and layers.PID_NAMESPACE not in self.isolation:
                sweep_uid(self._uid)  # no PID namespace: children that called setsid still carry our uid
            client = zygote.client_for(self._key)
            if client is not None:
                self._exit = client.exit_info(self.pid, 3.0) or {}
                client.forget(self.pid)
        self._close()

    def close(self) -> None:
        self.kill()
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = ""
        _live.pop(id(self), None)

    def _close(self) -> None:
        self.dead = True
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        if self._out >= 0:
            self._drain(strict=False)
            try:
                os.close(self._out)
            except OSError:
                pass
            self._out = -1

    def died(self) -> ChildGone:
        """Why the child is gone: 'exited with code 0', 'was killed by SIGSEGV (...)', with the signal as a fact
        (from the zygote's exit notice; SIGXCPU when the CPU limit's SIGKILL ended a namespace's init)."""
        client = zygote.client_for(self._key)
        if client is not None and self.pid > 0 and not self._exit:
            self._exit = client.exit_info(self.pid, 1.0)
        self.kill()
        return ChildGone(describe_exit(self._exit, self.limits), exit_signal(self._exit, self.limits))

    # -- requests -----------------------------------------------------------------------------------------------
    def request(self, message: dict[str, Any], blobs: list[bytes], size: int, timeout: float) -> tuple[Any, bytearray]:
        """Send one request and wait for its reply (or raise CallTimeout / ChildGone / OutputFlood).

        Each request carries the next sequence number, from an unguessable start; the reply must echo it. A reply
        to another request (an extra frame the submission wrote, or a stale one) means the child broke the
        protocol, so it counts as a crash and can never be taken as the answer to a later request."""
        if self.dead or self._sock is None:
            raise ChildGone(t("sandbox.not_running"))
        if self._seq == 0:
            self._seq = secrets.randbits(48) + 1
        self._seq += 1
        data = protocol.pack({**message, "seq": self._seq}, blobs, size)
        deadline = time.monotonic() + timeout
        self._send_all(data, deadline)
        return self.request_raw(self._seq, timeout, deadline)

    def request_raw(self, seq: int | None, timeout: float, deadline: float | None = None) -> tuple[Any, bytearray]:
        """One reply frame; with `seq`, it must answer that request."""
        deadline = deadline if deadline is not None else time.monotonic() + timeout
        header = self._recv_exact(protocol.HEADER.size, deadline)
        # The child cannot make us hold more than it could have allocated itself.
        cap = min(protocol.MAX_BINARY, int(self.limits.memory_mb) << 20)
        try:
            jlen, blen = protocol.parse_header(bytes(header), cap)
        except (ProtocolError, Exception) as err:  # noqa: BLE001
            raise ChildGone(t("sandbox.malformed", error=err)) from None
        text = self._recv_exact(jlen, deadline)
        blob = self._recv_exact(blen, deadline) if blen else bytearray()
        try:
            reply = protocol.parse_json(bytes(text))
        except ProtocolError as err:
            raise ChildGone(t("sandbox.malformed", error=err)) from None
        if not isinstance(reply, dict):
            raise ChildGone(t("sandbox.malformed_plain"))
        if seq is not None and (type(reply.get("seq")) is not int or reply["seq"] != seq):
            self.kill()
            raise ChildGone(t("sandbox.out_of_order"))
        self._drain()
        return reply, blob

    def _send_all(self, parts: list[bytes], deadline: float) -> None:
        assert self._sock is not None
        for part in parts:
            view = memoryview(part)
            while len(view):
                self._wait(write=True, deadline=deadline)
                try:
                    sent = self._sock.send(view)
                except BlockingIOError:
                    continue
                except OSError:
                    raise self.died() from None
                view = view[sent:]

    def _recv_exact(self, n: int, deadline: float) -> bytearray:
        """n bytes, grown as they arrive (a lying length costs nothing until the data really comes)."""
        assert self._sock is not None
        buf = bytearray()
        while len(buf) < n:
            self._wait(write=False, deadline=deadline)
            try:
                chunk = self._sock.recv(min(n - len(buf), 1 << 22))
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                raise self.died()
            buf += chunk
        return buf

    def _wait(self, *, write: bool, deadline: float) -> None:
        """Block until the socket is ready, draining output meanwhile; enforce the deadline and output cap."""
        assert self._sock is not None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CallTimeout()
            # poll, not select: no FD_SETSIZE limit in a long-running supervisor with many files open.
            poller = select.poll()
            if self._out >= 0:
                poller.register(self._out, select.POLLIN)
            sock_fd = self._sock.fileno()
            poller.register(sock_fd, select.POLLOUT if write else select.POLLIN)
            try:
                events = poller.poll(int(min(remaining, 1.0) * 1000) + 1)
            except InterruptedError:
                continue
            ready = {fd for fd, _ in events}
            if self._out in ready:
                self._drain()
            if sock_fd in ready:
                return

    def _drain(self, strict: bool = True) -> None:
        """Move what the child printed into self.output (capped); over the cap raise OutputFlood if strict."""
        if self._out < 0:
            return
        cap = int(self.limits.output_kb * 1024)
        while True:
            try:
                chunk = os.read(self._out, 1 << 16)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            if not chunk:  # every writer closed it: stop watching (poll would report the hang-up forever)
                os.close(self._out)
                self._out = -1
                return
            self.output_total += len(chunk)
            room = cap - len(self.output)
            if room > 0:
                self.output.extend(chunk[:room])
            if self.output_total > cap:
                if strict:
                    raise OutputFlood()
                return


def _signal_tree(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def exit_signal(info: dict[str, Any] | None, limits: Limits) -> int | None:
    """The signal that ended the child, from the zygote's notice (None: it exited, or nobody knows)."""
    sig = (info or {}).get("signal")
    if type(sig) is not int:
        return None
    cpu = (info or {}).get("cpu")
    if sig == signal.SIGKILL and isinstance(cpu, (int, float)) and cpu >= limits.cpu_seconds:
        return int(signal.SIGXCPU)  # in its PID namespace the child is init, which ignores SIGXCPU
    return sig


def describe_exit(info: dict[str, Any] | None, limits: Limits) -> str:
    """Words for the zygote's exit notice (its `code`, `signal` and `cpu` fields)."""
    if not info:
        return t("sandbox.stopped")
    code, sig, cpu = info.get("code"), info.get("signal"), info.get("cpu")
    if type(code) is int:
        return t("sandbox.exited_code", code=code)
    if type(sig) is not int:
        return t("sandbox.stopped")
    name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
    if name in ("SIGXCPU", "SIGKILL") and isinstance(cpu, (int, float)) and cpu >= limits.cpu_seconds:
        # In its PID namespace the child is init, which ignores SIGXCPU: the hard limit's SIGKILL ends it.
        name = "SIGXCPU"
    if f"sandbox.why.{name}" not in STRINGS:
        return t("sandbox.killed", signal=name)
    why = t(f"sandbox.why.{name}", cpu=f"{limits.cpu_seconds:g}", file_mb=limits.file_size_mb)
    return t("sandbox.killed_why", signal=name, why=why)


def sweep_uid(uid: int, patience: float = 3.0) -> None:
    """SIGKILL every process owned by uid (children that left the process group with setsid), and wait
    until they are gone. A zombie leader whose other threads still run is killed too (kill reaches them)."""
    deadline = time.monotonic() + patience
    pause = 0.001
    while True:
        found = False
        try:
            entries = os.listdir("/proc")
        except OSError:
            return
        for entry in entries:
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/status", "rb") as fh:
                    status = fh.read(4096)
                line = status.split(b"\nUid:", 1)[1].split(b"\n", 1)[0].split()
                threads = int(status.split(b"\nThreads:", 1)[1].split(b"\n", 1)[0])
                if uid not in (int(line[0]), int(line[1])):
                    continue
                if b"\nState:\tZ" in status and threads <= 1:
                    continue  # really dead, waiting to be reaped
                os.kill(int(entry), signal.SIGKILL)
                found = True
            except (OSError, ValueError, IndexError):
                continue
        if not found or time.monotonic() > deadline:
            return
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


# -- SIGTERM / SIGINT: the children and their folders go with us -----------------------------------------------
_installed = False


def _install_signal_cleanup() -> None:
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    _installed = True
    for sig, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(sig) is default:
            signal.signal(sig, _on_signal)


def kill_live() -> None:
    """Kill every running child of this process and remove its folder (safe inside a signal handler)."""
    for box in list(_live.values()):
        if box.pid > 0:
            _signal_tree(box.pid)
        if box._workdir:
            shutil.rmtree(box._workdir, ignore_errors=True)
    _live.clear()


def _on_signal(signum: int, frame: Any) -> None:
    """SIGTERM, or SIGINT during a grade: kill the children, remove their folders, stop the zygotes, and die of
    the signal (pytest would swallow a KeyboardInterrupt and report the tests run so far as a grade).
    SIGINT while no child runs (watch mode, idle) stays the usual KeyboardInterrupt."""
    if signum == signal.SIGINT and not _live:
        raise KeyboardInterrupt
    kill_live()
    zygote.stop_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
