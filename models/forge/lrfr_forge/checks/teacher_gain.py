"""Whether a stronger teacher pays at 16 px (issue 35, item 2): two fine-tunes of the 16 px
EdgeFace that differ only in the embedding the student is held close to, scored on the
validation pairs with a paired bootstrap over people. Makes nothing in `models/`.

- `xxs`: the recipe's own (step 5): 1 - cosine to the upstream EdgeFace-XXS embedding of the
  full-resolution crop.
- `xs`: EdgeFace-XS (`upstream/edgeface_xs_q.pt`, 99.5% on LFW pairs) instead, through a
  learnt 512 x 512 map from the student's space (started at the least-squares map from XXS's
  embeddings to XS's on the training crops), so the student keeps its own space, which the
  gallery and the probes share, and learns XS's geometry of it.

Both start from the upstream XXS, train the same steps on the same batches (the CosFace
margin over the training identities plus 10 x that term), and see the shipped 16 px DSR's
output of each crop area-shrunk as the app shrinks it, made once by onnxruntime and rounded to
bytes as the app shows and embeds it. No distant faces: both arms lack them alike. The
shipped `edgeface16.onnx` (which had them) is scored beside them for reference.

With `--joint`, the DSR learns too: a 16 px DSR is trained by the recipe's first two phases
(XXS's identity term), then each arm trains it and EdgeFace together (the DSR's L1 to the
real crop plus the arms' terms above), so the teacher reaches the DSR through EdgeFace.

    python -m lrfr_forge.checks.teacher_gain --crops TRAIN_CROPS --val-crops VAL_CROPS \\
        --pairs val_pairs.tsv --split split.json --models ../../models --work W [--joint]
"""

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from lrfr_forge.common import data, device, edgeface, metrics
from lrfr_forge.common.data import BATCH, SEED, to01
from lrfr_forge.common.fit import fit
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import (
    s01c_distance as distance,
    s03_teacher as teacher_step,
    s04_dsr as dsr_net,
    s04_dsr_training as dsr_training,
    s05_finetune as finetune_step,
)

RES = 16


def shown(sess, hr_u8, res=RES):
    """The shipped DSR's output for each 112 crop (N,112,112,3 bytes) area-shrunk to `res`, as
    bytes (N,3,112,112): what the app shows and embeds."""
    out = []
    for start in range(0, len(hr_u8), 256):
        low = dsr_net.downscale(to01(torch.from_numpy(hr_u8[start:start + 256])), res).numpy()
        out.append(np.round(np.clip(run(sess, low), 0, 1) * 255).astype(np.uint8))
    return np.concatenate(out)


def upscaled(sess, low_u8):
    """The DSR's outputs of small faces (N,res,res,3 bytes) as bytes (N,3,112,112)."""
    out = []
    for start in range(0, len(low_u8), 256):
        low = low_u8[start:start + 256].astype(np.float32).transpose(0, 3, 1, 2) / 255
        out.append(np.round(np.clip(run(sess, low), 0, 1) * 255).astype(np.uint8))
    return np.concatenate(out)


def torch_upscaled(dsr, low_u8):
    """`upscaled` for a DSR in torch."""
    out = []
    with torch.no_grad():
        for start in range(0, len(low_u8), 128):
            low = torch.from_numpy(low_u8[start:start + 128]).permute(0, 3, 1, 2).float() / 255
            out.append(torch.round(dsr(low).clamp(0, 1) * 255).to(torch.uint8).numpy())
    return np.concatenate(out)


def cached(path: Path, make):
    if path.exists():
        return np.load(path)["v"]
    v = make()
    np.savez(path, v=v)
    return v


def teachers(shared: Path, x, work: Path, with_xs=True):
    """The upstream XXS and XS (frozen; XS only `with_xs`) and their embeddings of the training
    crops `x` and their mirrors, cached in `work`."""
    upstream = shared / "upstream"
    xxs = edgeface.load_upstream(upstream / "edgeface_xxs_q.pt")
    nets = [xxs]
    if with_xs:
        nets.append(edgeface.load_upstream(upstream / "edgeface_xs_q.pt", "edgenext_x_small"))
    for net in nets:
        for p in net.parameters():
            p.requires_grad_(False)
    xxs_t = teacher_step.teacher_embeddings(xxs, x, work / "teacher_xxs.pt")
    xs_t = teacher_step.teacher_embeddings(nets[1], x, work / "teacher_xs.pt") if with_xs else None
    return xxs, xxs_t, xs_t


