# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (adam): state in a dict keyed by position, addcdiv_ for the update, math.sqrt for the bias correction."""
import math

import torch


class Adam:
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)
        self.lr, (self.b1, self.b2), self.eps, self.wd = lr, betas, eps, weight_decay
        self.state = {}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                g = p.grad if self.wd == 0 else p.grad.add(p, alpha=self.wd)
                st = self.state.setdefault(i, {"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)})
                st["t"] += 1
                st["m"].lerp_(g, 1 - self.b1)
                st["v"].mul_(self.b2).addcmul_(g, g, value=1 - self.b2)
                c1, c2 = 1 - self.b1 ** st["t"], 1 - self.b2 ** st["t"]
                denom = (st["v"] / c2).sqrt().add_(self.eps)
                p.addcdiv_(st["m"], denom, value=-self.lr / c1)
