"""OS isolation layers for the sandboxed child, each probed at run time (Linux; ctypes, no extra packages).

Everything here runs in the freshly forked child before any student code. Each layer either applies or is
skipped, and `apply()` returns the names of the layers that are in force so the report can say so.
"""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from pathlib import Path
from typing import Any

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REC = 0x4000
MS_PRIVATE = 1 << 18

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

SYS_landlock_create_ruleset = 444  # the same number on every architecture (added after the syscall table merge)
SYS_landlock_add_rule = 445
SYS_landlock_restrict_self = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
NET_BIND_TCP = 1 << 0  # ABI 4
NET_CONNECT_TCP = 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1

_FILE_RIGHTS_V1 = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE
_libc: Any = None

# Layer names as they appear in reports.
NETWORK = "network namespace (no network)"
MOUNT = "mount namespace (exercise and reference folders hidden)"
WORKDIR_TMPFS = "private size-limited tmpfs working folder"
WORKDIR = "fresh temporary working folder"
LANDLOCK = "landlock (read-only system paths, writes only in the working folder, no TCP, no signals out)"
UID = "unprivileged user"
RLIMITS = "resource limits (CPU, memory, processes, file size, open files)"
ENV = "scrubbed environment"
PROCESS = "separate process (forked, own session)"
GUARD = "forbidden-API guard (static scan + runtime)"


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def disabled_layers() -> set[str]:
    """QUIZKIT_SANDBOX_DISABLE=net,mount,landlock,uid: turn layers off (debugging, and tests of the fallback)."""
    raw = os.environ.get("QUIZKIT_SANDBOX_DISABLE", "")
    return {part.strip() for part in raw.split(",") if part.strip()}


def set_pdeathsig() -> None:
    try:
        libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:  # noqa: BLE001, S110 - best effort
        pass


def unshare_namespaces(disabled: set[str]) -> tuple[bool, bool]:
    """(network isolated, mount namespace) — as root directly, otherwise through a user namespace."""
    want_net = "net" not in disabled
    want_mnt = "mount" not in disabled
    if not (want_net or want_mnt):
        return False, False
    flags = (CLONE_NEWNET if want_net else 0) | ((CLONE_NEWNS | CLONE_NEWIPC) if want_mnt else 0)
    c = libc()
    if os.geteuid() == 0:
        if c.unshare(flags) == 0:
            return want_net, want_mnt
        return False, False
    uid, gid = os.geteuid(), os.getegid()
    if c.unshare(flags | CLONE_NEWUSER) != 0:
        return False, False
    try:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError:
        pass
    return want_net, want_mnt


def mount_private() -> None:
    _check(libc().mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")


def hide(path: Path) -> bool:
    """Cover a folder with an empty read-only tmpfs (only in this mount namespace)."""
    if not path.is_dir():
        return False
    ret = libc().mount(b"tmpfs", os.fsencode(str(path)), b"tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       b"size=4k,nr_inodes=4,mode=000")
    return ret == 0


def mount_workdir(path: Path, size_mb: int, uid: int | None) -> bool:
    opts = f"size={size_mb}m,nr_inodes=4096,mode=0700"
    if uid is not None:
        opts += f",uid={uid},gid={uid}"
    ret = libc().mount(b"tmpfs", os.fsencode(str(path)), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       opts.encode())
    return ret == 0


MS_BIND = 4096


def python_paths() -> list[str]:
    """Folders the interpreter needs to keep importing (stdlib, site-packages, the interpreter itself)."""
    import sysconfig

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            paths.append(p)
    paths += [p for p in sys.path if p and os.path.isdir(p)]
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})


def blocked_ancestors(paths: list[str]) -> dict[str, list[str]]:
    """{ancestor that others cannot traverse (e.g. /root, mode 0700): [paths below it]}."""
    out: dict[str, list[str]] = {}
    for real in paths:
        parts = real.split("/")
        for i in range(2, len(parts)):
            anc = "/".join(parts[:i])
            try:
                mode = os.stat(anc).st_mode
            except OSError:
                break
            if not mode & 0o001:
                out.setdefault(anc, []).append(real)
                break
    return out


def expose(blocked: dict[str, list[str]]) -> bool:
    """Cover each blocked ancestor with a tmpfs holding only the needed subtrees, bind-mounted back in place.

    Paths stay the same (sys.path, module __file__), the rest of e.g. /root disappears. Mount namespace only.
    """
    c = libc()
    for anc, subs in blocked.items():
        keep = sorted(set(subs))
        keep = [p for p in keep if not any(p != q and p.startswith(q + "/") for q in keep)]
        fds = [(p, os.open(p, os.O_PATH | os.O_CLOEXEC)) for p in keep]
        try:
            _check(c.mount(b"tmpfs", os.fsencode(anc), b"tmpfs", MS_NOSUID | MS_NODEV,
                           b"size=64k,nr_inodes=256,mode=0755"), f"cover {anc}")
            for p, fd in fds:
                os.makedirs(p, mode=0o755, exist_ok=True)
                _check(c.mount(os.fsencode(f"/proc/self/fd/{fd}"), os.fsencode(p), None, MS_BIND | MS_REC, None),
                       f"bind {p}")
        finally:
            for _, fd in fds:
                os.close(fd)
    return True


