"""Cost of the season totals' playing-time spread: `projection_ranges` of 500 rows with and without it.

Realistic rows (no artifact needed): batters projected at ~600 PA (6 stats), pitchers at 400-700 BF (4
stats); rates in each stat's usual range; Marcel evidence 300-2000; the range parameters (R_S, k_S,
D_S) of the real_2019 run's blend.json; the spread's top band (1 level of 20 at 0 for batters, 2 for
pitchers) shaped after docs/ranges.md's fitted percentiles. `test_spread_cost_ratio` times the two
alternately in one run (one round = one call without the spread, then one with it) and reports the
medians and their ratio in extra_info (docs/ranges.md quotes it; target: at most ~1.5).

    PYTHONPATH=runtime:train:export python -m pytest benchmarks/test_ranges_bench.py -q -s
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pytest

from hfm_runtime.playing_time import GRID, PlayingTimeSpread
from hfm_runtime.ranges import projection_ranges

ROWS = 500
ROUNDS = 9
# real_2019_no_detail's blend.json "ranges": (prior R_S, scale k_S, drift D_S) per stat
PARAMS = {
    "batter": {"SO": (51.8, 1.15, 350.0), "BB": (96.1, 0.572, 250.0), "HR": (159.0, 0.572, 250.0),
               "H": (349.3, 1.749, None), "2B": (996.2, 0.572, 1500.0), "3B": (411.3, 0.658, 1500.0)},
    "pitcher": {"SO": (67.0, 1.15, 250.0), "BB": (197.2, 0.572, 250.0), "HR": (674.5, 1.749, 3000.0),
                "H": (376.1, 1.0, 1500.0)},
}
RATES = {"batter": {"SO": (0.12, 0.32), "BB": (0.05, 0.13), "HR": (0.01, 0.06), "H": (0.19, 0.27),
                    "2B": (0.03, 0.06), "3B": (0.002, 0.008)},
         "pitcher": {"SO": (0.15, 0.33), "BB": (0.05, 0.11), "HR": (0.02, 0.04), "H": (0.19, 0.26)}}
OPPORTUNITIES = {"batter": (540.0, 680.0), "pitcher": (400.0, 700.0)}
# the top band's r percentiles (p10, p50, p90) and levels at 0, after docs/ranges.md's fitted table
TOP_BAND = {"batter": (0.26, 0.95, 1.26, 1), "pitcher": (0.08, 0.95, 1.70, 2)}


def _levels(p10: float, p50: float, p90: float, zeros: int) -> tuple[float, ...]:
    grid = np.array(GRID)
    up = np.interp(grid, [grid[zeros], 0.1, 0.5, 0.9, grid[-1]], [0.5 * p10, p10, p50, p90, 1.08 * p90])
    return tuple(float(v) for v in np.where(np.arange(len(grid)) < zeros, 0.0, up))


def _spread() -> PlayingTimeSpread:
    edges = {"batter": (200.0, 237.0, 399.0), "pitcher": (110.0, 144.0, 247.0)}
    ratio = {pt: tuple(_levels(*TOP_BAND[pt]) for _ in range(4)) for pt in ("batter", "pitcher")}
    return PlayingTimeSpread(edges, ratio, "benchmark: top band after docs/ranges.md")


def rows(player_type: str, size: int = ROWS, seed: int = 0) -> dict:
    """projection_ranges' arguments for `size` realistic rows of one type (module docstring)."""
    rng = np.random.default_rng(seed)
    stats = list(PARAMS[player_type])
    center = np.column_stack([rng.uniform(*RATES[player_type][s], size) for s in stats])
    n0 = rng.uniform(*OPPORTUNITIES[player_type], size)
    prior, scale, drift = (np.array([PARAMS[player_type][s][i] or np.inf for s in stats]) for i in range(3))
    return {"center": center, "evidence": rng.uniform(300, 2000, size), "opportunities": n0, "prior": prior,
            "scale": scale, "inverse_drift": 1.0 / drift, "levels": _spread().levels(player_type, n0)}


def _call(args: dict, spread: bool):
    return projection_ranges(args["center"], args["evidence"], args["opportunities"], args["prior"], args["scale"],
                             args["inverse_drift"], playing_time=args["levels"] if spread else None)


@pytest.mark.parametrize("player_type", ["batter", "pitcher"])
@pytest.mark.parametrize("spread", [False, True], ids=["fixed", "spread"])
def test_projection_ranges(benchmark, player_type: str, spread: bool) -> None:
    args = rows(player_type)
    benchmark.pedantic(_call, args=(args, spread), rounds=ROUNDS, warmup_rounds=1)
    benchmark.extra_info.update(what=f"projection_ranges, {ROWS} {player_type} rows", spread=spread)


@pytest.mark.parametrize("player_type", ["batter", "pitcher"])
def test_spread_cost_ratio(benchmark, player_type: str) -> None:
    """Without and with the spread alternately, ROUNDS rounds: the medians and their ratio."""
    args = rows(player_type)
    times: dict[bool, list[float]] = {False: [], True: []}

    def pair() -> None:
        for spread in (False, True):
            start = time.perf_counter()
            _call(args, spread)
            times[spread].append(time.perf_counter() - start)

    benchmark.pedantic(pair, rounds=ROUNDS, warmup_rounds=1)
    fixed, mixed = (statistics.median(times[s][1:]) for s in (False, True))  # [0]: the warm-up round
    benchmark.extra_info.update(what=f"projection_ranges, {ROWS} {player_type} rows, without / with the spread",
                                fixed_s=fixed, spread_s=mixed, ratio=mixed / fixed)
    print(f"\n{player_type}: {ROWS} rows, without the spread {fixed * 1e3:.1f} ms, with it {mixed * 1e3:.1f} ms, "
          f"ratio {mixed / fixed:.2f} (median of {ROUNDS}, alternated)")