def torch_embed(net):
    """Embeddings of DSR outputs (N,3,112,112 bytes) by a torch EdgeFace."""
    def run(v):
        with torch.no_grad():
            return torch.cat([edgeface.embed(net, torch.from_numpy(v[i:i + 128]).float() / 255)
                              for i in range(0, len(v), 128)]).numpy()
    return run


def arm_modules(kind, xxs, xs_targets, xxs_targets, y, start=None):
    """The student (from the upstream XXS, or from `start`), its CosFace head, and for `xs` the
    map into XS's space; and the targets the student is held to. `xs-small` is a student that
    already lives in XS's space (`larger_student`), held to XS's embeddings directly."""
    torch.manual_seed(SEED + 7)
    student = copy.deepcopy(xxs if start is None else start)
    for p in student.parameters():
        p.requires_grad_(True)
    classes = int(y.max()) + 1
    own = xs_targets if kind == "xs-small" else xxs_targets
    head = finetune_step.CosFace(torch.zeros(classes, 512).index_add_(0, y, own[:, 0]))
    modules = {"student": student, "head": head}
    if kind != "xs":
        return modules, own
    a, b = xxs_targets.reshape(-1, 512), xs_targets.reshape(-1, 512)
    proj = torch.nn.Linear(512, 512, bias=False)
    with torch.no_grad():
        proj.weight.copy_(torch.linalg.lstsq(a, b).solution.t())
    modules["proj"] = proj
    return modules, xs_targets


def teacher_terms(modules, emb, labels, target):
    margin = modules["head"](emb, labels)
    mapped = F.normalize(modules["proj"](emb), dim=-1) if "proj" in modules else emb
    keep = 1 - (mapped * target).sum(-1).mean()
    return margin, keep


def train_arm(kind, xxs, xs_targets, xxs_targets, sr, y, work: Path, steps, far=None, start=None):
    """An arm's fine-tune on DSR outputs `sr` (N, 2 for the mirror, 3, 112, 112 bytes). With
    `far` (the DSR's outputs of distant crops, shaped as `sr`, and the index in `sr` of the
    photo each was made from), half of every batch is distant, as step 5 mixes them. `start`:
    the student to begin from, if not the upstream XXS."""
    modules, targets = arm_modules(kind, xxs, xs_targets, xxs_targets, y, start)
    student = modules["student"]
    params = [p for m in modules.values() for p in m.parameters()]
    opt = torch.optim.AdamW(params, 2e-4, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-4, total_steps=steps, pct_start=0.1)

    def step(gen, _):
        idx = torch.randint(0, len(sr), (BATCH,), generator=gen)
        flip = (torch.rand(BATCH, generator=gen) < 0.5).long()
        x = torch.from_numpy(sr[idx.numpy(), flip.numpy()]).float() / 255
        if far is not None:
            half = BATCH // 2
            j = torch.randint(0, len(far[0]), (BATCH - half,), generator=gen)
            distant = torch.from_numpy(far[0][j.numpy(), flip[half:].numpy()]).float() / 255
            x, idx = torch.cat([x[:half], distant]), torch.cat([idx[:half], far[1][j]])
        emb = edgeface.embed(student, device.put(x))
        margin, keep = teacher_terms(modules, emb, *device.put(y[idx], targets[idx, flip]))
        return {"loss": margin + 10 * keep, "margin": margin, "keep": keep}

    student.train()
    fit(work / f"arm_{kind}.pt", f"finetune ({kind} teacher)", modules, opt, sched, steps, step, SEED + 7)
    return student.eval()


def joint_arm(kind, dsr, xxs, xs_targets, xxs_targets, x, y, work: Path, steps, far=None):
    """The DSR and EdgeFace trained together: L1 of the DSR's output to the real crop plus the
    arm's margin and teacher terms. With `far` (step 4b's distant 16 px crops and the index in
    `x` of the photo each came from), half of every batch is distant (`s01c_distance.mixed`).
    Returns both, in eval mode."""
    modules, targets = arm_modules(kind, xxs, xs_targets, xxs_targets, y)
    modules["dsr"] = copy.deepcopy(dsr)
    params = [p for m in modules.values() for p in m.parameters()]
    opt = torch.optim.AdamW(params, 2e-4, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-4, total_steps=steps, pct_start=0.1)

    def step(gen, _):
        if far is None:
            hr, target, labels = data.batch(x, targets, gen, y)
            low = dsr_net.downscale(hr, RES)
        else:
            low, hr, which, flip = distance.mixed(RES, x, far, gen, BATCH)
            target = torch.where(flip[:, None], targets[which, 1], targets[which, 0])
            labels = y[which]
        low, hr, target, labels = device.put(low, hr, target, labels)
        sr = modules["dsr"](low)
        margin, keep = teacher_terms(modules, edgeface.embed(modules["student"], sr), labels, target)
        l1 = F.l1_loss(sr, hr)
        return {"loss": l1 + margin + 10 * keep, "l1": l1, "margin": margin, "keep": keep}

    for m in modules.values():
        m.train()
    name, label = (f"joint_{kind}.pt", f"joint ({kind} teacher)") if far is None else \
        (f"joint_far_{kind}.pt", f"joint, distant ({kind} teacher)")
    fit(work / name, label, modules, opt, sched, steps, step, SEED + 8)
    return modules["dsr"].eval(), modules["student"].eval()


