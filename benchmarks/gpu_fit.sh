#!/usr/bin/env bash
# GPU check and timing (README "GPU"): on a machine with a CUDA GPU and torch, from the repository root,
# with the default league in artifacts/league (hfm-train simulate). Runs the device tests on the real
# GPU, then fits the default league on CUDA, exports and scores that run, fits it on the CPU of the
# same machine (all its cores), and last on CUDA with the deep part forced on (Level 1 reused). A
# failed step prints its log's tail and the script goes on, so one run reports every step. Per-stage
# times are in each run's config.json ("stages"); this prints them side by side. OUT (default
# /tmp/gpu_fit) gets the logs and the run folders without their caches.
set -euo pipefail
OUT=${OUT:-/tmp/gpu_fit}; RUNS=/tmp/gpu_fit_runs; THREADS=${THREADS:-$(nproc)}
mkdir -p "$OUT"; rm -rf "$RUNS"
export PYTHONPATH=$PWD/runtime:$PWD/train:$PWD/export${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi -L
python3 -c "import torch, onnxruntime; print('torch', torch.__version__, torch.cuda.get_device_name(0), 'bf16', torch.cuda.is_bf16_supported(), 'onnxruntime', onnxruntime.__version__)"
python3 -m pytest -q -p no:cacheprovider tests/test_device.py || echo "device tests FAILED"

fit() {  # name device extra-args...
  local name=$1 device=$2; shift 2
  local t0=$SECONDS
  python3 -m hfm_train fit --league artifacts/league --runs-dir "$RUNS" --name "$name" --device "$device" \
      --threads "$THREADS" --no-progress "$@" > "$OUT/fit_$name.log" 2>&1 \
      || { tail -30 "$OUT/fit_$name.log"; echo "fit $name FAILED"; return; }
  echo "fit $name ($device): $((SECONDS - t0)) s"
}
fit cuda cuda
python3 -c "from hfm_export.cli import main; main()" "$RUNS/cuda" --out /tmp/gpu_fit_bundle || echo "export FAILED"
python3 -c "from hfm_runtime.cli import main; main()" --bundle /tmp/gpu_fit_bundle --league artifacts/league \
    --top 5 || echo "score FAILED"
fit cpu cpu
fit cuda_deep cuda --level1-from "$RUNS/cuda" --set finetune.deep_gate_z=null

python3 - "$RUNS" <<'EOF'
import json, sys
from pathlib import Path
runs = Path(sys.argv[1])
names = [p.name for p in sorted(runs.iterdir()) if (p / "config.json").exists()] if runs.exists() else []
if not names:
    sys.exit("no finished run")
stages = {n: {s["name"]: s["wall_s"] for s in json.loads((runs / n / "config.json").read_text())["stages"]} for n in names}
print("wall s".ljust(24) + "".join(n.rjust(11) for n in names))
for stage in stages[names[0]]:
    print(stage.ljust(24) + "".join(f"{stages[n].get(stage, 0):11.1f}" for n in names))
print("total".ljust(24) + "".join(f"{sum(stages[n].values()):11.1f}" for n in names))
EOF
tar czf "$OUT/runs.tgz" --exclude='*.npz' --exclude='*.pt' -C "$(dirname "$RUNS")" "$(basename "$RUNS")"
