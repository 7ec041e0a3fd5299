"""Does where a batter plays in the field say what his rates will be? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_position_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro]

The ridges shrink every batter toward one league rate. Clubs put weak hitters at catcher and shortstop
because of their gloves and strong ones at first base and DH for their bats alone, so a batter's
position is a prior on his bat that his few plate appearances have not yet shown. Selection
seasons only (the players, fits and bootstrap of real_ridge_study.py). Variants of the batters'
sequence ridge as the product fits it (speed and putaway rates and older seasons):
  seq_pos_events  + the 5/4/3-weighted window's share of games at C, 1B, 2B, 3B, SS, LF/RF, CF and
              DH, read from the Retrosheet event files themselves (`start` and `sub` records: field
              position 1-9, 10 = DH; a game counted once per position; zeros without any): the
              first measurement, made before the import kept positions
  seq_pos_x   + those shares, and each share times log1p of the window's weighted PA (the prior
              matters less the more PA a batter has; a linear map needs the product to say so)
  seq_pos     the product's `RidgeConfig(positions=True)`: the same shares from the league's own
              `batter_position` (hfm_runtime.skills.POSITION_GAMES: games where he batted, so no
              defensive replacement who never came up; pinch-hit-only games a ninth share; a
              league imported before 2026-12-06 lacks the column)
Pitchers are not studied (every one of them is a pitcher).
"""

from __future__ import annotations

import argparse
import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import report, project, selection_args  # the studies beside this one
from real_spray_study import window_sums
from hfm_train.league_stream import league_lines

RETRO = Path(__file__).resolve().parents[3] / "shared" / "data" / "retrosheet"
GROUPS = {"pos_c": (2,), "pos_1b": (3,), "pos_2b": (4,), "pos_3b": (5,), "pos_ss": (6,), "pos_corner": (7, 9),
          "pos_cf": (8,), "pos_dh": (10,)}


def positions(seasons: list[int], retro: Path = RETRO) -> pd.DataFrame:
    """Games played at each position group, indexed by (MLBAM player_id, season)."""
    register = pd.read_csv(retro / "chadwick_register_retro.csv", usecols=["key_retro", "key_mlbam"]).dropna()
    mlbam = dict(zip(register["key_retro"], register["key_mlbam"].astype(np.int64)))
    group_of = {p: g for g, ps in GROUPS.items() for p in ps}
    counts: dict[tuple[int, int, str], int] = {}
    for season in seasons:
        with zipfile.ZipFile(retro / f"{season}eve.zip") as z:
            for name in z.namelist():
                if not name.endswith((".EVA", ".EVN")):
                    continue
                seen: set[tuple[str, str]] = set()
                for rec in csv.reader(io.TextIOWrapper(z.open(name), encoding="latin-1")):
                    if rec and rec[0] == "id":
                        seen = set()
                    elif rec and rec[0] in ("start", "sub") and len(rec) >= 6 and rec[5].isdigit():
                        group = group_of.get(int(rec[5]))
                        if group is not None and (rec[1], group) not in seen and rec[1] in mlbam:
                            seen.add((rec[1], group))
                            key = (mlbam[rec[1]], season, group)
                            counts[key] = counts.get(key, 0) + 1
    frame = pd.DataFrame([(p, s, g, n) for (p, s, g), n in counts.items()], columns=["player_id", "season", "group", "games"])
    return frame.pivot_table(index=["player_id", "season"], columns="group", values="games", fill_value=0).reindex(
        columns=list(GROUPS), fill_value=0).astype(float)


class PositionRidge(AggregateRidge):
    """The product's batter ridge plus the window's position shares (module docstring)."""

    def __init__(self, player_type, config, table, cross):
        super().__init__(player_type, config)
        self.table, self.cross = table, cross

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.table is None:
            return X
        window = window_sums(self.table, rows, self.config.weights, list(GROUPS))
        total = sum(window[g] for g in GROUPS)
        opp = window_sums(sums.groupby(["player_id", "season"])[["PA"]].sum(), rows, self.config.weights, ["PA"])["PA"]
        for g in GROUPS:
            X[g] = np.divide(window[g], total, out=np.zeros(len(rows)), where=total > 0)
            if self.cross:
                X[f"{g}_x"] = X[g] * np.log1p(opp)
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    table = positions(list(range(2000, max(seasons) + 1)))
    config = RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True)
    product = replace(config, positions=True)
    variants = {"seq": (lambda p: PositionRidge(p, config, None, False), 8),
                "seq_pos_events": (lambda p: PositionRidge(p, config, table, False), 8),
                "seq_pos_x": (lambda p: PositionRidge(p, config, table, True), 8),
                "seq_pos": (lambda p: PositionRidge(p, product, None, False), 8)}
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    parts = [project(lines, league.players, "batter", T, variants) for T in seasons]
    report(parts, "batter", seasons, np.random.default_rng(0), reference="seq")


if __name__ == "__main__":
    main()
