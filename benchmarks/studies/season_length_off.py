"""`hfm-train` with the season-length correction off everywhere: the retrained ablation of 2021.

    python benchmarks/studies/season_length_off.py fit --league artifacts/league_retro --history-seasons 6 \
        --first-season 2010 --last-season 2021 --history-only 2020 --name real_2021_no_season_length_all

The correction (hfm_runtime.targets.season_scale) counts the 60-game 2020's opportunities x 162/60
wherever a feature reads how much a player played: the model's profile, both ridges (the batters'
blend is mixed with the sequence ridge), Marcel's playing time and the playing-time model. The
profile's use has a switch (`--set profile.season_length_correction=false`, the Makefile's
`real_2021_no_season_length`); the others have none, since nothing but this ablation should turn
them off. This runs the ordinary command line with every season counted as played (SEASON_GAMES
emptied in this process), so the run's test predictions are made without the correction too.

    python benchmarks/studies/season_length_off.py compare artifacts/runs/real_2021 artifacts/runs/real_2021_no_season_length_all

prints, per player type and for the blend, both ridges and Marcel, the mean cut against Marcel
(the run's own Marcel: his rates read no season length) with the correction and without, and a 90%
paired bootstrap interval of the difference (the players of the real-data report, resampled with
every stat of a player drawn together, the same draws for both runs).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime import targets
from hfm_train.cli import main
from hfm_train.fit import DEFAULT_RUNS
from hfm_train.real_eval import METHODS, report_players, season_lines_of, weighted_rmse, wide_predictions

SAMPLES = 2000
MARKER = "season_games"  # written into the ablation run's config.json: the season lengths it counted


def compare(on: Path, off: Path) -> None:
    configs = {k: json.loads((run / "config.json").read_text()) for k, run in (("on", on), ("off", off))}
    test = int(configs["on"]["seasons"]["test"][0])
    if int(configs["off"]["seasons"]["test"][0]) != test:
        sys.exit(f"{off}: its test season is not {on}'s {test}")
    if configs["off"].get(MARKER) != {} or configs["on"].get(MARKER, None) == {}:
        sys.exit(f"{off} must be a run of this script's `fit` (config.json {MARKER}: {{}}) and {on} not")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: python benchmarks/studies/season_length_off.py "
          f"compare {on} {off}")
    lines = season_lines_of(Path(configs["on"]["league"]), range(test - 3, test + 1))
    runs = {"on": pd.read_csv(on / "test_predictions.csv"), "off": pd.read_csv(off / "test_predictions.csv")}
    print(f"test season {test}; mean cut against each run's Marcel, with the correction (on) and without (off)")
    for pt, opp in (("batter", "PA"), ("pitcher", "BF")):
        wide = {k: wide_predictions(r[r["player_type"] == pt], list(targets.TARGET_STATS[pt]),
                                    [*METHODS, "actual", "weight"]) for k, r in runs.items()}
        weight = wide["on"]["weight"].iloc[:, 0]
        ids = report_players(weight, lines[pt], test, opp)
        w, truth = weight.loc[ids].to_numpy(float), wide["on"]["actual"].loc[ids].to_numpy(float)
        assert np.array_equal(truth, wide["off"]["actual"].loc[ids].to_numpy(float))
        pred = {k: {m: wide[k][m].loc[ids].to_numpy(float) for m in ("blend", "statcast_ridge", "stat_ridge", "marcel")}
                for k in runs}
        rng = np.random.default_rng(test)
        draws = [rng.integers(0, len(w), len(w)) for _ in range(SAMPLES)]

        def cut(k, m, rows):
            return np.mean(1 - weighted_rmse(pred[k][m][rows], truth[rows], w[rows])
                           / weighted_rmse(pred[k]["marcel"][rows], truth[rows], w[rows]))

        print(f"\n{pt}s ({len(ids)} players)\n| method | on | off | off - on, 90% interval |\n|---|---|---|---|")
        every = np.arange(len(w))
        for m in ("blend", "statcast_ridge", "stat_ridge"):
            name = METHODS[m]
            diff = np.array([cut("off", m, r) - cut("on", m, r) for r in draws]) * 100
            lo, hi = np.percentile(diff, [5, 95])
            print(f"| {name} | {cut('on', m, every):+.2%} | {cut('off', m, every):+.2%} | [{lo:+.2f}, {hi:+.2f}] point |")
        marcel_same = np.array_equal(pred["on"]["marcel"], pred["off"]["marcel"])
        print(f"Marcel's rates the same in both runs: {marcel_same}")


def fit() -> None:
    """`hfm-train` with SEASON_GAMES emptied; then the run's config.json records it (MARKER), since
    its identity files still say the profile's switch was on."""
    targets.SEASON_GAMES.clear()  # season_scale reads it at every call: 1.0 for every season
    main()  # an error exits here
    if "--name" in sys.argv:
        config = DEFAULT_RUNS / sys.argv[sys.argv.index("--name") + 1] / "config.json"
        config.write_text(json.dumps({**json.loads(config.read_text()), MARKER: {}}, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["compare"]:
        compare(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        fit()
