"""Integer-compute twins of the shipped models, for measuring tract's int8 kernels (SDOT on
a Pi 5) with `--models models/int8-compute`. Never the default: on AVX2 x86 tract runs them
20-40x slower than float (shared/notes/tract-int8.md)."""

import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static

from lrfr_forge.common import geometry, quantize
from lrfr_forge.common.manifest import sha256
from lrfr_forge.steps import s04_dsr as dsr

CALIBRATION_IMAGES = 64


class Reader(CalibrationDataReader):
    def __init__(self, batches):
        self.items = iter([{"input": b[None]} for b in batches])

    def get_next(self):
        return next(self.items, None)


def build(work: Path, out: Path, calibration_hr: torch.Tensor, landmark_inputs: np.ndarray):
    """calibration_hr: (N,3,112,112) real crops in [0,1]; landmark_inputs: (N,3,64,64)."""
    twins = out / "int8-compute"
    twins.mkdir(parents=True, exist_ok=True)
    fp32 = work / "fp32"
    ops = {}
    for stale in twins.glob("edgeface*.onnx"):
        stale.unlink()
    kept_float = {}
    for name in sorted(p.name for p in out.glob("edgeface*.onnx")):
        kept_float[name] = edgeface_by_sensitivity(fp32 / name, twins / name, calibration_hr, work)
    for res in geometry.RESOLUTIONS:
        lr = dsr.downscale(calibration_hr, res).numpy().astype(np.float32)
        static(fp32 / f"dsr{res}.onnx", twins / f"dsr{res}.onnx", lr)
    static(work / "landmarks_fp32.onnx", twins / "landmarks.onnx", landmark_inputs.astype(np.float32))
    # The detector has no integer-compute twin: it runs on the whole frame, where tract's
    # QLinearConv is 50x slower than float (notes/tract-int8.md); the twins share its file.
    (twins / "detector.onnx").write_bytes((out / "detector.onnx").read_bytes())
    for f in sorted(twins.glob("*.onnx")):
        ops[f.name] = quantize.op_list(onnx.load(str(f)))
    manifest = json.loads((out / "manifest.json").read_text())

    own = [r["edgeface"] for r in manifest["resolutions"] if "edgeface" in r]
    for e in [manifest["landmarks"], manifest["detector"], manifest["edgeface"], *own, *[r["dsr"] for r in manifest["resolutions"]]]:
        e["sha256"] = sha256(twins / e["file"])
    (twins / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    ops["MatMuls kept in float"] = kept_float
    return ops


TARGET_COSINE = 0.995


def edgeface_by_sensitivity(src: Path, dst: Path, hr: torch.Tensor, work: Path):
    """Dynamic int8 of EdgeFace's MatMuls, as upstream's `_q` checkpoints, but per layer: each
    MatMul is quantised alone to measure what it costs, and the most damaging ones keep float
    compute (with weight-only int8 weights) until the median cosine to the float model reaches
    TARGET_COSINE. Quantising all of them gives about 0.987."""
    import onnxruntime as ort

    x = ((hr.numpy() - 0.5) / 0.5).astype(np.float32)

    def embeddings(path):
        sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        e = np.concatenate([sess.run(None, {"input": x[i:i + 1]})[0] for i in range(len(x))])
        return e / np.linalg.norm(e, axis=-1, keepdims=True)

    reference = embeddings(src)
    probe = work / "twin-probe.onnx"

    def dynamic(path, **nodes):
        # What stays float (the sensitive MatMuls, the convolutions) gets weight-only int8, so
        # the twin stays as small as the shipped file.
        quantize_dynamic(str(src), str(path), op_types_to_quantize=["MatMul"], weight_type=QuantType.QInt8, **nodes)
        onnx.save(quantize.weight_only_qdq(onnx.load(str(path))), str(path))

    def cosine(**nodes):
        dynamic(probe, **nodes)
        return float(np.median((embeddings(probe) * reference).sum(-1)))

    model = onnx.load(str(src))
    weights = {i.name for i in model.graph.initializer}
    matmuls = [n.name for n in model.graph.node if n.op_type == "MatMul" and any(i in weights for i in n.input)]
    damage = sorted(matmuls, key=lambda name: cosine(nodes_to_quantize=[name]))
    kept = []
    while cosine(nodes_to_exclude=kept) < TARGET_COSINE and len(kept) < len(damage):
        kept.append(damage[len(kept)])
    dynamic(dst, nodes_to_exclude=kept)
    probe.unlink(missing_ok=True)
    return kept


def static(src: Path, dst: Path, samples: np.ndarray):
    quantize_static(
        str(src), str(dst), Reader(samples), quant_format=QuantFormat.QOperator, op_types_to_quantize=["Conv"],
        per_channel=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
    )
