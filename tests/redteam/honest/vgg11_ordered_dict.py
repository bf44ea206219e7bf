# ruff: noqa  -- deliberately adversarial or placeholder-filled submissions, not project code
"""Honest (vgg11): named layers in an OrderedDict, view() instead of flatten, and Kaiming initialisation."""
from collections import OrderedDict

import torch.nn as nn
import torch.nn.init as init


class VGG11(nn.Module):
    def __init__(self, num_classes=1000, batch_norm=False):
        super().__init__()
        layers, c, block = OrderedDict(), 3, 1
        for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
            if v == "M":
                layers[f"pool{block}"] = nn.MaxPool2d(2, 2)
                block += 1
                continue
            conv = nn.Conv2d(c, v, 3, padding=1)
            init.kaiming_normal_(conv.weight, mode="fan_out", nonlinearity="relu")
            init.zeros_(conv.bias)
            layers[f"conv{len(layers)}"] = conv
            if batch_norm:
                layers[f"bn{len(layers)}"] = nn.BatchNorm2d(v)
            layers[f"relu{len(layers)}"] = nn.ReLU()
            c = v
        self.features = nn.Sequential(layers)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                                        nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(x.view(x.size(0), -1))
