"""Step 6: ONNX export, weight-only INT8, validation with onnxruntime, manifest and report."""

import json
import time
from pathlib import Path

import numpy as np
import onnx
import torch

from lrfr_forge.common import edgeface, geometry, quantize
from lrfr_forge.common.data import val_set
from lrfr_forge.common.manifest import entry
from lrfr_forge.common.metrics import eer_change, psnr, scores, ssim, verification
from lrfr_forge.common.onnx_session import l2, run, session
from lrfr_forge.steps import s04_dsr as dsr, s06_alignment as alignment, s06_reference as reference

OPSET = 17


def export_onnx(module, shape, path: Path):
    torch.onnx.export(module.eval(), torch.zeros(*shape), str(path), input_names=["input"], output_names=["output"], opset_version=OPSET, dynamo=False)


def int8(src: Path, dst: Path):
    model = quantize.weight_only_qdq(onnx.load(str(src)))
    onnx.save(model, str(dst))
    return quantize.op_list(model)


def choose_edgefaces(students, nets, hr, pairs, names):
    """Per resolution, the shared fine-tune, or the resolution's own where its validation EER
    on DSR outputs (fp32) is lower by more than chance: the whole 95% interval of the change,
    by a paired bootstrap over people, below zero. The shared one costs no extra memory or
    file, so it is what a change has to beat."""
    people = [a.split("/")[0] for a, _, _ in pairs]
    chosen, eers = {}, {}
    for res, net in nets.items():
        with torch.no_grad():
            sr = batched(net, dsr.downscale(hr, res)).clamp(0, 1)
            pair_scores = {}
            for key in ("shared", res):
                emb = l2(batched(lambda x: edgeface.embed(students[key], x), sr).numpy())
                pair_scores[key], same = scores(pairs, dict(zip(names, emb)))
        eer = {key: verification(s, same)["eer"] for key, s in pair_scores.items()}
        change = eer_change(pair_scores["shared"], pair_scores[res], same, people)
        chosen[res] = res if change[1] < 0 else "shared"
        eers[res] = {"shared fine-tune": eer["shared"], "own fine-tune": eer[res], "own less shared, 95%": change,
                     "chosen": "own" if chosen[res] == res else "shared"}
    return chosen, eers


def batched(fn, x, size=128):
    return torch.cat([fn(x[i:i + size]) for i in range(0, len(x), size)])


def edgeface_file(key):
    return "edgeface.onnx" if key == "shared" else f"edgeface{key}.onnx"


