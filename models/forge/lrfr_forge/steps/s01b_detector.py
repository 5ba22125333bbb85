"""Step 0: the small-face detector (`detector.onnx`), taught by YuNet on composite frames.

Faces from about 8 to 72 px wide are its job; SeetaFace keeps the large ones, as before.
"""

import json
import math
import multiprocessing
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from lrfr_forge.common import device
from lrfr_forge.common.data import SEED
from lrfr_forge.common.fit import fit
from lrfr_forge.common.manifest import entry
from lrfr_forge.steps import s01b_detector_data as dd
from lrfr_forge.steps.s01b_detector_net import CHANNELS, MEAN, STD, STRIDE, SmallFaceNet

TILE = 224
SMALLEST, LARGEST = 7.0, 80.0  # face box widths taught; outside these a face is ignored


def training_photos(faces_root: Path, names, labels):
    return [(faces_root / key, key) for key in sorted(labels) if key.split("/")[0] in names]


def make_tile(photos, labels, rng):
    """One training tile and its faces [(teach, box, points)]."""
    backgrounds = dd.Backgrounds(photos, labels, rng)
    frame = backgrounds.make(TILE, TILE)
    faces = []
    for _ in range(int(rng.integers(0, 5))):
        path, key = photos[int(rng.integers(len(photos)))]
        subject = dd.main_face(labels[key])
        if subject is None:
            continue
        # Mostly the sizes only this detector finds; some large for context.
        box = math.exp(rng.uniform(math.log(8), math.log(28))) if rng.random() < 0.7 else rng.uniform(28, 90)
        scale = box / subject[3]
        photo = dd.load_rgb(path)
        size = photo.shape[0] * scale
        x = rng.uniform(-0.3 * size, TILE - 0.7 * size)
        y = rng.uniform(-0.3 * size, TILE - 0.7 * size)
        feather = None
        if rng.random() < 0.5:
            feather = (subject[1] + subject[3] / 2, subject[2] + subject[4] / 2, subject[3] * rng.uniform(0.8, 1.4))
            in_photo = [subject]
        else:
            in_photo = labels[key]
        for score, b, pts in dd.paste_photo(frame, photo, in_photo, scale, x, y, rng, feather):
            teach = score >= dd.TEACH_SCORE and SMALLEST <= b[2] <= LARGEST
            faces.append((teach, b, pts))
    frame = dd.degrade(frame, rng)
    return np.asarray(frame, np.uint8), faces


