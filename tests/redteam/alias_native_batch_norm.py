# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (batchnorm): torch.native_batch_norm does the whole forward pass, running statistics included."""
import torch
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
            out, _, _ = torch.native_batch_norm(x, self.weight, self.bias, self.running_mean, self.running_var,
                                                self.training, self.momentum, self.eps)
        return out
