"""Detection rate by face size, measured through the app itself: `lrfr identify --json` over
the validation frames that `s01b_detector_data.validation_frames` made, each face matched to the
subject's true box (IoU >= 0.4). Usable as a script:

    python -m lrfr_forge.checks.detection_rate --frames DIR --lrfr target/release/lrfr [--models DIR]
"""

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from lrfr_forge.common.face_boxes import MATCH_IOU
from lrfr_forge.common.yunet import iou
from lrfr_forge.steps.s01b_detector_data import size_folders


def measure(frames: Path, lrfr: Path, models: Path = None, res: str = "auto"):
    """{size: {"frames", "found", "rate", "other_faces"}} for every size folder of `frames`."""
    report = {}
    for folder, truth in size_folders(frames):
        with tempfile.TemporaryDirectory() as gallery:
            command = [str(lrfr), "--gallery", gallery]
            if models:
                command += ["--models", str(models)]
            command += ["identify", "--json", "--res", res, str(folder)]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        found, others, cant_tell = set(), 0, 0
        for line in out.splitlines():
            row = json.loads(line)
            box = row.get("box")
            if not box:
                continue
            true = truth.get(row["file"])
            if true is not None and iou(box, true) >= MATCH_IOU:
                found.add(row["file"])
                cant_tell += bool(row.get("cant_tell"))
            else:
                others += 1
        report[int(folder.name)] = {
            "frames": len(truth),
            "found": len(found),
            "rate": len(found) / max(1, len(truth)),
            "other_faces": others,
            "cant_tell": cant_tell,
        }
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=Path, required=True)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path)
    args = parser.parse_args()
    print(json.dumps(measure(args.frames, args.lrfr, args.models), indent=1))


if __name__ == "__main__":
    main()
