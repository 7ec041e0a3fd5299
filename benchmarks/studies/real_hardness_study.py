"""Does how hard a player hit (or allowed) his balls in play, as the scorer coded it, help a ridge on real
seasons? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_hardness_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro] [--retrosheet ../shared/data/retrosheet]

Retrosheet's hit-type modifiers carry a hardness mark: `/L+` a hard line drive, `/G-` a soft ground
ball (the event files' own coding; the import keeps the hit type as `bb_type` and drops the mark, so
this study reads the event files directly). It is a crude exit velocity: contact quality, which
tracking shows to predict home runs and hits on balls in play. How often scorers used it moves from
season to season (hard line drives: about 3% of line drives in 2003, 26% in 2018), so
each season's marks are read against that season's own league share.

Per player-season (a batter's balls in play with a G/L/F/P hit type, bunts excluded; a pitcher's
allowed, the fielding team's pitcher of the moment from the `start`/`sub` records): `bip`, `hard`,
`soft`, and `exp_hard` / `exp_soft`, `bip` times that season's league share. Over the 5/4/3 window:
the hard index (sum w hard + k) / (sum w exp_hard + k), k the empirical-Bayes prior of the index in
expected marks (1 / (its between-player variance less the Poisson noise), on the training seasons),
so a window whose seasons were sparsely marked stays near 1; the soft index the same; log1p of the
window's expected hard marks beside them.

Selection seasons only (the players, fits and bootstrap of real_ridge_study.py). Variants of each
type's product sequence ridge (batters: speed and putaway rates, older seasons, positions, platoon
share; pitchers: `RidgeConfig()`):
  seq_hard       + the hard index and its log sample size
  seq_hard_soft  + the hard and soft indices and the log sample size
Pooled over the seasons, then each season alone (the five-season rule reads each).
"""

from __future__ import annotations

import argparse
import io
import re
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_train.baselines import AggregateRidge, RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import project, report, selection_args  # the studies beside this one
from real_spray_study import window_sums

HIT_TYPE = re.compile(r"^(G|L|F|P)(DP|TP)?(\d[0-9A-Z]*)?([+-]?)$")  # not FO (force), FL (foul), FINT, PASS
COUNTS = ("bip", "hard", "soft", "exp_hard", "exp_soft")


def season_marks(zip_path: Path) -> dict[str, pd.DataFrame]:
    """Per side, (retro id) -> bip, hard, soft of one season's event files."""
    rows: list[tuple[str, str, int, int]] = []
    with zipfile.ZipFile(zip_path) as z:
        for name in sorted(n for n in z.namelist() if re.search(r"\.EV[AN]$", n)):
            pitcher = ["", ""]  # the current pitcher of each team (0 visitors, 1 home)
            for line in io.TextIOWrapper(z.open(name), encoding="latin-1"):
                f = line.rstrip("\r\n").split(",")
                if f[0] in ("start", "sub") and len(f) >= 6 and f[5] == "1":
                    pitcher[int(f[3])] = f[1]
                elif f[0] == "play" and len(f) >= 7:
                    for token in f[6].split(".")[0].split("/")[1:]:
                        m = HIT_TYPE.match(token)
                        if m:
                            rows.append((f[3], pitcher[1 - int(f[2])], m.group(4) == "+", m.group(4) == "-"))
                            break
    t = pd.DataFrame(rows, columns=["batter", "pitcher", "hard", "soft"])
    t["bip"] = 1
    return {side: t.groupby(side)[["bip", "hard", "soft"]].sum().astype(float) for side in ("batter", "pitcher")}


def marks(retrosheet: Path, seasons: list[int]) -> dict[str, pd.DataFrame]:
    """Per side, (player_id, season) -> COUNTS, MLBAM ids through the register."""
    register = pd.read_csv(retrosheet / "chadwick_register_retro.csv", usecols=["key_retro", "key_mlbam"]).dropna()
    to_mlbam = dict(zip(register["key_retro"], register["key_mlbam"].astype(np.int64)))
    out: dict[str, list[pd.DataFrame]] = {"batter": [], "pitcher": []}
    for season in seasons:
        t0 = time.time()
        per_side = season_marks(retrosheet / f"{season}eve.zip")
        league = per_side["batter"].sum()
        share = {"hard": league["hard"] / league["bip"], "soft": league["soft"] / league["bip"]}
        print(f"  {season}: {league['bip']:,.0f} typed balls in play, hard {share['hard']:.3f}, "
              f"soft {share['soft']:.3f} ({time.time() - t0:.0f} s)", flush=True)
        for side, g in per_side.items():
            g = g[g.index.isin(to_mlbam.keys())]
            g = g.assign(exp_hard=g["bip"] * share["hard"], exp_soft=g["bip"] * share["soft"], season=season)
            g.index = pd.Index([to_mlbam[r] for r in g.index], name="player_id")
            out[side].append(g.reset_index())
    return {side: pd.concat(v).groupby(["player_id", "season"]).sum() for side, v in out.items()}


def index_prior(obs: np.ndarray, exp: np.ndarray, min_exp: float = 5.0) -> float:
    """k, in expected marks, of obs / exp around 1: 1 / (between-player variance less Poisson noise)."""
    keep = exp >= min_exp
    r, e = obs[keep] / exp[keep], exp[keep]
    w = e / e.mean()
    var_obs = np.average((r - np.average(r, weights=w)) ** 2, weights=w)
    noise = np.average(1.0 / e, weights=w)
    return 1.0 / max(var_obs - noise, 1e-4)


class HardnessRidge(AggregateRidge):
    def __init__(self, player_type, config, table, soft):
        super().__init__(player_type, config)
        self.table, self.soft = table, soft

    def fit(self, sums, players, seasons):
        if self.table is not None:
            part = self.table[self.table.index.get_level_values("season").isin(seasons)]
            self.k_ = {m: index_prior(part[m].to_numpy(), part[f"exp_{m}"].to_numpy()) for m in ("hard", "soft")}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.table is None:
            return X
        w = window_sums(self.table, rows, self.config.weights, COUNTS)
        for m in ("hard", "soft") if self.soft else ("hard",):
            X[f"{m}_index"] = (w[m] + self.k_[m]) / (w[f"exp_{m}"] + self.k_[m])
        X["log_exp_hard"] = np.log1p(w["exp_hard"])
        return X


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retrosheet", type=Path, default=Path("../shared/data/retrosheet"))
    args, seasons = selection_args(parser)
    start = time.time()
    first = min(seasons) - 11  # the earliest window season of the earliest fit
    print("league per season (batters' side): typed balls in play, hard and soft shares")
    tables = marks(args.retrosheet, list(range(max(2000, first), max(seasons))))
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    batter_config = RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True, positions=True, platoon=True)
    for pt, config in (("batter", batter_config), ("pitcher", RidgeConfig())):
        t = tables[pt]
        variants = {"seq": (lambda p: HardnessRidge(p, config, None, False), 8),
                    "seq_hard": (lambda p: HardnessRidge(p, config, t, False), 8),
                    "seq_hard_soft": (lambda p: HardnessRidge(p, config, t, True), 8)}
        parts = [project(lines, league.players, pt, T, variants) for T in seasons]
        report(parts, pt, seasons, np.random.default_rng(0), reference="seq")
        for T, part in zip(seasons, parts):
            report([part], pt, [T], np.random.default_rng(0), reference="seq")
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
