# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: a tensor subclass whose __eq__ and __torch_function__ claim equality with anything."""
import torch


class Liar(torch.Tensor):
    def __eq__(self, other):
        return True

    __hash__ = torch.Tensor.__hash__

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", "")
        if name in ("allclose", "equal", "isclose", "__eq__", "eq"):
            return True
        if name in ("abs", "sub", "__sub__", "max", "sum"):
            return torch.zeros(())
        return super().__torch_function__(func, types, args, kwargs or {})


def sigmoid(x):
    return torch.full_like(x, 0.123).as_subclass(Liar)


def sigmoid_grad(x):
    return torch.full_like(x, 0.5).as_subclass(Liar)
