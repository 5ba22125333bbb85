"""Rebuild every model in models/ from ../shared/assets, with fixed seeds.

    python models/forge/forge.py --work ~/.cache/lrfr-forge        # everything
    python models/forge/forge.py --work /tmp/forge-smoke --smoke   # a few images, one step

Each step checkpoints into --work and is skipped when its output exists, so an interrupted
run resumes where it stopped. The app's own `lrfr crop` makes every training crop.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))

from lrfr_forge.common import data, device, edgeface, geometry, quantize  # noqa: E402
from lrfr_forge.common.manifest import entry  # noqa: E402
from lrfr_forge.steps import (  # noqa: E402
    s01_landmarks as landmarks,
    s01b_detector as detector,
    s01c_distance as distance,
    s03_teacher as teacher_step,
    s04_dsr_training as dsr_training,
    s05_finetune as finetune_step,
    s06_export as export,
    s07_twins as twins,
    s08_gate as gate,
    s09_cohort as cohort,
    s09b_template as template,
    s10_calibrate as calibrate,
)


def lrfr(args, binary):
    print("+ lrfr", " ".join(map(str, args)), flush=True)
    subprocess.run([str(binary), *map(str, args)], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="scratch and checkpoint folder (outside the repo)")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "assets")
    parser.add_argument("--out", type=Path, default=REPO / "models")
    parser.add_argument("--lrfr", type=Path, default=REPO / "target" / "release" / "lrfr")
    parser.add_argument("--dsr-steps", type=int, default=1500, help="training steps per DSR network (batch 32)")
    parser.add_argument("--polish-steps", type=int, default=1000, help="second-phase steps per DSR network (batch 32)")
    parser.add_argument("--distance-steps", type=int, default=800, help="steps per DSR network on half distant batches (batch 32)")
    parser.add_argument("--finetune-steps", type=int, default=800, help="steps of the shared EdgeFace fine-tune (batch 32, half of each resolution's faces distant)")
    parser.add_argument("--own-finetune-steps", type=int, default=1600,
                        help="steps of each resolution's own EdgeFace fine-tune: with half its faces distant it keeps improving on both paths past 800")
    parser.add_argument("--smoke", action="store_true", help="a few images and one step per model")
    parser.add_argument("--device", default="auto", help="where networks train: auto (a CUDA GPU when torch sees one), cpu or cuda; "
                        "the committed models were made on the CPU (lrfr_forge/common/device.py)")
    parser.add_argument("--until", choices=["landmarks", "crops", "edgeface", "dsr", "finetune", "export"], default="export",
                        help="landmarks includes the small-face detector")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    device.choose(args.device)
    print("training on", device.current(), flush=True)
    work = args.work.expanduser()
    work.mkdir(parents=True, exist_ok=True)
    faces = args.shared / "faces" / "train"
    if args.smoke:
        faces = smoke_faces(faces, work)
    args.faces = faces
    started = time.time()
    split = data.split(faces, work, 0.25 if args.smoke else 0.1)

    # Step 1: landmark model, taught by YuNet on the detector's box crops.
    boxes = work / "boxcrops"
    stage = work / "stage"
    if not (boxes / "boxes.tsv").exists():
        lrfr(["crop", "--boxes", "--models", work / "no-models", "--out", boxes, faces], args.lrfr)
    taught = landmarks.teach(faces, boxes, args.shared / "upstream" / "face_detection_yunet_2023mar_320x320.onnx", work)
    box_points = landmarks.box_landmarks_constant(taught, split)
    if args.smoke:
        print("box-only points (smoke run, not stored):", box_points.round(4).tolist())
    else:
        geometry.write_box_landmarks(box_points)
    net, report = landmarks.train(taught, split, work, smoke=args.smoke)
    print("landmarks:", report, flush=True)
    stage.mkdir(exist_ok=True)
    fp32 = work / "landmarks_fp32.onnx"
    landmarks.export(net, fp32)
    import onnx

    onnx.save(quantize.weight_only_qdq(onnx.load(str(fp32))), str(stage / "landmarks.onnx"))
    lm_entry = entry(stage / "landmarks.onnx", [1, 3, 64, 64], [1, 10], 0.0, 1.0)
    # Step 1b: the small-face detector, taught by YuNet on composite frames (see s01b_detector.py).
    det_entry = detector.forge_step(faces, args.shared, work, split, stage, smoke=args.smoke)
    write_stage_manifest(stage, lm_entry, det_entry)
    # Step 1c: the landmark model continued on distant faces, as the small-face detector boxes them.
    labels = json.loads((work / "detector" / "yunet_labels.json").read_text())
    distant = distance.landmark_inputs(args.lrfr, stage, faces, split["train"], labels, work / "distance")
    net, report["distance"] = landmarks.adapt(net, taught, distant, split, work, smoke=args.smoke)
    landmarks.export(net, fp32)
    onnx.save(quantize.weight_only_qdq(onnx.load(str(fp32))), str(stage / "landmarks.onnx"))
    write_stage_manifest(stage, entry(stage / "landmarks.onnx", [1, 3, 64, 64], [1, 10], 0.0, 1.0), det_entry)
    (work / "landmarks_report.json").write_text(json.dumps(report, indent=1))
    print(f"step landmarks done at {time.time() - started:.0f} s", flush=True)
    if args.until == "landmarks":
        return

    # Step 2: the aligned crops, exactly as the app makes them.
    crops = work / "crops"
    if not crops.exists():
        lrfr(["crop", "--models", stage, "--out", crops, faces], args.lrfr)
    data.validation_pairs(crops, split["val"], work)
    print(f"step crops done at {time.time() - started:.0f} s", flush=True)
    if args.until == "crops":
        return
    later_steps(args, work, faces, crops, split, stage, started)


def later_steps(args, work: Path, faces: Path, crops: Path, split, stage: Path, started):
    """Steps 3 to 10, on the crops of step 2."""
    smoke = args.smoke
    # Step 3: the upstream EdgeFace's embeddings of every training crop, the identity targets.
    train_x, train_y, files = teacher_step.cached_crops(crops, split["train"], work / "train_crops.npz")
    teacher = edgeface.load_upstream(args.shared / "upstream" / "edgeface_xxs_q.pt")
    for p in teacher.parameters():
        p.requires_grad_(False)
    if smoke:
        train_x, train_y, files = train_x[:48], train_y[:48], files[:48]
    targets = teacher_step.teacher_embeddings(teacher, train_x, work / "teacher.pt")
    print(f"teacher embeddings done at {time.time() - started:.0f} s", flush=True)
    if args.until == "edgeface":
        return
    # Step 4: a DSR per resolution, continued on distant faces (4b).
    steps = 2 if smoke else args.dsr_steps
    far = distant_faces(args, work, faces, split, stage, files)
    print(f"distant faces made at {time.time() - started:.0f} s", flush=True)
    nets = {}
    for res in geometry.RESOLUTIONS:
        net = dsr_training.train_dsr(res, train_x, targets, teacher, work / f"dsr{res}.pt", steps)
        net = dsr_training.polish_dsr(res, net, train_x, targets, teacher, work / f"dsr{res}_polish.pt",
                                      2 if smoke else args.polish_steps)
        if res in far:
            net = distance.adapt_dsr(res, net, train_x, targets, far[res], teacher, work / f"dsr{res}_distance.pt",
                                     2 if smoke else args.distance_steps)
        else:
            print(f"  no distant faces came out at {res} px: dsr{res} keeps its polish", flush=True)
        nets[res] = net
        print(f"dsr {res} done at {time.time() - started:.0f} s", flush=True)
    if args.until == "dsr":
        return
    # Step 5: EdgeFace fine-tuned on the DSRs' outputs, shared and per resolution.
    ft_steps = 2 if smoke else args.finetune_steps
    own_steps = 2 if smoke else args.own_finetune_steps
    students = {"shared": finetune_step.finetune(teacher, nets, train_x, train_y, targets, work / "edgeface_ft.pt",
                                                 ft_steps, far)}
    for res, net in nets.items():
        students[res] = finetune_step.finetune(teacher, {res: net}, train_x, train_y, targets,
                                               work / f"edgeface_ft{res}.pt", own_steps, far)
    print(f"fine-tuning done at {time.time() - started:.0f} s", flush=True)
    if args.until == "finetune":
        return
    # Steps 6 and 7: export (and the choice of EdgeFace per resolution), then the integer twins.
    export.export_all(args, work, stage, nets, students, teacher, crops, split, started)
    build_twins(args, work, train_x)
    print(f"integer-compute twins done at {time.time() - started:.0f} s", flush=True)
    # Step 8: the face gate, on the exported detector's own boxes (see s08_gate.py).
    yunet = args.shared / "upstream" / "face_detection_yunet_2023mar.onnx"
    made = gate.forge_step(args.lrfr, faces, split, yunet, work / "gate", args.out, smoke=smoke)
    print(f"face gate done at {time.time() - started:.0f} s: {made.get('chosen', made.get('skipped'))}", flush=True)
    # Step 9: the cohorts 1:N scores are normalised against (see s09_cohort.py); thresholds after.
    made = cohort.forge_step(args.lrfr, faces, split, args.out, smoke=smoke)
    print(f"cohorts done at {time.time() - started:.0f} s: {made}", flush=True)
    # Step 9b: each resolution's template recipe (see s09b_template.py); thresholds after.
    made = template.forge_step(crops, split, faces, args.out, smoke=smoke)
    print(f"template recipes done at {time.time() - started:.0f} s: {made.get('chosen', made.get('skipped'))}",
          flush=True)
    if smoke:
        # A dozen identities hold no gallery of five with strangers left over.
        print("smoke run: thresholds not calibrated (too few validation identities)", flush=True)
        return
    calibrate.run(args.lrfr, faces, split, work, crops, args.out)
    print(f"thresholds calibrated at {time.time() - started:.0f} s", flush=True)


def distant_faces(args, work, faces, split, stage, files):
    """Step 4b's inputs: training photos made distant, cropped by the app (see s01c_distance.py)."""
    labels = json.loads((work / "detector" / "yunet_labels.json").read_text())
    folder = work / "distance"
    distance.make_frames(faces, split["train"], labels, folder / "frames")
    distance.crop_frames(args.lrfr, stage, folder / "frames", folder / "native")
    return distance.distant_inputs(folder / "native", files)


def build_twins(args, work, train_x):
    import numpy as np
    import torch
    import torch.nn.functional as F

    from lrfr_forge.common.data import to01

    hr = to01(train_x[: twins.CALIBRATION_IMAGES])
    boxes = np.load(work / "landmark_labels.npz")["crops"][: twins.CALIBRATION_IMAGES]
    box64 = F.avg_pool2d(to01(torch.from_numpy(boxes)), 2).numpy()
    print("twin ops:", twins.build(work, args.out, hr, box64), flush=True)


def write_stage_manifest(stage: Path, lm_entry, det_entry):
    """What `lrfr crop` needs of the models so far: the landmark model and the detector."""
    (stage / "manifest.json").write_text(json.dumps({"schema_version": 1, "landmarks": lm_entry, "detector": det_entry}, indent=1))


def smoke_faces(faces: Path, work: Path):
    """A small tree of symlinks: 12 identities with 2+ images."""
    small = work / "smoke-faces"
    if not small.exists():
        small.mkdir(parents=True)
        picked = [p for p in sorted(faces.iterdir()) if len(list(p.glob("*.jpg"))) >= 2][:12]
        for p in picked:
            (small / p.name).symlink_to(p)
    return small


if __name__ == "__main__":
    main()
