"""A resolution's EdgeFace fine-tune measured by k-fold over the training identities (issue
35, item 1): a validation of the recipe over thousands of people instead of the 404 held out.
Makes nothing in `models/`.

The training identities are dealt into `--folds` groups (seeded). For each group, the
fine-tunes named by `--arms` (`teacher_gain.train_arm`: XXS or XS as the teacher, on the
shipped DSR's outputs at `--res`, 16 px unless said, without distant faces) learn from the other groups' photos and are
scored, beside the upstream XXS with no fine-tune, on the group's own pairs, drawn person first
as the forge draws its validation pairs (`data.validation_pairs`). Every group's pairs are
pooled: each arm's EER with its 95% interval over people, and each change with its paired
interval. Only EdgeFace is retrained, the cheap part: the shipped DSR saw these people in
training (its identity term), which flatters every arm alike.

With `--distant NATIVE` (step 4b's `lrfr crop --native` crops of the training photos made
distant, `NATIVE/<size>/<name>/<photo>.png`), half of every fine-tune batch is what the shipped
DSR makes of a distant face `auto` took at `--res`, as step 5 mixes them, and each group is also
scored on its distant faces: the pairs whose two photos both came out as faces of that
resolution (at 16 px about 7 photos in 10 do; the others `auto` sent to 24 px or did not find,
which no 16 px arm changes).

`--dsr 1500,1000,800` retrains the DSR too, in each group, by the recipe's three phases
(`s04_dsr_training.train_dsr`, `polish_dsr`, then `s01c_distance.adapt_dsr` when `--distant`
is given) with those steps, on the other groups' photos only: then no network has seen the
people it is scored on, and the upstream XXS (the DSR's identity teacher) is no longer
flattered. About 7 minutes a group at 16 px on 2 cores before the arms; every phase resumes
from its checkpoint in the group's folder, so give it a `--work` of its own (the arms'
checkpoints are named as without it).

`--mix 0.5,0.7` adds arms that are the recipe's fine-tune (`xxs`, which must be among the
arms) with its weights mixed back towards the upstream XXS's, each share the fine-tune's: the
fine-tune gains on distant faces and can lose on faces shrunk after alignment, and a mix of
the two sets of weights may keep both.

The arm `xs-small` is a larger student instead (`larger_student`): EdgeFace-XS with its large
layers cut to `--rank` of their rank so its INT8 file fits 2 MB, repaired for `--heal` steps
on the fold's training groups, then fine-tuned as the others with XS as its teacher.

    python -m lrfr_forge.checks.kfold --crops TRAIN_CROPS --split split.json --models ../../models \\
        --work W [--res 16] [--folds 5] [--steps 800] [--arms xxs,xs,xs-small] [--distant NATIVE] [--mix 0.5] [--dsr 1500,1000,800]
"""

import argparse
import copy
import json
import random
from pathlib import Path

import numpy as np
import torch

from lrfr_forge.checks import larger_student, teacher_gain
from lrfr_forge.common import data, edgeface, metrics
from lrfr_forge.common.data import SEED
from lrfr_forge.common.onnx_session import session
from lrfr_forge.steps import s01c_distance as distance, s03_teacher as teacher_step, s04_dsr_training as dsr_training


