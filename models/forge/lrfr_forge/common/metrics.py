"""Verification metrics, the same definitions as src/eval/roc.rs."""

import numpy as np


def verification(scores, same):
    scores, same = np.asarray(scores, np.float64), np.asarray(same, bool)
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], same[order]
    pos, neg = max(y.sum(), 1), max((~y).sum(), 1)
    # one ROC point after each distinct score
    last = np.r_[s[1:] != s[:-1], True]
    tp, fp = np.cumsum(y)[last], np.cumsum(~y)[last]
    thr = s[last]
    tar, far = np.r_[0, tp / pos], np.r_[0, fp / neg]
    thr = np.r_[np.inf, thr]
    frr = 1 - tar
    k = np.argmin(np.abs(far - frr))
    acc = (tar * pos + (1 - far) * neg) / (pos + neg)
    finite = np.isfinite(thr)
    b = np.argmax(np.where(finite, acc, -1))
    return {
        "eer": float((far[k] + frr[k]) / 2),
        "auc": float(np.trapezoid(tar, far)),
        "tar_far_1e2": float(tar[far <= 1e-2].max()),
        "tar_far_1e3": float(tar[far <= 1e-3].max()),
        "best_accuracy": float(acc[b]),
        "threshold_best": float(thr[b]),
        "threshold_eer": float(thr[k]),
    }


def psnr(a, b):
    mse = ((a - b) ** 2).mean(dim=(1, 2, 3))
    return (10 * np.log10(1.0 / mse.clamp_min(1e-10).numpy())).mean()


def ssim(a, b):
    """Mean SSIM over channels with an 8x8 box window (simple, deterministic)."""
    import torch.nn.functional as F

    c1, c2 = 0.01**2, 0.03**2
    mu_a, mu_b = F.avg_pool2d(a, 8, 1), F.avg_pool2d(b, 8, 1)
    va = F.avg_pool2d(a * a, 8, 1) - mu_a**2
    vb = F.avg_pool2d(b * b, 8, 1) - mu_b**2
    cov = F.avg_pool2d(a * b, 8, 1) - mu_a * mu_b
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (va + vb + c2))
    return float(s.mean())


def eer_change(scores_a, scores_b, same, people, replicates=2000, seed=20261205):
    """The 95% interval of EER(b) - EER(a) on the same pairs, over people resampled with
    replacement (a pair goes with its first photo's person, so a person's pairs move
    together): the paired bootstrap the forge's choices between two models are made by."""
    scores_a, scores_b = np.asarray(scores_a, np.float64), np.asarray(scores_b, np.float64)
    same = np.asarray(same, bool)
    changes = [verification(scores_b[pick], same[pick])["eer"] - verification(scores_a[pick], same[pick])["eer"]
               for pick in resampled(people, replicates, seed)]
    return [float(v) for v in np.percentile(changes, [2.5, 97.5])]


def eer_interval(scores, same, people, replicates=2000, seed=20261205):
    """The 95% interval of one model's EER, over people resampled as in `eer_change`."""
    scores, same = np.asarray(scores, np.float64), np.asarray(same, bool)
    eers = [verification(scores[pick], same[pick])["eer"] for pick in resampled(people, replicates, seed)]
    return [float(v) for v in np.percentile(eers, [2.5, 97.5])]


def resampled(people, replicates, seed):
    """Pair indices of `replicates` draws of the people, with replacement."""
    people = np.asarray(people)
    names = sorted(set(people.tolist()))
    by = [np.nonzero(people == n)[0] for n in names]
    rng = np.random.default_rng(seed)
    for _ in range(replicates):
        yield np.concatenate([by[i] for i in rng.integers(0, len(names), len(names))])


def scores(pairs, emb):
    """Each validation pair's cosine (-1 where either face is missing) and whether it is a
    same-person pair, as `verification` takes them."""
    out = []
    for a, b, same in pairs:
        if a in emb and b in emb:
            out.append((float(emb[a] @ emb[b]), same))
        else:
            out.append((-1.0, same))
    return [s for s, _ in out], [y for _, y in out]
