"""Whether a larger student can fit the 2 MB a model may have (issue 35, item 2): EdgeFace-XS
has 2.24 M parameters against XXS's 1.24 M, so its INT8 file is over the cap. The cheapest way
to shrink it without a new architecture is to factor its largest Linear layers (the MLPs and
attention projections, 90% of its weights) into two of lower rank by their SVD, which keeps
the best approximation of each layer's weights. This check makes each such XS, exports it to
INT8 as step 6 does for its real file size, and scores it at full resolution (the app's 112
crops, no DSR) beside the upstream XXS and XS on the validation pairs, with 95% intervals
over people: a truncated XS worth fine-tuning at 16 px would have to start near XS.

With `--heal STEPS` (and `--crops`, `--split`), each truncated XS first learns for that many
steps to give XS's embedding of the training crops (1 - cosine, the recipe's batches at full
resolution), as a factorised network is usually repaired before it is used. Makes nothing in
`models/`.

    python -m lrfr_forge.checks.larger_student --val-crops VAL_CROPS --pairs val_pairs.tsv \\
        --work W [--ranks 0.6,0.55,0.5] [--heal STEPS --crops TRAIN_CROPS --split split.json]
"""

import argparse
import copy
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

from lrfr_forge.checks.teacher_gain import torch_embed
from lrfr_forge.common import data, device, edgeface, metrics
from lrfr_forge.common.data import SEED
from lrfr_forge.common.fit import fit
from lrfr_forge.steps import s03_teacher as teacher_step
from lrfr_forge.steps.s06_export import export_onnx, int8

CAP = 2_000_000


def truncated(net, keep):
    """`net` with every large Linear (not the embedding head) replaced by two Linears of rank
    `keep` x its smaller side, where that saves parameters: W = U S V' becomes
    (U sqrt S)(sqrt S V'), cut to the largest singular values."""
    net = copy.deepcopy(net)
    for parent_name, parent in list(net.named_modules()):
        for name, child in list(parent.named_children()):
            if not isinstance(child, nn.Linear) or child.weight.numel() <= 20_000 or "head" in parent_name:
                continue
            out_f, in_f = child.weight.shape
            rank = max(8, round(keep * min(out_f, in_f)))
            if rank * (out_f + in_f) >= out_f * in_f:
                continue
            u, s, vh = torch.linalg.svd(child.weight.data, full_matrices=False)
            down = nn.Linear(in_f, rank, bias=False)
            up = nn.Linear(rank, out_f, bias=child.bias is not None)
            down.weight.data = (vh[:rank] * s[:rank, None].sqrt()).contiguous()
            up.weight.data = (u[:, :rank] * s[:rank].sqrt()).contiguous()
            if child.bias is not None:
                up.bias.data = child.bias.data.clone()
            setattr(parent, name, nn.Sequential(down, up))
    return net.eval()


def healed(net, x, targets, work: Path, name, steps):
    """`net` trained `steps` steps towards XS's embeddings `targets` of the crops `x` (and
    their mirrors, as `s03_teacher.teacher_embeddings` makes them)."""
    opt = torch.optim.AdamW(net.parameters(), 2e-4, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-4, total_steps=steps, pct_start=0.1)

    def step(gen, _):
        hr, target = device.put(*data.batch(x, targets, gen)[:2])
        keep = (1 - (edgeface.embed(net, hr) * target).sum(-1)).mean()
        return {"loss": keep}

    net.train()
    fit(work / f"heal_{name}.pt", f"heal ({name})", {"student": net}, opt, sched, steps, step, SEED + 9)
    return net.eval()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--val-crops", type=Path, required=True, help="`lrfr crop` of the validation identities")
    parser.add_argument("--pairs", type=Path, required=True, help="the forge's val_pairs.tsv")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[5] / "shared" / "assets")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--ranks", default="0.6,0.55,0.5", help="kept share of each layer's rank, comma-separated")
    parser.add_argument("--heal", type=int, default=0, help="steps of learning XS's embeddings first")
    parser.add_argument("--crops", type=Path, help="`lrfr crop` of the training identities (for --heal)")
    parser.add_argument("--split", type=Path, help="the forge's split.json (for --heal)")
    args = parser.parse_args()
    if args.heal and not (args.crops and args.split):
        parser.error("--heal needs --crops and --split")
    torch.set_num_threads(2)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    upstream = args.shared / "upstream"
    nets = {"xxs": edgeface.load_upstream(upstream / "edgeface_xxs_q.pt"),
            "xs": edgeface.load_upstream(upstream / "edgeface_xs_q.pt", "edgenext_x_small")}
    x = targets = None
    if args.heal:
        names = json.loads(args.split.read_text())["train"]
        x = teacher_step.cached_crops(args.crops, names, work / "train_crops.npz")[0]
        targets = teacher_step.teacher_embeddings(nets["xs"], x, work / "teacher_xs.pt")
    for keep in args.ranks.split(","):
        net = truncated(nets["xs"], float(keep))
        if args.heal:
            net = healed(net, x, targets, work, f"r{keep}", args.heal)
        nets[f"xs, rank x {keep}"] = net

    pairs = data.read_pairs(args.pairs)
    same = np.array([s for _, _, s in pairs])
    people = np.array([a.split("/")[0] for a, _, _ in pairs])
    keys = sorted({f for a, b, _ in pairs for f in (a, b)})
    val = np.stack([data.load_rgb(args.val_crops / k.replace(".jpg", ".png")) for k in keys])
    val = val.transpose(0, 3, 1, 2).copy()
    report = {}
    for name, net in nets.items():
        path = work / (name.replace(", rank x ", "_r").replace(".", "") + ".onnx")
        export_onnx(net, (1, 3, 112, 112), path)
        int8(path, path.with_suffix(".int8.onnx"))
        scores = metrics.scores(pairs, dict(zip(keys, torch_embed(net)(val))))[0]
        size = path.with_suffix(".int8.onnx").stat().st_size
        report[name] = {"parameters": sum(p.numel() for p in net.parameters()), "int8 bytes": size,
                        "fits 2 MB": size <= CAP, "eer": metrics.verification(scores, same)["eer"],
                        "eer 95%": metrics.eer_interval(scores, same, people)}
        print(name, json.dumps(report[name]), flush=True)
    (work / f"larger_student{'_healed' if args.heal else ''}.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
