"""The product path, `hfm_runtime.scoring.Scorer` with 2 intra-op threads: bundle load, per-player
scoring, league throughput, and peak memory (benchlib.memory: tracemalloc + /proc VmHWM delta).

Per player (table "latency", engine "scorer"): a History holding only his own pitch rows (and the
league's Marcel rates, counted once untimed) is built inside the timed call, so the figure includes
everything the scorer derives from his raw Statcast rows (plate appearances, game and season lines,
Marcel, identity profile, featurization, context).
League (table "throughput"): every player in players.csv, as of the day after the league's last game;
the league-wide History derivations (plate appearances of every pitch) are done once, untimed, as a
long-running service would hold them.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from benchlib import THREADS
from benchlib.memory import measure_memory
from benchlib.players import SIDE
from hfm_runtime.marcel import league_rates as marcel_league_rates

scoring = pytest.importorskip("hfm_runtime.scoring")


@pytest.fixture(scope="module")
def real_bundle(bundle):
    if not hasattr(bundle, "manifest"):
        pytest.skip("the Scorer needs a real exported bundle (not the random-weight stand-in)")
    return bundle


def _options(**kw):
    return scoring.ScorerOptions(threads=THREADS, **kw)


def test_bundle_load(benchmark, real_bundle) -> None:
    """Verify the manifest (SHA-256 of every file), parse the JSON parts, create the ORT sessions."""
    path = real_bundle.path
    with measure_memory() as peak:
        scoring.Scorer(str(path), _options())
    benchmark.pedantic(lambda: scoring.Scorer(str(path), _options()), rounds=5, warmup_rounds=1)
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    benchmark.extra_info.update(table="resources", what=f"bundle load ({size / 2**20:.1f} MiB, verified)",
                                python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb)


@pytest.fixture(scope="module")
def league_rates(league) -> dict[str, pd.DataFrame]:
    """Marcel's per-season league rates, counted once from the whole league (a service holds them)."""
    whole = scoring.History.from_league(league)
    return {pt: marcel_league_rates(whole.lines(pt), pt) for pt in ("batter", "pitcher")}


def _own_rows(league, request) -> pd.DataFrame:
    pid, pt = request.player.player_id, request.player.player_type
    return league.pitches[league.pitches[SIDE[pt]] == pid]


@pytest.mark.parametrize("phase", ["cold", "warm"])
@pytest.mark.parametrize("player", ["batter", "pitcher"])
def test_scorer_player(benchmark, real_bundle, league, league_rates, requests, player, phase) -> None:
    scorer = scoring.Scorer(real_bundle, _options())
    req = requests[player]
    rows = _own_rows(league, req)
    as_of = pd.Timestamp(req.as_of)
    newest = pd.Timestamp(req.player.pitches["game_date"].max())
    season = as_of.year

    def own() -> scoring.History:
        return scoring.History(rows, league.players, league=league_rates)

    def score() -> pd.DataFrame:
        return scorer.score(own(), season, [req.player.player_id], as_of=as_of)

    def setup() -> None:
        scorer.cache.clear()
        if phase == "warm":  # every context game but the newest is already encoded
            scorer.score(own(), season, [req.player.player_id], as_of=newest)

    setup()
    with measure_memory() as peak:
        table = score()
    benchmark.pedantic(score, setup=setup, rounds=10 if phase == "cold" else 20, warmup_rounds=1)
    assert table["flag"].iloc[0] == "model" and int(table["n_games"].iloc[0]) == 30
    benchmark.extra_info.update(table="latency", player=player, phase=phase, engine="scorer", scope="e2e",
                                python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb)


@pytest.fixture(scope="module")
def league_history(league):
    history = scoring.History.from_league(league)
    for pt in ("batter", "pitcher"):  # derive once (a service keeps these)
        history.lines(pt)
    return history


def _league_as_of(league) -> pd.Timestamp:
    return pd.Timestamp(league.pitches["game_date"].max()) + pd.Timedelta(days=1)


@pytest.mark.parametrize("phase", ["cold", "warm"])
def test_league_throughput(benchmark, real_bundle, league, league_history, phase) -> None:
    scorer = scoring.Scorer(real_bundle, _options())
    ids = league.players["player_id"].astype(int).tolist()
    as_of = _league_as_of(league)

    def score() -> pd.DataFrame:
        return scorer.score(league_history, as_of.year, ids, as_of=as_of)

    if phase == "warm":
        score()
    start = time.perf_counter()
    with measure_memory() as peak:
        table = score() if phase == "warm" else (scorer.cache.clear(), score())[1]
    once = time.perf_counter() - start
    rounds = 3 if once < 20 else 1
    benchmark.pedantic(score, setup=(scorer.cache.clear if phase == "cold" else None), rounds=rounds)
    assert len(table) == len(ids) and np.isfinite(table["rate_SO"]).all()
    benchmark.extra_info.update(
        table="throughput", phase=phase, players=len(ids), batch=scorer.options.graph1_batch_games,
        games_encoded=scorer.stats.games_encoded, model_flags=int((table["flag"] == "model").sum()),
        python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb,
    )