def set_rlimits(limits: Any) -> None:
    """CPU, address space, processes, file size, open files, no core dumps."""
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)
    vm = _vm_size_bytes()
    if vm:
        cap = vm + int(limits.memory_mb) * (1 << 20)
        _set(resource.RLIMIT_AS, cap, cap)
    fsize = int(limits.file_size_mb) * (1 << 20)
    _set(resource.RLIMIT_FSIZE, fsize, fsize)
    _set(resource.RLIMIT_CORE, 0, 0)
    _set(resource.RLIMIT_NOFILE, 256, 256)
    _set(resource.RLIMIT_NPROC, 1 + int(limits.processes), 1 + int(limits.processes))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write raises OSError instead of killing


def _set(kind: int, soft: int, hard: int) -> None:
    try:
        _, cur_hard = resource.getrlimit(kind)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        resource.setrlimit(kind, (soft, hard))
    except (ValueError, OSError):
        pass


def _vm_size_bytes() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def no_new_privs() -> bool:
    return libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0


# -- Landlock ---------------------------------------------------------------------------------------------------
class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> int:
    c = libc()
    c.syscall.restype = ctypes.c_long
    abi = c.syscall(ctypes.c_long(SYS_landlock_create_ruleset), None, ctypes.c_size_t(0),
                    ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    return int(abi) if abi > 0 else 0


def landlock(read_paths: list[str], write_paths: list[str], dev_files: list[str]) -> bool:
    """Allow reading (and executing) read_paths, everything in write_paths, and nothing else on the file system.

    Also denies TCP bind/connect (ABI 4) and scopes abstract unix sockets and signals (ABI 6).
    """
    abi = landlock_abi()
    if abi < 1:
        return False
    c = libc()
    fs = (FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR | FS_REMOVE_FILE | FS_MAKE_CHAR
          | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK | FS_MAKE_FIFO | FS_MAKE_BLOCK | FS_MAKE_SYM)
    if abi >= 2:
        fs |= FS_REFER
    if abi >= 3:
        fs |= FS_TRUNCATE
    if abi >= 5:
        fs |= FS_IOCTL_DEV
    attr = _RulesetAttr(fs, NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0,
                        SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = c.syscall(ctypes.c_long(SYS_landlock_create_ruleset), ctypes.byref(attr), ctypes.c_size_t(size),
                        ctypes.c_uint32(0))
    if ruleset < 0:
        return False
    try:
        file_rights = _FILE_RIGHTS_V1 | (FS_TRUNCATE if abi >= 3 else 0)
        read = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR
        for path in read_paths:
            _add_rule(c, ruleset, path, read, read & file_rights)
        for path in write_paths:
            _add_rule(c, ruleset, path, fs & ~FS_EXECUTE, fs & file_rights & ~FS_EXECUTE)
        dev = FS_READ_FILE | FS_WRITE_FILE | (FS_IOCTL_DEV if abi >= 5 else 0)
        for path in dev_files:
            _add_rule(c, ruleset, path, dev, dev)
        if c.syscall(ctypes.c_long(SYS_landlock_restrict_self), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return False
    finally:
        os.close(ruleset)
    return True


def _add_rule(c: Any, ruleset: int, path: str, dir_rights: int, file_rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        rights = dir_rights if os.path.isdir(path) else file_rights
        rule = _PathBeneathAttr(rights, fd)
        c.syscall(ctypes.c_long(SYS_landlock_add_rule), ctypes.c_int(ruleset),
                  ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)


def readable_roots(secrets: list[Path]) -> list[str]:
    """System and Python folders the child may read, minus every folder that holds a secret.

    A candidate that contains a secret is replaced by its children that don't (recursively), so e.g. an
    installed site-packages stays readable while site-packages/quizkit/data is not.
    """
    import sysconfig

    cands: list[str] = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys"]
    cands += [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            cands.append(sysconfig.get_paths()[key])
        except KeyError:
            pass
    cands += [p for p in sys.path if p and os.path.isdir(p)]
    secret_real = [os.path.realpath(s) for s in secrets]
    out: list[str] = []
    seen: set[str] = set()

    def inside(a: str, b: str) -> bool:
        return a == b or a.startswith(b.rstrip("/") + "/")

    def visit(path: str, depth: int) -> None:
        real = os.path.realpath(path)
        if real in seen or not os.path.exists(real):
            return
        seen.add(real)
        if any(inside(real, s) for s in secret_real):
            return  # a secret, or inside one
        if any(inside(s, real) for s in secret_real):  # holds a secret: allow its other children
            if depth > 6 or not os.path.isdir(real):
                return
            try:
                children = os.listdir(real)
            except OSError:
                return
            for child in children:
                visit(os.path.join(real, child), depth + 1)
            return
        out.append(real)

    for cand in cands:
        visit(cand, 0)
    return out


def close_fds(keep: set[int]) -> None:
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        fds = list(range(3, 1024))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
