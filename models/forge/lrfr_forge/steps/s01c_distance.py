"""Steps 1c and 4b: the landmark model and the DSR learn faces made small by distance, not
only faces shrunk after alignment.

The simulated path area-shrinks an aligned 112 crop. A distant face is shrunk with the whole
frame before the detector, the landmarks and the warp see it, and the camera adds blur, noise
and JPEG; its landmarks are found on a face of a dozen pixels. Here every training photo is
shrunk so its subject has 15-56 px of its own, pasted on a 640x480 background, degraded like a
webcam and cropped by the app itself (`lrfr crop --boxes` for the landmark model, with the
true points carried from the full photo; `lrfr crop --native` for the DSR, exactly what
`auto` gives it). The DSR's target stays the photo's full-resolution 112 crop and its upstream
embedding. Each DSR then trains on half simulated, half distant batches, so the simulated path
keeps what it learnt, and EdgeFace's fine-tune (step 5, `s05_finetune.finetune`) sees the
same mix of what the DSRs make of them.
"""

import subprocess
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from lrfr_forge.common.data import BATCH, SEED, to01
from lrfr_forge.steps import s01b_detector_data as dd, s04_dsr as dsr
from lrfr_forge.steps.s04_dsr_training import POLISH_ID_WEIGHT, run_phase

# Own sizes (px of the aligned template) drawn per target resolution; `auto` gives a face of
# 27-112 px of its own the 32 px path, so 32 spans the most.
NATIVE_RANGE = {16: (14.5, 20.0), 24: (22.0, 30.0), 32: (29.0, 56.0)}
# Webcam-like: MJPEG at 60-95 quality; sensor blur and noise (detector_data.degrade).
QUALITIES = (60, 96)
CAMERA_STRENGTH = 0.7


def make_frames(faces_root: Path, names, labels, out: Path, ranges=NATIVE_RANGE, seed=SEED + 17):
    """One degraded 640x480 JPEG frame per photo of `names` and entry of `ranges` (a folder
    name and the span of own sizes drawn from), in `out/<folder>/<name>/<photo>.jpg`, with
    `out/<folder>/truth.tsv` giving the subject's box in each; skipped when
    `out/frames.done` exists."""
    done = out / "frames.done"
    if done.exists():
        return
    rng = np.random.default_rng(seed)
    names = set(names)
    photos = [(faces_root / key, key) for key in sorted(labels) if key.split("/")[0] in names]
    backgrounds = dd.Backgrounds(photos, labels, rng)
    for folder, (lo, hi) in ranges.items():
        rows = []
        for path, key in photos:
            made = dd.frame_at_size(path, labels[key], backgrounds.make(640, 480), rng.uniform(lo, hi), rng)
            if made is None:
                continue
            target = out / str(folder) / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(dd.degrade_to_jpeg(made[0], rng, CAMERA_STRENGTH, QUALITIES))
            rows.append(f"{key}\t" + "\t".join(f"{v:.3f}" for v in made[1]))
        (out / str(folder) / "truth.tsv").write_text("\n".join(rows) + "\n")
    done.write_text("")


def true_points(truth_tsv: Path, labels):
    """{photo key: the subject's five YuNet points (found on the full photo) carried into the
    frame}: the paste is a scale and a shift, recovered from the subject's box before and after."""
    points = {}
    for line in truth_tsv.read_text().splitlines():
        if not line.strip():
            continue
        key, x, y, w, h = line.split("\t")
        x, y, w, h = map(float, (x, y, w, h))
        face = dd.main_face(labels[key])
        sx, sy = w / face[3], h / face[4]
        points[key] = np.array([(face[5 + 2 * k] * sx + x - face[1] * sx, face[6 + 2 * k] * sy + y - face[2] * sy)
                                for k in range(5)], np.float32)
    return points


