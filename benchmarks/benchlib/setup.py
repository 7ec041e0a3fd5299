"""Load what the benchmarks measure: the league's benchmark players and the bundle's parts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hfm_runtime.league import League
from hfm_runtime.identity import player_lines
from hfm_runtime.targets import PLAYER_TYPES, PlayerType

from benchlib.players import SIDE, busiest_player
from benchlib.pipeline import PlayerRequest


def player_requests(league: League) -> dict[PlayerType, PlayerRequest]:
    """The busiest batter and pitcher over their last 30 games, scored as of the day after."""
    requests = {}
    for pt in PLAYER_TYPES:
        player = busiest_player(league.pitches, pt)
        history = league.pitches[league.pitches[SIDE[pt]] == player.player_id]
        lines = player_lines(history, pt)  # outcome and skill counts, as the identity profile reads them
        lines = lines[lines["player_id"] == player.player_id].reset_index(drop=True)
        last = player.pitches["game_date"].max()
        as_of = np.datetime64((last + pd.Timedelta(days=1)).date(), "D")
        requests[pt] = PlayerRequest(player, lines, league.players, as_of)
    return requests
