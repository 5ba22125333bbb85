"""Side-by-side latency of every committed network: tract (through `lrfr bench --models-only`),
onnxruntime on the same ONNX files (models/ and models/int8-compute/), and PyTorch eager,
the way the original app ran its networks. Same inputs, same thread count, one table.

    python models/forge/bench_reference.py --threads 1
    python models/forge/bench_reference.py --threads 2 --runs 300 --json

PyTorch eager rebuilds our architectures from the forge's classes and loads the trained
weights from the forge's work folder (--work) when it has them; without them the weights are
untrained, which changes no latency. EdgeFace runs in PyTorch twice: in float, and with its
Linear layers dynamically quantised to int8, as upstream's `_q` checkpoints are.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

WARM_UP = 5


def ramp(shape):
    """The input `lrfr bench --models-only` feeds: (i % 97) / 97, so every engine sees the same."""
    n = int(np.prod(shape))
    return ((np.arange(n) % 97) / 97).astype(np.float32).reshape(shape)


def timed(fn, runs):
    times = []
    for i in range(runs + WARM_UP):
        start = time.perf_counter()
        fn()
        if i >= WARM_UP:
            times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": float(np.median(times)), "p90_ms": float(np.percentile(times, 90))}


def tract(lrfr, models, threads, runs):
    out = subprocess.run(
        [str(lrfr), "bench", "--models-only", "--json", "--models", str(models), "--threads", str(threads), "--frames", str(runs)],
        check=True, capture_output=True, text=True,
    ).stdout
    return {m["file"]: m for m in json.loads(out)["models"]}


def manifest_files(models):
    """Every network file in the manifest, and per resolution its DSR and EdgeFace files."""
    manifest = json.loads((models / "manifest.json").read_text())
    per_res = {}
    entries = {manifest["landmarks"]["file"]: manifest["landmarks"], manifest["edgeface"]["file"]: manifest["edgeface"]}
    for r in manifest["resolutions"]:
        own = r.get("edgeface") or manifest["edgeface"]
        entries[r["dsr"]["file"]] = r["dsr"]
        entries[own["file"]] = own
        per_res[r["res"]] = (r["dsr"]["file"], own["file"])
    return entries, per_res


def onnxruntime(models, threads, runs):
    import onnxruntime as ort

    rows = {}
    for name, e in manifest_files(models)[0].items():
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        sess = ort.InferenceSession(str(models / name), options, providers=["CPUExecutionProvider"])
        x = {sess.get_inputs()[0].name: ramp(e["input"])}
        rows[name] = timed(lambda: sess.run(None, x), runs)
    return rows


def torch_module(name):
    """Our architecture behind a model file, and the forge checkpoint holding its weights."""
    from lrfr_forge.steps import s04_dsr as dsr
    from lrfr_forge.common import edgeface
    from lrfr_forge.steps import s01_landmarks as landmarks

    if name == "landmarks.onnx":
        return landmarks.LandmarkNet(), "landmarks.pt"
    if name.startswith("dsr"):
        return dsr.DSR(int(name[3:5])), f"dsr{name[3:5]}_polish.pt"
    suffix = name[len("edgeface"):-len(".onnx")]
    return edgeface.EdgeFace(), f"edgeface_ft{suffix}.pt"


def pytorch(models, work, threads, runs):
    import torch

    torch.set_num_threads(threads)
    trained = work is not None and (work / "dsr16_polish.pt").exists()
    rows = {}
    with torch.inference_mode():
        for name, e in manifest_files(models)[0].items():
            net, ckpt = torch_module(name)
            if trained and (work / ckpt).exists():
                state = torch.load(work / ckpt)
                net.load_state_dict(state.get("net", state.get("student")))
            net.eval()
            x = torch.from_numpy(ramp(e["input"]))
            rows[name] = timed(lambda: net(x), runs)
            if name.startswith("edgeface"):
                dynamic = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
                rows[name + " (dynamic int8)"] = timed(lambda: dynamic(x), runs)
    return rows, trained


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--lrfr", type=Path, default=REPO / "target" / "release" / "lrfr")
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--work", type=Path, default=Path("~/.cache/lrfr-forge/work").expanduser())
    parser.add_argument("--json", action="store_true", help="print the measurements as one JSON object")
    args = parser.parse_args()
    twins = args.models / "int8-compute"
    columns = {
        "tract": tract(args.lrfr, args.models, args.threads, args.runs),
        "tract int8-compute": tract(args.lrfr, twins, args.threads, args.runs),
        "ort": onnxruntime(args.models, args.threads, args.runs),
        "ort int8-compute": onnxruntime(twins, args.threads, args.runs),
    }
    columns["torch eager"], trained = pytorch(args.models, args.work, args.threads, args.runs)
    if args.json:
        print(json.dumps({"threads": args.threads, "trained_weights_in_torch": trained, "columns": columns}))
        return
    print_table(columns, manifest_files(args.models)[1], args.threads, trained)


def print_table(columns, per_res, threads, trained):
    median = lambda col, f: columns[col].get(f, {}).get("median_ms", float("nan"))
    heads = list(columns) + ["tract / best ort"]
    print(f"median ms per inference, {threads} thread(s); torch weights {'trained' if trained else 'untrained (timing only)'}")
    print(f"{'network':<18}" + "".join(f"{h:>20}" for h in heads))
    for f in columns["tract"]:
        best_ort = min(median("ort", f), median("ort int8-compute", f))
        cells = [median(c, f) for c in columns] + [median("tract", f) / best_ort]
        print(f"{f:<18}" + "".join(f"{v:>20.2f}" for v in cells))
        if f.startswith("edgeface"):
            print(f"{'  torch dynamic int8':<98}{median('torch eager', f + ' (dynamic int8)'):>20.2f}")
    print("\nDSR + EdgeFace per face (the networks of one frame after the crop):")
    for res, (d, e) in sorted(per_res.items()):
        ours = median("tract", d) + median("tract", e)
        eager = median("torch eager", d) + min(median("torch eager", e), median("torch eager", e + " (dynamic int8)"))
        print(f"  {res} px: tract {ours:.2f} ms, torch eager {eager:.2f} ms, torch / tract {eager / ours:.2f}x")


if __name__ == "__main__":
    main()
