"""The stateful path, `hfm_runtime.store.PlayerStore`, beside today's History path, as a pipeline uses them:
one store (or History) holding the whole default league, one player asked for. 2 intra-op threads.

Per player (table "store_player"; the busiest batter and pitcher over their last 30 games, as of the day
after their last game):
  store cold        a store built from his own raw rows (his side only, the league's Marcel rates, counts per
                    day, opening days and starts), then
                    scored: plate appearances, lines, Level 1 on his games, Marcel, identity, Graph 2
  store warm        the league's store, current: his state is read, Graph 2 runs (the day's identity
                    inputs already computed: the daily update's first request computes everyone's)
  store warm +1     the league's store without his newest game (loaded from disk and the season's
                    Marcel memoised, untimed): that game is appended (all its pitches: every player
                    in it is updated) and he is scored
  history cold/warm the History path on a History of the whole league (its lines derived once,
                    untimed): Level-1 cache empty / holding every game but his newest
Each store row carries its breakdown (benchlib.stages), measured in extra rounds after the timed ones.
League (table "store_league"): the default league (everyone with an MLB line in the three seasons
before: 279 players) as of the day after the last game, warm (the day's identity inputs computed
inside the call) and cold (the store built from the league's pitches, then scored), beside the
History path on the same players (warm: lines derived and Level-1 cache full; cold: from the raw
pitches); the daily update (the busiest day appended to the store the evening's run saved, everyone who
played re-scored as of the next day); store load and save; the store's memory.
"""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from benchlib import THREADS
from benchlib.memory import measure_memory
from benchlib.daily import daily_update
from benchlib.players import SIDE
from benchlib.stages import Stages, medians_ms
from hfm_runtime.marcel import league_rates as marcel_league_rates

scoring = pytest.importorskip("hfm_runtime.scoring")
store_module = pytest.importorskip("hfm_runtime.store")
PlayerStore = store_module.PlayerStore
league_days = scoring.league_days
STAGE_ROUNDS = 10


@pytest.fixture(scope="module")
def real_bundle(bundle):
    if not hasattr(bundle, "manifest"):
        pytest.skip("the store needs a real exported bundle (not the random-weight stand-in)")
    return bundle


@pytest.fixture(scope="module")
def scorer(real_bundle):
    return scoring.Scorer(real_bundle, scoring.ScorerOptions(threads=THREADS))


@pytest.fixture(scope="module")
def league_store(scorer, league):
    return PlayerStore.build(scorer, league.pitches, league.players)


@pytest.fixture(scope="module")
def whole_history(league):
    history = scoring.History.from_league(league)
    for pt in ("batter", "pitcher"):  # derived once, as a long-running service would hold them
        history.lines(pt)
    return history


@pytest.fixture(scope="module")
def marcel_rates(whole_history) -> dict:
    return {pt: marcel_league_rates(whole_history.lines(pt), pt) for pt in ("batter", "pitcher")}


@pytest.fixture(scope="module")
def day_counts(whole_history) -> dict:
    """The league's counts per day (Marcel to date's league rates), as a store of one player's rows needs."""
    return {pt: league_days(whole_history.game_lines(pt), pt) for pt in ("batter", "pitcher")}


def _newest_game(league, req) -> pd.DataFrame:
    """Every pitch of the player's newest game (both sides: what a day's file holds of that game)."""
    return league.pitches[league.pitches["game_pk"] == req.newest_game]


def _record_stages(benchmark, stages: dict[str, float]) -> None:
    benchmark.extra_info["stages_ms"] = {k: round(v, 4) for k, v in stages.items()}


