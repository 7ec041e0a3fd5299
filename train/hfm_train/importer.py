"""`hfm-train import`: real Statcast files and Retrosheet seasons -> a league folder, season by season.

    hfm-train import data/statcast/ [--level AAA data/aaa/]... [--register people.csv] --out artifacts/league_real
    hfm-train import 2000eve.zip ... 2021eve.zip --register chadwick_register_retro.csv --out artifacts/league_retro

Retrosheet: a positional source that is Retrosheet's `<YEAR>eve.zip`, a folder of them (its
`<YEAR>eve.zip` files are read, nothing else in it), or a folder of one season's extracted files
(format detected: hfm_train.retrosheet.is_retrosheet) is parsed by hfm_train.retrosheet (every
pitch as a Statcast-shaped row, tracking columns empty), in `workers` processes, one season per
process; `--register` (the Chadwick register with `key_retro` and `key_mlbam`) is then required.
Statcast files and Retrosheet seasons may be mixed: where both hold a game (same date and home
team; at a doubleheader as many games as Statcast has there, hfm_runtime.statcast.one_copy_per_game),
the Statcast rows are kept and the Retrosheet game is dropped (counted in league.json
"retrosheet_games_replaced"), unless Statcast's rows hold only part of the game (a batter's or a
pitcher's own pitches: Retrosheet's whole game is kept, "statcast_games_in_part"). A season holding
both sources whose Statcast rows have no home_team is refused (its shared games would count twice).

Sources: Baseball Savant CSV exports and pybaseball frames saved as CSV (the leading unnamed index
column is ignored) or Parquet (`hfm-train fetch` writes those), as files or folders (a folder's
.csv, .csv.gz and .parquet files), any number of seasons in any number of files. The positional
sources are MLB (or `--default-level`); `--level LEVEL SOURCE` adds files of another level (AAA).
Every file goes through hfm_runtime.statcast (every vintage since 2015; optional columns missing ->
NaN; `--game-types` picks the game types kept, regular season by default).

Output: the league folder contract of hfm_runtime.league, as the simulator writes it but with no
true_talent.parquet:
  pitches/<level>/<season>.parquet  the Statcast columns, sorted by game_pk, at_bat_number,
                                    pitch_number, duplicate pitches dropped (counted in the report)
  players.csv                       derived from the pitches (hfm_runtime.people: role, two-way,
                                    handedness) with names and birth dates from `--register` (the
                                    Chadwick register, hfm_runtime.register); ages imputed and
                                    flagged where the birth date is unknown
  league.json                       {"schema_version", "source": "statcast" | "retrosheet" |
                                    "retrosheet+statcast", "seasons", "levels", "level_seasons",
                                    "season_sources" {season: [sources]}, "game_types", "files",
                                    "pitches", "rows_read", "left_out", "duplicates_dropped",
                                    "impossible_counts_dropped" (statcast.IMPOSSIBLE_COUNT),
                                    "games_on_two_dates" (statcast.one_date_per_game),
                                    "register", "players"; with Retrosheet also "retrosheet" (its
                                    files, what the parse met, and the notice every derived work
                                    must carry) and "retrosheet_games_replaced"}
Written into a temporary sibling folder and renamed into place (hfm_runtime.atomic): a failed import
leaves an existing folder as it was.

Streaming (memory bounded by one chunk and one season, not by the data): pass 1 reads each file
`chunk_rows` rows at a time, validates and normalises them and appends each chunk's rows, split by
season, to Parquet parts in the temporary folder; pass 2 takes one (level, season) at a time, sorts
and deduplicates its parts, writes its pitch file and adds it to the players tally (one row per
player). Parts are removed as their season is written.
"""

from __future__ import annotations

import json
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import click
import numpy as np
import pandas as pd

from hfm_runtime.atomic import atomic_dir, check_replaceable
from hfm_runtime.errors import HFMInputError, close_progress_bars, stopped
from hfm_runtime.league import LEAGUE_SCHEMA_VERSION, check_same_kind, is_league, write_players
from hfm_runtime.people import PlayerTally, RoleConfig, build_players
from hfm_runtime.register import RegisterWarning, read_register
from hfm_runtime.seasons import unknown_events, unknown_events_note
from hfm_runtime.statcast import (
    CSV_SUFFIXES,
    GAME_TYPES,
    LEVELS,
    PARQUET_SUFFIXES,
    REGULAR_SEASON,
    RETROSHEET_GAME_PK_MIN,
    LoadCounts,
    StatcastWarning,
    check_level,
    drop_duplicate_pitches,
    expand_sources,
    load_pitches,
    read_pitch_chunks,
)

