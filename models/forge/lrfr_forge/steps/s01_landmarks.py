"""Step 1: our own 5-point landmark model, on the detector's box crop, taught by YuNet."""

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lrfr_forge.common import device, geometry
from lrfr_forge.common.data import SEED, load_rgb
from lrfr_forge.common.fit import finish, fit, trained
from lrfr_forge.common.yunet import YuNet, iou

FLIP = [1, 0, 2, 4, 3]


def read_boxes(tsv: Path):
    rows = []
    for line in tsv.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split("\t")
        rows.append({"file": f[0], "box": np.array(f[1:5], np.float32), "region": np.array(f[5:8], np.float32)})
    return rows


def teach(faces_root: Path, boxes_dir: Path, yunet_path: Path, work: Path):
    """YuNet's landmarks for every detected face, in region-normalised coordinates."""
    out = work / "landmark_labels.npz"
    if out.exists():
        return dict(np.load(out, allow_pickle=True))
    yunet = YuNet(yunet_path)
    files, crops, labels, box_rel = [], [], [], []
    for row in read_boxes(boxes_dir / "boxes.tsv"):
        rel = row["file"]
        image = load_rgb(faces_root / rel)
        faces = yunet.detect(image)
        if not faces:
            continue
        best = max(faces, key=lambda f: iou(f[1], row["box"]))
        if iou(best[1], row["box"]) < 0.3:
            continue
        rx, ry, side = row["region"]
        pts = best[2]
        files.append(rel)
        labels.append((pts - [rx, ry]) / side)
        bx, by, bw, bh = row["box"]
        bside = max(bw, bh)
        box_rel.append((pts - [bx + bw / 2, by + bh / 2]) / bside)
        stem = rel[: rel.rfind(".")]
        crops.append(load_rgb(boxes_dir / f"{stem}.box.png"))
    result = {
        "files": np.array(files),
        "crops": np.stack(crops),
        "labels": np.stack(labels).astype(np.float32),
        "box_rel": np.stack(box_rel).astype(np.float32),
    }
    np.savez(out, **result)
    return result


class LandmarkNet(nn.Module):
    """~0.3 M parameters, ~10 MMAC at 64x64: four stride-2 conv stages then two dense layers."""

    def __init__(self):
        super().__init__()
        chans = [3, 24, 48, 64, 96]
        layers = []
        for cin, cout in zip(chans, chans[1:]):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
                       nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(96 * 16, 128), nn.ReLU(inplace=True), nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features(x)) + 0.5


def augment(crops: torch.Tensor, labels: torch.Tensor, gen: torch.Generator):
    """Random similarity (rotation, scale, shift), flip, blur, brightness and contrast on the
    128 box crop, then the 2x area downscale to the model's 64 px input."""
    n = crops.shape[0]
    angle = (torch.rand(n, generator=gen) - 0.5) * math.radians(36)
    scale = 1 + (torch.rand(n, generator=gen) - 0.5) * 0.3
    shift = (torch.rand(n, 2, generator=gen) - 0.5) * 0.16
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    # grid_sample's theta maps output coords to input coords in [-1, 1].
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, crops.shape, align_corners=False)
    out = F.grid_sample(crops, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
    # Labels: input coord u (in [-1,1]) -> output coord = inverse of theta.
    pts = labels * 2 - 1
    a = torch.stack([torch.stack([cos, -sin], 1), torch.stack([sin, cos], 1)], 1)
    inv = torch.linalg.inv(a)
    pts = torch.einsum("nij,nkj->nki", inv, pts - shift[:, None, :])
    new = (pts + 1) / 2
    flip = torch.rand(n, generator=gen) < 0.5
    out[flip] = out[flip].flip(-1)
    new[flip] = new[flip][:, FLIP]
    new[flip, :, 0] = 1 - new[flip, :, 0]
    blur = torch.rand(n, generator=gen) < 0.3
    if blur.any():
        k = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0]) / 16
        kernel = (k[:, None] * k[None, :]).expand(3, 1, 5, 5)
        out[blur] = F.conv2d(F.pad(out[blur], (2, 2, 2, 2), mode="replicate"), kernel, groups=3)
    gain = 0.6 + torch.rand(n, 1, 1, 1, generator=gen) * 0.8
    mean = out.mean(dim=(1, 2, 3), keepdim=True)
    contrast = 0.7 + torch.rand(n, 1, 1, 1, generator=gen) * 0.6
    out = ((out - mean) * contrast + mean) * gain
    return F.avg_pool2d(out.clamp(0, 1), 2), new


