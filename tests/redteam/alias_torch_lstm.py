# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (lstm_cell): one step of the fused torch.lstm kernel, a sequence of length 1."""
import torch


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    _, h_n, c_n = torch.lstm(x.unsqueeze(0), (h.unsqueeze(0), c.unsqueeze(0)), [W_ih, W_hh, b_ih, b_hh],
                             True, 1, 0.0, False, False, False)
    return h_n[0], c_n[0]
