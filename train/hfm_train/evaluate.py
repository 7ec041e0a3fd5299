"""Evaluation on the held-out TEST season: the model against Marcel, a context-mean baseline and the oracle.

All on the test season's opening-day projections (examples of kind "start": every player with MLB games
that season, context = his games before opening day, target = his MLB rates over the window, by default
the whole season), per player type and stat, opportunity-weighted:
  rmse/corr vs actual   against what happened (noisy: even the oracle has an error floor here)
  rmse/corr vs true     against the simulator's true talent that season
  spread                std of the projections across players, beside the std of true talent
                        (a model collapsing to the league mean has a much smaller spread)
Methods: `model` (raw: absolute rates, or Marcel + residual with w = 1), `blend` (marcel + w * residual,
w per stat from blend.json; for a type with the mix, hfm_train.mix, then (1 - lam) * that + lam *
statcast_ridge, and `blend:no_ridge_mix` is the blend without it), `marcel`, `context_mean` (the player's rate over his context games,
SHRUNK toward Marcel's league rate by CONTEXT_SHRINK opportunities, so a 10-PA context is mostly
league average), `league_mean` (Marcel's league rates, what it gives a player with no record), `statcast_ridge`,
`stat_ridge` and `statcast_ridge_denoised` (hfm_train.baselines:
ridge regressions on aggregates of the three prior seasons (and the three before them where the
profile reads the older seasons), fitted on actual outcomes of the seasons
before the test season; the last on those outcomes denoised as the model's are; the two that read
skill rates add the batters' speed and putaway rates, older seasons, fielding positions and platoon
share when the run's profile does, `profile.speed_rates`, `profile.putaway_rate`,
`profile.old_seasons`, `profile.positions` and `profile.platoon`), `prev_true_talent`
(last season's true talent: the ceiling for anything reading only the past), `oracle` (the true
talent itself); in season (`evaluate --kind in_season`) also `marcel_to_date` (hfm_train.baselines:
Marcel with the season so far counted, the fair bar of a rest-of-season projection, which the
opening-day `marcel` every cut is still measured against is not).
Intervals (`paired_bootstrap`): 90% paired bootstrap intervals, players resampled, of the RMSE
difference between two methods per stat, against true talent and against actual outcomes:
blend - statcast_ridge, blend - marcel, blend - marcel_to_date (in season), blend - stat_ridge,
blend - statcast_ridge_denoised, and each
ablation - blend (positive: the ablated part helps).
Ablations (blend, same test season): stat features zeroed, pitch context masked out (no games),
archetype fixed to 0, skill rates (every `skill:`/`marcel_skill:` column and their sample sizes) at
the training mean (each mixed with the sequence ridge as the blend is); the mix off. Collapse check: effective rank (exp of the entropy of the normalised singular
values) of the identity vectors and of the real games' embeddings.

Blend weights (`cross_validated_blend`) are chosen by leave-one-season-out cross-validation over the
training and validation seasons (or the last `RunConfig.cv_seasons` of them): for each such season, a
model fine-tuned on the others (for as many epochs as early stopping chose for the final model)
predicts it; per stat, w in 0, 0.1, ..., 1 minimises the opportunity-weighted squared error of the
pooled out-of-fold predictions against actual outcomes. The test season is never used to choose anything.

This module also reads finished runs back (`load_model`, `evaluate_run`: the `evaluate` command) and
writes their cards (`write_card`); hfm_train.fit imports it, never the other way round.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
import torch

from hfm_runtime.context import GameEmbeddings
from hfm_runtime.errors import HFMInputError
from hfm_runtime.identity import IDENTITY_DIR, IdentityModel
from hfm_runtime.marcel import league_prior
from hfm_runtime.profiles import ProfileConfig
from hfm_runtime.ridge import mixed
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

from .baselines import marcel_to_date, previous_true_talent, ridge_baselines
from .examples import ExampleConfig, Examples, TargetMode, build_examples
from .finetune import FinetuneConfig, finetune, predict
from .league_stream import league_lines, league_seasons, run_league, run_notice
from .model.hfm import GameProjectionModel, ModelConfig
from .pa_cache import load_pa_cache
from .pretrain import read_torch_file

BLEND_GRID = np.round(np.arange(0.0, 1.0001, 0.1), 1)
CONTEXT_SHRINK = 200.0


def residual_of(model: GameProjectionModel, rates: np.ndarray, marcel: np.ndarray) -> np.ndarray:
    """The model's adjustment to Marcel, whichever target mode it was trained in."""
    return rates if model.config.target_mode == "residual" else rates - marcel


