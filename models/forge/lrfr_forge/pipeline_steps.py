"""Steps 3 to 6: teacher embeddings, DSR per resolution, EdgeFace fine-tuning, export."""

import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from . import data, distance, dsr, edgeface, export, geometry
from .data import BATCH, SEED, batch, to01
from .dsr_training import polish_dsr, train_dsr
from .fit import fit


def run(args, work: Path, faces: Path, crops: Path, split, stage: Path, started):
    smoke = args.smoke
    train_x, train_y, files = cached_crops(crops, split["train"], work / "train_crops.npz")
    teacher = edgeface.load_upstream(args.shared / "upstream" / "edgeface_xxs_q.pt")
    for p in teacher.parameters():
        p.requires_grad_(False)
    if smoke:
        train_x, train_y, files = train_x[:48], train_y[:48], files[:48]
    targets = teacher_embeddings(teacher, train_x, work / "teacher.pt")
    print(f"teacher embeddings done at {time.time() - started:.0f} s", flush=True)
    if args.until == "edgeface":
        return
    steps = 2 if smoke else args.dsr_steps
    far = distant_faces(args, work, faces, split, stage, files)
    print(f"distant faces made at {time.time() - started:.0f} s", flush=True)
    nets = {}
    for res in geometry.RESOLUTIONS:
        net = train_dsr(res, train_x, targets, teacher, work / f"dsr{res}.pt", steps)
        net = polish_dsr(res, net, train_x, targets, teacher, work / f"dsr{res}_polish.pt", 2 if smoke else args.polish_steps)
        if res in far:
            net = distance.adapt_dsr(res, net, train_x, targets, far[res], teacher, work / f"dsr{res}_distance.pt",
                                     2 if smoke else args.distance_steps)
        else:
            print(f"  no distant faces came out at {res} px: dsr{res} keeps its polish", flush=True)
        nets[res] = net
        print(f"dsr {res} done at {time.time() - started:.0f} s", flush=True)
    if args.until == "dsr":
        return
    ft_steps = 2 if smoke else args.finetune_steps
    own_steps = 2 if smoke else args.own_finetune_steps
    students = {"shared": finetune(teacher, nets, train_x, train_y, targets, work / "edgeface_ft.pt", ft_steps, far)}
    for res, net in nets.items():
        students[res] = finetune(teacher, {res: net}, train_x, train_y, targets, work / f"edgeface_ft{res}.pt", own_steps,
                                 far)
    print(f"fine-tuning done at {time.time() - started:.0f} s", flush=True)
    if args.until == "finetune":
        return
    export.export_all(args, work, stage, nets, students, teacher, crops, split, started)
    build_twins(args, work, train_x)
    print(f"integer-compute twins done at {time.time() - started:.0f} s", flush=True)
    # Step 8: the face gate, on the exported detector's own boxes (see gate.py).
    from . import gate

    yunet = args.shared / "upstream" / "face_detection_yunet_2023mar.onnx"
    made = gate.forge_step(args.lrfr, faces, split, yunet, work / "gate", args.out, smoke=smoke)
    print(f"face gate done at {time.time() - started:.0f} s: {made.get('chosen', made.get('skipped'))}", flush=True)
    # Step 9: the cohorts 1:N scores are normalised against (see cohort.py); thresholds after.
    from . import cohort

    made = cohort.forge_step(args.lrfr, faces, split, args.out, smoke=smoke)
    print(f"cohorts done at {time.time() - started:.0f} s: {made}", flush=True)
    if smoke:
        # A dozen identities hold no gallery of five with strangers left over.
        print("smoke run: thresholds not calibrated (too few validation identities)", flush=True)
        return
    from . import calibrate

    calibrate.run(args.lrfr, faces, split, work, crops, args.out)
    print(f"thresholds calibrated at {time.time() - started:.0f} s", flush=True)


def distant_faces(args, work, faces, split, stage, files):
    """Step 4b's inputs: training photos made distant, cropped by the app (see distance.py)."""
    labels = json.loads((work / "detector" / "yunet_labels.json").read_text())
    folder = work / "distance"
    distance.make_frames(faces, split["train"], labels, folder / "frames")
    distance.crop_frames(args.lrfr, stage, folder / "frames", folder / "native")
    return distance.distant_inputs(folder / "native", files)


def build_twins(args, work, train_x):
    from . import twins

    hr = to01(train_x[: twins.CALIBRATION_IMAGES])
    boxes = np.load(work / "landmark_labels.npz")["crops"][: twins.CALIBRATION_IMAGES]
    box64 = F.avg_pool2d(to01(torch.from_numpy(boxes)), 2).numpy()
    print("twin ops:", twins.build(work, args.out, hr, box64), flush=True)


def cached_crops(crops, names, path):
    if path.exists():
        z = np.load(path)
        return torch.from_numpy(z["x"]), torch.from_numpy(z["y"]), list(z["files"])
    x, y, files = data.load_crops(crops, names)
    np.savez(path, x=x, y=y, files=np.array(files))
    return torch.from_numpy(x), torch.from_numpy(y), files


def teacher_embeddings(teacher, x, path):
    """Upstream embeddings of every training crop and of its mirror image."""
    if path.exists():
        return torch.load(path)
    out = []
    with torch.no_grad():
        for start in range(0, len(x), 128):
            hr = to01(x[start:start + 128])
            out.append(torch.stack([edgeface.embed(teacher, hr), edgeface.embed(teacher, hr.flip(-1))], 1))
    targets = torch.cat(out)
    torch.save(targets, path)
    return targets


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
        emb = edgeface.embed(student, sr)
        margin = head(emb, labels)
        keep = 1 - (emb * target).sum(-1).mean()
        return {"loss": margin + 10 * keep, "margin": margin, "keep": keep}

    student.train()
    fit(ckpt, "finetune", {"student": student, "head": head}, opt, sched, steps, step, SEED + 7)
    return student.eval()


def simulated_inputs(nets, x, y, targets, gen):
    """A batch shared out among the resolutions, each part area-shrunk and put through its DSR."""
    hr, target, labels = batch(x, targets, gen, y)
    n = len(nets)
    with torch.no_grad():
        sr = torch.cat([net(dsr.downscale(hr[i::n], r)) for i, (r, net) in enumerate(nets.items())])
    order = torch.cat([torch.arange(len(hr))[i::n] for i in range(n)])
    return sr, target[order], labels[order]


def mixed_inputs(nets, x, y, targets, distant, gen):
    """A batch shared out among the resolutions; where a resolution has distant crops, its
    part is half simulated, half distant (`distance.mixed`)."""
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
            parts.append((net(low), target, labels))
    return tuple(torch.cat(p) for p in zip(*parts))
