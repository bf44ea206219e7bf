# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: a setsid process whose main thread exits (State Z) while another thread keeps running.

A sweep that skips zombies leaves it alive. answer() is right while it lives; the test checks it is gone after.
"""
import ctypes
import os
import threading
import time

NAME = b"qkZ__TOKEN__"[:15]


def _zombie():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            libc = ctypes.CDLL(None)

            def spin():
                libc.prctl(15, NAME, 0, 0, 0)  # PR_SET_NAME, on this thread
                while True:
                    time.sleep(0.2)

            threading.Thread(target=spin, daemon=True).start()
            time.sleep(0.3)
            os.write(w, str(os.getpid()).encode())
            libc.pthread_exit(None)  # the main thread leaves; the process lives on in its other thread
        os._exit(0)
    os.waitpid(pid, 0)
    return int(os.read(r, 32))


ZOMBIE = _zombie()


def answer():
    try:
        os.kill(ZOMBIE, 0)
        return 42
    except OSError:
        return 0


def second():
    return 0
