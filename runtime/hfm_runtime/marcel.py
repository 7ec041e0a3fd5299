"""Marcel the Monkey (Tom Tango's baseline projection), vectorised over players.

For a player projected into season t, with MLB season lines from t-1, t-2, t-3 (opportunities o_i,
counts x_i, weights w = 5/4/3) and league rates lg_i (all MLB players of that type, season i):

    rate   = (sum w_i x_i + R * lg_p) / (sum w_i o_i + R)        lg_p = sum w_i o_i lg_i / sum w_i o_i
    rate  *= (1 + a)  for stats that rise while a player improves, rate /= (1 + a) for the others,
             a = 0.006 * (29 - age) below 29, 0.003 * (29 - age) above it (age in season t)
    opportunities = 0.5 * o_1 + 0.1 * o_2 + base   (o_i as full-season equivalents: `playing_time`)
    evidence = sum w_i o_i / mean(w)                 (the weighted record in opportunities: hfm_runtime.ranges)

In season (`to_date`): the season so far is one more season of the window, the most recent, with
weight w_0 = TO_DATE_WEIGHT (its counts x_0 and opportunities o_0 before the as-of date, its league
rate lg_0 over the same days), in both sums and in lg_p; the age adjustment, the playing time and the
window are the opening day's. "Marcel with the season so far counted": the fair baseline of a
rest-of-season projection (benchmarks/studies/real_marcel_to_date_study.py chose w_0 on 2010-2013).
`season_so_far` computes the rates from the window's sums (sum w_i o_i, sum w_i x_i, lg_p), which
`marcel` returns, so Marcel to date needs no line of the window again (the score table's
`marcel_to_date_<S>`, hfm_runtime.scoring).

Constants and why:
- Batters: R = 1200 PA, base = 200 PA, as Tango's Marcel.
- Pitchers: Tango weights pitchers 3/2/1 and regresses with 134 IP. A batter faced is a plate
  appearance seen from the mound, so we keep one scheme: 5/4/3 weights (as the issue asks) and
  R = 1150 BF, which is 134 IP at ~4.3 BF per inning (576 BF) rescaled from the 3/2/1 scale (weight
  sum 6) to the 5/4/3 one (sum 12), i.e. the same reliability for a pitcher with steady workloads.
  Playing-time base = 110 BF: Tango's 25 IP (his reliever base) at 4.3 BF per inning; season lines
  carry no starts, so starters are not told apart.
- Age direction: batters improve by walking, hitting and hitting for power more, and striking out
  less, so SO is divided by (1 + a) and the rest multiplied; pitchers improve by striking out more
  and allowing fewer walks, hits and homers, so SO is multiplied and BB, HR, H divided.
- Playing time (`playing_time`, the rule the projected counting stats of the score table rest on):
  a short season's opportunities count as full-season equivalents (hfm_runtime.targets.season_scale:
  the 60-game 2020 x 2.7), so a regular's 2021 projection is not cut to a third by the pandemic season.
  Rates are not scaled (a rate is a rate), nor the evidence (a 60-game season is 60 games of evidence).
- Only MLB lines feed Marcel (a minor-league line is not MLB evidence; the MLE translation handles
  that); lines of any other level are ignored. A player with no MLB line in the window gets the
  league rates and the base playing time, with `n_seasons` = 0 and `no_history` = True.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.seasons import group_sum
from hfm_runtime.statcast import LEVEL_COLUMN
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS, PlayerType, season_scale

MARCEL_LEVEL = "MLB"
TO_DATE_WEIGHT = 8.0  # the season so far's weight beside 5/4/3: chosen on 2010-2013 (real_marcel_to_date_study.py)


@dataclass(frozen=True)
class MarcelConfig:
    weights: tuple[float, ...]  # most recent season first
    regression: float  # opportunities of league-average performance added
    playing_time_weights: tuple[float, float]  # on the last and the second-to-last season
    playing_time_base: float
    improving: tuple[str, ...]  # stats that go up as a player improves (age factor multiplies)
    peak_age: float = 29.0
    young_gain: float = 0.006  # per year below the peak
    old_loss: float = 0.003  # per year above the peak


MARCEL_CONFIGS: dict[str, MarcelConfig] = {
    "batter": MarcelConfig(
        weights=(5.0, 4.0, 3.0), regression=1200.0, playing_time_weights=(0.5, 0.1),
        playing_time_base=200.0, improving=("BB", "HR", "H", "2B", "3B"),
    ),
    "pitcher": MarcelConfig(
        weights=(5.0, 4.0, 3.0), regression=1150.0, playing_time_weights=(0.5, 0.1),
        playing_time_base=110.0, improving=("SO",),
    ),
}


def age_factor(ages: np.ndarray, config: MarcelConfig) -> np.ndarray:
    """1 + a, Marcel's age multiplier for improving stats (1 where the age is unknown)."""
    gap = config.peak_age - np.asarray(ages, dtype=np.float64)
    factor = 1.0 + np.where(gap > 0, gap * config.young_gain, gap * config.old_loss)
    return np.where(np.isnan(factor), 1.0, factor)


