"""`teacher_gain --joint` with the recipe's distant faces, scored where they matter: whether
EdgeFace-XS as the teacher still pays at 16 px once the DSR and EdgeFace have also learnt from
faces made small by distance (step 4b), as the shipped models have. Makes nothing in `models/`.

Both arms start from the same DSR: the recipe's first two phases, then its distance phase
(`s01c_distance.adapt_dsr`, 800 steps, half its batches distant). Each arm then trains that
DSR and EdgeFace together (`teacher_gain.joint_arm` with `far`), on batches half simulated and half
distant (`s01c_distance.mixed`), with the XXS or the XS teacher. Both are exported as the forge
exports (ONNX, weight-only INT8) and scored in onnxruntime beside the shipped `dsr16.onnx` and
`edgeface16.onnx`, on the validation pairs two ways:

- simulated: the 112 crop area-shrunk to 16 px (the app's `--res 16`);
- native: each validation photo shrunk whole so its face has 16 px of its own, on a 640x480
  JPEG frame (`s01b_detector_data.validation_frames`, the frames of docs/distance.md), cropped
  by the app (`lrfr crop --native`). A face `auto` sends to 24 or 32 px is scored by the
  shipped models of that size in every arm, a face not found counts as a miss (score -1), so
  the arms differ only where the 16 px models do.

Each change against the shipped pair gets its 95% interval by a paired bootstrap over people.

    python -m lrfr_forge.checks.teacher_distant --faces FACES --crops TRAIN_CROPS \\
        --val-crops VAL_CROPS --pairs val_pairs.tsv --split split.json --models ../../models \\
        --lrfr BIN --work W
"""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from lrfr_forge.checks import teacher_gain
from lrfr_forge.common import data, edgeface, metrics
from lrfr_forge.common.data import SEED
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import (
    s01b_detector_data as dd,
    s01c_distance as distance,
    s03_teacher as teacher_step,
    s04_dsr as dsr_net,
    s04_dsr_training as dsr_training,
    s06_export as export,
)

RES = teacher_gain.RES


def distant_train(args, work, names, files):
    """Step 4b's distant 16 px training faces: YuNet's labels, the frames, the app's crops."""
    yunet = args.shared / "upstream" / "face_detection_yunet_2023mar.onnx"
    labels = dd.teach_upscaled(args.faces, names, yunet, work / "yunet_labels.json")
    frames, native = work / "distance" / "frames", work / "distance" / "native"
    ranges = {RES: distance.NATIVE_RANGE[RES]}
    distance.make_frames(args.faces, names, labels, frames, ranges=ranges)
    distance.crop_frames(args.lrfr, args.models, frames, native, ranges=ranges)
    return distance.distant_inputs(native, files)[RES]


def native_val(args, work, names):
    """{photo key: the app's `auto` crop} of each validation photo made a 16 px face."""
    yunet = args.shared / "upstream" / "face_detection_yunet_2023mar.onnx"
    labels = dd.teach_upscaled(args.faces, names, yunet, work / "val_yunet_labels.json")
    frames, native = work / "val_frames", work / "val_native"
    if not (frames / str(RES) / "truth.tsv").exists():
        dd.validation_frames(args.faces, set(names), labels, frames)
    if not (native / "crop.done").exists():
        subprocess.run([str(args.lrfr), "crop", "--native", "--models", str(args.models), "--out", str(native),
                        str(frames / str(RES))], check=True, stdout=subprocess.DEVNULL)
        (native / "crop.done").write_text("")
    return {f"{p.parent.name}/{p.stem}.jpg": np.asarray(Image.open(p).convert("RGB"))
            for p in sorted(native.glob("*/*.png"))}


def int8_pair(dsr, student, out: Path):
    """The arm exported as step 6 exports it; onnxruntime sessions of its INT8 files."""
    out.mkdir(parents=True, exist_ok=True)
    export.export_onnx(dsr, (1, 3, RES, RES), out / "dsr16_fp32.onnx")
    export.export_onnx(student, (1, 3, 112, 112), out / "edgeface16_fp32.onnx")
    export.int8(out / "dsr16_fp32.onnx", out / f"dsr{RES}.onnx")
    export.int8(out / "edgeface16_fp32.onnx", out / f"edgeface{RES}.onnx")
    return session(out / f"dsr{RES}.onnx"), session(out / f"edgeface{RES}.onnx")


