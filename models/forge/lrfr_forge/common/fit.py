"""The one training loop every network of the forge goes through, and its one checkpoint format.

A step is a function of the batch generator that returns its loss terms; `fit` does the rest:
back-propagation, the optimiser and its schedule, progress lines, and a checkpoint every
`every` steps and at the end, so an interrupted step resumes where it stopped. The checkpoint
holds the trained modules, the optimiser, the schedule and the step reached:

    {"format": FORMAT, "modules": {name: state_dict}, "opt": ..., "sched": ..., "step": n,
     "steps": total, "report": {...}}

It is finished when `step == steps`. A checkpoint of another format, or of a run with another
step count (so another learning-rate schedule) part-way through, is set aside and the step
trains again from the start.

Batches are drawn from a generator seeded with `seed + start`: an uninterrupted run is the same
every time; a resumed one draws other batches after the break. The caller sets the modules'
modes (training, or BatchNorm frozen) before calling, and seeds torch's global generator where
its networks are built.

Training runs on `device.current()`: `fit` moves the trained modules and `frozen` (modules the
step runs but does not train, such as a teacher) there and back to the CPU when it is done;
the step moves its batch with `device.put`. Checkpoints are read onto the CPU whatever device
wrote them (`map_location`), so a step begun on a GPU resumes on the CPU and the other way.
"""

import time
from pathlib import Path

import torch

from lrfr_forge.common import device

FORMAT = "lrfr-forge-fit-1"


def fit(ckpt: Path, name, modules, opt, sched, steps, step, seed, every=100, frozen=()):
    """Trains `modules` (a dict of name to module) for `steps` steps of `step(gen, i)`, which
    returns a dict of loss terms whose "loss" is back-propagated (the others are printed). A
    finished checkpoint is only loaded into `modules`; `trained` also returns its report.
    `frozen` are the modules `step` runs without training them; all of them end on the CPU."""
    start = 0
    state = load(ckpt, steps)
    if state is not None:
        for key, module in modules.items():
            module.load_state_dict(state["modules"][key])
        if state["step"] >= steps:
            return
    where = device.current()
    if where.type != "cpu":
        print(f"  {name}: training on {where}", flush=True)
    # Module.to moves each parameter's data in place, so `opt` keeps holding the same
    # parameters; an optimiser's loaded state follows its parameters' device.
    for module in [*modules.values(), *frozen]:
        module.to(where)
    if state is not None:
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        start = state["step"]
        print(f"  {name}: resuming at step {start}/{steps}", flush=True)
    gen = torch.Generator().manual_seed(seed + start)
    t0 = time.time()
    for i in range(start, steps):
        terms = step(gen, i)
        loss = terms["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        done = i + 1
        if done % every == 0 or done == steps:
            shown = " ".join(f"{k} {v.item():.4f}" for k, v in terms.items())
            print(f"  {name} {done}/{steps} {shown} ({time.time() - t0:.0f} s)", flush=True)
            save(ckpt, modules, opt, sched, done, steps)
    for module in [*modules.values(), *frozen]:
        module.to("cpu")


def finish(ckpt: Path, report):
    """Adds what the caller measured after training to the finished checkpoint, so a rerun
    returns it without measuring again."""
    state = torch.load(ckpt, map_location="cpu")
    state["report"] = report
    atomic_save(state, ckpt)


def trained(ckpt: Path, modules, steps):
    """Loads a finished checkpoint into `modules` and returns its report, or returns None (and
    leaves the modules) when there is none of `steps` steps."""
    state = load(ckpt, steps)
    if state is None or state["step"] < steps:
        return None
    for key, module in modules.items():
        module.load_state_dict(state["modules"][key])
    return state.get("report") or {}


def load(ckpt: Path, steps):
    if not ckpt.exists():
        return None
    state = torch.load(ckpt, map_location="cpu")
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        print(f"  {ckpt.name} is not a checkpoint of this forge's format: training again", flush=True)
        return None
    if state["steps"] != steps:
        print(f"  {ckpt.name} was made for {state['steps']} steps, not {steps}: training again", flush=True)
        return None
    return state


def save(ckpt: Path, modules, opt, sched, step, steps):
    state = {"format": FORMAT, "modules": {k: m.state_dict() for k, m in modules.items()}, "opt": opt.state_dict(),
             "sched": sched.state_dict(), "step": step, "steps": steps}
    atomic_save(state, ckpt)


def atomic_save(state, ckpt: Path):
    """Written beside and renamed over, so a run cut off mid-write leaves the last good one."""
    part = ckpt.with_name(ckpt.name + ".part")
    torch.save(state, part)
    part.replace(ckpt)
