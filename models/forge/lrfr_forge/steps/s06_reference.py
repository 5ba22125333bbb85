"""Reference outputs for tests/models.rs: onnxruntime fp32 results on a few held-out faces,
which tract must reproduce from the shipped INT8 files. Only numbers are stored; the test
re-makes the crops from ../shared/assets with the app's own aligner."""

import json
from pathlib import Path

import numpy as np
import torch

from lrfr_forge.common import geometry
from lrfr_forge.common.data import val_set
from lrfr_forge.common.metrics import psnr
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import s04_dsr as dsr

IMAGES = 8


def write(work: Path, crops: Path, out: Path):
    _, images = val_set(crops, work)
    names = sorted(images)[:: max(1, len(images) // IMAGES)][:IMAGES]
    hr = torch.from_numpy(np.stack([images[n] for n in names])).permute(0, 3, 1, 2).float() / 255
    fp32 = work / "fp32"
    manifest = json.loads((out / "manifest.json").read_text())
    entries = []
    for res in geometry.RESOLUTIONS:
        own = next(r for r in manifest["resolutions"] if r["res"] == res).get("edgeface")
        edgeface = session(fp32 / (own or manifest["edgeface"])["file"])
        lr = dsr.downscale(hr, res).numpy()
        sr = np.clip(run(session(fp32 / f"dsr{res}.onnx"), lr), 0, 1)
        emb = l2(run(edgeface, ((sr - 0.5) / 0.5).astype(np.float32)))
        for i, name in enumerate(names):
            entries.append({
                "file": name,
                "res": res,
                "psnr_fp32": round(float(psnr(torch.from_numpy(sr[i:i + 1]), hr[i:i + 1])), 3),
                "embedding_fp32": [round(float(v), 6) for v in emb[i]],
            })
    doc = {
        "about": "onnxruntime fp32 outputs of the forge's float models on held-out LFW training faces "
                 "(paths relative to shared/assets/faces/train), for tests/models.rs",
        "entries": entries,
    }
    (out / "reference.json").write_text(json.dumps(doc) + "\n")
