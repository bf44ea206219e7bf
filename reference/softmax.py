"""Reference solution for the `softmax` exercise: softmax and log-softmax with the max-subtraction trick."""
import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    # softmax(x) = softmax(x - c) for any c constant along `dim`. With c = the max of each slice every exponent is
    # <= 0, so exp cannot overflow, and the largest term is exp(0) = 1, so the sum is >= 1 and never 0.
    # The max must be taken per slice (keepdim=True), not over the whole tensor: a global max would push slices
    # far below it to exp(-huge) = 0 and give 0 / 0.
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    # log softmax(x)_i = (x_i - m) - log(sum_j exp(x_j - m)). Never log(softmax(x)): a probability below ~1e-308
    # rounds to 0 and its log is -inf, while this form stays finite (e.g. -1000).
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()
