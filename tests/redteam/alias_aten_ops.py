# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): the aten operator itself, through torch.ops, which no Python-level name list covers."""
import torch


def sigmoid(x):
    return torch.ops.aten.sigmoid.default(x)


def sigmoid_grad(x):
    s = torch.ops.aten.sigmoid.default(x)
    return torch.ops.aten.sigmoid_backward.default(torch.ones_like(x), s)
