"""The app's face boxes and what they are, as the forge's steps and checks both judge them:
every box `lrfr identify --json` reports, YuNet's reference faces on the photo (score 0.3, the
photo upscaled to 640 px on its long side), a phantom (a box no reference face overlaps or has
its centre in), and a subject found (its true box overlapped by IoU 0.4). Step 8 mines the face
gate's examples with these; `checks/precision.py` and `checks/detection_rate.py` measure with
them.
"""

import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from lrfr_forge.common.yunet import YuNet, iou

REFERENCE_SCORE = 0.3
PHANTOM_IOU = 0.2
# A box is the subject's when it overlaps the subject's true box by this much.
MATCH_IOU = 0.4


def reference(photos, yunet_path: Path):
    """YuNet's faces on each photo, upscaled to 640 px on its long side: {path: [box xywh]}."""
    yunet = YuNet(yunet_path, size=640)
    boxes = {}
    for path in photos:
        photo = Image.open(path).convert("RGB")
        scale = 640 / max(photo.size)
        big = photo.resize((round(photo.width * scale), round(photo.height * scale)), Image.BICUBIC)
        faces = yunet.detect(np.asarray(big), threshold=REFERENCE_SCORE)
        boxes[str(path)] = [list(map(float, b / scale)) for _, b, _ in faces]
    return boxes


def identify(lrfr: Path, models, inputs, res="auto"):
    """Every face box `lrfr identify --json` reports: [(file, box, detection score)]."""
    with tempfile.TemporaryDirectory() as gallery:
        command = [str(lrfr), "--gallery", gallery]
        if models:
            command += ["--models", str(models)]
        command += ["identify", "--json", "--res", res, *map(str, inputs)]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        row = json.loads(line)
        if row.get("box"):
            rows.append((row["file"], row["box"], row.get("detection") or 0.0))
    return rows


def is_phantom(box, truths):
    """No reference face overlaps `box` (IoU under 0.2) and none has its centre inside it."""
    for t in truths:
        tx, ty = t[0] + t[2] / 2, t[1] + t[3] / 2
        inside = box[0] <= tx <= box[0] + box[2] and box[1] <= ty <= box[1] + box[3]
        if iou(box, t) >= PHANTOM_IOU or inside:
            return False
    return True
