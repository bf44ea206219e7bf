# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (batchnorm): layer_norm over the batch of the transposed input is batch normalisation."""
import torch
import torch.nn.functional as F
from torch import nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))

    def forward(self, x):
        with torch.no_grad():
            if not self.training:
                return (x - self.running_mean) / torch.sqrt(self.running_var + self.eps) * self.weight + self.bias
            n = x.shape[0]
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * x.mean(0))
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * x.var(0, correction=1))
            return F.layer_norm(x.T, (n,), eps=self.eps).T * self.weight + self.bias
