"""What HFM projects: per-opportunity rates of these stats, by player type."""

from __future__ import annotations

from typing import Literal

import numpy as np

PlayerType = Literal["batter", "pitcher"]
PLAYER_TYPES: tuple[PlayerType, ...] = ("batter", "pitcher")

# Batters: per plate appearance. Pitchers: per batter faced.
TARGET_STATS: dict[str, tuple[str, ...]] = {
    "batter": ("SO", "BB", "HR", "H", "2B", "3B"),
    "pitcher": ("SO", "BB", "HR", "H"),
}
# The opportunity column each rate is divided by, in season lines.
OPPORTUNITY: dict[str, str] = {"batter": "PA", "pitcher": "BF"}

# How a plate appearance ended (hfm_runtime.seasons maps Statcast events to these; the featurizer
# codes them for Level 2's learnable per-outcome attention bias).
PA_OUTCOMES: tuple[str, ...] = ("<PAD>", "SO", "BB", "HBP", "1B", "2B", "3B", "HR", "OUT", "OTHER")

# Season lengths (team games) other than FULL_SEASON_GAMES in the seasons the project reads: features
# that read how much a player played count a short season's opportunities as full-season equivalents
# (hfm_runtime.profiles, hfm_runtime.marcel, hfm_train.baselines), or the 60-game 2020 reads as a
# league of part-timers. The profile's use can be switched off (an ablation:
# profiles.ProfileConfig.season_length_correction, saved with a run's identity); Marcel's and the
# ridges' cannot.
FULL_SEASON_GAMES = 162
SEASON_GAMES: dict[int, int] = {2020: 60}


def season_scale(seasons) -> np.ndarray:
    """FULL_SEASON_GAMES / that season's games, per season (1.0 for a full season)."""
    seasons = np.asarray(seasons, dtype=np.int64)
    games = np.full(seasons.shape, float(FULL_SEASON_GAMES))
    for season, n in SEASON_GAMES.items():
        games[seasons == season] = n
    return FULL_SEASON_GAMES / games
