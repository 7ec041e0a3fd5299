"""Is anything left in the pitchers' opening-day blend that a pitcher's usage last season shows?
(docs/real-data-tried.md: role and injury signs in the residuals)

    python benchmarks/studies/real_residual_study.py artifacts/runs/sel2017_old artifacts/runs/sel2018_old

Selection seasons only: each run's test season (2017, 2018) is one the product's choices were made on,
never 2019 or 2021. For every pitcher the report judges (hfm_train.real_eval.report_players: at least 100 BF
in the test season and an MLB line before it), the residual actual - blend of
each stat, set against what his MLB games of the season before show of his usage and of time lost:

  start        share of his games in which he pitched the first inning (a starter's share)
  pitches_g    pitches per game;  bf_g: batters faced per game
  first, last  day of the year of his first and last game (a late start or an early end: an injury,
               a demotion)
  longest_gap  log1p of the most days between two of his games (a stint on the injured list)
  late_pitches_g, late_start   pitches per game and starter share from August 1 on, less the season's
  start_change starter share less that of the season before it (a move between roles)
  bf_change    log1p(BF) less that of the season before it
  games        games pitched

Printed per stat: the BF-weighted correlation of each with the residual, pooled and per season, and
an out-of-season check of all of them together: a weighted least-squares map from the features
(standardised) to the residual, both centred within their season, fitted on one season and applied
to the other, as the change of that season's RMSE about its mean (negative: the residual was
predictable).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.league import load_league
from hfm_train.real_eval import report_players, season_lines_of
from real_ridge_study import print_notice  # the studies beside this one

FEATURES = ("start", "pitches_g", "bf_g", "first", "last", "longest_gap", "late_pitches_g", "late_start",
            "start_change", "bf_change", "games")


def pitcher_usage(league: str, seasons: list[int]) -> pd.DataFrame:
    """One row per (pitcher, season) of MLB games: FEATURES (module docstring)."""
    pitches = load_league(league, seasons=seasons, levels=["MLB"]).pitches
    games = pitches.groupby(["pitcher", "game_pk"], observed=True).agg(
        date=("game_date", "first"), inning=("inning", "min"), pitches=("pitch_number", "size"),
        bf=("at_bat_number", "nunique")).reset_index()
    games["date"] = pd.to_datetime(games["date"])
    games = games.sort_values(["pitcher", "date"])
    games["season"] = games["date"].dt.year
    games["gap"] = games.groupby(["pitcher", "season"])["date"].diff().dt.days
    games["day"] = games["date"].dt.day_of_year
    games["start"] = (games["inning"] == 1).astype(float)
    usage = games.groupby(["pitcher", "season"]).agg(
        games=("game_pk", "size"), start=("start", "mean"), pitches_g=("pitches", "mean"),
        bf_g=("bf", "mean"), first=("day", "min"), last=("day", "max"), longest_gap=("gap", "max"),
        BF=("bf", "sum")).reset_index()
    late = games[games["date"].dt.month >= 8].groupby(["pitcher", "season"]).agg(
        late_p=("pitches", "mean"), late_s=("start", "mean")).reset_index()
    usage = usage.merge(late, on=["pitcher", "season"], how="left")
    usage["late_pitches_g"] = usage["late_p"] - usage["pitches_g"]
    usage["late_start"] = usage["late_s"] - usage["start"]
    usage["longest_gap"] = np.log1p(usage["longest_gap"].fillna(0.0))
    before = usage[["pitcher", "season", "start", "BF"]].assign(season=lambda d: d["season"] + 1)
    usage = usage.merge(before, on=["pitcher", "season"], how="left", suffixes=("", "_before"))
    usage["start_change"] = usage["start"] - usage["start_before"]
    usage["bf_change"] = np.log1p(usage["BF"]) - np.log1p(usage["BF_before"].fillna(0.0))
    return usage.rename(columns={"pitcher": "player_id"})[["player_id", "season", *FEATURES]]


def weighted_corr(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, w = x[keep], y[keep], w[keep]
    dx, dy = x - np.average(x, weights=w), y - np.average(y, weights=w)
    return float(np.average(dx * dy, weights=w) / np.sqrt(np.average(dx**2, weights=w) * np.average(dy**2, weights=w)))


def out_of_season(fit: pd.DataFrame, judge: pd.DataFrame) -> float:
    """RMSE change on `judge`'s residuals from their weighted least-squares map fitted on `fit`'s
    (missing features at the fitting season's mean; standardised by it). Each season's residuals are
    centred first: a season's mean miss (its league rate moved) is not known before it, and a map
    fitted on one season would carry that season's mean into the other."""
    mean, std = fit[list(FEATURES)].mean(), fit[list(FEATURES)].std().replace(0.0, 1.0)

    def prepared(d: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        w = d["weight"].to_numpy(np.float64)
        x = ((d[list(FEATURES)].fillna(mean) - mean) / std).to_numpy(np.float64)
        r = d["residual"].to_numpy(np.float64)
        return x - np.average(x, axis=0, weights=w), r - np.average(r, weights=w), w

    x, r, w = prepared(fit)
    beta = np.linalg.lstsq(x * np.sqrt(w)[:, None], r * np.sqrt(w), rcond=None)[0]
    x, r, w = prepared(judge)
    return float(np.sqrt(np.average((r - x @ beta) ** 2, weights=w) / np.average(r**2, weights=w)) - 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="Runs whose test season is a selection season.")
    parser.add_argument("--league", default="artifacts/league_retro")
    args = parser.parse_args()
    print_notice(args.league, *args.runs)
    frames = []
    for run in args.runs:
        rows = pd.read_csv(run / "test_predictions.csv")
        rows = rows[rows["player_type"] == "pitcher"].copy()
        season = int(pd.Timestamp(rows["as_of_date"].iloc[0]).year)
        if season >= 2019:
            raise SystemExit(f"{run}: its test season {season} is not a selection season")
        lines = season_lines_of(Path(args.league), [season - 3, season - 2, season - 1, season])["pitcher"]
        weight = rows.drop_duplicates("player_id").set_index("player_id")["weight"]
        rows = rows[rows["player_id"].isin(report_players(weight, lines, season, "BF"))].copy()
        rows["season"] = season - 1  # his usage the season before
        rows["test_season"] = season
        frames.append(rows)
    rows = pd.concat(frames, ignore_index=True)
    seasons = sorted({int(s) for s in rows["season"]} | {int(s) - 1 for s in rows["season"]})
    rows = rows.merge(pitcher_usage(args.league, seasons), on=["player_id", "season"], how="left")
    rows["residual"] = rows["actual"] - rows["blend"]
    tests = sorted(int(t) for t in rows["test_season"].unique())
    print(f"pitchers, test seasons {tests}; BF-weighted correlation of (actual - blend) with each feature, "
          f"pooled (then per season)\n")
    print("| feature | " + " | ".join(rows["stat"].unique()) + " |")
    print("|---|" + "---|" * rows["stat"].nunique())
    for feature in FEATURES:
        cells = []
        for _, part in rows.groupby("stat", sort=False):
            pooled = weighted_corr(part[feature].to_numpy(float), part["residual"].to_numpy(float), part["weight"].to_numpy(float))
            each = [weighted_corr(p[feature].to_numpy(float), p["residual"].to_numpy(float), p["weight"].to_numpy(float))
                    for _, p in part.groupby("test_season")]
            cells.append(f"{pooled:+.3f} ({' / '.join(f'{c:+.3f}' for c in each)})")
        print(f"| {feature} | " + " | ".join(cells) + " |")
    if len(tests) == 2:
        print(f"\nAll features together, fitted on one season's residuals and applied to the other's: "
              f"change of that season's RMSE about its mean (negative: better)\n")
        print("| stat | " + " | ".join(f"fit {a}, judge {b}" for a, b in (tests, tests[::-1])) + " |")
        print("|---|---|---|")
        for stat, part in rows.groupby("stat", sort=False):
            by = {s: p for s, p in part.groupby("test_season")}
            cells = [f"{100 * out_of_season(by[a], by[b]):+.2f}%" for a, b in (tests, tests[::-1])]
            print(f"| {stat} | " + " | ".join(cells) + " |")
    print(f"\nplayers per season: {rows.groupby('test_season')['player_id'].nunique().to_dict()}; "
          f"without a usage row the season before: {int(rows['start'].isna().sum() / rows['stat'].nunique())}")


if __name__ == "__main__":
    main()
