# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (backprop): let functorch differentiate the loss (not torch.func, so not on the forbidden list)."""
import functorch
import torch


def _loss(W1, b1, W2, b2, x, y):
    return ((torch.relu(x @ W1 + b1) @ W2 + b2 - y) ** 2).mean()


def mlp_forward_backward(x, y, W1, b1, W2, b2):
    dW1, db1, dW2, db2 = functorch.grad(_loss, argnums=(0, 1, 2, 3))(W1, b1, W2, b2, x, y)
    return {"loss": _loss(W1, b1, W2, b2, x, y), "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
