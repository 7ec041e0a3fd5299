"""`hfm-train fit`'s data, one season of pitches in memory at a time.

A full-size league (30 teams x 162 games x 7 seasons, ~7.5 million pitches with AAA) held as one
pitch frame, featurized at once and cut into player lines at once peaked at several times the frame's
size; `prepare_league` never holds more than one season's pitches:

  pass 1, "fit featurizer"        each fit season in turn (every level): loaded, read by
                                  `PitchFeaturizer.fit_parts`, freed;
  pass 2, "featurize + lines"     each season in turn (`league_lines`): loaded again, featurized into
                                  that season's GameTable, its player lines
                                  (hfm_runtime.identity.player_lines) and first seasons taken, freed;
                                  then the season tables are merged into the league's game order
                                  (`merge_tables`), one season's arrays at a time, so the merge needs
                                  the table once plus one season.
`league_lines` alone (no featurizer) is what `hfm-train evaluate` reads.

The result equals the whole-league path it replaces: `PitchFeaturizer().fit(<fit seasons' pitches>)`,
`.transform(<every pitch>)` and `player_lines(league, pt)` give the same featurizer, the same table
(games ordered by perspective, player_id, game_date, game_pk: hfm_runtime.featurize's CONTRACT) and
the same lines (tests/test_league_stream.py). The featurizer's mean and std agree to the last bit when
the league's rows sorted season by season are its rows sorted at once (game_pk grows with the season,
as in the simulator); otherwise to float rounding. Birth dates missing from players.csv are imputed
from every season's first appearances, as `load_league` does.

The `League` returned has `pitches=None`: nothing after this stage reads pitches.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import PERSPECTIVES, GameKeys, GameTable, PitchFeaturizer
from hfm_runtime.identity import player_lines
from hfm_runtime.league import League, load_league, read_league_meta, read_players
from hfm_runtime.people import first_seasons, impute_birth_dates
from hfm_runtime.targets import PLAYER_TYPES


@dataclass(frozen=True, eq=False)
class LeagueData:
    """What fit needs from a league folder (module docstring)."""

    league: League  # pitches=None
    featurizer: PitchFeaturizer
    table: GameTable
    lines: dict[str, pd.DataFrame]  # player type -> player_lines(league, type)


def league_contents(path: str | Path) -> dict[str, Any] | None:
    """What tells one league folder's contents from another's without reading a pitch: the SHA-256 of
    league.json and players.csv, and each pitch file's rows (its Parquet footer) by its path in the
    folder (a league copied, moved or written again from the same data keeps them; another simulation
    or import changes them); None where no league is."""
    path = Path(path)
    if not (path / "league.json").is_file():
        return None
    digest = {name: hashlib.sha256((path / name).read_bytes()).hexdigest() if (path / name).is_file() else None
              for name in ("league.json", "players.csv")}
    rows = {p.relative_to(path).as_posix(): _rows_of(p) for p in sorted((path / "pitches").rglob("*.parquet"))}
    return {"sha256": digest, "pitch_file_rows": rows}


def _rows_of(path: Path) -> int | None:
    """A Parquet file's rows from its footer; None where it has none (a damaged file: whoever reads it
    names it)."""
    try:
        return pq.read_metadata(path).num_rows
    except (OSError, ValueError):
        return None


def _other_contents(path: Path, config: dict) -> str | None:
    """Why the league at `path` is not the one the run was fitted on, where the run recorded it
    (`league_contents`, since 2026-12-07 night): a pitch file of one of its seasons with another size
    (or none), or a simulated league's other settings; None where nothing says so. A season added to
    the league since, or players.csv grown with it, is no difference."""
    meta = read_league_meta(path)
    if config.get("league_meta") is not None and meta.get("config") is not None \
            and meta.get("config") != config["league_meta"]:
        return "its simulation settings differ from the run's league's"
    recorded = (config.get("league_contents") or {}).get("pitch_file_rows") or {}
    seasons = {str(s) for s in (config.get("training_data") or {}).get("seasons") or []}
    for name, rows in recorded.items():
        if Path(name).stem in seasons and (_rows_of(path / name) if (path / name).is_file() else None) != rows:
            return f"its {name} is not the one the run read"
    return None


def run_league(run_dir: Path, config: dict, given: str | Path | None = None) -> Path:
    """The league folder a finished run reads for a report: `given` (a --league), else the one its
    config.json names, which must still be there (a moved league is named, with the option that fixes it)."""
    path = Path(given if given is not None else config["league"])
    if not (path / "league.json").is_file():
        where = "--league" if given is not None else f"{run_dir / 'config.json'}'s \"league\""
        raise HFMInputError(f"{path}: no league folder there ({where}); if the league moved, give --league with "
                            "where it is now")
    trained = config.get("training_data") or {}  # runs fitted before 2026-12-02 did not record it
    if given is not None and trained.get("seasons"):
        # another league's seasons would change the split, the history and the report without a word (a
        # walkthrough's 2013-2017 run evaluated on the 22-season league: its batters' blend went +4.3% -> +1.0%)
        run = config.get("run") or {}
        seasons = league_seasons(path, run.get("last_season"), run.get("first_season"))
        source = read_league_meta(path).get("source", "simulated")
        if seasons != sorted(int(s) for s in trained["seasons"]) or source != trained.get("source", source):
            raise HFMInputError(f"--league {path}: {source}, seasons {_span(seasons)} in the run's window, where "
                                f"{run_dir} was trained on {trained.get('source')}, seasons {_span(trained['seasons'])}: "
                                "give the league it was trained on (moved or copied)")
    other = _other_contents(path, config)
    if other:  # a league simulated or imported again in its place, or another league given
        where = f"--league {path}" if given is not None else f"{path} ({run_dir / 'config.json'}'s \"league\")"
        raise HFMInputError(f"{where}: not the league {run_dir} was trained on ({other}): give that league "
                            "(moved or copied), or fit the run again")
    return path


def run_notice(config: dict) -> str | None:
    """The notice of the data a run was trained on (its config.json's training data: Retrosheet's), which
    every report derived from it carries; None for other data and runs that did not record it."""
    return (config.get("training_data") or {}).get("notice")


def data_notice(path: str | Path) -> str | None:
    """The notice a work derived from `path` carries: a league folder's (league.json: its Retrosheet
    seasons') or a run folder's (config.json's training data); None where it has none."""
    root = Path(path)
    if (root / "config.json").is_file():
        return run_notice(json.loads((root / "config.json").read_text()))
    if (root / "league.json").is_file():
        return (read_league_meta(root).get("retrosheet") or {}).get("notice")
    return None


def _span(seasons: list[int]) -> str:
    seasons = sorted(int(s) for s in seasons)
    return f"{seasons[0]}-{seasons[-1]} ({len(seasons)})" if seasons else "none"


def league_seasons(path: str | Path, last_season: int | None = None, first_season: int | None = None) -> list[int]:
    """The league's seasons (league.json), from `first_season` up to `last_season` when given."""
    seasons = sorted(int(s) for s in read_league_meta(path)["seasons"])
    return [s for s in seasons if (last_season is None or s <= last_season)
            and (first_season is None or s >= first_season)]


def season_leagues(path: str | Path, seasons: list[int]) -> Iterator[League]:
    """Each season in turn, every level, as `load_league(path, seasons=[s])` (a consumer should drop
    its reference before asking for the next, or two seasons are held while the next one loads)."""
    for season in seasons:
        yield load_league(path, seasons=[season])


def prepare_league(path: str | Path, seasons: list[int], fit_seasons: list[int],
                   lap: Callable[[str], object] = lambda name: None,
                   log: Callable[[str], None] = lambda line: None, pitch_tracking: bool = True) -> LeagueData:
    """Featurizer (fitted on `fit_seasons`), GameTable and player lines of `seasons` of the league at
    `path`, one season in memory at a time; `lap(name)` is called after each pass (module docstring).
    `pitch_tracking=False`: the featurizer reads no tracking (PitchFeaturizer.fit_parts' `without`)."""
    path = Path(path)
    without = () if pitch_tracking else ("pitch_tracking", "contact_tracking")
    featurizer = PitchFeaturizer().fit_parts(_pitches(season_leagues(path, sorted(fit_seasons))), without)
    lap("fit featurizer")
    tables: list[GameTable] = []
    league, lines = league_lines(path, seasons, lambda pitches: tables.append(featurizer.transform(pitches)), log)
    table = merge_tables(tables)
    lap("featurize + lines")
    return LeagueData(league, featurizer, table, lines)


def league_lines(path: str | Path, seasons: list[int], each: Callable[[pd.DataFrame], object] = lambda p: None,
                 log: Callable[[str], None] = lambda line: None) -> tuple[League, dict[str, pd.DataFrame]]:
    """The league (`pitches=None`; players with birth dates imputed from every season, as `load_league`
    does) and its player lines per type, reading one season at a time; `each(pitches)` is called on
    every season's pitches before they are freed (prepare_league featurizes them there)."""
    path = Path(path)
    parts: dict[str, list[pd.DataFrame]] = {pt: [] for pt in PLAYER_TYPES}
    firsts = []
    head = None  # the first season's League without its pitches: meta, levels, true talent
    for league in season_leagues(path, sorted(seasons)):
        pitches = league.pitches
        head = head if head is not None else replace(league, pitches=None)
        each(pitches)
        for pt in PLAYER_TYPES:
            parts[pt].append(player_lines(pitches, pt))
        firsts.append(first_seasons(pitches))
        log(f"  season {league.seasons[0]}: {len(pitches):,} pitches")
        del league, pitches
    lines = {pt: concat_lines(parts.pop(pt)) for pt in PLAYER_TYPES}
    players = read_players(path / "players.csv")
    for pt, table in lines.items():  # every profile needs his row (age, hand): say so now, not after pre-training
        missing = ~table["player_id"].isin(players["player_id"]).to_numpy()
        if missing.any():
            first = table[missing].iloc[0]
            raise HFMInputError(f"{path / 'players.csv'}: no row for {pt} {int(first['player_id'])} (in "
                                f"pitches/{first['level']}/{int(first['season'])}.parquet), nor for "
                                f"{table.loc[missing, 'player_id'].nunique() - 1} other player(s) of the pitches")
    if players["birth_date"].isna().any():  # as load_league does, from every season's first appearances
        players = impute_birth_dates(players, pd.concat(firsts).groupby(level=0).min())
    return replace(head, players=players, seasons=sorted(seasons)), lines


def _pitches(leagues: Iterator[League]) -> Iterator[pd.DataFrame]:
    for league in leagues:
        pitches = league.pitches
        del league
        yield pitches
        del pitches


def concat_lines(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-season player lines as `player_lines` returns them for all those seasons at once: one row
    per (player, game), ordered by player_id, game_date, game_pk."""
    lines = pd.concat(parts, ignore_index=True)
    return lines.sort_values(["player_id", "game_date", "game_pk"], kind="stable").reset_index(drop=True)


def merge_tables(tables: list[GameTable]) -> GameTable:
    """One GameTable of the games of `tables` (disjoint: one season each) in the CONTRACT's game order
    (perspective, player_id, game_date, game_pk). Empties `tables` as it goes: each input's arrays are
    freed once scattered, so the merge holds the output plus the inputs not yet merged."""
    if not tables:
        raise ValueError("merge_tables: no tables")
    vocab_sizes = tables[0].vocab_sizes
    keys = GameKeys(**{f: np.concatenate([getattr(t.keys, f) for t in tables]) for f in GameKeys.__dataclass_fields__})
    perspective = np.zeros(len(keys), np.int64)
    for i, p in enumerate(PERSPECTIVES):
        perspective[keys.perspective == p] = i
    order = np.lexsort((keys.game_pk, keys.game_date, keys.player_id, perspective))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))  # input game (tables concatenated) -> output game

    n_pitches = np.concatenate([t.n_pitches for t in tables])[order]
    n_pas = np.concatenate([t.n_pas for t in tables])[order]
    pitch_offsets = np.concatenate([[0], np.cumsum(n_pitches)]).astype(np.int64)
    pa_offsets = np.concatenate([[0], np.cumsum(n_pas)]).astype(np.int64)
    first = tables[0]
    cat = np.empty((pitch_offsets[-1], first.cat.shape[1]), first.cat.dtype)
    num = np.empty((pitch_offsets[-1], first.num.shape[1]), first.num.dtype)
    pa_of_pitch = np.empty(pitch_offsets[-1], first.pa_of_pitch.dtype)
    pa_outcome = np.empty(pa_offsets[-1], first.pa_outcome.dtype)
    del first
    start = 0
    while tables:
        t = tables.pop(0)
        where = position[start:start + len(t)]  # the output games of this input's games, in its order
        start += len(t)
        rows = _segment_rows(pitch_offsets, where)
        cat[rows], num[rows], pa_of_pitch[rows] = t.cat, t.num, t.pa_of_pitch
        pa_outcome[_segment_rows(pa_offsets, where)] = t.pa_outcome
        del t, rows
    return GameTable(cat=cat, num=num, pa_of_pitch=pa_of_pitch, pitch_offsets=pitch_offsets,
                     pa_offsets=pa_offsets, pa_outcome=pa_outcome, keys=keys.take(order), vocab_sizes=vocab_sizes)


def _segment_rows(offsets: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """The element rows of `segments` of a ragged layout with `offsets`, segment after segment."""
    lengths = offsets[segments + 1] - offsets[segments]
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    return np.repeat(offsets[segments] - (ends - lengths), lengths) + np.arange(total)
