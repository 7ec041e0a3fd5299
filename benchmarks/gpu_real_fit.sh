#!/usr/bin/env bash
# The pitch path's trial at the seeds' reference size, on real seasons (docs/gpu.md "Real seasons,
# Level 1 at the reference size"): on a machine with a CUDA GPU and torch, from the repository root. Imports the
# Retrosheet seasons 2010-2019 from $RETRO (their <YEAR>eve.zip and chadwick_register_retro.csv), then
# fits two runs side by side on CUDA with Level 1 at the reference size (256 wide, 4 layers, 8 heads,
# feed-forward 1024) pre-trained on every training game until validation stops improving, and the deep
# part forced on (no gate), so the pitch path is in every projection:
#   gpu_big_2018  --first-season 2010 --last-season 2018  (2018: a selection season, chosen on)
#   gpu_big_2019  --first-season 2011 --last-season 2019  (2019: a test season, the same flags as real_2019)
# and writes each run's real-report (its "pitch context off" row is the pitch path's ablation) and
# per-stage times to $OUT. chadwickpy travels as a wheel in .whl/ (the machine has no registry).
# Prepared here (both folders listed in .git/info/exclude, then carried):
#   mkdir -p .devdata .whl && cp ../shared/data/retrosheet/20{10..19}eve.zip \
#       ../shared/data/retrosheet/chadwick_register_retro.csv .devdata/ \
#   && pip download --no-deps chadwickpy==0.4.0 -d .whl
# Measured once (2026-12-04): pre-training alone took 242 s (240 s of CPU time), and neither fit finished
# inside a 15-minute lease (docs/gpu.md); cap pretrain.games_per_epoch to make it fit.
set -uo pipefail
OUT=${OUT:-/tmp/gpu_real}; RETRO=${RETRO:-.devdata}; RUNS=/tmp/gpu_real_runs; LIMIT=${LIMIT:-470}
mkdir -p "$OUT"; rm -rf "$RUNS"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl || exit 1
fi
export PYTHONPATH=$PWD/runtime:$PWD/train:$PWD/export:/tmp/site${PYTHONPATH:+:$PYTHONPATH} PYTHONUNBUFFERED=1
nvidia-smi -L; nproc
t0=$SECONDS
python3 -m hfm_train import $(ls "$RETRO"/20{10,11,12,13,14,15,16,17,18,19}eve.zip) \
    --register "$RETRO/chadwick_register_retro.csv" --out /tmp/league --workers "$(nproc)" --no-progress \
    > "$OUT/import.log" 2>&1 || { tail -20 "$OUT/import.log"; exit 1; }
echo "import: $((SECONDS - t0)) s"

BIG=(--set pretrain.model.d_model=256 --set pretrain.model.n_layers=4 --set pretrain.model.n_heads=8
     --set pretrain.model.d_ff=1024 --set pretrain.games_per_epoch=null --set pretrain.epochs=12
     --set pretrain.patience=2 --set pretrain.batch_pitches=16384 --set pretrain.lr=1e-3
     --set finetune.deep_gate_z=null --set denoise.enabled=false)
fit() {  # name first last
  local t=$SECONDS
  timeout "$LIMIT" python3 -m hfm_train fit --league /tmp/league --runs-dir "$RUNS" --name "$1" --device cuda \
      --threads 8 --no-progress --history-seasons 3 --first-season "$2" --last-season "$3" "${BIG[@]}" \
      > "$OUT/fit_$1.log" 2>&1 || { tail -25 "$OUT/fit_$1.log"; echo "fit $1 FAILED or timed out"; return; }
  echo "fit $1: $((SECONDS - t)) s"
}
fit gpu_big_2018 2010 2018 & fit gpu_big_2019 2011 2019 & wait
for y in 2018 2019; do
  run=$RUNS/gpu_big_$y
  [ -f "$run/config.json" ] || continue
  python3 -m hfm_train real-report "$run" --out "$OUT/gpu_big_$y.md" > /dev/null 2>&1 || echo "report $y FAILED"
  python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print(sys.argv[2], {s['name']: round(s['wall_s'],1) for s in c['stages']})" \
      "$run/config.json" "$y" | tee "$OUT/stages_$y.txt"
done
