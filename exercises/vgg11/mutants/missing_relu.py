"""Known-wrong: the second 256-channel conv has no ReLU (same parameter count, different function).

expect:
  en: ["followed by a ReLU"]
  zh: ["ReLU"]
"""
import torch
import torch.nn as nn

# Configuration A: numbers are 3x3 conv output channels, "M" is a 2x2 max pool with stride 2.
CFG_A = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]


class VGG11(nn.Module):
    def __init__(self, num_classes=1000, batch_norm=False):
        super().__init__()
        layers = []
        in_channels = 3
        for i, v in enumerate(CFG_A):
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                continue
            layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))  # normalise the conv output, before the non-linearity
            if i != 5:  # forgot the ReLU after the second 256-channel conv
                layers.append(nn.ReLU(inplace=True))
            in_channels = v
        self.features = nn.Sequential(*layers)
        # Any input size of at least 32x32 ends as a 7x7 map, so the classifier's 25088 inputs always fit.
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)
