# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest, with a little debugging output (kept, sanitised, shown to the student)."""
import torch

print("loading my sigmoid")


def sigmoid(x):
    print("sigmoid called with", tuple(x.shape), x.dtype)
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s - s * s
