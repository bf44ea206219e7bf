# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (softmax): torch._softmax and torch._log_softmax are the same kernels as the forbidden public names."""
import torch


def softmax(x, dim=-1):
    return torch._softmax(x, dim, False)


def log_softmax(x, dim=-1):
    return torch._log_softmax(x, dim, False)
