"""Our DSR networks: a learned residual on a fixed bicubic base, so fractional scales
(24 -> 112, 32 -> 112) need no pixel shuffle. Features are computed at the low resolution
(cheap), carried to 112 px by the same bicubic matrices, and refined by two small convs."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import geometry

CHANNELS = {16: 64, 24: 64, 32: 48}
BLOCKS = 4
HR_CHANNELS = 16


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = nn.Conv2d(c, c, 3, 1, 1)
        self.b = nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return x + self.b(F.relu(self.a(x)))


class DSR(nn.Module):
    def __init__(self, res):
        super().__init__()
        c = CHANNELS[res]
        m = torch.from_numpy(geometry.bicubic_matrix(res, geometry.FACE_SIZE))
        self.register_buffer("bicubic_rows", m)
        self.register_buffer("bicubic_cols", m.t().contiguous())
        self.head = nn.Conv2d(3, c, 3, 1, 1)
        self.body = nn.Sequential(*[ResBlock(c) for _ in range(BLOCKS)])
        self.to_hr = nn.Conv2d(c, HR_CHANNELS, 1)
        self.refine = nn.Conv2d(HR_CHANNELS, HR_CHANNELS, 3, 1, 1)
        self.tail = nn.Conv2d(HR_CHANNELS, 3, 3, 1, 1)
        nn.init.zeros_(self.tail.weight)
        nn.init.zeros_(self.tail.bias)
        self.res = res

    def up(self, t):
        return torch.matmul(torch.matmul(self.bicubic_rows, t), self.bicubic_cols)

    def forward(self, x):
        f = self.head(x)
        f = self.to_hr(f + self.body(f))
        return self.up(x) + self.tail(F.relu(self.refine(F.relu(self.up(f)))))


def macs(res):
    """Multiply-accumulates of one inference."""
    c, r, s, h = CHANNELS[res], res, geometry.FACE_SIZE, HR_CHANNELS
    convs = r * r * 9 * (3 * c + 2 * BLOCKS * c * c) + r * r * c * h + s * s * 9 * (h * h + h * 3)
    ups = (3 + h) * (s * r * r + s * s * r)
    return convs + ups


def area_matrix(src, dst):
    """dst x src weights of the app's area downscale (src/align/area.rs)."""
    import numpy as np

    m = np.zeros((dst, src), np.float64)
    step = src / dst
    for i in range(dst):
        lo, hi = i * step, (i + 1) * step
        k = int(np.floor(lo))
        while k < hi:
            m[i, k] = (min(hi, k + 1) - max(lo, k)) / step
            k += 1
    return torch.from_numpy(m.astype(np.float32))


def downscale(hr01, res, cache={}):
    """What the app feeds the DSR: area-downscaled and rounded to bytes, in [0, 1]."""
    if res not in cache:
        cache[res] = area_matrix(geometry.FACE_SIZE, res)
    m = cache[res]
    return torch.round(torch.matmul(torch.matmul(m, hr01 * 255), m.t()).clamp(0, 255)) / 255


def bicubic(lr01, res, cache={}):
    """The baseline: the same bicubic matrices, clamped to [0, 1]."""
    if res not in cache:
        cache[res] = torch.from_numpy(geometry.bicubic_matrix(res, geometry.FACE_SIZE))
    m = cache[res]
    return torch.matmul(torch.matmul(m, lr01), m.t()).clamp(0, 1)
