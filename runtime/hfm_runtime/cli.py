"""`hfm-score`: project players from a bundle and a league folder (or Statcast files) and print a table.

The league folder may be simulated (`hfm-train simulate`) or imported from real Statcast
(`hfm-train import`). `--pitches` reads Statcast files directly (Savant CSV exports, pybaseball
frames as CSV/Parquet; duplicate pitches dropped with a warning, regular season only unless
`--game-types`); the players table is `--people` or, without it, derived from the pitches
(hfm_runtime.people) with names and birth dates from `--register` (the Chadwick register).

Default: every player with an MLB line in the three seasons before the league's last season, projected
into that last season as of its opening day (its first MLB game date), so the projections can be set
against what happened. `--season` projects another season (one past the data projects the future, as of
the data's usual opening day in that season, `seasons.projection_date`: the date the model was trained
at; with `--store` too); a season more than one past the data's last is refused unless `--allow-gap` (Marcel's window
would hold seasons the data does not have), and a two-digit one gets "did you mean 2025?". `--players`
scores only the listed ids. Errors are one line on stderr, exit status 2.

Before the table: one line naming the data the bundle was trained on (the manifest's `training_data`:
source, seasons and, for Retrosheet, its notice; "not recorded" for bundles exported before
2026-12-02); with --format csv/json that line goes to stderr, so stdout stays machine-readable. A
bundle trained on a simulated league that scores real data (a league folder whose league.json has a
"source" such as statcast or retrosheet, or --pitches files) gets a warning on stderr, and so does a
bundle trained on real players that scores a simulated league (`training_data_warning`), and so do
--pitches files (or a store's games, or an imported league folder's; a league scored in chunks
holds over a million pitches and is not checked) too small to give Marcel his league rates
(hfm_runtime.marcel.thin_league_note), and data without batters' fielding positions scored with a
bundle whose batter ridge reads them, where a row's projection took the ridge in (as of opening day
or earlier: hfm_runtime.ridge.missing_positions_note; a league imported before 2026-12-06, Savant
files without their fielder columns; not for a simulated league, which has none, where the
training-data warning has said so). A projection made in season (an as-of date after the season's
opening day, `seasons.last_opening_day`: the home opening day, not a series abroad) gets a note that
its rates are the rest of the season's and its totals what each player recorded plus the rest's, and
one asking for --season-end where it was not given (docs/score-table.md). The header line
counts the fallbacks, the rows with a rate pulled into the plausible range or inputs far outside the
training range (hfm_runtime.scoring), and the ages by source. Every column: docs/score-table.md.
`--show ranges` / `--show totals` put each stat's 80% outcome interval / projected season total with
its 80% interval in the table instead of the model's adjustment (hfm_runtime.ranges; csv/json always
hold every column). `--report FILE` also writes one self-contained HTML page of the table
(hfm_runtime.report; needs the `report` extra); its size and build time go to stderr.

`--store DIR` keeps the scoring state in DIR between runs (hfm_runtime.store): it is loaded (built from
the data when DIR holds none, or with `--rebuild`), the data's games it does not hold yet are appended,
the players table is taken from the league folder or --people (or, derived from --pitches, adds its
new players), players are scored from it (by default, in its newest game's season, as of the day after
that game; another season as without --store), and it is saved atomically with the Marcel memo the
scores filled (also when scoring fails, so the day's games are kept; DIR must be new, empty or a
store). A nightly job: `hfm-score --store state/ --pitches today.csv --people players.csv`. Given no
--pitches or --league, an existing store is scored as it is and not saved (the next season, another
--format, --players or --report; a date before its kept games is a History's job); the default league
is never appended to a store.
A store made for another bundle (or altered) is refused: rebuild it from the whole history with
`--rebuild` (the day's file alone would leave it with one day of games).
`--workers N` runs the graphs in N processes (the results do not depend on N).

A league folder of more than `--chunk-pitches` pitches (default 1,000,000; a full-size league holds
7.3 million) is scored season by season and in chunks of players (hfm_runtime.league_scoring), with
the same table and progress on stderr, so memory stays bounded (whole: 7.3 GiB peak at full size on
2026-12-06, chunked 2.0 GiB: docs/scale.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.bundle import training_data_line  # noqa: F401  (here before; importers keep working)
from hfm_runtime.errors import HFMInputError, exits_on_sigterm, print_error, tracked_stderr
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

TABLE_STATS: tuple[str, ...] = tuple(dict.fromkeys(s for pt in PLAYER_TYPES for s in TARGET_STATS[pt]))
DEFAULT_BUNDLE = Path("artifacts/bundle")
DEFAULT_LEAGUE = Path("artifacts/league")
GIVE_GAMES = "give the games with --pitches FILE... or --league L (with no games, an existing store is scored as it is)"
SHOW: tuple[str, ...] = ("adjustments", "ranges", "totals")  # what --format table shows per stat
SIMULATED = "simulated"  # the manifest's training_data.source of a bundle trained on a simulated league


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="hfm-score", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE,
                   help="bundle folder (hfm-export), or 'retrosheet': the bundle trained on real MLB seasons that "
                        "ships with the runtime")
    p.add_argument("--league", type=Path, default=None,
                   help="league folder (default artifacts/league, unless --pitches is given)")
    p.add_argument("--pitches", type=Path, nargs="+", default=None,
                   help="Statcast files or folders (CSV/Parquet, one level: see --level) instead of a league")
    p.add_argument("--people", type=Path, default=None,
                   help="with --pitches: players CSV (player_id, birth_date, bats, throws, player_type, names); "
                        "default: derived from the pitches")
    p.add_argument("--register", type=Path, default=None,
                   help="with --pitches and no --people: Chadwick register file or folder (names, birth dates)")
    p.add_argument("--level", default="MLB", help="with --pitches: the level those files are (default MLB)")
    p.add_argument("--game-types", default="R",
                   help="with --pitches: game types kept, comma-separated (default R: regular season) or 'all'")
    p.add_argument("--season", type=int, default=None, help="season to project (default: the data's last season)")
    p.add_argument("--allow-gap", action="store_true",
                   help="project a --season more than one past the data's last (Marcel then reads missing seasons)")
    p.add_argument("--as-of", default=None, help="score as of this date, YYYY-MM-DD (default: the season's opening "
                   "day, estimated from the data's for a season it does not hold; with --store, in the store's "
                   "last season, the day after its newest game)")
    p.add_argument("--season-end", default=None, help="in season: the season's last scheduled day, YYYY-MM-DD (the "
                   "published schedule); the rest of the season's playing time then reads the season's own length, "
                   "not the 2001-2018 seasons' average of about 183 days")
    p.add_argument("--players", default=None, help="comma-separated player ids (default: everyone with an MLB line in "
                                                     "the three seasons before --season, Marcel's window, and, in season, an MLB "
                                                     "game of --season before --as-of)")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")
    p.add_argument("--show", choices=SHOW, default="adjustments",
                   help="table: per stat, the rate and the model's adjustment (adjustments), the rate and its 80%% "
                        "outcome interval at the projected opportunities (ranges), or the projected season total "
                        "and its 80%% interval (totals); csv/json hold every column")
    p.add_argument("--top", type=int, default=None,
                   help="table: only the N players of each type with the most projected opportunities")
    p.add_argument("--out", type=Path, default=None, help="write here instead of stdout")
    p.add_argument("--report", type=Path, default=None,
                   help="also write one self-contained HTML report here (opens offline: league table, each "
                        "player's ranges against Marcel, recent seasons, percentiles, similar players; needs "
                        "pip install 'hfm-runtime[report]')")
    p.add_argument("--threads", type=int, default=1, help="cores the graphs use (ScorerOptions.threads; 0 = all cores)")
    p.add_argument("--workers", type=int, default=1, help="processes running the graphs (same results for any N)")
    p.add_argument("--store", type=Path, default=None,
                   help="scoring state folder: loaded or built, the data's new games appended, saved; scored from it "
                        "(default --as-of: the day after its newest game); with no --pitches or --league, scored "
                        "as it is")
    p.add_argument("--chunk-pitches", type=int, default=None,
                   help="a league folder of more pitches is scored in chunks of players of at most this many "
                        "pitches (default 1,000,000)")
    p.add_argument("--rebuild", action="store_true",
                   help="with --store: build it anew from the data (after a new bundle: give the whole history)")
    return p.parse_args(argv)


def check_season(season: int | None, seasons: Iterable[int] | None = None, allow_gap: bool = False) -> None:
    """Refuse a --season that cannot be what was meant: a two-digit year ("did you mean 2025?"), or
    (with `seasons`, those the data holds) one more than MAX_SEASON_GAP seasons past the data's last, or one
    before its first (a walkthrough projected a three-year-old Mike Trout for 1995 from 2000-2021's
    data), unless `allow_gap`: Marcel would read seasons the data does not hold and fall back to league
    rates. The seasons it suggests have a window the data reaches (a walkthrough was offered the data's
    first season, whose opening day nobody has a line before: only in season can it be projected)."""
    if season is None:
        return
    from hfm_runtime.scoring import season_year
    from hfm_runtime.seasons import MAX_SEASON_GAP

    season_year(season, "--season")
    held = {int(s) for s in seasons} if seasons is not None else set()
    last = max(held) if held else None
    if held and season < min(held) and not allow_gap:
        raise HFMInputError(
            f"--season {season}: the data's first season is {min(held)}, so it holds none of Marcel's window "
            f"{season - 3}-{season - 1} nor the season itself: project a season whose window it reaches "
            f"({min(held) + 1} to {last + 1}), or {min(held)} in season (--as-of after its opening day)")
    if last is not None and season > last + MAX_SEASON_GAP and not allow_gap:
        window = range(season - 3, season)
        raise HFMInputError(
            f"--season {season}: the data's last season is {last}, so Marcel's window {season - 3}-{season - 1} "
            f"holds only {len(held.intersection(window))} of its 3 seasons (and no player has recent games): "
            f"project {last + 1} (--season {last + 1}), or give --allow-gap to project {season} anyway"
        )


def mix_line(bundle, mixed: int | None = None, show: str = "adjustments") -> str:
    """A line (with its newline) naming the player types whose opening-day projections the bundle mixes
    with its sequence-skill ridge (hfm_runtime.ridge) and their lam per stat; "" for a bundle without.
    mixed: how many rows of the table it heads the mix went into (Scorer.stats.mixed_rows); 0 says no
    row holds it, None leaves that unsaid. show: what the table's brackets hold (SHOW; "rows" for
    csv/json, which have none)."""
    parts = [f"{pt}s (lam " + ", ".join(f"{s} {v:.1f}" for s, v in bundle.blend["mix"][pt].items()) + ")"
             for pt in bundle.ridges]
    if not parts:
        return ""
    where = ("no row of this table holds it: it goes only into rows the model adjusts as of the season's "
             "opening day or earlier" if mixed == 0 else
             {"adjustments": "in brackets, the adjustment includes it",
              "ranges": "the rates and their intervals include it",
              "totals": "the totals and their intervals include it"}.get(
                 show, "the rows' rate_*, adj_*, proj_* and range columns include it"))
    return ("opening-day projections of " + "; ".join(parts) + ": (1 - lam) x blend + lam x the bundle's "
            f"sequence-skill ridge ({where})\n")


def training_data_warning(manifest: dict, data_source: str | None) -> str | None:
    """A warning when a bundle scores data of the other kind than it was trained on: trained on a
    simulated league and scoring real data, or trained on real players and scoring a simulated league
    (`data_source`: the scored league's league.json "source", "statcast files" for --pitches, None for
    a simulated league); None otherwise, and None when the manifest does not say what it was trained on."""
    data = manifest.get("training_data")
    trained_on = data.get("source") if isinstance(data, dict) else None
    if trained_on is None:
        return None
    if trained_on == SIMULATED and data_source and data_source != SIMULATED:
        return (f"warning: this bundle was trained on a simulated league and scores real data ({data_source}): its "
                "adjustments were learned from simulated players and may not carry over; train on real data "
                "(hfm-train import, hfm-train fit --league, hfm-export, then --bundle) for real projections, or "
                "use --bundle retrosheet (trained on real MLB seasons)")
    if trained_on != SIMULATED and data_source is None:
        return (f"warning: this bundle was trained on real players ({trained_on}) and scores a simulated league: "
                "its adjustments were learned from real players, and the simulated league lacks some of what it "
                "reads (fielding positions, say); score a simulated league with a bundle trained on one (make demo)")
    return None


def _data_source(args: argparse.Namespace) -> str | None:
    """What the scored data is: league.json's "source" (absent for a simulated league), or "statcast
    files" for --pitches."""
    from hfm_runtime.league import read_league_meta

    if args.pitches:
        return "statcast files"
    source = read_league_meta(args.league or DEFAULT_LEAGUE).get("source")
    return None if source is None else str(source)


