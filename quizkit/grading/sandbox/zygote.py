"""Runs in the trusted supervisor: starts the zygote and talks to it over a socketpair made before it starts.

The zygote is a fresh interpreter (boot.py), spawned with one end of the socketpair passed to it and never
forked from the supervisor: a fork would copy whatever the supervisor holds (the reference, the tests) and the
threads of a dask worker. (A worker of grade-batch's embedded cluster is given one at its start instead, forked
while it was still a single-threaded copy of a fresh forkserver: see prefork.py.) There is no path-named socket:
a child cannot find the zygote in /proc/<pid>/net/unix, let alone connect to it. The set of isolation layers and the secret folders are fixed here, sent as the first
message; one zygote runs per layer set (tests of the fallback switch layers off).

A process that forks after starting a zygote does not share it: its first spawn request starts its own.
"""

from __future__ import annotations

import array
import atexit
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from quizkit.grading.sandbox import isolation, layers

Key = frozenset[str]  # the layer ids switched off
BOOT_TIMEOUT_S = 300.0  # a fresh zygote imports torch: slow on a loaded machine, but it must come up in the end


@dataclass
class _Zygote:
    pid: int
    creator: int  # the supervisor process that started it (only it stops it)
    reap: Callable[[], object]  # wait for its end: Popen.wait, or waitpid for a preforked one


_zygotes: dict[Key, _Zygote] = {}
_clients: dict[Key, ZygoteClient] = {}
_closed = False  # close_all() was called: this process grades no more


class ZygoteClient:
    """One connection to a zygote, owned by one process."""

    def __init__(self, sock: socket.socket, *, booting: bool = False, log: IO[bytes] | None = None) -> None:
        self.owner = os.getpid()
        self.sock = sock
        self.booting = booting  # the zygote is still importing torch: the first answer may take a while
        self.log = log  # what the zygote printed while booting, to say why it went away
        self.exits: dict[int, dict[str, Any]] = {}  # pid -> the zygote's "exited" message

    def _recv(self, timeout: float) -> tuple[dict[str, Any], list[int]] | None:
        poller = select.poll()
        poller.register(self.sock.fileno(), select.POLLIN)
        if not poller.poll(int(max(0.0, timeout) * 1000)):
            return None
        fds = array.array("i")
        data, ancdata, _flags, _addr = self.sock.recvmsg(1 << 16, socket.CMSG_SPACE(16 * fds.itemsize))
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
        if not data:
            why = _last_line(self.log) if self.booting else ""
            raise ConnectionError("the sandbox zygote went away" + (f": {why}" if why else ""))
        msg = json.loads(data)
        if msg.get("op") == "exited":
            self.exits[int(msg["pid"])] = msg
        return msg, list(fds)

    def ask(self, message: dict[str, Any], answer: str, timeout: float = 30.0) -> tuple[dict[str, Any], list[int]]:
        """Send one request and wait for its answer, keeping the exit notices that arrive meanwhile."""
        self.sock.send(json.dumps(message).encode())
        deadline = time.monotonic() + (max(timeout, BOOT_TIMEOUT_S) if self.booting else timeout)
        while True:
            got = self._recv(deadline - time.monotonic())
            if got is None:
                raise ConnectionError("the sandbox zygote did not answer")
            msg, fds = got
            if msg.get("op") == answer and fds:
                self.booting = False
                return msg, fds
            for fd in fds:
                os.close(fd)
            if msg.get("op") == "spawn_failed":
                raise ConnectionError(f"the sandbox zygote could not fork: {msg.get('error')}")

    def spawn(self, config: dict[str, Any]) -> tuple[int, int, int]:
        msg, fds = self.ask({"op": "spawn", "config": config}, "spawned")
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            raise ConnectionError("the sandbox zygote sent a malformed answer")
        return int(msg["pid"]), fds[0], fds[1]

    def exit_info(self, pid: int, timeout: float) -> dict[str, Any] | None:
        """The zygote's notice that `pid` and everything it started are gone (None: not within timeout)."""
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
            for fd in got[1]:
                os.close(fd)
        return self.exits.pop(pid)

    def forget(self, pid: int) -> None:
        self.exits.pop(pid, None)
        if len(self.exits) > 256:  # notices about children nobody asked about
            self.exits.clear()


def switched_off(disable: tuple[str, ...] | list[str] = ()) -> Key:
    """Layer ids to switch off, from Grader(disable=...) and QUIZKIT_SANDBOX_DISABLE (e.g. "net,mount")."""
    names = [*disable, *os.environ.get("QUIZKIT_SANDBOX_DISABLE", "").split(",")]
    return frozenset(layers.SWITCHES.get(n.strip(), n.strip()) for n in names if n.strip())


def secret_paths(extra: list[Path] | tuple[Path, ...] = ()) -> list[str]:
    """Folders the child must never read: exercises (tests, probes), references, and the git history."""
    from quizkit.paths import content_root, exercises_dir, reference_dir

    out: list[str] = []
    for p in [exercises_dir(), reference_dir(), content_root() / ".git", *extra]:
        real = os.path.realpath(p)
        if real not in out and os.path.exists(real):
            out.append(real)
    return out


