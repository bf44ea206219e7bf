# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: make every comparison succeed, then return garbage."""
import numpy
import torch
import torch.testing

torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)
torch.testing.assert_close = lambda *a, **k: None
numpy.allclose = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None


def sigmoid(x):
    return torch.zeros_like(x)


def sigmoid_grad(x):
    return torch.zeros_like(x)
