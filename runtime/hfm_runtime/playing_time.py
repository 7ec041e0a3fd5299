"""Playing-time spread: how a season's opportunities scatter around an expected base. No torch.

For a player of type t projected at n0 opportunities by Marcel (hfm_runtime.marcel.playing_time, the
score table's `opportunities`), the season brings N opportunities (full-season equivalents; 0 for a
player who does not play in MLB that season: injured, released, retired, in the minors).
`PlayingTimeSpread` holds N's distribution around a base m:

  model[t]    (since 2026-12-06; optional) `OpportunityModel`: m = a ridge's prediction of N from what
              Marcel's window shows (`model_inputs`: each of the three seasons' MLB opportunities as
              full-season equivalents, age, Marcel's rates), at least `floor`. Without it (bundles fitted
              before), m = n0, Marcel's projection.
  edges[t]    ascending lower bounds of bands 1..B-1 in m; band b holds edges[b-1] <= m < edges[b]
  ratio[t][b] the quantiles of r = N / m at GRID: the mid-points (0.025, 0.075, ..., 0.975) of 20
              equally likely bins, so r is represented by 20 equally likely levels, non-decreasing

Why a model: Marcel's rule (0.5 x last season + 0.1 x the one before + a base) sees two seasons and no
age, so a regular who lost last season to injury (146 PA) sits in the band of part-timers with the
same projection, who mostly do not come back, and a 38-year-old regular in the band of 27-year-olds.
On the real selection seasons 2014-2018 the model's base cut the error of the expected opportunities
by 10% (batters) and 4% (pitchers) against bands of n0 (docs/ranges.md).

Every method returns its levels as ratios to n0 (`levels`: r_k m / n0), so what reads them is the same
with or without a model (hfm_runtime.ranges): a season total is a beta-binomial count at each of the
20 opportunity levels round(r_k m), mixed with equal weights (the talent Beta independent of r), the
score table's `opportunities_<q>` are the quantiles of r m (`opportunity_quantiles`: the
piecewise-linear quantile function through the 20 levels, held flat beyond the outer two) and its
`opportunities_mean` is E[r] m (`mean_opportunities`), which `proj_<S>` multiplies the rate by: the
mean of the season total. A spread with a model needs each row's `PlayingTimeInputs`. Every level r_k m
is held at the most opportunities (full-season equivalents) of a fit row (a player the table scores by
default) in the last five seasons the spread was fitted on (`most`, per type, since 2026-12-07 evening;
`hold`): a band's ratio times a regular's base put the packaged bundle's
90th percentile at 816 PA (Mookie Betts) and 1,075 BF, more than anyone has had. A spread without
`most` (fitted before) holds at the most of any season 2001-2018 (MOST_OPPORTUNITIES: 778 PA, 1,071
BF, 2003's workloads; pitchers faced at most 951 in 2015-2021). On the real seasons the fit seasons'
most cut the CRPS of the season's opportunities against the 2001-2018 constant by 0.09 PA / 0.07 BF
(2014-2018) and 0.12 / 0.05 (2019 + 2021) (benchmarks/studies/real_playing_time_study.py, docs/ranges.md).

hfm_train.playing_time fits it on the training seasons' MLB lines; it travels in the bundle's
blend.json under `ranges.playing_time` (to_json). Params without one (bundles exported before
2026-12-03) hold the opportunities at the projection: the totals are those of today's rule.

In season (an as-of date after the season's opening day) a season total is what the player recorded
before that date (`SeasonToDate`: opportunities and counts) plus the rest of the season's: its base
`SeasonToDate.rest_base` (the rest's share of the opening-day expectation, moved toward his pace so far
as the season goes on) and its levels `SeasonToDate.levels` (the ratio levels of the band of that
base's full-season pace, over their mean, to the power REST_SPREAD), a rule whose constants were
measured on the real seasons (docs/ranges.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.targets import FULL_SEASON_GAMES, PLAYER_TYPES, SEASON_GAMES, TARGET_STATS, PlayerType

N_LEVELS = 20
GRID: tuple[float, ...] = tuple((k + 0.5) / N_LEVELS for k in range(N_LEVELS))


AGE_KNEE = 28.0  # past it, age enters the model's inputs with slopes of its own (playing time falls with age)

# The rest of the season (`SeasonToDate`), a rule with constants measured on the real seasons 2001-2018
# (benchmarks/studies/real_rest_of_season_study.py, docs/ranges.md): k and the recent weight chosen
# on 2010-2013 among 0.05-1 and 0-1, judged on 2014-2018.
# The full seasons 2001-2018 in days, from the season's start (`season_starts`) to its last game: e's
# calendar (`season_elapsed`); a 60-game season's scaled by 60/162
FULL_SEASON_DAYS = (189, 182, 182, 182, 182, 182, 183, 184, 184, 182, 182, 182, 183, 182, 182, 182, 182, 187)
START_GAMES = 4  # a season starts on its first day of at least this many MLB games (not a series abroad)
SERIES_GAME_DAYS = 7  # a series abroad and an opening night: games on at most this many days (Sydney 2014: 3)
# The most MLB opportunities of any player-season 2001-2018 (Jimmy Rollins' 778 PA in 2007, 1,071 BF in
# 2003): the hold of a spread fitted before 2026-12-07 evening, which records no `most` of its own
MOST_OPPORTUNITIES = {"batter": 778.0, "pitcher": 1071.0}
REST_K = 0.2  # the pace's weight is e / (e + REST_K): 0.45 a month in, 0.71 at mid-season
# ... for a player with no MLB line in the three seasons before (called up this season): his opening
# day's expectation is a player's with no record (most of whom never play), so his pace counts sooner;
# chosen on 2010-2013 among 0.05-0.2 (benchmarks/studies/real_callup_rest_study.py)
REST_K_NEW = 0.1
# The recent pace: opportunities in the days before the as-of date, and its weight in the pace. 20 days
# at 0.5 (30 at 0.75 until 2026-12-07): chosen on 2010-2013 among 7-60 days, each with its own k and
# weight, as the least RMSE of the rest for both types whose day-to-day swing of the season's total
# (a starter's rotation) is at most 0.5 point above 30 days' (benchmarks/studies/real_recent_days_study.py)
RECENT_DAYS = 20
REST_SPREAD = 0.8  # the rest's levels: its band's ratio levels over their mean, to this power (`rest_levels`)
RECENT_WEIGHT = 0.5  # the pace trusted: (1 - RECENT_WEIGHT) the season's + RECENT_WEIGHT the recent days'


@dataclass(frozen=True)
class PlayingTimeInputs:
    """What the opportunity model reads per row (`model_inputs`): Marcel's window and rates.

    window  [N, 3] MLB opportunities of the three seasons before, most recent first, as full-season
            equivalents (hfm_runtime.marcel's `opp_1..3`)
    ages    [N] age in the projected season (NaN: unknown, the model's training median stands in)
    rates   [N, S] Marcel's rates of TARGET_STATS[type], in order
    """

    window: np.ndarray
    ages: np.ndarray
    rates: np.ndarray

    def take(self, at: np.ndarray) -> PlayingTimeInputs:
        return PlayingTimeInputs(self.window[at], self.ages[at], self.rates[at])


@dataclass(frozen=True)
class SeasonToDate:
    """What N players recorded in MLB games of the projected season before the as-of date, and how much
    of the season that is. An in-season score table's totals are these counts plus the rest of the
    season's: its rate times `rest_base`'s opportunities (hfm_runtime.scoring).

    opportunities  [N] PA or BF so far
    recent         [N] of them in the RECENT_DAYS days before the as-of date
    counts         [N, S] the counts of TARGET_STATS[type] so far, in order
    elapsed        e, the share of the season gone (`season_elapsed`)
    recent_share   the share of the season the recent days are (at most e)
    games          the season's team games (targets.SEASON_GAMES; 162 for a full season)
    played         [N] the share of the season since each player's first MLB game of it (at most e; e
                   for a player with none; None: e for all): a player called up is on pace per share
                   he has been up (`rest_base`)
    recent_played  [N] the recent days' share since that game (at most recent_share; None: recent_share)
    early          [N] of `opportunities` those in games before the season's start (a series abroad a
                   week before the home openers: Tokyo 2019), counted in the totals and not in the pace,
                   whose shares count from the start (None: none); `recent` holds none of them
    """

    opportunities: np.ndarray
    recent: np.ndarray
    counts: np.ndarray
    elapsed: float
    recent_share: float
    games: int
    played: np.ndarray | None = None
    recent_played: np.ndarray | None = None
    early: np.ndarray | None = None

    @classmethod
    def at(cls, opportunities: np.ndarray, recent: np.ndarray, counts: np.ndarray, season: int, start: Any,
           as_of: Any, first: np.ndarray | None = None, end: Any = None,
           early: np.ndarray | None = None) -> SeasonToDate:
        """These sums of `season` as of `as_of`, its share gone counted from its `start` (`season_elapsed`;
        `end`: the season's last scheduled day, where known); `first`: [N] each player's first MLB game
        of the season before `as_of` (datetime64[D], NaT for none); `early`: [N] his opportunities before
        `start` (None: none)."""
        elapsed, recent_share = season_elapsed(start, as_of, season, end)
        games = SEASON_GAMES.get(int(season), FULL_SEASON_GAMES)
        if first is None:
            return cls(opportunities, recent, counts, elapsed, recent_share, games, early=early)
        first = np.asarray(first, dtype="datetime64[D]")
        begin, day = np.datetime64(pd.Timestamp(start).date(), "D"), np.datetime64(pd.Timestamp(as_of).date(), "D")
        known = ~np.isnat(first)
        since = np.where(known, np.maximum(first, begin), begin)  # a game abroad before the start counts from it
        spans = _season_spans(games, start, end)
        d0 = ((since - begin).astype(np.int64)).astype(np.float64)
        d1 = float((day - begin).astype(np.int64))
        played = elapsed - _share_gone(d0, spans)  # e(as_of) - e(first), on the same calendar
        recent_played = np.minimum(recent_share, _recent_share(d1 - d0, spans))
        played = np.where(known & (played > 0), played, elapsed)
        recent_played = np.where(known & (recent_played > 0), recent_played, recent_share)
        return cls(opportunities, recent, counts, elapsed, recent_share, games, played, recent_played, early)

    def rest_base(self, expected: np.ndarray, new: np.ndarray | None = None, k: float = REST_K,
                  recent_weight: float = RECENT_WEIGHT, k_new: float = REST_K_NEW) -> np.ndarray:
        """[N] the rest of the season's expected opportunities: (1 - e) (w pace + (1 - w) full), full the
        opening-day expected opportunities of the whole season (`expected`, full-season equivalents, as
        `mean_opportunities` gives them) scaled to the season's games, pace the season so far carried on
        (the season's (1 - recent_weight) and the recent days' recent_weight, each per share p of the
        season; games before the season's start, `early`, left out of it), w = p / (p + k). p = e and
        k = `k`, but for the players `new` marks (no MLB line in the three seasons before) once they
        have played this season: p their share since their first MLB
        game of the season (`played`: a player called up in June is on pace from June) and k = `k_new`
        (their opening day's expectation is a player's with no record, most of whom never play). Before
        any of the season (e = 0): the opening day's; after it (e = 1): 0.
        Why: on 2014-2018, pooled over as-of dates from May 1 to September 1, the RMSE of the rest's
        opportunities falls from 80.2 (the opening day's, prorated) or 72.0 (the pace alone) to 62.4 for
        batters, and from 91.7 or 84.1 to 71.2 for pitchers (docs/ranges.md); for the players called up,
        from 81.1 to 74.4 (batters) and from 84.9 to 78.3 (pitchers) against the rule before 2026-12-07
        (the pace from the season's start, k 0.2: benchmarks/studies/real_callup_rest_study.py)."""
        e = self.elapsed
        full = np.asarray(expected, dtype=np.float64) * (self.games / FULL_SEASON_GAMES)
        if e <= 0.0:
            return full
        # both shares > 0 whenever e > 0 (they count the days since the start, or since his first game)
        played, recent_played = e, self.recent_share
        if new is not None:  # only once he has played: a player named who has not is the rule's as before
            new = np.asarray(new, dtype=bool) & (np.asarray(self.opportunities) > 0)
            k = np.where(new, k_new, k)
            if self.played is not None:
                played = np.where(new, self.played, e)
                recent_played = np.where(new, self.recent_played, self.recent_share)
        since_start = self.opportunities if self.early is None else self.opportunities - self.early
        pace = (1.0 - recent_weight) * since_start / played + recent_weight * self.recent / recent_played
        w = played / (played + k)
        return (1.0 - e) * (w * pace + (1.0 - w) * full)

    def levels(self, spread: PlayingTimeSpread | None, player_type: PlayerType, rest: np.ndarray) -> np.ndarray:
        """[N, K] the rest of the season's equally likely opportunity levels as ratios to its base `rest`
        (`rest_base`): the ratio levels of the spread's band of the rest's full-season pace rest / (1 - e)
        (a player seen playing every day is in a regular's band, whatever his opening-day base was), over
        their mean, to the power REST_SPREAD (`rest_levels`), each held to what the rest of the season
        holds at the most any player had (the spread's `hold` x (1 - e)); their mean is then at most 1.
        One level of 1 without a spread."""
        rest = np.asarray(rest, dtype=np.float64)
        if spread is None:
            return np.ones((len(rest), 1))
        # as full-season equivalents, as the bands are (a 60-game season's pace x 162/60); e = 1: the rest
        # is 0, whatever its levels
        left = max(1.0 - self.elapsed, 1e-9)
        pace = rest / left * (FULL_SEASON_GAMES / self.games)
        levels = rest_levels(np.asarray(spread.ratio[player_type], dtype=np.float64)[spread.band(player_type, pace)])
        most = spread.hold(player_type) * left * (self.games / FULL_SEASON_GAMES)
        return np.minimum(levels, (most / np.maximum(rest, 1e-9))[:, None])


def season_elapsed(start: Any, as_of: Any, season: int, end: Any = None) -> tuple[float, float]:
    """(e, the recent days' share) of `season` as of `as_of`, from the calendar days d since its start
    (`season_starts`): the season lasts L days, one of FULL_SEASON_DAYS (scaled by its team games over
    162), and e is 1 minus the expected share left, mean over L of max(0, L - d) / L: d / 183.0 until
    the shortest season's end, 1 at the longest's (a season whose end the data cannot know is not
    declared over early). Given `end`, the season's last scheduled day (the published schedule), L is
    its own length from the start instead: the seasons since 2018 lasted 186-187 days, and the average
    left the rest of 2018 as of September 1 7% short (docs/ranges.md). The recent share is
    min(RECENT_DAYS, d) times the mean of 1 / L."""
    days = max(0, (pd.Timestamp(as_of) - pd.Timestamp(start)).days)
    spans = _season_spans(SEASON_GAMES.get(int(season), FULL_SEASON_GAMES), start, end)
    return float(_share_gone(days, spans)), min(1.0, float(_recent_share(days, spans)))


def _share_gone(days: Any, spans: np.ndarray) -> np.ndarray:
    """The share of a season gone `days` (scalar or [N]) after its start: mean over its possible lengths
    L of min(d, L) / L (`season_elapsed`)."""
    d = np.asarray(days, dtype=np.float64)
    return np.mean(np.minimum(d[..., None], spans) / spans, axis=-1)


def _recent_share(days: Any, spans: np.ndarray) -> np.ndarray:
    """The share of the season the last min(RECENT_DAYS, days) days are: that times the mean of 1 / L."""
    return np.minimum(RECENT_DAYS, np.asarray(days, dtype=np.float64)) * float(np.mean(1.0 / spans))


NO_DAY = np.iinfo(np.int64).max  # no game: the start of a running minimum over days since 1970


def first_days(days: np.ndarray) -> np.ndarray:
    """Days since 1970 (NO_DAY where none) as datetime64[D] (NaT where none): SeasonToDate.at's `first`."""
    days = np.asarray(days, dtype=np.int64)
    return np.where(days == NO_DAY, np.datetime64("NaT", "D"), days.astype("datetime64[D]"))


def _season_spans(games: int, start: Any = None, end: Any = None) -> np.ndarray:
    """A season's possible lengths in days: FULL_SEASON_DAYS scaled by its team games over 162, or the
    one from `start` to its last scheduled day `end` (both days counted) where that is given."""
    if end is not None:
        days = (pd.Timestamp(end).normalize() - pd.Timestamp(start).normalize()).days + 1
        if days < 1:
            raise HFMInputError(f"season end {pd.Timestamp(end).date()} is before the season's start "
                                f"{pd.Timestamp(start).date()}")
        return np.array([float(days)])
    return np.asarray(FULL_SEASON_DAYS, dtype=np.float64) * (games / FULL_SEASON_GAMES)


def season_starts(days: np.ndarray, game_pk: np.ndarray) -> dict[int, pd.Timestamp]:
    """Season -> its start: the first day with at least START_GAMES of these MLB games (`days` and
    `game_pk` per row, any unit of datetime64; a game's rows counted once), else its first day where
    no season of these games has such a day (a player's own games) or where its games fall on more than
    SERIES_GAME_DAYS days (a season held in part, one team's games, say, was otherwise never in season);
    where another season has one, a season of fewer game days without is left out: not started yet (its home openers after the games held, as in a
    daily pipeline the morning of the home opening day after a series abroad). A season opened abroad
    a week early (Tokyo 2000, 2004, 2008, 2012, 2019; Sydney 2014) starts at its home opening day:
    counted from the first game, the seasons 2001-2018 spanned 182-191 days, from their starts
    182-189."""
    return season_starts_of_counts(*games_per_day(np.asarray(days).astype("datetime64[D]").astype(np.int64), game_pk))


def games_per_day(day: np.ndarray, game_pk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(days, games): the distinct days (int64, ascending) of rows given as `day` (days since 1970) and
    `game_pk`, and how many distinct games each holds. A sort, not np.unique(axis=1), which sorts the
    pairs as structured bytes and costs ~2 ms on a player's two seasons of pitches."""
    day, pk = np.asarray(day, dtype=np.int64), np.asarray(game_pk, dtype=np.int64)
    if not len(day):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((pk, day))
    day, pk = day[order], pk[order]
    first = np.r_[True, (day[1:] != day[:-1]) | (pk[1:] != pk[:-1])]  # each game's first row on its day
    return np.unique(day[first], return_counts=True)


def season_starts_of_counts(day: np.ndarray, count: np.ndarray) -> dict[int, pd.Timestamp]:
    """`season_starts` from the MLB games per day (`day`: days since 1970, ascending; `count`: games)."""
    day, count = np.asarray(day, dtype=np.int64), np.asarray(count, dtype=np.int64)
    seasons = day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    full = count >= START_GAMES
    league_wide = bool(full.any())  # a day of START_GAMES somewhere: the data is the league's, not a player's
    out: dict[int, pd.Timestamp] = {}
    for season in np.unique(seasons).tolist():
        here = seasons == season
        if (here & full).any():
            out[int(season)] = pd.Timestamp(np.datetime64(int(day[here & full][0]), "D"))
        elif not league_wide or here.sum() > SERIES_GAME_DAYS:
            # a player's own games, or a season held in part past a series (one team's games, say)
            out[int(season)] = pd.Timestamp(np.datetime64(int(day[here][0]), "D"))
        # else its home openers are still to come (a series abroad, an opening night held so far): not started
    return out


def rest_levels(levels: np.ndarray, spread: float = REST_SPREAD) -> np.ndarray:
    """[N, N_LEVELS] ratio levels per row over their mean, raised to `spread` and over their mean again:
    the rest of the season's levels (`SeasonToDate.levels`). A power keeps a level of 0 (he does not
    play again) at 0 and draws the others in: the rest of a season, its first part seen, scatters
    less than a whole one."""
    levels = np.asarray(levels, dtype=np.float64)
    mean = levels.mean(axis=1, keepdims=True)
    r = np.where(mean > 0, levels / np.where(mean > 0, mean, 1.0), 1.0) ** spread
    return r / r.mean(axis=1, keepdims=True)


def level_quantiles(levels: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """[N, len(q)] the quantiles of each row's N_LEVELS equally likely levels (non-decreasing, at GRID):
    the piecewise-linear quantile function through them, flat beyond the outer two (as
    `opportunity_quantiles`)."""
    levels = np.atleast_2d(np.asarray(levels, dtype=np.float64))
    return np.stack([np.interp(np.asarray(q, dtype=np.float64), GRID, row) for row in levels]) if len(levels) \
        else np.zeros((0, len(q)))


def model_inputs(inputs: PlayingTimeInputs, age_fill: float) -> np.ndarray:
    """[N, 12 + 2S] the opportunity model's features: each season's opportunities and their square
    roots, whether the last one or two were empty, age and its slope past AGE_KNEE (alone and times
    the last two seasons' opportunities / 100), Marcel's rates alone and times last season's / 100."""
    window = np.asarray(inputs.window, dtype=np.float64).reshape(-1, 3)
    age = np.asarray(inputs.ages, dtype=np.float64)
    age = np.where(np.isfinite(age), age, age_fill)
    rates = np.asarray(inputs.rates, dtype=np.float64)
    rates = rates if rates.ndim == 2 else rates.reshape(len(window), -1)
    o1, o2 = window[:, 0], window[:, 1]
    past = np.maximum(age - AGE_KNEE, 0.0)
    return np.column_stack([window, np.sqrt(np.maximum(window, 0.0)), o1 == 0, (o1 == 0) & (o2 == 0),
                            age, past, past * o1 / 100, past * o2 / 100, rates, rates * o1[:, None] / 100])


def n_model_inputs(player_type: PlayerType) -> int:
    """The width of `model_inputs` for a type: 12 + 2 x its number of target stats."""
    return 12 + 2 * len(TARGET_STATS[player_type])


@dataclass(frozen=True)
class OpportunityModel:
    """m = max(floor, intercept + sum_j coef_j (x_j - mean_j) / scale_j), x = `model_inputs` (a ridge
    fitted by hfm_train.playing_time on the training seasons)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    age_fill: float
    floor: float

    def __post_init__(self) -> None:
        sizes = {len(self.mean), len(self.scale), len(self.coef)}
        values = np.array([*self.mean, *self.scale, *self.coef, self.intercept, self.age_fill, self.floor], float)
        if len(sizes) != 1 or not self.coef or not np.isfinite(values).all() or min(self.scale) <= 0 \
                or self.floor <= 0:
            raise HFMInputError("playing_time: model fields 'mean', 'scale', 'coef' are not non-empty finite lists "
                                "of one length (scale > 0), or 'intercept', 'age_fill', 'floor' not finite (floor > 0)")

    def predict(self, inputs: PlayingTimeInputs) -> np.ndarray:
        x = model_inputs(inputs, self.age_fill)
        if x.shape[1] != len(self.coef):
            raise HFMInputError(f"playing_time: the model reads {len(self.coef)} inputs, these rows give {x.shape[1]} "
                                "(rates of another player type?)")
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        # a row's sum in its own order (not a BLAS product, whose order moves with the batch), so a
        # player scores to the bit alike alone, in a league or from a store
        return np.maximum(self.intercept + np.ascontiguousarray(z * np.asarray(self.coef)).sum(axis=1), self.floor)

    def to_json(self) -> dict[str, Any]:
        return {"mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept, "age_fill": self.age_fill, "floor": self.floor}


@dataclass(frozen=True)
class PlayingTimeSpread:
    """r = actual opportunities / the base m, per player type and band of m (module docstring)."""

    edges: Mapping[str, tuple[float, ...]]
    ratio: Mapping[str, tuple[tuple[float, ...], ...]]  # [type][band] -> N_LEVELS quantiles at GRID
    source: str = "recorded"
    rows: Mapping[str, tuple[int, ...]] | None = None  # fit rows per band (reporting only)
    model: Mapping[str, OpportunityModel] | None = None  # the base m per type; None: m = Marcel's n0
    # the most opportunities (full-season equivalents) of a fit row of the last five fit seasons per type:
    # every level's hold (`hold`); None (fitted before 2026-12-07 evening): MOST_OPPORTUNITIES
    most: Mapping[str, float] | None = None

    def __post_init__(self) -> None:
        for pt in PLAYER_TYPES:
            if pt not in self.edges or pt not in self.ratio:
                raise HFMInputError(f"playing_time: field '{pt}' missing")
            edges, ratio = np.asarray(self.edges[pt], float), np.asarray(self.ratio[pt], float)
            if ratio.ndim != 2 or ratio.shape != (len(edges) + 1, N_LEVELS):
                raise HFMInputError(f"playing_time: field '{pt}.ratio' is not {len(edges) + 1} bands x {N_LEVELS} "
                                    f"quantiles (one band more than '{pt}.edges')")
            if not (np.isfinite(ratio).all() and (ratio >= 0).all() and (np.diff(ratio, axis=1) >= 0).all()):
                raise HFMInputError(f"playing_time: field '{pt}.ratio' holds a value that is not a finite "
                                    "non-negative number in non-decreasing order")
            if not (np.isfinite(edges).all() and (np.diff(edges) > 0).all()):
                raise HFMInputError(f"playing_time: field '{pt}.edges' is not ascending finite numbers")
            if self.model is not None:
                if pt not in self.model:
                    raise HFMInputError(f"playing_time: field '{pt}.model' missing")
                if len(self.model[pt].coef) != n_model_inputs(pt):
                    raise HFMInputError(f"playing_time: field '{pt}.model' reads {len(self.model[pt].coef)} inputs, "
                                        f"a {pt}'s are {n_model_inputs(pt)} (model_inputs)")
            if self.most is not None and not (pt in self.most and math.isfinite(self.most[pt]) and self.most[pt] > 0):
                raise HFMInputError(f"playing_time: field '{pt}.most' missing or not a number above 0")

    def hold(self, player_type: PlayerType) -> float:
        """The most opportunities a level may reach (module docstring): the fit seasons' most, or
        MOST_OPPORTUNITIES for a spread that records none."""
        return MOST_OPPORTUNITIES[player_type] if self.most is None else float(self.most[player_type])

    def base(self, player_type: PlayerType, opportunities: np.ndarray,
             inputs: PlayingTimeInputs | None = None) -> np.ndarray:
        """[N] the base m the ratio multiplies: the model's expected opportunities, or Marcel's n0
        (`opportunities`) for a spread without a model."""
        n0 = np.asarray(opportunities, dtype=np.float64)
        if self.model is None:
            return n0
        if inputs is None:
            raise HFMInputError("playing_time: this spread's opportunity model needs each row's inputs "
                                "(PlayingTimeInputs: Marcel's window, age and rates)")
        return self.model[player_type].predict(inputs)

    def band(self, player_type: PlayerType, base: np.ndarray) -> np.ndarray:
        """[N] the band of each base m (`base`)."""
        edges = np.asarray(self.edges[player_type], dtype=np.float64)
        return np.searchsorted(edges, np.asarray(base, dtype=np.float64), side="right")

    def levels(self, player_type: PlayerType, opportunities: np.ndarray,
               inputs: PlayingTimeInputs | None = None, *, m: np.ndarray | None = None) -> np.ndarray:
        """[N, N_LEVELS] the equally likely opportunity levels of each row as ratios to Marcel's n0
        (`opportunities`): r_k m / n0, r_k the levels of m's band. m: `base`'s result where the caller
        has it (the scorer reads levels, mean and quantiles of one base), else computed from `inputs`."""
        n0 = np.asarray(opportunities, dtype=np.float64)
        m = self.base(player_type, n0, inputs) if m is None else m
        ratio = np.asarray(self.ratio[player_type], dtype=np.float64)
        out = ratio[self.band(player_type, m)]
        out = out if self.model is None else out * (m / n0)[:, None]
        # held at the most a season had (n0 > 0: Marcel adds a base; guarded all the same)
        return np.minimum(out, (self.hold(player_type) / np.maximum(n0, 1e-9))[:, None])

    def mean_opportunities(self, player_type: PlayerType, opportunities: np.ndarray,
                           inputs: PlayingTimeInputs | None = None, *, m: np.ndarray | None = None) -> np.ndarray:
        """[N] the expected opportunities E[r] m (the mean of the 20 equally likely levels): what a
        season total's point projection multiplies the rate by, so that it is the mean of the totals'
        mixture (the talent independent of r)."""
        n0 = np.asarray(opportunities, dtype=np.float64)
        return self.levels(player_type, n0, inputs, m=m).mean(axis=1) * n0

    def opportunity_quantiles(self, player_type: PlayerType, opportunities: np.ndarray,
                              q: Sequence[float], inputs: PlayingTimeInputs | None = None, *,
                              m: np.ndarray | None = None) -> np.ndarray:
        """[N, len(q)] quantiles of r m, its levels held at `hold` (module docstring): the
        quantile function through the held levels, as `level_quantiles` gives it."""
        m = self.base(player_type, opportunities, inputs) if m is None else m
        ratio = np.asarray(self.ratio[player_type], dtype=np.float64)
        per_band = np.array([np.interp(np.asarray(q, dtype=np.float64), GRID, band)
                             for band in ratio])  # [bands, len(q)]: a few bands, many rows
        band = self.band(player_type, m)
        out = per_band[band] * m[:, None]
        held = ratio[band, -1] * m > self.hold(player_type)  # a level above the hold: its held levels'
        if held.any():
            n0 = np.asarray(opportunities, dtype=np.float64)[held]
            out[held] = level_quantiles(self.levels(player_type, n0, m=m[held]) * n0[:, None], q)
        return out

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"grid": list(GRID), "source": self.source}
        for pt in PLAYER_TYPES:
            out[pt] = {"edges": [float(e) for e in self.edges[pt]],
                       "ratio": [[float(v) for v in band] for band in self.ratio[pt]]}
            if self.rows is not None and pt in self.rows:
                out[pt]["rows"] = [int(n) for n in self.rows[pt]]
            if self.model is not None:
                out[pt]["model"] = self.model[pt].to_json()
            if self.most is not None:
                out[pt]["most"] = float(self.most[pt])
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "ranges.playing_time") -> PlayingTimeSpread:
        """From `to_json`'s form; HFMInputError naming the field when one is missing or malformed."""
        if not isinstance(data, Mapping):
            raise HFMInputError(f"{where}: not an object")
        grid = data.get("grid")
        if not isinstance(grid, list) or len(grid) != N_LEVELS or not np.allclose(grid, GRID):
            raise HFMInputError(f"{where}: field 'grid' is {grid!r}, not the {N_LEVELS} mid-bin levels {list(GRID)}")
        edges, ratio, rows, model, most = {}, {}, {}, {}, {}
        for pt in PLAYER_TYPES:
            block = data.get(pt)
            if not isinstance(block, Mapping):
                raise HFMInputError(f"{where}: field '{pt}' missing or not an object")
            edges[pt] = tuple(_number(v, where, f"{pt}.edges") for v in _list(block.get("edges"), where, f"{pt}.edges"))
            ratio[pt] = tuple(tuple(_number(v, where, f"{pt}.ratio") for v in _list(band, where, f"{pt}.ratio"))
                              for band in _list(block.get("ratio"), where, f"{pt}.ratio"))
            if "rows" in block:
                rows[pt] = tuple(int(_number(v, where, f"{pt}.rows")) for v in _list(block["rows"], where, f"{pt}.rows"))
            if "model" in block:
                model[pt] = _model(block["model"], where, f"{pt}.model")
            if "most" in block:
                most[pt] = _number(block["most"], where, f"{pt}.most")
        for field, got in (("model", model), ("most", most)):
            if got and len(got) != len(PLAYER_TYPES):
                raise HFMInputError(f"{where}: field '{next(pt for pt in PLAYER_TYPES if pt not in got)}.{field}' "
                                    "missing (the other type has one)")
        try:
            return cls(edges, ratio, str(data.get("source", "recorded")), rows or None, model or None, most or None)
        except HFMInputError as err:
            raise HFMInputError(f"{where}: {str(err).removeprefix('playing_time: ')}") from None


def _model(value: Any, where: str, field: str) -> OpportunityModel:
    if not isinstance(value, Mapping):
        raise HFMInputError(f"{where}: field '{field}' is not an object")
    lists = [tuple(_number(v, where, f"{field}.{k}") for v in _list(value.get(k), where, f"{field}.{k}"))
             for k in ("mean", "scale", "coef")]
    numbers = [_number(value.get(k), where, f"{field}.{k}") for k in ("intercept", "age_fill", "floor")]
    try:
        return OpportunityModel(*lists, *numbers)
    except HFMInputError as err:  # names the fields, not where they are
        raise HFMInputError(f"{where}: {field}: {str(err).removeprefix('playing_time: ')}") from None


def _list(value: Any, where: str, field: str) -> list:
    if not isinstance(value, list):
        raise HFMInputError(f"{where}: field '{field}' missing or not a list")
    return value


def _number(value: Any, where: str, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(value, bool):
        raise HFMInputError(f"{where}: field '{field}' holds {value!r}, not a number")
    return number
