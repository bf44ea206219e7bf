# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (softmax): softmin(-x) is softmax(x), and nn.Softmin is not on the exercise's list of names."""
import torch
from torch import nn


def softmax(x, dim=-1):
    return nn.Softmin(dim=dim)(-x)


def log_softmax(x, dim=-1):  # written by hand: the cheat is softmax
    s = x - x.amax(dim=dim, keepdim=True)
    return s - s.exp().sum(dim=dim, keepdim=True).log()
