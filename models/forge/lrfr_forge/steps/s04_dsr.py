"""Our DSR networks: a learned residual on a fixed bicubic base. Features are computed at the
low resolution (cheap) and one 1x1 conv predicts, for every input pixel, the block of residual
it stands for; a pixel shuffle lays the blocks out, so no convolution runs at 112 px. Where
112 px is a whole multiple of the input (16 -> 112, 7x) the blocks tile the face exactly; at
24 and 32 px they tile a slightly larger grid (5x: 120, 4x: 128) that the app's area matrices
bring to 112. The earlier 24/32 px networks carried 16 feature maps to 112 px and refined them
with two full-size 3x3 convs: in tract those two took about a third of the network's time
(`lrfr bench --models-only --profile`)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from lrfr_forge.common import geometry

CHANNELS = {16: 64, 24: 64, 32: 48}
BLOCKS = 4


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
        self.shuffle = shuffle_factor(res)
        self.to_blocks = nn.Conv2d(c, 3 * self.shuffle**2, 1)
        self.fit = res * self.shuffle != geometry.FACE_SIZE
        if self.fit:
            a = area_matrix(res * self.shuffle, geometry.FACE_SIZE)
            self.register_buffer("fit_rows", a)
            self.register_buffer("fit_cols", a.t().contiguous())
        nn.init.zeros_(self.to_blocks.weight)
        nn.init.zeros_(self.to_blocks.bias)
        self.res = res

    def up(self, t):
        return torch.matmul(torch.matmul(self.bicubic_rows, t), self.bicubic_cols)

    def forward(self, x):
        f = self.head(x)
        f = f + self.body(f)
        residual = F.pixel_shuffle(self.to_blocks(f), self.shuffle)
        if self.fit:
            residual = torch.matmul(torch.matmul(self.fit_rows, residual), self.fit_cols)
        return self.up(x) + residual


def shuffle_factor(res):
    """The smallest whole factor that takes `res` to 112 px or just past it."""
    return -(-geometry.FACE_SIZE // res)


def macs(res):
    """Multiply-accumulates of one inference."""
    c, r, s, k = CHANNELS[res], res, geometry.FACE_SIZE, shuffle_factor(res)
    body = r * r * 9 * (3 * c + 2 * BLOCKS * c * c)
    blocks = r * r * c * 3 * k * k
    fit = 3 * (s * (r * k) ** 2 + s * s * r * k) if r * k != s else 0
    return body + blocks + fit + 3 * (s * r * r + s * s * r)


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
