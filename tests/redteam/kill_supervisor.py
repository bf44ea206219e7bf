# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: kill the grader (our parent and our process group)."""
import os
import signal

import torch


def _kill_everything():
    # Bounded on purpose: the parent and our own process group only. (kill(-1) would be the real attack,
    # but if a sandbox layer were missing it would hit the machine running this test suite.)
    for target in (os.getppid(), -os.getpgrp()):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass


def sigmoid(x):
    _kill_everything()
    return x


def sigmoid_grad(x):
    _kill_everything()
    return x
