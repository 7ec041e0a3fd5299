"""The daily update both store benchmarks time: a store saved the evening before, loaded, one day's
games appended, and the players of those games re-scored (benchmarks/test_store.py on the simulated
league, benchmarks/test_real.py at real size)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from hfm_runtime.store import PlayerStore


def daily_update(scorer, pitches: pd.DataFrame, players: pd.DataFrame, day: pd.Timestamp, folder: Path,
                 evening: bool = True) -> tuple[Callable[[], None], Callable[[], pd.DataFrame], list[int], pd.DataFrame]:
    """(setup: load the saved store, run: append `day`'s games and score their players, those players,
    the day's pitches). The store of every game before `day` is built and saved to `folder` once;
    `evening`: as the evening's run left it, having scored the previous game day's players as of `day`
    (what it memoises and saves, Marcel's season table, is there), else straight after its cold build."""
    games = pitches[pitches["game_date"] == day]
    before = pitches[pitches["game_date"] < day]
    store = PlayerStore.build(scorer, before, players)
    if evening:
        last = before[before["game_date"] == before["game_date"].max()]
        scorer.score(store, day.year, sorted(set(last["batter"].astype(int)) | set(last["pitcher"].astype(int))),
                     as_of=day)
    store.save(folder)
    played = sorted(set(games["batter"].astype(int)) | set(games["pitcher"].astype(int)))
    source: list[PlayerStore | None] = [None]

    def setup() -> None:
        source[0] = PlayerStore.load(folder, scorer)

    def run() -> pd.DataFrame:
        source[0].append(games)
        return scorer.score(source[0], day.year, played, as_of=day + pd.Timedelta(days=1))

    return setup, run, played, games
