"""Score a whole league folder in bounded memory: one season's pitches at a time, players in chunks.

`score_league(scorer, league_dir)` returns the table `scorer.score(History.from_league(
load_league(league_dir)), season, player_ids, as_of)` returns (the same rows, in the same order, with
the same values), without ever holding every pitch of the league (a full-size league is ~7.5 million
pitches; loading it whole and deriving its lines peaked at several times its size):

  pass 1   each season in turn: its player lines (hfm_runtime.identity.player_lines, every level,
           both types) and the players' first seasons; the season's pitches are then freed;
  then     the players table (birth dates imputed from every season, as `load_league` does), the
           league's Marcel rates per season (hfm_runtime.marcel.league_rates of all those lines), the
           projection date (the season's opening day, `seasons.projection_date`) and the players to score (default: an MLB line
           in Marcel's window, `scoring.marcel_window_players`, or in season one of the season before
           the as-of date, `scoring.season_so_far_players`, as `Scorer.score`);
  pass 2   per player type, players in chunks of at most `chunk_pitches` pitches (their own rows,
           every season and level, counted in pass 1) and `chunk_players` players: every season's
           rows that the chunk's players' lines need (their own, and the plate appearances charged
           to them that another player finished: `seasons.charged_rows`; read season by season) make the chunk's
           `History` (with the league's rates, its counts per day and opening days, so Marcel, to date
           too, regresses to the whole league, not to the chunk, and the opening-day mix sees the
           league's opening day), scored
           with the same scorer (its Level-1 cache carries over) as of that date.

Memory is bounded by one season's load plus one chunk's rows, not by the league; time grows by one
pass over the season files per chunk. Chunks are cut by pitches, not players: a full-size league's
pitchers throw 5-10 times the pitches a batter sees, so 400 pitchers held 4.6 million pitches where
400 batters held 0.9 million. Scores agree with the whole-league call because each player's lines,
profile, Marcel and context depend only on the rows `seasons.charged_rows` picks for him, given the
league rates and the projection date (tests/test_league_scoring.py checks it).

    python -m hfm_runtime.league_scoring --bundle B --league L [--season Y] [--as-of D [--season-end E]] \
        [--chunk-pitches N] --out F.csv

writes the table as CSV (what `hfm-score --format csv` writes for the whole league); `hfm-score
--league` takes this path by itself for a league of more than `chunk_pitches` pitches
(`league_pitches` counts them from the Parquet footers, reading no rows).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.bundle import training_data_line
from hfm_runtime.errors import HFMInputError, print_error
from hfm_runtime.identity import player_lines
from hfm_runtime.league import load_league, read_league_meta, read_players
from hfm_runtime.marcel import league_rates
from hfm_runtime.people import first_seasons, impute_birth_dates
from hfm_runtime.playing_time import season_starts
from hfm_runtime.scoring import (History, Scorer, ScorerOptions, StaleDataWarning, check_as_of_after, check_season_end,
                                 days_in, last_day_before, last_day_in, league_days, marcel_window_players, parse_as_of,
                                 scored_as, season_so_far_players, season_year, stale_data_warning)
from hfm_runtime.seasons import (UnknownEventsWarning, charged_rows, last_opening_day, opening_day_as_of, projection_date,
                                 season_lines, unknown_events, warn_unknown_events)
from hfm_runtime.statcast import LEVEL_COLUMN, parquet_file
from hfm_runtime.targets import PLAYER_TYPES

DEFAULT_CHUNK_PLAYERS = 400
DEFAULT_CHUNK_PITCHES = 1_000_000  # ~1 GiB of pitch rows and their derived lines per chunk


def score_league(
    scorer: Scorer,
    league_dir: str | Path,
    season: int | None = None,
    player_ids: Iterable[int] | None = None,
    as_of: str | pd.Timestamp | None = None,
    chunk_players: int = DEFAULT_CHUNK_PLAYERS,
    log: Callable[[str], None] = lambda line: None,
    chunk_pitches: int = DEFAULT_CHUNK_PITCHES,
    season_end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """`scorer.score` of the league at `league_dir` (module docstring); `season` defaults to the
    league's last season, as `hfm-score` does; `season_end` as `Scorer.score`'s."""
    if chunk_players < 1 or chunk_pitches < 1:
        raise ValueError(f"chunk_players and chunk_pitches must be >= 1, got {chunk_players}, {chunk_pitches}")
    root = Path(league_dir)
    seasons = sorted(int(s) for s in read_league_meta(root)["seasons"])
    season = max(seasons) if season is None else season_year(season)
    as_of = parse_as_of(as_of, season)  # refused before the passes over the seasons

    parts: dict[str, list[pd.DataFrame]] = {pt: [] for pt in PLAYER_TYPES}
    firsts = []
    unknown: Counter = Counter()  # events names no season line reads: warned once here, not per chunk
    for s in seasons:
        pitches = load_league(root, seasons=[s]).pitches
        for pt in PLAYER_TYPES:
            parts[pt].append(player_lines(pitches, pt))
        firsts.append(first_seasons(pitches))
        unknown.update(unknown_events(pitches["events"]))
        log(f"lines {s}: {len(pitches):,} pitches")
        del pitches
    warn_unknown_events(dict(unknown.most_common()), str(root))
    lines = {pt: pd.concat(parts.pop(pt), ignore_index=True) for pt in PLAYER_TYPES}
    players = read_players(root / "players.csv")
    if players["birth_date"].isna().any():  # as load_league does, from every season's first appearances
        players = impute_birth_dates(players, pd.concat(firsts).groupby(level=0).min())
    by_season = {pt: season_lines(lines[pt], pt) for pt in PLAYER_TYPES}
    league = {pt: league_rates(by_season[pt], pt) for pt in PLAYER_TYPES}
    days = {pt: league_days(lines[pt], pt) for pt in PLAYER_TYPES}  # Marcel to date's league rates, likewise
    openings = opening_days(lines)  # the league's: each chunk's History reads them, not its own first games
    mlb = lines["pitcher"][lines["pitcher"][LEVEL_COLUMN] == "MLB"]
    starts = season_starts(mlb["game_date"].to_numpy(), mlb["game_pk"].to_numpy())  # likewise
    as_of_date = projection_date(openings, season) if as_of is None else as_of
    if as_of is not None and as_of.year < season:  # against the league's games, not a chunk's
        dates = np.concatenate([lines[pt]["game_date"].to_numpy() for pt in PLAYER_TYPES])
        check_as_of_after(as_of, season, last_day_before(dates, season))
    opening = last_opening_day(openings, starts, season)
    if opening is None or as_of_date <= opening:  # as Scorer.score moves it, before the players are chosen
        as_of_date = opening_day_as_of(openings, season, as_of_date)
    end = parse_as_of(season_end, season, "season_end")
    if end is not None:  # likewise: a chunk of named players may hold none of the games after the end
        check_season_end(end, season, as_of_date, last_day_in(mlb["game_date"].to_numpy(), season, as_of_date),
                         opening)
    if opening is not None and as_of_date > opening:  # in season: the league's newest game, as Scorer.score
        stale_data_warning(season, as_of_date, days_in(mlb["game_date"].to_numpy(), season, as_of_date),
                           starts.get(season, openings.get(season)), end)
    wanted = (sorted(set(marcel_window_players(by_season, season)) | season_so_far_players(lines, season, as_of_date))
              if player_ids is None else sorted({int(i) for i in player_ids}))
    if not wanted:
        raise HFMInputError(f"{root}: no player has an MLB line in {season - 3}-{season - 1} (Marcel's window for "
                            f"{season}): project another season or name the players")
    types = _types(players, lines, wanted)
    own_pitches = {pt: lines[pt].groupby("player_id")["pitches"].sum() for pt in PLAYER_TYPES}
    del lines, by_season

    # a chunk's History needs no season after the projected one (nothing after the as-of date is read;
    # what the later seasons tell the whole league, its birth-date imputation, was taken above), but for
    # a player the players table gives no type (the rows say whether he pitched: every season's) and a
    # season before the data (no season at all)
    needed = [s for s in seasons if s <= max(season, as_of_date.year)] or seasons
    typed = set(players.loc[players["player_type"].notna(), "player_id"].tolist()) \
        if "player_type" in players.columns else set()
    frames = []
    for pt in PLAYER_TYPES:
        ids = np.array([i for i in wanted if pt in types[i]], dtype=np.int64)
        load = own_pitches[pt].reindex(ids, fill_value=0).to_numpy()
        done = 0
        for chunk in _chunks(ids, load, chunk_pitches, chunk_players):
            done += len(chunk)
            read = needed if typed.issuperset(chunk.tolist()) else seasons
            rows = pd.concat([_rows(root, s, pt, chunk) for s in read], ignore_index=True)
            with warnings.catch_warnings():  # its events were read above
                warnings.simplefilter("ignore", UnknownEventsWarning)
                history = History(rows, players, league=league, openings=openings, starts=starts, league_days=days)
            with warnings.catch_warnings():  # a chunk's newest game is not the league's: checked above
                warnings.simplefilter("ignore", StaleDataWarning)
                table = scorer.score(history, season, chunk.tolist(), as_of_date, season_end)
            frames.append(table[table["player_type"] == pt])  # a two-way player's other row: his other chunk
            log(f"scored {pt}s {done}/{len(ids)} ({len(rows):,} pitches in the chunk)")
            del rows, history
    return pd.concat(frames, ignore_index=True)


def _chunks(ids: np.ndarray, load: np.ndarray, max_pitches: int, max_players: int) -> list[np.ndarray]:
    """`ids` cut in order into runs of at most `max_players` whose `load` sums to at most
    `max_pitches` (a player with more than that alone is a chunk of his own)."""
    out, start, total = [], 0, 0
    for i, n in enumerate(load.tolist()):
        if i > start and (total + n > max_pitches or i - start >= max_players):
            out.append(ids[start:i])
            start, total = i, 0
        total += n
    if len(ids):
        out.append(ids[start:])
    return out


def league_pitches(league_dir: str | Path) -> int:
    """How many pitches a league folder holds (every level and season), from the Parquet footers."""
    return sum(parquet_file(f).metadata.num_rows for f in sorted(Path(league_dir).glob("pitches/*/*.parquet")))


def opening_days(lines: dict[str, pd.DataFrame]) -> dict[int, pd.Timestamp]:
    """Season -> its first MLB game date in the player lines (as `History.opening_days`)."""
    mlb = pd.concat([g.loc[g[LEVEL_COLUMN] == "MLB", ["season", "game_date"]] for g in lines.values()])
    first = mlb.groupby("season")["game_date"].min()
    return {int(season): pd.Timestamp(day).normalize() for season, day in first.items()}


def _types(players: pd.DataFrame, lines: dict[str, pd.DataFrame], ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The types each id is scored as, as `History.player_type_of` (players table, else: pitched?)."""
    known = players.drop_duplicates("player_id").set_index("player_id")["player_type"] \
        if "player_type" in players.columns else {}
    pitched = set(lines["pitcher"]["player_id"].unique().tolist())
    return {i: scored_as(known.get(i), i in pitched) for i in ids}


