# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: flood stdout and stderr (and still compute the right answer)."""
import sys

import torch


def _flood():
    line = "spam " * 200
    for _ in range(200_000):
        print(line)
        sys.stderr.write(line + "\n")


def sigmoid(x):
    _flood()
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    _flood()
    e = torch.exp(-x.abs())
    return e / (1 + e) ** 2
