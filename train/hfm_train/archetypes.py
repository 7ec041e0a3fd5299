"""Fit player identity (MLE factors, league rates, feature scaler, archetypes) and report on it.

`fit_identity` is the fit-side entry point: it fits everything on training seasons and writes
`<run>/identity/` for `hfm_runtime.identity.IdentityModel.load`. `hfm-train archetypes` runs it on a
league and prints what the archetypes look like, how much true talent they explain, and how MLE
profiles of call-ups compare with the league mean.

Archetypes: StandardScaler + KMeans per player type on the `archetype_feature_names` columns (3-year
rates of every target stat; see hfm_runtime.archetypes for why), k chosen in 15-25 by the highest
silhouette score on a fixed seeded sample of rows (silhouette rewards tight, well-separated clusters
and, unlike inertia, does not improve just because k grows). Every k's silhouette and Calinski-Harabasz
values are recorded in the model's `info`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import calinski_harabasz_score, silhouette_score
from sklearn.preprocessing import StandardScaler

from hfm_runtime.archetypes import ArchetypeModel, archetype_columns, archetype_feature_names
from hfm_runtime.atomic import atomic_dir
from hfm_runtime.errors import HFMInputError
from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, player_lines
from hfm_runtime.mle import MLETranslator
from hfm_runtime.profiles import (
    FeatureScaler,
    ProfileConfig,
    build_profiles,
    extra_rates,
    feature_matrix,
    feature_names,
    league_rates,
    prior_opportunities,
)
from hfm_runtime.skills import SKILL_COUNTS, TYPE_RATES, skill_priors
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS, PlayerType


@dataclass(frozen=True)
class ArchetypeConfig:
    k_range: tuple[int, ...] = tuple(range(15, 26))
    seed: int = 0
    n_init: int = 4
    silhouette_sample: int = 3000  # rows (fixed seeded sample) the silhouette is computed on


def fit_archetypes(
    X: np.ndarray, player_type: PlayerType, config: ArchetypeConfig = ArchetypeConfig()
) -> ArchetypeModel:
    """StandardScaler + KMeans on raw archetype features X [N, d]; k chosen by silhouette."""
    X = np.asarray(X, dtype=np.float64)
    ks = [k for k in config.k_range if k < len(X)]
    if not ks:
        raise HFMInputError(
            f"archetypes ({player_type}): {len(X)} profiles are too few for k in {list(config.k_range)}"
        )
    scaler = StandardScaler().fit(X)
    Z = scaler.transform(X)
    rng = np.random.default_rng(config.seed)
    sample = np.sort(rng.choice(len(Z), size=min(len(Z), config.silhouette_sample), replace=False))
    fits, silhouette, calinski = {}, {}, {}
    for k in ks:
        km = KMeans(n_clusters=k, n_init=config.n_init, random_state=config.seed).fit(Z)
        fits[k] = km
        silhouette[k] = float(silhouette_score(Z[sample], km.labels_[sample]))
        calinski[k] = float(calinski_harabasz_score(Z, km.labels_))
    best = max(ks, key=lambda k: (silhouette[k], -k))
    km = fits[best]
    return ArchetypeModel(
        player_type=player_type,
        feature_names=archetype_feature_names(player_type),
        mean_=scaler.mean_,
        scale_=scaler.scale_,
        centroids_=km.cluster_centers_,
        labels_=km.labels_.astype(np.int64),
        info={
            "criterion": "silhouette",
            "k": best,
            "silhouette": {str(k): v for k, v in silhouette.items()},
            "calinski_harabasz": {str(k): v for k, v in calinski.items()},
            "n_rows": len(X),
            "silhouette_sample": len(sample),
            "seed": config.seed,
            "n_init": config.n_init,
        },
    )


def season_end_as_of(lines: pd.DataFrame, seasons: Iterable[int]) -> pd.DataFrame:
    """One row per player with games in a season of `seasons`: as of Jan 1 after that season.

    A profile as of then summarises the player through that season (its `1yr` horizon is that season).
    """
    seasons = set(int(s) for s in seasons)
    ps = lines.loc[lines["season"].isin(seasons), ["player_id", "season"]].drop_duplicates()
    ps = ps.sort_values(["season", "player_id"]).reset_index(drop=True)
    ps["as_of_date"] = pd.to_datetime((ps["season"] + 1).astype(str) + "-01-01")
    return ps


@dataclass
class FittedIdentity:
    model: IdentityModel
    profiles: pd.DataFrame  # season-end profiles of the training seasons (with a `season` column)
    fit_rows: np.ndarray  # bool: rows the archetypes were fitted on (history beyond league rates)


def fit_identity_type(
    lines: pd.DataFrame,
    players: pd.DataFrame,
    player_type: PlayerType,
    train_seasons: Sequence[int],
    config: ArchetypeConfig = ArchetypeConfig(),
    profile_config: ProfileConfig = ProfileConfig(),
) -> FittedIdentity:
    """Fit one player type's identity on `train_seasons` only (no later game is looked at)."""
    train = lines[lines["season"].isin(list(train_seasons))]
    if train.empty:
        raise HFMInputError(f"fit_identity ({player_type}): no game lines in seasons {list(train_seasons)}")
    try:
        mle: MLETranslator | None = MLETranslator(player_type).fit(train)
    except HFMInputError:
        mle = None  # no one played at both levels: profiles ignore AAA lines
    league = league_rates(train, player_type)
    prior = prior_opportunities(train, player_type)
    # the target stats beside the skill counts: skills.PUTAWAY_RATES reads SO
    mlb_seasons = train[train["level"] == "MLB"].groupby(["player_id", "season"])[
        [*TARGET_STATS[player_type], *SKILL_COUNTS]].sum()
    # the rates the profile reads (profiles.extra_rates names its switches' groups: one place for them)
    skill_league, skill_prior = skill_priors(mlb_seasons,
                                             TYPE_RATES[player_type] + extra_rates(player_type, profile_config))
    as_of = season_end_as_of(train, train_seasons)
    profiles = build_profiles(
        train, players, as_of, player_type, mle=mle, league=league, prior=prior, skill_league=skill_league,
        skill_prior=skill_prior, config=profile_config,
    )
    profiles["season"] = as_of["season"].to_numpy()
    X = feature_matrix(profiles, player_type, profile_config)
    scaler = FeatureScaler(feature_names(player_type, profile_config)).fit(X)
    # Players with no history at all carry league rates: identical rows that say nothing about type.
    fit_rows = (profiles["career_from"] != "league").to_numpy()
    archetypes = fit_archetypes(X[fit_rows][:, archetype_columns(player_type)], player_type, config)
    model = IdentityModel(player_type, league, prior, mle, scaler, archetypes, profile_config, skill_league,
                          skill_prior)
    return FittedIdentity(model, profiles, fit_rows)


