"""Runs in the zygote, outside the trust boundary but before any submission: forks one sandboxed child per request.

The zygote is a fresh interpreter (boot.py, started by zygote.start_zygote), never a fork of the supervisor, so
its memory holds no grading secrets. It talks only over the socketpair it was born with: there is no path-named
socket a child could reach. The set of layers is fixed when it starts (`switched_off`); a spawn request carries
limits, folders and the language, never layers.

Each spawn forks a *keeper*, which enters the namespaces and forks the child proper: the child is the init of
its own PID namespace, so killing it kills everything the submission started. The keeper waits for it and dies
the same way, so the zygote's wait status (sent as `signal`/`code`) is the child's. Without a PID namespace
the child is the keeper itself, and the zygote, a subreaper, kills every orphan that comes back to it.
"""

from __future__ import annotations

import array
import json
import os
import resource
import select
import signal
import socket
import sys
from dataclasses import dataclass
from typing import Any

from quizkit.grading.sandbox import isolation, layers
from quizkit.grading.sandbox.scrub import scrub_memory, single_thread_torch

UID_BASE = 1_000_000  # sandbox uid = UID_BASE + keeper pid: unique among live sandboxes, so RLIMIT_NPROC binds


@dataclass(frozen=True)
class Fixed:
    """What the supervisor decided when it started the zygote; no request can change it."""

    switched_off: frozenset[str]  # layer ids turned off (tests of the fallback, debugging)
    secrets: tuple[str, ...]  # folders no child may see


@dataclass
class _Spawned:
    child: int  # the pid the supervisor knows and kills (the PID-namespace init, or the keeper itself)
    conn: int  # the connection that asked for it


def zygote_main(sock: socket.socket, fixed: Fixed) -> None:
    """Serve spawn requests until every connection is closed. Never returns."""
    isolation.set_pdeathsig()
    isolation.set_dumpable(False)
    reaper = layers.SUBREAPER not in fixed.switched_off and isolation.set_subreaper()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    isolation.close_fds({sock.fileno()})
    scrub_memory(list(fixed.secrets))
    single_thread_torch()
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    conns = {sock.fileno(): sock}
    keepers: dict[int, _Spawned] = {}
    while conns:
        try:
            ready, _, _ = select.select([wake_r, *conns], [], [], 5.0)
        except InterruptedError:
            continue
        if wake_r in ready:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        _reap(conns, keepers, reaper)
        for fd in [fd for fd in ready if fd in conns]:
            _serve(conns, fd, keepers, fixed, (wake_r, wake_w))
    os._exit(0)


def _serve(conns: dict[int, socket.socket], fd: int, keepers: dict[int, _Spawned], fixed: Fixed,
           wake: tuple[int, int]) -> None:
    conn = conns[fd]
    try:
        data = conn.recv(1 << 20)
    except OSError:
        data = b""
    if not data:
        conn.close()
        del conns[fd]
        return
    try:
        request = json.loads(data)
        if request.get("op") == "spawn":
            keeper, child, fds = _spawn(request["config"], fixed, conns, wake)
            keepers[keeper] = _Spawned(child, fd)
            _send(conn, {"op": "spawned", "pid": child}, fds)
            for f in fds:
                os.close(f)
    except Exception as err:  # noqa: BLE001 - report and keep serving
        try:
            conn.send(json.dumps({"op": "spawn_failed", "error": f"{type(err).__name__}: {err}"}).encode())
        except OSError:
            pass


def _send(conn: socket.socket, message: dict[str, Any], fds: list[int]) -> None:
    conn.sendmsg([json.dumps(message).encode()],
                 [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds).tobytes())])


def _reap(conns: dict[int, socket.socket], keepers: dict[int, _Spawned], reaper: bool) -> None:
    """Collect dead keepers (and kill orphans first, so "exited" means everything is gone)."""
    while True:
        try:
            pid, status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        spawned = keepers.pop(pid, None)
        if spawned is None:
            continue  # an orphan we killed
        if reaper:
            _kill_orphans(set(keepers))
        conn = conns.get(spawned.conn)
        message = {"op": "exited", "pid": spawned.child, "cpu": round(usage.ru_utime + usage.ru_stime, 3),
                   "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                   "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None}
        if conn is not None:
            try:
                conn.send(json.dumps(message).encode())
            except OSError:
                pass


def _kill_orphans(live: set[int], rounds: int = 50) -> None:
    """SIGKILL and reap every child of ours that is not a live keeper: processes a submission left behind
    (setsid sleepers, double forks) come back here because the zygote is a subreaper."""
    for _ in range(rounds):
        strays = [pid for pid in _children() if pid not in live]
        if not strays:
            return
        for pid in strays:
            try:
                os.kill(pid, signal.SIGKILL)  # also reaches a zombie leader's live threads
            except ProcessLookupError:
                pass
        for pid in strays:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _children() -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/children") as fh:
                out += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return out


def _spawn(config: dict[str, Any], fixed: Fixed, conns: dict[int, socket.socket],
           wake: tuple[int, int]) -> tuple[int, int, list[int]]:
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out_r, out_w = os.pipe()
    pid_r, pid_w = os.pipe()
    keeper = os.fork()
    if keeper == 0:
        code = 70
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for c in conns.values():
                c.close()
            for fd in (out_r, pid_r, *wake):
                os.close(fd)
            parent_sock.close()
            _keeper(child_sock, out_w, pid_w, config, fixed)
        except BaseException:  # noqa: BLE001 - nothing sensible to do but leave
            _debug(config)
        os._exit(code)
    child_sock.close()
    os.close(out_w)
    os.close(pid_w)
    try:
        with os.fdopen(pid_r, "rb") as fh:
            child = int.from_bytes(fh.read(4) or keeper.to_bytes(4, "little"), "little")
    except (OSError, ValueError):
        child = keeper
    return keeper, child, [parent_sock.detach(), out_r]


def _keeper(sock: socket.socket, out_w: int, pid_w: int, config: dict[str, Any], fixed: Fixed) -> None:
    """Enter the namespaces, fork the child (the PID namespace's init), wait for it and die like it."""
    from quizkit.grading.sandbox.child import child_main

    isolation.set_pdeathsig()
    is_root = os.geteuid() == 0
    uid = UID_BASE + os.getpid() if is_root and layers.UID not in fixed.switched_off else None
    want = {name for name, layer in (("pid", layers.PID_NAMESPACE), ("net", layers.NETWORK),
                                     ("mount", layers.MOUNT)) if layer not in fixed.switched_off}
    made = isolation.enter_namespaces(want)
    userns = bool(made) and not is_root
    if "pid" not in made:
        os.write(pid_w, os.getpid().to_bytes(4, "little"))
        os.close(pid_w)
        child_main(sock, out_w, config, fixed, made, uid, userns)
        return
    life_r, life_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(life_w)
        os.close(pid_w)
        isolation.set_pdeathsig()
        if select.select([life_r], [], [], 0)[0]:
            os._exit(0)  # the keeper died before we could arm the death signal
        child_main(sock, out_w, config, fixed, made, uid, userns)
        return
    sock.close()
    os.close(out_w)
    os.close(life_r)
    os.write(pid_w, child.to_bytes(4, "little"))
    os.close(pid_w)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [sig])
        os.kill(os.getpid(), sig)
        os._exit(128 + sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def _debug(config: dict[str, Any]) -> None:
    import traceback

    debug = config.get("debug")
    if debug:
        try:
            with open(debug, "a") as fh:
                traceback.print_exc(file=fh)
        except OSError:
            pass
    sys.stderr.flush()
