# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (optimizers): out-of-place updates written back with copy_, square() and addcdiv_, one class each."""
import math

import torch


class _Base:
    def __init__(self, params):
        self.params = list(params)
        self.state = [None] * len(self.params)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    self.state[i] = self.update(p, p.grad, self.state[i])


class SGDMomentum(_Base):
    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params)
        self.lr, self.momentum = lr, momentum

    def update(self, p, g, buf):
        buf = g.clone() if buf is None else self.momentum * buf + g
        p.copy_(p - self.lr * buf)
        return buf


class RMSprop(_Base):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params)
        self.lr, self.alpha, self.eps = lr, alpha, eps

    def update(self, p, g, v):
        v = (1 - self.alpha) * g.square() if v is None else self.alpha * v + (1 - self.alpha) * g.square()
        p.addcdiv_(g, torch.sqrt(v) + self.eps, value=-self.lr)
        return v


class Adagrad(_Base):
    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params)
        self.lr, self.eps = lr, eps

    def update(self, p, g, s):
        s = g * g if s is None else s + g * g
        p.sub_(self.lr * g / (s.sqrt() + self.eps))
        return s