def fit_identity(
    lines: Mapping[str, pd.DataFrame],
    players: pd.DataFrame,
    train_seasons: Sequence[int],
    run_dir: str | Path,
    config: ArchetypeConfig = ArchetypeConfig(),
    profile_config: ProfileConfig = ProfileConfig(),
) -> dict[str, FittedIdentity]:
    """Fit MLE + league rates + scaler + archetypes per player type and save them to `<run_dir>/identity/`.

    THE fit-side entry point for the model trainer:
        lines = {pt: player_lines(league, pt) for pt in PLAYER_TYPES}
        fit_identity(lines, league.players, train_seasons, run_dir)
        model = IdentityModel.load(run_dir / "identity", "batter")     # then build_identity(...)
    `lines[pt]` holds game lines of both levels (hfm_runtime.identity.player_lines). Only games in
    `train_seasons` are used. `profile_config` (how profiles are built, e.g. the season-length switch)
    is saved with the identity, so whatever loads it builds the same features. The folder is written
    atomically.
    """
    fitted = {pt: fit_identity_type(lines[pt], players, pt, train_seasons, config, profile_config) for pt in lines}
    with atomic_dir(Path(run_dir) / IDENTITY_DIR) as tmp:
        for f in fitted.values():
            f.model.save(tmp)
        summary = {
            pt: {"train_seasons": list(train_seasons), **f.model.archetypes.info}
            for pt, f in fitted.items()
        }
        (tmp / "identity_fit.json").write_text(json.dumps(summary, indent=2))
    return fitted


# ----------------------------------------------------------------------------------------- reports