def _rows(root: Path, season: int, pt: str, ids: np.ndarray) -> pd.DataFrame:
    """One season's pitches (every level) that the lines of the `pt`s `ids` need (`charged_rows`)."""
    pitches = load_league(root, seasons=[season]).pitches
    return pitches[charged_rows(pitches, pt, ids)]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m hfm_runtime.league_scoring", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--league", type=Path, required=True)
    p.add_argument("--season", type=int, default=None)
    p.add_argument("--as-of", default=None, help="YYYY-MM-DD: project as of this date (default: the season's "
                   "opening day; in season the rates are the rest of the season's, as hfm-score's)")
    p.add_argument("--season-end", default=None, help="in season: the season's last scheduled day, YYYY-MM-DD")
    p.add_argument("--chunk-players", type=int, default=DEFAULT_CHUNK_PLAYERS)
    p.add_argument("--chunk-pitches", type=int, default=DEFAULT_CHUNK_PITCHES)
    p.add_argument("--threads", type=int, default=1, help="cores the graphs use (ScorerOptions.threads)")
    p.add_argument("--out", type=Path, required=True, help="CSV file to write")
    args = p.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.out.is_dir():  # before the scoring (a walkthrough's crashed after it, a stray .tmp left)
            raise HFMInputError(f"--out {args.out}: a folder; give a file's path (e.g. {args.out / 'scores.csv'})")
        for flag, value in (("--chunk-players", args.chunk_players), ("--chunk-pitches", args.chunk_pitches),
                            ("--threads", args.threads)):
            if value < 1:
                raise HFMInputError(f"{flag} must be at least 1, got {value}")
        scorer = Scorer(args.bundle, ScorerOptions(threads=args.threads))
        print(training_data_line(scorer.bundle.manifest), flush=True)
        notice = ((read_league_meta(args.league).get("retrosheet") or {}).get("notice")
                  if (args.league / "league.json").is_file() else None)
        if notice:  # the data scored carries its notice, as hfm-score prints it
            print(f"data: {notice}", flush=True)
        table = score_league(scorer, args.league, args.season, as_of=args.as_of, chunk_players=args.chunk_players,
                             chunk_pitches=args.chunk_pitches, season_end=args.season_end,
                             log=lambda line: print(line, flush=True))
    except HFMInputError as exc:
        print_error(exc)
        sys.exit(2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    table.to_csv(tmp, index=False)
    tmp.replace(args.out)
    print(f"{len(table)} rows ({int((table['flag'] == 'model').sum())} adjusted by the model) in "
          f"{time.perf_counter() - start:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
