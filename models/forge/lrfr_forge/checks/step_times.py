"""How long each training step of the forge takes on a device, without its data: every step
trains on made-up inputs of its real shapes and batch sizes, with its real batch maker (drawn
and augmented on the CPU, moved to the device as `forge.py` does), and `fit` is replaced by a
timer that runs a few warm-up steps, then `--steps` timed ones, and stops. The seconds a step
takes times the step count the forge gives it is what the forge's README reports per step.

    python -m lrfr_forge.checks.step_times --device cuda [--steps 30] [--json out.json]

Torch uses 2 CPU threads, as `forge.py` sets. The landmark steps' counts follow their data
(passes over the training faces), so they are given here as the README's (about 2,700 and
2,000); the others are the forge's defaults. Nothing is written but `--json`.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from lrfr_forge.common import device, edgeface
from lrfr_forge.steps import (
    s01_landmarks as landmarks,
    s01b_detector as detector,
    s01c_distance as distance,
    s04_dsr_training as dsr_training,
    s05_finetune as finetune,
    s08_gate as gate,
)
from lrfr_forge.steps.s01b_detector_net import CHANNELS, STRIDE

WARM = 3
# The step counts of a full run: forge.py's defaults, and the landmarks' passes over 8,641
# training faces in batches of 128 (30 x 68 x 4 / 3 and the distance phases' 2,000 + 1,000).
COUNTS = {"landmarks": 2700, "landmarks distance": 3000, "detector": 6000, "dsr": 1500, "dsr polish": 1000,
          "dsr distance": 800, "finetune shared": 800, "finetune own": 1600, "gate": 3000}
RESOLUTIONS = (16, 24, 32)


def sync():
    if device.current().type == "cuda":
        torch.cuda.synchronize()


def timer(results, label, timed):
    """A stand-in for `fit.fit` that times `timed` steps after `WARM` and leaves the modules
    on the CPU, as `fit` does; `label` holds the name and full-run step count of the step
    being timed."""
    def fit(ckpt, name, modules, opt, sched, steps, step, seed, every=100, frozen=()):
        where = device.current()
        for module in [*modules.values(), *frozen]:
            module.to(where)
        gen = torch.Generator().manual_seed(seed)

        def run(first, n):
            for i in range(first, first + n):
                loss = step(gen, i)["loss"]
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
            sync()

        run(0, WARM)
        t0 = time.perf_counter()
        run(WARM, timed)
        seconds = (time.perf_counter() - t0) / timed
        name_, count = label
        results[name_] = (seconds, count)
        print(f"  {name_}: {seconds:.4f} s a step on {where}", flush=True)
        for module in [*modules.values(), *frozen]:
            module.to("cpu")
    return fit


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (as forge.py)")
    parser.add_argument("--steps", type=int, default=30, help="timed steps per training step, after 3 warm-up ones")
    parser.add_argument("--json", type=Path, help="where to write the seconds per step and the implied minutes")
    args = parser.parse_args()
    torch.set_num_threads(2)
    device.choose(args.device)
    print("timing on", device.current(), torch.cuda.get_device_name() if device.current().type == "cuda" else "", flush=True)

    results, label = {}, ["", 0]
    fake = timer(results, label, args.steps)
    for step in (landmarks, detector, dsr_training, finetune, gate):
        step.fit = fake
    for step in (landmarks, gate):
        step.finish = lambda *args, **kwargs: None
    work = Path(tempfile.mkdtemp(prefix="step-times-"))
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    u8 = lambda *shape: torch.randint(0, 256, shape, dtype=torch.uint8)

    # Landmarks: 128 x 128 box crops in batches of 128, then the distance phase.
    n = 512
    files = np.array([f"p{i % 16}/p{i % 16}_{i:04}.jpg" for i in range(n)])
    taught = {"files": files, "crops": u8(n, 128, 128, 3).numpy(),
              "labels": rng.uniform(0.3, 0.7, (n, 5, 2)).astype(np.float32)}
    split = {"val": ["p15"]}
    label[:] = ["landmarks", COUNTS["landmarks"]]
    net, _ = landmarks.train(taught, split, work, epochs=1000)
    label[:] = ["landmarks distance", COUNTS["landmarks distance"]]
    landmarks.adapt(net, taught, (taught["crops"][:256], taught["labels"][:256]), split, work)

    # The small-face detector: tiles with their cell targets, batches of 32.
    cells = detector.TILE // STRIDE
    tiles = {"images": u8(256, detector.TILE, detector.TILE, 3).numpy(), "heat": np.zeros((256, cells, cells), np.float32),
             "ignore": np.zeros((256, cells, cells), np.float32), "reg": np.zeros((256, CHANNELS - 1, cells, cells), np.float32),
             "regmask": np.zeros((256, cells, cells), np.float32)}
    label[:] = ["detector", COUNTS["detector"]]
    detector.train(tiles, work, steps=COUNTS["detector"])

    # DSR phases and the EdgeFace fine-tunes: 112 crops, their teacher embeddings (and the
    # mirror's), distant crops at each resolution.
    n = 1024
    x, y = u8(n, 112, 112, 3), torch.arange(n) % 64
    targets = torch.nn.functional.normalize(torch.randn(n, 2, 512), dim=-1)
    teacher = edgeface.EdgeFace().eval()
    far = {res: (u8(256, res, res, 3), torch.randint(0, n, (256,))) for res in RESOLUTIONS}
    nets = {}
    for res in RESOLUTIONS:
        label[:] = [f"dsr{res}", COUNTS["dsr"]]
        net = dsr_training.train_dsr(res, x, targets, teacher, work / f"dsr{res}.pt", COUNTS["dsr"])
        label[:] = [f"dsr{res} polish", COUNTS["dsr polish"]]
        net = dsr_training.polish_dsr(res, net, x, targets, teacher, work / f"dsr{res}p.pt", COUNTS["dsr polish"])
        label[:] = [f"dsr{res} distance", COUNTS["dsr distance"]]
        nets[res] = distance.adapt_dsr(res, net, x, targets, far[res], teacher, work / f"dsr{res}d.pt",
                                       COUNTS["dsr distance"])
    label[:] = ["finetune shared", COUNTS["finetune shared"]]
    finetune.finetune(teacher, nets, x, y, targets, work / "ft.pt", COUNTS["finetune shared"], far)
    for res in RESOLUTIONS:
        label[:] = [f"finetune {res}", COUNTS["finetune own"]]
        finetune.finetune(teacher, {res: nets[res]}, x, y, targets, work / f"ft{res}.pt", COUNTS["finetune own"], far)

    # The face gate: balanced batches of 128 crops.
    examples = {"crops": u8(512, gate.SIDE, gate.SIDE, 3).numpy(), "labels": np.arange(512) % 2}
    label[:] = ["gate", COUNTS["gate"]]
    gate.train(examples, work / "gate.pt", steps=COUNTS["gate"])

    minutes = {name: seconds * count / 60 for name, (seconds, count) in results.items()}
    print(f"\n{'training step':<22} {'s/step':>8} {'steps':>6} {'minutes':>8}")
    for name, (seconds, count) in results.items():
        print(f"{name:<22} {seconds:8.4f} {count:6d} {minutes[name]:8.1f}")
    print(f"{'all training':<22} {'':>8} {'':>6} {sum(minutes.values()):8.1f}")
    if args.json:
        args.json.write_text(json.dumps({"device": str(device.current()), "seconds_per_step": {k: v[0] for k, v in results.items()},
                                         "minutes": minutes}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
