"""Known-wrong variant of `lstm_cell`: the right values, but c.mul_(f).add_(i * g) overwrites the caller's c.

expect:
  en: ["changed c in place", "changed argument 3 in place"]
  zh: ["原地"]
"""
import torch


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    i, f, g, o = gates.chunk(4, dim=1)
    c.mul_(torch.sigmoid(f)).add_(torch.sigmoid(i) * torch.tanh(g))
    return torch.sigmoid(o) * torch.tanh(c), c
