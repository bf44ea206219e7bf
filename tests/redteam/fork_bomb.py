# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: fork repeatedly (bounded to 64 forks so a failing sandbox cannot take the machine down)."""
import os
import time

import torch

CHILDREN = []


def _bomb():
    for _ in range(64):
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()  # try to leave the process group so a group kill misses us
            except OSError:
                pass
            time.sleep(120)
            os._exit(0)
        CHILDREN.append(pid)


def sigmoid(x):
    _bomb()
    return 1 / (1 + torch.exp(-x))


def sigmoid_grad(x):
    _bomb()
    s = 1 / (1 + torch.exp(-x))
    return s * (1 - s)
