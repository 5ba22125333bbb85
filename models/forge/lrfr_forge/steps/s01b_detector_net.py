"""The small-face detector's network: one pass over the whole frame, a CenterNet-style head at
stride 4 (a 11 px face is under three cells wide at stride 8, too coarse to place five points).

Shapes chosen for tract: a 4x4 stride-4 patch convolution instead of full-resolution 3x3s (the
frame is 640x480; every full-resolution layer costs more than the rest of the net), depthwise
plus pointwise blocks, one stride-8 stage for context, brought back by nearest upsampling.

Output [1, 15, H/4, W/4]: heatmap logit, centre offset (x, y, in cells), log box size (w, h, in
cells), five points relative to the centre in box widths (x0, y0, ... x4, y4).
The input is RGB as `(v / 255 - MEAN) / STD`, done by the app while it lays the frame out.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4
CHANNELS = 15
MEAN, STD = 0.5, 0.25


def block(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False),
        nn.BatchNorm2d(cin),
        nn.Conv2d(cin, cout, 1, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SmallFaceNet(nn.Module):
    def __init__(self, width=24, deep=48):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3 * STRIDE * STRIDE, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        self.s4 = nn.Sequential(block(width, width), block(width, width))
        self.s8 = nn.Sequential(block(width, deep, 2), block(deep, deep), block(deep, deep))
        self.lateral = nn.Conv2d(deep, width, 1)
        self.fuse = block(width, width)
        self.head = nn.Conv2d(width, CHANNELS, 1)
        nn.init.constant_(self.head.bias, 0.0)
        with torch.no_grad():
            # Faces are rare: start the heatmap near 1% so the loss does not drown in negatives.
            self.head.bias[0] = -4.6

    def forward(self, x):
        s4 = self.s4(self.stem(x))
        s8 = self.s8(s4)
        up = F.interpolate(self.lateral(s8), scale_factor=2.0, mode="nearest")
        return self.head(self.fuse(s4 + up))
