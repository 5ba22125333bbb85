"""Step 9: the score-normalisation cohorts (`cohort16.bin`, `cohort24.bin`, `cohort32.bin`).

One photo each of 800 training identities (never a validation one, never anyone a user
knows), embedded at each resolution by the shipped binary (`lrfr embed --res all`, tract,
INT8, the app's own detector, landmarks, aligner and DSR), so the cohort holds exactly what
the app computes. The app normalises each 1:N score by the mean and spread of the template's
and the probe's best `TOP_K` cosines to the cohort (AS-norm, see `src/matching/cohort.rs`);
`s10_calibrate.py` (step 10) then chooses thresholds on that scale.

Why 800 and 200: the sizes the issue measured on held-out identities (FNIR at FPIR 1%
2.15 -> 1.77%); on validation identities the change at 16 px beats its interval at the
operating point (docs/accuracy.md). Each member is stored as INT8 with its own scale: 413 kB
a resolution, a third of a millisecond a match on one core.

The file: `LRFRCOH1`, count and dims (u32 LE), count f32 scales, count x dims int8.

    python -m lrfr_forge.steps.s09_cohort --lrfr target/release/lrfr --faces ../shared/assets/faces/train \\
        --work ~/.cache/lrfr-forge --out models
"""

import argparse
import hashlib
import json
import random
import struct
import subprocess
from pathlib import Path

import numpy as np

from lrfr_forge.common import data

COUNT = 800
TOP_K = 200
SEED = 20261205
RESOLUTIONS = (16, 24, 32)


def photos(faces: Path, names, count: int):
    """One photo of each of `count` training identities, drawn the same way on every run.
    More are drawn than needed: a photo with no face the app can find is passed over."""
    rng = random.Random(SEED)
    names = sorted(names)
    rng.shuffle(names)
    chosen = []
    for name in names[: count + count // 4]:
        files = sorted(p for p in (faces / name).iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        if files:
            chosen.append(rng.choice(files))
    return chosen


def embed(lrfr: Path, models: Path, files):
    """`{res: [(file, unit embedding)]}` in `files`' order, faces found only."""
    out = subprocess.run([str(lrfr), "--models", str(models), "--threads", "2", "embed", "--res", "all",
                          *map(str, files)], check=True, capture_output=True, text=True)
    found = {res: [] for res in RESOLUTIONS}
    for line in out.stdout.splitlines():
        row = json.loads(line)
        if row["embedding"] is not None:
            v = np.asarray(row["embedding"], np.float32)
            found[row["res"]].append((row["file"], v / np.linalg.norm(v)))
    return found


def unit(members: np.ndarray, top_k: int) -> float:
    """The cohort's typical spread: each member's top-`top_k` spread against the others."""
    scores = members @ members.T
    np.fill_diagonal(scores, -np.inf)
    top = -np.sort(-scores, axis=1)[:, :top_k]
    return float(top.std(axis=1).mean())


def write(path: Path, members: np.ndarray):
    """INT8, one scale a member (its largest value maps to 127)."""
    scales = np.abs(members).max(axis=1) / 127.0
    values = np.clip(np.round(members / scales[:, None]), -127, 127).astype(np.int8)
    count, dims = members.shape
    path.write_bytes(b"LRFRCOH1" + struct.pack("<II", count, dims) + scales.astype("<f4").tobytes()
                     + values.tobytes())


def make(lrfr: Path, models: Path, files, count=COUNT, top_k=TOP_K):
    """Writes `models`' cohorts and their manifest entries; returns a short report."""
    found = embed(lrfr, models, files)
    manifest_path = models / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    report = {}
    for entry in manifest["resolutions"]:
        res = entry["res"]
        members = np.stack([v for _, v in found[res][:count]])
        k = min(top_k, len(members) - 1)
        path = models / f"cohort{res}.bin"
        write(path, members)
        entry["cohort"] = {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                           "count": int(len(members)), "dims": int(members.shape[1]), "top_k": int(k),
                           "unit": round(unit(members, k), 6)}
        report[res] = entry["cohort"]
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n")
    return report


def forge_step(lrfr: Path, faces: Path, split, out: Path, smoke=False):
    """Both model sets, each embedded through its own networks. A smoke run's dozen training
    identities make no cohort (and its thresholds stay uncalibrated cosines): any cohort a
    set had is removed."""
    sets = [m for m in (out, out / "int8-compute") if (m / "manifest.json").exists()]
    if smoke:
        for models in sets:
            manifest = json.loads((models / "manifest.json").read_text())
            for entry in manifest["resolutions"]:
                entry.pop("cohort", None)
                (models / f"cohort{entry['res']}.bin").unlink(missing_ok=True)
            (models / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
        return {"skipped": "smoke run"}
    files = photos(faces, split["train"], COUNT)
    return {models.name: make(lrfr, models, files) for models in sets}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--faces", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="the forge's work folder (split.json)")
    parser.add_argument("--out", type=Path, required=True, help="the models folder the cohorts join")
    args = parser.parse_args()
    split = data.split(args.faces, args.work.expanduser())
    print(json.dumps(forge_step(args.lrfr, args.faces, split, args.out), indent=1))


if __name__ == "__main__":
    main()
