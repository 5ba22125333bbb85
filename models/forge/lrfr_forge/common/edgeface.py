"""EdgeFace (Idiap, BSD-3): the upstream network rebuilt with timm, its dynamically quantised
Linear weights unpacked back to float, and our resolution-aware fine-tuning."""

import copy

import timm
import torch
import torch.nn as nn
import torch.nn.functional as F

PACKED = "._packed_params._packed_params"


class EdgeFace(nn.Module):
    """Upstream wraps the timm backbone in an attribute named `model`; so do we, so the
    checkpoint's keys load as they are."""

    def __init__(self, arch="edgenext_xx_small"):
        super().__init__()
        self.model = timm.create_model(arch, pretrained=False)
        self.model.reset_classifier(512)

    def forward(self, x):
        return self.model(x)


def load_upstream(path, arch="edgenext_xx_small") -> EdgeFace:
    quantised = torch.ao.quantization.quantize_dynamic(copy.deepcopy(EdgeFace(arch)), {nn.Linear}, dtype=torch.qint8)
    quantised.load_state_dict(torch.load(path, map_location="cpu", weights_only=False), strict=True)
    state = {}
    for key, value in quantised.state_dict().items():
        if key.endswith(PACKED):
            prefix = key[: -len(PACKED)]
            weight, bias = value
            state[prefix + ".weight"] = weight.dequantize()
            if bias is not None:
                state[prefix + ".bias"] = bias
        elif key.endswith("._packed_params.dtype") or key.endswith(".scale") and prefix_is_linear(quantised, key) or key.endswith(".zero_point") and prefix_is_linear(quantised, key):
            continue
        else:
            state[key] = value
    model = EdgeFace(arch)
    model.load_state_dict(state, strict=True)
    return model.eval()


def prefix_is_linear(quantised, key):
    name = key.rsplit(".", 1)[0]
    module = dict(quantised.named_modules()).get(name)
    return isinstance(module, torch.ao.nn.quantized.dynamic.Linear)


def normalise(x01):
    """EdgeFace sees RGB in [-1, 1]."""
    return (x01 - 0.5) / 0.5


def embed(model, x01):
    return F.normalize(model(normalise(x01)), dim=-1)
