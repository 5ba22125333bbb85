"""Step 3: the upstream EdgeFace's embeddings of every training crop (and of its mirror), the
identity targets the DSR and the fine-tune learn towards, and the crops themselves, cached."""

import numpy as np
import torch

from lrfr_forge.common import data, edgeface
from lrfr_forge.common.data import to01


def cached_crops(crops, names, path):
    if path.exists():
        z = np.load(path)
        return torch.from_numpy(z["x"]), torch.from_numpy(z["y"]), list(z["files"])
    x, y, files = data.load_crops(crops, names)
    np.savez(path, x=x, y=y, files=np.array(files))
    return torch.from_numpy(x), torch.from_numpy(y), files


def teacher_embeddings(teacher, x, path):
    """Upstream embeddings of every training crop and of its mirror image."""
    if path.exists():
        return torch.load(path)
    out = []
    with torch.no_grad():
        for start in range(0, len(x), 128):
            hr = to01(x[start:start + 128])
            out.append(torch.stack([edgeface.embed(teacher, hr), edgeface.embed(teacher, hr.flip(-1))], 1))
    targets = torch.cat(out)
    torch.save(targets, path)
    return targets
