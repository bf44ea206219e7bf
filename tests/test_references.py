"""The references are the ground truth the grading tests compare with, so they are held to torch here.

The adam and optimizers grading tests compare a student's trajectory with the reference's rather than with
torch.optim (importing torch.optim pulls in torch._dynamo: a second on every grade); these tests make sure that
shortcut changes nothing.
"""

from __future__ import annotations

import importlib.util
import types

import pytest
import torch

from quizkit.paths import exercises_dir, reference_dir


def _module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def _case(seed, with_none=False):
    gen = _gen(seed)
    inits = [torch.randn(3, 4, generator=gen, dtype=torch.float64), torch.randn(5, generator=gen, dtype=torch.float64)]
    grads = []
    for k in range(20):
        scale = 1e-9 if seed % 2 else 1.0
        step = [torch.randn(3, 4, generator=gen, dtype=torch.float64) * scale,
                torch.randn(5, generator=gen, dtype=torch.float64) * scale]
        if with_none and k % 3 == 0:
            step[1] = None
        grads.append(step)
    return inits, grads


def _same(a, b):
    assert len(a) == len(b)
    for step_a, step_b in zip(a, b):
        for x, y in zip(step_a, step_b):
            torch.testing.assert_close(x, y, rtol=1e-12, atol=1e-15)


ADAM_KWARGS = [{}, {"lr": 0.1, "betas": (0.8, 0.99)}, {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6}]


@pytest.mark.parametrize("kwargs", ADAM_KWARGS)
@pytest.mark.parametrize("seed", [1, 2])
def test_reference_adam_is_torch_adam(kwargs, seed):
    probes = _module(exercises_dir() / "adam" / "probes.py", "adam_probes")
    reference = _module(reference_dir() / "adam.py", "adam_reference")
    inits, grads = _case(seed, with_none=True)
    torch_side = types.SimpleNamespace(Adam=torch.optim.Adam)
    _same(probes.trajectory(reference, inits, kwargs, 20, grads=grads),
          probes.trajectory(torch_side, inits, kwargs, 20, grads=grads))


OPTIMIZERS = [
    ("SGDMomentum", lambda params, **kw: torch.optim.SGD(params, **kw), {"lr": 0.1, "momentum": 0.9}),
    ("SGDMomentum", lambda params, **kw: torch.optim.SGD(params, **kw), {"lr": 0.05, "momentum": 0.0}),
    ("RMSprop", torch.optim.RMSprop, {}),
    ("RMSprop", torch.optim.RMSprop, {"lr": 0.001, "alpha": 0.9, "eps": 1e-6}),
    ("Adagrad", torch.optim.Adagrad, {}),
    ("Adagrad", torch.optim.Adagrad, {"lr": 0.5, "eps": 1e-8}),
]


@pytest.mark.parametrize("cls,torch_cls,kwargs", OPTIMIZERS)
@pytest.mark.parametrize("seed", [3, 4])
def test_reference_optimizers_are_torch_optimizers(cls, torch_cls, kwargs, seed):
    probes = _module(exercises_dir() / "optimizers" / "probes.py", "optimizers_probes")
    reference = _module(reference_dir() / "optimizers.py", "optimizers_reference")
    inits, grads = _case(seed, with_none=True)
    torch_side = types.SimpleNamespace(**{cls: torch_cls})
    _same(probes.trajectory(reference, cls, inits, kwargs, 20, grads=grads),
          probes.trajectory(torch_side, cls, inits, kwargs, 20, grads=grads))
