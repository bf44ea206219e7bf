# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest: the two-branch form with torch.where (like the reference)."""
import torch


def sigmoid(x):
    e = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
