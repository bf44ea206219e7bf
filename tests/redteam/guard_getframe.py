# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): replace sys._getframe so the in-process guard never sees a student frame, then use torch.sigmoid."""
import sys

import torch

sys._getframe = lambda *args, **kwargs: None


def sigmoid(x):
    return torch.sigmoid(x)


def sigmoid_grad(x):
    s = torch.sigmoid(x)
    return s * (1 - s)
