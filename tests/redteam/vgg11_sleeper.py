# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Red team (vgg11): every call sleeps just under the per-call limit, so that the grade takes the whole budget."""
import time

import torch.nn as nn

NAP = float("__NAP__") if "__NAP__"[0] != "_" else 29.0


class VGG11(nn.Module):
    def __init__(self, num_classes=1000, batch_norm=False):
        time.sleep(NAP)
        super().__init__()
        self.fc = nn.Linear(4, num_classes)

    def forward(self, x):
        time.sleep(NAP)
        return self.fc(x.flatten(1)[:, :4])
