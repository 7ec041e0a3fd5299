"""The real-data report: opening-day projections of a real test season against what happened.

    hfm-train real-report artifacts/runs/real_2019 artifacts/runs/real_2021 --out benchmarks/results/real_accuracy.md

Reads each run's test predictions (test_predictions.csv, written by `hfm-train fit`) and its league's
season lines, and keeps the players with at least MIN_OPPORTUNITIES PA (batters) or BF (pitchers) in
the test season and an MLB line in one of the three seasons before it (Marcel's window). Per player
type and stat: opportunity-weighted RMSE against the actual rates, for each method (METHODS: the
blend (for a type the run mixes with the sequence ridge, hfm_train.mix, the mixed projection), the
model, Marcel, stat_ridge, the sequence-skill ridge, the league mean), and the mean cut
of each against Marcel; 90% paired bootstrap intervals over players (hfm_train.evaluate
.paired_bootstrap) of RMSE(method) - RMSE(Marcel), of RMSE(blend) - RMSE(sequence ridge) and of each
ablation against the blend (positive: the ablated part helps). The mean cut itself (MEAN_CUT_METHODS:
the blend, the sequence-skill ridge, and the blend less the ridge) gets a 90% interval from the same
kind of resample, every stat of a player drawn together (`mean_cut_draws`); over several runs (test
seasons) the report adds their average, each season resampled on its own. Ablations that need a retrained run
(Level 1 not pre-trained, a kept change undone) are runs of their own with the same test season,
given as `--ablation "LABEL=RUN"`: their blend is set beside this run's over the same players. The
sequence-skill ridge is the run's
`statcast_ridge`: on a league without tracking, its skill rates are those pitch sequences allow
(hfm_runtime.skills.SEQUENCE_RATES); the rates that need tracking are absent.

Correlations, beside the published ones for 2023-24 (Marcel .696 and .505, Steamer .726 and .550):
Pearson r over the same players of projected against actual pitcher K% (SO/BF) and batter OBP. A
projected OBP is H + BB + HBP per PA, HBP from a Marcel-style rate (the three prior seasons 5/4/3,
regressed with 1,200 PA of league rate; the same for every method); the actual OBP is the official
(H + BB + HBP) / (AB + BB + HBP + SF).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from hfm_runtime.league import read_league_meta

from .evaluate import paired_bootstrap, weighted_rmse
from .league_stream import run_league, run_notice

MIN_OPPORTUNITIES = 100
METHODS: dict[str, str] = {  # column of test_predictions.csv -> the report's name
    "blend": "blend", "model": "model", "marcel": "marcel", "stat_ridge": "stat_ridge",
    "statcast_ridge": "sequence_ridge", "league_mean": "league_mean",
}
ABLATIONS: dict[str, str] = {
    "blend:no_pitch_context": "pitch context off", "blend:no_skill_rates": "skill rates off",
    "blend:fixed_archetype": "archetypes fixed", "blend:no_stat_features": "stat features off",
    "blend:no_ridge_mix": "sequence-ridge mix off",  # a type whose blend has the mix (hfm_train.mix)
}
MEAN_CUT_METHODS = ("blend", "sequence_ridge")
PUBLISHED = {"pitcher K%": {"marcel": 0.696, "steamer": 0.726}, "batter OBP": {"marcel": 0.505, "steamer": 0.550}}


def season_lines_of(league_dir: Path, seasons: list[int]) -> dict[str, pd.DataFrame]:
    """Per player type, MLB season lines (player_id, season, opportunities, counts) of `seasons`."""
    from hfm_runtime.seasons import season_lines

    from .league_stream import league_lines

    _, lines = league_lines(league_dir, seasons)
    out = {}
    for pt, frame in lines.items():
        mlb = frame[frame["level"] == "MLB"]
        out[pt] = season_lines(mlb, pt)
    return out


def wide_predictions(preds: pd.DataFrame, stats: list[str], columns) -> dict[str, pd.DataFrame]:
    """test_predictions.csv's long rows of one player type -> one [players, stats] frame per column
    (a column these rows leave empty, as the other type's ablation, is left out)."""
    return {c: preds.pivot_table(index="player_id", columns="stat", values=c, aggfunc="first")[stats]
            for c in columns if c in preds.columns and preds[c].notna().any()}


def report_players(weight: pd.Series, season: pd.DataFrame, test: int, opp: str,
                   min_opportunities: int = MIN_OPPORTUNITIES) -> np.ndarray:
    """The report's players: `weight` (test-season opportunities by player_id) >= min_opportunities
    and an MLB line (`season`: season lines of one type) with opportunities before `test`."""
    before = set(season.loc[(season["season"] < test) & (season[opp] > 0), "player_id"])
    return weight.index[(weight >= min_opportunities) & weight.index.isin(before)].to_numpy()


def mean_cut_draws(pred: dict[str, np.ndarray], truth: np.ndarray, weight: np.ndarray, samples: int,
                   seed: int = 0) -> dict[str, np.ndarray]:
    """[samples] per MEAN_CUT_METHODS name and "blend - sequence_ridge": the mean over stats of
    1 - RMSE / Marcel's RMSE on resamples of the players (the same rows for every method)."""
    rng = np.random.default_rng(seed)
    names = [n for n in MEAN_CUT_METHODS if n in pred]
    out = {name: np.empty(samples) for name in names}
    for i in range(samples):
        rows = rng.integers(0, len(weight), len(weight))
        marcel = weighted_rmse(pred["marcel"][rows], truth[rows], weight[rows])
        for name in names:
            out[name][i] = np.mean(1 - weighted_rmse(pred[name][rows], truth[rows], weight[rows]) / marcel)
    if {"blend", "sequence_ridge"} <= set(out):
        out["blend - sequence_ridge"] = out["blend"] - out["sequence_ridge"]
    return out


def _interval(draws: np.ndarray) -> list[float]:
    return np.percentile(draws, [5, 50, 95]).tolist()


def report_run(run_dir: Path, samples: int = 2000, min_opportunities: int = MIN_OPPORTUNITIES,
               ablation_runs: dict[str, Path] | None = None, league: Path | None = None) -> dict[str, Any]:
    """The report's numbers for one run (module docstring); `ablation_runs`: label -> a retrained
    run of the same test season, whose blend is compared with this run's; `league`: the league folder
    when it is no longer where the run's config says."""
    config = json.loads((run_dir / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    retrained = {}
    for label, other in (ablation_runs or {}).items():
        theirs = json.loads((other / "config.json").read_text())
        if int(theirs["seasons"]["test"][0]) != test:
            raise click.UsageError(f"--ablation {label}={other}: its test season {theirs['seasons']['test'][0]} "
                                   f"is not {run_dir}'s {test}")
        retrained[label] = pd.read_csv(other / "test_predictions.csv")
    league_dir = run_league(run_dir, config, league)
    lines = season_lines_of(league_dir, [test - 3, test - 2, test - 1, test])
    preds = pd.read_csv(run_dir / "test_predictions.csv")
    out: dict[str, Any] = {"run": str(run_dir), "test_season": test, "min_opportunities": min_opportunities,
                           "notice": run_notice(config),
                           "types": {}}
    for pt, rows in preds.groupby("player_type", sort=False):
        opp = "PA" if pt == "batter" else "BF"
        season = lines[pt]
        stats = list(dict.fromkeys(rows["stat"]))
        wide = wide_predictions(rows, stats, [*METHODS, *ABLATIONS, "actual", "weight"])
        weight = wide["weight"].iloc[:, 0]
        ids = report_players(weight, season, test, opp, min_opportunities)
        if len(ids) < 3:  # no RMSE, interval or correlation to give
            raise click.UsageError(f"{run_dir}: {len(ids)} {pt}s with at least {min_opportunities} {opp} in {test} and "
                                   "an MLB line before it: too few to report")
        w = weight.loc[ids].to_numpy(np.float64)
        truth = wide["actual"].loc[ids].to_numpy(np.float64)
        pred = {name: wide[col].loc[ids].to_numpy(np.float64) for col, name in METHODS.items() if col in wide}
        abl = {name: wide[col].loc[ids].to_numpy(np.float64) for col, name in ABLATIONS.items() if col in wide}
        for label, frame in retrained.items():
            blend = wide_predictions(frame[frame["player_type"] == pt], stats, ["blend"])["blend"]
            missing = np.setdiff1d(ids, blend.index.to_numpy())
            if len(missing):
                raise click.UsageError(f"--ablation {label}: {len(missing)} of {run_dir.name}'s {pt}s missing")
            abl[f"{label} (retrained)"] = blend.loc[ids].to_numpy(np.float64)
        rmse = {name: weighted_rmse(p, truth, w) for name, p in {**pred, **abl}.items()}
        cut = {name: float(np.mean(1 - r / rmse["marcel"])) for name, r in rmse.items()}
        intervals = {f"{name} - marcel": paired_bootstrap(pred[name], pred["marcel"], truth, w, samples)
                     for name in pred if name != "marcel"}
        intervals["blend - sequence_ridge"] = paired_bootstrap(pred["blend"], pred["sequence_ridge"], truth, w, samples)
        for name, p in abl.items():
            intervals[f"{name} - blend"] = paired_bootstrap(p, pred["blend"], truth, w, samples)
        draws = mean_cut_draws(pred, truth, w, samples, seed=test)  # each season its own stream: independent
        out["types"][pt] = {
            "players": int(len(ids)), "opportunities": float(w.sum()), "stats": stats,
            "rmse": {k: v.tolist() for k, v in rmse.items()}, "mean_cut_vs_marcel": cut,
            "intervals": {k: v.tolist() for k, v in intervals.items()},
            "mean_cut_interval": {k: _interval(v) for k, v in draws.items()},
            "mean_cut_draws": draws,  # for the seasons' average (seasons_average); not written to JSON
            "correlation": _correlation(pt, ids, stats, pred, season, test),
        }
    return out


def _correlation(pt: str, ids: np.ndarray, stats: list[str], pred: dict[str, np.ndarray], season: pd.DataFrame,
                 test: int) -> dict[str, float]:
    """Pearson r of projected against actual pitcher K% or batter OBP (module docstring); the league
    mean, one value for all, has none (NaN)."""
    pred = {name: p for name, p in pred.items() if name != "league_mean"}
    actual = season[season["season"] == test].set_index("player_id").loc[ids]
    if pt == "pitcher":
        truth = (actual["SO"] / actual["BF"]).to_numpy(np.float64)
        return {name: _pearson(p[:, stats.index("SO")], truth) for name, p in pred.items()}
    on_base = (actual["H"] + actual["BB"] + actual["HBP"]).to_numpy(np.float64)
    truth = on_base / (actual["AB"] + actual["BB"] + actual["HBP"] + actual["SF"]).to_numpy(np.float64)
    hbp = _marcel_hbp(season, ids, test)
    return {name: _pearson(p[:, stats.index("H")] + p[:, stats.index("BB")] + hbp, truth) for name, p in pred.items()}


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson r, NaN where it has no value (fewer than 3 players, or one side constant), without numpy's
    warnings (a small league's report would print them)."""
    if len(x) < 3 or np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def _marcel_hbp(season: pd.DataFrame, ids: np.ndarray, test: int, regression: float = 1200.0) -> np.ndarray:
    """HBP per PA of `ids` for `test`: 5/4/3 over the three seasons before, regressed to the league."""
    past = season[season["season"].between(test - 3, test - 1)]
    weight = past["season"].map({test - 1: 5.0, test - 2: 4.0, test - 3: 3.0})
    league = past["HBP"].sum() / past["PA"].sum()
    wsum = pd.DataFrame({"player_id": past["player_id"], "hbp": weight * past["HBP"], "pa": weight * past["PA"]})
    per = wsum.groupby("player_id").sum().reindex(ids).fillna(0.0)
    return ((per["hbp"] + regression * league) / (per["pa"] + regression)).to_numpy(np.float64)


def seasons_average(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per player type in every report: the mean cut against Marcel averaged over the reports (test
    seasons), each name's point value and 90% interval: draw i of every season averaged (each season
    resampled with its own random stream, seeded by its year, so the seasons' draws are independent
    and the spread of the mean is right; one seed for all would draw nearly the same rows of each)."""
    out: dict[str, dict[str, Any]] = {}
    for pt in [pt for pt in reports[0]["types"] if all(pt in r["types"] for r in reports)]:
        types = [r["types"][pt] for r in reports]
        names = [n for n in types[0]["mean_cut_draws"] if all(n in t["mean_cut_draws"] for t in types)]
        point = {n: float(np.mean([t["mean_cut_vs_marcel"][n] for t in types])) for n in MEAN_CUT_METHODS if n in names}
        if "blend - sequence_ridge" in names:
            point["blend - sequence_ridge"] = point["blend"] - point["sequence_ridge"]
        out[pt] = {"seasons": [r["test_season"] for r in reports], "mean_cut": point,
                   "interval": {n: _interval(np.mean([t["mean_cut_draws"][n] for t in types], axis=0)) for n in names}}
    return out


def for_json(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The reports without their resample draws."""
    return [{**r, "types": {pt: {k: v for k, v in t.items() if k != "mean_cut_draws"} for pt, t in r["types"].items()}}
            for r in reports]


def _mean_cut_lines(point: dict[str, float], interval: dict[str, list[float]]) -> list[str]:
    rows = ["| | mean cut vs Marcel | 90% interval |", "|---|---|---|"]
    for name, (lo, _, hi) in interval.items():
        rows.append(f"| {name} | {point[name]:+.2%} | [{lo:+.2%}, {hi:+.2%}] |")
    return rows


def format_report(reports: list[dict[str, Any]]) -> str:
    """Markdown tables of `report_run` results (and, for several, their seasons' average), under the
    notice of the data they were trained on (Retrosheet's: every work derived from it carries it)."""
    notices = list(dict.fromkeys(r.get("notice") for r in reports if r.get("notice")))
    out = [f"> {notice}\n" for notice in notices]
    if len(reports) > 1:
        for pt, avg in seasons_average(reports).items():
            out.append(f"### {pt}s, the mean cut over the test seasons {', '.join(str(s) for s in avg['seasons'])}\n")
            out.append("Averaged over the seasons; 90% interval from resampling each season's players "
                       "(every stat of a player drawn together; the same draws for every method):\n")
            out.extend(_mean_cut_lines(avg["mean_cut"], avg["interval"]))
            out.append("")
    for r in reports:
        for pt, t in r["types"].items():
            stats = t["stats"]
            out.append(f"### {pt}s, {r['test_season']} ({t['players']} players with >= {r['min_opportunities']} "
                       f"{'PA' if pt == 'batter' else 'BF'} and MLB history; run `{Path(r['run']).name}`)\n")
            out.append("| method | " + " | ".join(stats) + " | mean cut vs Marcel |")
            out.append("|---" * (len(stats) + 2) + "|")
            for name, vals in t["rmse"].items():
                out.append(f"| {name} | " + " | ".join(f"{v:.4f}" for v in vals)
                           + f" | {t['mean_cut_vs_marcel'][name]:+.1%} |")
            out.append("")
            if "mean_cut_interval" in t:
                cut = dict(t["mean_cut_vs_marcel"])
                if "blend - sequence_ridge" in t["mean_cut_interval"]:
                    cut["blend - sequence_ridge"] = cut["blend"] - cut["sequence_ridge"]
                out.append("The mean cut, 90% paired bootstrap intervals over players:\n")
                out.extend(_mean_cut_lines(cut, t["mean_cut_interval"]))
                out.append("")
            out.append("90% paired bootstrap intervals of the RMSE difference (x1e-4; negative: the first is better):\n")
            out.append("| difference | " + " | ".join(stats) + " |")
            out.append("|---" * (len(stats) + 1) + "|")
            for name, rows in t["intervals"].items():
                out.append(f"| {name} | " + " | ".join(f"[{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for lo, _, hi in rows) + " |")
            what = "pitcher K%" if pt == "pitcher" else "batter OBP"
            corr = t["correlation"]
            out.append(f"\nPearson r, projected vs actual {what}: " + ", ".join(f"{k} {v:.3f}" for k, v in corr.items())
                       + f" (gain of the blend over Marcel {corr['blend'] - corr['marcel']:+.3f}; published 2023-24: "
                       + ", ".join(f"{k} {v:.3f}" for k, v in PUBLISHED[what].items())
                       + f", Steamer's gain {PUBLISHED[what]['steamer'] - PUBLISHED[what]['marcel']:+.3f})\n")
    return "\n".join(out)


@click.command("real-report")
@click.argument("runs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=None, help="Also write the markdown (and .json) here.")
@click.option("--ablation", "ablations", multiple=True, metavar="LABEL=RUN",
              help="A retrained ablation run, set beside the run of the same test season (repeatable).")
@click.option("--league", type=click.Path(path_type=Path), default=None,
              help="The league folder, where it is no longer where the runs' config.json says.")
def real_report_command(runs: tuple[Path, ...], out: Path | None, ablations: tuple[str, ...],
                        league: Path | None) -> None:
    """Report finished runs on real seasons: RMSE, intervals, correlations (module docstring)."""
    by_run: dict[Path, dict[str, Path]] = {run: {} for run in runs}
    tests: dict[int, Path] = {}
    for run in runs:
        if not (run / "config.json").is_file() or not (run / "test_predictions.csv").is_file():
            raise click.UsageError(f"{run}: not a finished training run (no config.json or test_predictions.csv)")
        config = json.loads((run / "config.json").read_text())
        if read_league_meta(run_league(run, config, league)).get("source", "simulated") == "simulated":
            raise click.UsageError(f"{run}: trained on a simulated league; real-report judges runs on real seasons (a "
                                   "simulated run is judged against true talent by its fit's own evaluation and "
                                   "`hfm-train compare`)")
        test = config["seasons"]["test"][0]
        if test in tests:  # the mean over test seasons would count it twice
            raise click.UsageError(f"{tests[test]} and {run} both test {test}: give one run per test season (set a "
                                   "second beside the first with --ablation LABEL=RUN)")
        tests[test] = run
    for item in ablations:
        label, sep, path = item.partition("=")
        if not sep or not (Path(path) / "config.json").is_file():
            raise click.UsageError(f"--ablation {item!r}: expected LABEL=RUN with a finished run folder")
        test = json.loads((Path(path) / "config.json").read_text())["seasons"]["test"][0]
        if test not in tests:
            raise click.UsageError(f"--ablation {item!r}: no run given with its test season {test}")
        by_run[tests[test]][label] = Path(path)
    reports = [report_run(run, ablation_runs=by_run[run], league=league) for run in runs]
    text = format_report(reports)
    click.echo(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps(for_json(reports), indent=2))
