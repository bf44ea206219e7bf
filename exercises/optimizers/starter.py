"""SGD with momentum, RMSprop and Adagrad, written by hand. Each must behave exactly like its torch.optim
counterpart (see README.md for the exact update rules). Do not use torch.optim.

Every class keeps the parameters (a list of tensors), has one state per parameter, and provides:
- step(): update every parameter whose .grad is not None, IN PLACE (under torch.no_grad());
- zero_grad(): clear every gradient (set it to None, as torch does, or fill it with zeros).
"""
import torch  # noqa: F401  (you will need it)


class SGDMomentum:
    def __init__(self, params, lr, momentum=0.9):
        # TODO: keep params and hyper-parameters; one momentum buffer per parameter
        raise NotImplementedError

    def zero_grad(self):
        # TODO
        raise NotImplementedError

    def step(self):
        """buf = g on the first step, then buf = momentum * buf + g;  p -= lr * buf."""
        # TODO
        raise NotImplementedError


class RMSprop:
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        # TODO: keep params and hyper-parameters; one running average v (zeros) per parameter
        raise NotImplementedError

    def zero_grad(self):
        # TODO
        raise NotImplementedError

    def step(self):
        """v = alpha * v + (1 - alpha) * g**2;  p -= lr * g / (sqrt(v) + eps)."""
        # TODO
        raise NotImplementedError


class Adagrad:
    def __init__(self, params, lr=1e-2, eps=1e-10):
        # TODO: keep params and hyper-parameters; one accumulator s (zeros) per parameter
        raise NotImplementedError

    def zero_grad(self):
        # TODO
        raise NotImplementedError

    def step(self):
        """s = s + g**2;  p -= lr * g / (sqrt(s) + eps)."""
        # TODO
        raise NotImplementedError
