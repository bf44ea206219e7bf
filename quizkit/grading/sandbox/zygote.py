"""Runs in the trusted supervisor: starts the zygote and talks to it over a socketpair made before the fork.

There is no path-named socket: a child cannot find the zygote in /proc/<pid>/net/unix, let alone connect to it.
A supervisor process that forks (grade-batch workers) hands its child a line of its own: just before the fork
it asks the zygote for a fresh socketpair end, and only the forked process keeps it. The set of isolation
layers is fixed here, when the zygote starts; one zygote runs per set (tests of the fallback switch layers off).
"""

from __future__ import annotations

import array
import atexit
import json
import os
import select
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizkit.grading.sandbox import isolation, layers

Key = frozenset[str]  # the layer ids switched off


@dataclass
class _Zygote:
    pid: int
    creator: int  # the supervisor process that forked it (only it stops it)


_zygotes: dict[Key, _Zygote] = {}
_clients: dict[Key, ZygoteClient] = {}
_handoff: dict[Key, int] = {}  # connections fetched just before a fork, for the forked process
_forking_zygote = False


class ZygoteClient:
    """One connection to a zygote, owned by one process."""

    def __init__(self, sock: socket.socket) -> None:
        self.owner = os.getpid()
        self.sock = sock
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
            raise ConnectionError("the sandbox zygote went away")
        msg = json.loads(data)
        if msg.get("op") == "exited":
            self.exits[int(msg["pid"])] = msg
        return msg, list(fds)

    def ask(self, message: dict[str, Any], answer: str, timeout: float = 30.0) -> tuple[dict[str, Any], list[int]]:
        """Send one request and wait for its answer, keeping the exit notices that arrive meanwhile."""
        self.sock.send(json.dumps(message).encode())
        deadline = time.monotonic() + timeout
        while True:
            got = self._recv(deadline - time.monotonic())
            if got is None:
                raise ConnectionError("the sandbox zygote did not answer")
            msg, fds = got
            if msg.get("op") == answer and fds:
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
    """Fork the zygote for this layer set now (idempotent). Call it right after importing torch, before tests."""
    global _forking_zygote
    z = _zygotes.get(key)
    if z is not None and _alive(z.pid) and key in _clients:
        return
    import torch  # noqa: F401 - the zygote's whole point is a warm torch

    import quizkit.grading.sandbox.child  # noqa: F401 - everything the child runs is imported before the fork
    from quizkit.grading.sandbox.spawner import Fixed, zygote_main

    fixed = Fixed(key, tuple(secret_paths(extra_secrets)))
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    isolation.set_dumpable(False)  # a child of our uid must not read our memory (it holds the reference)
    _forking_zygote = True
    try:
        pid = os.fork()
    finally:
        _forking_zygote = False
    if pid == 0:
        try:
            ours.close()
            zygote_main(theirs, fixed)
        finally:
            os._exit(0)
    theirs.close()
    _zygotes[key] = _Zygote(pid, os.getpid())
    _clients[key] = ZygoteClient(ours)
    atexit.register(_stop, pid, os.getpid())


def connection(key: Key) -> ZygoteClient:
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
        _stop(z.pid, z.creator)


def client_for(key: Key) -> ZygoteClient | None:
    client = _clients.get(key)
    return client if client is not None and client.owner == os.getpid() else None


def stop_all() -> None:
    for z in list(_zygotes.values()):
        _stop(z.pid, z.creator)


def _stop(pid: int, creator: int) -> None:
    if os.getpid() != creator:
        return  # a forked worker exiting must not take the shared zygote down
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
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


def abandon() -> None:
    """In the zygote: forget the supervisor's lines without closing them (close_fds does that)."""
    for client in _clients.values():
        client.sock.detach()
    _clients.clear()
    _zygotes.clear()
    for fd in _handoff.values():
        os.close(fd)
    _handoff.clear()


# -- forks of the supervisor: each forked process gets a line of its own --------------------------------------
def _before_fork() -> None:
    if _forking_zygote:
        return
    for key, client in list(_clients.items()):
        z = _zygotes.get(key)
        if client.owner != os.getpid() or z is None or not _alive(z.pid):
            continue
        try:
            _, fds = client.ask({"op": "connect"}, "connected", timeout=10.0)
            _handoff[key] = fds[0]
            for fd in fds[1:]:
                os.close(fd)
        except (OSError, ConnectionError, ValueError):
            pass


def _after_fork_parent() -> None:
    for fd in _handoff.values():
        os.close(fd)
    _handoff.clear()


def _after_fork_child() -> None:
    if _forking_zygote:
        return
    for client in _clients.values():
        if client.owner != os.getppid():
            client.sock.detach()  # not our parent's: in the zygote's forks these numbers were closed long ago
            continue
        try:
            client.sock.close()  # our copy of the parent's line; the parent's stays open
        except OSError:
            pass
    _clients.clear()
    for key, fd in _handoff.items():
        _clients[key] = ZygoteClient(socket.socket(fileno=fd))
    _handoff.clear()


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_parent, after_in_child=_after_fork_child)