from . import retrosheet

DEFAULT_OUT = Path("artifacts/league_real")
RETRO_PART = "retro-"  # spool parts parsed from Retrosheet start so; Statcast's "part-"


@dataclass(frozen=True)
class ImportConfig:
    game_types: tuple[str, ...] | None = REGULAR_SEASON  # None: every game type
    chunk_rows: int = 250_000  # rows read from a file at a time
    workers: int = 2  # processes parsing Retrosheet seasons (one season each)
    roles: RoleConfig = field(default_factory=RoleConfig)


@dataclass
class ImportReport:
    """What an import read and wrote (league.json holds the same)."""

    out: Path
    files: dict[str, list[str]]
    pitches: dict[str, dict[int, int]]  # level -> season -> pitches written
    counts: LoadCounts
    players: dict[str, int]
    seconds: float
    retrosheet: retrosheet.ParseCounts | None = None
    replaced: int = 0  # Retrosheet games dropped for Statcast's rows of the same game
    partial: int = 0  # Statcast games dropped for holding only part of a game Retrosheet holds whole
    unknown_events: dict[str, int] = field(default_factory=dict)  # seasons.unknown_events of every row written

    @property
    def total_pitches(self) -> int:
        return sum(n for per in self.pitches.values() for n in per.values())

    def summary(self) -> str:
        read = self.counts.rows + (self.retrosheet.pitches if self.retrosheet is not None else 0)
        lines = [f"imported {self.total_pitches:,} pitches into {self.out} in {self.seconds:.1f} s "
                 f"({read / max(self.seconds, 1e-9):,.0f} pitches/s read)"]
        for level, per in self.pitches.items():
            lines.append(f"  {level}: " + ", ".join(f"{s} {n:,}" for s, n in per.items()))
        left = self.counts.describe_left_out()
        if self.counts.rows or self.retrosheet is None:
            lines.append(f"  Statcast rows read {self.counts.rows:,}; left out: {left or 'none'}; "
                         f"duplicate pitches dropped: {self.counts.duplicates:,}")
            for line in (self.counts.describe_impossible(), self.counts.describe_split(),
                         unknown_events_note(self.unknown_events)):
                if line:
                    lines.append(f"  {line}")
        if self.retrosheet is not None:
            r = self.retrosheet
            lines.append(f"  Retrosheet: {r.games:,} games, {r.plate_appearances:,} plate appearances, {r.pitches:,} "
                         f"pitches; {r.placeholder_rows:,} plate appearances without a pitch sequence (one no_pitch "
                         f"row each); {self.replaced:,} game{'' if self.replaced == 1 else 's'} replaced by Statcast's"
                         + (f" ({self.partial:,} Statcast game{'' if self.partial == 1 else 's'} held in part left "
                            "out: Retrosheet's whole copy kept)" if self.partial else "")
                         + f"; listed counts that differ from the pitches: {r.count_mismatch:,}; play rows with a hand unknown (R assumed): "
                         f"{dict(r.unknown_hand) or 'none'}; plays Chadwick reads only in part (kept as it reads "
                         f"them): {len(r.partly_parsed)}" + "".join(f"\n    {p}" for p in r.partly_parsed[:10]))
            if r.other_records or r.unknown_pitch_codes:  # read past, counted: what a later release may add
                lines.append(f"  Retrosheet records of a type not read: {dict(r.other_records) or 'none'}; pitch codes "
                             f"unknown (those pitches not written): {dict(r.unknown_pitch_codes) or 'none'}"
                             + "".join(f"\n    {c!r}: {e}" for c, e in list(r.unknown_pitch_examples.items())[:10]))
            lines.append(f"  {retrosheet.NOTICE}")
        p = self.players
        source = p.get("age_source", {})  # hfm_runtime.people.AGE_SOURCES -> players
        ages = (f"{source.get('exact', 0):,} from a full birth date, {source.get('birth_year', 0):,} "
                f"from the birth year only (July 1 assumed), {source.get('imputed', 0):,} imputed (no birth data)")
        lines.append(f"  players {p['total']:,}: {p['batter']:,} batters, {p['pitcher']:,} pitchers, "
                     f"{p['two_way']:,} two-way; ages: {ages}")
        missing = p.get("not_in_register")
        if missing and missing["players"]:
            lines.append(f"  not in the register (no name or birth date): {missing['players']:,} players, e.g. MLBAM "
                         f"ids {', '.join(map(str, missing['first']))}")
        return "\n".join(lines)