def _load_bundle(path: Path):
    """load_bundle, with a missing folder named absolutely: run outside the repository, the default
    artifacts/bundle is looked for under the current directory."""
    from hfm_runtime.bundle import PACKAGED_BUNDLES, load_bundle

    if not path.is_dir() and str(path) not in PACKAGED_BUNDLES:
        where = f"{path.absolute()}: no such bundle folder"
        if path == DEFAULT_BUNDLE:
            where += (f" (the default --bundle, {DEFAULT_BUNDLE}, is read from the current directory; run hfm-score "
                      "from the repository or give --bundle)")
        raise HFMInputError(f"{where}; make one with `hfm-export`, or name a packaged one: "
                            f"{', '.join(sorted(PACKAGED_BUNDLES))}")
    if path.is_dir() and not (path / "manifest.json").exists() and (path / "test_predictions.csv").is_file():
        raise HFMInputError(f"{path}: a training run folder, not a bundle: export it first (hfm-export {path} --out "
                            "DIR), then --bundle DIR")
    return load_bundle(path)


def run(args: argparse.Namespace, notes: list[str] | None = None) -> str:
    """The output of hfm-score for `args`; lines for stderr (the training data with --format csv/json,
    warnings) are appended to `notes`, which `main` prints only once the run succeeded, so that a
    failed run's stderr is its one error line."""
    from hfm_runtime.scoring import Scorer, ScorerOptions, parse_as_of

    notes = [] if notes is None else notes
    if args.workers < 1:
        raise HFMInputError(f"--workers must be at least 1, got {args.workers}")
    if args.top is not None and args.top < 1:
        raise HFMInputError(f"--top must be at least 1, got {args.top}")
    if args.rebuild and args.store is None:
        raise HFMInputError("--rebuild goes with --store")
    for flag, value in (("--people", args.people), ("--register", args.register)):
        if value is not None and not args.pitches:  # read with --pitches only (a walkthrough's was ignored)
            raise HFMInputError(f"{flag} goes with --pitches (a league folder has its players.csv)")
    # a store given no games is scored as it is: the default league is never appended to it (a real
    # store took in the simulated demo league's games that way)
    store_only = args.store is not None and not args.pitches and args.league is None  # read, never saved
    if store_only and args.rebuild:
        raise HFMInputError(f"--store {args.store}: --rebuild needs the whole history: {GIVE_GAMES}")
    for flag, path, example in (("--out", args.out, "scores.csv"), ("--report", args.report, "report.html")):
        if path is not None and path.is_dir():  # before the scoring, not after it
            raise HFMInputError(f"{flag} {path}: a folder; give a file's path (e.g. {path / example})")
    check_season(args.season)
    parse_as_of(args.as_of, args.season, "--as-of")  # before the (slower) loads; its year again once the season is known
    parse_as_of(args.season_end, args.season, "--season-end")
    bundle = _load_bundle(args.bundle)  # verify before the (slower) data load
    data_source = None if store_only else _data_source(args)
    warning = None if store_only else training_data_warning(bundle.manifest, data_source)  # said at its build
    if warning:
        notes.append(warning)
    said_simulated = warning is not None and data_source is None  # a real bundle on a simulated league
    if args.format != "table":
        notes.append(training_data_line(bundle.manifest))
    players = None
    if args.players:
        try:
            players = [int(x) for x in args.players.split(",") if x.strip()]
        except ValueError:
            raise HFMInputError(f"--players: {args.players!r} is not a comma-separated list of integer ids") from None
    chunked = _chunked_league(args)
    if chunked is not None:
        from hfm_runtime.league import read_league_meta
        from hfm_runtime.league_scoring import score_league

        held = [int(x) for x in read_league_meta(chunked)["seasons"]]
        last = max(held)
        check_season(args.season, held, args.allow_gap)
        notes.extend(_window_start_note(bundle, held, args.season if args.season is not None else last))
        if warning is None:  # a bundle trained on the other kind of data never saw these outcomes
            notes.extend(_in_sample_note(bundle.manifest, args.season if args.season is not None else last))
        as_of = parse_as_of(args.as_of, args.season if args.season is not None else last, "--as-of")
        with Scorer(bundle, ScorerOptions(threads=args.threads, workers=args.workers)) as scorer:
            start = time.perf_counter()
            table = score_league(scorer, chunked, args.season, players, as_of, chunk_pitches=args.chunk_pitches,
                                 season_end=args.season_end,
                                 log=lambda line: print(line, file=sys.stderr, flush=True))
            elapsed = time.perf_counter() - start
            mixed = scorer.stats.mixed_rows
        scored = int(table["season"].iloc[0])
        openings, starts = _league_opening_days(chunked, held)  # as score_league reads them, for the note
        notes.extend(_in_season_note(openings, as_of, scored, args.season_end, table, starts))
        if mixed and not said_simulated:  # the ridge goes only into rows projected as of opening day or
            # earlier; a simulated league has no positions, which the training-data warning has said
            notes.extend(_no_positions_in_league(bundle, chunked, scored))
        notes.extend(_unknown_players_note(table))
        if args.report is not None:
            _write_report(args, table, bundle, _recent_lines(chunked, scored), notes)
        return _render(args, table, bundle, elapsed, mixed, notes)
    history, seasons, gap_checked = (None, [], False) if store_only else (*_history(args), True)
    if not store_only:
        try:
            check_season(args.season, seasons, args.allow_gap)
        except HFMInputError:
            if args.store is None:
                raise
            gap_checked = False  # the store may hold later seasons than the files: checked once it is open
    with Scorer(bundle, ScorerOptions(threads=args.threads, workers=args.workers)) as scorer:
        source = history
        if args.store is not None:
            kind = None if args.pitches else "simulated" if data_source in (None, "simulated") else "real"
            source, appended = _store(args, scorer, history, kind)  # files: kind not known
            if store_only and source.data_kind is not None:  # what its build said, said again
                warning = training_data_warning(
                    bundle.manifest, None if source.data_kind == "simulated" else "the store's games")
                notes.extend([warning] if warning else [])
            seasons = sorted(set(seasons) | set(source.seasons()))  # the files' seasons and the store's
        if not seasons:
            raise HFMInputError(f"--store {args.store}: it holds no games; give them with --pitches FILE... or --league L")
        season = args.season if args.season is not None else max(seasons)
        as_of = parse_as_of(args.as_of, season, "--as-of")
        if args.store is not None:
            if as_of is None and source.last_date is not None and season == source.last_date.year:
                as_of = source.last_date + pd.Timedelta(days=1)  # in season: today; another season: its opening day
        # files, and a league imported from them, may hold a game (a simulated league is its own whole league)
        if source.league is None and (args.pitches or data_source is not None):
            notes.extend(_thin_league(source, season, args.store is not None, "--pitches" if args.pitches else "--league"))
            if args.store is None and as_of is not None:
                notes.extend(_thin_season_note(source, season, as_of, "--pitches" if args.pitches else "--league"))
        try:
            if not gap_checked:
                check_season(args.season, seasons, args.allow_gap)
            notes.extend(_window_start_note(bundle, seasons, season))
            if warning is None:  # as above
                notes.extend(_in_sample_note(bundle.manifest, season))
            if players is None and not Scorer.default_players(source, season, as_of):
                held = f"the data holds {', '.join(map(str, seasons))}"
                if args.pitches and args.level != "MLB":
                    advice = (f"{held} (its --pitches files were read as --level {args.level}, not MLB): read them "
                              "as --level MLB if they are major-league games, or name --players")
                elif any(s + 1 > season for s in seasons):  # the first later season whose window holds data
                    later = min(s + 1 for s in seasons if s + 1 > season)
                    inside = ", a day inside this one (--as-of)" if season in seasons else ""
                    advice = f"{held}: project a later season (--season {later}){inside} or name --players"
                elif season > max(seasons) + 1:  # --allow-gap asked past the data: the season after it has a window
                    advice = f"{held}: project --season {max(seasons) + 1} or name --players"
                else:
                    advice = f"{held}: name --players"
                raise HFMInputError(f"no player has an MLB line in {season - 3}-{season - 1} (Marcel's window for "
                                    f"{season}); {advice}")
            start = time.perf_counter()
            table = scorer.score(source, season, players, as_of, args.season_end)
        except BaseException as exc:  # the appended games are kept even when scoring fails (an append skips them next time)
            if args.store is not None and not store_only:
                source.save(args.store)
                if isinstance(exc, HFMInputError):  # its own class kept (a BundleError stays one)
                    games = f"{appended.games} game{'' if appended.games == 1 else 's'}"
                    raise type(exc)(f"{exc} (the store {args.store} was saved all the same, with the {games} "
                                    "appended)") from None
            raise
        if args.store is not None and not store_only:
            source.save(args.store)
        elapsed = time.perf_counter() - start
        notes.extend(_in_season_note(source.opening_days(), as_of, season, args.season_end, table,
                                     source.season_starts()))  # a History's or a store's
        mixed = scorer.stats.mixed_rows
        if mixed and not said_simulated:  # as above
            notes.extend(_no_positions(bundle, source, season, args.store is not None, bool(args.pitches)))
        if args.store is not None:
            print(f"store {args.store}: " + ("no games given, scored as it is" if store_only else
                  f"{appended.games} new games appended ({appended.skipped_games} already held)")
                  + f", {source.n_games} games through "
                  f"{source.last_date.date() if source.last_date is not None else '-'}", file=sys.stderr)
    notes.extend(_unknown_players_note(table))
    if args.report is not None:
        recent = (_store_recent(source, int(table["season"].iloc[0])) if args.store is not None
                  else {pt: history.lines(pt) for pt in PLAYER_TYPES})
        _write_report(args, table, bundle, recent, notes)
    return _render(args, table, bundle, elapsed, mixed, notes)


