# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): silu(x) = x * sigmoid(x), so silu(x) / x is the built-in sigmoid (0.5 at x = 0)."""
import torch
import torch.nn.functional as F


def sigmoid(x):
    safe = torch.where(x == 0, torch.ones_like(x), x)
    return torch.where(x == 0, torch.full_like(x, 0.5), F.silu(safe) / safe)


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
