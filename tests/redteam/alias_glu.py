# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): glu(a, b) = a * sigmoid(b), so glu([1, x]) is the built-in sigmoid under another name."""
import torch
import torch.nn.functional as F


def sigmoid(x):
    return F.glu(torch.stack([torch.ones_like(x), x]), dim=0)[0]


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