def embed_low(pair, low_u8):
    """Embeddings of small faces (N,R,R,3 bytes, R the DSR's input side) as the app makes
    them: DSR, rounded to bytes, EdgeFace."""
    d, e = pair
    sr = teacher_gain.upscaled(d, low_u8).astype(np.float32) / 255
    return l2(run(e, edgeface.normalise(torch.from_numpy(sr)).numpy()))


def shrink(hr_u8):
    """112 crops (N,112,112,3 bytes) area-shrunk to 16 px and rounded, as `--res 16` does."""
    low = dsr_net.downscale(data.to01(torch.from_numpy(hr_u8)), RES)
    return np.round(low.numpy() * 255).astype(np.uint8).transpose(0, 2, 3, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, required=True, help="the training photos (one folder per person)")
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the training identities")
    parser.add_argument("--val-crops", type=Path, required=True, help="`lrfr crop` of the validation identities")
    parser.add_argument("--pairs", type=Path, required=True, help="the forge's val_pairs.tsv")
    parser.add_argument("--split", type=Path, required=True, help="the forge's split.json")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--lrfr", type=Path, required=True, help="the release binary")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[5] / "shared" / "assets")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=1600, help="as the recipe's own 16 px fine-tune")
    args = parser.parse_args()
    torch.set_num_threads(2)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    split = json.loads(args.split.read_text())
    x, y, files = teacher_step.cached_crops(args.crops, split["train"], work / "train_crops.npz")
    xxs, xxs_t, xs_t = teacher_gain.teachers(args.shared, x, work)
    far = distant_train(args, work, split["train"], files)
    print(f"{len(far[0])} distant 16 px training faces", flush=True)
    own = dsr_training.train_dsr(RES, x, xxs_t, xxs, work / "dsr16.pt", 1500)
    own = dsr_training.polish_dsr(RES, own, x, xxs_t, xxs, work / "dsr16_polish.pt", 1000)
    own = distance.adapt_dsr(RES, own, x, xxs_t, far, xxs, work / "dsr16_distance.pt", 800)

    pairs = data.read_pairs(args.pairs)
    same = np.array([s for _, _, s in pairs])
    people = np.array([a.split("/")[0] for a, _, _ in pairs])
    keys = sorted({f for a, b, _ in pairs for f in (a, b)})
    near = shrink(np.stack([data.load_rgb(args.val_crops / k.replace(".jpg", ".png")) for k in keys]))
    native = native_val(args, work, split["val"])
    other = {r: (session(args.models / f"dsr{r}.onnx"), session(args.models / ef))
             for r, ef in ((24, "edgeface.onnx"), (32, "edgeface32.onnx"))}
    fixed = {k: embed_low(other[v.shape[0]], v[None])[0] for k, v in native.items() if v.shape[0] != RES}
    print(f"native: {len(native)} of {len(keys)} found, {len(fixed)} sent to 24 or 32 px", flush=True)

    arms = {"shipped": (session(args.models / "dsr16.onnx"), session(args.models / "edgeface16.onnx"))}
    for kind in ("xxs", "xs"):
        arm_dsr, student = teacher_gain.joint_arm(kind, own, xxs, xs_t, xxs_t, x, y, work, args.steps, far)
        arms[kind] = int8_pair(arm_dsr, student, work / f"int8_{kind}")
    scores = {}
    for name, pair in arms.items():
        simulated = dict(zip(keys, embed_low(pair, near)))
        small = [k for k, v in native.items() if v.shape[0] == RES]
        far_emb = dict(zip(small, embed_low(pair, np.stack([native[k] for k in small])))) | fixed
        scores[name] = {"simulated": metrics.scores(pairs, simulated)[0], "native": metrics.scores(pairs, far_emb)[0]}
    report = {}
    for path in ("simulated", "native"):
        report[path] = {name: metrics.verification(s[path], same)["eer"] for name, s in scores.items()}
        for name in ("xxs", "xs"):
            report[path][f"{name} less shipped, 95%"] = metrics.eer_change(scores["shipped"][path], scores[name][path],
                                                                          same, people, seed=SEED)
        report[path]["xs less xxs, 95%"] = metrics.eer_change(scores["xxs"][path], scores["xs"][path], same, people,
                                                              seed=SEED)
    (work / "teacher_distant.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