@pytest.mark.parametrize("phase", ["cold", "warm", "warm+1"])
@pytest.mark.parametrize("player", ["batter", "pitcher"])
def test_store_player(benchmark, scorer, league, league_store, marcel_rates, day_counts, whole_history, requests,
                      tmp_path_factory, player, phase) -> None:
    req = requests[player]
    pid, pt = req.player.player_id, req.player.player_type
    as_of = pd.Timestamp(req.as_of)
    season = as_of.year

    def score():
        return scorer.score_records(source[0], season, [pid], as_of=as_of)

    source = [league_store]
    setup = None
    if phase == "cold":
        own = league.pitches[league.pitches[SIDE[pt]] == pid]
        calendar = {"openings": whole_history.opening_days(), "starts": whole_history.season_starts()}  # the league's

        def run():
            source[0] = PlayerStore.build(scorer, own, league.players, league=marcel_rates, only=[pid],
                                          league_days=day_counts, **calendar)
            return score()
    elif phase == "warm":
        run = score
    else:
        game = _newest_game(league, req)
        folder = tmp_path_factory.mktemp("store") / "before"
        PlayerStore.build(scorer, league.pitches[league.pitches["game_date"] < game["game_date"].min()],
                          league.players).save(folder)

        def setup():
            source[0] = PlayerStore.load(folder, scorer)
            # a running service has the season's Marcel memoised (his new game does not change it)
            source[0].scoring_inputs(scorer).marcel(pt, np.array([pid]), season)

        def run():
            source[0].append(game)
            return score()

    if setup is not None:
        setup()
    with measure_memory() as peak:
        rows = run()
    if setup is None:
        benchmark.pedantic(run, rounds=100 if phase == "warm" else 10, warmup_rounds=1)
    else:
        benchmark.pedantic(run, setup=setup, rounds=10, warmup_rounds=0)
    assert rows[0]["flag"] == "model" and rows[0]["n_games"] == 30
    per_round = Stages(scorer).run(run, STAGE_ROUNDS, setup)
    _record_stages(benchmark, medians_ms(per_round))
    benchmark.extra_info.update(table="store_player", what=f"store {player} {phase}", player=player, phase=phase,
                                path="store", player_id=pid,
                                python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb)


@pytest.mark.parametrize("phase", ["cold", "warm"])
@pytest.mark.parametrize("player", ["batter", "pitcher"])
def test_history_league_player(benchmark, real_bundle, whole_history, requests, player, phase) -> None:
    """Today's path as a pipeline would use it: one History of the whole league, one player asked for."""
    scorer = scoring.Scorer(real_bundle, scoring.ScorerOptions(threads=THREADS))
    req = requests[player]
    pid, as_of = req.player.player_id, pd.Timestamp(req.as_of)
    newest = pd.Timestamp(req.player.pitches["game_date"].max())

    def setup() -> None:
        scorer.cache.clear()
        if phase == "warm":  # every context game but the newest already encoded
            scorer.score(whole_history, as_of.year, [pid], as_of=newest)

    def run():
        return scorer.score(whole_history, as_of.year, [pid], as_of=as_of)

    setup()
    table = run()
    benchmark.pedantic(run, setup=setup, rounds=10, warmup_rounds=0)
    assert table["flag"].iloc[0] == "model" and int(table["n_games"].iloc[0]) == 30
    benchmark.extra_info.update(table="store_player", player=player, phase="warm+1" if phase == "warm" else "cold",
                                path="history", player_id=pid)


def _league_as_of(league) -> pd.Timestamp:
    return pd.Timestamp(league.pitches["game_date"].max()) + pd.Timedelta(days=1)


def _league_ids(league_store, as_of) -> list[int]:
    """The default league: everyone with an MLB line in the three seasons before (279 players)."""
    return scoring.Scorer.default_players(league_store, as_of.year)


