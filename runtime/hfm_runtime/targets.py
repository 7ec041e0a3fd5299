"""What HFM projects: per-opportunity rates of these stats, by player type (design.md)."""

from __future__ import annotations

from typing import Literal

PlayerType = Literal["batter", "pitcher"]
PLAYER_TYPES: tuple[PlayerType, ...] = ("batter", "pitcher")

# Batters: per plate appearance. Pitchers: per batter faced.
TARGET_STATS: dict[str, tuple[str, ...]] = {
    "batter": ("SO", "BB", "HR", "H", "2B", "3B"),
    "pitcher": ("SO", "BB", "HR", "H"),
}
# The opportunity column each rate is divided by, in season lines.
OPPORTUNITY: dict[str, str] = {"batter": "PA", "pitcher": "BF"}
