"""Face geometry shared with the app: both read `src/align/geometry.json` (the app through its
build script), so the template, the box-only points and the crop sizes have one home."""

import json
from pathlib import Path

import numpy as np

GEOMETRY_FILE = Path(__file__).resolve().parents[4] / "src" / "align" / "geometry.json"
_GEOMETRY = json.loads(GEOMETRY_FILE.read_text())

FACE_SIZE = _GEOMETRY["face_size"]
TEMPLATE = np.array(_GEOMETRY["template"], dtype=np.float32)
LANDMARK_CROP_SCALE = _GEOMETRY["landmark_crop_scale"]
LANDMARK_INPUT = _GEOMETRY["landmark_input"]
BOX_CROP_SIZE = _GEOMETRY["box_crop_size"]
RESOLUTIONS = (16, 24, 32)


def write_box_landmarks(points):
    """Stores the box-only points the landmark step measured, for the app's next build."""
    geometry = json.loads(GEOMETRY_FILE.read_text())
    geometry["box_landmarks"] = [[round(float(v), 4) for v in p] for p in points]
    GEOMETRY_FILE.write_text(json.dumps(geometry, indent=1) + "\n")


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
