"""Training-side commands refuse bad input before any work, in one `error:` line naming the option,
file or field (a walkthrough of hfm-train and hfm-export, 2026-12-07: each case here was a raw
traceback, a failure after the pre-training, or a wrong result in silence)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hfm_runtime.errors import HFMInputError


def _fit(args: list[str], tiny_league: Path, runs: Path):
    from hfm_train.cli import cli

    return CliRunner().invoke(cli, ["fit", "--tiny", "--league", str(tiny_league), "--runs-dir", str(runs),
                                    "--name", "x", "--no-progress", "--threads", "1", *args])


@pytest.mark.parametrize("args, message", [
    (["--set", "finetune.lr=abc"], r"finetune\.lr is a number, e\.g\. "),
    (["--set", "profile.late_rate=true"], r"profile has no field 'late_rate' \(did you mean late_rates"),
    (["--set", "finetune.epochs=2.5"], r"finetune\.epochs is a whole number"),
    (["--set", "pretrain.model.d_model=15"], r"d_model must be even and divisible by n_heads"),
    (["--set", "finetune.n_heads=3"], r"finetune\.d_model \(\d+\) must be a multiple of finetune\.n_heads \(3\)"),
    # a walkthrough's: a torch error after the data was read, and a work folder left behind
    (["--set", "pretrain.model.d_model=-4"], r"pretrain\.model\.d_model must be at least 1, got -4"),
    (["--set", "pretrain.model.dropout=2"], r"pretrain\.model\.dropout must be in \[0, 1\), got 2\.0"),
    (["--set", "examples.every_games=0"], r"examples\.every_games must be at least 1, got 0"),
    (["--set", "finetune.lr=-1"], r"finetune\.lr must be above 0, got -1\.0"),
    (["--epochs", "-1"], r"finetune\.epochs \(--epochs\) must be at least 0, got -1"),
    (["--epochs", "-1", "--no-wide"], r"nothing would train"),
    (["--pretrain-epochs", "-1"], r"pretrain\.epochs \(--pretrain-epochs\) must be at least 0"),
    (["--seed", "-1"], r"--seed must be at least 0, got -1"),
    (["--unfreeze-epochs", "a"], r"--unfreeze-epochs 'a': expected whole numbers separated by commas"),
    (["--unfreeze-epochs", "0"], r"--unfreeze-epochs counts epochs from 1, got 0"),
    # the wide path is fitted on opening-day examples, which this leaves out (it crashed after pre-training)
    (["--train-kinds", "in_season"], r"--train-kinds in_season: the batters' wide path is fitted on start "
                                     r"examples, which it leaves out: give --train-kinds in_season,start"),
])
def test_fit_refuses_bad_settings_before_any_work(tiny_league, tmp_path, args, message):
    result = _fit(args, tiny_league, tmp_path / "runs")
    assert result.exit_code != 0
    exc = result.exception
    text = str(exc) if isinstance(exc, HFMInputError) else result.output  # a usage error is click's own
    assert isinstance(exc, (HFMInputError, SystemExit)), repr(exc)
    assert re.search(message, text), text
    assert not (tmp_path / "runs" / ".x.work").exists()


def test_fit_refuses_a_runs_dir_that_is_a_file_and_a_window_no_split_can_give(tiny_league, tmp_path):
    (tmp_path / "afile").write_text("")
    result = _fit([], tiny_league, tmp_path / "afile")
    assert isinstance(result.exception, HFMInputError) and "--runs-dir" in str(result.exception)
    result = _fit(["--window", "next_season"], tiny_league, tmp_path / "runs")
    assert result.exit_code == 2 and "'next_season' is not one of" in result.output


def test_a_player_missing_from_players_csv_is_named_before_the_pre_training(tiny_league, tmp_path):
    league = tmp_path / "league"
    shutil.copytree(tiny_league, league)
    players = pd.read_csv(league / "players.csv")
    gone = int(players["player_id"].iloc[0])
    players.iloc[1:].to_csv(league / "players.csv", index=False)
    result = _fit([], league, tmp_path / "runs")
    assert isinstance(result.exception, HFMInputError), result.output
    assert f"{league / 'players.csv'}: no row for" in str(result.exception)
    assert str(gone) in str(result.exception) and "parquet" in str(result.exception)
    assert "pretrain" not in result.output  # refused while the league was read
    assert not (tmp_path / "runs" / ".x.work").exists()  # and no work folder left behind


def test_an_interrupted_fit_says_how_to_resume(tiny_league, tmp_path, monkeypatch):
    from hfm_train import fit

    def interrupted(config, runs_dir, **_):
        (runs_dir / f".{config.name}.work").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(fit, "fit_run", interrupted)
    result = _fit([], tiny_league, tmp_path / "runs")
    assert result.exit_code != 0
    assert f"interrupted: the finished stages are kept in {tmp_path / 'runs' / '.x.work'}; run the same " \
           "command with --resume" in result.output


def test_cv_seasons_beyond_the_seasons_held_is_said():
    from hfm_train.fit import cv_seasons_note

    split = {"history": [2015], "train": [2016, 2017], "validation": [2018], "test": [2019]}
    assert cv_seasons_note(None, split) is None and cv_seasons_note(3, split) is None
    assert "--cv-seasons 5: there are only 3 train and validation seasons" in cv_seasons_note(5, split)


def test_a_league_too_short_for_marcels_window_is_warned_of():
    from hfm_train.fit import short_window_warning

    short = {"history": [2016], "train": [2017], "validation": [2018], "test": [2019]}
    assert "no training season (2017) has Marcel's three seasons before it among the seasons kept (the first: " \
           "2016)" in short_window_warning(short)
    assert short_window_warning({"history": [2014, 2015, 2016], "train": [2017], "validation": [2018],
                                 "test": [2019]}) is None


def test_an_import_never_replaces_a_simulated_league_nor_a_simulation_an_imported_one(tiny_league, tmp_path):
    from hfm_train.cli import cli

    league = tmp_path / "league"
    shutil.copytree(tiny_league, league)
    real = Path(__file__).parent / "data" / "statcast-real"
    game, register = real / "statcast_2020-09-03_game631614.csv", real / "chadwick_register_game631614.csv"
    result = CliRunner().invoke(cli, ["import", str(game), "--register", str(register), "--out", str(league)])
    assert isinstance(result.exception, HFMInputError), result.output
    assert f"{league}: a simulated league, which hfm-train import would replace with an imported one" \
        in str(result.exception)
    assert (league / "true_talent.parquet").is_file()  # untouched
    imported = tmp_path / "imported"
    result = CliRunner().invoke(cli, ["import", str(game), "--register", str(register), "--out", str(imported)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["simulate", "--out", str(imported), "--scale", "0.05", "--seasons", "2"])
    assert isinstance(result.exception, HFMInputError) and "an imported league, which hfm-train simulate" \
        in str(result.exception)
    # the same kind is replaced, and said so (a walkthrough's re-import replaced one without a word)
    result = CliRunner().invoke(cli, ["import", str(game), "--register", str(register), "--out", str(imported)])
    assert result.exit_code == 0 and f"replacing the league in {imported} (seasons 2020) once this one is complete" \
        in result.output, result.output


def test_simulate_refuses_sizes_and_seeds_out_of_range(tmp_path):
    from hfm_train.cli import cli

    for args, message in ((["--scale", "0"], "--scale 0.0: expected a size"), (["--seasons", "0"], "--seasons 0"),
                          (["--seed", "-1"], "--seed -1")):
        result = CliRunner().invoke(cli, ["simulate", "--out", str(tmp_path / "l"), *args])
        assert isinstance(result.exception, HFMInputError) and message in str(result.exception), result.output
    assert not (tmp_path / "l").exists()


def test_export_refuses_opsets_it_cannot_verify_before_exporting(tmp_path):
    from hfm_export.cli import cli

    for args, message in ((["--opset", "23"], "--opset must be in 17..22, got 23"),
                          (["--tolerance", "-1"], "--tolerance must be above 0")):
        result = CliRunner().invoke(cli, [str(tmp_path / "no_run"), "--out", str(tmp_path / "b"), *args])
        assert isinstance(result.exception, HFMInputError) and message in str(result.exception), result.output


@pytest.mark.slow
def test_an_identity_the_model_was_not_trained_with_is_refused(tiny_run, tiny_league, tmp_path):
    """`hfm-train archetypes --out RUN` refitted a run's identity under its model (16 archetypes under a
    model of 3; ids out of range were clamped in silence): refused, and export checks the identity."""
    from hfm_export.export import export_run
    from hfm_train.cli import cli

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    result = CliRunner().invoke(cli, ["archetypes", "--league", str(tiny_league), "--out", str(run)])
    assert isinstance(result.exception, HFMInputError) and "a run folder" in str(result.exception)
    meta_path = run / "identity" / "archetypes_batter.json"
    meta = json.loads(meta_path.read_text())
    meta["n_archetypes"] += 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(HFMInputError, match=r"the batter identity has \d+ archetypes and \d+ stat features, the "
                                            r"batter model was trained with \d+ and \d+"):
        export_run(run, tmp_path / "bundle")
    assert not (tmp_path / "bundle").exists()


@pytest.mark.slow
def test_a_report_refuses_a_league_with_other_contents(tiny_run, tiny_league, tmp_path):
    """`hfm-train evaluate --league` of another league (or one simulated again in the run's league's
    place) rewrote the run's model card with the other league's players, scored through the run's PA
    cache: refused, naming the file that differs. A copy of the same league is accepted."""
    from hfm_train.league_stream import run_league

    config = json.loads((tiny_run / "config.json").read_text())
    copy = tmp_path / "league"
    shutil.copytree(tiny_league, copy)
    assert run_league(tiny_run, config, copy) == copy
    season = max(int(s) for s in config["training_data"]["seasons"])
    path = copy / "pitches" / "MLB" / f"{season}.parquet"
    pd.read_parquet(path).iloc[:-10].to_parquet(path)
    with pytest.raises(HFMInputError, match=rf"not the league .* was trained on \(its pitches/MLB/{season}\.parquet "
                                            r"is not the one the run read\)"):
        run_league(tiny_run, config, copy)
    # the league the run names, simulated again in its place with other settings
    moved = {**config, "league": str(copy), "league_meta": {**config["league_meta"], "seed": -1}}
    with pytest.raises(HFMInputError, match=r"\(its simulation settings differ from the run's league's\)"):
        run_league(tiny_run, moved)
