"""Profile build speed: every player-season of a league, and many in-season as-of dates at once.

Runs on `artifacts/league` (the default league); skipped when it has not been simulated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.identity import player_lines
from hfm_runtime.mle import MLETranslator
from hfm_runtime.profiles import build_profiles, feature_matrix

LEAGUE = Path("artifacts/league")


@pytest.fixture(scope="module")
def league_lines():
    if not (LEAGUE / "league.json").is_file():
        pytest.skip("artifacts/league not simulated (hfm-train simulate)")
    from hfm_runtime.league import load_league

    league = load_league(LEAGUE)
    return league, {pt: player_lines(league, pt) for pt in ("batter", "pitcher")}


@pytest.mark.parametrize("player_type", ["batter", "pitcher"])
@pytest.mark.parametrize("dates_per_player", [1, 100])
def test_profile_build(benchmark, league_lines, player_type, dates_per_player):
    league, lines = league_lines
    lines = lines[player_type]
    mle = MLETranslator(player_type).fit(lines)
    if dates_per_player == 1:  # every player-season, as of the Jan 1 after it
        ps = lines[["player_id", "season"]].drop_duplicates()
        as_of = pd.DataFrame({"player_id": ps["player_id"],
                              "as_of_date": pd.to_datetime((ps["season"] + 1).astype(str) + "-01-01")})
    else:  # many in-season dates for every player
        ids = lines["player_id"].unique()
        days = pd.date_range(f"{min(league.seasons)}-04-01", f"{max(league.seasons)}-09-30", periods=100)
        as_of = pd.DataFrame({"player_id": np.repeat(ids, 100), "as_of_date": np.tile(days, len(ids))})

    def run():
        return feature_matrix(build_profiles(lines, league.players, as_of, player_type, mle=mle), player_type)

    X = benchmark(run)
    assert len(X) == len(as_of)
