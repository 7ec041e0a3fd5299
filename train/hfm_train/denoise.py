"""Denoised training targets: each window's actual rates pulled toward what its own pitches say.

An example's target is a rate over a window of plate appearances: the player's talent plus binomial
noise of variance p(1 - p) / n, which at a few hundred PA is most of the spread between players. The
window's pitches hold a second, less noisy reading of the same talent: its Statcast skill rates
(zone-swing, chase and whiff rates, launch speed and angle, hard-hit and barrel shares, ...). So, per
target stat and fitted on the training examples only:

  x = expected rate: a ridge (alpha by leave-one-out CV, features standardised, weighted by the
      window's opportunities) of the window's actual rate on its raw skill rates (`skills.skill_rates`;
      the league rate where a window has none) and the log of each rate's sample size; one map for
      opening-day (whole-season) and in-season (rest-of-season) windows alike. Cross-fitted: folds group every window of a player, so no window's own outcomes (nor
      a nested window of the same season's) feed its expected rate.
  u = the spread of actual around expected that binomial noise does not explain (method of moments:
      weighted mean of (y - x)^2 minus weighted mean of x(1 - x)/n, floored at `min_unexplained`)
  target = x + k (y - x),   k = u / (u + x(1 - x) / n)

A thick window keeps more of its own rate, a thin one leans on its pitches. (On the simulated leagues
u comes out at the floor for most stats, so k is near 0 and the target is x: the window's outcomes
vary around x by no more than binomial noise.) What the projection then
fits is a less noisy target with the same dependence on the past (the window's noise is independent
of anything before it), so its coefficients are less noisy. Only training and validation targets are
denoised; the test season's are never touched, and every metric is against actual outcomes or true
talent as before. The same denoiser serves the Statcast-aggregate ridge (`baselines.RidgeConfig
.denoise`), so the comparison stays fair.

Diagnostic, not a method (`DenoiseConfig.true_talent`, `--set denoise.true_talent=true`): train on the
simulator's true talent of each example's season instead, which only a simulated league has. It
measures what noise-free targets would buy and whether the pitch path has anything to read when the
targets are exact; a run made so says it in its config.json and model card.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from hfm_runtime.errors import HFMInputError
from hfm_runtime.identity import IdentityModel
from hfm_runtime.skills import SKILL_COUNTS, TYPE_RATES, skill_rates
from hfm_runtime.targets import PlayerType

from .examples import Examples


@dataclass(frozen=True)
class DenoiseConfig:
    # False: train on the actual rates (an ablation on simulated leagues; what `hfm-train fit` does on
    # an imported league, hfm_train.fit.REAL_DATA_SETTINGS)
    enabled: bool = True
    folds: int = 5
    alphas: tuple[float, ...] = tuple(float(a) for a in np.logspace(-2, 4, 25))
    min_unexplained: float = 1e-8  # floor of u, so k stays above 0 where the noise explains everything
    # Shrink the windows' skill rates by the identity's priors before the regression (False: raw rates,
    # unbiased at every window length, so one linear map fits a 50-PA window and a season alike)
    shrink_skills: bool = False
    # Diagnostic: targets = the simulator's true talent (module docstring); refused without it
    true_talent: bool = False


def skill_design(skill_counts: np.ndarray, player_type: PlayerType, league: Mapping[str, float],
                 prior: Mapping[str, float]) -> np.ndarray:
    """float64 [N, 2R]: the windows' skill rates (shrunk by `prior`; {} = raw) and log sample sizes
    (R = TYPE_RATES)."""
    sums = {c: skill_counts[:, i] for i, c in enumerate(SKILL_COUNTS)}
    rates = skill_rates(sums, TYPE_RATES[player_type], league, prior)
    names = TYPE_RATES[player_type]
    cols = [np.where(np.isfinite(rates[r]), rates[r], league.get(r, 0.0)) for r in names]
    return np.column_stack(cols + [np.log1p(rates[f"{r}_n"]) for r in names])


def expected_rates(design: np.ndarray, rates: np.ndarray, opp: np.ndarray, groups: np.ndarray,
                   config: DenoiseConfig = DenoiseConfig()) -> np.ndarray:
    """float64 [N, S]: cross-fitted expected rates (module docstring); NaN with fewer than 2 players."""
    out = np.full(rates.shape, np.nan)
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        return out
    w = opp / opp.mean()
    for train, held in GroupKFold(min(config.folds, n_groups)).split(design, groups=groups):
        scaler = StandardScaler().fit(design[train])
        a, b = scaler.transform(design[train]), scaler.transform(design[held])
        for j in range(rates.shape[1]):
            model = RidgeCV(alphas=config.alphas).fit(a, rates[train, j], sample_weight=w[train])
            out[held, j] = model.predict(b)
    return out


def denoise_rates(rates: np.ndarray, opp: np.ndarray, skill_counts: np.ndarray, groups: np.ndarray,
                  player_type: PlayerType, league: Mapping[str, float], prior: Mapping[str, float],
                  config: DenoiseConfig = DenoiseConfig()) -> tuple[np.ndarray, dict[str, list[float]]]:
    """(denoised rates [N, S], report): the module docstring's target for every row. The report has,
    per stat, u and the opportunity-weighted mean k (1 = targets kept, 0 = fully expected rates)."""
    rates = np.asarray(rates, dtype=np.float64)
    opp = np.asarray(opp, dtype=np.float64)
    design = skill_design(skill_counts, player_type, league, prior if config.shrink_skills else {})
    x = expected_rates(design, rates, opp, groups, config)
    if not np.isfinite(x).all():
        return rates.copy(), {"u": [], "mean_k": []}
    x = np.clip(x, 1e-4, 1.0 - 1e-4)
    noise = x * (1.0 - x) / opp[:, None]
    w = opp[:, None] / opp.sum()
    u = np.maximum((w * (rates - x) ** 2).sum(0) - (w * noise).sum(0), config.min_unexplained)
    k = u / (u + noise)
    return x + k * (rates - x), {"u": u.tolist(), "mean_k": (w * k).sum(0).tolist()}


def denoise_examples(parts: list[Examples], identity: IdentityModel,
                     config: DenoiseConfig = DenoiseConfig()) -> tuple[list[Examples], dict[str, list[float]]]:
    """`parts` (e.g. train and validation) with denoised `rates`, fitted on all of them together
    (cross-fitted by player), and the report of `denoise_rates`."""
    pool = Examples.concat(parts)
    if pool.window_skills is None:
        raise ValueError("denoise_examples: examples without window skill counts (build_examples keeps them)")
    rates, report = denoise_rates(pool.rates, pool.weight, pool.window_skills,
                                  pool.table["player_id"].to_numpy(), pool.player_type,
                                  identity.skill_league, identity.skill_prior, config)
    out, start = [], 0
    for part in parts:
        out.append(replace(part, rates=rates[start:start + len(part)]))
        start += len(part)
    return out, report


def true_talent_targets(parts: list[Examples]) -> list[Examples]:
    """`parts` with `rates` replaced by each example's true talent (`DenoiseConfig.true_talent`)."""
    for part in parts:
        missing = int((~np.isfinite(part.true_talent).all(axis=1)).sum())
        if missing:
            raise HFMInputError(f"denoise.true_talent: {missing} of {len(part)} {part.player_type} examples have "
                                "no true talent (only a simulated league has it)")
    return [replace(part, rates=part.true_talent.copy()) for part in parts]
