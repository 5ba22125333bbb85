#!/usr/bin/env bash
# The forge's GPU path in one run, for a machine with a CUDA GPU (issue 35, item 5): that every
# training step moves what it uses, how long each takes there (the README's GPU column), and a
# smoke run end to end on the GPU. Writes its logs and the step times into OUT.
#
#   models/forge/gpu_check.sh OUT [SHARED_ASSETS] [LRFR_BINARY] [DEVICE]
#
# SHARED_ASSETS needs upstream/ and the first 12 identities of faces/train (the smoke run's);
# LRFR_BINARY a release build (its `lrfr crop` makes the smoke run's crops). DEVICE is cuda
# unless given (cpu checks the script itself on a machine without a GPU).
set -uo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shared=$(cd "${2:-$here/../../../shared/assets}" && pwd)
lrfr=$(cd "$(dirname "${3:-$here/../../target/release/lrfr}")" && pwd)/$(basename "${3:-lrfr}")
device=${4:-cuda}
python=${PYTHON:-python3}
export PYTHONUNBUFFERED=1
cd "$here"
$python -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name() if torch.cuda.is_available() else '')"
$python -m lrfr_forge.checks.device_moves 2>&1 | tail -1
$python -m lrfr_forge.checks.step_times --device "$device" --steps "${STEPS:-30}" --json "$out/step_times.json" >"$out/step_times.log" 2>&1
echo "step_times: exit $?"; tail -19 "$out/step_times.log"
work=$(mktemp -d)
start=$(date +%s)
$python forge.py --smoke --device "$device" --work "$work" --out "$work/models" --shared "$shared" --lrfr "$lrfr" >"$out/smoke.log" 2>&1
echo "smoke run: exit $? in $(( $(date +%s) - start )) s"; grep -E "training on|done at" "$out/smoke.log" | tail -12
rm -rf "$work"
