"""How big a league to simulate."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace


def _even(x: float, minimum: int = 2) -> int:
    """Nearest even integer >= minimum (a day's schedule pairs every team)."""
    return max(minimum, 2 * round(x / 2))


@dataclass(frozen=True)
class LeagueConfig:
    """Size and seed of a simulated league (one major league, MLB, and one minor league, AAA).

    `scaled(1.0)` is a full 30-team, 162-game major-league season; `default()` is the embedded demo
    league, small enough that the whole demo trains on 2 CPU cores in minutes.
    """

    seed: int = 20240401
    first_season: int = 2018
    n_seasons: int = 7
    mlb_teams: int = 10
    aaa_teams: int = 6
    games_per_team: int = 50
    batters_per_team: int = 13   # 9 regulars + 4 bench
    pitchers_per_team: int = 13  # 5 starters + 8 relievers
    rotation_size: int = 5
    promotions_per_checkpoint: int = 2  # per player type, at each in-season checkpoint
    checkpoints_per_season: int = 2     # in-season dates where promotions/demotions happen

    def __post_init__(self) -> None:
        for name in ("mlb_teams", "aaa_teams"):
            n = getattr(self, name)
            if n < 2 or n % 2:
                raise ValueError(f"LeagueConfig.{name} must be an even number >= 2, got {n}")
        if self.n_seasons < 1 or self.games_per_team < 1:
            raise ValueError("LeagueConfig needs at least one season and one game per team")
        if self.batters_per_team < 10 or self.pitchers_per_team < self.rotation_size + 2:
            raise ValueError("LeagueConfig rosters too small for a 9-man lineup, rotation and bullpen")

    @classmethod
    def scaled(cls, scale: float, **overrides: object) -> LeagueConfig:
        """scale=1.0: 30 MLB teams x 162 games (16 AAA teams: an even count); teams and games shrink as sqrt(scale)."""
        if scale <= 0:
            raise ValueError(f"scale must be > 0, got {scale}")
        root = math.sqrt(scale)
        mlb = _even(30 * root)
        base = cls(mlb_teams=mlb, aaa_teams=_even(mlb / 2), games_per_team=max(2, round(162 * root)))
        return replace(base, **overrides)  # type: ignore[arg-type]

    @classmethod
    def default(cls) -> LeagueConfig:
        """The embedded demo league."""
        return cls.scaled(0.08)  # 8 MLB + 4 AAA teams, 46 games, 7 seasons

    @classmethod
    def tiny(cls) -> LeagueConfig:
        """For tests: a few seasons of a few teams; simulates in a couple of seconds."""
        return cls(seed=7, n_seasons=4, mlb_teams=4, aaa_teams=2, games_per_team=12,
                   promotions_per_checkpoint=1)

    @property
    def seasons(self) -> list[int]:
        return list(range(self.first_season, self.first_season + self.n_seasons))

    def to_json(self) -> dict[str, object]:
        return asdict(self)
