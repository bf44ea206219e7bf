"""Probes for the `dropout` exercise. They run inside the sandboxed child, beside the student's module."""
import torch


def call(module, x, p, training, seed=None, pass_generator=True):
    """Call dropout(x, p, training, generator) with a generator seeded here (a Generator cannot cross the boundary).

    Returns the output and whether x was left unmodified.
    """
    before = x.clone()
    if pass_generator:
        gen = None if seed is None else torch.Generator().manual_seed(seed)
        out = module.dropout(x, p, training, gen)
    else:
        out = module.dropout(x, p, training)
    if not isinstance(out, torch.Tensor):
        out = f"<a {type(out).__name__}, not a tensor>"
    return {"out": out, "input_unchanged": bool(torch.equal(x, before))}