def talent_r2(labels: np.ndarray, talent: pd.DataFrame, stats: Sequence[str]) -> dict[str, float]:
    """Share of each stat's true-talent variance explained by archetype (between-group R², eta²)."""
    out = {}
    for s in stats:
        y = talent[s].to_numpy(np.float64)
        ok = np.isfinite(y)
        y, lab = y[ok], labels[ok]
        total = np.sum((y - y.mean()) ** 2)
        means = pd.Series(y).groupby(lab).transform("mean").to_numpy()
        out[s] = float(1 - np.sum((y - means) ** 2) / total) if total > 0 else float("nan")
    return out


def archetype_table(fitted: FittedIdentity, true_talent: pd.DataFrame | None) -> pd.DataFrame:
    """Per archetype: size, mean 3-year profile rates and (where known) mean true talent that season."""
    pt = fitted.model.player_type
    stats = TARGET_STATS[pt]
    prof = fitted.profiles[fitted.fit_rows].reset_index(drop=True)
    prof["archetype"] = fitted.model.archetypes.labels_
    table = prof.groupby("archetype").agg(
        n=("player_id", "size"), age=("age", "mean"), **{s: (f"3yr_{s}", "mean") for s in stats}
    )
    if true_talent is not None:
        tt = _join_talent(prof, true_talent, stats)
        table = table.join(tt.groupby("archetype")[list(stats)].mean().add_prefix("true_"))
    return table


def _join_talent(prof: pd.DataFrame, true_talent: pd.DataFrame, stats: Sequence[str]) -> pd.DataFrame:
    tt = true_talent[["player_id", "season", *stats]].drop_duplicates(["player_id", "season"])
    return prof[["player_id", "season", "archetype"]].merge(tt, on=["player_id", "season"], how="left")


def evaluate_mle_callups(
    lines: pd.DataFrame,
    players: pd.DataFrame,
    true_talent: pd.DataFrame,
    model: IdentityModel,
    horizon: str = "career",
    min_aaa_opportunities: int = 100,
    after_season: int | None = None,
) -> pd.DataFrame:
    """RMSE against true talent of MLE profiles of call-ups vs the league mean, per stat.

    Call-ups: players whose first MLB game is in a season after `after_season` (default: the first
    season in `lines`, so everyone had a chance to build AAA history) with at least
    `min_aaa_opportunities` AAA opportunities before it. Profiles are as of that first MLB game (so
    source "mle"); the truth is their true talent in that season.
    """
    pt = model.player_type
    stats = TARGET_STATS[pt]
    if after_season is None:
        after_season = int(lines["season"].min())
    mlb = lines[lines["level"] == "MLB"]
    first = mlb.groupby("player_id", as_index=False).agg(as_of_date=("game_date", "min"), season=("season", "min"))
    first = first[first["season"] > after_season].reset_index(drop=True)
    prof = build_profiles(lines, players, first[["player_id", "as_of_date"]], pt, mle=model.mle,
                          league=model.league_rates, prior=model.prior_opportunities,
                          skill_league=model.skill_league, skill_prior=model.skill_prior, config=model.config)
    keep = (prof["source"] == "mle").to_numpy() & (prof["career_opp"] >= min_aaa_opportunities).to_numpy()
    prof, first = prof[keep].reset_index(drop=True), first[keep].reset_index(drop=True)
    truth = first[["player_id", "season"]].merge(
        true_talent[["player_id", "season", *stats]].drop_duplicates(["player_id", "season"]),
        on=["player_id", "season"], how="left",
    )
    rows = []
    for s in stats:
        y = truth[s].to_numpy(np.float64)
        ok = np.isfinite(y)
        err_mle = prof[f"{horizon}_{s}"].to_numpy()[ok] - y[ok]
        err_lg = model.league_rates[s] - y[ok]
        rows.append({
            "stat": s, "n": int(ok.sum()),
            "rmse_mle": float(np.sqrt(np.mean(err_mle**2))) if ok.any() else float("nan"),
            "rmse_league": float(np.sqrt(np.mean(err_lg**2))) if ok.any() else float("nan"),
        })
    return pd.DataFrame(rows).set_index("stat")