def playing_time(last: np.ndarray, before: np.ndarray, season: int, config: MarcelConfig) -> np.ndarray:
    """Marcel's projected opportunities for `season`: a * o(season-1) + b * o(season-2) + base, each
    season's opportunities as full-season equivalents (targets.season_scale: the 60-game 2020 counts
    x 162/60). Batters 0.5 PA + 0.1 PA + 200 PA; pitchers 0.5 BF + 0.1 BF + 110 BF (MARCEL_CONFIGS)."""
    a, b = config.playing_time_weights
    scale_1, scale_2 = season_scale([season - 1, season - 2])
    return (a * scale_1 * np.asarray(last, dtype=np.float64) + b * scale_2 * np.asarray(before, dtype=np.float64)
            + config.playing_time_base)


def league_rates(lines: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    """Per season (index), each target stat per opportunity over all MLB lines of that type."""
    lines = _mlb(lines, player_type)
    opp = OPPORTUNITY[player_type]
    totals = lines.groupby("season")[[opp, *TARGET_STATS[player_type]]].sum()
    totals = totals[totals[opp] > 0]
    return totals[list(TARGET_STATS[player_type])].div(totals[opp], axis=0)


def league_prior(
    lines: pd.DataFrame | None, season: int, player_type: PlayerType, config: MarcelConfig | None = None,
    league: pd.DataFrame | None = None,
) -> pd.Series:
    """The league rates Marcel gives a player with no history: the window's league rates, weighted
    like a player's seasons (seasons without MLB lines left out). The league-mean baseline.

    league: per-season league rates (as `league_rates` returns); default: counted from `lines`.
    """
    config = config or MARCEL_CONFIGS[player_type]
    window = _window(season, config)
    league = (league_rates(lines, player_type) if league is None else league).reindex(window)
    known = pd.notna(league.to_numpy()).all(axis=1)
    if not known.any():
        raise HFMInputError(f"marcel: no MLB {player_type} lines in seasons {window} to project {season}")
    w = np.asarray(config.weights, dtype=np.float64)[known]
    return pd.Series(w @ league.to_numpy()[known] / w.sum(), index=league.columns, name=season)


def marcel(*args: Any, **kwargs: Any) -> pd.DataFrame:
    """Project `season` from the season lines of the seasons before it: `marcel_columns` (its arguments
    and columns) as a table indexed by player_id."""
    ids, columns = marcel_columns(*args, **kwargs)
    return pd.DataFrame(columns, index=ids)


def marcel_columns(
    lines: pd.DataFrame,
    ages: pd.Series | Mapping[int, float] | None,
    season: int,
    player_type: PlayerType,
    player_ids: Iterable[int] | None = None,
    config: MarcelConfig | None = None,
    league: pd.DataFrame | None = None,
    to_date: pd.DataFrame | None = None,
    to_date_league: pd.Series | None = None,
    to_date_weight: float = TO_DATE_WEIGHT,
) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """(player ids, column -> [N] array): `marcel`'s table as a dict of columns, for a caller that reads
    a few of them (the scorer: framing and reading back some thirty columns cost about 2 ms a cold call).

    Project `season` from the season lines of the seasons before it.

    lines: season lines of one player type (hfm_runtime.seasons.season_lines or lahman), any levels.
    ages: player_id -> age in `season` (seasons.season_age); missing ages get no age adjustment.
    player_ids: who to project (default: everyone with an MLB line in the window).
    league: per-season league rates (index season, a column per stat, as `league_rates` returns) to
        regress toward; default: counted from `lines`. Pass the whole league's when `lines` hold only
        some players, or Marcel regresses them toward themselves.
    to_date: in season, each player's MLB opportunities and counts of `season` before the as-of date
        (index player_id, the opportunity column and the stats; a player missing has none), with
        `to_date_league`, the league's rates over the same days (module docstring).
    Returns, indexed by player_id: the opportunity column ("PA"/"BF": `playing_time`), one rate per
    TARGET_STATS name, `n_seasons`, `no_history`, `reliability` (weight of the player's own record),
    `evidence` (his 5/4/3-weighted opportunities, with `to_date` the season so far's at its weight too,
    over the mean weight: the sample the regression
    weighs against `regression / mean weight` of league average; hfm_runtime.ranges), `age` and
    `opp_1`, `opp_2`, `opp_3`: each window season's MLB opportunities as full-season equivalents, the
    most recent first (what hfm_runtime.playing_time's opportunity model reads), and the window's sums
    the rates come from (`season_so_far`): `weighted_opportunities` (sum w_i o_i), `weighted_<stat>`
    (sum w_i x_i) and `prior_<stat>` (the league rate he regresses toward: lg_p, or the window's league
    rates for a player with no record), the season so far not in them.
    """
    config = config or MARCEL_CONFIGS[player_type]
    opp, stats = OPPORTUNITY[player_type], list(TARGET_STATS[player_type])
    window = _window(season, config)
    _require(lines, player_type)
    keep = lines["season"].isin(window).to_numpy()
    if LEVEL_COLUMN in lines.columns:
        keep = keep & (lines[LEVEL_COLUMN] == MARCEL_LEVEL).to_numpy(dtype=bool, na_value=False)
    if league is None:
        league = league_rates(lines[keep], player_type)
    league = league.reindex(window)
    lg_plain = league_prior(None, season, player_type, config, league).to_numpy()  # for players with no record

    # One row per (player, season) of the window: numpy sums, not a groupby/unstack (milliseconds on
    # even one player's lines).
    per_season = group_sum(
        {c: lines[c] for c in ("player_id", "season", opp, *stats)}, ("player_id", "season"), np.flatnonzero(keep)
    )
    players = pd.Index(np.unique(per_season["player_id"]))
    ids = pd.Index(players.tolist() if player_ids is None else list(player_ids), name="player_id")
    # [players, seasons, opportunity + stats], most recent season first; the last player row stays 0
    grid = np.zeros((len(players) + 1, len(window), 1 + len(stats)))
    grid[players.get_indexer(per_season["player_id"]), pd.Index(window).get_indexer(per_season["season"])] = (
        np.stack([np.asarray(per_season[c], dtype=np.float64) for c in (opp, *stats)], axis=1)
    )
    grid = grid[players.get_indexer(ids)]  # -1 (not found): the zero row
    o, x = np.ascontiguousarray(grid[:, :, 0]), np.ascontiguousarray(grid[:, :, 1:])  # the layout numpy sums in
    x[o <= 0] = 0.0  # counts without opportunities (a blank Lahman BFP) are not evidence

    w = np.asarray(config.weights, dtype=np.float64)
    # [seasons, stats], NaN where the league has no data; C order, whatever the frame's layout (a store's
    # rates read back from disk): einsum's order of summation, so the last bit, follows the layout
    lg = np.ascontiguousarray(league.to_numpy(dtype=np.float64))
    wo = o * w  # a season with no league data has no player data either, so no NaN leaks in
    weighted_opp = wo.sum(1)
    lg_sum = np.einsum("ps,sk->pk", wo, np.nan_to_num(lg))  # sum w_i o_i lg_i
    weighted_x = np.einsum("s,psk->pk", w, x)
    with np.errstate(invalid="ignore", divide="ignore"):
        prior = lg_sum / weighted_opp[:, None]
    prior = np.where(weighted_opp[:, None] > 0, prior, lg_plain[None, :])  # the league rate he regresses to
    age = _ages(ages, ids)
    o0, x0, lg0 = np.zeros(len(ids)), np.zeros((len(ids), len(stats))), np.zeros(len(stats))
    if to_date is not None:  # the season so far: one more season of the window (module docstring)
        if to_date_league is None:
            raise HFMInputError("marcel: to_date needs to_date_league, the league's rates over the same days")
        now = to_date.reindex(ids).fillna(0.0)
        o0, x0 = now[opp].to_numpy(np.float64), now[stats].to_numpy(np.float64)
        lg0 = to_date_league.reindex(stats).to_numpy(np.float64)
    rates = season_so_far(player_type, weighted_opp, weighted_x, prior, age, o0, x0, lg0, config, to_date_weight)
    record = weighted_opp + to_date_weight * np.maximum(o0, 0.0)  # his whole record, the season so far in it

    n_seasons = (o > 0).sum(1)
    full_season = season_scale(window)
    return ids, {
        opp: playing_time(o[:, 0], o[:, 1], season, config),
        **{k: rates[:, j] for j, k in enumerate(stats)},
        "n_seasons": n_seasons.astype(np.int64),
        "no_history": n_seasons == 0,
        "reliability": record / (record + config.regression),
        "evidence": record / w.mean(),
        "age": age,
        **{f"opp_{k + 1}": o[:, k] * full_season[k] for k in range(len(window))},
        "weighted_opportunities": weighted_opp,
        **{f"weighted_{k}": weighted_x[:, j] for j, k in enumerate(stats)},
        **{f"prior_{k}": prior[:, j] for j, k in enumerate(stats)},
    }


def season_so_far(player_type: PlayerType, weighted_opp: np.ndarray, weighted_x: np.ndarray, prior: np.ndarray,
                  ages: np.ndarray, o0: np.ndarray, x0: np.ndarray, lg0: np.ndarray, config: MarcelConfig | None = None,
                  to_date_weight: float = TO_DATE_WEIGHT, age_adjusted: np.ndarray | None = None) -> np.ndarray:
    """[N, S] Marcel's rates from his window's sums, with the season so far counted (module docstring):
    `weighted_opp` [N] sum w_i o_i, `weighted_x` [N, S] sum w_i x_i, `prior` [N, S] the league rate they
    regress toward (`marcel`'s `prior_<stat>`), `ages` [N], and the season so far's opportunities `o0`
    [N], counts `x0` [N, S] and league rates `lg0` [S] (zeros: none, the opening day's Marcel). `marcel`
    computes its rates here, so a caller holding its sums (hfm_runtime.scoring's MarcelRows) gets Marcel
    to date to the bit without the window's lines. age_adjusted: [N] False where the rates take no age
    adjustment (the bundle's league rates standing in for Marcel); default all True."""
    config = config or MARCEL_CONFIGS[player_type]
    stats = list(TARGET_STATS[player_type])
    o0 = np.maximum(np.asarray(o0, dtype=np.float64), 0.0)
    x0 = np.where(o0[:, None] > 0, np.asarray(x0, dtype=np.float64), 0.0)  # counts without opportunities: none
    lg0 = np.asarray(lg0, dtype=np.float64)
    if np.isnan(lg0).any() and (o0 > 0).any():
        raise HFMInputError(f"marcel: to_date_league lacks a rate for {', '.join(stats)}")
    opp = weighted_opp + to_date_weight * o0
    with np.errstate(invalid="ignore", divide="ignore"):
        lg = (prior * weighted_opp[:, None] + to_date_weight * o0[:, None] * np.nan_to_num(lg0)[None, :]) / opp[:, None]
    lg = np.where((o0 > 0)[:, None], lg, prior)  # no game so far: the prior as it was, to the bit
    rates = (weighted_x + to_date_weight * x0 + config.regression * lg) / (opp + config.regression)[:, None]
    factor = age_factor(ages, config)
    if age_adjusted is not None:
        factor = np.where(age_adjusted, factor, 1.0)
    improving = np.array([k in config.improving for k in stats])
    return np.where(improving[None, :], rates * factor[:, None], rates / factor[:, None])


# An MLB regular season has about 185,000 plate appearances (2000-2021: 180-192 thousand; 2020, 60
# games, 66 thousand). Files holding under a quarter of that in a season give Marcel a league mean of a
# few teams or games, toward which he regresses everyone.
SEASON_PA = 185_000
THIN_LEAGUE_SHARE = 0.25


def thin_league_note(batter_lines: pd.DataFrame, season: int, where: str, what: str = "these pitches") -> str | None:
    """A warning when Marcel's league rates for `season` would be counted from a small sample: the
    MLB plate appearances of each season of the window in `batter_lines` (season or game lines of the
    batters of the data given: `what`, `where` naming the option); None when every window season with
    data holds at least THIN_LEAGUE_SHARE of SEASON_PA."""
    window = batter_lines["season"].isin(_window(season, MARCEL_CONFIGS["batter"])).to_numpy()
    if LEVEL_COLUMN in batter_lines.columns:
        window = window & (batter_lines[LEVEL_COLUMN] == MARCEL_LEVEL).to_numpy(dtype=bool, na_value=False)
    pa = batter_lines[window].groupby("season")[OPPORTUNITY["batter"]].sum()
    thin = pa[pa < THIN_LEAGUE_SHARE * SEASON_PA]
    if thin.empty:
        return None
    held = ", ".join(f"{int(n):,} MLB plate appearances of {int(y)}" for y, n in thin.items())
    return (f"warning: {where}: Marcel's league rates are counted from {what} alone, and they hold "
            f"only {held} (a season has about {SEASON_PA:,}): every player is regressed toward that small "
            "sample; " + ("import the league again with whole seasons" if where == "--league" else
                          "give whole seasons, or import a league and score it"))


def _window(season: int, config: MarcelConfig) -> list[int]:
    """The prior seasons Marcel reads, most recent first."""
    return [season - 1 - i for i in range(len(config.weights))]


def _require(lines: pd.DataFrame, player_type: PlayerType) -> None:
    needed = ["player_id", "season", OPPORTUNITY[player_type], *TARGET_STATS[player_type]]
    missing = [c for c in needed if c not in lines.columns]
    if missing:
        raise HFMInputError(f"marcel: {player_type} season lines lack column(s) {', '.join(missing)}")


def _mlb(lines: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    _require(lines, player_type)
    if LEVEL_COLUMN in lines.columns:
        lines = lines[lines[LEVEL_COLUMN] == MARCEL_LEVEL]
    return lines


def _ages(ages: pd.Series | Mapping[int, float] | None, ids: pd.Index) -> np.ndarray:
    if ages is None:
        return np.full(len(ids), np.nan)
    series = ages if isinstance(ages, pd.Series) else pd.Series(dict(ages), dtype=np.float64)
    return series.reindex(ids).to_numpy(dtype=np.float64)
