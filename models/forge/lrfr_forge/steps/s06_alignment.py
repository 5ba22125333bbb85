"""What the landmark model is worth in EER: the validation pairs aligned three ways through the
app's own warp (`lrfr crop`) — with YuNet's landmarks (the teacher), with ours, and with the
box-only fallback — then run through the shipped INT8 models with onnxruntime."""

import subprocess
from pathlib import Path

import numpy as np
import torch

from lrfr_forge.common.data import load_rgb
from lrfr_forge.common.metrics import scores, verification
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import s04_dsr as dsr
from lrfr_forge.steps.s01_landmarks import read_boxes


def val_tree(faces: Path, val_names, work: Path):
    """Symlinks to the held-out identities only, so `lrfr crop` reads a tenth of the images."""
    tree = work / "val-faces"
    if not tree.exists():
        tree.mkdir()
        for name in val_names:
            (tree / name).symlink_to((faces / name).resolve())
    return tree


def yunet_tsv(work: Path, boxes_dir: Path, val_names):
    """YuNet's points for every held-out image, in image pixels, as `lrfr crop --landmarks` reads."""
    taught = np.load(work / "landmark_labels.npz", allow_pickle=True)
    regions = {r["file"]: r["region"] for r in read_boxes(boxes_dir / "boxes.tsv")}
    keep = set(val_names)
    lines = []
    for rel, label in zip(taught["files"], taught["labels"]):
        if rel.split("/")[0] not in keep:
            continue
        rx, ry, side = regions[rel]
        pts = label * side + [rx, ry]
        lines.append("\t".join([rel, *(f"{v:.2f}" for v in pts.reshape(-1))]))
    path = work / "val_yunet_landmarks.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def crops(lrfr, work, tree, stage, tsv):
    ways = {
        "YuNet landmarks (teacher)": (work / "crops_yunet", ["--models", stage, "--landmarks", tsv]),
        "our landmark model": (work / "crops_ours", ["--models", stage]),
        "box only": (work / "crops_boxonly", ["--models", work / "no-models"]),
    }
    for out, extra in ways.values():
        if not out.exists():
            subprocess.run([str(lrfr), "crop", *map(str, extra), "--out", str(out), str(tree)], check=True)
    return {k: v[0] for k, v in ways.items()}


def study(args, work: Path, faces: Path, split, stage: Path, out: Path, pairs, manifest):
    tree = val_tree(faces, split["val"], work)
    tsv = yunet_tsv(work, work / "boxcrops", split["val"])
    ways = crops(args.lrfr, work, tree, stage, tsv)
    files = sorted({p for a, b, _ in pairs for p in (a, b)})
    report = {}
    for way, folder in ways.items():
        images = {}
        for f in files:
            png = folder / (f[: -len(".jpg")] + ".png")
            if png.exists():
                images[f] = load_rgb(png)
        names = sorted(images)
        hr = torch.from_numpy(np.stack([images[n] for n in names])).permute(0, 3, 1, 2).float() / 255
        row = {"images_aligned": len(names), "images_needed": len(files)}
        for r in manifest["resolutions"]:
            res = r["res"]
            ef = session(out / (r.get("edgeface") or manifest["edgeface"])["file"])
            lr = dsr.downscale(hr, res)
            sr = np.clip(run(session(out / f"dsr{res}.onnx"), lr.numpy()), 0, 1)
            bic = dsr.bicubic(lr, res).numpy()
            for label, x in (("dsr", sr), ("bicubic", bic)):
                emb = l2(run(ef, ((x - 0.5) / 0.5).astype(np.float32)))
                row[f"{res} {label}"] = verification(*scores(pairs, dict(zip(names, emb))))["eer"]
        report[way] = row
        print(f"alignment {way}: " + ", ".join(f"{k} {100 * v:.2f}%" for k, v in row.items() if isinstance(v, float)), flush=True)
    return report

