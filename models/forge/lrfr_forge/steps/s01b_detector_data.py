"""Frames for the small-face detector: whole training photos shrunk the way distance shrinks
them and pasted on varied backgrounds, labelled by YuNet (the teacher) on the original photo.

Every face YuNet finds in a photo is a label, so LFW's real multi-face photos teach crowds.
The degradations are the camera's: the photo is area-shrunk (distance), then the whole frame gets
sensor blur, noise and JPEG. The same maker builds the validation frames that `lrfr` is measured
on, so the training and the measurement see one kind of frame.
"""

import io
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from lrfr_forge.common.data import load_rgb
from lrfr_forge.common.yunet import YuNet

# The ArcFace template's inter-ocular distance in its 112 px crop: a face whose eyes are
# IOD_112 * R / 112 px apart has exactly the pixels of an R px aligned face.
IOD_112 = 73.5318 - 38.2946
# YuNet scores between these are faint faces: neither taught as faces nor as background.
TEACH_SCORE, IGNORE_SCORE = 0.6, 0.3


def teach(faces_root: Path, names, yunet_path: Path, out: Path):
    """YuNet's faces on every photo of `names`: {relative path: [[score, x, y, w, h, 10 points]]}."""
    if out.exists():
        return json.loads(out.read_text())
    yunet = YuNet(yunet_path)
    labels = {}
    for name in names:
        for path in sorted((faces_root / name).glob("*.jpg")):
            faces = yunet.detect(load_rgb(path), threshold=IGNORE_SCORE)
            labels[f"{name}/{path.name}"] = [[s, *map(float, b), *map(float, p.reshape(-1))] for s, b, p in faces]
    out.write_text(json.dumps(labels))
    return labels


def main_face(faces):
    """The photo's subject: the largest confident face (LFW centres it)."""
    confident = [f for f in faces if f[0] >= TEACH_SCORE]
    return max(confident, key=lambda f: f[3] * f[4]) if confident else None


def inter_ocular(face):
    return math.hypot(face[7] - face[5], face[8] - face[6])


class Backgrounds:
    """Scenes with no face in them: procedural (gradients, blocks, lines, texture) or LFW photo
    borders (news scenes) blown up; a frame never shows the identity being detected twice."""

    def __init__(self, photos, labels, rng):
        self.photos, self.labels, self.rng = photos, labels, rng

    def make(self, width, height):
        kind = self.rng.random()
        if kind < 0.45:
            return self.photo_border(width, height)
        return self.procedural(width, height)

    def procedural(self, width, height):
        rng = self.rng
        a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        t = np.linspace(0, 1, width)[None, :, None] if rng.random() < 0.5 else np.linspace(0, 1, height)[:, None, None]
        base = (a * (1 - t) + b * t) * np.ones((height, width, 1))
        image = Image.fromarray(base.astype(np.uint8))
        draw = ImageDraw.Draw(image)
        for _ in range(int(rng.integers(0, 25))):
            x0, y0 = rng.integers(-width // 4, width), rng.integers(-height // 4, height)
            x1, y1 = x0 + rng.integers(4, width // 2), y0 + rng.integers(4, height // 2)
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            shape = rng.random()
            if shape < 0.5:
                draw.rectangle([x0, y0, x1, y1], fill=colour)
            elif shape < 0.8:
                draw.ellipse([x0, y0, x1, y1], fill=colour)
            else:
                draw.line([x0, y0, x1, y1], fill=colour, width=int(rng.integers(1, 6)))
        pixels = np.asarray(image, np.float32)
        pixels += rng.normal(0, rng.uniform(0, 12), (height, width, 1))
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))

    def photo_border(self, width, height):
        """A strip of a news photo outside every face YuNet saw in it, stretched to the frame."""
        rng = self.rng
        path = self.photos[int(rng.integers(len(self.photos)))]
        photo = load_rgb(path[0])
        faces = [f for f in self.labels.get(path[1], [])]
        x_left = min([f[1] for f in faces], default=125)
        x_right = max([f[1] + f[3] for f in faces], default=125)
        side = rng.integers(0, 2)
        if side == 0 and x_left > 24:
            strip = photo[:, : int(x_left)]
        elif x_right < 226:
            strip = photo[:, int(x_right):]
        else:
            return self.procedural(width, height)
        image = Image.fromarray(np.ascontiguousarray(strip)).resize((width, height), Image.BILINEAR)
        if rng.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        return image


def paste_photo(frame: Image.Image, photo: np.ndarray, faces, scale, x, y, rng, feather):
    """Shrinks `photo` by `scale` with area averaging (what distance does), pastes it at (x, y);
    returns the faces in frame coordinates. A feathered paste keeps only an oval around the
    subject, so the detector cannot learn that faces come in rectangles."""
    h, w = photo.shape[:2]
    sw, sh = max(1, round(w * scale)), max(1, round(h * scale))
    small = Image.fromarray(photo).resize((sw, sh), Image.BOX)
    if feather is not None:
        cx, cy, r = feather
        mask = Image.new("L", (sw, sh), 0)
        ImageDraw.Draw(mask).ellipse([(cx - r) * scale, (cy - 1.3 * r) * scale, (cx + r) * scale, (cy + 1.3 * r) * scale], fill=255)
        mask = mask.filter(ImageFilter.GaussianBlur(max(0.5, r * scale * 0.15)))
        frame.paste(small, (int(x), int(y)), mask)
    else:
        frame.paste(small, (int(x), int(y)))
    sx, sy = sw / w, sh / h
    moved = []
    for f in faces:
        box = [f[1] * sx + x, f[2] * sy + y, f[3] * sx, f[4] * sy]
        pts = [(f[5 + 2 * k] * sx + x, f[6 + 2 * k] * sy + y) for k in range(5)]
        moved.append((f[0], box, pts))
    return moved


