# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (dropout): torch.native_dropout makes the mask and the scaling; the generator seeds the global RNG."""
import torch


def dropout(x, p, training, generator=None):
    if not training or p == 0:
        return x
    if generator is not None:
        torch.manual_seed(generator.initial_seed())
    out, _ = torch.native_dropout(x, p, True)
    return out
