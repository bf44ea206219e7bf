# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest: log-sum-exp for sigma, and autograd for the derivative."""
import torch


def sigmoid(x):
    # sigma(x) = exp(-log(1 + exp(-x))) = exp(-logaddexp(0, -x))
    return torch.exp(-torch.logaddexp(torch.zeros_like(x), -x))


def sigmoid_grad(x):
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(sigmoid(leaf).sum(), leaf)
    return g.detach()
