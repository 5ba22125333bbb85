"""Where the forge's networks train: a GPU when one is there (or `--device cuda`), else the CPU.

Only training goes there (`fit.py`: the trained modules, the frozen ones a step runs, and each
batch). Batches are still drawn and augmented on the CPU from the CPU's generator, so a run
draws the same batches wherever it trains, and on the CPU nothing moves at all: `put` and
`fit` leave every tensor where it is, and a CPU run makes the same files, bit for bit, as before
the forge knew of devices. A GPU sums in another order (and cuDNN picks its own kernels), so a
GPU run's files differ from the CPU's in their last bits; the committed models were made on
the CPU. Checkpoints are read onto the CPU whatever wrote them, so a step begun on one resumes
on the other.
"""

import os

import torch

VARIABLE = "LRFR_FORGE_DEVICE"
CHOICES = ("auto", "cpu", "cuda")


def choose(name: str) -> None:
    """Sets the device for this process and the steps it starts (`forge.py --device`)."""
    if name not in CHOICES:
        raise SystemExit(f"--device must be one of {', '.join(CHOICES)}, not {name!r}")
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: this torch sees no CUDA GPU (torch.cuda.is_available() is False)")
    os.environ[VARIABLE] = name


def current() -> torch.device:
    """The device `choose` (or the environment) named; `auto` is a CUDA GPU when torch sees
    one."""
    name = os.environ.get(VARIABLE, "auto")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def put(*tensors):
    """The tensors on the training device (the same objects when that is the CPU)."""
    where = current()
    moved = tuple(t.to(where) for t in tensors)
    return moved[0] if len(moved) == 1 else moved