def plot_archetypes(tables: Mapping[str, pd.DataFrame], path: str | Path) -> None:
    """Heatmap per player type: archetypes x stats, colour = z-score of the mean rate, text = rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(6 * len(tables), 9), squeeze=False)
    for ax, (pt, table) in zip(axes[0], tables.items()):
        stats = list(TARGET_STATS[pt])
        rates = table[stats]
        z = ((rates - rates.mean()) / rates.std(ddof=0).replace(0, 1)).to_numpy()
        ax.imshow(z, cmap="coolwarm", vmin=-2.5, vmax=2.5, aspect="auto")
        for i in range(len(rates)):
            for j, s in enumerate(stats):
                ax.text(j, i, f"{rates.iloc[i, j]:.3f}", ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(stats)), stats)
        ax.set_yticks(range(len(rates)), [f"#{a} (n={n})" for a, n in zip(table.index, table["n"])])
        ax.set_title(f"{pt} archetypes: mean 3-year rates (colour: z-score)")
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


@click.command("archetypes")
@click.option("--league", "league_dir", type=click.Path(path_type=Path), default=Path("artifacts/league"),
              show_default=True, help="Simulated league folder.")
@click.option("--out", "run_dir", type=click.Path(path_type=Path), default=Path("artifacts/identity_run"),
              show_default=True, help="Run folder; identity files go to <out>/identity/.")
@click.option("--train-seasons", default=None,
              help="Comma-separated seasons to fit on (default: all but the last).")
@click.option("--report", is_flag=True, help="Print archetype tables, true-talent R² and MLE call-up errors.")
@click.option("--plot", "plot_path", type=click.Path(path_type=Path), default=None,
              help="Write a PNG heatmap of the archetypes here.")
@click.option("--seed", default=0, show_default=True)
def archetypes_command(
    league_dir: Path, run_dir: Path, train_seasons: str | None, report: bool, plot_path: Path | None,
    seed: int,
) -> None:
    """Fit MLE, feature scaler and archetypes on a league's training seasons; report on them."""
    from hfm_runtime.league import load_league

    if run_dir.exists() and not run_dir.is_dir():
        raise HFMInputError(f"--out {run_dir}: a file; give a folder")
    for marker, kind in (("config.json", "a run folder"), ("manifest.json", "a bundle folder")):
        if (run_dir / marker).is_file():  # its identity belongs to its model (k archetypes, its features)
            raise HFMInputError(f"--out {run_dir}: {kind}; its identity is the one its model was trained with "
                                "(replacing it would change its projections): give another --out")
    league = load_league(league_dir)
    seasons = sorted(league.seasons)
    try:
        train = [int(s) for s in train_seasons.split(",")] if train_seasons else seasons[:-1] or seasons
    except ValueError:
        raise HFMInputError(f"--train-seasons {train_seasons!r}: expected seasons separated by commas") from None
    lines = {pt: player_lines(league, pt) for pt in PLAYER_TYPES}
    fitted = fit_identity(lines, league.players, train, run_dir, ArchetypeConfig(seed=seed))
    tables = {}
    for pt, f in fitted.items():
        info = f.model.archetypes.info
        click.echo(f"{pt}: k={info['k']} silhouette={info['silhouette'][str(info['k'])]:.4f} "
                   f"(rows {info['n_rows']}, train seasons {train}) -> {run_dir / IDENTITY_DIR}")
        tables[pt] = archetype_table(f, league.true_talent)
        if not report:
            continue
        click.echo("  silhouette by k: " + ", ".join(f"{k}:{v:.3f}" for k, v in info["silhouette"].items()))
        with pd.option_context("display.width", 200, "display.max_columns", 30,
                               "display.float_format", "{:.4f}".format):
            click.echo(tables[pt].sort_values(f"{TARGET_STATS[pt][0]}").to_string())
        if league.true_talent is not None:
            prof = f.profiles[f.fit_rows].assign(archetype=f.model.archetypes.labels_)
            tt = _join_talent(prof, league.true_talent, TARGET_STATS[pt])
            r2 = talent_r2(tt["archetype"].to_numpy(), tt, TARGET_STATS[pt])
            click.echo("  true-talent R² on archetype: " + ", ".join(f"{s} {v:.3f}" for s, v in r2.items()))
            if f.model.mle is not None:
                click.echo("  MLE factors: " + ", ".join(f"{s} {v:.3f}" for s, v in f.model.mle.factors_.items())
                           + f" ({f.model.mle.n_pairs_} pairs)")
                ev = evaluate_mle_callups(lines[pt], league.players, league.true_talent, f.model)
                click.echo("  call-ups (profile as of first MLB game, career horizon) vs true talent:")
                click.echo(ev.to_string(float_format="{:.4f}".format))
    if plot_path is not None:
        plot_archetypes(tables, plot_path)
        click.echo(f"plot -> {plot_path}")
