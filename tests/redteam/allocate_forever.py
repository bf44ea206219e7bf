# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: allocate memory without bound (Python objects and tensors)."""
import torch

HOARD = []


def sigmoid(x):
    while True:
        HOARD.append(bytearray(64 << 20))


def sigmoid_grad(x):
    while True:
        HOARD.append(torch.ones(16 << 20, dtype=torch.float64))
