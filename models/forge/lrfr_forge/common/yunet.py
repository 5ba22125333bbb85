"""YuNet (upstream, Apache-2.0) as the landmark teacher: run with onnxruntime, decoded as
OpenCV's FaceDetectorYN does (see shared/assets/README.md)."""

import numpy as np
import onnxruntime as ort

SIZE = 320
STRIDES = (8, 16, 32)


class YuNet:
    def __init__(self, path, size=SIZE):
        self.size = size
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.names = [o.name for o in self.session.get_outputs()]

    def detect(self, rgb: np.ndarray, threshold: float = 0.6):
        """Faces in an RGB uint8 image no larger than the input: list of (score, box xywh, 5x2 points)."""
        h, w = rgb.shape[:2]
        if max(h, w) > self.size:
            raise ValueError("image larger than the YuNet input")
        canvas = np.zeros((self.size, self.size, 3), np.float32)
        canvas[:h, :w] = rgb[:, :, ::-1]
        out = dict(zip(self.names, self.session.run(None, {"input": canvas.transpose(2, 0, 1)[None]})))
        faces = []
        for s in STRIDES:
            cols = self.size // s
            cls, obj = out[f"cls_{s}"][0, :, 0], out[f"obj_{s}"][0, :, 0]
            score = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
            for idx in np.nonzero(score >= threshold)[0]:
                row, col = divmod(int(idx), cols)
                bb = out[f"bbox_{s}"][0, idx]
                kp = out[f"kps_{s}"][0, idx]
                cx, cy = (col + bb[0]) * s, (row + bb[1]) * s
                bw, bh = np.exp(bb[2]) * s, np.exp(bb[3]) * s
                pts = np.array([[(kp[2 * k] + col) * s, (kp[2 * k + 1] + row) * s] for k in range(5)], np.float32)
                faces.append((float(score[idx]), np.array([cx - bw / 2, cy - bh / 2, bw, bh], np.float32), pts))
        return nms(faces)


def iou(a, b):
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    return inter / max(a[2] * a[3] + b[2] * b[3] - inter, 1e-9)


def nms(faces, threshold=0.3):
    kept = []
    for face in sorted(faces, key=lambda f: -f[0]):
        if all(iou(face[1], k[1]) < threshold for k in kept):
            kept.append(face)
    return kept
