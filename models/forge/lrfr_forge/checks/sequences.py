"""Live sequences through the app's own recogniser (`lrfr watch`), on validation identities:
the check behind the README's "no stranger named" line. Usable as a script:

    python -m lrfr_forge.checks.sequences --faces DIR --split split.json --lrfr BIN [--res 16,24,32]

The people with eight or more photos are dealt, in a seeded order, into galleries of five;
each member is enrolled from three photos (`lrfr enroll`, as a user would). Every other
validation person with three or more photos, members of the other galleries too, is a
stranger to a gallery. A sequence is one person's photos
in a row, played as the camera (`watch --source`): a member's other photos, or all of a
stranger's. A member's sequence is right when it is named, and only as that member; a
stranger's is wrong when it is named at all. With `--probes DIR` (one size of the validation
frames, `s01b_detector_data.validation_frames`, with its `truth.tsv`) the sequences play those
frames of the same photos instead, each shifted so its face is at the frame's centre (a
camera that stays put, so `watch` can follow the face from frame to frame), while people are
still enrolled from their photos, as a user enrolls near the camera; take `--res auto`.

Across the room, 16 px faces of their own (2026-12-06): 15 of 15 members named right and 0
of 162 strangers named, with one path and with two (docs/distance.md).
"""

import argparse
import json
import random
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

SEED = 20261203
GALLERY_SIZE = 5
ENROLL_PHOTOS = 3
MEMBER_PHOTOS = 8
STRANGER_PHOTOS = 3


def photos(faces: Path, name: str):
    return sorted((faces / name).glob("*.jpg"))


def galleries(faces: Path, names, seed=SEED):
    """Seeded galleries of five from the people with enough photos, and everyone who can play
    a sequence (each is a stranger to the galleries they are not in)."""
    members = sorted(n for n in names if len(photos(faces, n)) >= MEMBER_PHOTOS)
    random.Random(seed).shuffle(members)
    groups = [members[i : i + GALLERY_SIZE] for i in range(0, len(members) - GALLERY_SIZE + 1, GALLERY_SIZE)]
    players = sorted(n for n in names if len(photos(faces, n)) >= STRANGER_PHOTOS)
    return groups, players


def names_in(lrfr: Path, gallery: Path, models, sequence, res: str):
    """Every name `lrfr watch` gives while the sequence plays (in order, repeats kept)."""
    with tempfile.TemporaryDirectory() as folder:
        for i, path in enumerate(sequence):
            (Path(folder) / f"{i:03d}.jpg").symlink_to(path)
        command = [str(lrfr), "--gallery", str(gallery), *models, "watch", "--json", "--res", res, "--source", folder]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [e["name"] for e in map(json.loads, out.splitlines()) if e["event"] in ("named", "renamed")]


def centred(frames: Path, out: Path):
    """Each frame of `frames` (listed in its `truth.tsv`: path, box x, y, width, height) moved
    so its face's box is centred on the 640x480 frame, into `out`."""
    for line in (frames / "truth.tsv").read_text().splitlines():
        key, x, y, w, h = line.split("\t")
        frame = Image.open(frames / key).convert("RGB")
        canvas = Image.new("RGB", (640, 480), (110, 120, 130))
        canvas.paste(frame, (round(320 - float(x) - float(w) / 2), round(240 - float(y) - float(h) / 2)))
        (out / key).parent.mkdir(parents=True, exist_ok=True)
        canvas.save(out / key, quality=90)


def run(faces: Path, names, lrfr: Path, models=None, resolutions=("16", "24", "32"), probes=None):
    """{res: {"members", "members_named_right", "members_misnamed", "strangers",
    "strangers_named", "named_strangers": [[stranger, name], ...]}}."""
    model_args = ["--models", str(models)] if models else []

    steady = tempfile.TemporaryDirectory()
    if probes is not None:
        centred(probes, Path(steady.name))

    def played(paths):
        if probes is None:
            return paths
        return [Path(steady.name) / p.relative_to(faces) for p in paths
                if (Path(steady.name) / p.relative_to(faces)).exists()]

    groups, players = galleries(faces, names)
    report = {r: {"members": 0, "members_named_right": 0, "members_misnamed": 0, "strangers": 0,
                  "strangers_named": 0, "named_strangers": []} for r in resolutions}
    for group in groups:
        with tempfile.TemporaryDirectory() as gallery:
            gallery = Path(gallery)
            for name in group:
                enroll = photos(faces, name)[:ENROLL_PHOTOS]
                subprocess.run([str(lrfr), "--gallery", str(gallery), *model_args, "enroll", "--name", name,
                                *map(str, enroll)], capture_output=True, text=True, check=True)
            for res in resolutions:
                row = report[res]
                for name in group:
                    said = names_in(lrfr, gallery, model_args, played(photos(faces, name)[ENROLL_PHOTOS:]), res)
                    row["members"] += 1
                    row["members_named_right"] += bool(said) and set(said) == {name}
                    row["members_misnamed"] += any(s != name for s in said)
                for name in (p for p in players if p not in group):
                    said = names_in(lrfr, gallery, model_args, played(photos(faces, name)), res)
                    row["strangers"] += 1
                    if said:
                        row["strangers_named"] += 1
                        row["named_strangers"].append([name, said[0]])
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, required=True, help="one folder per identity")
    parser.add_argument("--split", type=Path, required=True, help="the forge's split.json (its val names)")
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path)
    parser.add_argument("--res", default="16,24,32", help="comma-separated: 16, 24, 32 or auto")
    parser.add_argument("--probes", type=Path, help="play the images at the photos' paths under this folder")
    args = parser.parse_args()
    names = json.loads(args.split.read_text())["val"]
    print(json.dumps(run(args.faces, names, args.lrfr, args.models, args.res.split(","), args.probes), indent=1))


if __name__ == "__main__":
    main()
