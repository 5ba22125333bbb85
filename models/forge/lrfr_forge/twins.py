"""Integer-compute twins of the shipped models, for measuring tract's int8 kernels (SDOT on
a Pi 5) with `--models models/int8-compute`. Never the default: on AVX2 x86 tract runs them
20-40x slower than float (shared/notes/tract-int8.md)."""

import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_dynamic, quantize_static

from . import dsr, geometry, quantize

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
    quantize_dynamic(str(fp32 / "edgeface.onnx"), str(twins / "edgeface.onnx"), op_types_to_quantize=["MatMul"], weight_type=QuantType.QInt8)
    for res in geometry.RESOLUTIONS:
        lr = dsr.downscale(calibration_hr, res).numpy().astype(np.float32)
        static(fp32 / f"dsr{res}.onnx", twins / f"dsr{res}.onnx", lr)
    static(work / "landmarks_fp32.onnx", twins / "landmarks.onnx", landmark_inputs.astype(np.float32))
    for f in sorted(twins.glob("*.onnx")):
        ops[f.name] = quantize.op_list(onnx.load(str(f)))
    manifest = json.loads((out / "manifest.json").read_text())
    from forge import sha256

    for e in [manifest["landmarks"], manifest["edgeface"], *[r["dsr"] for r in manifest["resolutions"]]]:
        e["sha256"] = sha256(twins / e["file"])
    (twins / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return ops


def static(src: Path, dst: Path, samples: np.ndarray):
    quantize_static(
        str(src), str(dst), Reader(samples), quant_format=QuantFormat.QOperator, op_types_to_quantize=["Conv"],
        per_channel=False, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
    )
