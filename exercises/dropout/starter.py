"""Inverted dropout, written by hand (torch's dropout functions and modules are forbidden)."""
import torch  # noqa: F401  (you will need it)


def dropout(x, p, training, generator=None):
    """Inverted dropout.

    training=True: zero each element independently with probability p and multiply the survivors by 1/(1-p),
    drawing the random numbers from `generator` (None: torch's global generator).
    training=False: return x unchanged.
    p=0 gives x; p=1 gives all zeros (no division by zero). Keep x's shape and dtype; do not modify x.
    """
    # TODO: eval mode and the special values of p
    # TODO: a random mask of the shape of x (e.g. torch.rand(x.shape, generator=generator, dtype=x.dtype))
    # TODO: apply the mask and scale
    raise NotImplementedError