def crop_frames(lrfr_bin: Path, models: Path, frames: Path, out: Path, ranges=NATIVE_RANGE):
    """The app's own `auto` crops of every frame of `ranges` (`lrfr crop --native`), once."""
    if (out / "crop.done").exists():
        return
    for res in ranges:
        print(f"+ lrfr crop --native ({res})", flush=True)
        subprocess.run([str(lrfr_bin), "crop", "--native", "--models", str(models), "--out", str(out / str(res)), str(frames / str(res))],
                       check=True, stdout=subprocess.DEVNULL)
    (out / "crop.done").write_text("")


def landmark_inputs(lrfr_bin: Path, models: Path, faces_root: Path, names, labels, work: Path):
    """Step 1c's inputs: one distance frame per training photo (15-56 px of its own), the
    app's box crops of them (`lrfr crop --boxes`: the small-face detector's boxes), and the true
    points of each. Returns what `landmarks.distant_labels` gives."""
    from lrfr_forge.steps import s01_landmarks as landmarks

    frames, boxes = work / "landmark-frames", work / "landmark-boxes"
    make_frames(faces_root, names, labels, frames, ranges={"all": (14.5, 56.0)}, seed=SEED + 19)
    if not (boxes / "boxes.tsv").exists():
        subprocess.run([str(lrfr_bin), "crop", "--boxes", "--models", str(models), "--out", str(boxes), str(frames / "all")],
                       check=True, stdout=subprocess.DEVNULL)
    return landmarks.distant_labels(boxes, true_points(frames / "all" / "truth.tsv", labels))


def distant_inputs(native: Path, files):
    """{res: (uint8 [N, res, res, 3] inputs, indices into `files`)}: each native crop with the
    training crop of the same photo (its target), grouped by the resolution `auto` chose."""
    index = {f: i for i, f in enumerate(files)}
    found = {}
    for path in sorted(native.glob("*/*/*.png")):
        key = f"{path.parent.name}/{path.name}"
        if key not in index:
            continue
        image = np.asarray(Image.open(path).convert("RGB"))
        found.setdefault(image.shape[0], ([], []))
        found[image.shape[0]][0].append(image)
        found[image.shape[0]][1].append(index[key])
    return {r: (torch.from_numpy(np.stack(x)), torch.tensor(i)) for r, (x, i) in found.items()}


def adapt_dsr(res, net, x, targets, distant, teacher, ckpt: Path, steps, lr=2e-4):
    """Continues `net` on batches half simulated, half distant, with the polish's loss
    against the real 112 crop, the learning rate decaying from `lr`."""
    opt = torch.optim.Adam(net.parameters(), lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    return run_phase(f"dsr{res} distance", net, half_distant(res, x, targets, distant), teacher, ckpt, steps, opt, sched,
               POLISH_ID_WEIGHT, SEED + 200 + res)


def half_distant(res, x, targets, distant):
    """Batches whose first half is simulated and second half distant (see `mixed`), each
    with its real 112 crop and that crop's upstream embedding."""
    def make(gen):
        low, hr, which, flip = mixed(res, x, distant, gen, BATCH)
        return low, hr, torch.where(flip[:, None], targets[which, 1], targets[which, 0])
    return make


def mixed(res, x, distant, gen, count):
    """`count` inputs at `res`: the first half simulated (real crops area-shrunk), the rest
    distant (`lrfr crop --native` crops), mirrored at random. Returns the inputs, the real
    112 crops they stand for, those crops' indices into `x` and which were mirrored, so a
    caller can take embeddings (`targets[:, 1]` is the mirror's) and labels from them."""
    lr_x, lr_idx = distant
    half = count // 2
    near = torch.randint(0, len(x), (half,), generator=gen)
    far = torch.randint(0, len(lr_x), (count - half,), generator=gen)
    hr = to01(torch.cat([x[near], x[lr_idx[far]]]))
    low = torch.cat([dsr.downscale(hr[:half], res), to01(lr_x[far])])
    which = torch.cat([near, lr_idx[far]])
    flip = torch.rand(count, generator=gen) < 0.5
    hr[flip], low[flip] = hr[flip].flip(-1), low[flip].flip(-1)
    return low, hr, which, flip
