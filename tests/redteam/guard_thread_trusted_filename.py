# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (sigmoid): compile the cheat under torch's own file name and run it on a thread."""
import threading

import torch

_ns = {"torch": torch}
_code = "def run(x, out):\n    out.append(torch.sigmoid(x))\n"  # every frame on the thread looks like torch's
exec(compile(_code, torch.__file__, "exec"), _ns)


def _on_thread(x):
    out = []
    worker = threading.Thread(target=_ns["run"], args=(x, out))
    worker.start()
    worker.join()
    return out[0]


def sigmoid(x):
    return _on_thread(x)


def sigmoid_grad(x):
    s = _on_thread(x)
    return s * (1 - s)
