"""Does torch's OpenMP wait policy matter on a shared machine? One Graph-2 fine-tuning step (the
default model size, a batch of 64 players x 30 games x 8 PAs) timed with 1 thread, 2 spinning
threads (OMP_WAIT_POLICY=ACTIVE, what libgomp does by default) and 2 passive threads (what
`hfm-train` sets, hfm_train/cli.py), each in its own process (the policy is read when torch loads),
in interleaved rounds so that a change in the machine's load hits every variant alike.

    python benchmarks/thread_wait.py [--rounds 3] [--steps 5]

Prints the median ms per step of each variant and the load average; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

STEP = r'''
import json, sys, time
import torch
from hfm_train.model.hfm import GameProjectionModel, ModelConfig
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
model = GameProjectionModel(ModelConfig.build(d_pa=64, n_stat_features=60, n_archetypes=20, n_targets=6))
B, T, A, D = 64, 30, 8, 64
x = dict(pa_emb=torch.randn(B, T, A, D), pa_mask=torch.rand(B, T, A) > 0.3, pa_outcome=torch.randint(0, 9, (B, T, A)),
         game_mask=torch.ones(B, T, dtype=torch.bool), game_days=torch.rand(B, T) * 100,
         stat_features=torch.randn(B, 60), archetype=torch.randint(0, 20, (B,)))
opt = torch.optim.AdamW(model.parameters())
def step():
    z, _, _ = model.forward_standardised(**x)
    opt.zero_grad(); (z ** 2).mean().backward(); opt.step()
step()
times = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
print(json.dumps(times))
'''

VARIANTS = {"1 thread": ("1", None), "2 threads, spinning": ("2", "ACTIVE"), "2 threads, passive": ("2", "PASSIVE")}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=5)
    args = p.parse_args()
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    load = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name, (threads, policy) in VARIANTS.items():
            env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
            if policy:
                env["OMP_WAIT_POLICY"] = policy
            out = subprocess.run([sys.executable, "-c", STEP, threads, str(args.steps)], env=env,
                                 capture_output=True, text=True, check=True).stdout
            times[name] += json.loads(out.strip().splitlines()[-1])
        load.append(os.getloadavg()[0])
    print(f"load average (1 min) during the runs: {min(load):.1f}-{max(load):.1f} on {os.cpu_count()} cores")
    for name, ts in times.items():
        print(f"{name:>22}: median {statistics.median(ts) * 1000:6.0f} ms/step "
              f"(min {min(ts) * 1000:.0f}, max {max(ts) * 1000:.0f}, {len(ts)} steps)")


if __name__ == "__main__":
    main()
