"""Backpropagation by hand for a one-hidden-layer ReLU network with a mean-squared-error loss.

Autograd is forbidden (no .backward(), torch.autograd or torch.func): write every derivative yourself.
"""
import torch  # noqa: F401  (you will need it)


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    """Return {"loss": ..., "dW1": ..., "db1": ..., "dW2": ..., "db2": ...}.

    x: (N, D), W1: (D, H), b1: (H,), W2: (H, O), b2: (O,), y: (N, O)
    h = relu(x @ W1 + b1);  y_hat = h @ W2 + b2;  loss = mean((y_hat - y) ** 2) over all N*O elements.
    Each gradient has the shape of its parameter; loss is a 0-dim tensor or a float. Use ReLU'(0) = 0.
    """
    # TODO: forward pass (keep the pre-activation z = x @ W1 + b1 and h)
    # TODO: dL/dy_hat, then dW2, db2, then back through W2 and the ReLU mask to dW1, db1
    raise NotImplementedError
