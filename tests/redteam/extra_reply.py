# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): write replies of our own into the request socket, ahead of the child's real one, so that
answers shift by one (a forged "ok" answers this request, the real reply is taken for the next one). The
sequence numbers are guessed from 1 up."""
import json
import os
import stat
import struct

import torch

_calls = [0]


def _socket_fds():
    out = []
    for fd in range(3, 64):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                out.append(fd)
        except OSError:
            pass
    return out


def _forge(seq):
    text = json.dumps({"kind": "ok", "value": None, "inputs": None, "seq": seq}).encode()
    return struct.pack("!4sIQ", b"QKv1", len(text), 0) + text


def _sigmoid(x):
    e = torch.exp(-torch.abs(x))
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(x):
    _calls[0] += 1
    for fd in _socket_fds():
        try:
            os.write(fd, _forge(_calls[0] + 1))
        except OSError:
            pass
    return _sigmoid(x)


def sigmoid_grad(x):
    s = _sigmoid(x)
    return s * (1 - s)
