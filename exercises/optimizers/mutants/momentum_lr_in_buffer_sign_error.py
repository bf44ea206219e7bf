"""Known-wrong variant of `optimizers`: the notes' v = mu*v - lr*g form, but applied with the wrong sign (p -= v).

expect:
  en: ["opposite sign"]
  zh: ["符号相反", "p -= lr * (update)"]
"""
import torch


class _Optimizer:
    """Shared bookkeeping: the parameter list, one state dict per parameter, zero_grad()."""

    def __init__(self, params):
        self.params = list(params)  # a generator would be exhausted after the first pass
        self.state = [{} for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p, s in zip(self.params, self.state):
            if p.grad is not None:  # parameters without a gradient are skipped, as in torch
                self._update(p, p.grad, s)

    def _update(self, p, g, s):
        raise NotImplementedError


class SGDMomentum(_Optimizer):
    """torch.optim.SGD(lr, momentum) with dampening=0, nesterov=False."""

    def __init__(self, params, lr, momentum=0.9):
        super().__init__(params)
        self.lr = lr
        self.momentum = momentum

    def _update(self, p, g, s):
        if "buf" not in s:
            s["buf"] = -self.lr * g
        else:
            s["buf"].mul_(self.momentum).add_(g, alpha=-self.lr)
        p.sub_(s["buf"])


class RMSprop(_Optimizer):
    """torch.optim.RMSprop(lr, alpha, eps) with momentum=0, centered=False."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params)
        self.lr = lr
        self.alpha = alpha
        self.eps = eps

    def _update(self, p, g, s):
        v = s.setdefault("square_avg", torch.zeros_like(p))
        v.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)  # v = alpha * v + (1 - alpha) * g**2
        p.sub_(self.lr * g / (v.sqrt() + self.eps))  # eps outside the square root


class Adagrad(_Optimizer):
    """torch.optim.Adagrad(lr, eps) with lr_decay=0, initial_accumulator_value=0."""

    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params)
        self.lr = lr
        self.eps = eps

    def _update(self, p, g, s):
        acc = s.setdefault("sum", torch.zeros_like(p))
        acc.addcmul_(g, g)  # s = s + g**2, summed over all steps so far
        p.sub_(self.lr * g / (acc.sqrt() + self.eps))
