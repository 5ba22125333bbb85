"""Live sequences through the app's own recogniser (`lrfr watch`), on validation identities:
the check behind the README's live table. Usable as a script:

    python -m lrfr_forge.checks.sequences --faces DIR --split split.json --lrfr BIN [--res 16,24,32]

The people with eight or more photos are dealt, in a seeded order, into galleries of five;
each member is enrolled from three photos (`lrfr enroll`, as a user would). Every other
validation person with three or more photos, members of the other galleries too, is a
stranger to a gallery. A sequence is one person's photos in a row, played as the camera
(`watch --source`): a member's other photos, or all of a stranger's. A member's sequence is
right when it is named, and only as that member; a stranger's is wrong when it is named at
all. With `--probes DIR` (one size of the validation frames,
`s01b_detector_data.validation_frames`, with its `truth.tsv`) the sequences play those frames
of the same photos instead, each shifted so its face is at the frame's centre (a camera that
stays put, so `watch` can follow the face from frame to frame), while people are still
enrolled from their photos, as a user enrolls near the camera; take `--res auto`.

Frame by frame: what each frame showed is read from `watch --frames` (the faces in view and
what the window labels them). A member's frames after the third (a name needs three) count
as showing their name, another name, or none (and of those, held aside: "checking").
`--swap` also plays each member's sequence followed, in the same place, by the first three
frames of each of six strangers (seeded; `--swap-strangers N` for more), and of each other
member of the gallery: someone stepping into a member's place, whose frames must not show the
member's name. All the sequences of one gallery and resolution play as one folder, with blank
frames between them, more than a track waits unseen before it is lost, so no track outlives
its sequence (each sequence in a `watch` of its own gave the same frames, checked on one
gallery's 22 sequences).

Last run (2026-12-06, shipped models, `--res auto --swap --swap-strangers 999`,
docs/accuracy.md): faces 16 / 24 / 32 px of their own, 15 of 15 members named right, member
frames after the third named right 177 / 194 / 196 of 203, 0 of 162 strangers named,
stranger frames right after a member showing the member's name 6 / 3 / 4 of 2,430, another
member's frames 0 / 0 / 0 of 180.
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
# A name needs three frames (src/live/track.rs, MIN_FRAMES and CONFIRM_FRAMES): frames before
# that are not counted as a member's frames.
SETTLE_FRAMES = 3
# Blank frames between two sequences: more than the 10 a track may go unseen (LiveConfig's
# lost_after), so every track of one sequence is lost before the next begins.
GAP_FRAMES = 12
SWAP_STRANGERS = 6
SWAP_FRAMES = 3
CANVAS = (640, 480)
GREY = (110, 120, 130)


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


def play(lrfr: Path, gallery: Path, models, sequences, res: str, blank: Path):
    """Plays `sequences` (lists of image paths) as one camera, blank frames between them, and
    returns, for each sequence, what each of its frames showed (`watch --frames`): a list of
    faces, each {"track", "box", "shows", "name", ...}, largest first."""
    with tempfile.TemporaryDirectory() as folder:
        spans, n = [], 0

        def put(path):
            nonlocal n
            n += 1
            (Path(folder) / f"{n:06d}.jpg").symlink_to(path)

        for sequence in sequences:
            first = n + 1
            for path in sequence:
                put(path)
            spans.append((first, n))
            for _ in range(GAP_FRAMES):
                put(blank)
        command = [str(lrfr), "--gallery", str(gallery), *models, "watch", "--json", "--frames", "--res", res,
                   "--source", folder]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    shown = [[] for _ in range(n + 1)]
    for line in out.splitlines():
        seen = json.loads(line)
        if seen["event"] == "frame":
            shown[seen["frame"]] = seen["faces"]
    return [shown[first : last + 1] for first, last in spans]


def shown_names(faces):
    """The names a frame's faces show."""
    return {f["name"] for f in faces if f["shows"] == "named"}


def centred(frames: Path, out: Path):
    """Each frame of `frames` (listed in its `truth.tsv`: path, box x, y, width, height) moved
    so its face's box is centred on the 640x480 frame, into `out`."""
    for line in (frames / "truth.tsv").read_text().splitlines():
        key, x, y, w, h = line.split("\t")
        frame = Image.open(frames / key).convert("RGB")
        canvas = Image.new("RGB", CANVAS, GREY)
        canvas.paste(frame, (round(320 - float(x) - float(w) / 2), round(240 - float(y) - float(h) / 2)))
        (out / key).parent.mkdir(parents=True, exist_ok=True)
        canvas.save(out / key, quality=90)


def member_row(name, frames):
    """A member's sequence: named right (and only as them), their frames after the third
    (right, wrong, held aside), and how many tracks its main face had."""
    counted = frames[SETTLE_FRAMES:]
    shown = [shown_names(f) for f in frames]
    named = set().union(*shown) if shown else set()
    return {"person": name, "named_right": named == {name}, "misnamed": bool(named - {name}),
            "frames": len(counted), "frames_right": sum(n == {name} for n in shown[SETTLE_FRAMES:]),
            "frames_wrong": sum(bool(n - {name}) for n in shown[SETTLE_FRAMES:]),
            "frames_checking": sum(any(f["shows"] == "checking" for f in faces) for faces in counted),
            "tracks": len({faces[0]["track"] for faces in frames if faces})}


