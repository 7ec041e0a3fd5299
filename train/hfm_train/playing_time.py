"""The playing-time spread's fit (hfm_runtime.playing_time has the model), on training seasons only.

Rows (`playing_time_rows`): for each season t asked for, the players the score table scores by
default for t (hfm_runtime.scoring: everyone with an MLB line of either type in t-3..t-1, as the
type(s) the players table gives him, else a pitcher if he ever pitched in these lines), with his
Marcel projection of t's opportunities (`marcel.playing_time` from t-1 and t-2), the opportunity
model's inputs (`opp_1..3`: t-1..t-3's MLB opportunities as full-season equivalents, `age` in t from
the players table's birth date, NaN where unknown, and Marcel's rates `m_<stat>`: `marcel_of`) and
his actual MLB opportunities in t as full-season equivalents (`targets.season_scale`: 0 when he did
not play). Only seasons t-3..t of the lines passed are read; the caller passes the training and
validation seasons, never the test season.

Fit (`fit_playing_time`), per player type: a ridge (`alpha` on standardised inputs) of the actual
opportunities on hfm_runtime.playing_time.model_inputs gives each row's base m (at least `floor`);
the rows are cut into `bands` bands of equal rows by m (a band left with fewer than `min_rows` rows,
as where many rows share m's floor, merged into its smaller neighbour), and in each band the ratio
actual / m's quantiles at hfm_runtime.playing_time.GRID (numpy's linear interpolation between order
statistics). Every level is held at the most actual opportunities (full-season equivalents) of a fit
row of the type in the last `most_seasons` seasons the rows hold (`most`: the era's workloads, since
2026-12-07 evening; a spread fitted on 2006-2019 would otherwise hold pitchers at 2000s workloads). Chosen on the real selection seasons
2014-2018 (benchmarks/studies/real_playing_time_study.py --grid, docs/ranges.md): 10 bands and alpha
100 gave the lowest CRPS of the season's opportunities among 4, 6 and 10 bands and alpha 1 and 100 (the
RMSE of the expected opportunities the same to 1%); the inputs without age or without Marcel's rates
did worse.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.marcel import marcel
from hfm_runtime.playing_time import GRID, OpportunityModel, PlayingTimeInputs, PlayingTimeSpread, model_inputs
from hfm_runtime.scoring import scored_as
from hfm_runtime.seasons import season_age, season_lines
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType, season_scale

WINDOW = ("opp_1", "opp_2", "opp_3")


@dataclass(frozen=True)
class PlayingTimeConfig:
    bands: int = 10  # bands of equal rows by the model's base m
    min_rows: int = 30  # fewest rows a band is fitted on
    alpha: float = 100.0  # the opportunity model's ridge penalty (standardised inputs)
    floor: float = 10.0  # the least base m (opportunities): ratios of a base near 0 would run wild
    most_seasons: int = 5  # the hold: the most of the last this many fit seasons (the study's fit window)

    def __post_init__(self) -> None:
        if self.bands < 1 or self.min_rows < 2 or not self.alpha > 0 or not self.floor > 0 or self.most_seasons < 1:
            raise HFMInputError(f"PlayingTimeConfig: bands {self.bands} (>= 1), min_rows {self.min_rows} (>= 2), "
                                f"alpha {self.alpha} (> 0), floor {self.floor} (> 0), most_seasons "
                                f"{self.most_seasons} (>= 1)")


def marcel_of(lines: pd.DataFrame, players: pd.DataFrame, player_type: PlayerType, season: int,
              ids: np.ndarray, **options: Any) -> pd.DataFrame:
    """Marcel of `ids` for `season` (hfm_runtime.marcel.marcel's frame: rates, `evidence`, PA/BF, the
    window's `opp_1..3`, `age`) from the game or season lines of the seasons before, each age from the
    players table's birth date (NaN where unknown); `options`: marcel's (to_date, to_date_league)."""
    table = season_lines(lines, player_type) if "game_pk" in lines.columns else lines
    table = table[table["season"] < season]
    births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"]
    uniq = np.unique(np.asarray(ids, dtype=np.int64))
    known = births.reindex(uniq)
    ages = np.full(len(uniq), np.nan)
    ok = known.notna().to_numpy()
    if ok.any():
        ages[ok] = np.asarray(season_age(known.to_numpy()[ok], season), dtype=np.float64)
    return marcel(table, pd.Series(ages, index=uniq), season, player_type, player_ids=uniq, **options)


def inputs_of(frame: pd.DataFrame, player_type: PlayerType) -> PlayingTimeInputs:
    """The opportunity model's inputs of `playing_time_rows`' rows (or a Marcel frame: `m_` absent)."""
    stats = [f"m_{s}" if f"m_{s}" in frame.columns else s for s in TARGET_STATS[player_type]]
    return PlayingTimeInputs(frame[list(WINDOW)].to_numpy(np.float64), frame["age"].to_numpy(np.float64),
                             frame[stats].to_numpy(np.float64))


def playing_time_rows(lines: Mapping[str, pd.DataFrame], players: pd.DataFrame,
                      seasons: list[int]) -> dict[str, pd.DataFrame]:
    """Per player type, a frame of (season, player_id, projected, opp_1..3, age, m_<stat>..., actual)
    (module docstring). lines: per type, MLB season lines (hfm_train.calibration.mlb_season_lines)."""
    kind = (players.drop_duplicates("player_id").set_index("player_id")["player_type"]
            if "player_type" in players.columns else pd.Series(dtype=object))
    pitched = set(lines["pitcher"]["player_id"].tolist()) if "pitcher" in lines else set()
    per = {pt: lines[pt].groupby(["player_id", "season"])[OPPORTUNITY[pt]].sum() for pt in PLAYER_TYPES}
    out: dict[str, list[pd.DataFrame]] = {pt: [] for pt in PLAYER_TYPES}
    for season in seasons:
        window: set[int] = set()
        for pt in PLAYER_TYPES:
            mlb = lines[pt]
            window.update(mlb.loc[mlb["season"].between(season - 3, season - 1), "player_id"].tolist())
        for pt in PLAYER_TYPES:
            ids = np.array(sorted(i for i in window if pt in scored_as(kind.get(i), i in pitched)), dtype=np.int64)
            if not len(ids):
                continue
            key = pd.MultiIndex.from_arrays([ids, np.full(len(ids), season)])
            actual = per[pt].reindex(key).fillna(0.0).to_numpy(np.float64) * float(season_scale([season])[0])
            m = marcel_of(lines[pt][lines[pt]["season"].between(season - 3, season - 1)], players, pt, season, ids)
            m = m.reindex(ids)  # a player scored as this type with no line of it: Marcel's zero row
            out[pt].append(pd.DataFrame({
                "season": int(season), "player_id": ids, "projected": m[OPPORTUNITY[pt]].to_numpy(np.float64),
                **{c: m[c].to_numpy(np.float64) for c in WINDOW}, "age": m["age"].to_numpy(np.float64),
                **{f"m_{s}": m[s].to_numpy(np.float64) for s in TARGET_STATS[pt]}, "actual": actual}))
    columns = {pt: ["season", "player_id", "projected", *WINDOW, "age", *(f"m_{s}" for s in TARGET_STATS[pt]), "actual"]
               for pt in PLAYER_TYPES}
    return {pt: (pd.concat(f, ignore_index=True) if f else pd.DataFrame(columns=columns[pt])) for pt, f in out.items()}


def fit_opportunity_model(frame: pd.DataFrame, player_type: PlayerType, config: PlayingTimeConfig) -> OpportunityModel:
    """The ridge of the actual opportunities on model_inputs (module docstring), in closed form."""
    ages = frame["age"].to_numpy(np.float64)
    age_fill = float(np.nanmedian(ages)) if np.isfinite(ages).any() else 27.0
    x = model_inputs(inputs_of(frame, player_type), age_fill)
    y = frame["actual"].to_numpy(np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 1e-9, scale, 1.0)  # an input constant over the rows: its coefficient stays 0
    z = (x - mean) / scale
    coef = np.linalg.solve(z.T @ z + config.alpha * np.eye(z.shape[1]), z.T @ (y - y.mean()))
    return OpportunityModel(tuple(float(v) for v in mean), tuple(float(v) for v in scale),
                            tuple(float(v) for v in coef), float(y.mean()), age_fill, config.floor)


def _band_bounds(base: np.ndarray, config: PlayingTimeConfig) -> list[float]:
    """Lower bounds of bands 1.. of equal rows by the base (`bands` of them), a band left with fewer
    than `min_rows` rows (many rows at one base: the floor, a tie) merged into its smaller neighbour."""
    n_bands = max(1, min(config.bands, len(base) // config.min_rows))
    bounds = sorted(set(float(c) for c in np.quantile(base, np.arange(1, n_bands) / n_bands)))
    while bounds:
        counts = np.bincount(np.searchsorted(np.asarray(bounds), base, side="right"), minlength=len(bounds) + 1)
        small = int(np.argmin(counts))
        if counts[small] >= config.min_rows:
            break
        # band b lies between bounds[b - 1] and bounds[b]: drop the bound to its smaller neighbour
        if small == 0 or (small < len(bounds) and counts[small + 1] < counts[small - 1]):
            del bounds[small]
        else:
            del bounds[small - 1]
    return bounds


def fit_playing_time(rows: Mapping[str, pd.DataFrame], config: PlayingTimeConfig = PlayingTimeConfig(),
                     source: str = "fitted") -> PlayingTimeSpread:
    """The spread of both types from their rows (`playing_time_rows`; module docstring). HFMInputError
    naming the type when it has fewer than `min_rows` rows."""
    edges, ratio, counts, models, most = {}, {}, {}, {}, {}
    for pt in PLAYER_TYPES:
        frame = rows.get(pt)
        if frame is None or len(frame) < config.min_rows:
            raise HFMInputError(f"playing time: {0 if frame is None else len(frame)} {pt} rows, "
                                f"fewer than min_rows {config.min_rows}")
        models[pt] = fit_opportunity_model(frame, pt, config)
        base = models[pt].predict(inputs_of(frame, pt))
        r = frame["actual"].to_numpy(np.float64) / base
        bounds = _band_bounds(base, config)
        band = np.searchsorted(np.asarray(bounds), base, side="right")
        edges[pt] = tuple(bounds)
        ratio[pt] = tuple(tuple(float(v) for v in np.maximum.accumulate(np.quantile(r[band == b], GRID)))
                          for b in range(len(bounds) + 1))
        counts[pt] = tuple(int((band == b).sum()) for b in range(len(bounds) + 1))
        # the last most_seasons seasons the rows hold (a gap, as 2020 left out, is not one of them); the
        # floor: rows that all sat out still hold somewhere
        recent = frame["season"].isin(np.sort(frame["season"].unique())[-config.most_seasons:])
        most[pt] = max(float(frame.loc[recent, "actual"].max()), config.floor)
    return PlayingTimeSpread(edges, ratio, source, counts, models, most)


def fit_playing_time_from_lines(lines: Mapping[str, pd.DataFrame], players: pd.DataFrame, seasons: list[int],
                                config: PlayingTimeConfig = PlayingTimeConfig()) -> PlayingTimeSpread | None:
    """`fit_playing_time` of `playing_time_rows` of `seasons`, its source line saying so; None where a
    type has fewer than `config.min_rows` rows (the totals then hold the opportunities at the projection)."""
    rows = playing_time_rows(lines, players, seasons)
    if min(len(r) for r in rows.values()) < config.min_rows:
        return None
    source = (f"fitted on seasons {min(seasons)}-{max(seasons)}: actual MLB opportunities of the players with an "
              f"MLB line in the three seasons before around a ridge's expected opportunities (Marcel's window, "
              f"age and rates), per type and band of that base")
    return fit_playing_time(rows, config, source)


def describe(spread: PlayingTimeSpread) -> dict[str, Any]:
    """A short summary per type and band (rows, bounds of the base m, median and 10/90% ratio) for reports."""
    out: dict[str, Any] = {}
    for pt in PLAYER_TYPES:
        bounds, rows = (None, *spread.edges[pt], None), (spread.rows or {}).get(pt)
        out[pt] = [{"from": bounds[b], "to": bounds[b + 1], "rows": None if rows is None else rows[b],
                    "ratio_p10": float(np.interp(0.1, GRID, band)), "ratio_p50": float(np.interp(0.5, GRID, band)),
                    "ratio_p90": float(np.interp(0.9, GRID, band))}
                   for b, band in enumerate(spread.ratio[pt])]
    return out
