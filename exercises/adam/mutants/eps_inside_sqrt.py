"""Known-wrong variant of `adam`: eps is added inside the square root (d2l / some notes write sqrt(v_hat + eps)).

expect:
  en: ["eps inside the square root"]
  zh: ["开方里", "开方内", "sqrt(v_hat + eps)"]
"""
import torch


class Adam:
    """Adam (Kingma & Ba, 2015) with the conventions of torch.optim.Adam."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        self.params = list(params)  # a generator would be exhausted after the first pass
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        # Per-parameter state, as in torch: a parameter whose grad is None is skipped and its t does not advance.
        self.state = [{"t": 0, "m": torch.zeros_like(p), "v": torch.zeros_like(p)} for p in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p, s in zip(self.params, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay != 0:
                # L2 regularisation: the decay goes through m and v (AdamW would subtract lr*wd*p instead).
                g = g + self.weight_decay * p
            s["t"] += 1
            t = s["t"]
            s["m"].mul_(self.beta1).add_(g, alpha=1 - self.beta1)
            s["v"].mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
            m_hat = s["m"] / (1 - self.beta1**t)
            v_hat = s["v"] / (1 - self.beta2**t)
            # eps is added AFTER the square root; with |g| ~ 1e-9 this is what sets the step size.
            p.sub_(self.lr * m_hat / (v_hat + self.eps).sqrt())

