"""One step of an LSTM cell, written by hand. It must match torch.nn.LSTMCell given the same weights.

Do not use torch.nn.LSTMCell, torch.nn.LSTM, torch.lstm_cell or torch._VF. torch.sigmoid and torch.tanh are fine.
"""
import torch  # noqa: F401  (you will need it)


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step.

    x: (N, I) input; h, c: (N, H) previous hidden and cell state;
    W_ih: (4H, I), W_hh: (4H, H), b_ih: (4H,), b_hh: (4H,) -- the four gates stacked in torch's order i, f, g, o.

    Returns (h_next, c_next), both of shape (N, H). The arguments are not modified.
    """
    # TODO: gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, split into i, f, g, o (H columns each)
    # TODO: i, f, o through sigmoid; g through tanh
    # TODO: c_next = f * c + i * g;  h_next = o * tanh(c_next)
    raise NotImplementedError
