# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (dropout): torch.where on a uniform draw, with the scale as a Python number."""
import torch


def dropout(x, p, training, generator=None):
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
    scale = 1.0 / (1.0 - p)
    return torch.where(u >= p, x * scale, torch.zeros_like(x))
