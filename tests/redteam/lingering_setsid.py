# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: start a sleeper that leaves our session and process group (setsid + double fork) to outlive the grade.

answer() is right while the sleeper lives (proof that it ran); the test checks it is gone after the grade.
"""
import ctypes
import os
import signal
import time

NAME = b"qkL__TOKEN__"[:15]  # the sleeper's command name, so the test can find it anywhere


def _linger():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, NAME, 0, 0, 0)  # PR_SET_NAME
            for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(sig, signal.SIG_IGN)
            os.write(w, str(os.getpid()).encode())
            while True:
                time.sleep(1)
        os._exit(0)
    os.waitpid(pid, 0)
    return int(os.read(r, 32))


SLEEPER = _linger()


def answer():
    try:
        os.kill(SLEEPER, 0)
        return 42
    except OSError:
        return 0


def second():
    return 0