def import_statcast(
    sources: Mapping[str, Sequence[str | Path]],
    out: str | Path = DEFAULT_OUT,
    register: str | Path | Sequence[str | Path] | pd.DataFrame | None = None,
    config: ImportConfig = ImportConfig(),
    log: Callable[[str], None] = lambda _: None,
    progress: bool = False,
) -> ImportReport:
    """Import Statcast files and Retrosheet seasons ({level: files or folders}) into the league folder
    `out` (module docstring)."""
    start = time.perf_counter()
    out = Path(out)
    check_replaceable(out, is_league, "league")  # before the work: the import replaces it whole
    replacing = check_same_kind(out, simulated=False, writer="hfm-train import")
    if not sources or not any(sources.values()):
        raise HFMInputError("no Statcast or Retrosheet files given")
    for path in (Path(p) for paths in sources.values() for p in paths):
        if not path.exists():  # before the format is guessed from a name that leads nowhere
            raise HFMInputError(f"{path}: no such file or folder (Statcast .csv/.csv.gz/.parquet files, Retrosheet "
                                "<YEAR>eve.zip files or their extracted folders)")
    # a folder of Retrosheet's season zips (as Retrosheet's downloads leave them): those zips, and the
    # Statcast-like files beside them (a register, say) named as not read
    zips = {Path(p): retrosheet.season_zips(p) for paths in sources.values() for p in paths}
    for folder in (folder for folder, found in zips.items() if found):
        others = [f.name for f in sorted(folder.iterdir()) if f.is_file() and f.name.lower().endswith(
            CSV_SUFFIXES + PARQUET_SUFFIXES)]  # what expand_sources would read as Statcast files
        if others:
            log(f"{folder}: read as its Retrosheet seasons (<YEAR>eve.zip); not read: {', '.join(others[:5])}"
                + (f" and {len(others) - 5} more" if len(others) > 5 else "") + " (name Statcast files on their own)")
    sources = {level: [z for p in paths for z in (zips[Path(p)] or [p])] for level, paths in sources.items()}
    retro = [Path(p) for paths in sources.values() for p in paths if retrosheet.is_retrosheet(p)]
    bad_level = [lv for lv, paths in sources.items() if lv != "MLB" and any(Path(p) in retro for p in paths)]
    if bad_level:
        raise HFMInputError(f"--level {bad_level[0]}: Retrosheet files are major-league play-by-play (MLB)")
    files = {level: expand_sources([p for p in paths if Path(p) not in retro])
             for level, paths in sources.items() if any(Path(p) not in retro for p in paths)}
    for level in files:
        if not isinstance(level, str) or not level or "/" in level or level.startswith("."):
            raise HFMInputError(f"--level: {level!r} is not a level name such as AAA")
        check_level(level)
        if level.upper() in LEVELS and level != level.upper():  # new leagues name the known levels as HFM does
            raise HFMInputError(f"--level {level}: write it {level.upper()!r}")
    if retro and config.game_types is not None and "R" not in config.game_types:
        raise HFMInputError(f"{retro[0]}: Retrosheet's event files hold regular-season games only (game type R), "
                            f"which --game-types {','.join(config.game_types)} leaves out")
    if retro and register is None:
        raise HFMInputError("Retrosheet files need --register (the Chadwick register with key_retro and key_mlbam) "
                            "to map Retrosheet ids to MLBAM ids")
    people = read_register(register) if register is not None else None  # fail early on a bad register
    if replacing:
        log(replacing)
    retro_ids = retrosheet.retro_to_mlbam(register) if retro else {}
    counts = LoadCounts()
    parsed = retrosheet.ParseCounts()
    written: dict[str, dict[int, int]] = {}
    sources_of: dict[int, set[str]] = {}
    replaced = partial = 0  # games both sources hold: kept as Statcast's / as Retrosheet's
    odd_events: Counter = Counter()  # events names the season lines do not know (seasons.unknown_events)
    tally = PlayerTally()
    with atomic_dir(out) as tmp:
        spool = tmp / ".spool"
        parts = _spool(files, spool, config, counts, log, progress)
        for key, paths in _spool_retrosheet(retro, retro_ids, spool, config, parsed, log, progress).items():
            parts.setdefault(key, []).extend(paths)
        if not parts:
            names = [str(p) for paths in files.values() for p in paths]
            shown = ", ".join(names[:3]) + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")
            raise HFMInputError(f"{shown}: {counts.describe_none_kept(config.game_types, 'see --game-types')}")
        bar = _bar(progress, len(parts), "seasons")
        for (level, season), paths in sorted(parts.items()):
            met = LoadCounts()  # the parts were read and counted in pass 1: only what the whole season shows
            with warnings.catch_warnings():  # reported in the summary instead
                warnings.simplefilter("ignore", StatcastWarning)
                pitches = load_pitches(paths, level=level, game_types=None, duplicates="keep", counts=met)
            counts.split_games += met.split_games
            counts.split_example = counts.split_example or met.split_example
            if met.unmatched_season is not None:  # a game both sources hold would count twice
                raise HFMInputError(f"season {season}: {met.describe_copies()}; add the column to the Statcast "
                                    "files, or import that season from one source")
            replaced += met.copies_replaced  # load_pitches kept one copy of each game both sources hold
            partial += met.copies_partial
            from_retro = _retrosheet_rows(pitches)
            sources_of.setdefault(season, set()).update(
                (["retrosheet"] if from_retro.any() else []) + (["statcast"] if (~from_retro).any() else []))
            pitches, dropped = drop_duplicate_pitches(pitches)
            counts.duplicates += dropped
            odd_events.update(unknown_events(pitches["events"]))
            target = tmp / "pitches" / level / f"{season}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            pitches.to_parquet(target, index=False)
            written.setdefault(level, {})[season] = len(pitches)
            tally.add(pitches)
            del pitches
            for path in paths:
                path.unlink()
            log(f"{level} {season}: {written[level][season]:,} pitches"
                + (f" ({dropped:,} duplicates dropped)" if dropped else ""))
            bar.update(1)
        bar.close()
        shutil.rmtree(spool)
        players = build_players(tally.table(), people, config.roles)
        write_players(players, tmp / "players.csv")
        kinds = Counter(players["player_type"])
        player_counts = {"total": len(players), "batter": kinds.get("batter", 0), "pitcher": kinds.get("pitcher", 0),
                         "two_way": kinds.get("two_way", 0), "age_imputed": int(players["age_imputed"].sum()),
                         "age_source": {k: int(n) for k, n in players["age_source"].value_counts().items()}}
        if people is not None:  # who the register does not name (no name, no birth date): counted, the first listed
            unknown = np.setdiff1d(players["player_id"].to_numpy(np.int64), people["player_id"].to_numpy(np.int64))
            player_counts["not_in_register"] = {"players": len(unknown), "first": unknown[:10].tolist()}
        levels = sorted(written, key=lambda lv: (lv != "MLB", lv != "AAA", lv))  # MLB, AAA, then the rest
        seasons = sorted({s for per in written.values() for s in per})
        written = {lv: dict(sorted(written[lv].items())) for lv in levels}
        kinds_of_source = sorted(set().union(*sources_of.values())) if sources_of else ["statcast"]
        meta = {
            "schema_version": LEAGUE_SCHEMA_VERSION,
            "source": "+".join(kinds_of_source),
            "seasons": seasons,
            "levels": levels,
            "level_seasons": {lv: list(per) for lv, per in written.items()},
            "season_sources": {str(s): sorted(v) for s, v in sorted(sources_of.items())},
            "game_types": list(config.game_types) if config.game_types is not None else None,
            "files": {lv: [str(p) for p in paths] for lv, paths in files.items()},
            "pitches": {lv: {str(s): n for s, n in per.items()} for lv, per in written.items()},
            "rows_read": counts.rows,
            "left_out": dict(sorted(counts.other_game_types.items())),
            "duplicates_dropped": counts.duplicates,
            "impossible_counts_dropped": {"rows": counts.impossible_counts, "ending_a_plate_appearance":
                                          counts.impossible_events, "first": counts.impossible_example or None},
            "games_on_two_dates": {"games": counts.split_games, "first": counts.split_example or None},
            "unknown_events": dict(odd_events.most_common()),
            "register": None if register is None or isinstance(register, pd.DataFrame) else str(register),
            "players": player_counts,
        }
        if retro:
            meta["retrosheet"] = {"files": [str(p) for p in retro], "parse": parsed.to_json(),
                                  "notice": retrosheet.NOTICE}
            meta["retrosheet_games_replaced"] = replaced
            meta["statcast_games_in_part"] = partial
        (tmp / "league.json").write_text(json.dumps(meta, indent=2))
    return ImportReport(out=out, files={lv: [str(p) for p in ps] for lv, ps in files.items()}, pitches=written,
                        counts=counts, players=player_counts, seconds=time.perf_counter() - start,
                        retrosheet=parsed if retro else None, replaced=replaced, partial=partial,
                        unknown_events=dict(odd_events.most_common()))


