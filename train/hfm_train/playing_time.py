"""The playing-time spread's fit (hfm_runtime.playing_time has the model), on training seasons only.

Rows (`playing_time_rows`): for each season t asked for, the players the score table scores by
default for t (hfm_runtime.scoring: everyone with an MLB line of either type in t-3..t-1, as the
type(s) the players table gives him, else a pitcher if he ever pitched in these lines), with his
Marcel projection of t's opportunities (`marcel.playing_time` from t-1 and t-2) and his actual MLB
opportunities in t as full-season equivalents (`targets.season_scale`: 0 when he did not play).
Only seasons t-3..t of the lines passed are read; the caller passes the training and validation
seasons, never the test season.

Fit (`fit_playing_time`), per player type: band 0 holds the projections at Marcel's base (no MLB
opportunities in the two seasons before), the rest is cut into `bands` bands of equal rows by the
projection (fewer where a band would hold under `min_rows` rows; band 0 joins band 1 when it is that
small); in each band the ratio actual / projected's quantiles at hfm_runtime.playing_time.GRID
(numpy's linear interpolation between order statistics).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.marcel import MARCEL_CONFIGS, playing_time
from hfm_runtime.playing_time import GRID, PlayingTimeSpread
from hfm_runtime.scoring import scored_as
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, season_scale

BASE_MARGIN = 0.25  # opportunities above Marcel's base still counted as "at the base" (no record)


@dataclass(frozen=True)
class PlayingTimeConfig:
    bands: int = 3  # bands above the base band, of equal rows
    min_rows: int = 30  # fewest rows a band is fitted on

    def __post_init__(self) -> None:
        if self.bands < 1 or self.min_rows < 2:
            raise HFMInputError(f"PlayingTimeConfig: bands {self.bands} (>= 1), min_rows {self.min_rows} (>= 2)")


def playing_time_rows(season_lines: Mapping[str, pd.DataFrame], players: pd.DataFrame,
                      seasons: list[int]) -> dict[str, pd.DataFrame]:
    """Per player type, a frame of (season, player_id, projected, actual) (module docstring).
    season_lines: per type, MLB season lines (player_id, season, PA/BF; hfm_train.calibration.mlb_season_lines)."""
    kind = (players.drop_duplicates("player_id").set_index("player_id")["player_type"]
            if "player_type" in players.columns else pd.Series(dtype=object))
    pitched = set(season_lines["pitcher"]["player_id"].tolist()) if "pitcher" in season_lines else set()
    per = {pt: season_lines[pt].groupby(["player_id", "season"])[OPPORTUNITY[pt]].sum() for pt in PLAYER_TYPES}
    out: dict[str, list[pd.DataFrame]] = {pt: [] for pt in PLAYER_TYPES}
    for season in seasons:
        window: set[int] = set()
        for pt in PLAYER_TYPES:
            lines = season_lines[pt]
            window.update(lines.loc[lines["season"].between(season - 3, season - 1), "player_id"].tolist())
        for pt in PLAYER_TYPES:
            ids = np.array(sorted(i for i in window if pt in scored_as(kind.get(i), i in pitched)), dtype=np.int64)

            def opp(s: int) -> np.ndarray:
                key = pd.MultiIndex.from_arrays([ids, np.full(len(ids), s)])
                return per[pt].reindex(key).fillna(0.0).to_numpy(np.float64)

            projected = playing_time(opp(season - 1), opp(season - 2), season, MARCEL_CONFIGS[pt])
            actual = opp(season) * float(season_scale([season])[0])
            out[pt].append(pd.DataFrame({"season": int(season), "player_id": ids, "projected": projected,
                                         "actual": actual}))
    return {pt: (pd.concat(f, ignore_index=True) if f else
                 pd.DataFrame(columns=["season", "player_id", "projected", "actual"])) for pt, f in out.items()}


def fit_playing_time(rows: Mapping[str, pd.DataFrame], config: PlayingTimeConfig = PlayingTimeConfig(),
                     source: str = "fitted") -> PlayingTimeSpread:
    """The spread of both types from their rows (`playing_time_rows`; module docstring). HFMInputError
    naming the type when it has fewer than `min_rows` rows."""
    edges, ratio, counts = {}, {}, {}
    for pt in PLAYER_TYPES:
        frame = rows.get(pt)
        if frame is None or len(frame) < config.min_rows:
            raise HFMInputError(f"playing time: {0 if frame is None else len(frame)} {pt} rows, "
                                f"fewer than min_rows {config.min_rows}")
        projected = frame["projected"].to_numpy(np.float64)
        r = frame["actual"].to_numpy(np.float64) / projected
        base = MARCEL_CONFIGS[pt].playing_time_base + BASE_MARGIN
        above = projected[projected > base]
        n_bands = max(1, min(config.bands, len(above) // config.min_rows))
        cuts = [float(c) for c in np.quantile(above, np.arange(1, n_bands) / n_bands)] if len(above) else []
        cuts = sorted(set(c for c in cuts if c > base))
        bounds = ([base] if (projected <= base).sum() >= config.min_rows and len(above) >= config.min_rows else []) + cuts
        band = np.searchsorted(np.asarray(bounds), projected, side="right")
        edges[pt] = tuple(bounds)
        ratio[pt] = tuple(tuple(float(v) for v in np.maximum.accumulate(np.quantile(r[band == b], GRID)))
                          for b in range(len(bounds) + 1))
        counts[pt] = tuple(int((band == b).sum()) for b in range(len(bounds) + 1))
    return PlayingTimeSpread(edges, ratio, source, counts)


def fit_playing_time_from_lines(season_lines: Mapping[str, pd.DataFrame], players: pd.DataFrame, seasons: list[int],
                                config: PlayingTimeConfig = PlayingTimeConfig()) -> PlayingTimeSpread | None:
    """`fit_playing_time` of `playing_time_rows` of `seasons`, its source line saying so; None where a
    type has fewer than `config.min_rows` rows (the totals then hold the opportunities at the projection)."""
    rows = playing_time_rows(season_lines, players, seasons)
    if min(len(r) for r in rows.values()) < config.min_rows:
        return None
    source = (f"fitted on seasons {min(seasons)}-{max(seasons)}: actual / Marcel-projected MLB opportunities of "
              f"the players with an MLB line in the three seasons before, per type and band of the projection")
    return fit_playing_time(rows, config, source)


def describe(spread: PlayingTimeSpread) -> dict[str, Any]:
    """A short summary per type and band (rows, bounds, share at 0, median and 10/90% ratio) for reports."""
    out: dict[str, Any] = {}
    for pt in PLAYER_TYPES:
        bounds, rows = (None, *spread.edges[pt], None), (spread.rows or {}).get(pt)
        out[pt] = [{"from": bounds[b], "to": bounds[b + 1], "rows": None if rows is None else rows[b],
                    "ratio_p10": float(np.interp(0.1, GRID, band)), "ratio_p50": float(np.interp(0.5, GRID, band)),
                    "ratio_p90": float(np.interp(0.9, GRID, band))}
                   for b, band in enumerate(spread.ratio[pt])]
    return out
