# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (softmax): logsumexp is the last entry of logcumsumexp, a stable kernel the exercise wants written by hand."""
import torch


def _lse(x, dim):
    return torch.logcumsumexp(x, dim).narrow(dim, x.shape[dim] - 1, 1)


def softmax(x, dim=-1):
    return torch.exp(x - _lse(x, dim))


def log_softmax(x, dim=-1):
    return x - _lse(x, dim)