def _retrosheet_rows(pitches: pd.DataFrame) -> np.ndarray:
    """Which rows came from Retrosheet: their game_pk is hfm_train.retrosheet.game_pk's."""
    return pitches["game_pk"].to_numpy(np.int64) >= RETROSHEET_GAME_PK_MIN


def _spool_retrosheet(paths: list[Path], register: Mapping[str, int], spool: Path, config: ImportConfig,
                      parsed: retrosheet.ParseCounts, log: Callable[[str], None],
                      progress: bool) -> dict[tuple[str, int], list[Path]]:
    """Pass 1 for Retrosheet: each season parsed (config.workers processes) -> one Parquet part."""
    seasons = [retrosheet.season_of(p) for p in paths]
    repeated = [s for s in set(seasons) if seasons.count(s) > 1]
    if repeated:
        given = [str(p) for p, s in zip(paths, seasons) if s == repeated[0]]
        raise HFMInputError(f"Retrosheet season {repeated[0]} given twice: {' and '.join(given[:2])}")
    parts: dict[tuple[str, int], list[Path]] = {}
    bar = _bar(progress, len(paths), "Retrosheet seasons")
    # closed on the way out, whatever stops the loop: its workers stop then (else at exit, after the
    # seasons they were parsing: a walkthrough's Ctrl-C and kill waited 20 s)
    with closing(retrosheet.iter_seasons(paths, register, config.workers)) as seasons_parsed:
        for path, frame, season_counts in seasons_parsed:
            season = int(frame["game_date"].dt.year.iloc[0])
            folder = spool / "MLB" / str(season)
            folder.mkdir(parents=True, exist_ok=True)
            part = folder / f"{RETRO_PART}{season}.parquet"
            frame.to_parquet(part, index=False)
            parts[("MLB", season)] = [part]
            parsed.add(season_counts)
            log(f"parsed {path}: {season_counts.games:,} games, {season_counts.pitches:,} pitches and "
                f"{season_counts.placeholder_rows:,} no_pitch rows (plate appearances without a pitch sequence)")
            bar.update(1)
    bar.close()
    return parts


