"""Training data: the crops `lrfr crop` made, the identity split and the validation pairs."""

import json
import random
from pathlib import Path

import numpy as np
from PIL import Image

SEED = 20261122


def identities(faces_root: Path):
    return sorted(p.name for p in faces_root.iterdir() if p.is_dir())


def split(faces_root: Path, work: Path, val_fraction=0.1):
    """Fixed-seed identity split, written once and reused so every step agrees."""
    path = work / "split.json"
    if path.exists():
        return json.loads(path.read_text())
    names = identities(faces_root)
    rng = random.Random(SEED)
    val = sorted(rng.sample(names, int(round(len(names) * val_fraction))))
    val_set = set(val)
    result = {"train": [n for n in names if n not in val_set], "val": val}
    path.write_text(json.dumps(result, indent=1))
    return result


def validation_pairs(crops: Path, val_names, work: Path, n_same=3000, n_diff=3000):
    """TSV pairs over the held-out identities (paths relative to the original faces folder),
    drawn person first so every held-out person weighs alike: a same-person pair is a person
    of two photos or more, then two of their photos; a different-person pair is two people,
    then a photo of each; both with replacement, so a person of two photos repeats their one
    pair. Drawn instead as 3,000 distinct pairs of the 4,101 there are, five people of 22 to 53
    photos made 57% of the same-person pairs, and the shipped models read 0.93% EER at 24 px
    on them where people we do not have read 2.09% (docs/accuracy.md)."""
    path = work / "val_pairs.tsv"
    if path.exists():
        return path
    rng = random.Random(SEED + 1)
    images = {}
    for name in val_names:
        files = sorted(p.name for p in (crops / name).glob("*.png") if not p.name.endswith(".box.png"))
        if files:
            images[name] = files
    multi = [n for n, f in images.items() if len(f) >= 2]
    names = sorted(images)
    same, diff = [], []
    for _ in range(n_same if multi else 0):
        name = rng.choice(multi)
        a, b = sorted(rng.sample(images[name], 2))
        same.append((f"{name}/{a}", f"{name}/{b}"))
    for _ in range(n_diff if len(names) >= 2 else 0):
        x, y = sorted(rng.sample(names, 2))
        diff.append((f"{x}/{rng.choice(images[x])}", f"{y}/{rng.choice(images[y])}"))
    lines = ["# validation pairs over held-out identities, drawn person first (pairs repeat); paths relative to the faces folder"]
    jpg = lambda p: p[: -len(".png")] + ".jpg"
    lines += [f"{jpg(a)}\t{jpg(b)}\t1" for a, b in sorted(same)]
    lines += [f"{jpg(a)}\t{jpg(b)}\t0" for a, b in sorted(diff)]
    path.write_text("\n".join(lines) + "\n")
    return path


def load_rgb(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def load_crops(crops: Path, names):
    """All aligned 112 crops of `names`: (N,112,112,3) uint8 and identity labels."""
    images, labels, files = [], [], []
    for label, name in enumerate(names):
        for p in sorted((crops / name).glob("*.png")):
            if p.name.endswith(".box.png"):
                continue
            images.append(load_rgb(p))
            labels.append(label)
            files.append(f"{name}/{p.name}")
    return np.stack(images), np.array(labels, np.int64), files


BATCH = 32


def batch(x, targets, gen, labels=None, count=BATCH):
    """`count` random crops of `x` in [0, 1], half of them mirrored, with the upstream embedding
    of each as it is shown (`targets[:, 1]` is the mirror's), and their labels if given."""
    import torch

    idx = torch.randint(0, len(x), (count,), generator=gen)
    hr = to01(x[idx])
    flip = torch.rand(count, generator=gen) < 0.5
    hr[flip] = hr[flip].flip(-1)
    target = torch.where(flip[:, None], targets[idx, 1], targets[idx, 0])
    return hr, target, (labels[idx] if labels is not None else None)


def to01(batch_uint8):
    """A [N, H, W, 3] uint8 tensor as the [N, 3, H, W] floats in [0, 1] the networks take."""
    return batch_uint8.permute(0, 3, 1, 2).float() / 255


def read_pairs(path: Path):
    """The pairs of a file `validation_pairs` wrote: (photo, photo, same person)."""
    pairs = []
    for line in path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        a, b, same = line.split("\t")
        pairs.append((a, b, same == "1"))
    return pairs


def val_set(crops: Path, work: Path):
    """Every image of the validation pairs, as its aligned crop (None when lrfr found no face)."""
    pairs = read_pairs(work / "val_pairs.tsv")
    files = sorted({p for a, b, _ in pairs for p in (a, b)})
    images = {}
    for f in files:
        png = crops / (f[: -len(".jpg")] + ".png")
        if png.exists():
            images[f] = load_rgb(png)
    return pairs, images
