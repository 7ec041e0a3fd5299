"""The daily pipeline at real MLB size (`make bench-real`): Retrosheet seasons imported from the real
data, scored by the packaged bundle trained on real players (`Scorer("retrosheet")`) with
`ScorerOptions(threads=2)` (a call's graph batches two at a time; a single batch on 2 intra-op threads),
and each benchmark again with `full_context=True` ("(whole path)": Graph 1 and Graph 2 on every context
game, which the packaged bundle's rates do not read; the same rates), so one run gives the ratio.

League: HFM_BENCH_REAL_LEAGUE (default artifacts/league_retro_bench, which `make bench-real` imports
from $(RETRO)/2018eve.zip and 2019eve.zip with the Chadwick register). Its last season is "the season".
Benchmarks (table "real", each with its per-stage breakdown from benchlib.stages, measured in extra
rounds after the timed ones):
  import one season   `hfm-train import` of the last season's <YEAR>eve.zip (HFM_BENCH_REAL_SOURCE;
                      skipped when the zip is not found), a subprocess as a user runs it; 1 round
  store cold build    PlayerStore.build from the season's pitches alone (one season)
  player warm         the busiest batter / pitcher of the season (30 context games) from the store of
                      the whole league, as of the day after his last game: state current (his last
                      Graph-2 result reused: his inputs have not changed)
  player warm, Graph 2 run   the same with his Graph-2 result dropped first (inputs new to the memo)
  player cold         a store built from his own raw rows (his side, the league's Marcel rates, counts per day,
                      opening days and starts), scored
  daily update        a 15-game day of the season (the last one; else the busiest day) appended to the
                      store of everything before it (loaded from disk, untimed), then everyone who
                      played that day re-scored as of the next day. The store as the evening's run
                      saved it (the previous game day's players scored: Marcel's season table
                      memoised and saved), and, a second row, straight after its cold build
  league warm         everyone with an MLB line in the season, projected into the next season as of the
                      day after its last game, from the store of the whole league; a new day (nobody's
                      identity inputs memoised: each day's as-of date is new), everything else current
  league History      the same request through a History of the whole league (its lines derived,
                      Level-1 cache empty): the cold path's reference; 1 round
Targets (issue 22): league warm <= 0.5 s, player warm <= 2 ms, cold build <= 10 s a season, daily
update of a 15-game day <= 0.5 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from benchlib import SETUP, THREADS
from benchlib.daily import daily_update
from benchlib.players import SIDE, busiest_player
from benchlib.stages import Stages, medians_ms


scoring = pytest.importorskip("hfm_runtime.scoring")
from hfm_runtime.marcel import league_rates as marcel_league_rates  # noqa: E402
from hfm_runtime.scoring import league_days  # noqa: E402
from hfm_runtime.statcast import LEVEL_COLUMN  # noqa: E402
from hfm_runtime.store import PlayerStore  # noqa: E402
from hfm_train.league_stream import data_notice  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DAY_GAMES = 15
RETRO = Path(os.environ.get("RETRO", ROOT.parent / "shared/data/retrosheet"))


@pytest.fixture(scope="module")
def real_league():
    from hfm_runtime.league import load_league

    path = Path(os.environ.get("HFM_BENCH_REAL_LEAGUE", ROOT / "artifacts/league_retro_bench"))
    if not path.exists():
        pytest.skip(f"{path} is missing: `make bench-real` imports it (or set HFM_BENCH_REAL_LEAGUE)")
    if data_notice(path):  # Retrosheet's: the summary of timings on its seasons carries it
        SETUP["notice"] = data_notice(path)
    return load_league(path)


@pytest.fixture(scope="module", params=["default", "whole path"])
def scorer(request):
    """The scorer as a user gets it (the packaged bundle's rates read no context, so no Graph 1 runs and
    Graph 2 gets an empty context), and the whole path (`ScorerOptions.full_context`: Graph 1 on every
    context game, Graph 2 on all of them, the same rates), so one run gives the ratio."""
    return scoring.Scorer("retrosheet", scoring.ScorerOptions(threads=THREADS, full_context=request.param != "default"))


@pytest.fixture(scope="module")
def season(real_league) -> int:
    return int(real_league.pitches["game_date"].dt.year.max())


@pytest.fixture(scope="module")
def whole_store(scorer, real_league):
    return PlayerStore.build(scorer, real_league.pitches, real_league.players)


def _record(benchmark, what: str, stages: dict[str, float] | None = None, scorer=None, **info) -> None:
    if scorer is not None and scorer.options.full_context:
        what += " (whole path)"
    if stages is not None:
        benchmark.extra_info["stages_ms"] = {k: round(v, 4) for k, v in stages.items()}
    benchmark.extra_info.update(table="real", what=what, **info)


def test_real_import_one_season(benchmark, season, tmp_path) -> None:
    source = Path(os.environ.get("HFM_BENCH_REAL_SOURCE", RETRO / f"{season}eve.zip"))
    register = RETRO / "chadwick_register_retro.csv"
    if not source.exists() or not register.exists():
        pytest.skip(f"{source} or {register} not found (set RETRO or HFM_BENCH_REAL_SOURCE)")
    hfm_train = Path(sys.executable).with_name("hfm-train")
    out = tmp_path / "league"

    def run():
        subprocess.run([str(hfm_train), "import", str(source), "--register", str(register), "--out", str(out),
                        "--no-progress"], check=True, capture_output=True)

    benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    _record(benchmark, "import one season", source=source.name)


def test_real_store_cold_build(benchmark, scorer, real_league, season) -> None:
    p = real_league.pitches
    pitches = p[p["game_date"].dt.year == season]

    def run():
        return PlayerStore.build(scorer, pitches, real_league.players)

    benchmark.pedantic(run, rounds=2, warmup_rounds=0)
    stages = medians_ms(Stages(scorer).run(run, 1))
    _record(benchmark, "store cold build, one season", stages, scorer, pitches=len(pitches),
            games=int(pitches["game_pk"].nunique()))


@pytest.mark.parametrize("player", ["batter", "pitcher"])
@pytest.mark.parametrize("phase", ["warm", "warm, Graph 2 run", "cold"])
def test_real_player(benchmark, scorer, real_league, whole_store, season, player, phase) -> None:
    p = real_league.pitches
    bench = busiest_player(p[p["game_date"].dt.year == season], player)
    pid = bench.player_id
    as_of = pd.Timestamp(bench.pitches["game_date"].max()) + pd.Timedelta(days=1)
    source = [whole_store]

    def score():
        return scorer.score_records(source[0], season, [pid], as_of=as_of)

    setup = None
    if phase == "warm":
        run = score
        rounds = 100
    elif phase == "warm, Graph 2 run":  # his inputs new to the store's Graph-2 memo (as after his new game)
        def setup() -> None:
            whole_store._graph2[player].pop(pid, None)
        run = score
        rounds = 40
    else:
        own = p[p[SIDE[player]] == pid]
        rates = {pt: marcel_league_rates(whole_store.lines(pt), pt) for pt in ("batter", "pitcher")}
        days = {pt: league_days(whole_store.lines(pt), pt) for pt in ("batter", "pitcher")}  # Marcel to date's
        calendar = {"openings": whole_store.opening_days(), "starts": whole_store.season_starts()}  # the league's

        def run():
            source[0] = PlayerStore.build(scorer, own, real_league.players, league=rates, only=[pid], league_days=days,
                                          **calendar)
            return score()
        rounds = 5
    rows = run()
    if setup is None:
        benchmark.pedantic(run, rounds=rounds, warmup_rounds=1)
    else:
        benchmark.pedantic(run, setup=setup, rounds=rounds, warmup_rounds=0)
    assert rows[0]["flag"] == "model" and rows[0]["n_games"] == 30
    stages = medians_ms(Stages(scorer).run(run, 10 if phase != "cold" else 3, setup))
    _record(benchmark, f"{player} {phase}", stages, scorer, player_id=pid)


def _update_day(p: pd.DataFrame, season: int) -> pd.Timestamp:
    """The season's last day with DAY_GAMES games, else its busiest day."""
    games = p[p["game_date"].dt.year == season].groupby("game_date")["game_pk"].nunique()
    full = games[games == DAY_GAMES]
    return pd.Timestamp(full.index.max() if len(full) else games.idxmax())


