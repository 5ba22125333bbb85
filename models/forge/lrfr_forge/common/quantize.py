"""INT8 forms of a float ONNX graph.

weight_only_qdq: per-output-channel symmetric int8 weights feeding DequantizeLinear, float
activations. tract 0.23.9 folds it back to float weights at load (fp32 speed, ~3.4x smaller
files): the form the app ships (shared/notes/tract-int8.md).

The integer-compute twins (for measuring on a Pi 5's SDOT kernels) come from onnxruntime's
quantisation tools: dynamic MatMul-only for EdgeFace, static per-tensor QLinearConv for DSR.
"""

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

MIN_ELEMENTS = 16  # tiny tensors (a 3-channel bias-like weight) stay float: nothing to gain


def weight_only_qdq(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    new_nodes = []
    replaced = {}
    for node in graph.node:
        if node.op_type == "Conv":
            slots = [(1, 0)]
        elif node.op_type == "Gemm":
            trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
            slots = [(1, 0 if trans_b else 1)]
        elif node.op_type == "MatMul":
            slots = [(1, 1)]
        else:
            slots = []
        for slot, axis in slots:
            name = node.input[slot]
            init = inits.get(name)
            if init is None or init.data_type != TensorProto.FLOAT:
                continue
            w = numpy_helper.to_array(init)
            if w.size < MIN_ELEMENTS or w.ndim < 2:
                continue
            # Shared weights keep one dequantised copy for all users.
            if name not in replaced:
                moved = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)
                scale = np.abs(moved).max(axis=1) / 127.0
                scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
                shape = [1] * w.ndim
                shape[axis] = -1
                q = np.clip(np.round(w / scale.reshape(shape)), -127, 127).astype(np.int8)
                qname, sname, zname, dname = name + "_q", name + "_scale", name + "_zp", name + "_dq"
                graph.initializer.extend([
                    numpy_helper.from_array(q, qname),
                    numpy_helper.from_array(scale, sname),
                    numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), zname),
                ])
                new_nodes.append(helper.make_node("DequantizeLinear", [qname, sname, zname], [dname], axis=axis, name=dname))
                replaced[name] = dname
            node.input[slot] = replaced[name]
    keep = [i for i in graph.initializer if i.name not in replaced]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = list(new_nodes) + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    return model


def op_list(model: onnx.ModelProto):
    return sorted({n.op_type for n in model.graph.node})
