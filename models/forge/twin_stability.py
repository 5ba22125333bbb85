"""How far a dynamic-int8 EdgeFace twin moves when its input moves by one part in a million,
as two correct builds (x86-64 and aarch64 tract, or tract and onnxruntime) differ in their float
rounding. Dynamic quantisation re-rounds every MatMul input, so a one-ulp difference crosses
rounding steps and later layers carry it on; this bounds the agreement tests/aarch64.rs can ask of
`models/int8-compute/`.

    python models/forge/twin_stability.py --work ~/.cache/lrfr-forge/work

For K = 0, 5, ... of the most damaging MatMuls kept in float (the order the twin step uses),
prints the median cosine to the float model (and, first, how little the nudge moves the float model), and the median and lowest cosine between the twin's
embeddings of the crops and of the nudged crops. Needs the forge's work folder (fp32 EdgeFace
and the validation crops the app aligned with our landmarks).
"""

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CROPS = 32
NUDGE = 1e-6


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("~/.cache/lrfr-forge/work").expanduser())
    parser.add_argument("--model", default="edgeface.onnx", help="file name in WORK/fp32")
    parser.add_argument("--keep", default="0,5,8,12,16,20,26", help="how many MatMuls to keep in float, comma-separated")
    args = parser.parse_args()

    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from PIL import Image

    from lrfr_forge.common import quantize

    src = args.work / "fp32" / args.model
    people = sorted((args.work / "crops_ours").iterdir())
    people = people[:: max(1, len(people) // CROPS)][:CROPS]
    images = [np.asarray(Image.open(sorted(p.iterdir())[0]).convert("RGB"), np.float32) / 255 for p in people]
    x = ((np.stack(images).transpose(0, 3, 1, 2) - 0.5) / 0.5).astype(np.float32)
    nudged = (x * (1 + NUDGE * np.random.RandomState(0).randn(*x.shape))).astype(np.float32)

    def embed(path, inputs):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        e = np.concatenate([session.run(None, {"input": inputs[i:i + 1]})[0] for i in range(len(inputs))])
        return e / np.linalg.norm(e, axis=-1, keepdims=True)

    reference = embed(src, x)
    probe = Path(tempfile.mkdtemp()) / "twin.onnx"

    def twin(**nodes):
        quantize_dynamic(str(src), str(probe), op_types_to_quantize=["MatMul"], weight_type=QuantType.QInt8, **nodes)
        onnx.save(quantize.weight_only_qdq(onnx.load(str(probe))), str(probe))

    def damage(name):
        twin(nodes_to_quantize=[name])
        return float(np.median((embed(probe, x) * reference).sum(-1)))

    model = onnx.load(str(src))
    weights = {i.name for i in model.graph.initializer}
    matmuls = [n.name for n in model.graph.node if n.op_type == "MatMul" and any(i in weights for i in n.input)]
    order = sorted(matmuls, key=damage)
    print(f"{args.model}: {len(matmuls)} MatMuls with weights, {len(x)} crops, nudge {NUDGE:g}")
    float_moved = (reference * embed(src, nudged)).sum(-1)
    print(f"float model: nudged median {np.median(float_moved):.6f}, lowest {float_moved.min():.6f}")
    for keep in [int(k) for k in args.keep.split(",") if int(k) <= len(matmuls)]:
        twin(nodes_to_exclude=order[:keep])
        a, b = embed(probe, x), embed(probe, nudged)
        to_float = np.median((a * reference).sum(-1))
        moved = (a * b).sum(-1)
        print(f"keep {keep:2d} in float: cosine to float {to_float:.5f}, "
              f"nudged median {np.median(moved):.6f}, lowest {moved.min():.6f}", flush=True)
    probe.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