@pytest.mark.parametrize("evening", [True, False], ids=["evening", "cold"])
def test_real_daily_update(benchmark, scorer, real_league, season, tmp_path, evening) -> None:
    day = _update_day(real_league.pitches, season)
    setup, run, played, games = daily_update(scorer, real_league.pitches, real_league.players, day,
                                             tmp_path / "before", evening)
    setup()
    table = run()
    benchmark.pedantic(run, setup=setup, rounds=5, warmup_rounds=0)
    assert (table["flag"] == "model").sum() > len(played) // 2
    stages = medians_ms(Stages(scorer).run(run, 3, setup))
    _record(benchmark, "daily update" if evening else "daily update, first after a cold build", stages, scorer,
            players=len(played), games=int(games["game_pk"].nunique()), pitches=len(games), day=str(day.date()))


def _league_request(real_league, whole_store, season) -> tuple[list[int], pd.Timestamp]:
    p = real_league.pitches
    last = p[(p["game_date"].dt.year == season) & (p[LEVEL_COLUMN] == "MLB")]
    ids = sorted(set(last["batter"].astype(int)) | set(last["pitcher"].astype(int)))
    return ids, pd.Timestamp(last["game_date"].max()) + pd.Timedelta(days=1)


def test_real_league_warm(benchmark, scorer, real_league, whole_store, season) -> None:
    ids, as_of = _league_request(real_league, whole_store, season)

    def new_day() -> None:  # nobody's identity inputs memoised yet (each day's as-of date is new)
        whole_store._identity.clear()

    def run():
        return scorer.score(whole_store, season + 1, ids, as_of=as_of)

    new_day()
    table = run()
    benchmark.pedantic(run, setup=new_day, rounds=5, warmup_rounds=0)
    assert len(table) >= len(ids) and np.isfinite(table["rate_SO"]).all()
    stages = medians_ms(Stages(scorer).run(run, 3, new_day))
    _record(benchmark, "league warm", stages, scorer, players=len(ids), rows=len(table))


def test_real_league_history(benchmark, scorer, real_league, whole_store, season) -> None:
    scorer = scoring.Scorer("retrosheet", scorer.options)  # its own Level-1 cache
    ids, as_of = _league_request(real_league, whole_store, season)

    def run():
        scorer.cache.clear()
        return scorer.score(scoring.History.from_league(real_league), season + 1, ids, as_of=as_of)

    benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    _record(benchmark, "league History", scorer=scorer, players=len(ids))
