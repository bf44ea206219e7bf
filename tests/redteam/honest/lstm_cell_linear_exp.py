# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (lstm_cell): F.linear, split, and a sigmoid written with exp (stable form) instead of torch.sigmoid."""
import torch
import torch.nn.functional as F


def _sig(v):
    e = torch.exp(-v.abs())
    return torch.where(v >= 0, 1 / (1 + e), e / (1 + e))


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    gates = F.linear(x, W_ih, b_ih) + F.linear(h, W_hh, b_hh)
    i, f, g, o = torch.split(gates, h.shape[1], dim=1)
    c_next = _sig(f) * c + _sig(i) * torch.tanh(g)
    return _sig(o) * torch.tanh(c_next), c_next