def inter_ocular_error(pred, target):
    """Mean point error as a fraction of the inter-ocular distance."""
    iod = (target[:, 0] - target[:, 1]).norm(dim=-1)
    return ((pred - target).norm(dim=-1).mean(-1) / iod).mean().item()


def train(taught, split, work: Path, epochs=30, smoke=False):
    """AdamW with a one-cycle schedule peaking at 3e-3, `epochs` passes in batches of 128 over
    the training identities' box crops, each pass in its own order; resumes from
    `work/landmarks.pt`, which also keeps the validation report."""
    ckpt = work / "landmarks.pt"
    # Seeded before the network is built: torch seeds its own generator afresh in each process.
    torch.manual_seed(SEED)
    net = LandmarkNet()
    files = [str(f) for f in taught["files"]]
    val_names = set(split["val"])
    is_val = np.array([f.split("/")[0] in val_names for f in files])
    crops = torch.from_numpy(taught["crops"]).permute(0, 3, 1, 2).float() / 255
    labels = torch.from_numpy(taught["labels"])
    tr, va = np.nonzero(~is_val)[0], np.nonzero(is_val)[0]
    if smoke:
        tr, va, epochs = tr[:64], va[:32], 1
    per_epoch = math.ceil(len(tr) / 128)
    steps = epochs * per_epoch
    report = trained(ckpt, {"net": net}, steps)
    if report is not None:
        return net, report
    opt = torch.optim.AdamW(net.parameters(), 2e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps)
    order = []

    def step(gen, i):
        at = i % per_epoch
        # A pass starts with its order; a run resumed part-way through one draws a new one.
        if at == 0 or not order:
            order[:] = [torch.randperm(len(tr), generator=gen)]
        idx = tr[order[0][at * 128:(at + 1) * 128].numpy()]
        x, y = device.put(*augment(crops[idx], labels[idx], gen))
        return {"loss": F.smooth_l1_loss(net(x).view(-1, 5, 2), y, beta=0.01)}

    net.train()
    fit(ckpt, "landmarks", {"net": net}, opt, sched, steps, step, SEED, every=per_epoch)
    net.eval()
    with torch.no_grad():
        pred = net(F.avg_pool2d(crops[va], 2)).view(-1, 5, 2)
    err = inter_ocular_error(pred, labels[va])
    box_err = inter_ocular_error(torch.from_numpy(box_prior(taught, tr)[None].repeat(len(va), 0)), labels[va])
    report = {"val_images": int(len(va)), "mean_error_iod": err, "box_only_error_iod": box_err, "epochs": epochs}
    finish(ckpt, report)
    return net, report


def distant_labels(boxes_dir: Path, points):
    """The app's box crops of distant faces (`lrfr crop --boxes` over distance frames: the
    small-face detector's boxes on blurred, noisy JPEG faces of a dozen pixels) with the true
    points in region-normalised coordinates. A box whose region does not hold all five true
    points is another face (LFW's background people), left out."""
    crops, labels = [], []
    for row in read_boxes(boxes_dir / "boxes.tsv"):
        rel = row["file"]
        if rel not in points:
            continue
        rx, ry, side = row["region"]
        label = (points[rel] - [rx, ry]) / side
        if not ((label > 0) & (label < 1)).all():
            continue
        crops.append(load_rgb(boxes_dir / f"{rel[: rel.rfind('.')]}.box.png"))
        labels.append(label)
    if not crops:
        side = geometry.BOX_CROP_SIZE
        return np.zeros((0, side, side, 3), np.uint8), np.zeros((0, 5, 2), np.float32)
    return np.stack(crops), np.stack(labels).astype(np.float32)