def targets(faces, cells):
    """Heatmap, ignore mask, and per-cell regression targets for one tile."""
    heat = np.zeros((cells, cells), np.float32)
    ignore = np.zeros((cells, cells), np.float32)
    reg = np.zeros((CHANNELS - 1, cells, cells), np.float32)
    regmask = np.zeros((cells, cells), np.float32)
    ys, xs = np.mgrid[0:cells, 0:cells]
    for teach, (x, y, w, h), pts in faces:
        cx, cy = (x + w / 2) / STRIDE, (y + h / 2) / STRIDE
        if not teach:
            x0, x1 = int(max(0, x / STRIDE - 1)), int(min(cells, (x + w) / STRIDE + 1))
            y0, y1 = int(max(0, y / STRIDE - 1)), int(min(cells, (y + h) / STRIDE + 1))
            ignore[y0:y1, x0:x1] = 1
            continue
        ix, iy = int(cx), int(cy)
        if not (0 <= ix < cells and 0 <= iy < cells):
            continue
        sigma = max(0.6, w / STRIDE / 5)
        heat = np.maximum(heat, np.exp(-((xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2) / (2 * sigma**2)))
        heat[iy, ix] = 1.0
        reg[0, iy, ix], reg[1, iy, ix] = cx - ix, cy - iy
        reg[2, iy, ix], reg[3, iy, ix] = math.log(w / STRIDE), math.log(h / STRIDE)
        for k, (px, py) in enumerate(pts):
            reg[4 + 2 * k, iy, ix] = (px - (x + w / 2)) / w
            reg[5 + 2 * k, iy, ix] = (py - (y + h / 2)) / w
        regmask[iy, ix] = 1
    ignore[heat >= 1.0] = 0
    return heat, ignore, reg, regmask


def _make_shard(args):
    faces_root, names, labels_path, count, seed, out = args
    labels = json.loads(Path(labels_path).read_text())
    photos = training_photos(Path(faces_root), set(names), labels)
    rng = np.random.default_rng(seed)
    cells = TILE // STRIDE
    images = np.zeros((count, TILE, TILE, 3), np.uint8)
    heat = np.zeros((count, cells, cells), np.float32)
    ignore = np.zeros((count, cells, cells), np.float32)
    reg = np.zeros((count, CHANNELS - 1, cells, cells), np.float32)
    regmask = np.zeros((count, cells, cells), np.float32)
    for i in range(count):
        images[i], faces = make_tile(photos, labels, rng)
        heat[i], ignore[i], reg[i], regmask[i] = targets(faces, cells)
    np.savez(out, images=images, heat=heat, ignore=ignore, reg=reg, regmask=regmask)
    return out


def make_tiles(faces_root: Path, names, labels_path: Path, work: Path, count: int, workers=2):
    """`count` tiles in shards, built in parallel and kept, so a rerun trains on the same data."""
    shard = 2000
    jobs = []
    for i in range(0, count, shard):
        out = work / f"tiles_{i // shard:03}.npz"
        if not out.exists():
            jobs.append((str(faces_root), sorted(names), str(labels_path), min(shard, count - i), SEED + i, str(out)))
    if jobs:
        with multiprocessing.Pool(workers) as pool:
            for done in pool.imap_unordered(_make_shard, jobs):
                print("  tiles:", done, flush=True)
    parts = [np.load(work / f"tiles_{i // shard:03}.npz") for i in range(0, count, shard)]
    return {k: np.concatenate([p[k] for p in parts]) for k in ("images", "heat", "ignore", "reg", "regmask")}


def loss_fn(out, heat, ignore, reg, regmask):
    logit = out[:, 0]
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = (heat >= 1.0).float()
    keep = 1 - ignore
    pos_loss = -(torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = -(torch.log(1 - p) * p**2 * (1 - heat) ** 4 * (1 - pos) * keep).sum()
    n = pos.sum().clamp(min=1)
    m = regmask.unsqueeze(1)
    r = out[:, 1:]
    l_off = (F.l1_loss(r[:, 0:2], reg[:, 0:2], reduction="none") * m).sum() / n
    l_size = (F.l1_loss(r[:, 2:4], reg[:, 2:4], reduction="none") * m).sum() / n
    l_pts = (F.l1_loss(r[:, 4:], reg[:, 4:], reduction="none") * m).sum() / n
    return (pos_loss + neg_loss) / n + l_off + l_size + 5 * l_pts


def train(tiles, work: Path, steps=6000, batch=32, smoke=False):
    """AdamW with a one-cycle schedule peaking at 4e-3, batches of random tiles, half of them
    mirrored; resumes from `work/detector.pt`."""
    # Seeded before the network is built: torch seeds its own generator afresh in each process.
    torch.manual_seed(SEED)
    net = SmallFaceNet()
    if smoke:
        steps = 2
    images = torch.from_numpy(tiles["images"])
    heat, ignore = torch.from_numpy(tiles["heat"]), torch.from_numpy(tiles["ignore"])
    reg, regmask = torch.from_numpy(tiles["reg"]), torch.from_numpy(tiles["regmask"])
    opt = torch.optim.AdamW(net.parameters(), lr=4e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps, pct_start=0.1)

    def step(gen, _):
        idx = torch.randint(0, len(images), (batch,), generator=gen)
        x = (images[idx].permute(0, 3, 1, 2).float() / 255 - MEAN) / STD
        h, ig, r, rm = heat[idx], ignore[idx], reg[idx].clone(), regmask[idx]
        if torch.rand(1, generator=gen).item() < 0.5:
            x, h, ig, r, rm = flip(x, h, ig, r, rm)
        x, h, ig, r, rm = device.put(x, h, ig, r, rm)
        return {"loss": loss_fn(net(F.pixel_unshuffle(x, STRIDE)), h, ig, r, rm)}

    net.train()
    fit(work / "detector.pt", "detector", {"net": net}, opt, sched, steps, step, SEED)
    return net.eval()


def flip(x, h, ig, r, rm):
    """Mirror a batch: the cell grid, the x offsets, and the points (left and right swap)."""
    x, h, ig, r, rm = x.flip(-1), h.flip(-1), ig.flip(-1), r.flip(-1), rm.flip(-1)
    r[:, 0] = torch.where(rm > 0, 1 - r[:, 0], r[:, 0])
    pts = r[:, 4:].clone()
    order = [1, 0, 2, 4, 3]
    for k, src in enumerate(order):
        r[:, 4 + 2 * k] = -pts[:, 2 * src]
        r[:, 5 + 2 * k] = pts[:, 2 * src + 1]
    return x, h, ig, r, rm


def export(net, path: Path, width=640, height=480):
    """The network on a frame laid out as 4x4 patches (`pixel_unshuffle`, which the app does
    while it copies the frame in: a strided convolution over the full frame costs tract more
    than the rest of the network)."""
    net = net.eval()
    x = torch.rand(1, 3 * STRIDE * STRIDE, height // STRIDE, width // STRIDE)
    torch.onnx.export(net, x, str(path), opset_version=17, input_names=["patches"], output_names=["faces"],
                      dynamo=False)


def forge_step(faces_root: Path, shared: Path, work: Path, split, stage: Path, tiles=30000, steps=6000, smoke=False):
    """Labels, tiles, training and the weight-only INT8 export into `stage/detector.onnx`;
    returns its manifest entry. Every stage is kept in `work` and skipped when there."""
    import onnx

    from lrfr_forge.common import quantize

    det_work = work / "detector"
    det_work.mkdir(parents=True, exist_ok=True)
    everyone = sorted(p.name for p in faces_root.iterdir() if p.is_dir())
    labels_path = det_work / "yunet_labels.json"
    dd.teach_upscaled(faces_root, everyone, shared / "upstream" / "face_detection_yunet_2023mar.onnx", labels_path)
    count = 64 if smoke else tiles
    data = make_tiles(faces_root, split["train"], labels_path, det_work, count)
    net = train(data, det_work, steps=steps, smoke=smoke)
    fp32 = det_work / "detector_fp32.onnx"
    export(net, fp32)
    onnx.save(quantize.weight_only_qdq(onnx.load(str(fp32))), str(stage / "detector.onnx"))
    cells = [1, 3 * STRIDE * STRIDE, 480 // STRIDE, 640 // STRIDE]
    return entry(stage / "detector.onnx", cells, [1, CHANNELS, 480 // STRIDE, 640 // STRIDE], MEAN, STD)
