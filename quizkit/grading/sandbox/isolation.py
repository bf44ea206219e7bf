"""Runs in the sandboxed child (and its keeper) before any student code: namespaces, a private root, limits.

Linux only, through ctypes (no extra packages). Each step either applies or is skipped; the caller records
which layers are in force (layer ids in layers.py). Landlock and seccomp live in landlock.py and seccomp.py.
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
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
NAMESPACE_FLAGS = {"pid": CLONE_NEWPID, "net": CLONE_NEWNET, "mount": CLONE_NEWNS | CLONE_NEWIPC}

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_BIND = 4096
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MS_RELATIME = 1 << 21
MNT_DETACH = 2
# statvfs flag -> the mount flag a read-only remount must keep (a locked flag cannot be dropped in a user ns)
_KEEP_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC, os.ST_NOATIME: MS_NOATIME,
               os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
GUARD = "forbidden_guard"  # the in-process guard: defence in depth, not an isolation layer (hello leaves it out)
DEV_FILES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random", "/dev/full")
_libc: Any = None


def libc() -> Any:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, value: int) -> bool:
    try:
        return int(libc().prctl(option, value, 0, 0, 0)) == 0
    except Exception:  # noqa: BLE001 - no prctl (not Linux): the layer is simply missing
        return False


def set_pdeathsig() -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def set_dumpable(flag: bool) -> bool:
    """Non-dumpable: processes of the same uid can neither ptrace us nor read /proc/<pid>/mem, environ, fd."""
    return prctl(PR_SET_DUMPABLE, 1 if flag else 0)


def set_subreaper() -> bool:
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def no_new_privs() -> bool:
    return prctl(PR_SET_NO_NEW_PRIVS, 1)


# -- namespaces ---------------------------------------------------------------------------------------------
def enter_namespaces(want: set[str]) -> set[str]:
    """unshare() the wanted namespaces ("pid", "net", "mount"); returns those made.

    As root directly, otherwise inside a new user namespace that maps our own uid. Without a PID namespace
    the rest is still worth having (e.g. a kernel without CONFIG_PID_NS).
    """
    if sys.platform != "linux":
        return set()
    attempts = [want, want - {"pid"}] if "pid" in want else [want]
    c = libc()
    is_root = os.geteuid() == 0
    for names in attempts:
        if not names:
            return set()
        flags = 0
        for name in names:
            flags |= NAMESPACE_FLAGS[name]
        if is_root:
            if c.unshare(flags) == 0:
                return set(names)
            continue
        uid, gid = os.geteuid(), os.getegid()
        set_dumpable(True)  # a non-dumpable process cannot write its own uid_map
        if c.unshare(flags | CLONE_NEWUSER) != 0:
            continue
        try:
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        except OSError:
            pass
        return set(names)
    return set()


# -- the private root ---------------------------------------------------------------------------------------
def private_root(read_paths: list[str], workdir: Path, size_mb: int, uid: int | None, fresh_proc: bool) -> bool:
    """Make `/` a new tmpfs holding only read_paths (read-only binds, same paths), /dev basics, /proc and the
    work folder (a size-limited tmpfs). Everything else — /tmp, /run, $HOME, the course — is simply absent.

    Returns whether the work folder is a size-limited tmpfs. Needs a mount namespace; raises OSError.
    """
    c = libc()
    _check(c.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "make mounts private")
    new = str(workdir)  # the staging point: the work folder's own path, covered in this namespace only
    _check(c.mount(b"tmpfs", new.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755,size=1m,nr_inodes=4096"),
           "mount the new root")
    for path in _outermost(p for p in read_paths if p not in ("/proc", "/dev")):
        _bind(path, new + path, readonly=True)
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(name) and not os.path.lexists(new + name):
            os.symlink(os.readlink(name), new + name)
    os.makedirs(new + "/dev", mode=0o755)
    for dev in DEV_FILES:
        if os.path.exists(dev):
            _bind(dev, new + dev, readonly=False)
    for link, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{new}/dev/{link}")
    os.makedirs(new + "/proc", mode=0o555)
    if not fresh_proc or c.mount(b"proc", (new + "/proc").encode(), b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                                 None) != 0:
        _bind("/proc", new + "/proc", readonly=False)
    os.makedirs(new + new, mode=0o700)
    tmpfs = mount_workdir(Path(new + new), size_mb, uid)
    os.makedirs(new + "/.old", mode=0o700)
    _check(c.syscall(155 if os.uname().machine == "x86_64" else 41, new.encode(), (new + "/.old").encode()),
           "pivot_root")
    os.chdir("/")
    _check(c.umount2(b"/.old", MNT_DETACH), "detach the old root")
    os.rmdir("/.old")
    c.mount(None, b"/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, None)
    return tmpfs


def _outermost(paths: Any) -> list[str]:
    out: list[str] = []
    for p in sorted(set(paths)):
        if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in out):
            out.append(p)
    return out


def _bind(source: str, target: str, *, readonly: bool) -> None:
    c = libc()
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        with open(target, "a"):
            pass
    _check(c.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None), f"bind {source}")
    if readonly:
        keep = MS_RDONLY
        try:
            flags = os.statvfs(source).f_flag
            for st, ms in _KEEP_FLAGS.items():
                if flags & st:
                    keep |= ms
        except OSError:
            pass
        c.mount(None, target.encode(), None, MS_REMOUNT | MS_BIND | keep, None)  # best effort


def mount_workdir(path: Path, size_mb: int, uid: int | None) -> bool:
    opts = f"size={size_mb}m,nr_inodes=4096,mode=0700"
    if uid is not None:
        opts += f",uid={uid},gid={uid}"
    ret = libc().mount(b"tmpfs", os.fsencode(str(path)), b"tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                       opts.encode())
    return ret == 0


def python_paths() -> list[str]:
    """Folders the interpreter needs to keep importing (stdlib, site-packages, the interpreter, quizkit)."""
    import sysconfig

    import quizkit

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, os.path.dirname(sys.executable),
             os.path.dirname(os.path.realpath(sys.executable)), os.path.dirname(quizkit.__file__)]
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        p = sysconfig.get_paths().get(key)
        if p:
            paths.append(p)
    paths += [p for p in sys.path if p and os.path.isdir(p)]
    return sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})


def blocked_ancestors(paths: list[str]) -> list[str]:
    """Ancestors of paths that others cannot traverse (e.g. /root, mode 0700)."""
    out: list[str] = []
    for real in paths:
        parts = real.split("/")
        for i in range(2, len(parts)):
            anc = "/".join(parts[:i])
            try:
                mode = os.stat(anc).st_mode
            except OSError:
                break
            if not mode & 0o001:
                out.append(anc)
                break
    return sorted(set(out))


# -- privileges -----------------------------------------------------------------------------------------------
class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> bool:
    """Give up every capability (in a user namespace the child holds them all, and could unmount its root)."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    try:
        return int(libc().capset(ctypes.byref(header), data)) == 0
    except Exception:  # noqa: BLE001 - no capset: nothing to drop
        return False


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def set_rlimits(limits: Any, extra_processes: int = 0) -> None:
    """CPU, address space, processes, file size, open files, no core dumps.

    `extra_processes`: others already counted against the process limit (the keeper, in a user namespace).
    """
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
    nproc = 1 + int(limits.processes) + extra_processes
    _set(resource.RLIMIT_NPROC, nproc, nproc)
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



def readable_roots(secrets: list[Path]) -> list[str]:
    """System and Python folders the child may read, minus every folder that holds a secret.

    A candidate that contains a secret is replaced by its children that don't (recursively), so e.g. an
    installed site-packages stays readable while site-packages/quizkit/data is not.
    """
    cands: list[str] = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys"]
    cands += python_paths()
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
