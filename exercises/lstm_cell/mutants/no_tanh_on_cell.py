"""Known-wrong variant of `lstm_cell`: h_next = o * c_next, without squashing the cell state through tanh.

expect:
  en: ["h_next = o * c_next"]
  zh: ["h_next = o * c_next"]
"""
import torch


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """One LSTM step. x: (N, I); h, c: (N, H); W_ih: (4H, I); W_hh: (4H, H); b_ih, b_hh: (4H,).

    Returns (h_next, c_next), both (N, H).
    """
    # All four gates in one matrix product: row block k of the stacked weights belongs to gate k.
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh  # (N, 4H)
    # torch stacks the gates in the order input, forget, cell candidate, output (i, f, g, o).
    i, f, g, o = gates.chunk(4, dim=1)
    i = torch.sigmoid(i)  # how much of the candidate to write
    f = torch.sigmoid(f)  # how much of the old cell state to keep
    g = torch.tanh(g)  # the candidate values, in (-1, 1): they can lower the cell state as well as raise it
    o = torch.sigmoid(o)  # how much of the cell state to show
    c_next = f * c + i * g
    h_next = o * c_next
    return h_next, c_next