def export_all(args, work: Path, stage: Path, nets, students, teacher, crops, split, started):
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("edgeface*.onnx"):
        stale.unlink()
    fp32 = work / "fp32"
    fp32.mkdir(exist_ok=True)
    report = {"resolutions": {}}
    ops = {}
    pairs, images = val_set(crops, work)
    names = sorted(images)
    hr = torch.from_numpy(np.stack([images[n] for n in names])).permute(0, 3, 1, 2).float() / 255
    chosen, report["edgeface_choice"] = choose_edgefaces(students, nets, hr, pairs, names)
    for key in sorted(set(chosen.values()), key=str):
        name = edgeface_file(key)
        export_onnx(students[key], (1, 3, 112, 112), fp32 / name)
        ops[name] = int8(fp32 / name, out / name)
    for res, net in nets.items():
        name = f"dsr{res}.onnx"
        export_onnx(net, (1, 3, res, res), fp32 / name)
        ops[name] = int8(fp32 / name, out / name)
    for name in ("landmarks.onnx", "detector.onnx"):
        (out / name).write_bytes((stage / name).read_bytes())
        ops[name] = quantize.op_list(onnx.load(str(out / name)))

    with torch.no_grad():
        full = l2(batched(lambda x: edgeface.embed(teacher, x), hr).numpy())
    report["full_resolution_upstream"] = verification(*scores(pairs, dict(zip(names, full))))
    cosines = []
    for res in geometry.RESOLUTIONS:
        lr = dsr.downscale(hr, res)
        bic = dsr.bicubic(lr, res)
        ef_name = edgeface_file(chosen[res])
        ef32, ef8 = session(fp32 / ef_name), session(out / ef_name)
        d32, d8 = session(fp32 / f"dsr{res}.onnx"), session(out / f"dsr{res}.onnx")
        sr32 = np.clip(run(d32, lr.numpy()), 0, 1)
        sr8 = np.clip(run(d8, lr.numpy()), 0, 1)
        norm = lambda x: ((x - 0.5) / 0.5).astype(np.float32)
        with torch.no_grad():
            up_bic = l2(batched(lambda x: edgeface.embed(teacher, x), bic).numpy())
            up_sr = l2(batched(lambda x: edgeface.embed(teacher, x), torch.from_numpy(sr32)).numpy())
        ft_bic = l2(run(ef8, norm(bic.numpy())))
        ft32 = l2(run(ef32, norm(sr32)))
        ft8 = l2(run(ef8, norm(sr8)))
        cosines.append((ft32 * ft8).sum(-1))
        rows = {
            "bicubic+upstream (fp32, torch)": up_bic,
            "dsr+upstream (fp32, torch)": up_sr,
            "bicubic+finetuned (int8, onnxruntime)": ft_bic,
            "dsr+finetuned (fp32, onnxruntime)": ft32,
            "dsr+finetuned (int8, onnxruntime)": ft8,
        }
        r = {k: verification(*scores(pairs, dict(zip(names, v)))) for k, v in rows.items()}
        r["edgeface"] = ef_name
        r["psnr_dsr"] = float(psnr(torch.from_numpy(sr8), hr))
        r["psnr_bicubic"] = float(psnr(bic, hr))
        r["ssim_dsr"] = ssim(torch.from_numpy(sr8), hr)
        r["ssim_bicubic"] = ssim(bic, hr)
        report["resolutions"][res] = r
        print(f"res {res}: " + ", ".join(f"{k} EER {100 * v['eer']:.2f}%" for k, v in r.items() if isinstance(v, dict)), flush=True)
    report["int8_vs_fp32_cosine_median"] = float(np.median(np.concatenate(cosines)))
    report["val_pairs"] = len(pairs)
    report["val_images_without_face"] = len({p for a, b, _ in pairs for p in (a, b)}) - len(images)
    report["ops"] = ops
    report["params"] = {
        "edgeface": sum(p.numel() for p in students["shared"].parameters()),
        **{f"dsr{r}.onnx": sum(p.numel() for p in n.parameters()) for r, n in nets.items()},
    }
    report["macs"] = {f"dsr{r}.onnx": dsr.macs(r) for r in nets}
    report["forge_seconds"] = time.time() - started
    (work / "report.json").write_text(json.dumps(report, indent=1))
    write_manifest(out, stage, report)
    reference.write(work, crops, out)
    manifest = json.loads((out / "manifest.json").read_text())
    report["alignment_eer"] = alignment.study(args, work, args.faces, split, stage, out, pairs, manifest)
    (work / "report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "resolutions"}, indent=1))


# Faces of 16 px of their own are also aligned at 24 px and embedded by the 24 px networks, and
# decided on both (src/matching/paths.rs); step 10 calibrates that decision's thresholds.
SECOND_PATHS = {16: 24}


def write_manifest(out: Path, stage: Path, report):
    """The manifest of the exported networks; the detector's entry comes from step 1b's."""
    edgeface_entry = lambda name: entry(out / name, [1, 3, 112, 112], [1, 512], 0.5, 0.5)
    files = [report["resolutions"][res]["edgeface"] for res in geometry.RESOLUTIONS]
    # The top-level EdgeFace is the shared one when any resolution uses it, else the first
    # resolution's own (loaded once either way).
    default = "edgeface.onnx" if "edgeface.onnx" in files else files[0]
    manifest = {
        "schema_version": 2,
        "landmarks": entry(out / "landmarks.onnx", [1, 3, 64, 64], [1, 10], 0.0, 1.0),
        "detector": {**json.loads((stage / "manifest.json").read_text())["detector"]},
        "edgeface": edgeface_entry(default),
        "resolutions": [],
    }
    for res, file in zip(geometry.RESOLUTIONS, files):
        r = report["resolutions"][res]
        best = round(r["dsr+finetuned (int8, onnxruntime)"]["threshold_best"], 4)
        second = {"res": SECOND_PATHS.get(res), "threshold": best, "threshold_fpir": 1.0, "threshold_fnir": 0.0,
                  "verify_threshold": best}
        manifest["resolutions"].append({
            "res": res,
            "dsr": entry(out / f"dsr{res}.onnx", [1, 3, res, res], [1, 3, 112, 112], 0.0, 1.0),
            **({"edgeface": edgeface_entry(file)} if file != default else {}),
            # Provisional, from onnxruntime pairs: the calibrate step replaces these (and the
            # second path's) with thresholds measured through lrfr itself.
            "threshold": best,
            "threshold_fpir": 1.0,
            "threshold_fnir": 0.0,
            "verify_threshold": best,
            "bicubic_threshold": round(r["bicubic+finetuned (int8, onnxruntime)"]["threshold_best"], 4),
            **({"second_path": second} if second["res"] else {}),
        })
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
