"""Each resolution's shipped EdgeFace against its own weights mixed back towards the upstream
XXS's (issue 35): the fine-tune gains on distant faces and can lose on faces shrunk after
alignment, and a mix of the two sets of weights (weight-space ensembling) may keep both.
`kfold.py --mix` asks the same of fine-tunes retrained per group; this asks it of the shipped
files on the validation people, whom no network saw. Makes nothing in `models/`.

The shipped weight-only INT8 file is read back into the upstream network's layout (its int8
weights times their scales), mixed, exported and quantised again as step 6 exports. Both run
in onnxruntime on the shipped DSR's outputs, rounded to bytes as the app embeds them:
simulated (the validation crops area-shrunk to the resolution) and native (the validation
frames of that size, `s01b_detector_data.validation_frames`, cropped by `lrfr crop --native`;
the pairs whose two photos `auto` took at that resolution). EERs with their 95% interval over
people, each mix's change with its paired interval.

    python -m lrfr_forge.checks.weight_mix --lrfr BIN --models ../../models --crops CROPS \\
        --split split.json --frames FRAMES --work W [--shares 0.3,0.5,0.7] [--res 16,24,32]
"""

import argparse
import json
import subprocess
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from lrfr_forge.checks import teacher_gain
from lrfr_forge.checks.kfold import mixed
from lrfr_forge.common import data, edgeface, metrics
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import s01c_distance as distance, s03_teacher as teacher_step, s06_export as export


def shipped_torch(path: Path, upstream):
    """The weight-only INT8 EdgeFace at `path` as a torch network shaped like `upstream`."""
    model = onnx.load(str(path))
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    axes = {n.input[0][:-2]: next((a.i for a in n.attribute if a.name == "axis"), 1)
            for n in model.graph.node if n.op_type == "DequantizeLinear"}

    def weight(name):
        if name + "_q" not in init:
            return init[name]
        q, scale = init[name + "_q"].astype(np.float32), init[name + "_scale"]
        shape = [1] * q.ndim
        if scale.ndim:
            shape[axes[name]] = -1
        return q * scale.reshape(shape)

    # The export names a Linear layer's weight after the MatMul it feeds (which holds it
    # transposed), not after the layer; the node's name is the layer's path.
    matmul = {}
    for node in model.graph.node:
        base = node.input[1][:-3] if node.op_type == "MatMul" and node.input[1].endswith("_dq") else None
        if base and base + "_q" in init:
            parts = node.name.strip("/").split("/")[:-1]
            layer = [a for a, b in zip(parts, parts[1:] + [""]) if not b.startswith(a + ".")]
            matmul[".".join(layer) + ".weight"] = base
    loaded = {}
    for key, value in upstream.state_dict().items():
        w = weight(matmul[key]).T if key in matmul else weight(key)
        if w.shape != tuple(value.shape):
            raise ValueError(f"{path}: {key} is {w.shape}, the network has {tuple(value.shape)}")
        loaded[key] = torch.from_numpy(np.ascontiguousarray(w))
    net = edgeface.EdgeFace()
    net.load_state_dict(loaded)
    return net.eval()


def embed(sess, u8):
    """Embeddings of DSR outputs (N,3,112,112 bytes) by an EdgeFace file in onnxruntime."""
    return l2(np.concatenate([run(sess, edgeface.normalise(u8[i:i + 128].astype(np.float32) / 255))
                              for i in range(0, len(u8), 128)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the photos")
    parser.add_argument("--split", type=Path, required=True)
    parser.add_argument("--frames", type=Path, required=True, help="validation frames, FRAMES/<size>/<name>/<photo>.jpg")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[5] / "shared" / "assets")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--shares", default="0.3,0.5,0.7", help="the shipped fine-tune's share of each mix")
    parser.add_argument("--res", default="16,24,32")
    args = parser.parse_args()
    torch.set_num_threads(2)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    names = json.loads(args.split.read_text())["val"]
    x, _, files = teacher_step.cached_crops(args.crops, names, work / "val_crops.npz")
    pairs = data.read_pairs(data.validation_pairs(args.crops, names, work))
    upstream = edgeface.load_upstream(args.shared / "upstream" / "edgeface_xxs_q.pt")
    manifest = json.loads((args.models / "manifest.json").read_text())
    index = {f.replace(".png", ".jpg"): i for i, f in enumerate(files)}
    report = {}
    for res in map(int, args.res.split(",")):
        entry = next(r for r in manifest["resolutions"] if r["res"] == res)
        file = args.models / entry.get("edgeface", manifest["edgeface"])["file"]
        dsr = session(args.models / f"dsr{res}.onnx")
        native = work / f"native{res}"
        if not (native / "crop.done").exists():
            subprocess.run([str(args.lrfr), "crop", "--native", "--models", str(args.models), "--out",
                            str(native / "faces"), str(args.frames / str(res))], check=True, stdout=subprocess.DEVNULL)
            (native / "crop.done").write_text("")
        low, found = distance.distant_inputs(native, files)[res]
        # Per path: the DSR's outputs, and the row of each photo's among them.
        paths = {"simulated": (teacher_gain.shown(dsr, x.numpy(), res), index),
                 "native": (teacher_gain.upscaled(dsr, low.numpy()),
                            {files[i].replace(".png", ".jpg"): j for j, i in enumerate(found.tolist())})}
        nets = {"shipped": session(file)}
        tuned = shipped_torch(file, upstream)
        for share in map(float, args.shares.split(",")):
            out = work / f"mix{res}_{share}.onnx"
            if not out.exists():
                export.export_onnx(mixed(upstream, tuned, share), (1, 3, 112, 112), work / "float.onnx")
                export.int8(work / "float.onnx", out)
            nets[f"mix {share}"] = session(out)
        report[res] = {}
        for path, (images, row) in paths.items():
            chosen = [p for p in pairs if p[0] in row and p[1] in row]
            same, people = [s for _, _, s in chosen], [a.split("/")[0] for a, _, _ in chosen]
            scores = {}
            for name, sess in nets.items():
                e = embed(sess, images)
                scores[name] = [float(e[row[a]] @ e[row[b]]) for a, b, _ in chosen]
            part = {"pairs": len(chosen)}
            for name, s in scores.items():
                part[name] = {"eer": metrics.verification(s, same)["eer"], "eer 95%": metrics.eer_interval(s, same, people)}
                if name != "shipped":
                    part[f"{name} less shipped, 95%"] = metrics.eer_change(scores["shipped"], s, same, people)
            report[res][path] = part
            print(res, path, json.dumps(part), flush=True)
    (work / "weight_mix.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
