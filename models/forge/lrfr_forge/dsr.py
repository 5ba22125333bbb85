"""Our DSR networks: a learned residual on a fixed bicubic base. Features are computed at the
low resolution (cheap). Where 112 px is a whole multiple of the input (16 -> 112, 7x), one 1x1
conv predicts each 7x7 output block and a pixel shuffle lays it out: nothing runs at 112 px.
The fractional scales (24, 32) carry the features to 112 px by the same bicubic matrices and
refine them with two small convs; those two full-size convs were half of the 16 px network's
time in tract (4.8 ms, `lrfr bench --models-only --profile`)."""

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
        self.shuffle = shuffle_factor(res)
        if self.shuffle:
            self.to_blocks = nn.Conv2d(c, 3 * self.shuffle**2, 1)
            last = self.to_blocks
        else:
            self.to_hr = nn.Conv2d(c, HR_CHANNELS, 1)
            self.refine = nn.Conv2d(HR_CHANNELS, HR_CHANNELS, 3, 1, 1)
            self.tail = nn.Conv2d(HR_CHANNELS, 3, 3, 1, 1)
            last = self.tail
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.res = res

    def up(self, t):
        return torch.matmul(torch.matmul(self.bicubic_rows, t), self.bicubic_cols)

    def forward(self, x):
        f = self.head(x)
        f = f + self.body(f)
        if self.shuffle:
            return self.up(x) + F.pixel_shuffle(self.to_blocks(f), self.shuffle)
        f = self.to_hr(f)
        return self.up(x) + self.tail(F.relu(self.refine(F.relu(self.up(f)))))


def shuffle_factor(res):
    """The whole upscale factor to 112 px, or 0 where it is fractional."""
    return geometry.FACE_SIZE // res if geometry.FACE_SIZE % res == 0 else 0


def macs(res):
    """Multiply-accumulates of one inference."""
    c, r, s, h = CHANNELS[res], res, geometry.FACE_SIZE, HR_CHANNELS
    body = r * r * 9 * (3 * c + 2 * BLOCKS * c * c)
    if shuffle_factor(res):
        return body + r * r * c * 3 * shuffle_factor(res) ** 2 + 3 * (s * r * r + s * s * r)
    convs = body + r * r * c * h + s * s * 9 * (h * h + h * 3)
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
