"""Which resolution's networks make most of a face of a given size of its own, and what the
two make of it together (issue 35, native 16 px). Makes nothing in `models/`.

`auto` takes a face of 16 px of its own through DSR 16 and its EdgeFace. `lrfr crop --native
--at RES` aligns every face of a folder of frames from its own pixels at RES instead, so the
same faces can go through each resolution's shipped DSR and EdgeFace (weight-only INT8 files,
in onnxruntime, the DSR's output rounded to bytes as the app shows and embeds it). Each pair of
the pairs list is scored by each path's cosine and by the mean of the paths' cosines; a face
`auto` cannot use (not found, or under 16 px of its own) fails its pairs in every path, as
`eval` counts them (-1). EERs come with their 95% interval over people and each change with
its paired interval (`common/metrics.py`).

On the validation frames at 16 px of their own (`s01b_detector_data.validation_frames`) and
the validation pairs (2026-12-06): the 16 px path 10.15%, the 24 px path 8.28% (-4.62 to +0.69
against the 16 px path), their mean 7.95% (-4.76 to -0.22). Through an experimental build of
the app (tract) the same three read 9.97, 8.27 and 7.80%; docs/distance.md has the rest.

    python -m lrfr_forge.checks.two_paths --lrfr target/release/lrfr --models models \\
        --frames FRAMES/16 --pairs val_pairs.tsv --work W [--paths 16,24]
"""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from lrfr_forge.checks import teacher_distant
from lrfr_forge.common import data, metrics
from lrfr_forge.common.onnx_session import session


def crops(lrfr: Path, models: Path, frames: Path, res: int, out: Path):
    """{frame path relative to `frames`, as .jpg: the face aligned at `res`}, made once."""
    if not (out / "crop.done").exists():
        subprocess.run([str(lrfr), "crop", "--native", "--at", str(res), "--models", str(models), "--out", str(out),
                        str(frames)], check=True, stdout=subprocess.DEVNULL)
        (out / "crop.done").write_text("")
    return {str(p.relative_to(out).with_suffix(".jpg")): np.asarray(Image.open(p).convert("RGB"))
            for p in sorted(out.rglob("*.png"))}


def embeddings(models: Path, res: int, faces):
    """{key: unit embedding} of each face through the shipped DSR and EdgeFace of `res`, as the
    app makes them (`teacher_distant.embed_low`)."""
    manifest = json.loads((models / "manifest.json").read_text())
    entry = next(r for r in manifest["resolutions"] if r["res"] == res)
    pair = (session(models / entry["dsr"]["file"]), session(models / entry.get("edgeface", manifest["edgeface"])["file"]))
    keys = sorted(faces)
    return dict(zip(keys, teacher_distant.embed_low(pair, np.stack([faces[k] for k in keys]))))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--frames", type=Path, required=True, help="frames of one size, a folder per person")
    parser.add_argument("--pairs", type=Path, required=True, help="pairs of frame paths relative to --frames")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--paths", default="16,24", help="two resolutions, comma-separated")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pairs = data.read_pairs(args.pairs)
    same = np.array([s for _, _, s in pairs])
    people = [a.split("/")[0] for a, _, _ in pairs]
    paths = [int(r) for r in args.paths.split(",")]
    faces = {res: crops(args.lrfr, args.models, args.frames, res, args.work / f"at{res}") for res in paths}
    # `--at` skips the faces `auto` skips (not found, or under 16 px of its own), so every path
    # fails the same pairs; the intersection makes sure of it.
    usable = set.intersection(*(set(f) for f in faces.values()))
    failed = np.array([a not in usable or b not in usable for a, b, _ in pairs])
    scores = {}
    for res in paths:
        emb = embeddings(args.models, res, faces[res])
        scores[res] = np.array([-1.0 if f else float(emb[a] @ emb[b]) for (a, b, _), f in zip(pairs, failed)])
    first, second = paths
    scores["mean"] = np.where(failed, -1.0, (scores[first] + scores[second]) / 2)
    report = {"pairs": len(pairs), "failed": int(failed.sum())}
    for name, s in scores.items():
        report[str(name)] = {"eer": metrics.verification(s, same)["eer"], "eer_95": metrics.eer_interval(s, same, people)}
        if name != first:
            report[str(name)]["change_from_" + str(first)] = metrics.eer_change(scores[first], s, same, people)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
