"""vgg11: VGG configuration A (Simonyan and Zisserman, "Very Deep Convolutional Networks", Table 1)."""
import torch
import torch.nn as nn


class VGG11(nn.Module):
    def __init__(self, num_classes=1000, batch_norm=False):
        """Configuration A: 64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M.

        Every number is a 3x3 convolution (padding 1) with that many output channels, followed by a ReLU
        (with BatchNorm2d between the conv and the ReLU when batch_norm is True). "M" is a 2x2 max pool, stride 2.
        Then AdaptiveAvgPool2d((7, 7)) and a classifier 25088 -> 4096 -> 4096 -> num_classes with ReLU and Dropout.
        """
        super().__init__()
        # TODO: the feature extractor (8 convolutions, 5 max pools).
        # TODO: the adaptive average pool to 7x7.
        # TODO: the classifier.
        raise NotImplementedError("VGG11 is not written yet")

    def forward(self, x):
        # TODO: features -> adaptive pool -> flatten to (N, 25088) -> classifier
        raise NotImplementedError("VGG11.forward is not written yet")
