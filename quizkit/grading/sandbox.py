"""Supervisor side of the sandbox: the zygote (a clean fork with torch loaded) and one child per submission.

Timeline: the supervisor imports torch, forks the zygote (before any test or reference is imported), then for
each submission asks the zygote for a child over a unix socket. The zygote forks it (~15 ms) and passes back
two file descriptors: the request socket and the pipe carrying the child's stdout/stderr. Every request has a
wall-clock deadline; while waiting the supervisor drains the output pipe and keeps at most output_kb of it.
A timeout, an oversized output or a broken reply kills the child's whole process group and every process of
its private uid; the next request starts a fresh child.
"""

from __future__ import annotations

import array
import json
import os
import secrets
import select
import shutil
import signal
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizkit.grading import protocol
from quizkit.grading.limits import Limits
from quizkit.grading.protocol import ProtocolError

# ------------------------------------------------------------------------------------------------------
# The zygote: one per process tree, reachable from forked worker processes through its socket path.
# ------------------------------------------------------------------------------------------------------
_zygote: _Zygote | None = None
_client: _ZygoteClient | None = None


@dataclass
class _Zygote:
    pid: int
    path: str
    folder: str


class _ZygoteClient:
    """One connection to the zygote, owned by one process (a forked worker opens its own)."""

    def __init__(self, path: str) -> None:
        self.owner = os.getpid()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.connect(path)
        self.exits: dict[int, int] = {}

    def _recv(self, timeout: float) -> tuple[dict[str, Any], list[int]] | None:
        if not _readable(self.sock.fileno(), timeout):
            return None
        fds = array.array("i")
        data, ancdata, _flags, _addr = self.sock.recvmsg(1 << 16, socket.CMSG_SPACE(16 * fds.itemsize))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not data:
            raise ConnectionError("the sandbox zygote went away")
        return json.loads(data), list(fds)

    def spawn(self, config: dict[str, Any], timeout: float = 30.0) -> tuple[int, int, int]:
        self.sock.send(json.dumps({"op": "spawn", "config": config}).encode())
        deadline = time.monotonic() + timeout
        while True:
            got = self._recv(max(0.0, deadline - time.monotonic()))
            if got is None:
                raise ConnectionError("the sandbox zygote did not answer")
            msg, fds = got
            if msg.get("op") == "exited":
                self.exits[int(msg["pid"])] = int(msg["status"])
            elif msg.get("op") == "spawned" and len(fds) == 2:
                return int(msg["pid"]), fds[0], fds[1]
            elif msg.get("op") == "spawn_failed":
                for fd in fds:
                    os.close(fd)
                raise ConnectionError(f"the sandbox zygote could not fork: {msg.get('error')}")
            else:
                for fd in fds:
                    os.close(fd)

    def exit_status(self, pid: int, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                got = self._recv(remaining)
            except (OSError, ConnectionError, ValueError):
                return None
            if got is None:
                return None
            msg, fds = got
            for fd in fds:
                os.close(fd)
            if msg.get("op") == "exited":
                self.exits[int(msg["pid"])] = int(msg["status"])
        return self.exits.pop(pid)

    def forget(self, pid: int) -> None:
        self.exits.pop(pid, None)
        if len(self.exits) > 256:  # statuses of killed children nobody asked about
            self.exits.clear()


def _forget_after_fork() -> None:
    global _client
    if _client is not None and _client.owner != os.getpid():
        try:
            _client.sock.close()  # our copy only; the parent's connection stays open
        except OSError:
            pass
        _client = None


os.register_at_fork(after_in_child=_forget_after_fork)


def secret_paths(extra: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """Folders the child must never read: exercises (tests, probes), references, and the git history."""
    from quizkit.paths import content_root, exercises_dir, reference_dir

    out: list[str] = []
    for p in [exercises_dir(), reference_dir(), content_root() / ".git", *extra]:
        real = os.path.realpath(p)
        if real not in out and os.path.exists(real):
            out.append(real)
    return out


def start_zygote(extra_secrets: list[Path] | tuple[Path, ...] = ()) -> None:
    """Fork the zygote now (idempotent). Call it right after importing torch, before importing tests."""
    global _zygote
    if _zygote is not None and _alive(_zygote.pid):
        return
    import torch  # noqa: F401 - the zygote's whole point is a warm torch

    import quizkit.grading.child
    import quizkit.grading.isolation  # noqa: F401

    folder = tempfile.mkdtemp(prefix="quizkit-zygote-")
    os.chmod(folder, 0o700)
    path = os.path.join(folder, "zygote.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)
    secrets = secret_paths(extra_secrets)
    pid = os.fork()
    if pid == 0:
        try:
            from quizkit.grading.child import zygote_main

            zygote_main(listener, secrets)
        finally:
            os._exit(0)
    listener.close()
    _zygote = _Zygote(pid, path, folder)
    import atexit

    atexit.register(_stop_zygote, pid, folder, os.getpid())


def _stop_zygote(pid: int, folder: str, creator: int) -> None:
    if os.getpid() != creator:
        return  # a forked worker exiting normally must not take the shared zygote down
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError, PermissionError):
        pass
    shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _connection() -> _ZygoteClient:
    global _client
    if _client is not None and _client.owner == os.getpid():
        return _client
    if _zygote is None or not _alive(_zygote.pid):
        start_zygote()
    assert _zygote is not None
    try:
        _client = _ZygoteClient(_zygote.path)
    except OSError:
        # The zygote belongs to a process that is gone (or we are in an odd fork): make our own.
        _reset_zygote()
        start_zygote()
        assert _zygote is not None
        _client = _ZygoteClient(_zygote.path)
    return _client


def _reset_zygote() -> None:
    global _zygote, _client
    _zygote = None
    _client = None


# ------------------------------------------------------------------------------------------------------
# One sandboxed child.
# ------------------------------------------------------------------------------------------------------
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
    disable: tuple[str, ...] = ()

    pid: int = 0
    isolation: list[str] = field(default_factory=list)
    output: bytearray = field(default_factory=bytearray)
    output_total: int = 0
    _sock: socket.socket | None = None
    _out: int = -1
    _workdir: str = ""
    _uid: int | None = None
    _seq: int = 0  # the last request's sequence number
    dead: bool = True

    # -- life cycle -----------------------------------------------------------------------------------------
    def start(self, timeout: float = 30.0) -> None:
        self._workdir = tempfile.mkdtemp(prefix="quizkit-sandbox-")
        config = {
            "workdir": self._workdir,
            "limits": self.limits.to_dict(),
            "forbidden": list(self.forbidden),
            "hide": self.hide,
            "secrets": self.secrets,
            "disable": list(self.disable),
            "debug": os.environ.get("QUIZKIT_SANDBOX_DEBUG", ""),
        }
        client = _connection()
        try:
            pid, sock_fd, out_fd = client.spawn(config)
        except (OSError, ConnectionError, ValueError):
            _reset_zygote()
            client = _connection()
            pid, sock_fd, out_fd = client.spawn(config)
        self.pid = pid
        self._sock = socket.socket(fileno=sock_fd)
        self._sock.setblocking(False)
        self._out = out_fd
        os.set_blocking(out_fd, False)
        self.dead = False
        hello, _ = self.request_raw(None, timeout)
        if hello.get("op") != "hello":
            raise ChildGone("the sandbox did not start")
        self.isolation = [str(x) for x in hello.get("isolation", [])][:20]
        for layer in self.isolation:
            if layer.startswith("unprivileged user (uid "):
                try:
                    self._uid = int(layer.rsplit(" ", 1)[1].rstrip(")"))
                except ValueError:
                    pass

    def kill(self) -> None:
        """Kill the child, its process group and every process of its uid (children that called setsid)."""
        if self.pid > 0:
            for target in (lambda: os.killpg(self.pid, signal.SIGKILL), lambda: os.kill(self.pid, signal.SIGKILL)):
                try:
                    target()
                except (ProcessLookupError, PermissionError):
                    pass
            if self._uid is not None:
                sweep_uid(self._uid)
            if _client is not None and _client.owner == os.getpid():
                _client.forget(self.pid)
        self._close()

    def close(self) -> None:
        self.kill()
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = ""

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
        """Why the child is gone: 'exited with code 0', 'was killed by SIGXCPU (...)', with the signal as a fact."""
        status = None
        if _client is not None and _client.owner == os.getpid():
            status = _client.exit_status(self.pid, 1.0)
        self.kill()
        sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
        return ChildGone(describe_status(status, self.limits), sig)

    # -- requests -----------------------------------------------------------------------------------------------
    def request(self, message: dict[str, Any], blobs: list[bytes], size: int, timeout: float) -> tuple[Any, bytearray]:
        """Send one request and wait for its reply (or raise CallTimeout / ChildGone / OutputFlood).

        Each request carries the next sequence number, from an unguessable start; the reply must echo it. A reply
        to another request (an extra frame the submission wrote, or a stale one) means the child broke the
        protocol, so it counts as a crash and can never be taken as the answer to a later request."""
        if self.dead or self._sock is None:
            raise ChildGone("the sandbox is not running")
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
            raise ChildGone(f"sent a malformed reply ({err})") from None
        text = self._recv_exact(jlen, deadline)
        blob = self._recv_exact(blen, deadline) if blen else bytearray()
        try:
            reply = protocol.parse_json(bytes(text))
        except ProtocolError as err:
            raise ChildGone(f"sent a malformed reply ({err})") from None
        if not isinstance(reply, dict):
            raise ChildGone("sent a malformed reply")
        if seq is not None and (type(reply.get("seq")) is not int or reply["seq"] != seq):
            self.kill()
            raise ChildGone("sent a reply out of order (not the answer to the request it was sent)")
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


def _readable(fd: int, timeout: float) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(int(max(0.0, timeout) * 1000)))


def describe_status(status: int | None, limits: Limits) -> str:
    if status is None:
        return "stopped unexpectedly"
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        return f"exited with code {code} (os._exit or a crash)"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        why = {
            "SIGXCPU": f"the CPU time limit of {limits.cpu_seconds:g} s",
            "SIGSEGV": "a segmentation fault",
            "SIGKILL": "killed, possibly for memory",
            "SIGXFSZ": f"the file size limit of {limits.file_size_mb} MB",
            "SIGABRT": "an abort in native code",
            "SIGBUS": "a bus error, possibly out of memory",
        }.get(name, "")
        return f"was killed by {name}" + (f" ({why})" if why else "")
    return "stopped unexpectedly"


def sweep_uid(uid: int, patience: float = 3.0) -> None:
    """SIGKILL every process owned by uid (children that left the process group with setsid), and wait
    until they are gone: a killed process with a large address space takes a moment to exit."""
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
                if uid not in (int(line[0]), int(line[1])) or b"\nState:\tZ" in status:
                    continue  # not ours, or already dead (a zombie waiting for init)
                os.kill(int(entry), signal.SIGKILL)
                found = True
            except (OSError, ValueError, IndexError):
                continue
        if not found or time.monotonic() > deadline:
            return
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
