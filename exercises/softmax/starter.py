"""Numerically stable softmax and log-softmax, written by hand.

Do not use torch.softmax, torch.log_softmax, torch.logsumexp (or their Tensor, torch.nn.functional, torch.special
and torch.nn versions): the point is to write the max-subtraction trick yourself.
"""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Probabilities along `dim`: exp(x_i) / sum_j exp(x_j) over that dimension.

    Must stay finite and accurate for logits like [1000, 1001, 1002] or [-1000, -1001, -1002], for any `dim`
    (0, 1, -1, -2, ... of a 1-D, 2-D or 3-D tensor). Returns a new tensor with the shape and dtype of x; x itself
    is not modified.
    """
    # TODO: subtract the max of each slice along dim (keepdim=True) before exp, then normalise along dim.
    raise NotImplementedError


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """log(softmax(x)) along `dim`, computed WITHOUT taking the log of a probability.

    Must stay finite where a probability underflows to 0 (log_softmax([0, -1000]) = [0, -1000]).
    """
    # TODO: (x - max) - log(sum(exp(x - max))) along dim.
    raise NotImplementedError
