"""Whether cohort normalisation (step 9) beats its interval on validation identities: the
open-set protocol of `lrfr eval --openset` (random galleries of five, each member enrolled
from `--enroll` photos, every other photo a probe), scored with plain cosines and with AS-norm
on the same galleries, and the change in FNIR at each FPIR with a 95% interval by a paired
bootstrap over people (a person's probes, as member and as stranger, move together).

The embeddings are the shipped binary's (`lrfr embed --res all`); the cohort is the same
photos `s09_cohort.py` chooses, in float (the app's is INT8: scores differ by about 1e-3).
Templates are the shrunk mean, the recipe every resolution had when the cohorts were kept;
where the manifest now names `shrunk+full` (step 9b) the app's templates differ from these.

    python -m lrfr_forge.checks.cohort_gain --lrfr target/release/lrfr --models models \\
        --faces ../shared/assets/faces/train --work ~/.cache/lrfr-forge [--enroll 5,2]
"""

import argparse
import collections
from pathlib import Path

import numpy as np

from lrfr_forge.common import data
from lrfr_forge.steps import s09_cohort as cohort_step
from lrfr_forge.steps.s09b_template import spreads, unit

FPIRS = (0.01, 0.005, 0.002, 0.001)


def protocol(embeddings, who, cohort, top_k, enroll, trials, seed):
    """Per probe and gallery: (person, plain best, normalised best), a best being (score,
    right person) for a member's photo or a score for a stranger's; `None` without a face."""
    have = np.array([e is not None for e in embeddings])
    E = np.stack([e if e is not None else np.zeros(512, np.float32) for e in embeddings])
    pm, ps = spreads(E, cohort, top_k)
    people = sorted(set(who))
    photos = {p: [i for i, w in enumerate(who) if w == p] for p in people}
    eligible = [p for p in people if sum(have[i] for i in photos[p]) > enroll]
    rng = np.random.default_rng(seed)
    mated, strangers = [], []
    for _ in range(trials):
        members = list(rng.choice(eligible, 5, replace=False))
        enrolled = [set(rng.choice([i for i in photos[m] if have[i]], enroll, replace=False)) for m in members]
        T = unit(np.stack([unit(E[list(e)]).sum(0) for e in enrolled]))
        tm, ts = spreads(T, cohort, top_k)
        plain = E @ T.T
        normed = 0.5 * ((plain - tm) / ts + (plain - pm[:, None]) / ps[:, None])
        for p in people:
            slot = members.index(p) if p in members else None
            for i in photos[p]:
                if slot is not None and i in enrolled[slot]:
                    continue
                best = [None, None]
                if have[i]:
                    best = [(s[i].max(), s[i].argmax() == slot) for s in (plain, normed)]
                (mated if slot is not None else strangers).append((p, *best))
    return mated, strangers


def fnir_at(mated, strangers, k, fpir):
    scores = np.sort([s[k][0] if s[k] is not None else -np.inf for s in strangers])[::-1]
    threshold = scores[int(np.floor(fpir * len(scores)))] + 1e-6
    named = [m[k] is not None and m[k][1] and m[k][0] >= threshold for m in mated]
    return 1.0 - np.mean(named)


def paired(mated, strangers, replicates=300, seed=11):
    """FNIR plain and normalised at each FPIR, and the change's 95% interval over people."""
    by_m, by_s = collections.defaultdict(list), collections.defaultdict(list)
    for m in mated:
        by_m[m[0]].append(m)
    for s in strangers:
        by_s[s[0]].append(s)
    people = sorted(set(by_m) | set(by_s))
    rng = np.random.default_rng(seed)
    changes = {f: [] for f in FPIRS}
    for _ in range(replicates):
        pick = rng.choice(people, len(people))
        M = [x for p in pick for x in by_m[p]]
        S = [x for p in pick for x in by_s[p]]
        if M:
            for f in FPIRS:
                changes[f].append(fnir_at(M, S, 2, f) - fnir_at(M, S, 1, f))
    return {f: {"plain": fnir_at(mated, strangers, 1, f), "normalised": fnir_at(mated, strangers, 2, f),
                "change_95": [float(v) for v in np.percentile(changes[f], [2.5, 97.5])]} for f in FPIRS}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path, required=True)
    parser.add_argument("--faces", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="the forge's work folder (split.json)")
    parser.add_argument("--enroll", default="5,2", help="photos each member is enrolled from: fewer "
                        "lets more validation people be members (25 have 6 photos, 59 have 3)")
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--res", default="16,24,32")
    args = parser.parse_args()
    split = data.split(args.faces, args.work.expanduser())
    cohort_found = cohort_step.embed(args.lrfr, args.models,
                                     cohort_step.photos(args.faces, split["train"], cohort_step.COUNT))
    files = [p for name in sorted(split["val"]) for p in sorted((args.faces / name).iterdir())]
    found = cohort_step.embed(args.lrfr, args.models, files)
    for enroll in map(int, args.enroll.split(",")):
        for res in map(int, args.res.split(",")):
            by_file = dict(found[res])
            cohort = np.stack([v for _, v in cohort_found[res][:cohort_step.COUNT]])
            mated, strangers = protocol([by_file.get(str(f)) for f in files], [f.parent.name for f in files],
                                        cohort, cohort_step.TOP_K, enroll, args.trials, seed=1)
            for f, r in paired(mated, strangers).items():
                lo, hi = r["change_95"]
                print(f"enrolled from {enroll}, {res} px, FPIR {100 * f:.1f}%: FNIR {100 * r['plain']:.2f} -> "
                      f"{100 * r['normalised']:.2f}% (change {100 * (r['normalised'] - r['plain']):+.2f} points, "
                      f"95% over people {100 * lo:+.2f} to {100 * hi:+.2f})", flush=True)


if __name__ == "__main__":
    main()
