# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (softmax): x.max(dim).values, one shared helper, functools.partial and an nn.Module wrapper."""
import functools

import torch
from torch import nn


def _shifted(x, dim):
    return x - x.max(dim=dim, keepdim=True).values


def log_softmax(x, dim=-1):
    s = _shifted(x, dim)
    return s - torch.log(torch.sum(torch.exp(s), dim=dim, keepdim=True))


class _Softmax(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        e = torch.exp(_shifted(x, self.dim))
        return e / e.sum(self.dim, keepdim=True)


def softmax(x, dim=-1):
    return functools.partial(_Softmax(dim).forward)(x)
