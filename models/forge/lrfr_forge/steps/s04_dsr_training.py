"""The DSR's three training phases, one loop: from scratch, the polish, and distance (step 4b).
Each phase is a batch maker, an optimiser with its schedule and the identity term's weight;
the loss is always L1 to the real 112 crop plus that weight x (1 - cosine) between the
upstream embeddings of the output and of the real crop."""

from pathlib import Path

import torch
import torch.nn.functional as F

from lrfr_forge.common import device, edgeface
from lrfr_forge.common.data import SEED, batch
from lrfr_forge.common.fit import fit
from lrfr_forge.steps import s04_dsr as dsr

ID_WEIGHT = 0.5
POLISH_ID_WEIGHT = 2.0


def train_dsr(res, x, targets, teacher, ckpt: Path, steps):
    """From scratch: Adam with a one-cycle schedule peaking at 2e-3."""
    # Seeded before the network is built: torch seeds its own generator afresh in each process.
    torch.manual_seed(SEED + res)
    net = dsr.DSR(res)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-3, total_steps=steps, pct_start=0.1)
    return run_phase(f"dsr{res}", net, simulated(res, x, targets), teacher, ckpt, steps, opt, sched, ID_WEIGHT, SEED + res)


def polish_dsr(res, net, x, targets, teacher, ckpt: Path, steps):
    """Second phase: identity weighted four times higher, learning rate decaying from 5e-4.
    It lowered the 32 px validation EER from 0.53% to 0.47% (upstream EdgeFace, 6,000 pairs)."""
    opt = torch.optim.Adam(net.parameters(), 5e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    return run_phase(f"dsr{res} polish", net, simulated(res, x, targets), teacher, ckpt, steps, opt, sched, POLISH_ID_WEIGHT,
               SEED + 100 + res)


def simulated(res, x, targets):
    """Batches of the simulated path: real crops area-shrunk as the app shrinks them."""
    def make(gen):
        hr, target, _ = batch(x, targets, gen)
        return dsr.downscale(hr, res), hr, target
    return make


def run_phase(name, net, make_batch, teacher, ckpt: Path, steps, opt, sched, id_weight, seed):
    """Runs `steps` steps through the forge's loop (resuming from `ckpt`) and returns `net` in
    eval mode."""
    def step(gen, _):
        low, hr, target = device.put(*make_batch(gen))
        sr = net(low)
        identity = 1 - (edgeface.embed(teacher, sr) * target).sum(-1).mean()
        return {"loss": F.l1_loss(sr, hr) + id_weight * identity, "id": identity}

    net.train()
    fit(ckpt, name, {"net": net}, opt, sched, steps, step, seed, frozen=[teacher])
    return net.eval()
