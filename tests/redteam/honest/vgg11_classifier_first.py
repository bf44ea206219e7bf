# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (vgg11): the classifier registered before the features, in a ModuleList with other names, and functional
ReLU, pooling and dropout: the seeded fill and the layer listing must not depend on names or registration order."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class VGG11(nn.Module):
    def __init__(self, num_classes=1000, batch_norm=False):
        super().__init__()
        self.fc1 = nn.Linear(512 * 7 * 7, 4096)
        self.fc2 = nn.Linear(4096, 4096)
        self.head = nn.Linear(4096, num_classes)
        self.convs = nn.ModuleList()
        self.bns = nn.ModuleList()
        self.pool_after = []
        c = 3
        for v in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
            if v == "M":
                self.pool_after[-1] = True
                continue
            self.convs.append(nn.Conv2d(c, v, 3, padding=1))
            self.bns.append(nn.BatchNorm2d(v) if batch_norm else nn.Identity())
            self.pool_after.append(False)
            c = v

    def forward(self, x):
        for conv, bn, pool in zip(self.convs, self.bns, self.pool_after):
            x = F.relu(bn(conv(x)))
            if pool:
                x = F.max_pool2d(x, 2, 2)
        x = F.adaptive_avg_pool2d(x, (7, 7)).flatten(1)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, self.training)
        x = F.dropout(F.relu(self.fc2(x)), 0.5, self.training)
        return self.head(x)
