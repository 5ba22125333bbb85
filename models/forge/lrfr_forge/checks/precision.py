"""Detector precision and recall, measured through the app: every box `lrfr identify --json`
reports is checked against a reference detector, YuNet at score 0.3 on the photo upscaled to
640 px on its long side. A box is a phantom when no reference face overlaps it (IoU under 0.2)
and no reference face's centre lies inside it. Real small faces that YuNet misses count as
phantoms too, so the figure is an upper bound; the contact sheet shows which they are.

Near photos: every photo of the validation identities, as they are (250x250 LFW). Distant
frames: `s01b_detector_data.validation_frames` (the frames `detection_rate` measures recall on);
there the reference faces are YuNet's on the whole photo (`teach_upscaled`), carried through
the paste, so a neighbour cut off at the photo's edge is a face there too, as it is near.
Rates come with 95% intervals (Wilson for recall, exact Poisson for phantom counts). Usable as
a script:

    python -m lrfr_forge.checks.precision --lrfr target/release/lrfr --faces ../shared/assets/faces/train \\
        --yunet ../shared/assets/upstream/face_detection_yunet_2023mar.onnx --work /tmp/precision
"""

import argparse
import json
import math
from pathlib import Path

from PIL import Image, ImageDraw

from lrfr_forge.common import data
from lrfr_forge.common.face_boxes import MATCH_IOU, identify, is_phantom, reference
from lrfr_forge.common.yunet import iou
from lrfr_forge.steps import s01b_detector_data as detector_data

Z95 = 1.959964
# Box sides (frame pixels) the report is broken down by.
SIDES = (12, 17, 24, 40)


def wilson(k, n):
    """95% Wilson interval of a rate of k in n."""
    if n == 0:
        return [0.0, 1.0]
    p = k / n
    d = 1 + Z95 ** 2 / n
    c = (p + Z95 ** 2 / (2 * n)) / d
    h = Z95 * math.sqrt(p * (1 - p) / n + Z95 ** 2 / (4 * n * n)) / d
    return [c - h, c + h]


def poisson(k):
    """Exact 95% interval of a Poisson count k (by bisection on its tails)."""
    def cdf(k, mu):
        return sum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(k + 1)) if mu > 0 else 1.0

    def solve(tail, lo, hi):
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if tail(mid) else (lo, mid)
        return lo

    low = 0.0 if k == 0 else solve(lambda mu: 1 - cdf(k - 1, mu) < 0.025, 0.0, float(k))
    high = solve(lambda mu: cdf(k, mu) > 0.025, float(k), 3.0 * k + 20.0)
    return [low, high]


def side_bucket(box):
    side = max(box[2], box[3])
    for limit in SIDES:
        if side < limit:
            return f"<{limit}"
    return f">={SIDES[-1]}"


def near(lrfr: Path, models, photos, yunet_path: Path, sheet: Path = None):
    """Phantoms per 100 near photos, by box side, and whether every photo's subject was found."""
    truth = reference(photos, yunet_path)
    rows = identify(lrfr, models, photos)
    phantoms = [(f, b, s) for f, b, s in rows if is_phantom(b, truth.get(f, []))]
    by_side = {}
    for _, box, _ in phantoms:
        key = side_bucket(box)
        by_side[key] = by_side.get(key, 0) + 1
    found = {f for f, b, _ in rows if not is_phantom(b, truth.get(f, []))}
    with_reference = [p for p in map(str, photos) if truth.get(p)]
    missed = [p for p in with_reference if p not in found]
    if sheet:
        contact_sheet(phantoms, sheet)
    return {
        "photos": len(photos),
        "boxes_reported": len(rows),
        "phantoms": len(phantoms),
        "phantoms_per_100": 100 * len(phantoms) / max(1, len(photos)),
        "phantoms_per_100_95": [100 * v / max(1, len(photos)) for v in poisson(len(phantoms))],
        "photos_with_a_phantom": len({f for f, _, _ in phantoms}),
        "phantoms_by_side": by_side,
        "subject_missed": len(missed),
        "boxes": [[round(max(b[2], b[3]), 1), round(s, 3), not is_phantom(b, truth.get(f, []))]
                  for f, b, s in rows],
    }


def contact_sheet(phantoms, out: Path, per_row=12, cell=96):
    """Each phantom box with some context, scaled to `cell` px, its box drawn in red."""
    rows = (len(phantoms) + per_row - 1) // per_row
    sheet = Image.new("RGB", (per_row * cell, max(1, rows) * cell), (40, 40, 40))
    for k, (path, box, score) in enumerate(phantoms):
        photo = Image.open(path).convert("RGB")
        side = max(box[2], box[3]) * 3
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        crop = photo.crop((int(cx - side / 2), int(cy - side / 2), int(cx + side / 2), int(cy + side / 2)))
        crop = crop.resize((cell, cell), Image.BICUBIC)
        draw = ImageDraw.Draw(crop)
        f = cell / side
        draw.rectangle([cell / 2 - box[2] * f / 2, cell / 2 - box[3] * f / 2,
                        cell / 2 + box[2] * f / 2, cell / 2 + box[3] * f / 2], outline=(255, 0, 0))
        draw.text((2, 2), f"{score:.2f}", fill=(255, 255, 0))
        sheet.paste(crop, ((k % per_row) * cell, (k // per_row) * cell))
    sheet.save(out)


def distant(lrfr: Path, models, frames: Path, labels):
    """For each native size of `frames`: the subject's recall (IoU 0.4 with its true box, as
    `detection_rate` counts it) and the phantoms per 100 frames, with every box's score."""
    report = {}
    for folder, truth in detector_data.size_folders(frames):
        rows = identify(lrfr, models, [folder])
        found, boxes = set(), []
        for path, box, score in rows:
            true = truth.get(path)
            subject = true is not None and iou(box, true) >= MATCH_IOU
            if subject:
                found.add(path)
            phantom = true is not None and is_phantom(box, detector_data.moved_faces(labels, Path(path), true))
            boxes.append([round(max(box[2], box[3]), 1), round(score, 3), subject, phantom])
        report[int(folder.name)] = {
            "frames": len(truth),
            "found": len(found),
            "rate": len(found) / max(1, len(truth)),
            "rate_95": wilson(len(found), len(truth)),
            "phantoms_per_100": 100 * sum(b[3] for b in boxes) / max(1, len(truth)),
            "phantoms_per_100_95": [100 * v / max(1, len(truth)) for v in poisson(sum(b[3] for b in boxes))],
            "boxes": boxes,
        }
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path)
    parser.add_argument("--faces", type=Path, required=True)
    parser.add_argument("--yunet", type=Path, required=True, help="YuNet with a 640x640 input")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--sheet", type=Path, help="contact sheet of the near photos' phantoms")
    parser.add_argument("--skip-distant", action="store_true")
    parser.add_argument("--skip-near", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    names = data.split(args.faces, args.work)["val"]
    photos = [p for n in names for p in sorted((args.faces / n).glob("*.jpg"))]
    report = {}
    if not args.skip_near:
        report["near"] = near(args.lrfr, args.models, photos, args.yunet, args.sheet)
    if not args.skip_distant:
        frames = args.work / "distant"
        labels = detector_data.teach_upscaled(args.faces, names, args.yunet, args.work / "labels.json")
        if not frames.exists():
            detector_data.validation_frames(args.faces, names, labels, frames)
        report["distant"] = distant(args.lrfr, args.models, frames, labels)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
