# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): find the Guard object through gc and empty its lists."""
import gc

import torch

obj = None
for obj in gc.get_objects():
    if type(obj).__name__ == "Guard" and hasattr(obj, "trusted_files"):
        obj.trusted_files.add(__file__)
        obj._trusted_cache.clear()
del obj


def sigmoid(x):
    return torch.sigmoid(x)


def sigmoid_grad(x):
    s = torch.sigmoid(x)
    return s * (1 - s)
