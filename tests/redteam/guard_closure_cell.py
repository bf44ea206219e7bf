# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): find the Guard in the closure cells of its torch.sigmoid stub and mark this file as trusted."""
import torch

cell = guard = None
for cell in getattr(torch.sigmoid, "__closure__", None) or ():
    guard = cell.cell_contents
    if hasattr(guard, "trusted_files"):
        guard.trusted_files.add(__file__)
        guard._trusted_cache.clear()
del cell, guard  # the guard also checks the names this module leaves behind


def sigmoid(x):
    return torch.sigmoid(x)


def sigmoid_grad(x):
    s = torch.sigmoid(x)
    return s * (1 - s)
