"""Whether every training step of the forge moves what it trains on to the training device,
checked without a GPU: `fit` (`common/device.py`) is pointed at torch's `meta` device, whose
tensors have shapes and no data, and each step trains two steps on made-up inputs of its real
shapes. A tensor a step forgot to move stays on the CPU and meets a meta one: torch refuses
most such operations itself ("Tensor on device cpu is not on the expected device meta"), as it
would on a GPU, and a module given a CPU tensor while its weights are on the device is refused
by a hook here (convolutions and matrix products on meta weights would take it silently).
Each removed `device.put` of the steps was checked to be caught. Run it after changing a
step's batches; it takes seconds and reads no files:

    python -m lrfr_forge.checks.device_moves

Harness only: meta tensors cannot be printed or saved, so `.item()` answers 0 for them,
checkpoints are not written, and a trained module comes back to the CPU uninitialised (its
numbers are garbage: the steps' own reports after training are not read here).
"""

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

os.environ["LRFR_FORGE_DEVICE"] = "meta"

from lrfr_forge.common import device, edgeface, fit  # noqa: E402
from lrfr_forge.steps import (  # noqa: E402
    s01_landmarks as landmarks,
    s01b_detector as detector,
    s04_dsr_training as dsr_training,
    s05_finetune as finetune,
    s08_gate as gate,
)
from lrfr_forge.steps.s01b_detector_net import CHANNELS, STRIDE  # noqa: E402


def harness():
    item, to = torch.Tensor.item, torch.nn.Module.to
    torch.Tensor.item = lambda t: 0.0 if t.is_meta else item(t)
    fit.save = lambda *args, **kwargs: None
    fit.finish = lambda *args, **kwargs: None
    for step in (landmarks, gate):
        step.finish = fit.finish

    def back(module, *args, **kwargs):
        if args and args[0] == "cpu" and any(p.is_meta for p in module.parameters()):
            return module.to_empty(device="cpu")
        return to(module, *args, **kwargs)

    torch.nn.Module.to = back

    # Some kernels (convolutions, matrix products) take a CPU input with meta weights without
    # complaint, where a GPU's would refuse: every module checks its inputs itself.
    def inputs_moved(module, args):
        weights = [p for p in module.parameters(recurse=False)] + [b for b in module.buffers(recurse=False)]
        if any(w.is_meta for w in weights):
            for a in args:
                if isinstance(a, torch.Tensor) and not a.is_meta:
                    raise RuntimeError(f"{type(module).__name__} on the training device was given a tensor on {a.device}")

    torch.nn.modules.module.register_module_forward_pre_hook(inputs_moved)


def main():
    assert device.current().type == "meta"
    harness()
    torch.manual_seed(0)
    work = Path(tempfile.mkdtemp(prefix="device-moves-"))
    u8 = lambda *shape: torch.randint(0, 256, shape, dtype=torch.uint8)

    files = np.array([f"p{i % 4}/p{i % 4}_{i:04}.jpg" for i in range(16)])
    taught = {"files": files, "crops": u8(16, 128, 128, 3).numpy(),
              "labels": np.random.default_rng(0).uniform(0.3, 0.7, (16, 5, 2)).astype(np.float32)}
    split = {"val": ["p3"]}
    net, _ = landmarks.train(taught, split, work, smoke=True)
    landmarks.adapt(net, taught, (taught["crops"][:4], taught["labels"][:4]), split, work, smoke=True)
    print("landmarks and their distance phase: moved", flush=True)

    cells = detector.TILE // STRIDE
    tiles = {"images": u8(4, detector.TILE, detector.TILE, 3).numpy(), "heat": np.zeros((4, cells, cells), np.float32),
             "ignore": np.zeros((4, cells, cells), np.float32), "reg": np.zeros((4, CHANNELS - 1, cells, cells), np.float32),
             "regmask": np.zeros((4, cells, cells), np.float32)}
    detector.train(tiles, work, smoke=True)
    print("detector: moved", flush=True)

    x, y = u8(8, 112, 112, 3), torch.arange(8) % 4
    targets = torch.nn.functional.normalize(torch.randn(8, 2, 512), dim=-1)
    teacher = edgeface.EdgeFace().eval()
    net16 = dsr_training.train_dsr(16, x, targets, teacher, work / "dsr16.pt", 2)
    print("DSR: moved", flush=True)
    finetune.finetune(teacher, {16: net16}, x, y, targets, work / "ft.pt", 2)
    finetune.finetune(teacher, {16: net16}, x, y, targets, work / "ft16.pt", 2, far={16: (u8(4, 16, 16, 3), torch.arange(4))})
    print("EdgeFace fine-tune, simulated and half distant: moved", flush=True)

    examples = {"crops": u8(40, gate.SIDE, gate.SIDE, 3).numpy(), "labels": np.arange(40) % 2}
    gate.train(examples, work / "gate.pt", steps=2, batch=8)
    print("face gate: moved", flush=True)
    print("every training step moves its modules and batches to the training device")


if __name__ == "__main__":
    sys.exit(main())
