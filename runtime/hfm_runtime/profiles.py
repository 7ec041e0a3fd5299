"""Player identity profiles: per-opportunity rates of the target stats over several horizons.

For each (player_id, as_of_date) the profile holds, from games strictly BEFORE the as-of date only:

* rates of every target stat (`targets.TARGET_STATS[player_type]`, per `targets.OPPORTUNITY`) over four
  horizons, `HORIZONS`: career, last 3 years, last year and last 30 days. A horizon is a calendar window
  ending the day before the as-of date: [as_of - 3 years, as_of), [as_of - 1 year, as_of),
  [as_of - 30 days, as_of); career has no start.
* career rates are regressed toward the league rates by adding league-average opportunities
  (Marcel's idea; per stat, fitted by `prior_opportunities`); shorter horizons are raw rates.
* a thin horizon (fewer opportunities than `ProfileConfig.min_opportunities`) borrows the rates of the
  next longer one; a thin career borrows the league rates. `<horizon>_from` records where the rates came
  from ("career", "3yr", "1yr", "30d" or "league").
* the source: players with fewer than `ProfileConfig.mle_threshold` MLB opportunities (200 PA for
  batters, 200 BF for pitchers: both are per-plate-appearance outcome rates, so the same sample size
  makes them about as reliable) have their minor-league lines, translated to MLB-equivalent counts by
  `hfm_runtime.mle.MLETranslator`, added to every horizon: `source` is "mle" (no MLB games at all),
  "blended" (some MLB + translated AAA) or "mlb" (everything else, including players with no history).
* sample sizes (each horizon's opportunities, pitches and tracked balls; the Marcel window's
  opportunities per year and skill samples) count a short season's opportunities as full-season
  equivalents (`targets.season_scale`: the 60-game 2020 x 2.7), unless
  `ProfileConfig.season_length_correction` is off (an ablation); rates and shrinkage read plain counts.
* age (`seasons.season_age` for the as-of date's year) and handedness (batters: bats L/R/S; pitchers:
  throws L/R).
* the Marcel window (`marcel_*` columns): the three years before the as-of date weighted 5/4/3 (the
  most recent first), MLB and AAA lines together and untranslated: outcome rates (the league rate when
  empty), the same rates regressed toward the league by each stat's empirical-Bayes prior
  (`marcel_shrunk_*`, `_marcel_window`), opportunities per year, the AAA share, and skill rates shrunk
  with 12x the prior events; with `ProfileConfig.window_detail` (off by default) also each year's own
  shrunk rates and opportunities per game played (role: starter or reliever, regular or bench);
  with `ProfileConfig.speed_rates` (batters; off by default, on in fits of real leagues) also the
  window's speed rates (`skills.SPEED_RATES`: infield hits per fielded ground ball, double plays per
  chance), shrunk alike; with `ProfileConfig.putaway_rate` (batters; off by default, on in fits of
  real leagues) also its putaway rate (`skills.PUTAWAY_RATES`: strikeouts per plate appearance that
  reached two strikes), shrunk alike; with `ProfileConfig.wide_platoon` (batters; off by default, on
  in fits of real leagues) also its platoon share (`skills.PLATOON_RATES`: plate appearances with the
  platoon advantage per plate appearance), shrunk alike; with `ProfileConfig.old_seasons` (batters;
  off by default, on in fits of real leagues) also the three years before the window (`old_*`: each
  target stat's rate shrunk by its prior, and the opportunities);
  with `ProfileConfig.late_rates` (off by default; on in fits of real leagues) also the late window:
  MLB games of the last LATE_DAYS days before the as-of date (at opening day, about the last two
  months of last season), its outcome rates shrunk by the same priors, whiff and swing rates shrunk by
  their skill priors, and its opportunities.
  This is what a regression on season aggregates reads (hfm_train.baselines); Graph 2's wide path reads
  these columns (`wide_feature_names`).
* Statcast skill rates (`hfm_runtime.skills.TYPE_RATES[player_type]`: plate discipline, contact,
  batted-ball quality; for pitchers also velocity, spin, extension) over the same four horizons, from
  the skill counts beside the outcome counts in the game lines, each shrunk toward the league rate by
  its empirical-Bayes prior (`skills.skill_priors`): (events + k * league) / (opportunities + k). A
  thin horizon is thus mostly league rate and needs no fallback. AAA skill counts join the MLB ones
  exactly when AAA outcome lines do (source "mle"/"blended"), untranslated.

`build_profiles` does all as-of rows at once with cumulative sums and binary search (no Python loop over
players), and `feature_matrix` flattens a profile table into the model's `stat_features` input in the
layout that `feature_names` documents. `FeatureScaler` standardises it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import text_array
from hfm_runtime.skills import PLATOON_RATES, PUTAWAY_RATES, SKILL_COUNTS, SKILL_RATES, SPEED_RATES, TYPE_RATES, skill_rates
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS, PlayerType, season_scale

HORIZONS: tuple[str, ...] = ("career", "3yr", "1yr", "30d")  # longest first: the fallback order
MARCEL_YEARS, MARCEL_WEIGHTS = (1, 2, 3), (5.0, 4.0, 3.0)  # the `marcel` block: years back, their weights
LATE_DAYS = 240  # ProfileConfig.late_rates: from a late-March opening day back to about August 1
LATE_SKILLS: tuple[str, ...] = ("whiff_rate", "swing_rate")  # the late window's skill rates
OLD_YEARS = 6  # ProfileConfig.old_seasons: the years before the Marcel window reach this far back
SOURCES: tuple[str, ...] = ("mlb", "mle", "blended")
HANDS: dict[str, tuple[str, ...]] = {"batter": ("L", "R", "S"), "pitcher": ("L", "R")}
HAND_COLUMN: dict[str, str] = {"batter": "bats", "pitcher": "throws"}
MLB, AAA = "MLB", "AAA"

_DAY_KEY = 1_000_000  # key = player code * _DAY_KEY + days since 1970 + _DAY_OFFSET (sorts by player, date)
_DAY_OFFSET = 400_000
_SMALL = 4096  # up to this many rows, text is compared in numpy (pandas' fixed cost would dominate)


@dataclass(frozen=True)
class ProfileConfig:
    """How profiles are built. Opportunities are PA for batters and BF for pitchers."""

    # A horizon with fewer opportunities than this borrows the next longer horizon's rates.
    min_opportunities: tuple[tuple[str, int], ...] = (
        ("career", 25), ("3yr", 150), ("1yr", 100), ("30d", 40),
    )
    # Players with fewer MLB opportunities than this get their translated AAA lines added ("mle"/"blended").
    mle_threshold: int = 200
    # Career rates are regressed toward the league: this many league-average opportunities are added
    # (as Marcel does), so a 60-PA career is mostly league rate and a 3000-PA one is nearly raw.
    # Used for stats without a fitted per-stat value (`prior_opportunities`).
    career_prior_opportunities: float = 200.0
    # Sample-size features read a short season's opportunities as full-season equivalents
    # (targets.season_scale: the 60-game 2020 counts x 2.7). False (an ablation, `--set
    # profile.season_length_correction=false`): every season's opportunities count as they are. Only
    # the sample-size features change (`log_opp:*`, `log_pitches:*`, `log_tracked:*`, `log_opp_year:*`,
    # `log_n:*`, `log_old_opp`); rates and the shrinkage read plain counts either way. Saved with the
    # identity, so the runtime builds the features the model was trained on (a file without it: True).
    season_length_correction: bool = True
    # The Marcel window's detail (an experiment of 2026-12-03, off by default: it paid on the selection
    # seasons and not on the test seasons, docs/real-data-tried.md): each of the window's
    # three years' own shrunk rates and opportunities per game played (a starter's ~24 BF against a
    # reliever's ~4.5; a regular's ~4 PA against a bench player's ~2.5), appended to block 10 of
    # `feature_names`. Saved with the identity; a file without it reads as off.
    window_detail: bool = False
    # A batter's speed (an experiment of 2026-12-03, off by default; `hfm-train fit` turns it on for
    # an imported league since 2026-12-04, docs/real-data.md): the Marcel window's `skills.SPEED_RATES`,
    # shrunk like its other skill rates, with their sample sizes, appended after the window detail in
    # `feature_names` (so the default layout stays a prefix). Saved with the identity; a file without
    # it reads as off. Pitchers: no change.
    speed_rates: bool = False
    # A batter's putaway rate (2026-12-05, off by default; `hfm-train fit` turns it on for an imported
    # league, docs/real-data.md): the Marcel window's `skills.PUTAWAY_RATES` (SO per plate appearance
    # reaching two strikes), shrunk and sized like the speed rates and right after them. Saved with
    # the identity; a file without it reads as off. Pitchers: no change.
    putaway_rate: bool = False
    # A batter's older seasons (2026-12-05, off by default; `hfm-train fit` turns it on for an imported
    # league, benchmarks/results/real_old_seasons_2017_2018.md): the three years before the Marcel
    # window, [as-of - 6 years, as-of - 3 years), MLB and AAA lines together, each target stat's rate
    # shrunk by its career prior, and their opportunities, appended after the batters' rate groups. A fit needs six seasons of history for its first training
    # season's rows to have them. Saved with the identity; a file without it reads as off. Pitchers:
    # no change.
    old_seasons: bool = False
    # The end of last season (2026-12-04; docs/real-data-tried.md: its ridge gained 0.2-0.55
    # point for pitchers on five groups of seasons, and the blend passed a rule set before three seeds
    # of 2018): the MLB games of the last LATE_DAYS days before the as-of date, appended after
    # everything else in `feature_names`. Off here (the simulated leagues never measured it); `hfm-train
    # fit` turns it on for an imported league. Saved with the identity; a file without it reads as off.
    late_rates: bool = False
    # A batter's fielding positions (2026-12-06, off by default; `hfm-train fit` turns it on for an
    # imported league, docs/real-data-tried.md): the sequence ridge reads the window's share of games
    # at each position (skills.POSITION_GAMES), so the batters' opening-day mix with it
    # does; the profile's own features do not (yet). Saved with the identity; a file without it
    # reads as off.
    positions: bool = False
    # A batter's platoon share (2026-12-06, off by default; `hfm-train fit` turns it on for an imported
    # league, benchmarks/results/real_platoon_2017_2018.md): the sequence ridge reads
    # skills.PLATOON_RATES (plate appearances with the platoon advantage per plate appearance) after
    # the putaway rate (RidgeConfig.platoon); the profile's own features do not unless `wide_platoon`.
    # Saved with the identity; a file without it reads as off.
    platoon: bool = False
    # The platoon share in the profile's own features too (2026-12-06, off by default; `hfm-train fit`
    # turns it on for an imported league, benchmarks/results/real_wide_platoon_2017_2018.md): the
    # Marcel window's skills.PLATOON_RATES, shrunk and sized like the putaway rate and right after it
    # in `feature_names`, so Graph 2's wide path reads it (batters; pitchers: no change). Saved with
    # the identity; a file without it reads as off.
    wide_platoon: bool = False

    def min_opp(self, horizon: str) -> int:
        return dict(self.min_opportunities)[horizon]


@dataclass(frozen=True)
class PlayerStatProfile:
    """One player's identity profile as of a date (one row of `build_profiles`' table)."""

    player_id: int
    as_of_date: pd.Timestamp
    player_type: PlayerType
    age: float
    hand: str
    source: str
    rates: Mapping[str, Mapping[str, float]]  # horizon -> stat -> rate (after fallback)
    opportunities: Mapping[str, float]  # horizon -> own opportunities (MLB + translated AAA when used)
    filled_from: Mapping[str, str] = field(default_factory=dict)  # horizon -> where its rates came from
    mlb_career_opportunities: float = 0.0

    @classmethod
    def from_row(cls, row: Mapping[str, Any], player_type: PlayerType) -> PlayerStatProfile:
        stats = TARGET_STATS[player_type]
        return cls(
            player_id=int(row["player_id"]),
            as_of_date=pd.Timestamp(row["as_of_date"]),
            player_type=player_type,
            age=float(row["age"]),
            hand=str(row["hand"]),
            source=str(row["source"]),
            rates={h: {s: float(row[f"{h}_{s}"]) for s in stats} for h in HORIZONS},
            opportunities={h: float(row[f"{h}_opp"]) for h in HORIZONS},
            filled_from={h: str(row[f"{h}_from"]) for h in HORIZONS},
            mlb_career_opportunities=float(row["mlb_career_opp"]),
        )


def profile_records(profiles: pd.DataFrame, player_type: PlayerType) -> list[PlayerStatProfile]:
    """The rows of a `build_profiles` table as `PlayerStatProfile` objects."""
    return [PlayerStatProfile.from_row(r, player_type) for r in profiles.to_dict("records")]


def league_rates(lines: pd.DataFrame, player_type: PlayerType) -> dict[str, float]:
    """MLB per-opportunity rates of the target stats over `lines` (game or season lines)."""
    opp_col = OPPORTUNITY[player_type]
    _require(lines, ("level", opp_col, *TARGET_STATS[player_type]), "game lines")
    mlb = lines[lines["level"] == MLB]
    opp = float(mlb[opp_col].sum())
    if opp <= 0:
        raise HFMInputError(f"game lines: no MLB {opp_col} to compute league rates from")
    return {s: float(mlb[s].sum()) / opp for s in TARGET_STATS[player_type]}


def prior_opportunities(
    lines: pd.DataFrame, player_type: PlayerType, min_season_opportunities: int = 20
) -> dict[str, float]:
    """Per stat, how many league-average opportunities to add to a career (empirical Bayes).

    From MLB season lines (method of moments): the spread of observed season rates is true-talent
    spread plus binomial noise p(1-p)/n, so var_true = var_obs - mean noise, and the prior worth
    k = p(1-p) / var_true opportunities makes (count + k p) / (n + k) the best linear estimate. Stats
    whose talent barely varies (triples) get a large k; clipped to [20, 5000].
    """
    opp_col = OPPORTUNITY[player_type]
    keys = [c for c in ("player_id", "season") if c in lines.columns]
    mlb = lines[lines["level"] == MLB].groupby(keys)[[opp_col, *TARGET_STATS[player_type]]].sum()
    mlb = mlb[mlb[opp_col] >= min_season_opportunities]
    if len(mlb) < 10:
        raise HFMInputError(f"game lines: too few MLB seasons with {min_season_opportunities}+ {opp_col}")
    n = mlb[opp_col].to_numpy(np.float64)
    out = {}
    for s in TARGET_STATS[player_type]:
        rate = mlb[s].to_numpy(np.float64) / n
        p = float(np.sum(rate * n) / n.sum())
        var_true = np.mean((rate - p) ** 2) - np.mean(p * (1 - p) / n)
        out[s] = float(np.clip(p * (1 - p) / var_true, 20, 5000)) if var_true > 0 else 5000.0
    return out


def build_profiles(
    lines: pd.DataFrame, players: pd.DataFrame, as_of: pd.DataFrame, player_type: PlayerType, **options: Any
) -> pd.DataFrame:
    """`profile_columns` as a table: one row per as-of row, in that order."""
    return pd.DataFrame(profile_columns(lines, players, as_of, player_type, **options))


def profile_columns(
    lines: pd.DataFrame,
    players: pd.DataFrame,
    as_of: pd.DataFrame,
    player_type: PlayerType,
    *,
    mle: Any | None = None,
    league: Mapping[str, float] | None = None,
    prior: Mapping[str, float] | None = None,
    skill_league: Mapping[str, float] | None = None,
    skill_prior: Mapping[str, float] | None = None,
    config: ProfileConfig = ProfileConfig(),
) -> dict[str, np.ndarray]:
    """Profiles for every row of `as_of` (columns player_id, as_of_date), as a dict of numpy columns
    (`build_profiles` makes it a table; `feature_matrix` takes either).

    lines:   game lines of both levels with their skill counts (`identity.player_lines`: player_id,
             game_date, level, opportunity, stat and SKILL_COUNTS columns). Only games with
             game_date < as_of_date count.
    players: player_id, birth_date, and bats (batters) or throws (pitchers).
    mle:     a fitted `mle.MLETranslator` for this player type; without it AAA lines are ignored.
    league:  league rates for players with an empty career; default `league_rates(lines)`. Pass the
             training seasons' rates to keep later seasons out of them.
    prior:   per-stat league-average opportunities added to careers (`prior_opportunities`); stats
             missing from it use `config.career_prior_opportunities`.
    skill_league, skill_prior: per skill rate, the league rate and the prior events it is shrunk with
             (`skills.skill_priors` on training seasons); default: raw rates (k = 0).

    Returns per as-of row: player_id, as_of_date, age, hand, source, mlb_career_opp; per horizon h:
    `h_<stat>` rates, `h_opp`, `h_opp_eq` (full-season equivalents), `h_from`, `h_skill_<rate>` skill
    rates, `h_pitches`, `h_tracked`; and the Marcel window's `marcel_*` columns (with the late window's
    `late_*` when `config.late_rates`, and the older seasons' `old_shrunk_*` and `old_opp` when
    `config.old_seasons`: `_marcel_window`). Everything runs on numpy arrays read once from the inputs:
    on a one-player request pandas' fixed cost per operation would dominate.
    """
    stats = TARGET_STATS[player_type]
    opp_col = OPPORTUNITY[player_type]
    _require(lines, ("player_id", "game_date", "level", opp_col, *stats, *SKILL_COUNTS), "game lines")
    _require(as_of, ("player_id", "as_of_date"), "as_of")
    if league is None:
        league = league_rates(lines, player_type)
    cols = [opp_col, *stats, *SKILL_COUNTS]

    line_ids = np.asarray(lines["player_id"], dtype=np.int64)
    line_days = _days(lines["game_date"])
    # the last column: opportunities as full-season equivalents (targets.season_scale), which the
    # sample-size features read; rates read the plain counts. Without the season-length correction
    # (config.season_length_correction False) it is the plain opportunities too.
    opp_eq = lines[opp_col].to_numpy(np.float64)
    if config.season_length_correction:
        opp_eq = opp_eq * season_scale(_years(line_days.astype("datetime64[D]")))
    # then games played (one line per game) and the full-season equivalents: the last two columns
    # one read of the block (a column at a time cost ~0.4 ms more on a player's 300 lines)
    counts = np.column_stack([lines[cols].to_numpy(np.float64), np.ones(len(lines)), opp_eq])
    cols = [*cols, "games", "opp_eq"]
    is_mlb = _equals(lines["level"], MLB)
    is_aaa = _equals(lines["level"], AAA) if mle is not None else np.zeros(len(lines), bool)
    aaa_counts = _translate(mle, counts[is_aaa], cols) if is_aaa.any() else counts[is_aaa]

    ids = np.asarray(as_of["player_id"], dtype=np.int64)
    dates = _datetimes(as_of["as_of_date"])
    asof_day = _days(dates)
    code_of = np.unique(np.concatenate([ids, line_ids]))
    code = np.searchsorted(code_of, ids)

    starts = {
        "career": None,
        "3yr": _years_before(dates, asof_day, 3),
        "1yr": _years_before(dates, asof_day, 1),
        "30d": asof_day - 30,
    }
    # the late window (config.late_rates) reads MLB lines only: one more start in the same pass
    late_start = {"late": asof_day - LATE_DAYS} if config.late_rates else {}
    mlb_sums = _window_sums(
        line_ids[is_mlb], line_days[is_mlb], counts[is_mlb], code_of, code, asof_day, {**starts, **late_start}
    )
    aaa_sums = _window_sums(line_ids[is_aaa], line_days[is_aaa], aaa_counts, code_of, code, asof_day, starts)

    mlb_career = mlb_sums["career"][:, 0]
    use_aaa = mlb_career < config.mle_threshold
    has_aaa = aaa_sums["career"][:, 0] > 0
    source = np.where(use_aaa & has_aaa, np.where(mlb_career > 0, "blended", "mle"), "mlb")

    out: dict[str, Any] = {"player_id": ids, "as_of_date": dates}
    out.update(_age_and_hand(players, ids, dates, player_type))
    out["source"] = source
    out["mlb_career_opp"] = mlb_career

    league_vec = np.array([league[s] for s in stats], dtype=np.float64)
    prior_k = np.array([(prior or {}).get(s, config.career_prior_opportunities) for s in stats])
    tracked_known = skill_league is None or any(
        SKILL_RATES[r][1] in ("tracked", "speed_n") and r in skill_league for r in TYPE_RATES[player_type])
    prev_rates = np.broadcast_to(league_vec, (len(ids), len(stats)))
    prev_from = np.full(len(ids), "league", dtype=object)
    n_stats = 1 + len(stats)
    for h in HORIZONS:
        sums = mlb_sums[h] + np.where(use_aaa[:, None], aaa_sums[h], 0.0)
        opp = sums[:, 0]
        thin = opp < max(config.min_opp(h), 1e-9)
        with np.errstate(divide="ignore", invalid="ignore"):
            if h == "career":
                own = (sums[:, 1:n_stats] + prior_k * league_vec) / (opp[:, None] + prior_k)
            else:
                own = sums[:, 1:n_stats] / opp[:, None]
        rates = np.where(thin[:, None], prev_rates, own)
        from_ = np.where(thin, prev_from, h)
        for j, s in enumerate(stats):
            out[f"{h}_{s}"] = rates[:, j]
        out[f"{h}_opp"] = opp
        out[f"{h}_opp_eq"] = sums[:, -1]
        out[f"{h}_from"] = from_
        skill_sums = dict(zip(SKILL_COUNTS, sums[:, n_stats:].T))
        skills = skill_rates(skill_sums, TYPE_RATES[player_type], skill_league, skill_prior)
        for r in TYPE_RATES[player_type]:
            # k = 0 (no prior given) and nothing seen: the league rate, else 0 stands in for unknown
            fill = (skill_league or {}).get(r, 0.0)
            out[f"{h}_skill_{r}"] = np.where(np.isfinite(skills[r]), skills[r], fill)
        out[f"{h}_pitches"] = skill_sums["pitches"]
        # a sample size of tracked balls counts only where the fitted skill rates read them: a model
        # trained on untracked seasons must see a tracked file's balls in play as untracked too.
        # `speed_n`, not `tracked`: the 2009-2018 extract joined to Retrosheet has speeds, no angles
        out[f"{h}_tracked"] = skill_sums["speed_n"] if tracked_known else np.zeros(len(ids))
        prev_rates, prev_from = rates, from_
    out.update(_marcel_window(line_ids, line_days, counts, lines["level"], code_of, code, dates, asof_day,
                              player_type, league_vec, prior_k, skill_league, skill_prior, config.window_detail,
                              extra_rates(player_type, config), mlb_sums.get("late"), _old_on(player_type, config)))
    return out


def shrink_weighted(rates: np.ndarray, weighted_opp: np.ndarray, squared_opp: np.ndarray, prior_k: np.ndarray,
                    league: np.ndarray) -> np.ndarray:
    """Weighted rates [N, S] regressed toward `league` [S] by each stat's prior `prior_k` [S] against the
    window's effective sample n_eff = (sum w n)^2 / sum w^2 n (`weighted_opp`, `squared_opp` [N]):
    (n_eff rate + k league) / (n_eff + k). The profile's `marcel_shrunk` columns and the ridge
    baselines' `shrunk_` features."""
    n_eff = np.divide(weighted_opp * weighted_opp, squared_opp, out=np.zeros(len(weighted_opp)),
                      where=squared_opp > 0)[:, None]
    denominator = np.broadcast_to(n_eff + prior_k, rates.shape)  # 0 only with a zero prior and no games
    return np.divide(n_eff * rates + prior_k * league, denominator, out=np.array(rates, dtype=np.float64),
                     where=denominator > 0)