def fit_blend_weights(residual: np.ndarray, examples: Examples) -> np.ndarray:
    """Per stat, the w in BLEND_GRID minimising the weighted squared error of marcel + w * residual."""
    w = examples.weight[:, None]
    errs = np.stack([(w * (examples.marcel + g * residual - examples.rates) ** 2).sum(0) for g in BLEND_GRID])
    return BLEND_GRID[np.argmin(errs, axis=0)]


def cross_validated_blend(pool: Examples, games: GameEmbeddings, n_archetypes: int, config: FinetuneConfig,
                          mode: TargetMode, epochs: int, held_out: Sequence[int] | None = None,
                          ) -> tuple[np.ndarray, dict[str, Any], np.ndarray]:
    """Per stat blend weights by leave-one-season-out CV over `pool`'s seasons, or only `held_out` of
    them (module docstring), a report (the weights each held-out season alone would pick: their
    stability), and the out-of-fold residuals [N, S] (zero on rows of seasons never held out; what
    hfm_train.calibration fits the ranges' scale on)."""
    seasons = sorted(pool.table["season"].unique()) if held_out is None else sorted(held_out)
    residual = np.zeros(pool.rates.shape)
    folds = {}
    fold_config = replace(config, epochs=max(epochs, 0), unfreeze_epochs=())  # folds keep Level 1 frozen
    for season in seasons:
        held = (pool.table["season"] == season).to_numpy()
        fold = finetune(pool.take(~held), None, games, n_archetypes, fold_config, mode,
                        progress=False, log=lambda _: None).model
        rates = predict(fold, pool.take(held), games, max_pas=config.max_pas)["rates"]
        residual[held] = residual_of(fold, rates, pool.marcel[held])
        folds[int(season)] = dict(zip(pool.stats, map(float, fit_blend_weights(residual[held], pool.take(held)))))
    in_folds = pool.table["season"].isin(seasons).to_numpy()
    weights = fit_blend_weights(residual[in_folds], pool.take(in_folds))
    return weights, {"epochs": max(epochs, 0), "per_season": folds}, residual