def _spool(files: Mapping[str, list[Path]], spool: Path, config: ImportConfig, counts: LoadCounts,
           log: Callable[[str], None], progress: bool) -> dict[tuple[str, int], list[Path]]:
    """Pass 1: every file in chunks -> Parquet parts per (level, season) under `spool`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts: dict[tuple[str, int], list[Path]] = {}
    total = sum(len(paths) for paths in files.values())
    bar = _bar(progress, total, "files")
    for level, paths in files.items():
        for path in paths:
            before = counts.rows
            for chunk in read_pitch_chunks(path, game_types=config.game_types, chunk_rows=config.chunk_rows,
                                           counts=counts):
                year = chunk["game_date"].to_numpy().astype("datetime64[Y]").astype(np.int64) + 1970
                for season in np.unique(year):
                    rows = chunk[year == season]
                    folder = spool / level / str(int(season))
                    folder.mkdir(parents=True, exist_ok=True)
                    key = (level, int(season))
                    part = folder / f"part-{len(parts.get(key, [])):06d}.parquet"
                    pq.write_table(pa.Table.from_pandas(rows, preserve_index=False), part)
                    parts.setdefault(key, []).append(part)
            log(f"read {path}: {counts.rows - before:,} rows")
            bar.update(1)
    bar.close()
    return parts


def _bar(progress: bool, total: int, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=f" {unit}", disable=not progress or not total, leave=False)  # no bar for nothing


def parse_game_types(text: str) -> tuple[str, ...] | None:
    """--game-types: comma-separated codes (R, F, D, L, W, S, E, A) or "all"."""
    if text.strip().lower() == "all":
        return None
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    unknown = [c for c in codes if c not in GAME_TYPES]
    if not codes or unknown:
        raise HFMInputError(f"--game-types: {text!r}: expected codes among {', '.join(GAME_TYPES)} or 'all'")
    return codes


@click.command("import")
@click.argument("sources", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="League folder to write (replaced only once the import succeeds).")
@click.option("--level", "extra", type=(str, click.Path(path_type=Path)), multiple=True, metavar="LEVEL SOURCE",
              help="Files or a folder of another level, e.g. --level AAA data/aaa (repeatable).")
@click.option("--default-level", default="MLB", show_default=True, help="Level of the positional SOURCES.")
@click.option("--register", type=click.Path(path_type=Path), default=None,
              help="Chadwick register (CSV/Parquet file or folder; key_mlbam, names, birth_year/month/day) "
                   "for names and birth dates.")
@click.option("--game-types", default="R", show_default=True,
              help="Game types kept, comma-separated (R regular season, F/D/L/W postseason, S spring, "
                   "E exhibition, A all-star) or 'all'.")
@click.option("--chunk-rows", type=int, default=ImportConfig.chunk_rows, show_default=True,
              help="Rows read from a file at a time (memory).")
@click.option("--workers", type=int, default=ImportConfig.workers, show_default=True,
              help="Processes parsing Retrosheet seasons (one season each).")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
def import_command(sources: tuple[Path, ...], out: Path, extra: tuple[tuple[str, Path], ...], default_level: str,
                   register: Path | None, game_types: str, chunk_rows: int, workers: int, no_progress: bool) -> None:
    """Import real data into a league folder: Statcast files (Savant CSV exports, pybaseball frames as
    CSV/Parquet) and Retrosheet seasons (<YEAR>eve.zip or its extracted folder; needs --register)."""
    if chunk_rows < 1:
        raise HFMInputError(f"--chunk-rows must be at least 1, got {chunk_rows}")
    if workers < 1:
        raise HFMInputError(f"--workers must be at least 1, got {workers}")
    by_level: dict[str, list[Path]] = {}
    if sources:
        by_level[default_level] = list(sources)
    for level, path in extra:
        by_level.setdefault(level, []).append(path)
    config = ImportConfig(game_types=parse_game_types(game_types), chunk_rows=chunk_rows, workers=workers)
    from tqdm import tqdm

    caught: list = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", RegisterWarning)
            report = import_statcast(by_level, out, register, config, log=tqdm.write, progress=not no_progress)
    except (KeyboardInterrupt, SystemExit) as exc:  # the league is written whole or not at all (atomic_dir)
        close_progress_bars()
        click.echo(f"\n{stopped(exc)}: nothing was written; {out} is as it was", err=True)
        raise
    finally:  # said also when the import then fails
        for w in caught:
            if issubclass(w.category, RegisterWarning):
                click.echo(f"warning: {w.message}", err=True)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    click.echo(report.summary())
    click.echo(f"next: hfm-train fit --league {out} [--history-seasons 6 --last-season Y]   (--history-seasons 6 "
               "with 9 seasons or more: the history real fits use; --last-season: the season to test; "
               "docs/real-data.md; real data has no true talent: the evaluation scores against actual outcomes "
               "only, its true-talent rows and the oracle stay empty)")

