"""Step 9b: how each resolution's templates are made (`template` in the manifest,
`src/matching/template.rs`): the shrunk mean alone, or that plus the enrolled faces at full
resolution. Chosen on validation identities by the open-set protocol of `lrfr eval --openset`
(random galleries of five, each enrolled from 1, 2, 3 and 5 photos, every other photo a probe at
the resolution, shrunk and brought back by the DSR), scored with AS-norm against a cohort of
the 800 training faces step 9 chose, as the app scores, with both templates on the same
galleries:

- `shrunk`: the mean of the enrolled faces' embeddings after shrinking and the DSR (what
  every resolution used until 2026-12-06);
- `shrunk+full`: that mean plus the mean of the same faces at full resolution through the
  same resolution's EdgeFace, re-normalised.

A resolution takes `shrunk+full` only where the change in FNIR beats its 95% interval over
people (a paired bootstrap: a person's probes, as member and as stranger, move together) at
FPIR 1, 0.5, 0.2 and 0.1% enrolled from one photo, and no interval, at any of those FPIRs
enrolled from 1, 2, 3 or 5 photos, is wholly a loss. One photo enrolled is the count that lets
every validation person with two photos be a member (115 people; 25 have the six that five
enrolled need), so it is the one with misses enough to show a gain. Until 2026-12-06 the gain
had to show enrolled from 3 and from 5 alike: at 24 and 32 px five enrolled photos leave
validation a handful of misses (FNIR 0 to 0.5%), so no change could beat its interval there,
while people we do not have were missed 1.6 and 0.9% of the time at those resolutions
(docs/accuracy.md). The float set is measured (its INT8 files in onnxruntime, on step 2's
crops); the integer twins take the same recipe. About 11 minutes on 2 cores; a smoke run's
dozen identities give no galleries, so it keeps `shrunk`.

    python -m lrfr_forge.steps.s09b_template --crops CROPS --split split.json \
        --faces ../shared/assets/faces/train --out ../../models [--dry-run]
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from lrfr_forge.common import data
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import s04_dsr as dsr, s09_cohort as cohort_step

FPIRS = (0.01, 0.005, 0.002, 0.001)
ARMS = ("shrunk", "shrunk+full")
ENROLL = (1, 2, 3, 5)
# The enrolment count whose intervals must show the gain (the one with the most members).
DECIDING = 1
TRIALS = 400


def embed_all(models: Path, hr_u8):
    """Per resolution: each crop shrunk and brought back by the DSR, and at full resolution,
    through the resolution's EdgeFace (unit embeddings)."""
    manifest = json.loads((models / "manifest.json").read_text())
    hr = data.to01(torch.from_numpy(hr_u8))
    norm = lambda x: ((x - 0.5) / 0.5).astype(np.float32)
    out = {}
    for entry in manifest["resolutions"]:
        res = entry["res"]
        edgeface = session(models / entry.get("edgeface", manifest["edgeface"])["file"])
        sr = np.clip(run(session(models / entry["dsr"]["file"]), dsr.downscale(hr, res).numpy()), 0, 1)
        out[res] = {"shrunk": l2(run(edgeface, norm(sr))), "full": l2(run(edgeface, norm(hr.numpy())))}
    return out


def spreads(x, cohort, top_k=cohort_step.TOP_K):
    top = -np.sort(-(x @ cohort.T), axis=1)[:, :top_k]
    return top.mean(1), top.std(1)


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def protocol(emb, cohort, labels, enroll, trials, seed=1):
    """Per arm: the mated probes' (person, best score, best is right) and the strangers'
    (person, best score), over `trials` galleries of five drawn alike for both arms."""
    probe = emb["shrunk"]
    pm, ps = spreads(probe, cohort)
    people = np.unique(labels)
    photos = {p: np.nonzero(labels == p)[0] for p in people}
    eligible = [p for p in people if len(photos[p]) > enroll]
    rng = np.random.default_rng(seed)
    out = {arm: ([], [], [], [], []) for arm in ARMS}
    for _ in range(trials):
        members = rng.choice(eligible, 5, replace=False)
        enrolled = [rng.choice(photos[m], enroll, replace=False) for m in members]
        slot = np.full(len(labels), -1)
        for k, m in enumerate(members):
            slot[photos[m]] = k
        used = np.zeros(len(labels), bool)
        for e in enrolled:
            used[e] = True
        mated, strangers = (slot >= 0) & ~used, slot < 0
        shrunk = unit(np.stack([unit(probe[e]).sum(0) for e in enrolled]))
        full = unit(np.stack([unit(emb["full"][e]).sum(0) for e in enrolled]))
        for arm, T in zip(ARMS, (shrunk, unit(shrunk + full))):
            plain = probe @ T.T
            tm, ts = spreads(T, cohort)
            S = 0.5 * ((plain - tm) / ts + (plain - pm[:, None]) / ps[:, None])
            best, arg = S.max(1), S.argmax(1)
            o = out[arm]
            o[0].append(labels[mated]), o[1].append(best[mated]), o[2].append(arg[mated] == slot[mated])
            o[3].append(labels[strangers]), o[4].append(best[strangers])
    return {arm: [np.concatenate(x) for x in o] for arm, o in out.items()}