def _shrunk_own(sums: np.ndarray, n_stats: int, prior_k: np.ndarray, league: np.ndarray) -> np.ndarray:
    """A window's own target-stat rates [N, S] from its sums [N, opportunities, S stats, ...], each
    shrunk by its prior: (x + k league) / (n + k) (one year of the window detail, the late window, the
    older seasons)."""
    return (sums[:, 1:n_stats] + prior_k * league) / np.maximum(sums[:, :1] + prior_k, 1e-12)


def _marcel_window(line_ids, line_days, counts, level, code_of, code, dates, asof_day, player_type,
                   league_vec, prior_k, skill_league, skill_prior, detail: bool = False,
                   extra: tuple[str, ...] = (), late: np.ndarray | None = None,
                   old: bool = False) -> dict[str, np.ndarray]:
    """The `marcel` block: the three years before the as-of date weighted 5/4/3 (the most recent year
    first, as Marcel weighs seasons), MLB and AAA lines together, untranslated. `extra`: the skill
    rates read beyond TYPE_RATES (`extra_rates`); `old`: also the three years before those (`_old_on`).

    `marcel_shrunk_<stat>`: the weighted rate regressed toward the league rate by the stat's own
    empirical-Bayes prior `prior_k` (league-average opportunities, `prior_opportunities`) against the
    weighted window's effective sample n_eff = (sum w n)^2 / sum w^2 n, i.e.
    (n_eff rate + k league) / (n_eff + k). A linear map of the raw rate cannot shrink by sample size
    (a 60-PA window and a 1,800-PA one would get the same slope); this column does it per stat: a
    strikeout rate is kept nearly whole after one season, a hit rate is pulled far toward the league."""
    stats = TARGET_STATS[player_type]
    n_stats = 1 + len(stats)
    both = _equals(level, MLB) | _equals(level, AAA)
    aaa = _equals(level, AAA)
    starts = {f"y{k}": _years_before(dates, asof_day, k) for k in MARCEL_YEARS}
    if old:
        starts[f"y{OLD_YEARS}"] = _years_before(dates, asof_day, OLD_YEARS)
    sums = _window_sums(line_ids[both], line_days[both], counts[both], code_of, code, asof_day, starts)
    aaa_opp = _window_sums(line_ids[aaa], line_days[aaa], counts[aaa][:, :1], code_of, code, asof_day,
                           {"y3": starts[f"y{MARCEL_YEARS[-1]}"]})["y3"][:, 0]
    out: dict[str, np.ndarray] = {}
    weighted, previous, squared = 0.0, 0.0, 0.0
    for k, w in zip(MARCEL_YEARS, MARCEL_WEIGHTS):
        year = sums[f"y{k}"] - previous  # the k-th year back alone
        previous = sums[f"y{k}"]
        weighted = weighted + w * year
        squared = squared + w * w * year[:, 0]
        out[f"marcel_opp_y{k}"] = year[:, -1]  # full-season equivalents
        if detail:  # the year's own rates shrunk by the same priors: (x + k lg) / (n + k)
            own = _shrunk_own(year, n_stats, prior_k, league_vec)
            for j, s in enumerate(stats):
                out[f"marcel_shrunk_y{k}_{s}"] = own[:, j]
            if k == 1:
                out["marcel_per_game_y1"] = np.divide(year[:, 0], year[:, -2], out=np.zeros(len(year)),
                                                      where=year[:, -2] > 0)
    if detail:
        out["marcel_per_game"] = np.divide(weighted[:, 0], weighted[:, -2], out=np.zeros(len(weighted)),
                                           where=weighted[:, -2] > 0)
    opp = weighted[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(opp[:, None] > 0, weighted[:, 1:n_stats] / opp[:, None], league_vec)
    shrunk = shrink_weighted(rates, opp, squared, prior_k, league_vec)
    for j, s in enumerate(stats):
        out[f"marcel_{s}"] = rates[:, j]
        out[f"marcel_shrunk_{s}"] = shrunk[:, j]
    three = previous[:, 0]
    out["marcel_aaa_share"] = np.divide(aaa_opp, three, out=np.zeros(len(three)), where=three > 0)
    total = sum(MARCEL_WEIGHTS)
    # the target stats too: skills.PUTAWAY_RATES divides SO by a skill count
    skill_sums = {**dict(zip(stats, weighted[:, 1:n_stats].T)), **dict(zip(SKILL_COUNTS, weighted[:, n_stats:].T))}
    names = TYPE_RATES[player_type] + extra
    prior = {r: (skill_prior or {}).get(r, 0.0) * total for r in names}
    skills = skill_rates(skill_sums, names, skill_league, prior)
    for r in names:
        out[f"marcel_skill_{r}"] = np.where(np.isfinite(skills[r]), skills[r], (skill_league or {}).get(r, 0.0))
        out[f"marcel_skill_{r}_n"] = skills[f"{r}_n"] / total
    out["marcel_eq"] = _equivalent(weighted[:, -1], opp)  # full-season equivalents per opportunity
    if old:  # the years before the window, shrunk as one year is
        before = sums[f"y{OLD_YEARS}"] - previous
        own = _shrunk_own(before, n_stats, prior_k, league_vec)
        for j, s in enumerate(stats):
            out[f"old_shrunk_{s}"] = own[:, j]
        out["old_opp"] = before[:, -1]  # full-season equivalents
    if late is not None:  # the late window's MLB sums (profile_columns), shrunk as one year is
        own = _shrunk_own(late, n_stats, prior_k, league_vec)
        for j, s in enumerate(stats):
            out[f"late_shrunk_{s}"] = own[:, j]
        late_skills = skill_rates(dict(zip(SKILL_COUNTS, late[:, n_stats:].T)), LATE_SKILLS, skill_league,
                                  {r: (skill_prior or {}).get(r, 0.0) for r in LATE_SKILLS})
        for r in LATE_SKILLS:
            out[f"late_skill_{r}"] = np.where(np.isfinite(late_skills[r]), late_skills[r],
                                              (skill_league or {}).get(r, 0.0))
        out["late_opp"] = late[:, 0]
    return out


def feature_names(player_type: PlayerType, config: ProfileConfig = ProfileConfig()) -> list[str]:
    """The `stat_features` layout, in column order (stable: the model and bundles depend on it). The
    default layout (`window_detail`, `speed_rates`, `putaway_rate`, `wide_platoon`, `old_seasons` and
    `late_rates` off) is a prefix of every other one.

    1. `rate:<horizon>:<stat>`  for horizon in HORIZONS, stat in TARGET_STATS  (rate after fallback)
    2. `log_opp:<horizon>`      log1p of the horizon's own opportunities, as full-season equivalents
                                (targets.season_scale: 2020's 60 games count x 2.7; so do 9 and 10's
                                sample sizes; plain counts with `season_length_correction` off)
    3. `filled:<horizon>`       1.0 when the horizon borrowed a longer horizon's (or the league's) rates
    4. `age`                    season age in years
    5. `hand:<L|R|S>`           one-hot of bats (batters) or throws (pitchers); all zero if unknown
    6. `source:<mlb|mle|blended>` one-hot
    7. `log_mlb_career_opp`     log1p of MLB career opportunities (how much of the profile is MLB)
    8. `skill:<horizon>:<rate>` for horizon in HORIZONS, rate in skills.TYPE_RATES (shrunk skill rate)
    9. `log_pitches:<horizon>`, then `log_tracked:<horizon>`: log1p of the horizon's pitches and of its
       balls in play with a launch speed (skills' `speed_n`: how much the skill rates rest on; 0 where the
       identity's skill rates read no tracking, so an untracked model sees a tracked file as untracked)
    10. the `marcel` block (`wide_feature_names`): `marcel:<stat>` 5/4/3-weighted outcome rates,
       `marcel_shrunk:<stat>` the same regressed by each stat's empirical-Bayes prior, `log_opp_year:<1|2|3>`, `marcel_aaa_share`, `age2` = (age - 28)^2, `marcel_skill:<rate>` shrunk
       5/4/3-weighted skill rates and `log_n:<rate>` log1p of their weighted sample (per weight unit);
       with `config.window_detail`, then `marcel_shrunk_y<1|2|3>:<stat>` each year's own rates shrunk by
       the same priors, `log_per_game:1` and `log_per_game` log1p of opportunities per game played,
       last year's and the 5/4/3-weighted window's; with `config.speed_rates` (batters), then
       `marcel_skill:<rate>` and `log_n:<rate>` of each skills.SPEED_RATES rate; with
       `config.putaway_rate` (batters), then the same of skills.PUTAWAY_RATES; with
       `config.wide_platoon` (batters), then the same of skills.PLATOON_RATES; with
       `config.old_seasons` (batters), then `old_shrunk:<stat>` the rates of the three years before
       the window shrunk by the same priors and `log_old_opp` (log1p of their opportunities); with
       `config.late_rates`, last, `late_shrunk:<stat>`, `late_skill:<rate>` for rate in LATE_SKILLS
       and `log_late_opp` (log1p of the late window's plain opportunities)
    """
    stats = TARGET_STATS[player_type]
    return [
        *(f"rate:{h}:{s}" for h in HORIZONS for s in stats),
        *(f"log_opp:{h}" for h in HORIZONS),
        *(f"filled:{h}" for h in HORIZONS),
        "age",
        *(f"hand:{x}" for x in HANDS[player_type]),
        *(f"source:{x}" for x in SOURCES),
        "log_mlb_career_opp",
        *(f"skill:{h}:{r}" for h in HORIZONS for r in TYPE_RATES[player_type]),
        *(f"log_pitches:{h}" for h in HORIZONS),
        *(f"log_tracked:{h}" for h in HORIZONS),
        *wide_feature_names(player_type, config)[1:],
    ]


def layout_configs() -> list[ProfileConfig]:
    """One ProfileConfig per `stat_features` layout this runtime builds (the layout-deciding fields
    `window_detail`, `speed_rates`, `putaway_rate`, `old_seasons`, `late_rates` and `wide_platoon`,
    each off or on), the default first."""
    return [ProfileConfig(window_detail=d, speed_rates=v, putaway_rate=k, old_seasons=o, late_rates=late,
                          wide_platoon=p)
            for p in (False, True) for late in (False, True) for d in (False, True) for o in (False, True)
            for k in (False, True) for v in (False, True)]


def layout_config(player_type: PlayerType, width: int) -> ProfileConfig:
    """The ProfileConfig whose `feature_names` layout has `width` columns (the layout-deciding fields
    only): for code handed a `stat_features` matrix without its identity's config. A pitcher's
    `speed_rates`, `putaway_rate`, `wide_platoon` and `old_seasons` change nothing, so his layouts come
    back with them off. Several layouts share a width (a batter's old seasons and putaway rate take as
    many columns as the late window; his putaway rate as many as his platoon share): those cannot be
    told apart, an error, and the caller passes the identity's config."""
    found = [config for config in layout_configs() if len(feature_names(player_type, config)) == width]
    if not found:
        raise HFMInputError(f"{player_type} stat_features: {width} columns is no layout of profiles.feature_names")
    if any(feature_names(player_type, c) != feature_names(player_type, found[0]) for c in found[1:]):
        raise HFMInputError(f"{player_type} stat_features: {width} columns fit more than one layout of "
                            "profiles.feature_names; pass the identity's ProfileConfig")
    return found[0]


def _extra_groups(player_type: PlayerType, config: ProfileConfig) -> list[tuple[str, ...]]:
    """The Marcel window's skill rates beyond TYPE_RATES that a profile of `config` carries, a group per
    switch: a batter's SPEED_RATES with `speed_rates` on, then PUTAWAY_RATES with `putaway_rate` on,
    then PLATOON_RATES with `wide_platoon` on; none for a pitcher (as `skills.type_rates`). Each
    group's rates and then their sample sizes sit together in the layout, so turning the putaway rate
    on appends to the layout with the speed rates alone."""
    if player_type != "batter":
        return []
    return [group for group, on in ((SPEED_RATES, config.speed_rates), (PUTAWAY_RATES, config.putaway_rate),
                                    (PLATOON_RATES, config.wide_platoon)) if on]


def extra_rates(player_type: PlayerType, config: ProfileConfig) -> tuple[str, ...]:
    """The skill rates a profile of `config` reads beyond TYPE_RATES (`_extra_groups`, flat)."""
    return tuple(r for group in _extra_groups(player_type, config) for r in group)


def _old_on(player_type: PlayerType, config: ProfileConfig) -> bool:
    """Whether `config.old_seasons` adds the years before the window: a batter's only."""
    return config.old_seasons and player_type == "batter"


def wide_feature_names(player_type: PlayerType, config: ProfileConfig = ProfileConfig()) -> list[str]:
    """The stat features of the Marcel window (block 10 of `feature_names`) and age: what a regression on
    aggregates of the three prior seasons (with `old_seasons`, also the three before them) reads, and
    what Graph 2's closed-form wide path reads."""
    rates = TYPE_RATES[player_type]
    detail = [*(f"marcel_shrunk_y{k}:{s}" for k in MARCEL_YEARS for s in TARGET_STATS[player_type]),
              "log_per_game:1", "log_per_game"] if config.window_detail else []
    for group in _extra_groups(player_type, config):
        detail += [*(f"marcel_skill:{r}" for r in group), *(f"log_n:{r}" for r in group)]
    if _old_on(player_type, config):
        detail += [*(f"old_shrunk:{s}" for s in TARGET_STATS[player_type]), "log_old_opp"]
    if config.late_rates:
        detail += [*(f"late_shrunk:{s}" for s in TARGET_STATS[player_type]),
                   *(f"late_skill:{r}" for r in LATE_SKILLS), "log_late_opp"]
    return [
        "age",
        *(f"marcel:{s}" for s in TARGET_STATS[player_type]),
        *(f"marcel_shrunk:{s}" for s in TARGET_STATS[player_type]),
        *(f"log_opp_year:{k}" for k in MARCEL_YEARS),
        "marcel_aaa_share",
        "age2",
        *(f"marcel_skill:{r}" for r in rates),
        *(f"log_n:{r}" for r in rates),
        *detail,
    ]


def feature_matrix(profiles: pd.DataFrame | Mapping[str, np.ndarray], player_type: PlayerType,
                   config: ProfileConfig = ProfileConfig()) -> np.ndarray:
    """float32 [N, len(feature_names(player_type, config))]: the unscaled `stat_features` of each profile row.

    `profiles`: a `build_profiles` table or the `profile_columns` dict it is made from.
    """
    stats = TARGET_STATS[player_type]

    def column(name: str) -> np.ndarray:
        values = profiles[name]
        return values.to_numpy() if isinstance(values, pd.Series) else np.asarray(values)

    def floats(names: list[str]) -> np.ndarray:
        return np.column_stack([np.asarray(column(n), dtype=np.float64) for n in names])

    def equal(name: str, values: Sequence[str]) -> np.ndarray:  # one-hot of a text column
        text = column(name)
        return np.stack([text == x for x in values], axis=1)

    # sample sizes as full-season equivalents (targets.season_scale): each horizon's own ratio
    horizon_eq = _equivalent_2d(floats([f"{h}_opp_eq" for h in HORIZONS]), floats([f"{h}_opp" for h in HORIZONS]))
    blocks = [
        floats([f"{h}_{s}" for h in HORIZONS for s in stats]),
        np.log1p(floats([f"{h}_opp_eq" for h in HORIZONS])),
        np.stack([column(f"{h}_from") != h for h in HORIZONS], axis=1),
        floats(["age"]),
        equal("hand", HANDS[player_type]),
        equal("source", SOURCES),
        np.log1p(floats(["mlb_career_opp"])),
        floats([f"{h}_skill_{r}" for h in HORIZONS for r in TYPE_RATES[player_type]]),
        np.log1p(floats([f"{h}_pitches" for h in HORIZONS]) * horizon_eq),
        np.log1p(floats([f"{h}_tracked" for h in HORIZONS]) * horizon_eq),
        floats([f"marcel_{s}" for s in stats]),
        floats([f"marcel_shrunk_{s}" for s in stats]),
        np.log1p(floats([f"marcel_opp_y{k}" for k in MARCEL_YEARS])),
        floats(["marcel_aaa_share"]),
        (floats(["age"]) - 28.0) ** 2,
        floats([f"marcel_skill_{r}" for r in TYPE_RATES[player_type]]),
        np.log1p(floats([f"marcel_skill_{r}_n" for r in TYPE_RATES[player_type]]) * floats(["marcel_eq"])),
    ]
    if config.window_detail:
        blocks += [floats([f"marcel_shrunk_y{k}_{s}" for k in MARCEL_YEARS for s in stats]),
                   np.log1p(floats(["marcel_per_game_y1", "marcel_per_game"]))]
    for group in _extra_groups(player_type, config):
        blocks += [floats([f"marcel_skill_{r}" for r in group]),
                   np.log1p(floats([f"marcel_skill_{r}_n" for r in group]) * floats(["marcel_eq"]))]
    if _old_on(player_type, config):
        blocks += [floats([f"old_shrunk_{s}" for s in stats]), np.log1p(floats(["old_opp"]))]
    if config.late_rates:
        blocks += [floats([f"late_shrunk_{s}" for s in stats]), floats([f"late_skill_{r}" for r in LATE_SKILLS]),
                   np.log1p(floats(["late_opp"]))]
    X = np.concatenate([b.astype(np.float64) for b in blocks], axis=1)
    if not np.isfinite(X).all():
        row = int(np.argwhere(~np.isfinite(X))[0, 0])
        raise HFMInputError(f"profiles: non-finite feature in row {row} (missing age?)")
    return X.astype(np.float32)


@dataclass
class FeatureScaler:
    """Standardise features column-wise: (x - mean_) / scale_, scale_ = std or 1 where std is 0."""

    feature_names: list[str] | None = None
    mean_: np.ndarray | None = None
    scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> FeatureScaler:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or len(X) == 0:
            raise HFMInputError(f"FeatureScaler.fit: need a non-empty 2-D array, got shape {X.shape}")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 1e-12, std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        if self.mean_ is None or self.scale_ is None:
            raise HFMInputError("FeatureScaler: not fitted")
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.mean_):
            raise HFMInputError(
                f"FeatureScaler.transform: expected [N, {len(self.mean_)}] features, got {X.shape}"
            )
        return ((X - self.mean_) / self.scale_).astype(np.float32)

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)

    def to_json(self) -> dict[str, Any]:
        if self.mean_ is None or self.scale_ is None:
            raise HFMInputError("FeatureScaler: not fitted")
        return {
            "feature_names": self.feature_names,
            "mean": self.mean_.tolist(),
            "scale": self.scale_.tolist(),
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | str) -> FeatureScaler:
        if isinstance(obj, str):
            obj = json.loads(obj)
        try:
            mean = np.asarray(obj["mean"], dtype=np.float64)
            scale = np.asarray(obj["scale"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise HFMInputError(f"FeatureScaler JSON: missing or bad field ({exc})") from exc
        if mean.shape != scale.shape or mean.ndim != 1:
            raise HFMInputError("FeatureScaler JSON: 'mean' and 'scale' must be equal-length lists")
        names = obj.get("feature_names")
        return cls(feature_names=list(names) if names is not None else None, mean_=mean, scale_=scale)


# ---------------------------------------------------------------------------------------------------


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise HFMInputError(f"{what}: missing column(s) {missing}")


def _equals(text: pd.Series, value: str) -> np.ndarray:
    """bool [N]: `text == value` (missing is False), without pandas' per-call cost on short columns."""
    if len(text) <= _SMALL:
        return text_array(text) == value
    return (text == value).to_numpy(dtype=bool, na_value=False)


def _equivalent(opp_eq: np.ndarray, opp: np.ndarray) -> np.ndarray:
    """Full-season equivalents per opportunity of a window (1 where it has none)."""
    return np.divide(opp_eq, opp, out=np.ones(len(opp)), where=opp > 0)


def _equivalent_2d(opp_eq: np.ndarray, opp: np.ndarray) -> np.ndarray:
    return np.divide(opp_eq, opp, out=np.ones(opp.shape), where=opp > 0)




def _translate(mle: Any, counts: np.ndarray, cols: Sequence[str]) -> np.ndarray:
    """AAA `counts` [N, len(cols)] made MLB-equivalent with a fitted `MLETranslator`'s factors, as its
    `transform` does (each target-stat count times its factor, in float64), but on the array: the
    translator's DataFrame copy and `.loc` writes cost milliseconds on a one-player request."""
    if mle.factors_ is None:
        raise HFMInputError("MLETranslator: not fitted")
    out = counts.copy()
    for j, c in enumerate(cols):
        if c in mle.factors_:
            out[:, j] = counts[:, j] * mle.factors_[c]
    return out


def _is_datetime64(values: Any) -> bool:
    """A numpy datetime64 column or array (not text, not tz-aware)."""
    return isinstance(values.dtype, np.dtype) and values.dtype.kind == "M"


def _datetimes(dates: pd.Series) -> np.ndarray:
    """The as-of dates as `pd.to_datetime(dates).to_numpy()`; numpy datetime64 columns are read as they are."""
    return dates.to_numpy() if _is_datetime64(dates) else pd.to_datetime(dates).to_numpy()


def _days(dates: Any) -> np.ndarray:
    """Days since 1970-01-01 as int64 (dates at any time of day count as that day)."""
    values = np.asarray(dates)
    if _is_datetime64(values):  # already dates: numpy does it without building a Series
        missing = np.isnat(values)
        if missing.any():
            raise HFMInputError(f"missing date in row {int(np.flatnonzero(missing)[0])}")
        return values.astype("datetime64[D]").astype(np.int64)
    values = pd.to_datetime(pd.Series(values))
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise HFMInputError(f"missing date in row {row}")
    return values.to_numpy("datetime64[D]").astype(np.int64)


def _years_before(dates: np.ndarray, days: np.ndarray, years: int) -> np.ndarray:
    """Days since 1970 of each date minus `years` calendar years, as `pd.DateOffset(years=years)` moves
    it (Feb 29 -> Feb 28); `days` are the dates' own days (`_days(dates)`)."""
    if not _is_datetime64(dates):  # e.g. tz-aware: pandas' calendar
        return _days(pd.to_datetime(pd.Series(dates)) - pd.DateOffset(years=years))
    day = days.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    day_of_month = (day - month.astype("datetime64[D]")).astype(np.int64)  # 0-based
    target = month - np.timedelta64(12 * years, "M")
    first = target.astype("datetime64[D]")
    month_length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return (first + np.minimum(day_of_month, month_length - 1)).astype(np.int64)


def _years(dates: np.ndarray) -> np.ndarray:
    """Calendar year of each date."""
    if _is_datetime64(dates):
        return dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return pd.to_datetime(pd.Series(dates)).dt.year.to_numpy()


def _window_sums(
    player: np.ndarray,
    day: np.ndarray,
    counts: np.ndarray,
    code_of: np.ndarray,
    code: np.ndarray,
    asof_day: np.ndarray,
    starts: Mapping[str, np.ndarray | None],
) -> dict[str, np.ndarray]:
    """Per as-of row and horizon, the sums of the `counts` columns over the player's games in
    [start, as_of). `player`, `day` (days since 1970) and `counts` describe one game line per row.

    Differences of running sums over the lines sorted by (player, day). The running sums are taken one
    column at a time and read only where needed: the same sequential additions as a cumsum over the
    whole [lines, columns] block (so the same bits), at a fraction of its cost on a league's lines."""
    n, width = len(code), counts.shape[1]
    if len(player) == 0:
        return {h: np.zeros((n, width)) for h in starts}
    keys = np.searchsorted(code_of, player) * _DAY_KEY + day + _DAY_OFFSET
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    rows = counts[order]
    base = code * _DAY_KEY + _DAY_OFFSET
    end = np.searchsorted(keys, base + asof_day, side="left")  # strictly before the as-of date
    start = {h: np.searchsorted(keys, base if start_day is None else base + np.minimum(start_day, asof_day), side="left")
             for h, start_day in starts.items()}
    out = {h: np.empty((n, width)) for h in starts}
    cum = np.zeros(len(rows) + 1)  # cum[i]: the sum of the first i sorted rows' column
    for j in range(width):
        np.cumsum(rows[:, j], out=cum[1:])
        at_end = cum[end]
        for h, lo in start.items():
            out[h][:, j] = at_end - cum[lo]
    return out


def _age_and_hand(
    players: pd.DataFrame, ids: np.ndarray, as_of_dates: np.ndarray, player_type: PlayerType
) -> dict[str, np.ndarray]:
    """Season age and hand of each as-of row; a player listed twice counts by his first row."""
    from hfm_runtime.seasons import season_age

    hand_col = HAND_COLUMN[player_type]
    _require(players, ("player_id", "birth_date", hand_col), "players")
    known, first = np.unique(np.asarray(players["player_id"], dtype=np.int64), return_index=True)
    at = np.minimum(np.searchsorted(known, ids), max(len(known) - 1, 0))
    missing = (known[at] != ids) if len(known) else np.ones(len(ids), bool)
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise HFMInputError(f"players: no row for player_id {ids[row]} (as_of row {row})")
    rows = first[at]
    age = season_age(players["birth_date"].to_numpy()[rows], _years(as_of_dates))
    return {"age": np.asarray(age, dtype=np.float64), "hand": _as_text(players[hand_col], rows)}


def _as_text(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """`values.iloc[rows].astype(str).to_numpy()`. When every taken value is already a str (the usual
    case) that is just those values, read without building Series; otherwise pandas decides."""
    taken = (values.to_numpy() if values.dtype == object else text_array(values))[rows]
    if all(type(v) is str for v in taken):
        return taken
    return values.iloc[rows].astype(str).to_numpy()
