"""Pick the benchmark players from a league: a batter and a pitcher with 30 games of context."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from hfm_runtime.targets import PlayerType

CONTEXT_GAMES = 30
SIDE: dict[str, str] = {"batter": "batter", "pitcher": "pitcher"}  # Statcast column holding the player


@dataclass(frozen=True)
class BenchPlayer:
    player_id: int
    player_type: PlayerType
    games: tuple[int, ...]  # game_pk of his last CONTEXT_GAMES games, oldest first
    pitches: pd.DataFrame  # his pitch rows in those games (his side only)

    @property
    def shape(self) -> str:
        per_game = self.pitches.groupby("game_pk").size()
        pas = self.pitches.groupby(["game_pk", "at_bat_number"]).ngroups
        return f"{len(self.games)} games, {len(self.pitches)} pitches (max {per_game.max()}/game), {pas} PAs"


def busiest_player(pitches: pd.DataFrame, player_type: PlayerType, n_games: int = CONTEXT_GAMES) -> BenchPlayer:
    """The player of `player_type` who saw the most pitches in his last `n_games` games: the costly
    end of the distribution (a starting pitcher, an everyday batter), so the cold figures are honest."""
    column = SIDE[player_type]
    per_game = (
        pitches.groupby([column, "game_pk"], sort=False)
        .agg(n=("pitch_number", "size"), date=("game_date", "first"))
        .reset_index()
        .sort_values([column, "date", "game_pk"])
    )
    last = per_game.groupby(column).tail(n_games)
    counts = last.groupby(column).agg(games=("game_pk", "size"), pitches=("n", "sum"))
    eligible = counts[counts["games"] == n_games]
    if eligible.empty:
        raise ValueError(f"no {player_type} has {n_games} games in this league")
    player_id = int(eligible["pitches"].idxmax())
    games = tuple(int(g) for g in last.loc[last[column] == player_id, "game_pk"])
    rows = pitches[(pitches[column] == player_id) & pitches["game_pk"].isin(games)]
    return BenchPlayer(player_id, player_type, games, rows.reset_index(drop=True))