# Step 1c's phases: steps, then its checkpoint. Each restarts AdamW and its cosine schedule at
# 5e-4 and draws its batches from the same seed. The shipped model's second phase was run by a
# scratch driver calling this function again (2026-11-24, late); at 16 px of a face's own it
# took validation EER 10.07 -> 9.40% and point error 10.07 -> 9.79% of the inter-ocular
# distance (models/README.md, "Distance training"), so a forge run now does it too.
PHASES = ((2000, "landmarks_distance.pt"), (1000, "landmarks_distance_continued.pt"))


def adapt(net, taught, distant, split, work: Path, phases=PHASES, smoke=False):
    """Step 1c: continues the landmark model on batches half of the photos' own box crops,
    half of distant faces' (`distant_labels`), with BatchNorm's statistics frozen, for each of
    `phases` in turn. Before it, aligning faces of 24 px of their own by our points gave 4.2%
    EER at 32 px against 1.6% with the true points (same frames, same DSR and EdgeFace)."""
    if smoke:
        phases = [(2, name) for _, name in phases]
    if len(distant[0]) == 0:
        # Only in a smoke run, whose two-step detector finds no face.
        print("  no distant faces were found: the landmark model stays as it is", flush=True)
        return net.eval(), {"distant_crops": 0, "steps": []}
    val_names = set(split["val"])
    own = np.array([str(f).split("/")[0] not in val_names for f in taught["files"]])
    near_x = torch.from_numpy(taught["crops"][own]).permute(0, 3, 1, 2)
    near_y = torch.from_numpy(taught["labels"][own])
    far_x = torch.from_numpy(distant[0]).permute(0, 3, 1, 2)
    far_y = torch.from_numpy(distant[1])

    def step(gen, _):
        a = torch.randint(0, len(near_x), (64,), generator=gen)
        b = torch.randint(0, len(far_x), (64,), generator=gen)
        x = torch.cat([near_x[a], far_x[b]]).float() / 255
        x, y = device.put(*augment(x, torch.cat([near_y[a], far_y[b]]), gen))
        return {"loss": F.smooth_l1_loss(net(x).view(-1, 5, 2), y, beta=0.01)}

    for steps, name in phases:
        ckpt = work / name
        if trained(ckpt, {"net": net}, steps) is not None:
            continue
        opt = torch.optim.AdamW(net.parameters(), 5e-4, weight_decay=1e-4)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
        net.train()
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()
        fit(ckpt, ckpt.stem.replace("_", " "), {"net": net}, opt, sched, steps, step, SEED + 3, every=200)
        finish(ckpt, {"steps": steps})
    return net.eval(), {"distant_crops": int(len(far_x)), "steps": [steps for steps, _ in phases]}


def box_prior(taught, train_idx):
    """The box-only landmarks (mean YuNet points), in region coordinates."""
    return taught["labels"][train_idx].mean(0)


def box_landmarks_constant(taught, split):
    """Mean YuNet points relative to the SeetaFace box: the box-only points of geometry.json."""
    val_names = set(split["val"])
    keep = [i for i, f in enumerate(taught["files"]) if str(f).split("/")[0] not in val_names]
    return taught["box_rel"][keep].mean(0)


def export(net, path: Path):
    net.eval()
    dummy = torch.zeros(1, 3, geometry.LANDMARK_INPUT, geometry.LANDMARK_INPUT)
    torch.onnx.export(net, dummy, str(path), input_names=["input"], output_names=["landmarks"], opset_version=17, dynamo=False)
