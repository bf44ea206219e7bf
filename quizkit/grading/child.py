"""Code that runs outside the trusted supervisor: the zygote, and the sandboxed child it forks.

The zygote is forked from the supervisor right after `import torch` and before any test or reference is
imported, so its memory holds no grading secrets. For each submission it forks a child, which sets up the
isolation layers (isolation.py), installs the forbidden-API guard, drops to a throw-away uid and then serves
requests from the supervisor over a socket (server.py). Replies carry plain data only (protocol.py).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import traceback
import types
from pathlib import Path
from typing import Any

from quizkit.grading import isolation
from quizkit.grading.server import Server

UID_BASE = 1_000_000  # sandbox uid = UID_BASE + child pid: unique among live sandboxes, so RLIMIT_NPROC binds


# ======================================================================================================
# Zygote
# ======================================================================================================
def zygote_main(listener: socket.socket, secrets: list[str]) -> None:
    """Serve spawn requests until the supervisor goes away. Never returns."""
    isolation.set_pdeathsig()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    isolation.close_fds({listener.fileno()})
    _scrub_memory(secrets)
    _single_thread_torch()

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    os.set_blocking(wake_r, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    conns: dict[int, socket.socket] = {}
    owner: dict[int, int] = {}  # child pid -> connection fd
    import select

    while True:
        try:
            ready, _, _ = select.select([listener.fileno(), wake_r, *conns], [], [], 5.0)
        except InterruptedError:
            continue
        if listener.fileno() in ready:
            try:
                conn, _ = listener.accept()
                conns[conn.fileno()] = conn
            except OSError:
                pass
        if wake_r in ready:
            try:
                while os.read(wake_r, 512):
                    pass
            except BlockingIOError:
                pass
        _reap(conns, owner)
        for fd in [fd for fd in ready if fd in conns]:
            conn = conns[fd]
            try:
                data = conn.recv(1 << 20)
            except OSError:
                data = b""
            if not data:
                conn.close()
                del conns[fd]
                continue
            try:
                request = json.loads(data)
                if request.get("op") != "spawn":
                    continue
                pid, fds = _spawn(request["config"], listener, conns, wake_r, wake_w)
                owner[pid] = fd
                conn.sendmsg([json.dumps({"op": "spawned", "pid": pid}).encode()],
                             [(socket.SOL_SOCKET, socket.SCM_RIGHTS, _fd_array(fds))])
                for f in fds:
                    os.close(f)
            except Exception as err:  # noqa: BLE001 - report and keep serving
                try:
                    conn.send(json.dumps({"op": "spawn_failed", "error": f"{type(err).__name__}: {err}"}).encode())
                except OSError:
                    pass


def _fd_array(fds: list[int]) -> bytes:
    import array

    return array.array("i", fds).tobytes()


def _reap(conns: dict[int, socket.socket], owner: dict[int, int]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        fd = owner.pop(pid, None)
        conn = conns.get(fd) if fd is not None else None
        if conn is not None:
            try:
                conn.send(json.dumps({"op": "exited", "pid": pid, "status": status}).encode())
            except OSError:
                pass


def _spawn(config: dict[str, Any], listener: socket.socket, conns: dict[int, socket.socket],
           wake_r: int, wake_w: int) -> tuple[int, list[int]]:
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for c in conns.values():
                c.close()
            listener.close()
            parent_sock.close()
            os.close(out_r)
            os.close(wake_r)
            os.close(wake_w)
            child_main(child_sock, out_w, config)
        except BaseException:  # noqa: BLE001 - nothing sensible to do but leave
            code = 70
            debug = config.get("debug")
            if debug:
                try:
                    with open(debug, "a") as fh:
                        traceback.print_exc(file=fh)
                except OSError:
                    pass
        os._exit(code)
    child_sock.close()
    os.close(out_w)
    return pid, [parent_sock.detach(), out_r]


def _scrub_memory(secrets: list[str]) -> None:
    """Forget any exercise test or reference module this process had imported before forking the zygote."""
    import gc
    import linecache

    prefixes = tuple(s.rstrip("/") + "/" for s in secrets)
    dropped = False
    for name, mod in list(sys.modules.items()):
        f = getattr(mod, "__file__", None) or ""
        if name.startswith("quizkit_reference_") or (f and os.path.realpath(f).startswith(prefixes)):
            del sys.modules[name]
            dropped = True
    plugin = sys.modules.get("quizkit.grading.plugin")
    if plugin is not None and getattr(plugin, "_references", None):
        plugin._references.clear()  # type: ignore[attr-defined]
        dropped = True
    linecache.clearcache()
    if dropped:
        gc.collect()
    _neutralise(prefixes)  # also catches secrets kept alive outside sys.modules


def _neutralise(prefixes: tuple[str, ...]) -> None:
    """Objects from a secret file may outlive their module (held by someone else): empty them in this copy."""
    import gc

    def blank(*args: Any, **kwargs: Any) -> None:
        return None

    function, module = types.FunctionType, types.ModuleType
    secret: dict[str, bool] = {}

    def is_secret(filename: str) -> bool:
        known = secret.get(filename)
        if known is None:
            known = secret[filename] = bool(filename) and os.path.realpath(filename).startswith(prefixes)
        return known

    for obj in gc.get_objects():
        kind = type(obj)  # not isinstance: that would run lazy objects' __class__ properties
        try:
            if kind is function:
                if is_secret(obj.__code__.co_filename):
                    try:
                        obj.__code__ = blank.__code__
                    except ValueError:  # a closure: its code cannot be swapped, but its globals can go
                        pass
                    obj.__globals__.clear()
            elif (kind is module or issubclass(kind, module)) and is_secret(obj.__dict__.get("__file__") or ""):
                obj.__dict__.clear()
        except Exception:  # noqa: BLE001, S110 - best effort on odd objects
            pass


def _single_thread_torch() -> None:
    # libgomp's thread pool does not survive fork; with one thread torch never enters a parallel region.
    os.environ["OMP_NUM_THREADS"] = "1"
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            torch.set_num_threads(1)
        except Exception:  # noqa: BLE001, S110 - a torch without threads settings is fine
            pass


# ======================================================================================================
# Sandboxed child
# ======================================================================================================
def child_main(sock: socket.socket, out_w: int, config: dict[str, Any]) -> None:
    os.setsid()
    isolation.set_pdeathsig()
    layers = _setup(sock, out_w, config)
    server = Server(sock, config, layers)
    server.hello()
    server.serve()


def _setup(sock: socket.socket, out_w: int, config: dict[str, Any]) -> list[str]:
    from quizkit.grading.limits import Limits

    disabled = set(config.get("disable", [])) | isolation.disabled_layers()
    layers = [isolation.PROCESS]
    # Output: stdout and stderr go to a pipe the supervisor drains and caps; stdin is empty.
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(out_w, 1)
    os.dup2(out_w, 2)
    os.close(out_w)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.stdin = open(0, closefd=False)  # noqa: SIM115 - lives as long as the child
    sys.__stdout__, sys.__stderr__, sys.__stdin__ = sys.stdout, sys.stderr, sys.stdin  # type: ignore[misc]
    isolation.close_fds({sock.fileno()})
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

    limits = Limits(**config["limits"])
    workdir = Path(config["workdir"])
    is_root = os.geteuid() == 0
    uid = UID_BASE + os.getpid() if (is_root and "uid" not in disabled) else None

    net, mnt = isolation.unshare_namespaces(disabled)
    if net:
        layers.append(isolation.NETWORK)
    tmpfs = False
    if mnt:
        try:
            isolation.mount_private()
            hidden = [isolation.hide(Path(p)) for p in config.get("hide", [])]
            if any(hidden):
                layers.append(isolation.MOUNT)
            size = max(32, 4 * int(limits.file_size_mb))
            tmpfs = isolation.mount_workdir(workdir, size, uid)
        except OSError:
            pass
    if uid is not None:
        # The unprivileged uid must still reach the interpreter (e.g. a pyenv under /root, mode 0700).
        blocked = isolation.blocked_ancestors(isolation.python_paths())
        if blocked:
            try:
                if not mnt:
                    raise OSError("no mount namespace")
                isolation.expose(blocked)
            except OSError:
                uid = None
    if not tmpfs and uid is not None:
        os.chown(workdir, uid, uid)
    os.chmod(workdir, 0o700)
    layers.append(isolation.WORKDIR_TMPFS if tmpfs else isolation.WORKDIR)
    os.chdir(workdir)

    home = str(workdir)
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
                       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    layers.append(isolation.ENV)
    sys.dont_write_bytecode = True
    import tempfile

    tempfile.tempdir = home
    sys.path[:] = [p for p in sys.path if p and not any(p.startswith(s) for s in config.get("secrets", []))]

    _single_thread_torch()
    isolation.set_rlimits(limits)
    layers.append(isolation.RLIMITS)

    if uid is not None:
        try:
            isolation.drop_privileges(uid)
            layers.append(f"{isolation.UID} (uid {uid})")
        except OSError:
            uid = None
    isolation.no_new_privs()
    isolation.set_pdeathsig()  # cleared by the uid change
    if "landlock" not in disabled:
        secrets = [Path(s) for s in config.get("secrets", [])]
        reads = isolation.readable_roots(secrets)
        devs = [d for d in ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random") if os.path.exists(d)]
        if isolation.landlock(reads, [home], devs):
            layers.append(isolation.LANDLOCK)
    return layers
