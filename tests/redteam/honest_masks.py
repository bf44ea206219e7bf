# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest: boolean masks and a fresh output tensor, written element-wise by hand."""
import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:
    out = torch.empty_like(x)
    pos = x >= 0
    neg = ~pos
    out[pos] = 1 / (1 + torch.exp(-x[pos]))
    z = torch.exp(x[neg])
    out[neg] = z / (1 + z)
    return out


def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    e = torch.exp(-x.abs())
    return e / (1 + e) / (1 + e)