def degrade(frame: Image.Image, rng, strength=1.0):
    """Sensor blur, noise and JPEG, as a cheap camera adds them to the whole frame."""
    return Image.open(io.BytesIO(degrade_to_jpeg(frame, rng, strength))).convert("RGB")


def degrade_to_jpeg(frame: Image.Image, rng, strength=1.0, qualities=(40, 96)):
    """`degrade`, returning the JPEG file itself (written as it is, not compressed twice)."""
    if rng.random() < 0.7 * strength:
        frame = frame.filter(ImageFilter.GaussianBlur(float(rng.uniform(0.2, 1.0))))
    pixels = np.asarray(frame, np.float32)
    if rng.random() < 0.7 * strength:
        pixels = pixels + rng.normal(0, rng.uniform(1, 8), pixels.shape)
    if rng.random() < 0.5:
        gain = rng.uniform(0.6, 1.3)
        pixels = (pixels - 128) * rng.uniform(0.7, 1.2) + 128 * gain
    frame = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buffer = io.BytesIO()
    frame.save(buffer, "JPEG", quality=int(rng.integers(*qualities)) if strength > 0 else 90)
    return buffer.getvalue()


def frame_at_size(photo_path, faces, background: Image.Image, native: int, rng):
    """A validation frame: the photo shrunk so its subject has the pixels of a `native` px aligned
    face, pasted whole at a random spot. Returns (image, subject's box) or None."""
    subject = main_face(faces)
    if subject is None:
        return None
    scale = IOD_112 * native / 112 / inter_ocular(subject)
    photo = load_rgb(photo_path)
    h, w = photo.shape[:2]
    width, height = background.size
    x = rng.integers(0, max(1, width - int(w * scale)))
    y = rng.integers(0, max(1, height - int(h * scale)))
    frame = background.copy()
    moved = paste_photo(frame, photo, [subject], scale, x, y, rng, None)
    return frame, moved[0][1]


def teach_upscaled(faces_root: Path, names, yunet640_path: Path, out: Path):
    """As `teach`, with YuNet's 640 px input on the photo blown up 2x: it then also finds the
    small faces of crowds behind the subject, which would otherwise be taught as background."""
    if out.exists():
        return json.loads(out.read_text())
    yunet = YuNet(yunet640_path, size=640)
    labels = {}
    for name in names:
        for path in sorted((faces_root / name).glob("*.jpg")):
            photo = Image.open(path).convert("RGB")
            big = np.asarray(photo.resize((photo.width * 2, photo.height * 2), Image.BICUBIC))
            faces = yunet.detect(big, threshold=IGNORE_SCORE)
            labels[f"{name}/{path.name}"] = [[s, *map(float, b / 2), *map(float, p.reshape(-1) / 2)] for s, b, p in faces]
    out.write_text(json.dumps(labels))
    return labels


def validation_frames(faces_root: Path, names, labels, out: Path, sizes=(32, 24, 16), seed=20261124):
    """For every photo of `names` and each native size, a 640x480 JPEG frame in
    `out/<size>/<name>/`, and `out/<size>/truth.tsv` with the subject's box: the frames that
    `lrfr eval --res auto` and the detection rate are measured on."""
    rng = np.random.default_rng(seed)
    photos = [(faces_root / key, key) for key in sorted(labels) if key.split("/")[0] in names]
    backgrounds = Backgrounds(photos, labels, rng)
    for size in sizes:
        folder = out / str(size)
        rows = []
        for path, key in photos:
            made = frame_at_size(path, labels[key], backgrounds.make(640, 480), size, rng)
            if made is None:
                continue
            image, box = made
            target = folder / key
            target.parent.mkdir(parents=True, exist_ok=True)
            image.save(target, "JPEG", quality=90)
            rows.append(f"{key}\t" + "\t".join(f"{v:.1f}" for v in box))
        (folder / "truth.tsv").write_text("\n".join(rows) + "\n")


def size_folders(frames: Path):
    """Each size folder of `frames`, largest size first, with its subjects' true boxes:
    [(folder, {frame path: box xywh})]."""
    found = []
    for folder in sorted((p for p in frames.iterdir() if p.is_dir()), key=lambda p: -int(p.name)):
        truth = {}
        for line in (folder / "truth.tsv").read_text().splitlines():
            key, *box = line.split("\t")
            truth[str(folder / key)] = [float(v) for v in box]
        found.append((folder, truth))
    return found


def moved_faces(labels, frame: Path, subject_box):
    """The photo's reference faces where the paste put them in `frame` (`out/<size>/<name>/<file>`):
    the paste's scale and offset follow from the subject's box in the photo and in the frame."""
    faces = labels.get(f"{frame.parent.name}/{frame.name}", [])
    subject = main_face(faces)
    if subject is None:
        return [subject_box]
    k = subject_box[2] / subject[3]
    x, y = subject_box[0] - subject[1] * k, subject_box[1] - subject[2] * k
    return [[f[1] * k + x, f[2] * k + y, f[3] * k, f[4] * k] for f in faces]
