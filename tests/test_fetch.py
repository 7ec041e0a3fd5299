"""`hfm-train fetch`: weekly chunks, resumable, per-season Parquet that `import` reads. No network: the
week fetcher is injected, or pybaseball's day request (its only network call) returns the real game."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.statcast import load_pitches
from hfm_train.fetch import WEEKS_DIR, fetch_statcast, weeks
from hfm_train.importer import import_statcast

GAME_DAY = dt.date(2020, 9, 3)


def test_weeks_are_monday_to_sunday_within_a_year() -> None:
    got = weeks(dt.date(2020, 8, 27), dt.date(2020, 9, 10))
    assert got == [(dt.date(2020, 8, 27), dt.date(2020, 8, 30)), (dt.date(2020, 8, 31), dt.date(2020, 9, 6)),
                   (dt.date(2020, 9, 7), dt.date(2020, 9, 10))]
    assert weeks(dt.date(2020, 12, 30), dt.date(2021, 1, 2)) == [
        (dt.date(2020, 12, 30), dt.date(2020, 12, 31)), (dt.date(2021, 1, 1), dt.date(2021, 1, 2))]
    with pytest.raises(HFMInputError, match="before --start"):
        weeks(dt.date(2020, 9, 2), dt.date(2020, 9, 1))


def test_fetch_refuses_the_held_out_seasons(tmp_path: Path) -> None:
    def never(first: dt.date, last: dt.date) -> pd.DataFrame:
        raise AssertionError("nothing may be fetched")

    with pytest.raises(HFMInputError, match=r"--end 2022-04-10: seasons after 2021 are held out of this project"):
        fetch_statcast(dt.date(2021, 9, 27), dt.date(2022, 4, 10), tmp_path / "sc", fetch_week=never)
    assert not (tmp_path / "sc").exists()


def real_week(real_statcast_csv: Path, calls: list):
    """A fetcher holding only the real game: that week's frame, empty weeks elsewhere."""
    frame = pd.read_csv(real_statcast_csv, index_col=0, parse_dates=["game_date"])

    def fetch_week(first: dt.date, last: dt.date) -> pd.DataFrame:
        calls.append((first, last))
        return frame if first <= GAME_DAY <= last else pd.DataFrame()

    return fetch_week


def test_fetch_writes_seasons_that_import_reads(real_statcast_csv: Path, tmp_path: Path) -> None:
    calls: list = []
    report = fetch_statcast(dt.date(2020, 8, 27), dt.date(2020, 9, 10), tmp_path / "sc",
                            fetch_week=real_week(real_statcast_csv, calls))
    assert len(calls) == 3 and report.weeks_fetched == 3 and report.seasons == {2020: 336}
    assert sorted(p.name for p in (tmp_path / "sc").iterdir()) == [WEEKS_DIR, "statcast_2020.parquet"]
    pd.testing.assert_frame_equal(load_pitches(tmp_path / "sc"), load_pitches(real_statcast_csv))
    import_statcast({"MLB": [tmp_path / "sc"]}, tmp_path / "league")
    assert len(load_league(tmp_path / "league").pitches) == 336


def test_fetch_resumes_after_a_failure(real_statcast_csv: Path, tmp_path: Path) -> None:
    calls: list = []
    good = real_week(real_statcast_csv, calls)

    def flaky(first: dt.date, last: dt.date) -> pd.DataFrame:
        if first > GAME_DAY:
            raise ConnectionError("Savant timed out")
        return good(first, last)

    with pytest.raises(HFMInputError, match=r"2020-09-07\.\.2020-09-10 failed .*Savant timed out.*again to resume"):
        fetch_statcast(dt.date(2020, 8, 27), dt.date(2020, 9, 10), tmp_path / "sc", fetch_week=flaky)
    assert len(calls) == 2 and not (tmp_path / "sc" / "statcast_2020.parquet").exists()
    calls.clear()
    report = fetch_statcast(dt.date(2020, 8, 27), dt.date(2020, 9, 10), tmp_path / "sc", fetch_week=good)
    assert calls == [(dt.date(2020, 9, 7), dt.date(2020, 9, 10))]  # only the week that failed
    assert report.weeks_skipped == 2 and report.seasons == {2020: 336}
    calls.clear()
    wider = fetch_statcast(dt.date(2020, 8, 24), dt.date(2020, 9, 13), tmp_path / "sc", fetch_week=good)
    # the clipped weeks are fetched again whole; the season file keeps each pitch once
    assert calls == [(dt.date(2020, 8, 24), dt.date(2020, 8, 30)), (dt.date(2020, 9, 7), dt.date(2020, 9, 13))]
    assert wider.seasons == {2020: 336}
    assert len(list((tmp_path / "sc" / WEEKS_DIR).iterdir())) == 3  # the partial weeks were replaced


def test_fetch_through_pybaseball_with_only_the_network_call_replaced(
    real_statcast_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pybaseball's statcast() for real, its per-day request (`_small_request`) answered from the file."""
    pytest.importorskip("pybaseball")
    import importlib

    statcast_module = importlib.import_module("pybaseball.statcast")
    game = pd.read_csv(real_statcast_csv, index_col=0, parse_dates=["game_date"])
    days: list = []

    def small_request(start_dt: dt.date, end_dt: dt.date, team=None) -> pd.DataFrame:
        days.append(start_dt)
        # a day without games: Savant sends the header only
        return game if start_dt <= GAME_DAY <= end_dt else game.iloc[:0]

    monkeypatch.setattr(statcast_module, "_small_request", small_request)
    report = fetch_statcast(dt.date(2020, 9, 1), dt.date(2020, 9, 8), tmp_path / "sc")
    assert sorted(days) == [dt.date(2020, 9, d) for d in range(1, 9)]  # day by day, as pybaseball asks
    assert report.weeks_fetched == 2 and report.seasons == {2020: 336}
    pd.testing.assert_frame_equal(load_pitches(tmp_path / "sc"), load_pitches(real_statcast_csv))


def test_fetch_without_pybaseball_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pybaseball.statcast", None)  # what a missing package looks like
    with pytest.raises(HFMInputError, match=r"pip install -e '\.\[fetch\]' \(from the repository\)"):
        fetch_statcast(dt.date(2020, 9, 1), dt.date(2020, 9, 2), tmp_path / "sc")
    assert not (tmp_path / "sc").exists()  # nothing made before the refusal


def test_fetch_of_weeks_already_saved_needs_no_pybaseball(real_statcast_csv: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    frame = pd.read_csv(real_statcast_csv)
    first = fetch_statcast(dt.date(2020, 9, 1), dt.date(2020, 9, 6), tmp_path / "sc", fetch_week=lambda a, b: frame)
    monkeypatch.setitem(sys.modules, "pybaseball.statcast", None)
    again = fetch_statcast(dt.date(2020, 9, 1), dt.date(2020, 9, 6), tmp_path / "sc")  # every week on disk
    assert again.weeks_fetched == 0 and again.weeks_skipped == first.weeks_fetched > 0