def torch_shown(dsr, hr_u8, res=RES):
    """`shown` for a DSR in torch."""
    out = []
    with torch.no_grad():
        for start in range(0, len(hr_u8), 128):
            sr = dsr(dsr_net.downscale(to01(torch.from_numpy(hr_u8[start:start + 128])), res))
            out.append(torch.round(sr.clamp(0, 1) * 255).to(torch.uint8).numpy())
    return np.concatenate(out)


def pair_scores(embed, val_sr, index, pairs):
    e = embed(val_sr)
    return np.array([float(e[index[a]] @ e[index[b]]) for a, b, _ in pairs])


def eer(scores, same):
    return metrics.verification(scores, same)["eer"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the training identities")
    parser.add_argument("--val-crops", type=Path, required=True, help="`lrfr crop` of the validation identities")
    parser.add_argument("--pairs", type=Path, required=True, help="the forge's val_pairs.tsv")
    parser.add_argument("--split", type=Path, required=True, help="the forge's split.json")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[5] / "shared" / "assets")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=1600, help="as the recipe's own 16 px fine-tune")
    parser.add_argument("--joint", action="store_true", help="train the DSR with EdgeFace (see above)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    split = json.loads(args.split.read_text())
    x, y, _ = teacher_step.cached_crops(args.crops, split["train"], work / "train_crops.npz")
    xxs, xxs_t, xs_t = teachers(args.shared, x, work)
    dsr = session(args.models / "dsr16.onnx")
    hr = x.numpy()
    sr = cached(work / "train_sr16.npz", lambda: np.stack([shown(dsr, hr), shown(dsr, hr[:, :, ::-1].copy())], 1))
    print(f"{len(hr)} training crops, their 16 px DSR outputs made", flush=True)

    pairs = data.read_pairs(args.pairs)
    files = sorted({f for a, b, _ in pairs for f in (a, b)})
    index = {f: i for i, f in enumerate(files)}
    val = np.stack([data.load_rgb(args.val_crops / f.replace(".jpg", ".png")) for f in files])
    val_sr = cached(work / "val_sr16.npz", lambda: shown(dsr, val))
    same = np.array([s for _, _, s in pairs])
    people = np.array([a.split("/")[0] for a, _, _ in pairs])

    shipped = session(args.models / "edgeface16.onnx")

    def onnx_embed(v):
        return l2(run(shipped, edgeface.normalise(torch.from_numpy(v).float() / 255).numpy()))

    scores = {"upstream xxs, no fine-tune": pair_scores(torch_embed(xxs), val_sr, index, pairs),
              "shipped edgeface16.onnx": pair_scores(onnx_embed, val_sr, index, pairs)}
    if args.joint:
        own = dsr_training.train_dsr(RES, x, xxs_t, xxs, work / "dsr16.pt", 1500)
        own = dsr_training.polish_dsr(RES, own, x, xxs_t, xxs, work / "dsr16_polish.pt", 1000)
    for kind in ("xxs", "xs"):
        if args.joint:
            arm_dsr, net = joint_arm(kind, own, xxs, xs_t, xxs_t, x, y, work, args.steps)
            scores[f"fine-tune, {kind} teacher"] = pair_scores(torch_embed(net), torch_shown(arm_dsr, val), index,
                                                               pairs)
        else:
            net = train_arm(kind, xxs, xs_t, xxs_t, sr, y, work, args.steps)
            scores[f"fine-tune, {kind} teacher"] = pair_scores(torch_embed(net), val_sr, index, pairs)
    report = {name: {"eer": eer(s, same)} for name, s in scores.items()}
    report["xs minus xxs, EER change 95%"] = metrics.eer_change(scores["fine-tune, xxs teacher"],
                                                                scores["fine-tune, xs teacher"], same, people, seed=SEED)
    (work / ("teacher_gain_joint.json" if args.joint else "teacher_gain.json")).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
