# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: look outside the work folder — /tmp, the grader's $HOME, a unix socket, 127.0.0.1 — and leave a file.

answer() is right if any of it worked.
"""
import os
import socket

TOKEN = "__TOKEN__"
HITS = []


def _try(what, fn):
    try:
        if fn():
            HITS.append(what)
    except (OSError, ValueError):
        pass


def _read(path):
    with open(path) as fh:
        return TOKEN in fh.read()


def _connect(family, kind, address):
    with socket.socket(family, kind) as s:
        s.settimeout(1.0)
        s.connect(address)
        s.sendall(TOKEN.encode())
        return True


def _write(path):
    with open(path, "w") as fh:
        fh.write(TOKEN)
    return True


def _snoop():
    _try("tmp canary", lambda: _read("__TMP_CANARY__"))
    _try("home canary", lambda: _read("__HOME_CANARY__"))
    _try("list /tmp", lambda: any(TOKEN in name for name in os.listdir("/tmp")))
    _try("list home", lambda: any(TOKEN in name for name in os.listdir("__HOME__")))
    _try("run/user", lambda: bool(os.listdir("/run/user")) and False)
    _try("unix socket", lambda: _connect(socket.AF_UNIX, socket.SOCK_STREAM, "__SOCKET__"))
    _try("localhost", lambda: _connect(socket.AF_INET, socket.SOCK_STREAM, ("127.0.0.1", __PORT__)))
    _try("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(TOKEN.encode(), ("127.0.0.1", __PORT__)) > 0)
    _try("write tmp", lambda: _write("/tmp/quizkit-snoop-" + TOKEN))
    _try("write home", lambda: _write("__HOME__/quizkit-snoop-" + TOKEN))


_snoop()


def answer():
    _snoop()
    return 42 if HITS else 0


def second():
    return 0
