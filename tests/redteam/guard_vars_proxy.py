# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (optimizers): read the real torch.optim out of the guard's module proxy with vars()."""
import torch

_box = [vars(torch.optim).get("_quizkit_real", torch.optim)]  # in a list: not a module-level name


class _Wrapped:
    def __init__(self, cls, params, **kwargs):
        self.params = list(params)
        self._inner = cls(self.params, **kwargs)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        self._inner.step()


class SGDMomentum(_Wrapped):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(_box[0].SGD, params, lr=lr, momentum=momentum)


class RMSprop(_Wrapped):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(_box[0].RMSprop, params, lr=lr, alpha=alpha, eps=eps)


class Adagrad(_Wrapped):
    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(_box[0].Adagrad, params, lr=lr, eps=eps)