def _recent_lines(league_dir: Path, season: int) -> dict:
    """Season lines of the three seasons before `season` (those the league holds), for the report."""
    from hfm_runtime.league import load_league, read_league_meta
    from hfm_runtime.scoring import History

    held = {int(x) for x in read_league_meta(league_dir)["seasons"]}
    window = [s for s in range(season - 3, season) if s in held]
    if not window:
        return {}
    history = History.from_league(load_league(league_dir, seasons=window))
    return {pt: history.lines(pt) for pt in PLAYER_TYPES}


def _store_recent(store, season: int) -> dict:
    """The store's game lines of the three seasons before `season`, for the report (all it holds, not
    only the day's games given)."""
    lo, hi = (int(np.datetime64(f"{y}-01-01", "D").astype(np.int64)) for y in (season - 3, season))
    recent = {}
    for pt in PLAYER_TYPES:
        try:
            recent[pt] = store.lines(pt, lo_day=lo, hi_day=hi)
        except HFMInputError:  # it holds no lines of this type
            pass
    return recent


def _write_report(args: argparse.Namespace, table: pd.DataFrame, bundle, recent: dict, notes: list[str]) -> None:
    """--report: the HTML report (hfm_runtime.report), written atomically; its size and time go to `notes`."""
    from hfm_runtime.report import score_report

    start = time.perf_counter()
    text = score_report(table, recent, training_data_line(bundle.manifest) + f"; bundle {bundle.path}.")
    args.report.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.report.with_name(args.report.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(args.report)
    notes.append(f"report {args.report}: {len(text.encode()) / 1e6:.1f} MB, {len(table)} rows, built in "
                 f"{time.perf_counter() - start:.1f} s")


def _chunked_league(args: argparse.Namespace) -> Path | None:
    """The league folder, when it is to be scored in chunks (a league folder, no store, more pitches
    than --chunk-pitches); else None."""
    from hfm_runtime.league_scoring import DEFAULT_CHUNK_PITCHES, league_pitches

    if args.chunk_pitches is None:
        args.chunk_pitches = DEFAULT_CHUNK_PITCHES
    if args.chunk_pitches < 1:
        raise HFMInputError(f"--chunk-pitches must be at least 1, got {args.chunk_pitches}")
    root = args.league or DEFAULT_LEAGUE
    if args.pitches or args.store is not None or not root.is_dir() or league_pitches(root) <= args.chunk_pitches:
        return None
    for flag in ("people", "register"):
        if getattr(args, flag) is not None:
            raise HFMInputError(f"--{flag} goes with --pitches (a league folder has its players.csv)")
    return root


def _render(args: argparse.Namespace, table: pd.DataFrame, bundle, elapsed: float, mixed: int | None,
            notes: list[str]) -> str:
    show = getattr(args, "show", "adjustments")
    if args.format in ("csv", "json"):  # stdout stays machine-readable: the mix line goes to stderr
        line = mix_line(bundle, mixed, "rows").rstrip("\n")
        training = training_data_line(bundle.manifest)
        if line:  # right after the training-data line
            notes.insert(notes.index(training) + 1 if training in notes else len(notes), line)
        if args.format == "csv":
            return table.to_csv(index=False)
        dates = {c: table[c].dt.strftime("%Y-%m-%d") for c in table.columns if pd.api.types.is_datetime64_any_dtype(table[c])}
        # dates as the CSV writes them; every digit of a float64 (pandas' default keeps 10: a walkthrough
        # found JSON 4.9e-11 off the CSV)
        return table.assign(**dates).to_json(orient="records", indent=1, double_precision=15) + "\n"
    return (training_data_line(bundle.manifest) + "\n" + mix_line(bundle, mixed, show)
            + format_table(table, bundle.target_mode, elapsed, args.top, show))


def _store(args: argparse.Namespace, scorer, history, kind: str | None):
    """Load (or build) the store, append the data's new games, take the players table (`run` saves it
    after scoring, so the Marcel memo the scores filled is saved with it, and also when scoring fails,
    so the day's games are kept). `kind`: a league folder's, "simulated" or "real" (None for --pitches
    files, which may be either: simulated rows exported, say); a store of the other kind is refused (a
    walkthrough's simulated store took in an imported league's game)."""
    from hfm_runtime.atomic import recover, settled
    from hfm_runtime.store import STORE_FILE, AppendReport, PlayerStore, StoreMismatch, check_store_folder, is_store

    folder = args.store.resolve()
    recover(folder, ours=is_store)  # a save killed midway: its previous store back in place first
    settled(folder)  # a save between its two renames (no exchange here) is not "no store"
    check_store_folder(folder)  # before the build: a folder of other files is never replaced
    store = None
    if (args.store / STORE_FILE).is_file() and not args.rebuild:
        try:
            store = PlayerStore.load(args.store, scorer)
        except StoreMismatch as exc:
            raise HFMInputError(f"{exc} (hfm-score --store {args.store} --rebuild with the whole history)") from None
    if history is None:  # no games given: scored as it is, never saved (a query beside the nightly append)
        if store is None:
            raise HFMInputError(f"--store {args.store}: no store there yet: {GIVE_GAMES}")
        return store, AppendReport(games=0, skipped_games=0, pitches=0, games_encoded=0)
    if store is not None and kind is not None and store.data_kind not in (None, kind):
        raise HFMInputError(f"--store {args.store}: a store of {store.data_kind} games, and these are {kind}: keep "
                            "each kind in a store of its own (another --store folder)")
    players = history.players
    if store is None:
        store = PlayerStore(scorer, players)
        store.data_kind = kind  # recorded once, at the build (a store of files records none)
    elif args.pitches and args.people is None:  # derived from these pitches only: add the new players
        held = store.players
        players = pd.concat([held, players[~players["player_id"].isin(held["player_id"])]], ignore_index=True)
    store.set_players(players)
    return store, store.append(history.pitches)  # `run` reports the append once the store is saved


def _history(args: argparse.Namespace):
    from hfm_runtime.league import load_league
    from hfm_runtime.scoring import History

    if args.pitches:
        if args.league is not None:
            raise HFMInputError("give --league or --pitches, not both")
        if args.people is not None and args.register is not None:
            raise HFMInputError("give --people or --register, not both (--register derives the players table)")
        history = History.from_files(args.pitches, level=args.level, people=args.people, register=args.register,
                                     game_types=_game_types(args.game_types))
        seasons = sorted(set(pd.DatetimeIndex(history.pitches["game_date"]).year.tolist()))
        return history, seasons
    for flag in ("people", "register"):
        if getattr(args, flag) is not None:
            raise HFMInputError(f"--{flag} goes with --pitches (a league folder has its players.csv)")
    league = load_league(args.league or DEFAULT_LEAGUE)
    return History.from_league(league), league.seasons


def _game_types(text: str) -> tuple[str, ...] | None:
    from hfm_runtime.statcast import GAME_TYPES

    if text.strip().lower() == "all":
        return None
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    if not codes or any(c not in GAME_TYPES for c in codes):
        raise HFMInputError(f"--game-types: {text!r}: expected codes among {', '.join(GAME_TYPES)} or 'all'")
    return codes


def format_table(table: pd.DataFrame, target_mode: str, elapsed: float, top: int | None = None,
                 show: str = "adjustments") -> str:
    """A fixed-width projection table: one line per player, per stat the blended rate and the model's
    adjustment (`show` "adjustments"), the rate and its 80% outcome interval at the projected
    opportunities ("ranges"), or the projected total and its 80% interval ("totals"); a `notes` column (what Marcel rests on when not the player's own lines, the stats
    pulled into the plausible range, how many inputs lie beyond the training range); with `top`, only
    each type's `top` players by projected opportunities. The header line counts what the rows say."""
    from hfm_runtime.scoring import INPUT_Z_LIMIT

    season = int(table["season"].iloc[0])
    as_of = pd.Timestamp(table["as_of_date"].iloc[0]).date()
    counts = table["flag"].value_counts()
    warnings = table["warnings"].fillna("").astype(str)
    ages = table["age_source"].value_counts()
    fallbacks = ", ".join(f"{int(counts[f])} {f}" for f in counts.index if f != "model")
    lines = [
        f"HFM projections for {season} as of {as_of} ({target_mode} model + Marcel): {_rows(table)}, "
        f"{int(counts.get('model', 0))} adjusted by the model, {_count(int(table['fallback'].sum()), 'fallback')}"
        + (f" ({fallbacks})" if fallbacks else "")
        + f"; {int(warnings.str.contains('clipped:').sum())} with a rate pulled into the plausible range, "
        f"{int(warnings.str.contains('input_z:').sum())} with inputs beyond {INPUT_Z_LIMIT:g} SD of training; "
        f"ages: {int(ages.get('exact', 0))} exact, {int(ages.get('birth_year', 0))} birth year only, "
        f"{int(ages.get('imputed', 0))} imputed" + (f", {int(ages['none'])} unknown" if ages.get("none") else "")
        + f"; scored in {elapsed:.2f} s",
        {"adjustments": "rates per opportunity (PA for batters, BF for pitchers); in brackets: the model's "
                        "adjustment to Marcel; opp: his expected opportunities (opportunities_mean; in season "
                        "what he recorded plus the rest of the season's)",
         "ranges": "rates per opportunity (PA for batters, BF for pitchers); in brackets: the 80% interval of the "
                   "season's rate at the projected opportunities (opp)",
         "totals": "expected season totals at the expected opportunities (opp: the mean of the bundle's "
                   "playing-time spread for him, opportunities_mean; in season what he recorded plus the "
                   "rest of the season's); in brackets: their 80% interval",
         }[show] + "; age: y = birth year only, i = imputed",
    ]
    width = {"adjustments": 15, "ranges": 19, "totals": 15}[show]
    header = (f"{'player_id':>9} {'name':<22} {'age':>4} {'type':<7} {'flag':<15} {'arch':>4} {'src':<7} "
              f"{'games':>5} {'opp':>6}")
    header += "".join(f" {s:>{width}}" for s in TABLE_STATS) + "  notes"
    lines += [header, "-" * len(header)]
    # opp: his expected opportunities (in season what he recorded plus the rest's), but with the ranges
    # Marcel's whole-season opportunities, the ones their outcome interval is read at; --top ranks by it
    opp = "opportunities" if show == "ranges" else "opportunities_mean"
    if top is not None:
        lines[1] += f"; the {top} of each type with the most {'projected' if show == 'ranges' else 'expected'} " \
                    "opportunities (opp)"
        table = (table.sort_values(["player_type", opp], ascending=[True, False], kind="stable")
                 .groupby("player_type", sort=False).head(top))
    for r in table.itertuples(index=False):
        age = "-" if pd.isna(r.age) else f"{r.age:.0f}" + {"birth_year": "y", "imputed": "i"}.get(r.age_source, "")
        src = r.source if isinstance(r.source, str) and r.source else "-"  # None, or NaN once frames are joined
        row = (f"{r.player_id:>9} {str(r.name)[:22]:<22} {age:>4} {r.player_type:<7} {r.flag:<15} "
               f"{r.archetype if r.archetype >= 0 else '-':>4} {src:<7} {r.n_games:>5} "
               f"{getattr(r, opp):>6.0f}")
        for s in TABLE_STATS:
            rate, adj = getattr(r, f"rate_{s}"), getattr(r, f"adj_{s}")
            if np.isnan(rate):
                row += f" {'':>{width}}"
            elif show == "ranges":
                lo, hi = getattr(r, f"outcome_p10_{s}"), getattr(r, f"outcome_p90_{s}")
                row += f" {rate:.3f} [{lo:.3f}-{hi:.3f}]".replace("0.", ".").rjust(width + 1)
            elif show == "totals":
                lo, hi = getattr(r, f"total_p10_{s}"), getattr(r, f"total_p90_{s}")
                row += f" {getattr(r, f'proj_{s}'):.0f} [{lo:.0f}-{hi:.0f}]".rjust(width + 1)
            else:
                row += f" {rate:>6.3f} ({adj:+.3f})"
        notes = _notes(r.basis, r.flag, str(r.warnings or ""))
        lines.append(row + (f"  {notes}" if notes else ""))
    return "\n".join(lines) + "\n"


def _unknown_players_note(table: pd.DataFrame) -> list[str]:
    """A note naming the --players ids the data does not know (their rows: the league's rates, flag
    unknown_player), so a mistyped id is not read as a projection."""
    unknown = table.loc[table["flag"] == "unknown_player", "player_id"].astype(int).tolist()
    if not unknown:
        return []
    shown = ", ".join(map(str, unknown[:10])) + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
    return [f"note: {len(unknown)} player id{'' if len(unknown) == 1 else 's'} not in the data's players table "
            f"({shown}): projected at the league's rates, with no age (flag unknown_player); check the ids"]


def _in_sample_note(manifest: dict, season: int) -> list[str]:
    """A note when `season`'s outcomes trained the bundle (its run's training or validation seasons):
    its projections are in-sample, so they look better than a new season's would (a walkthrough scored
    2019 with the packaged bundle, trained through 2019, without a word)."""
    split = (manifest.get("run") or {}).get("seasons") or {}
    trained = sorted({int(s) for part in ("train", "validation") for s in split.get(part) or []})
    if season not in trained:
        return []
    return [f"note: {season}'s outcomes trained this bundle (its target seasons {trained[0]}-{trained[-1]}): these "
            "projections are in-sample, better than a new season's would be; judge a bundle on a season after them"]


def _window_start_note(bundle, seasons, season: int) -> list[str]:
    """A note when the data begins inside (or after) the seasons a projection of `season` reads: what
    came before its first season is read as no record (a league imported from 2019 and scored for 2021
    reads no 2018: a walkthrough found a batter's strikeout rate .136 off so, and nothing said why)."""
    from hfm_runtime.profiles import OLD_YEARS

    held = [int(s) for s in seasons]
    if not held:
        return []
    back = OLD_YEARS if any(model.config.old_seasons for model in bundle.identity.values()) else 3
    first, lo = min(held), season - back
    if first <= lo:
        return []
    reads = f"{lo}-{season - 1}: Marcel's three seasons" + (" and the profile's three before them" if back > 3 else "")
    if first >= season:
        return [f"note: the data begins in {first}, after the seasons a projection of {season} reads ({reads}): "
                "every player is projected as if he had no record (the league's rates)"]
    return [f"note: the data begins in {first}, inside the seasons a projection of {season} reads ({reads}): games "
            f"before {first} are not read, so players with a longer record are projected from less of it (import "
            f"the seasons from {lo} to read them)"]


def _thin_league(source, season: int, store: bool, where: str = "--pitches") -> list[str]:
    """hfm_runtime.marcel.thin_league_note of what Marcel counts his league rates from: the --pitches
    files' (or an imported --league's) lines, or the store's games of Marcel's window (days since 1970,
    the store's numbers)."""
    from hfm_runtime.marcel import thin_league_note

    if not store:
        what = "these pitches" if where == "--pitches" else "this league's games"
        return [n for n in [thin_league_note(source.lines("batter"), season, where, what)] if n]
    lo, hi = _window_days(season)
    window = source.lines("batter", lo_day=lo, hi_day=hi, columns=["PA"])
    return [n for n in [thin_league_note(window, season, "--store", "the store's games")] if n]


def _thin_season_note(history, season: int, as_of: pd.Timestamp, where: str) -> list[str]:
    """A warning when scoring in season from files that hold a few players' games: the season's start,
    its league rates so far (Marcel to date) and the rest of its playing time are read off these pitches,
    so a player's own games would make the season begin on his debut and regress him toward himself (a
    walkthrough's file of one rookie's games). Thin: fewer than playing_time.START_GAMES MLB games a day
    (a whole league plays about 15) on the days with games from the season's start to `as_of`."""
    from hfm_runtime.playing_time import START_GAMES
    from hfm_runtime.seasons import last_opening_day
    from hfm_runtime.statcast import LEVEL_COLUMN

    start = last_opening_day(history.opening_days(), history.season_starts(), season)
    if start is None or as_of <= start:  # not in season: the opening day's projection reads no season so far
        return []
    lines = history.game_lines("batter")
    mlb = lines[(lines["season"] == season).to_numpy() & (lines[LEVEL_COLUMN] == "MLB").to_numpy(dtype=bool, na_value=False)
                & (lines["game_date"] >= start).to_numpy() & (lines["game_date"] < as_of).to_numpy()]
    games, days = mlb["game_pk"].nunique(), mlb["game_date"].nunique()
    if not days or games >= START_GAMES * days:
        return []
    return [f"warning: {where}: in season, the season's start ({start.date()}), its league rates so far and the "
            f"rest of its playing time come from these pitches alone: {games:,} MLB game{'' if games == 1 else 's'} "
            f"on {days:,} day{'' if days == 1 else 's'} since (a whole league plays about 15 a day); give the whole "
            "season's games, or import a league and score it"]


def _window_days(season: int) -> tuple[int, int]:
    """Marcel's window for `season` (its three seasons before) as [lo, hi) days since 1970, the store's numbers."""
    lo, hi = ((pd.Timestamp(y, 1, 1) - pd.Timestamp(1970, 1, 1)).days for y in (season - 3, season))
    return lo, hi


def _no_positions(bundle, source, season: int, store: bool, files: bool) -> list[str]:
    """hfm_runtime.ridge.missing_positions_note of the batters' games of Marcel's window: the History's
    (the --pitches `files`, or a league folder) or the store's."""
    from hfm_runtime.ridge import missing_positions_note, position_games
    from hfm_runtime.skills import POSITION_GAMES
    from hfm_runtime.statcast import LEVEL_COLUMN

    ridge = bundle.ridges.get("batter")
    if ridge is None or not ridge.config.positions:
        return []
    if store:
        lo, hi = _window_days(season)
        window = source.lines("batter", lo_day=lo, hi_day=hi, columns=["PA", *POSITION_GAMES])
        what = "the store's games"
    else:
        lines = source.game_lines("batter")
        window = lines[lines["season"].between(season - 3, season - 1).to_numpy()]
        what = "these pitches" if files else "the league's pitches"
    if LEVEL_COLUMN in window.columns:
        window = window[(window[LEVEL_COLUMN] == "MLB").to_numpy(dtype=bool, na_value=False)]
    note = missing_positions_note(ridge, position_games(window), float((window["PA"] > 0).sum()), what)
    return [note] if note else []


def _no_positions_in_league(bundle, league_dir: Path, season: int) -> list[str]:
    """missing_positions_note of a league folder scored in chunks, from its MLB pitch files of Marcel's
    window: their `batter_position` column alone (a league imported before 2026-12-06 has none)."""
    from hfm_runtime.ridge import missing_positions_note
    from hfm_runtime.statcast import parquet_file

    ridge = bundle.ridges.get("batter")
    if ridge is None or not ridge.config.positions:
        return []
    files = [f for f in (league_dir / "pitches" / "MLB" / f"{y}.parquet" for y in range(season - 3, season)) if f.is_file()]
    rows = known = 0
    for f in files:
        file = parquet_file(f)
        rows += file.metadata.num_rows
        if "batter_position" in file.schema_arrow.names:
            known += int(file.read(columns=["batter_position"]).column(0).drop_null().length())
    note = missing_positions_note(ridge, known, rows, "the league's pitches")
    return [note] if note else []


def _league_opening_days(league_dir: Path, seasons: Iterable[int]) -> tuple[dict[int, pd.Timestamp],
                                                                                dict[int, pd.Timestamp]]:
    """(season -> its first MLB game date, season -> its start: playing_time.season_starts) of the
    `seasons` a league folder holds, from two columns of each season's MLB file (the starts over them
    all: a season without a full day is not started where another has one)."""
    from hfm_runtime.playing_time import games_per_day, season_starts_of_counts
    from hfm_runtime.statcast import parquet_module

    openings, days, counts = {}, [], []
    for season in seasons:
        path = Path(league_dir) / "pitches" / "MLB" / f"{season}.parquet"
        if not path.is_file():
            continue
        table = parquet_module().read_table(path, columns=["game_date", "game_pk"]).to_pandas()
        if table.empty:
            continue
        day = pd.to_datetime(table["game_date"]).to_numpy().astype("datetime64[D]").astype(np.int64)
        d, n = games_per_day(day, table["game_pk"].to_numpy())
        openings[int(season)] = pd.Timestamp(np.datetime64(int(d[0]), "D"))
        days.append(d)
        counts.append(n)
    if not days:
        return openings, {}
    return openings, season_starts_of_counts(np.concatenate(days), np.concatenate(counts))


def _in_season_note(openings: dict[int, pd.Timestamp], as_of: pd.Timestamp | None, season: int,
                    season_end: str | None = None, table: pd.DataFrame | None = None,
                    starts: dict[int, pd.Timestamp] | None = None) -> list[str]:
    """A note when the projection is made in season (after the season's opening day in the data,
    `seasons.last_opening_day` of its first games `openings` and its `starts`): the
    rates are then for the rest of the season, and the season totals count what was already recorded
    (before 2026-12-06 night they did not, and said so: a walkthrough had found Pete Alonso as of
    2019-07-01 given 74 PA and 4 HR with 355 PA and 28 HR already played). Otherwise, a note when a
    date after the data's usual opening day (seasons.projection_date of `openings`, season -> first MLB
    game) was asked for in a season the data holds no MLB game of (the table is then an opening-day
    projection: a walkthrough on 2026-12-07 got 2022's whole-season figures as of 2022-06-01 without a
    word), or that the projection was made as of the usual opening day (`seasons.opening_day_as_of`: a
    late opening, 2020's July 23), and when --season-end was given but not read (it is read in season only). In season with
    no player given any of the season left (the scored `table`'s rest is 0 for all: the date is past
    the season's end, or the longest season's), the note says the totals are the recorded ones (a
    walkthrough on 2026-12-07 found the rest-of-season note on a table as of a day after the season). In
    season without `season_end`, a second note asks for it (the calendar's average is then read)."""
    from hfm_runtime.seasons import last_opening_day, opening_day_as_of, projection_date

    opening = last_opening_day(openings, starts or {}, season)
    if opening is not None and as_of is not None and as_of > opening:
        if table is not None and len(table) and np.allclose(table["opportunities_mean"], table["opportunities_to_date"]):
            return [f"note: projected as of {as_of.date()}, after {season}'s end by the calendar (the season's end "
                    "given, or past the longest season): no player has any of the season left, so the season "
                    "totals (proj_*, total_*) and opportunities_* are what each player recorded, and the rates are "
                    "for games no longer to come (docs/score-table.md)"]
        notes = [f"note: projected in season ({as_of.date()}, after {season}'s opening day, {opening.date()}): the "
                 "rates are for the rest of the season; opportunities_*, the season totals (proj_*, total_*) and "
                 "opp are what each player recorded before that date plus the rest of the season's, its playing "
                 "time from his pace so far and his opening-day projection; with --show ranges opp is Marcel's "
                 "whole-season opportunities, at which the outcome_* intervals are read (docs/score-table.md)"]
        if season_end is None:  # the calendar's average left the rest of 2019 and 2021 8-11% short by Sept 1
            notes.append("note: no --season-end given, so the season is taken to last the 2001-2018 average (about "
                         "183 days from its start); give the schedule's last day: with the average, the rest of 2019 "
                         "and 2021 (186 days each) came out 8-11% short as of September 1 (docs/ranges.md)")
        return notes
    out = []
    asked = as_of if as_of is not None else projection_date(openings, season)
    used = opening_day_as_of(openings, season, asked)
    if used < asked:  # Scorer.score made it so (a late opening: 2020)
        out.append(f"note: projected as of opening day (whole-season rates and totals), dated {used.date()}, a "
                   f"usual opening day (the data's other seasons', or April 15), not {asked.date()}: the profile "
                   f"counts its windows in days back from the date, and from {asked.date()} its last year would "
                   f"hold only part of {season - 1} (docs/score-table.md)")
    elif opening is None and as_of is not None and as_of.year == season and as_of > projection_date(openings, season):
        out.append(f"note: the data holds no {season} MLB game before {as_of.date()}: projected as of opening day "
                   "(whole-season rates and totals)")
    if season_end is not None:
        out.append("note: --season-end is read in season only (an as-of date after the season's opening day in "
                   "the data); this projection is as of opening day and does not use it")
    return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _rows(table: pd.DataFrame) -> str:
    """The header's count: players, or rows and players where a two-way player has a row of each type
    (the counts after it are of rows)."""
    players = table["player_id"].nunique()
    if players == len(table):
        return _count(players, "player")
    return f"{len(table)} rows ({players} players: a two-way player has a row of each type)"


def _notes(basis: str, flag: str, warnings: str) -> str:
    """The table's notes for a row: Marcel's basis where the flag does not already say it, the clipped
    stats, and how many inputs lie beyond the training range (the full list is in --format csv/json)."""
    from hfm_runtime.scoring import INPUT_Z_LIMIT

    parts = []
    if basis != "player" and flag == "model":
        parts.append(f"marcel:{basis}")
    tokens = [t for t in warnings.split(";") if t]
    parts += [t for t in tokens if not t.startswith("input_z:")]
    extreme = sum(t.startswith("input_z:") for t in tokens)
    if extreme:
        parts.append(f"{extreme} input{'s' if extreme > 1 else ''} |z|>{INPUT_Z_LIMIT:g}")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tracked_stderr(), exits_on_sigterm():
        _main(args)


def _main(args: argparse.Namespace) -> None:
    import warnings

    from hfm_runtime.register import RegisterWarning
    from hfm_runtime.scoring import SeasonGapWarning, StaleDataWarning
    from hfm_runtime.seasons import UnknownEventsWarning
    from hfm_runtime.statcast import StatcastWarning

    try:
        notes: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StatcastWarning)
            warnings.simplefilter("always", RegisterWarning)
            warnings.simplefilter("always", StaleDataWarning)
            warnings.simplefilter("ignore", SeasonGapWarning)  # run() refused it, or --allow-gap asked for it
            text = run(args, notes)
        said = set()  # a chunked league reloads its seasons per chunk: each warning once
        for w in caught:
            if issubclass(w.category, (StatcastWarning, RegisterWarning, StaleDataWarning)):
                # the unknown events: the first, the whole data's (a store's append or a report's rows repeat a part)
                key = "unknown events" if issubclass(w.category, UnknownEventsWarning) else str(w.message)
                if key not in said:
                    print(f"warning: {w.message}", file=sys.stderr)
                said.add(key)
            else:
                warnings.showwarning(w.message, w.category, w.filename, w.lineno)
        for line in notes:
            print(line, file=sys.stderr)
        if args.out is None:
            sys.stdout.write(text)
        else:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            if args.out.exists() and not args.out.is_file() or args.out.is_symlink():
                args.out.write_text(text)  # a device, a pipe, a link: written through, never replaced
            else:
                tmp = args.out.with_name(args.out.name + ".tmp")  # whole or not at all: an old file kept till then
                try:
                    tmp.write_text(text)
                    tmp.replace(args.out)
                except OSError as exc:  # a full disk: the error names the file, the old one is kept
                    tmp.unlink(missing_ok=True)
                    raise HFMInputError(f"--out {args.out}: {exc.strerror or exc} (the file is as it was)") from None
    except HFMInputError as exc:
        print_error(exc)
        sys.exit(2)
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback
        kept = f"; {args.out} is as it was" if args.out is not None else ""
        store = f"; the store {args.store} is saved whole or left as it was" if args.store is not None else ""
        print_error(f"interrupted: no scores were written{kept}{store}")
        sys.exit(130)
    except OSError as exc:
        print_error(f"{exc.filename or ''}: {exc.strerror or exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