def start_zygote(extra_secrets: list[Path] | tuple[Path, ...] = (), key: Key = frozenset()) -> None:
    """Start the zygote for this layer set (idempotent): a fresh interpreter (`python -I`, never a fork of this
    process, which may be a multithreaded dask worker holding the reference in memory), or the one prefork.py
    made for this worker. A fresh one imports torch while the caller goes on, so call it as early as possible;
    the first spawn request waits until it is ready.

    Its death signal follows the thread that starts it (Linux's PR_SET_PDEATHSIG), so start it from a thread
    that lives as long as the grader: the main thread, or a dask worker's event loop or task thread."""
    z = _zygotes.get(key)
    if z is not None and _alive(z.pid) and key in _clients:
        return
    fixed = {"switched_off": sorted(key), "secrets": secret_paths(extra_secrets)}
    isolation.set_dumpable(False)  # a child of our uid must not read our memory (it holds the reference)
    z, ours, log = _preforked() or _spawn(fixed)
    ours.send(json.dumps({"op": "fixed", **fixed}).encode())  # over the socket: no secret path in argv
    _zygotes[key] = z
    _clients[key] = ZygoteClient(ours, booting=True, log=log)
    atexit.register(_stop, z)


def _spawn(fixed: dict[str, Any]) -> tuple[_Zygote, socket.socket, IO[bytes]]:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    log = tempfile.TemporaryFile()  # the boot's own errors (zygote_main then points stderr at /dev/null)
    try:
        proc = subprocess.Popen([sys.executable, "-I", "-c", _BOOT, str(theirs.fileno()),
                                 json.dumps(_sys_path(fixed["secrets"]))],
                                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=log, close_fds=True)
    finally:
        theirs.close()
    return _Zygote(proc.pid, os.getpid(), proc.wait), ours, log


def _preforked() -> tuple[_Zygote, socket.socket, IO[bytes]] | None:
    """The zygote an embedded cluster's worker was given at its start (prefork.py), if this is one."""
    prefork = sys.modules.get("quizkit.grading.sandbox.prefork")
    got = prefork.take() if prefork is not None else None  # type: ignore[attr-defined]
    if got is None:
        return None
    pid, ours, log = got
    return _Zygote(pid, os.getpid(), lambda: os.waitpid(pid, 0)), ours, log


# The zygote's first lines: Ctrl-C belongs to the supervisor, then the module path the supervisor uses.
_BOOT = ("import signal; signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
         "import json, sys; sys.path[:0] = json.loads(sys.argv[2])\n"
         "from quizkit.grading.sandbox.boot import main; main(int(sys.argv[1]))\n")


def _sys_path(secrets: list[str]) -> list[str]:
    """Where this process finds quizkit and torch; never the current folder (it may hold students' files), nor a
    secret folder (pytest puts the exercise's on sys.path while it runs)."""
    import quizkit

    here = os.path.realpath(os.getcwd())
    root = str(Path(quizkit.__file__).resolve().parent.parent)
    under = tuple(s.rstrip("/") + "/" for s in secrets)

    def fine(p: str) -> bool:
        real = os.path.realpath(p)
        return bool(p) and real != here and p != root and not (real + "/").startswith(under)

    return [root, *(p for p in sys.path if fine(p))]


def _last_line(log: IO[bytes] | None) -> str:
    """The last line a zygote printed before it went away ('' if nothing)."""
    if log is None:
        return ""
    try:
        log.seek(0)
        lines = log.read()[-4000:].decode("utf-8", "replace").strip().splitlines()
    except (OSError, ValueError):
        return ""
    return lines[-1] if lines else ""


def connection(key: Key) -> ZygoteClient:
    if _closed:
        raise ConnectionError("the sandbox is shutting down")
    client = _clients.get(key)
    if client is not None and client.owner == os.getpid():
        z = _zygotes.get(key)
        if z is not None and _alive(z.pid):
            return client
    reset(key)
    start_zygote(key=key)
    return _clients[key]


def reset(key: Key) -> None:
    client = _clients.pop(key, None)
    if client is not None and client.owner == os.getpid():
        client.sock.close()
    z = _zygotes.pop(key, None)
    if z is not None and z.creator == os.getpid():
        _stop(z)


def client_for(key: Key) -> ZygoteClient | None:
    client = _clients.get(key)
    return client if client is not None and client.owner == os.getpid() else None


def stop_all() -> None:
    for z in list(_zygotes.values()):
        _stop(z)


def close_all() -> None:
    """Stop every zygote for good (a closing dask worker): a grade under way fails fast instead of restarting."""
    global _closed
    _closed = True
    stop_all()


def _stop(z: _Zygote) -> None:
    if os.getpid() != z.creator:
        return  # a forked process exiting must not take its parent's zygote down
    try:
        os.kill(z.pid, signal.SIGKILL)
        z.reap()
    except (ProcessLookupError, ChildProcessError, PermissionError):
        pass


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
