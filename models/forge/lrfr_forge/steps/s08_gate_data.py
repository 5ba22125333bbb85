"""Examples for the face gate, mined through the app: every box `lrfr identify --json` reports
on training identities' photos (near) and on distance frames made from them (distant), cut the
way the app cuts it (the landmark region, area-resampled to the gate's input) and labelled
against YuNet on the photo blown up 2x.

A box is a face when it overlaps a reference face of score >= 0.3 (IoU >= 0.3); it is a
phantom only when no reference face even at score 0.1 overlaps it or has its centre inside
it, so real faint or small faces YuNet half sees are never taught as background. Boxes in
between are left out. Validation identities are never mined.
"""

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image

from lrfr_forge.common import face_boxes, geometry
from lrfr_forge.common.yunet import YuNet, iou
from lrfr_forge.steps import s01b_detector_data as detector_data

SIDE = 32
FACE_SCORE, LENIENT_SCORE = 0.3, 0.1
FACE_IOU = 0.3


def area_weights(origin, length, count, limit):
    """The app's `AxisWeights::fill` as a (count, limit) matrix: output i covers
    [origin + i*step, origin + (i+1)*step), sources outside the image are black."""
    w = np.zeros((count, limit), np.float32)
    step = length / count
    for i in range(count):
        lo = origin + i * step
        hi = lo + step
        k = math.floor(lo)
        while k < hi:
            overlap = (min(hi, k + 1.0) - max(lo, k)) / step
            if 0 <= k < limit and overlap > 0:
                w[i, k] += overlap
            k += 1
    return w


def region_crop(rgb: np.ndarray, box, side=SIDE):
    """The app's landmark region of `box` (`align::landmark_region`), area-resampled to `side`."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    s = max(box[2], box[3]) * geometry.LANDMARK_CROP_SCALE
    h, w = rgb.shape[:2]
    wy = area_weights(cy - s / 2, s, side, h)
    wx = area_weights(cx - s / 2, s, side, w)
    rows = (wy @ rgb.reshape(h, -1).astype(np.float32)).reshape(side, w, 3)
    out = np.einsum("yxc,ux->yuc", rows, wx, optimize=True)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def label(box, faces):
    """1 face, 0 phantom, None in between; `faces` are [(score, box)]."""
    if any(s >= FACE_SCORE and iou(box, b) >= FACE_IOU for s, b in faces):
        return 1
    if face_boxes.is_phantom(box, [b for _, b in faces]):
        return 0
    return None


def distant_frames(faces_root: Path, keys, labels, out: Path, seed=20261205):
    """One 640x480 frame per photo, its subject at a native size drawn from 12-36 px, with every
    YuNet face of the photo carried through the paste: {frame path: [(score, box)]}."""
    rng = np.random.default_rng(seed)
    photos = [(faces_root / k, k) for k in keys]
    backgrounds = detector_data.Backgrounds(photos, labels, rng)
    truth = {}
    for path, key in photos:
        faces = labels[key]
        subject = detector_data.main_face(faces)
        if subject is None:
            continue
        native = float(rng.uniform(12, 36))
        scale = detector_data.IOD_112 * native / 112 / detector_data.inter_ocular(subject)
        photo = detector_data.load_rgb(path)
        h, w = photo.shape[:2]
        frame = backgrounds.make(640, 480)
        x = rng.integers(0, max(1, 640 - int(w * scale)))
        y = rng.integers(0, max(1, 480 - int(h * scale)))
        moved = detector_data.paste_photo(frame, photo, faces, scale, x, y, rng, None)
        target = out / key
        target.parent.mkdir(parents=True, exist_ok=True)
        frame.save(target, "JPEG", quality=int(rng.integers(75, 96)))
        truth[str(target)] = [(s, b) for s, b, _ in moved]
    return truth


def mine(lrfr: Path, models, faces_root: Path, names, yunet_path: Path, work: Path, limit=8000, seed=7):
    """Crops, labels and box facts of every box the app reports, near and distant, saved to
    `work/gate_examples.npz`."""
    out = work / "gate_examples.npz"
    if out.exists():
        return np.load(out)
    rng = np.random.default_rng(seed)
    keys = sorted(f"{n}/{p.name}" for n in names for p in (faces_root / n).glob("*.jpg"))
    keys = [keys[i] for i in sorted(rng.choice(len(keys), min(limit, len(keys)), replace=False))]
    # YuNet on the photo blown up 2x (as `s01b_detector_data.teach_upscaled`), down to score 0.1:
    # boxes for the labels, points for the distance frames' scale.
    yunet = YuNet(yunet_path, size=640)
    labels, near_truth = {}, {}
    for key in keys:
        photo = Image.open(faces_root / key).convert("RGB")
        big = np.asarray(photo.resize((photo.width * 2, photo.height * 2), Image.BICUBIC))
        labels[key] = [[s, *map(float, b / 2), *map(float, p.reshape(-1) / 2)]
                       for s, b, p in yunet.detect(big, threshold=LENIENT_SCORE)]
        near_truth[str(faces_root / key)] = [(f[0], f[1:5]) for f in labels[key]]
    distant_truth = distant_frames(faces_root, keys, labels, work / "gate_frames")
    crops, ys, sides, scores, kinds = [], [], [], [], []
    for kind, truth, inputs in (("near", near_truth, [faces_root / k for k in keys]),
                                ("distant", distant_truth, [work / "gate_frames"])):
        for file, box, score in face_boxes.identify(lrfr, models, inputs):
            faces = truth.get(file)
            if faces is None:
                continue
            y = label(box, faces)
            if y is None:
                continue
            crops.append(region_crop(detector_data.load_rgb(Path(file)), box))
            ys.append(y)
            sides.append(max(box[2], box[3]))
            scores.append(score)
            kinds.append(kind == "distant")
    np.savez_compressed(out, crops=np.stack(crops), labels=np.array(ys, np.uint8),
                        sides=np.array(sides, np.float32), scores=np.array(scores, np.float32),
                        distant=np.array(kinds, bool))
    return np.load(out)


def main():
    import argparse
    from lrfr_forge.common import data

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path)
    parser.add_argument("--faces", type=Path, required=True)
    parser.add_argument("--yunet", type=Path, required=True, help="YuNet with a 640x640 input")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=8000)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    names = data.split(args.faces, args.work)["train"]
    found = mine(args.lrfr, args.models, args.faces, names, args.yunet, args.work, args.limit)
    labels = found["labels"]
    print(json.dumps({"examples": int(len(labels)), "faces": int(labels.sum()),
                      "phantoms": int((labels == 0).sum()),
                      "distant": int(found["distant"].sum())}))


if __name__ == "__main__":
    main()