def run(faces: Path, names, lrfr: Path, models=None, resolutions=("16", "24", "32"), probes=None, swap=False,
        swap_strangers=SWAP_STRANGERS):
    """{res: {"members", "members_named_right", "members_misnamed", "strangers",
    "strangers_named", "named_strangers": [[stranger, name], ...], "member_frames",
    "member_frames_right", "member_frames_wrong", "member_frames_checking", "member_tracks",
    "stranger_frames_named", "per_member": [member_row, ...], and with `swap`: "swaps",
    "swap_frames", "swap_frames_showing_member", "swaps_showing_member": [[member, stranger,
    frames], ...], and the same four for members stepping into each other's place
    ("member_swaps", ...)}}."""
    model_args = ["--models", str(models)] if models else []
    work = tempfile.TemporaryDirectory()
    blank = Path(work.name) / "blank.jpg"
    Image.new("RGB", CANVAS, GREY).save(blank, quality=90)
    if probes is not None:
        centred(probes, Path(work.name) / "centred")

    def played(paths):
        if probes is None:
            return paths
        moved = (Path(work.name) / "centred" / p.relative_to(faces) for p in paths)
        return [p for p in moved if p.exists()]

    groups, players = galleries(faces, names)
    report = {r: {"members": 0, "members_named_right": 0, "members_misnamed": 0, "member_frames": 0,
                  "member_frames_right": 0, "member_frames_wrong": 0, "member_frames_checking": 0,
                  "member_tracks": 0, "strangers": 0, "strangers_named": 0,
                  "stranger_frames_named": 0, "named_strangers": [], "per_member": []} for r in resolutions}
    if swap:
        for row in report.values():
            for kind in ("swap", "member_swap"):
                row.update({f"{kind}s": 0, f"{kind}_frames": 0, f"{kind}_frames_showing_member": 0,
                            f"{kind}s_showing_member": []})
    for group in groups:
        strangers = [p for p in players if p not in group]
        pick = random.Random(f"{SEED}:{','.join(group)}")
        count = min(swap_strangers, len(strangers))
        stepping_in = {name: pick.sample(strangers, count) for name in group} if swap else {}
        with tempfile.TemporaryDirectory() as gallery:
            gallery = Path(gallery)
            for name in group:
                enroll = photos(faces, name)[:ENROLL_PHOTOS]
                subprocess.run([str(lrfr), "--gallery", str(gallery), *model_args, "enroll", "--name", name,
                                *map(str, enroll)], capture_output=True, text=True, check=True)
            for res in resolutions:
                row = report[res]
                own = [played(photos(faces, name)[ENROLL_PHOTOS:]) for name in group]
                theirs = [played(photos(faces, name)) for name in strangers]
                swaps = [(name, s) for name in group for s in stepping_in.get(name, [])]
                # Two members swapping places: the newcomer's frames (their first three after
                # enrolment) must never show the one before's name.
                if swap:
                    swaps += [(name, other) for name in group for other in group if other != name]
                after = {s: played(photos(faces, s))[:SWAP_FRAMES] for s in set(s for _, s in swaps)}
                after.update({m: own[group.index(m)][:SWAP_FRAMES] for m in group})
                sequences = own + theirs + [own[group.index(m)] + after[s] for m, s in swaps]
                shown = play(lrfr, gallery, model_args, sequences, res, blank)
                for name, frames in zip(group, shown[: len(group)]):
                    member = member_row(name, frames)
                    row["per_member"].append(member)
                    row["members"] += 1
                    row["members_named_right"] += member["named_right"]
                    row["members_misnamed"] += member["misnamed"]
                    row["member_frames"] += member["frames"]
                    row["member_frames_right"] += member["frames_right"]
                    row["member_frames_wrong"] += member["frames_wrong"]
                    row["member_frames_checking"] += member["frames_checking"]
                    row["member_tracks"] += member["tracks"]
                for name, frames in zip(strangers, shown[len(group) : len(group) + len(strangers)]):
                    row["strangers"] += 1
                    row["stranger_frames_named"] += sum(bool(shown_names(f)) for f in frames)
                    said = [n for f in frames for n in sorted(shown_names(f))]
                    if said:
                        row["strangers_named"] += 1
                        row["named_strangers"].append([name, said[0]])
                for (member, newcomer), frames in zip(swaps, shown[len(group) + len(strangers) :]):
                    theirs_shown = frames[len(frames) - len(after[newcomer]) :]
                    showing = sum(member in shown_names(f) for f in theirs_shown)
                    kind = "member_swap" if newcomer in group else "swap"
                    row[f"{kind}s"] += 1
                    row[f"{kind}_frames"] += len(theirs_shown)
                    row[f"{kind}_frames_showing_member"] += showing
                    if showing:
                        row[f"{kind}s_showing_member"].append([member, newcomer, showing])
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faces", type=Path, required=True, help="one folder per identity")
    parser.add_argument("--split", type=Path, required=True, help="the forge's split.json (its val names)")
    parser.add_argument("--lrfr", type=Path, required=True)
    parser.add_argument("--models", type=Path)
    parser.add_argument("--res", default="16,24,32", help="comma-separated: 16, 24, 32 or auto")
    parser.add_argument("--probes", type=Path, help="play the images at the photos' paths under this folder")
    parser.add_argument("--swap", action="store_true", help="also play strangers stepping into members' places")
    parser.add_argument("--swap-strangers", type=int, default=SWAP_STRANGERS,
                        help="strangers stepping into each member's place (all of them with a large number)")
    args = parser.parse_args()
    names = json.loads(args.split.read_text())["val"]
    report = run(args.faces, names, args.lrfr, args.models, args.res.split(","), args.probes, args.swap,
                 args.swap_strangers)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
