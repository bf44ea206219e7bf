# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (adam): take the real torch.optim from sys.modules, past the guard's stand-in on the torch module."""
import sys

_box = [sys.modules["torch.optim"]]  # in a list: the guard checks only names bound in the module


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self._inner = _box[0].Adam(self.params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        self._inner.step()
