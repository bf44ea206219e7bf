# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest: sigma(x) = (1 + tanh(x / 2)) / 2, stable because tanh saturates instead of overflowing."""
import math

import torch


def sigmoid(x):
    return 0.5 * (1.0 + torch.tanh(x / 2))


def sigmoid_grad(x):
    # sigma'(x) = 1 / (4 cosh^2(x / 2)); cosh overflows to inf for large |x|, and 1 / inf = 0 is right.
    return 0.25 / torch.cosh(x / 2) ** 2
