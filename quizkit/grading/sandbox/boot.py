"""Runs in the zygote, a fresh interpreter that zygote.start_zygote spawned (or the fork of a new embedded worker,
prefork.py): before any submission, it learns what the supervisor fixed, imports torch and everything a child
runs, then serves spawn requests (spawner.py).

It was started with `python -I`, so neither the current folder (which may hold students' files) nor PYTHON*
variables shape what it imports; SIGINT is already ignored (Ctrl-C is the supervisor's to handle).
"""

from __future__ import annotations

import json
import socket


def main(fd: int) -> None:
    """Serve on the socketpair end passed as `fd`. Never returns."""
    sock = socket.socket(fileno=fd)
    first = json.loads(sock.recv(1 << 20) or b"{}")
    if first.get("op") != "fixed":
        raise SystemExit("quizkit zygote: the supervisor did not say which layers and folders are fixed")
    import torch  # noqa: F401 - the zygote's whole point is a warm torch

    import quizkit.grading.sandbox.child  # noqa: F401 - everything the child runs is imported before it forks
    from quizkit.grading.sandbox.spawner import Fixed, zygote_main

    fixed = Fixed(frozenset(str(x) for x in first.get("switched_off", [])),
                  tuple(str(x) for x in first.get("secrets", [])))
    zygote_main(sock, fixed)
