"""The model forge's library, laid out in the order `forge.py` runs it:

- `common/`: what several steps share: the data split and batches (`data`), the face geometry
  the app also reads (`geometry`), the one training loop (`fit`), onnxruntime sessions
  (`onnx_session`), the upstream EdgeFace (`edgeface`), YuNet (`yunet`), weight-only INT8
  (`quantize`), manifest entries (`manifest`) and verification metrics (`metrics`).
- `steps/`: one module (or a few, sharing the prefix) per step, numbered as the forge's README
  numbers them, from `s01_landmarks` to `s10_calibrate`.
- `checks/`: measurements through the release binary that make nothing in `models/`.
"""
