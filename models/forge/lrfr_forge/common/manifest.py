"""Entries of `models/manifest.json`: what each network file is, checked by the app on load."""

import hashlib
from pathlib import Path


def sha256(path: Path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def entry(path: Path, shape_in, shape_out, mean, std):
    return {"file": path.name, "sha256": sha256(path), "input": shape_in, "output": shape_out, "mean": mean, "std": std}
