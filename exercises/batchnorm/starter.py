"""BatchNorm1d for (N, C) inputs, written by hand. It must behave like torch.nn.BatchNorm1d (affine=True,
track_running_stats=True) in train and in eval mode.

Do not use torch.nn.BatchNorm1d, torch.nn.functional.batch_norm or torch.batch_norm.
You may subclass torch.nn.Module (which gives you `training`, train(), eval() and __call__) or write a plain class.
"""
import torch  # noqa: F401  (you will need it)
from torch import nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        """Create weight (ones), bias (zeros), running_mean (zeros) and running_var (ones), each of shape
        (num_features,), and keep eps and momentum. A new layer is in training mode."""
        super().__init__()
        # TODO
        raise NotImplementedError

    def forward(self, x):
        """x has shape (N, C).

        Train mode: normalise each column with the batch mean and the BIASED batch variance (divide by N),
            y = (x - mean) / sqrt(var + eps) * weight + bias,
        and update running_mean / running_var with momentum (running_var takes the UNBIASED variance, as torch).
        Eval mode: the same formula with running_mean / running_var, which are not updated.
        """
        # TODO
        raise NotImplementedError