def fnir_at(o, fpir, weights=None):
    """FNIR at the threshold that names at most `fpir` of the strangers; `weights` counts
    each person (a bootstrap draw), everyone once when `None`."""
    who_m, score_m, right, who_s, score_s = o
    wm = np.ones(len(score_m)) if weights is None else weights[who_m]
    ws = np.ones(len(score_s)) if weights is None else weights[who_s]
    order = np.argsort(-score_s)
    above = np.cumsum(ws[order])
    k = min(np.searchsorted(above, fpir * above[-1], side="right"), len(order) - 1)
    threshold = score_s[order][k] + 1e-6
    return 1 - (wm * (right & (score_m >= threshold))).sum() / wm.sum()


def paired(out, labels, replicates=300, seed=11):
    people = np.unique(labels)
    rng = np.random.default_rng(seed)
    changes = {f: [] for f in FPIRS}
    for _ in range(replicates):
        weights = np.bincount(rng.choice(people, len(people)), minlength=labels.max() + 1).astype(float)
        for f in FPIRS:
            changes[f].append(fnir_at(out[ARMS[1]], f, weights) - fnir_at(out[ARMS[0]], f, weights))
    return {f: (fnir_at(out[ARMS[0]], f), fnir_at(out[ARMS[1]], f), np.percentile(changes[f], [2.5, 97.5]))
            for f in FPIRS}


def choose(crops: Path, split, faces: Path, models: Path, log=print):
    """`{res: recipe}` by the module's rule, and the figures it was chosen by."""
    x, labels, _ = data.load_crops(crops, sorted(split["val"]))
    cohort_crops = []
    for photo in cohort_step.photos(faces, split["train"], cohort_step.COUNT):
        png = crops / photo.parent.name / (photo.stem + ".png")
        if png.exists() and len(cohort_crops) < cohort_step.COUNT:
            cohort_crops.append(data.load_rgb(png))
    val, cohort = embed_all(models, x), embed_all(models, np.stack(cohort_crops))
    log(f"{len(labels)} validation photos of {len(np.unique(labels))} people; cohort of {len(cohort_crops)}")
    chosen, figures = {}, {}
    for res in sorted(val):
        gains, losses = True, False
        for enroll in ENROLL:
            out = protocol(val[res], cohort[res]["shrunk"], labels, enroll, TRIALS)
            for f, (before, after, (lo, hi)) in paired(out, labels).items():
                if enroll == DECIDING:
                    gains &= bool(hi < 0)
                losses |= bool(lo > 0)
                figures[f"{res} px, enrolled from {enroll}, FPIR {100 * f:.1f}%"] = {
                    "fnir": [float(before), float(after)], "change_95": [float(lo), float(hi)]}
                log(f"enrolled from {enroll}, {res} px, FPIR {100 * f:.1f}%: FNIR {100 * before:.2f} -> "
                    f"{100 * after:.2f}% (change {100 * (after - before):+.2f} points, 95% over people "
                    f"{100 * lo:+.2f} to {100 * hi:+.2f})")
        chosen[res] = ARMS[1] if gains and not losses else ARMS[0]
    return chosen, figures


def write(out: Path, chosen):
    """The recipe into both model sets' manifests (absent means `shrunk`)."""
    for models in (out, out / "int8-compute"):
        path = models / "manifest.json"
        if not path.exists():
            continue
        manifest = json.loads(path.read_text())
        for entry in manifest["resolutions"]:
            entry.pop("template", None)
            if chosen.get(entry["res"], ARMS[0]) != ARMS[0]:
                entry["template"] = chosen[entry["res"]]
        path.write_text(json.dumps(manifest, indent=1) + "\n")


def forge_step(crops: Path, split, faces: Path, out: Path, smoke=False):
    if smoke:
        return {"skipped": "smoke run"}
    chosen, figures = choose(crops, split, faces, out, log=lambda line: print(line, flush=True))
    write(out, chosen)
    return {"chosen": chosen, "figures": figures}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--crops", type=Path, required=True, help="`lrfr crop` of the training and validation photos")
    parser.add_argument("--split", type=Path, required=True)
    parser.add_argument("--faces", type=Path, required=True, help="the photos the crops were made from")
    parser.add_argument("--out", type=Path, required=True, help="the models folder whose manifests get the recipe")
    parser.add_argument("--dry-run", action="store_true", help="print the figures and the choice, write nothing")
    args = parser.parse_args()
    split = json.loads(args.split.read_text())
    chosen, _ = choose(args.crops, split, args.faces, args.out, log=lambda line: print(line, flush=True))
    print("chosen:", chosen)
    if not args.dry_run:
        write(args.out, chosen)


if __name__ == "__main__":
    main()
