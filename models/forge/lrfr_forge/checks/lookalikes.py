"""Look-alikes among the validation identities: for each resolution, the stranger-to-member
pairs that score highest, against how enrolled people's own photos score. The galleries and
templates are those of `sequences` (members: eight or more photos, template from the first
three). Embeddings at 16 and 32 px come from the app (`lrfr embed --res N`, tract, INT8);
at full resolution from the shipped 24 px EdgeFace on the app's own 112 crops (`lrfr crop`),
in onnxruntime. Usable as a script:

    python -m lrfr_forge.checks.lookalikes --faces DIR --split split.json --lrfr BIN --crops DIR

What it answers: whether a stranger named in the live sequences is a look-alike the
resolution makes (refused at full resolution) or one that is there at every resolution, and
what refusing them would cost the enrolled people.
"""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from lrfr_forge.checks import sequences

THRESHOLDS = (0.35, 0.40, 0.45, 0.48, 0.50)


def unit(v):
    return v / np.linalg.norm(v)


def app_embeddings(lrfr: Path, models, faces: Path, names, res: int):
    """{"Name/file.jpg": unit embedding} through `lrfr embed`."""
    paths = [str(faces / n) for n in names]
    out = subprocess.run([str(lrfr), *models, "embed", "--res", str(res), *paths],
                         capture_output=True, text=True, check=True).stdout
    rows = map(json.loads, out.splitlines())
    return {"/".join(Path(r["file"]).parts[-2:]): unit(np.array(r["embedding"])) for r in rows}


def full_resolution(crops: Path, edgeface: Path, names):
    import onnxruntime as ort

    session = ort.InferenceSession(str(edgeface), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    found = {}
    for person in names:
        for path in sorted((crops / person).glob("*.png")):
            if path.name.endswith(".box.png"):
                continue
            x = np.asarray(Image.open(path).convert("RGB"), np.float32) / 255
            x = ((x - 0.5) / 0.5).transpose(2, 0, 1)[None]
            found[f"{person}/{path.stem}.jpg"] = unit(session.run(None, {name: x})[0][0])
    return found


def report(embeddings, faces: Path, names, top=4):
    photos = {n: [f"{n}/{p.name}" for p in sequences.photos(faces, n)] for n in names}
    members = [n for n in names if len(photos[n]) >= sequences.MEMBER_PHOTOS]
    players = [n for n in names if len(photos[n]) >= sequences.STRANGER_PHOTOS]
    template = {m: unit(sum(embeddings[k] for k in photos[m][: sequences.ENROLL_PHOTOS])) for m in members}
    pairs = []
    for stranger in players:
        seen = [embeddings[k] for k in photos[stranger] if k in embeddings]
        for member in (m for m in members if m != stranger):
            scores = [float(e @ template[member]) for e in seen]
            pairs.append({"stranger": stranger, "member": member, "median": float(np.median(scores)),
                          "fused": float(unit(sum(seen)) @ template[member]), "scores": scores})
    pairs.sort(key=lambda p: -p["median"])
    mated = np.array([float(embeddings[k] @ template[m]) for m in members
                      for k in photos[m][sequences.ENROLL_PHOTOS:] if k in embeddings])
    return {
        "top_pairs": pairs[:top],
        "mated_median": float(np.median(mated)),
        "mated_5th_percentile": float(np.percentile(mated, 5)),
        "enrolled_photos_missed": {f"{t:.2f}": float(np.mean(mated < t)) for t in THRESHOLDS},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, required=True)
    parser.add_argument("--split", type=Path, required=True)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the validation photos")
    parser.add_argument("--models", type=Path, default=Path(__file__).resolve().parents[3])
    args = parser.parse_args()
    names = json.loads(args.split.read_text())["val"]
    models = ["--models", str(args.models)]
    result = {"112": report(full_resolution(args.crops, args.models / "edgeface.onnx", names), args.faces, names)}
    for res in (32, 16):
        result[str(res)] = report(app_embeddings(args.lrfr, models, args.faces, names, res), args.faces, names)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