@pytest.mark.parametrize("phase", ["warm", "cold"])
def test_store_league(benchmark, scorer, league, league_store, phase) -> None:
    as_of = _league_as_of(league)
    ids = _league_ids(league_store, as_of)
    source = [league_store]

    def clear_identity() -> None:  # a new day: nobody's identity inputs computed yet
        league_store._identity.clear()

    if phase == "warm":
        setup = clear_identity

        def run():
            return scorer.score(league_store, as_of.year, ids, as_of=as_of)
    else:
        setup = None

        def run():
            source[0] = PlayerStore.build(scorer, league.pitches, league.players)
            return scorer.score(source[0], as_of.year, ids, as_of=as_of)

    if setup is not None:
        setup()
    with measure_memory() as peak:
        table = run()
    benchmark.pedantic(run, setup=setup, rounds=5 if phase == "warm" else 1, warmup_rounds=0)
    assert len(table) == len(ids) and np.isfinite(table["rate_SO"]).all()
    per_round = Stages(scorer).run(run, 3 if phase == "warm" else 1, setup)
    _record_stages(benchmark, medians_ms(per_round))
    benchmark.extra_info.update(table="store_league", what=f"league {phase}", path="store", players=len(ids),
                                python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb)


@pytest.mark.parametrize("phase", ["warm", "cold"])
def test_history_league(benchmark, real_bundle, league, league_store, whole_history, phase) -> None:
    """Today's path on the same players. warm: the History of the whole league with its lines derived
    and every context game in the Level-1 cache (a long-running service); cold: from the raw pitches
    as the store's cold is (a new History, its lines derived, an empty cache)."""
    scorer = scoring.Scorer(real_bundle, scoring.ScorerOptions(threads=THREADS))
    as_of = _league_as_of(league)
    ids = _league_ids(league_store, as_of)
    if phase == "warm":
        def run():
            return scorer.score(whole_history, as_of.year, ids, as_of=as_of)

        run()
        benchmark.pedantic(run, rounds=3, warmup_rounds=0)
    else:
        def run():
            scorer.cache.clear()
            return scorer.score(scoring.History.from_league(league), as_of.year, ids, as_of=as_of)

        benchmark.pedantic(run, rounds=1, warmup_rounds=0)
    benchmark.extra_info.update(table="store_league", what=f"league {phase}", path="history", players=len(ids))


def test_store_daily_update(benchmark, scorer, league, tmp_path_factory) -> None:
    """The league's busiest day of its last season appended to the store of everything before it, then
    everyone who played that day scored as of the next day."""
    p = league.pitches
    last = p[p["game_date"].dt.year == p["game_date"].dt.year.max()]
    day = pd.Timestamp(last.groupby("game_date")["game_pk"].nunique().idxmax())
    setup, run, played, games = daily_update(scorer, p, league.players, day,
                                             tmp_path_factory.mktemp("store") / "before")
    setup()
    table = run()
    benchmark.pedantic(run, setup=setup, rounds=5, warmup_rounds=0)
    assert (table["flag"] == "model").sum() > len(played) // 2
    per_round = Stages(scorer).run(run, 3, setup)
    _record_stages(benchmark, medians_ms(per_round))
    benchmark.extra_info.update(table="store_league", what="daily update", path="store", players=len(played),
                                games=int(games["game_pk"].nunique()), pitches=len(games))


@pytest.mark.parametrize("operation", ["load", "save"])
def test_store_load_save(benchmark, scorer, league_store, tmp_path_factory, operation) -> None:
    folder = tmp_path_factory.mktemp("store") / "league"
    league_store.save(folder)
    size = sum(f.stat().st_size for f in folder.iterdir())
    if operation == "load":
        with measure_memory() as peak:
            PlayerStore.load(folder, scorer)
        benchmark.pedantic(lambda: PlayerStore.load(folder, scorer), rounds=5, warmup_rounds=1)
    else:
        with measure_memory() as peak:
            league_store.save(folder)
        benchmark.pedantic(lambda: league_store.save(folder), rounds=5, warmup_rounds=1)
    held = league_store.nbytes()
    benchmark.extra_info.update(table="store_league", what=f"store {operation}", path="store", folder_mb=size / 2**20,
                                held_mb={k: v / 2**20 for k, v in held.items()},
                                python_peak_mb=peak.python_peak_mb, rss_peak_delta_mb=peak.rss_peak_delta_mb,
                                games=league_store.n_games)
