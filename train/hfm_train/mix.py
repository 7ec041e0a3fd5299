"""The blend's mix with the sequence-skill ridge (real leagues, batters: benchmarks/results/real_mix_2017_2018.md).

For a player type in `MixConfig.player_types`, per target stat S, the opening-day projection is

    (1 - lam_S) * blend_S + lam_S * ridge_S

ridge the run's sequence-skill ridge (hfm_train.baselines' `statcast_ridge`, with the profile's extra
rates: fitted on every loaded season before the test season; shipped in the bundle as
hfm_runtime.ridge.RidgeModel, which scores it without scikit-learn). lam in 0.0..1.0 by 0.1 is
chosen as the blend weights are, without the test season: on the blend's out-of-fold opening-day
projections of the cross-validated seasons (hfm_train.calibration.out_of_fold_projections), beside
the ridge's projections of the same rows, each fitted on every loaded season before the test season
but the one it projects, minimising the opportunity-weighted squared error against the players' MLB
rates of that season. The two models read the same seasons but not the same way (the ridge regresses
on every loaded season's aggregates, the wide path on the training seasons' profiles), and their
errors differ stat by stat, so a mix beats either where neither is best on every stat.

The ridge reads only seasons before the projected one, so the mix applies to opening-day projections
(the evaluation's test rows; the scorer's projections as of opening day or earlier) and never to
in-season ones. A type not listed keeps its blend (lam = 0, no ridge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import ProfileConfig
from hfm_runtime.ridge import mixed
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

from .baselines import AggregateRidge, season_sums, sequence_ridge_config

MIX_GRID = np.round(np.arange(0.0, 1.0001, 0.1), 1)


@dataclass(frozen=True)
class MixConfig:
    # the player types whose blend takes in the sequence ridge (REAL_DATA_SETTINGS: batters)
    player_types: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [t for t in self.player_types if t not in PLAYER_TYPES]
        if unknown:
            raise HFMInputError(f"mix.player_types: unknown player type(s) {', '.join(map(str, unknown))} "
                                f"(expected some of {', '.join(PLAYER_TYPES)})")


def choose_mix(oof: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]], lines: pd.DataFrame,
               players: pd.DataFrame, pt: PlayerType, test_season: int, profile: ProfileConfig
               ) -> tuple[np.ndarray, dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]], dict[str, Any]]:
    """(lam [S], `oof` with the mixed centers, a report) from the blend's out-of-fold projections
    (season -> (player ids, [N, S] blended rates, [N, S] true talent)) and the type's game lines."""
    stats, opp = list(TARGET_STATS[pt]), OPPORTUNITY[pt]
    sums = season_sums(lines[lines["season"] < test_season], pt)
    loaded = sorted(int(s) for s in sums["season"].unique())
    mlb = sums[sums["level"] == "MLB"].set_index(["player_id", "season"])
    blend, ridge, actual, opportunities = [], [], [], []
    for season, (ids, center, _) in sorted(oof.items()):
        model = AggregateRidge(pt, sequence_ridge_config(profile)).fit(sums, players, [s for s in loaded if s != season])
        ridge.append(model.predict(sums[sums["season"] < season], players, ids, season))
        # the targets: his MLB rates that season, as the blend's folds were scored (oof holds none)
        line = mlb.reindex(pd.MultiIndex.from_arrays([ids, np.full(len(ids), season)])).fillna(0.0)
        n = line[opp].to_numpy(np.float64)
        actual.append(np.divide(line[stats].to_numpy(np.float64), n[:, None],
                                out=np.zeros((len(ids), len(stats))), where=n[:, None] > 0))
        blend.append(center)
        opportunities.append(n)
    blend_all, ridge_all, actual_all, n_all = (np.concatenate(x) for x in (blend, ridge, actual, opportunities))
    mse = np.array([(n_all[:, None] * (mixed(blend_all, ridge_all, np.full(len(stats), lam)) - actual_all) ** 2).sum(0)
                    / n_all.sum() for lam in MIX_GRID])
    lam = MIX_GRID[mse.argmin(0)]
    mixed_oof, at = {}, 0
    for season, (ids, center, truth) in sorted(oof.items()):
        part = slice(at, at + len(ids))
        mixed_oof[season] = (ids, np.clip(mixed(center, ridge_all[part], lam), 0.0, 1.0), truth)
        at += len(ids)
    report = {"seasons": sorted(oof), "rows": int(len(blend_all)),
              "rmse": {f"{g:.1f}": dict(zip(stats, np.sqrt(m).tolist())) for g, m in zip(MIX_GRID, mse)}}
    return lam, mixed_oof, report

