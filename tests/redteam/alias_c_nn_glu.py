# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): the C binding torch._C._nn.glu, and the expit alias in torch.special."""
import torch
from torch.special import expit


def sigmoid(x):
    return torch._C._nn.glu(torch.stack([torch.ones_like(x), x]), 0)[0]


def sigmoid_grad(x):
    s = expit(x)
    return s * (1 - s)
