"""Step 5: EdgeFace fine-tuned on what the DSR makes of a face, with a CosFace margin over the
training identities and held close to the upstream embedding of the real crop."""

from pathlib import Path

import torch
import torch.nn.functional as F

from lrfr_forge.common import device, edgeface
from lrfr_forge.common.data import BATCH, SEED, batch
from lrfr_forge.common.fit import fit
from lrfr_forge.steps import s01c_distance as distance, s04_dsr as dsr


class CosFace(torch.nn.Module):
    """Margin-based identity loss; class centres start at the teacher's mean embeddings."""

    def __init__(self, centres, s=30.0, m=0.2):
        super().__init__()
        self.w = torch.nn.Parameter(F.normalize(centres, dim=-1))
        self.s, self.m = s, m

    def forward(self, emb, labels):
        logits = emb @ F.normalize(self.w, dim=-1).t()
        logits = logits - self.m * F.one_hot(labels, logits.shape[1])
        return F.cross_entropy(self.s * logits, labels)


def finetune(teacher, nets, x, y, targets, ckpt: Path, steps, far=None):
    """Resolution-aware fine-tuning of EdgeFace on the DSR outputs of `nets` (all resolutions
    for the shared one, one for a per-resolution one): it learns identities with a margin and
    is held close to the upstream embedding of the real 112 crop. Where `far` has distant
    crops for a resolution, half of that resolution's inputs are distant (step 4b's data), so
    EdgeFace learns what the DSR makes of a face `auto` sends it, not only of a shrunk crop."""
    import copy

    # Drop-path and any other randomness inside EdgeFace draw from torch's own generator, which
    # torch seeds afresh in each process.
    torch.manual_seed(SEED + 7)
    student = copy.deepcopy(teacher)
    for p in student.parameters():
        p.requires_grad_(True)
    classes = int(y.max()) + 1
    centres = torch.zeros(classes, 512).index_add_(0, y, targets[:, 0])
    head = CosFace(centres)
    params = list(student.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, 2e-4, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-4, total_steps=steps, pct_start=0.1)
    distant = {r: far[r] for r in nets if far and r in far}

    def step(gen, _):
        if distant:
            sr, target, labels = mixed_inputs(nets, x, y, targets, distant, gen)
        else:
            sr, target, labels = simulated_inputs(nets, x, y, targets, gen)
        sr, target, labels = device.put(sr, target, labels)
        emb = edgeface.embed(student, sr)
        margin = head(emb, labels)
        keep = 1 - (emb * target).sum(-1).mean()
        return {"loss": margin + 10 * keep, "margin": margin, "keep": keep}

    student.train()
    fit(ckpt, "finetune", {"student": student, "head": head}, opt, sched, steps, step, SEED + 7, frozen=list(nets.values()))
    return student.eval()


def simulated_inputs(nets, x, y, targets, gen):
    """A batch shared out among the resolutions, each part area-shrunk and put through its DSR."""
    hr, target, labels = batch(x, targets, gen, y)
    n = len(nets)
    with torch.no_grad():
        sr = torch.cat([net(device.put(dsr.downscale(hr[i::n], r))) for i, (r, net) in enumerate(nets.items())])
    order = torch.cat([torch.arange(len(hr))[i::n] for i in range(n)])
    return sr, target[order], labels[order]


def mixed_inputs(nets, x, y, targets, distant, gen):
    """A batch shared out among the resolutions; where a resolution has distant crops, its
    part is half simulated, half distant (`s01c_distance.mixed`)."""
    n = len(nets)
    parts = []
    with torch.no_grad():
        for i, (r, net) in enumerate(nets.items()):
            count = BATCH // n + (i < BATCH % n)
            if r in distant:
                low, _, which, flip = distance.mixed(r, x, distant[r], gen, count)
                target = torch.where(flip[:, None], targets[which, 1], targets[which, 0])
                labels = y[which]
            else:
                hr, target, labels = batch(x, targets, gen, y, count)
                low = dsr.downscale(hr, r)
            parts.append((net(device.put(low)), target, labels))
    return tuple(torch.cat(p) for p in zip(*parts))