def weighted_metrics(pred: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> dict[str, float]:
    ok = np.isfinite(pred) & np.isfinite(truth)
    p, t, w = pred[ok], truth[ok], weight[ok]
    if w.sum() <= 0:
        return {"rmse": float("nan"), "corr": float("nan")}
    rmse = float(np.sqrt((w * (p - t) ** 2).sum() / w.sum()))
    mp, mt = (w * p).sum() / w.sum(), (w * t).sum() / w.sum()
    cov = (w * (p - mp) * (t - mt)).sum()
    denom = np.sqrt((w * (p - mp) ** 2).sum() * (w * (t - mt) ** 2).sum())
    return {"rmse": rmse, "corr": float(cov / denom) if denom > 0 else float("nan")}


def weighted_std(x: np.ndarray, weight: np.ndarray) -> float:
    ok = np.isfinite(x)
    x, w = x[ok], weight[ok]
    if w.sum() <= 0:
        return float("nan")
    m = (w * x).sum() / w.sum()
    return float(np.sqrt((w * (x - m) ** 2).sum() / w.sum()))


def effective_rank(x: np.ndarray) -> float:
    """exp(entropy of the normalised singular values) of the centred rows: 1 = collapsed to a line."""
    if len(x) < 2:
        return float("nan")
    s = np.linalg.svd(x - x.mean(0), compute_uv=False)
    p = s / s.sum() if s.sum() > 0 else s
    p = p[p > 0]
    return float(np.exp(-(p * np.log(p)).sum()))


def context_mean(examples: Examples, league: np.ndarray, shrink: float = CONTEXT_SHRINK) -> np.ndarray:
    counts = examples.context_counts
    return (counts[:, 1:] + shrink * league[None, :]) / (counts[:, :1] + shrink)


SKILL_FEATURES = ("skill:", "marcel_skill:", "log_n:", "log_pitches:", "log_tracked:")  # the skill-rate columns


def _ablations(test: Examples) -> dict[str, Callable[[dict[str, torch.Tensor]], None]]:
    from hfm_runtime.profiles import feature_names, layout_config

    layout = test.layout or layout_config(test.player_type, test.stat_features.shape[1])
    names = feature_names(test.player_type, layout)
    skill_cols = [j for j, n in enumerate(names) if n.startswith(SKILL_FEATURES)]

    def no_stats(x):
        x["stat_features"] = torch.zeros_like(x["stat_features"])

    def no_skills(x):  # standardised features at 0: every skill rate and its sample size at the training mean
        features = x["stat_features"].clone()
        features[:, skill_cols] = 0.0
        x["stat_features"] = features

    def no_context(x):
        x["game_mask"] = torch.zeros_like(x["game_mask"])
        x["pa_mask"] = torch.zeros_like(x["pa_mask"])

    def fixed_archetype(x):
        x["archetype"] = torch.zeros_like(x["archetype"])

    return {"no_stat_features": no_stats, "no_pitch_context": no_context, "fixed_archetype": fixed_archetype,
            "no_skill_rates": no_skills}


BOOTSTRAP_SAMPLES = 2000
# the methods whose mean cut vs Marcel the printed summaries show (format_table, compare_runs)
SUMMARY_METHODS = ("blend", "model", "statcast_ridge", "statcast_ridge_denoised", "stat_ridge", "prev_true_talent",
                   "marcel_to_date")
INTERVALS: tuple[tuple[str, str], ...] = (
    ("blend", "statcast_ridge"), ("blend", "marcel"), ("blend", "marcel_to_date"), ("blend", "stat_ridge"),
    ("blend", "statcast_ridge_denoised"),
    ("blend:no_pitch_context", "blend"), ("blend:no_stat_features", "blend"), ("blend:fixed_archetype", "blend"),
    ("blend:no_skill_rates", "blend"), ("blend:no_ridge_mix", "blend"),
)


def weighted_rmse(pred: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Opportunity-weighted RMSE per column of [N, S] arrays (rows with a NaN skipped per column)."""
    ok = np.isfinite(pred) & np.isfinite(truth)
    w = np.where(ok, weight[:, None], 0.0)
    err = np.where(ok, pred - truth, 0.0)
    return np.sqrt((w * err ** 2).sum(0) / np.maximum(w.sum(0), 1e-12))


def paired_bootstrap(a: np.ndarray, b: np.ndarray, truth: np.ndarray, weight: np.ndarray,
                     n_samples: int = BOOTSTRAP_SAMPLES, seed: int = 0,
                     groups: np.ndarray | None = None) -> np.ndarray:
    """[S, 3]: the 5th, 50th and 95th percentiles of RMSE(a) - RMSE(b) per stat over bootstrap
    resamples of the rows (players; both methods on the same resample, so the pairing is kept).
    groups: the player of each row where a player has several rows (in-season as-of dates): whole
    players are resampled, so his rows count as one draw."""
    rng = np.random.default_rng(seed)
    n = len(weight)
    members = None
    if groups is not None:
        codes, uniques = pd.factorize(np.asarray(groups))
        if len(uniques) < n:
            order = np.argsort(codes, kind="stable")
            members = np.split(order, np.flatnonzero(np.diff(codes[order])) + 1)
    diffs = np.empty((n_samples, a.shape[1]))
    for i in range(n_samples):
        if members is None:
            rows = rng.integers(0, n, n)
        else:
            rows = np.concatenate([members[g] for g in rng.integers(0, len(members), len(members))])
        diffs[i] = weighted_rmse(a[rows], truth[rows], weight[rows]) - weighted_rmse(b[rows], truth[rows], weight[rows])
    return np.percentile(diffs, [5, 50, 95], axis=0).T


def evaluate_type(model: GameProjectionModel, test: Examples, games: GameEmbeddings, blend: np.ndarray,
                  league_rates: np.ndarray, max_pas: int | None = None,
                  baselines: Mapping[str, np.ndarray] | None = None, mix: np.ndarray | None = None
                  ) -> dict[str, Any]:
    """Every metric of one player type on the test examples (see the module docstring).

    baselines: more methods' projections of the test rows ([N, S] each), e.g. hfm_train.baselines'.
    mix: lam [S] of the blend's mix with baselines["statcast_ridge"] (hfm_train.mix): `blend` and its
    ablations are then mixed, and `blend:no_ridge_mix` is the blend without it.
    """
    stats = list(test.stats)
    out = predict(model, test, games, max_pas=max_pas, with_embeddings=True)
    resid = residual_of(model, out["rates"], test.marcel)
    preds = {
        "model": test.marcel + resid,
        "blend": test.marcel + blend[None, :] * resid,
        "marcel": test.marcel,
        "context_mean": context_mean(test, league_rates),
        **dict(baselines or {}),
        "oracle": test.true_talent,
    }
    for name, fn in _ablations(test).items():
        r = residual_of(model, predict(model, test, games, max_pas=max_pas, transform=fn)["rates"], test.marcel)
        preds[f"blend:{name}"] = test.marcel + blend[None, :] * r
    if mix is not None:
        unmixed = preds["blend"]
        for name in [k for k in preds if k == "blend" or k.startswith("blend:")]:
            preds[name] = mixed(preds[name], preds["statcast_ridge"], mix)
        preds["blend:no_ridge_mix"] = unmixed
    w = test.weight
    players = test.table["player_id"].to_numpy() if "player_id" in test.table else None
    intervals: dict[str, Any] = {}
    for a, b in INTERVALS:
        if a in preds and b in preds:
            intervals[f"{a} - {b}"] = {
                against: {s: [float(v) for v in row] for s, row in
                          zip(stats, paired_bootstrap(preds[a], preds[b], truth, w, groups=players))}
                for against, truth in (("true", test.true_talent), ("actual", test.rates))
                if np.isfinite(truth).any()
            }
    metrics: dict[str, Any] = {}
    for name, p in preds.items():
        metrics[name] = {}
        for j, s in enumerate(stats):
            act = weighted_metrics(p[:, j], test.rates[:, j], w)
            tru = weighted_metrics(p[:, j], test.true_talent[:, j], w)
            metrics[name][s] = {"rmse_actual": act["rmse"], "corr_actual": act["corr"],
                                "rmse_true": tru["rmse"], "corr_true": tru["corr"],
                                "spread": weighted_std(p[:, j], w)}
    cut = {}
    for against in ("true", "actual"):
        base = np.array([metrics["marcel"][s][f"rmse_{against}"] for s in stats])
        if np.isfinite(base).all() and (base > 0).all():
            cut[against] = {name: float(np.mean(1 - np.array([per[s][f"rmse_{against}"] for s in stats]) / base))
                            for name, per in metrics.items()}
    return {
        "n_players": int(test.table["player_id"].nunique()),
        "opportunities": float(w.sum()),
        "mean_cut_vs_marcel": cut,  # per method, the mean over stats of 1 - RMSE / Marcel's RMSE
        "blend_weights": dict(zip(stats, map(float, blend))),
        **({"mix": dict(zip(stats, map(float, mix)))} if mix is not None else {}),
        "true_spread": {s: weighted_std(test.true_talent[:, j], w) for j, s in enumerate(stats)},
        "effective_rank": {
            "identity": effective_rank(out["identity"]), "identity_dim": int(out["identity"].shape[1]),
            "game_emb": effective_rank(out["game_emb"]), "game_emb_dim": int(out["game_emb"].shape[1]),
        },
        "metrics": metrics,
        "intervals": intervals,
        "predictions": {name: p.tolist() for name, p in preds.items()} | {
            "player_id": test.table["player_id"].astype(int).tolist(), "weight": w.tolist(),
            "as_of_date": [str(d)[:10] for d in test.table["as_of_date"]] if "as_of_date" in test.table else None,
            "actual": test.rates.tolist(), "true_talent": test.true_talent.tolist()},
    }


def pop_predictions(card: Mapping[str, Any]) -> pd.DataFrame:
    """Take the per-player test predictions out of an evaluation card (`evaluate_type` per player
    type) as one long table: player_type, player_id, as_of_date, weight, stat, and a column per method."""
    frames = []
    for pt, r in card.items():
        preds = r.pop("predictions", None)
        if preds is None:
            continue
        stats = list(r["true_spread"])
        ids, weight, as_of = preds.pop("player_id"), preds.pop("weight"), preds.pop("as_of_date", None)
        for j, s in enumerate(stats):
            frames.append(pd.DataFrame({"player_type": pt, "player_id": ids, "as_of_date": as_of, "weight": weight,
                                        "stat": s,
                                        **{m: np.asarray(v, dtype=np.float64)[:, j] for m, v in preds.items()}}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def beats_marcel(card: Mapping[str, Any]) -> dict[str, dict[str, bool]]:
    """Per player type and stat: does the blend's RMSE vs actual beat Marcel's (ties count as no)?"""
    return {
        pt: {s: m["blend"][s]["rmse_actual"] < m["marcel"][s]["rmse_actual"] for s in m["marcel"]}
        for pt, r in card.items() for m in [r["metrics"]]
    }


def format_table(card: Mapping[str, Any], test_season: int | None = None) -> str:
    """The model card as printed tables: one per player type, rows (measure, method), columns stats."""
    lines = []
    for pt, r in card.items():
        stats = list(r["true_spread"])
        known = bool(np.isfinite(list(r["true_spread"].values())).any())  # an imported league has no truth
        rows = []
        for measure in ("rmse_actual", "corr_actual", "rmse_true", "corr_true", "spread"):
            if not known and measure in ("rmse_true", "corr_true"):
                continue
            for method, per in r["metrics"].items():
                if method == "oracle" and (measure in ("rmse_true", "corr_true") or not known):
                    continue
                rows.append({"measure": measure, "method": method, **{s: per[s][measure] for s in stats}})
        if known:
            rows.append({"measure": "spread", "method": "TRUE TALENT", **r["true_spread"]})
        rows.append({"measure": "blend w", "method": "", **r["blend_weights"]})
        table = pd.DataFrame(rows).set_index(["measure", "method"])
        er = r["effective_rank"]
        lines.append(
            f"== {pt}: test season {test_season}, {r['n_players']} players, {r['opportunities']:.0f} "
            f"opportunities; effective rank identity {er['identity']:.1f}/{er['identity_dim']}, "
            f"game_emb {er['game_emb']:.1f}/{er['game_emb_dim']}"
        )
        lines.append(table.to_string(float_format=lambda v: f"{v:.4f}"))
        if not known:
            lines.append("no true talent in this league: RMSE/correlation against true talent, the oracle and "
                         "prev_true_talent are skipped; every figure is against actual outcomes, over every test "
                         "player of the run (`hfm-train real-report RUN` judges those with >= 100 PA / BF and MLB "
                         "history, with intervals: the figures docs/real-data.md quotes; its sequence_ridge is "
                         "statcast_ridge here)")
        for against, per in r.get("mean_cut_vs_marcel", {}).items():
            shown = [m for m in SUMMARY_METHODS if m in per]
            lines.append(f"mean RMSE cut vs Marcel, against {against}: " + ", ".join(f"{m} {per[m]:+.1%}" for m in shown))
        if "marcel_to_date" in r["metrics"]:  # in season: the fair bar
            fair = np.array([r["metrics"]["marcel_to_date"][s]["rmse_actual"] for s in stats])
            lines.append("mean RMSE cut vs Marcel to date (the season so far counted), against actual: " + ", ".join(
                f"{m} {np.mean(1 - np.array([r['metrics'][m][s]['rmse_actual'] for s in stats]) / fair):+.1%}"
                for m in ("blend", "model", "statcast_ridge", "stat_ridge") if m in r["metrics"]))
        wins = beats_marcel({pt: r})[pt]
        verdict = {s: "yes" if v else ("= (w=0)" if r["blend_weights"][s] == 0 else "NO") for s, v in wins.items()}
        lines.append("blend beats Marcel (rmse vs actual): " + ", ".join(f"{s} {v}" for s, v in verdict.items()))
        for name, per in r.get("intervals", {}).items():
            for against, by_stat in per.items():
                lines.append(f"90% interval of RMSE({name.replace(' - ', ') - RMSE(')}) vs {against}: " + ", ".join(
                    f"{s} [{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for s, (lo, _, hi) in by_stat.items()) + "  (x1e-4)")
        lines.append("")
    return "\n".join(lines)


def baseline_projections(league, lines, pt: str, test: Examples, season: int,
                         profile: ProfileConfig = ProfileConfig(), fitted: dict | None = None
                         ) -> dict[str, np.ndarray]:
    """The baselines' projections of the test examples' players (hfm_train.baselines); the sequence
    ridge reads the extra features (speed, putaway, older seasons, positions, platoon share) the
    model's `profile` switches on (baselines.sequence_ridge_config).
    `fitted`: filled with the fitted ridges by name."""
    ids = test.table["player_id"].to_numpy(np.int64)
    out = ridge_baselines(lines, league.players, pt, ids, season, profile, fitted)
    prior = league_prior(lines[lines["season"] < season], season, pt).to_numpy(np.float64)
    out["league_mean"] = np.broadcast_to(prior, (len(ids), len(prior))).copy()
    if league.true_talent is not None:
        out["prev_true_talent"], _ = previous_true_talent(league.true_talent, pt, ids, season)
    return out


def write_card(run_dir: Path, card: dict[str, Any], suffix: str = "") -> None:
    """model_card<suffix>.json and the per-player test_predictions<suffix>.csv beside it."""
    predictions = pop_predictions(card["evaluation"])
    (run_dir / f"model_card{suffix}.json").write_text(json.dumps(card, indent=2))
    predictions.to_csv(run_dir / f"test_predictions{suffix}.csv", index=False)


def load_model(run_dir: str | Path, player_type: str) -> GameProjectionModel:
    """A fine-tuned model from a run folder, in eval mode."""
    d = Path(run_dir) / player_type
    meta = json.loads((d / "model.json").read_text())
    model = GameProjectionModel(ModelConfig.from_json(meta["model_config"]))
    model.load_state_dict(read_torch_file(d / "model.pt"))
    return model.eval()


def evaluate_run(run_dir: str | Path, league_dir: str | Path | None = None, kind: str = "start",
                 log: Callable[[str], object] = lambda line: None) -> dict[str, Any]:
    """Re-run the test-season evaluation of a finished run (the `evaluate` command); returns the card.
    kind: the test examples' as-of dates, "start" (opening day, as `fit` evaluates) or "in_season"
    (every `every_games`-th game of each player, target the rest of the season). `log`: a line per step
    (progress: minutes on a real league)."""
    run_dir = Path(run_dir)
    if not (run_dir / "config.json").is_file():
        raise HFMInputError(f"{run_dir}: not a run folder (no config.json)")
    meta = json.loads((run_dir / "config.json").read_text())
    run = meta["run"]
    split = meta["seasons"]
    path = run_league(run_dir, meta, league_dir)  # read a season at a time (hfm_train.league_stream)
    start = time.perf_counter()
    log(f"reading {path}'s seasons")
    league, all_lines = league_lines(path, league_seasons(path, run.get("last_season"), run.get("first_season")))
    games = load_pa_cache(run_dir / "pa_cache.npz")
    blend = json.loads((run_dir / "blend.json").read_text())
    ex_config = ExampleConfig(**run["examples"])
    card = {}
    for pt in PLAYER_TYPES:
        identity = IdentityModel.load(run_dir / IDENTITY_DIR, pt)
        model = load_model(run_dir, pt)
        own = run_dir / pt / "pa_cache.npz"  # a type with its own fine-tuned Level 1
        type_games = load_pa_cache(own) if own.is_file() else games
        lines = all_lines[pt]
        log(f"{pt}s: the test season's examples, baselines and projections ({time.perf_counter() - start:.0f} s so far)")
        test = build_examples(pt, split["test"], lines, league.players, identity, type_games,
                              ex_config, league.true_talent, kinds=(kind,))
        w = np.array([blend[pt][s] for s in TARGET_STATS[pt]])
        league_rates = np.array([identity.league_rates[s] for s in TARGET_STATS[pt]])
        # the mix with the sequence ridge is an opening-day projection's (hfm_train.mix)
        lam = blend.get("mix", {}).get(pt) if kind == "start" else None
        baselines = baseline_projections(league, lines, pt, test, split["test"][0], identity.config)
        if kind == "in_season":  # the fair bar of a rest-of-season projection counts the season so far
            baselines["marcel_to_date"] = marcel_to_date(lines, league.players, pt, test.table)
        card[pt] = evaluate_type(model, test, type_games, w, league_rates, run["finetune"]["max_pas"],
                                 baselines,
                                 None if lam is None else np.array([lam[s] for s in TARGET_STATS[pt]]))
    return {"seasons": {**split, "test": split["test"][0]}, "target_mode": run["target_mode"],
            "kind": kind, "blend": blend, "evaluation": card,
            **({"notice": run_notice(meta)} if run_notice(meta) else {})}  # what the data asks to carry


@click.command("evaluate")
@click.option("--run", "run_dir", type=click.Path(path_type=Path), default=Path("artifacts/runs/default"),
              show_default=True, help="Training run folder (written by `hfm-train fit`).")
@click.option("--league", "league_dir", type=click.Path(path_type=Path), default=None,
              help="League folder (default: the one the run was trained on).")
@click.option("--kind", type=click.Choice(["start", "in_season"]), default="start", show_default=True,
              help="As-of dates: opening day, or every N-th game of each player, N the run's "
                   "examples.every_games (rest-of-season targets; written to model_card_in_season.json, players "
                   "resampled as wholes in the intervals).")
@click.option("--report", "report", type=click.Path(path_type=Path), default=None,
              help="Also write one self-contained HTML page: RMSE against every baseline with intervals, the "
                   "ranges' calibration, the ablations (hfm_train.run_report; opens offline).")
def evaluate_command(run_dir: Path, league_dir: Path | None, kind: str, report: Path | None = None) -> None:
    """Re-evaluate a run on its test season; rewrites <run>/model_card.json and test_predictions.csv
    (model_card_in_season.json, test_predictions_in_season.csv with --kind in_season; written beside
    them first, then renamed over them) and prints the table; --report also writes the HTML page."""
    if report is not None and report.is_dir():  # refused before the evaluation, not after it
        raise HFMInputError(f"--report {report}: a folder; give the HTML file to write")
    card = evaluate_run(run_dir, league_dir, kind, log=lambda line: click.echo(line, err=True))
    if card.get("notice"):
        click.echo(f"> {card['notice']}")
    click.echo(format_table(card["evaluation"], card["seasons"]["test"]))
    tmp = run_dir / ".evaluate.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    write_card(tmp, card, "" if kind == "start" else f"_{kind}")
    for f in tmp.iterdir():
        f.replace(run_dir / f.name)
    tmp.rmdir()
    if report is not None:
        import time

        from .calibration import calibrate_run
        from .run_report import run_report

        start = time.perf_counter()
        with open(run_dir / f"model_card{'' if kind == 'start' else f'_{kind}'}.json") as f:
            written = json.load(f)
        calibration = calibrate_run(run_dir, league_dir) if kind == "start" else None
        text = run_report(written, calibration, f"HFM run {run_dir.name}: evaluation on {card['seasons']['test']}",
                          run_notice(json.loads((run_dir / "config.json").read_text())))
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(text, encoding="utf-8")
        click.echo(f"report {report}: {len(text.encode()) / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")


def compare_runs(runs: list[Path], against: Path | None = None, method: str = "blend") -> str:
    """Per run and player type, the mean RMSE cut vs Marcel of the model and the baselines; with
    `against`, also 90% paired bootstrap intervals of RMSE(run's `method`) - RMSE(against's `method`)
    per stat, over the players both runs projected (the runs must share league and test season)."""
    lines = []
    for run in runs:
        card = json.loads((run / "model_card.json").read_text())
        notice = run_notice(json.loads((run / "config.json").read_text())) if (run / "config.json").is_file() else None
        if notice and f"> {notice}" not in lines:
            lines.append(f"> {notice}")
        for pt, r in card["evaluation"].items():
            for against_what, per in r.get("mean_cut_vs_marcel", {}).items():
                shown = [m for m in SUMMARY_METHODS if m in per]
                lines.append(f"{run.name} {pt} (test {card['seasons']['test']}, {r['n_players']} players), "
                             f"mean RMSE cut vs Marcel against {against_what}: "
                             + ", ".join(f"{m} {per[m]:+.1%}" for m in shown))
        if against is None:
            continue
        mine, theirs = (pd.read_csv(p / "test_predictions.csv") for p in (run, against))
        keys = ("player_type", "player_id", "as_of_date", "stat", "actual", "true_talent", "weight")
        methods = [c for c in mine.columns if c not in keys and c in theirs.columns]
        if method not in methods:
            raise HFMInputError(f"--method {method!r}: one of the projections both runs hold: {', '.join(methods)}")
        both = mine.merge(theirs, on=["player_type", "player_id", "stat"], suffixes=("", "_against"))
        for pt, rows in both.groupby("player_type", sort=False):
            stats = list(dict.fromkeys(rows["stat"]))
            wide = {c: rows.pivot(index="player_id", columns="stat", values=c)[stats].to_numpy()
                    for c in (method, f"{method}_against", "actual", "true_talent", "weight")}
            for truth in ("true_talent", "actual"):
                if not np.isfinite(wide[truth]).any():
                    continue
                iv = paired_bootstrap(wide[method], wide[f"{method}_against"], wide[truth], wide["weight"][:, 0])
                lines.append(f"  {pt}: 90% interval of RMSE({run.name}) - RMSE({against.name}) vs {truth}: " + ", ".join(
                    f"{s} [{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for s, (lo, _, hi) in zip(stats, iv)) + "  (x1e-4)")
    return "\n".join(lines)


@click.command("compare")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--against", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="A run of the same league: paired bootstrap intervals of each run's RMSE minus this one's.")
@click.option("--method", default="blend", show_default=True, help="Which projection to compare across runs.")
def compare_command(runs: tuple[Path, ...], against: Path | None, method: str) -> None:
    """Mean RMSE cuts vs Marcel of finished runs, and paired intervals between two runs."""
    click.echo(compare_runs(list(runs), against, method))
