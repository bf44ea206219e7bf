# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (batchnorm): a correct layer that normalises x in place, and torch.equal patched to say "the input is
unchanged" (the old probe computed that verdict in the child with torch.equal)."""
import torch
import torch.nn as nn

torch.equal = lambda *a, **k: True


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        if self.training:
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False)
            n = x.shape[0]
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.running_var.mul_(1 - self.momentum).add_(self.momentum * var * n / max(n - 1, 1))
        else:
            mean, var = self.running_mean, self.running_var
        x.sub_(mean).div_(torch.sqrt(var + self.eps))  # in place: the caller's x is destroyed
        return x * self.weight + self.bias
