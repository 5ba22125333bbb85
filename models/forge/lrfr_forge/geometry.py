"""Face geometry shared with the app (src/align/template.rs): keep the two in step."""

import numpy as np

FACE_SIZE = 112
TEMPLATE = np.array(
    [[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366], [41.5493, 92.3655], [70.7299, 92.2041]],
    dtype=np.float32,
)
LANDMARK_CROP_SCALE = 1.4
LANDMARK_INPUT = 64
BOX_CROP_SIZE = 128
RESOLUTIONS = (16, 24, 32)


def bicubic_matrix(src: int, dst: int, a: float = -0.75) -> np.ndarray:
    """dst x src weights of PyTorch's bicubic (align_corners=False, edges repeated).

    The same matrix as src/align/bicubic.rs, so the DSR's bicubic base equals the app's
    bicubic baseline.
    """

    def cubic(x):
        x = abs(x)
        if x <= 1:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        if x < 2:
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return 0.0

    m = np.zeros((dst, src), dtype=np.float64)
    scale = src / dst
    for o in range(dst):
        center = (o + 0.5) * scale - 0.5
        base = np.floor(center)
        t = center - base
        for k in range(-1, 3):
            idx = int(min(max(base + k, 0), src - 1))
            m[o, idx] += cubic(k - t)
    return m.astype(np.float32)


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (Umeyama, no reflection) taking src points onto dst, as 2x3."""
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    ms, md = src.mean(0), dst.mean(0)
    p, q = src - ms, dst - md
    norm = (p**2).sum()
    a = (p[:, 0] * q[:, 0] + p[:, 1] * q[:, 1]).sum() / norm
    b = (p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]).sum() / norm
    tx = md[0] - (a * ms[0] - b * ms[1])
    ty = md[1] - (b * ms[0] + a * ms[1])
    return np.array([[a, -b, tx], [b, a, ty]], dtype=np.float64)
