"""onnxruntime on the CPU, the forge's reference for what an exported file computes: one
session per file, a batch run one image at a time (the files have a batch of 1), and L2
normalisation of what comes out. Its own module so that export, alignment, reference and
gate can all use it without importing one another."""

import numpy as np
import onnxruntime as ort


def session(path):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run(sess, x):
    return np.concatenate([sess.run(None, {"input": x[i:i + 1]})[0] for i in range(len(x))])


def l2(v):
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)