def folds(names, count):
    """`names` dealt into `count` groups, the same way on every run."""
    order = sorted(names)
    random.Random(SEED + 35).shuffle(order)
    return [sorted(order[i::count]) for i in range(count)]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the training identities")
    parser.add_argument("--split", type=Path, required=True, help="the forge's split.json")
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[5] / "shared" / "assets")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--res", type=int, choices=[16, 24, 32], default=16, help="the resolution whose DSR makes the inputs")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=800, help="fine-tune steps per fold and arm")
    parser.add_argument("--arms", default="xxs",
                        help="arms to fine-tune, comma-separated: xxs, xs (teachers of the XXS student), xs-small")
    parser.add_argument("--rank", type=float, default=0.5, help="xs-small: the share of XS's layer ranks kept")
    parser.add_argument("--heal", type=int, default=1000, help="xs-small: steps of learning XS's embeddings first")
    parser.add_argument("--distant", type=Path, help="step 4b's native crops of the training photos (see above)")
    parser.add_argument("--mix", default="", help="shares of the xxs arm's weights to mix with upstream's (see above)")
    parser.add_argument("--dsr", default="", help="retrain the DSR in each group with these phases' steps (see above)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    arms = args.arms.split(",")
    mixes = [float(a) for a in args.mix.split(",") if a]
    if mixes and "xxs" not in arms:
        parser.error("--mix mixes the xxs arm: name it in --arms")
    names = json.loads(args.split.read_text())["train"]
    x, y, files = teacher_step.cached_crops(args.crops, names, work / "train_crops.npz")
    xxs, xxs_t, xs_t = teacher_gain.teachers(args.shared, x, work, with_xs=bool({"xs", "xs-small"} & set(arms)))
    small = None
    if "xs-small" in arms:
        xs = edgeface.load_upstream(args.shared / "upstream" / "edgeface_xs_q.pt", "edgenext_x_small")
        small = larger_student.truncated(xs, args.rank)
    res = args.res
    dsr_steps = [int(n) for n in args.dsr.split(",") if n]
    hr = x.numpy()
    sr = None
    if not dsr_steps:
        dsr = session(args.models / f"dsr{res}.onnx")
        sr = teacher_gain.cached(work / f"train_sr{res}.npz",
                                 lambda: np.stack([teacher_gain.shown(dsr, hr, res), teacher_gain.shown(dsr, hr[:, :, ::-1].copy(), res)], 1))
    index = {f.replace(".png", ".jpg"): i for i, f in enumerate(files)}
    person = np.array([f.split("/")[0] for f in files])
    far_sr, far_idx, low = None, None, None
    if args.distant:
        low, far_idx = distance.distant_inputs(args.distant, files)[res]
        low, far_idx = low.numpy(), far_idx.numpy()
        if not dsr_steps:
            far_sr = teacher_gain.cached(work / f"far_sr{res}.npz",
                                         lambda: np.stack([teacher_gain.upscaled(dsr, low), teacher_gain.upscaled(dsr, low[:, :, ::-1].copy())], 1))

    paths = ["simulated", "native"] if args.distant else ["simulated"]
    named = [*arms, *(f"xxs@{a}" for a in mixes)]
    scores = {path: {name: [] for name in ["upstream", *named]} for path in paths}
    same = {path: [] for path in paths}
    people = {path: [] for path in paths}
    for k, held in enumerate(folds(names, args.folds)):
        fold_work = work / f"fold{k}"
        fold_work.mkdir(exist_ok=True)
        pairs = data.read_pairs(data.validation_pairs(args.crops, held, fold_work))
        train = np.nonzero(~np.isin(person, held))[0]
        _, labels = np.unique(y.numpy()[train], return_inverse=True)
        labels = torch.from_numpy(labels)
        if dsr_steps:
            sr, far_sr = group_dsr(res, dsr_steps, x, xxs, xxs_t, train, (low, far_idx) if args.distant else None, fold_work)
        far = None
        if far_sr is not None:
            # Distant crops of the training groups' photos, indexed into this fold's subset.
            position = np.full(len(files), -1)
            position[train] = np.arange(len(train))
            mine = position[far_idx] >= 0
            far = (far_sr[mine], torch.from_numpy(position[far_idx[mine]]))
        nets = {"upstream": xxs}
        for kind in arms:
            start = None
            if kind == "xs-small":
                # Repaired on this fold's training groups only, as the fine-tune learns.
                start = larger_student.healed(copy.deepcopy(small), x[train], xs_t[train], fold_work,
                                              f"r{args.rank}", args.heal)
            nets[kind] = teacher_gain.train_arm(kind, xxs, xs_t[train] if xs_t is not None else None, xxs_t[train],
                                                sr[train], labels, fold_work, args.steps, far, start)
        for a in mixes:
            nets[f"xxs@{a}"] = mixed(xxs, nets["xxs"], a)
        keys = sorted({f for a, b, _ in pairs for f in (a, b)})
        inputs = {"simulated": (pairs, dict(zip(keys, sr[[index[f] for f in keys], 0])))}
        if far_sr is not None:
            distant = {files[i].replace(".png", ".jpg"): far_sr[j, 0] for j, i in enumerate(far_idx)}
            inputs["native"] = ([p for p in pairs if p[0] in distant and p[1] in distant], distant)
        for path, (chosen, images) in inputs.items():
            wanted = sorted({f for a, b, _ in chosen for f in (a, b)})
            for name, net in nets.items():
                emb = dict(zip(wanted, teacher_gain.torch_embed(net)(np.stack([images[f] for f in wanted]))))
                scores[path][name] += metrics.scores(chosen, emb)[0]
            same[path] += [s for _, _, s in chosen]
            people[path] += [a.split("/")[0] for a, _, _ in chosen]
        print(f"fold {k}: {len(held)} people held out, " + ", ".join(f"{len(inputs[p][0])} {p} pairs" for p in paths),
              flush=True)
    report = {path: {"people": len(set(people[path])), "pairs": len(same[path]),
                     **part(scores[path], named, same[path], people[path])} for path in paths}
    (work / "kfold.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


def group_dsr(res, steps, x, teacher, targets, train, distant, fold_work):
    """A DSR trained by the recipe's phases on the photos `train` (and their distant crops,
    `distant`: the crops and the index in `x` of the photo each came from), and what it makes
    of every photo and distant crop, mirrored too, as bytes; cached in `fold_work`."""
    position = np.full(len(x), -1)
    position[train] = np.arange(len(train))
    xt, tt = x[torch.from_numpy(train)], targets[torch.from_numpy(train)]
    net = dsr_training.train_dsr(res, xt, tt, teacher, fold_work / "dsr.pt", steps[0])
    net = dsr_training.polish_dsr(res, net, xt, tt, teacher, fold_work / "dsr_polish.pt", steps[1])
    if distant is not None:
        mine = position[distant[1]] >= 0
        own = (torch.from_numpy(distant[0][mine]), torch.from_numpy(position[distant[1][mine]]))
        net = distance.adapt_dsr(res, net, xt, tt, own, teacher, fold_work / "dsr_distance.pt", steps[2])
    net.eval()
    hr = x.numpy()
    sr = teacher_gain.cached(fold_work / "sr.npz", lambda: np.stack(
        [teacher_gain.torch_shown(net, hr, res), teacher_gain.torch_shown(net, hr[:, :, ::-1].copy(), res)], 1))
    if distant is None:
        return sr, None
    low = distant[0]
    far = teacher_gain.cached(fold_work / "far_sr.npz", lambda: np.stack(
        [teacher_gain.torch_upscaled(net, low), teacher_gain.torch_upscaled(net, low[:, :, ::-1].copy())], 1))
    return sr, far


def mixed(upstream, tuned, share):
    """A copy of `tuned` whose weights are `share` its own and the rest `upstream`'s."""
    net = copy.deepcopy(tuned)
    base = upstream.state_dict()
    net.load_state_dict({k: share * v + (1 - share) * base[k] if v.is_floating_point() else v
                         for k, v in tuned.state_dict().items()})
    return net.eval()


def part(scores, arms, same, people):
    """Each arm's EER with its interval, and the changes' paired intervals: every arm against
    the upstream XXS and every later arm against the first."""
    report = {}
    for name, s in scores.items():
        report[name] = {"eer": metrics.verification(s, same)["eer"], "eer 95%": metrics.eer_interval(s, same, people)}
    for kind in arms:
        report[f"{kind} less upstream, 95%"] = metrics.eer_change(scores["upstream"], scores[kind], same, people)
    for kind in arms[1:]:
        report[f"{kind} less {arms[0]}, 95%"] = metrics.eer_change(scores[arms[0]], scores[kind], same, people)
    return report


if __name__ == "__main__":
    main()
