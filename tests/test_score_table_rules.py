"""The score table's rules without a trained bundle (issue #23): the plausible-range blend, the pipeline
adapter's semantics and its worked example (docs/score-table.md), --season checks, the training-data
line and warning, and error lines that start on their own line (progress bars, missing folders)."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import click
import numpy as np
import pytest

from hfm_runtime.cli import _window_start_note, check_season, training_data_line, training_data_warning
from hfm_runtime.errors import HFMInputError, print_error
from hfm_runtime.scoring import RANGE_FACTOR, PipelineAdapter, blend, plausible_range
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

LEAGUE = {"SO": 0.22, "BB": 0.085, "HR": 0.03, "H": 0.23, "2B": 0.045, "3B": 0.0034}


def fake_bundle() -> SimpleNamespace:
    """What plausible_range reads of a bundle: each type's identity league rates."""
    return SimpleNamespace(identity={pt: SimpleNamespace(league_rates={s: LEAGUE[s] for s in TARGET_STATS[pt]})
                                     for pt in PLAYER_TYPES})


# --- the plausible range and the blend ------------------------------------------------------------
def test_plausible_range_is_zero_to_a_multiple_of_the_league_rate():
    low, high = plausible_range(fake_bundle(), "batter")
    assert (low == 0).all()
    assert dict(zip(TARGET_STATS["batter"], high)) == pytest.approx(
        {s: min(1.0, RANGE_FACTOR * LEAGUE[s]) for s in TARGET_STATS["batter"]})


@pytest.mark.parametrize("mode", ["absolute", "residual"])
def test_blend_pulls_the_models_own_rate_into_range_and_marks_it(mode):
    marcel = np.array([[0.220, 0.0040], [0.220, 0.0040], [0.220, 0.0040]])
    own = np.array([[0.200, 0.0050], [-0.030, 0.0050], [0.200, 0.0900]])  # negative SO; 3B past 8x league
    model = own if mode == "absolute" else own - marcel
    model[2, 0] = np.nan if mode == "absolute" else model[2, 0]
    w = np.array([0.8, 0.9])
    low, high = np.zeros(2), np.array([1.0, 8 * 0.0034])
    rates, clipped = blend(marcel, model, w, mode, low, high)
    assert rates[0] == pytest.approx(marcel[0] + w * (own[0] - marcel[0]))  # in range: the plain blend
    assert rates[1, 0] == pytest.approx(0.22 + 0.8 * (0.0 - 0.22)) and clipped[1].tolist() == [True, False]
    assert rates[2, 1] == pytest.approx(0.004 + 0.9 * (high[1] - 0.004)) and clipped[2, 1]
    assert not clipped[0].any() and (rates >= 0).all()
    if mode == "absolute":  # a NaN output (the model did not run for that stat): Marcel's rate stands
        assert rates[2, 0] == 0.22 and not clipped[2, 0]
    # a stat the bundle does not adjust (w = 0) is never read, so never clipped
    rates, clipped = blend(marcel, model, np.array([0.0, 0.9]), mode, low, high)
    assert (rates[:, 0] == marcel[:, 0]).all() and not clipped[:, 0].any()


# --- the pipeline adapter -------------------------------------------------------------------------
def fake_scorer(rows: list[dict]) -> SimpleNamespace:
    """A scorer whose score_records returns `rows` (the score table's columns the adapter reads)."""
    return SimpleNamespace(bundle=fake_bundle(), score_records=lambda *args, **kwargs: rows)


def score_row(player_id: int, pt: str, adj: dict[str, float], flag: str = "model", warnings: str = "") -> dict:
    return {"player_id": player_id, "player_type": pt, "flag": flag, "fallback": flag != "model",
            "basis": "player", "archetype": 2 if flag == "model" else -1, "source": "mlb" if flag == "model" else None,
            "n_games": 10 if flag == "model" else 0, "warnings": warnings,
            **{f"adj_{s}": adj.get(s, 0.0) for s in TARGET_STATS[pt]}}


def test_adapter_worked_example_of_docs_score_table():
    # the score table (docs/score-table.md): Marcel SO .220, the model's own rate .200, w .8 -> adj -.016;
    # BB: Marcel .080, own .095, w .2 -> adj +.003; 3B: Marcel .0040, own .0062, w .9 -> adj +.00198
    marcel = np.array([[0.220, 0.080, 0.0040]])
    own = np.array([[0.200, 0.095, 0.0062]])
    rates, clipped = blend(marcel, own, np.array([0.8, 0.2, 0.9]), "absolute", np.zeros(3), np.array([1, 0.68, 0.0272]))
    adj = rates - marcel
    assert adj[0] == pytest.approx([-0.016, 0.003, 0.00198]) and not clipped.any()
    residual, _ = blend(marcel, own - marcel, np.array([0.8, 0.2, 0.9]), "residual", np.zeros(3), np.array([1, .68, .0272]))
    assert residual == pytest.approx(rates)  # the same adjustment from a residual bundle
    scorer = fake_scorer([score_row(600001, "batter", {"SO": -0.016, "BB": 0.003, "3B": 0.00198})])
    [out] = PipelineAdapter(scorer, None, 2025).adjust_projections(
        [{"player_id": 600001, "SO": 0.240, "BB": 0.070, "3B": 0.026, "PA": 600, "team": "X"}])
    assert out["SO"] == pytest.approx(0.224) and out["BB"] == pytest.approx(0.073)
    assert out["3B"] == pytest.approx(8 * 0.0034)  # .026 + .00198 = .02798 > .0272: pulled to the bound
    assert out["hfm_adjustment"] == pytest.approx({"SO": -0.016, "BB": 0.003, "3B": 8 * 0.0034 - 0.026})
    assert out["hfm_counts"]["SO"] == pytest.approx(134.4) and out["team"] == "X"
    assert out["hfm_warnings"] == "clipped:3B" and out["hfm_flag"] == "model" and out["hfm_fallback"] is False


def test_adapter_leaves_a_fallback_player_as_he_is():
    scorer = fake_scorer([score_row(7, "pitcher", {}, flag="no_recent_games")])
    [out] = PipelineAdapter(scorer, None, 2025).adjust_projections([{"player_id": 7, "SO": 0.25, "BF": 700}])
    assert out["SO"] == 0.25 and out["hfm_adjustment"] == {"SO": 0.0} and out["hfm_fallback"] is True


def test_adapter_refuses_a_record_that_does_not_fit_the_player_type():
    rows = [score_row(1, "batter", {"SO": 0.01}), score_row(2, "pitcher", {"SO": 0.01}),
            score_row(3, "batter", {"SO": 0.01}), score_row(3, "pitcher", {"SO": -0.01})]
    adapter = PipelineAdapter(fake_scorer(rows), None, 2025)
    with pytest.raises(HFMInputError, match=r"record 1 \(player_id 2\): field 'PA' is a batter's opportunities, "
                                            r"but the record is adjusted as a pitcher, whose opportunities are 'BF'"):
        adapter.adjust_projections([{"player_id": 1, "SO": 0.2, "PA": 600}, {"player_id": 2, "SO": 0.2, "PA": 700}])
    with pytest.raises(HFMInputError, match=r"record 0 \(player_id 1\): field 'BF' is a pitcher's"):
        adapter.adjust_projections([{"player_id": 1, "player_type": "batter", "SO": 0.2, "BF": 600}])
    with pytest.raises(HFMInputError, match=r"record 0 \(player_id 1\): field player_type is 'pitcher', but HFM "
                                            r"scores him as a batter"):
        adapter.adjust_projections([{"player_id": 1, "player_type": "pitcher", "SO": 0.2}])
    with pytest.raises(HFMInputError, match=r"record 0 \(player_id 1\): field 'SO' is 1.5, not a number in \[0, 1\]"):
        adapter.adjust_projections([{"player_id": 1, "SO": 1.5}])
    with pytest.raises(HFMInputError, match=r"record 0 \(player_id 1\): field 'PA' is -3"):
        adapter.adjust_projections([{"player_id": 1, "SO": 0.2, "PA": -3}])
    for record, message in (({"player_id": 1, "so": 0.2, "PA": 600}, "record 0 (player_id 1): field 'so': a batter"),
                            ({"player_id": 1, "SO": 0.2, "bb": 0.08}, "record 0 (player_id 1): field 'bb': a batter"),
                            ({"player_id": 1, "K": 0.2}, "record 0 (player_id 1): no rate to adjust: a batter"),
                            ({"player_id": 1, "SO": None, "PA": 600}, "record 0 (player_id 1): no rate to adjust")):
        with pytest.raises(HFMInputError) as err:  # never returned untouched
            adapter.adjust_projections([record])
        assert message in str(err.value) and "(case-sensitive)" in str(err.value), err.value
    # a two-way player: the opportunity key picks his row, as does player_type; neither: the batter's
    two_way = adapter.adjust_projections([{"player_id": 3, "SO": 0.2, "BF": 500}, {"player_id": 3, "SO": 0.2},
                                          {"player_id": 3, "player_type": "pitcher", "SO": 0.2}])
    assert [r["SO"] for r in two_way] == pytest.approx([0.19, 0.21, 0.19])


# --- hfm-score: --season, the training data ---------------------------------------------------------
def test_check_season():
    with pytest.raises(HFMInputError, match=r"--season 25: a two-digit season; did you mean 2025\?"):
        check_season(25)
    with pytest.raises(HFMInputError, match=r"did you mean 1999\?"):
        check_season(99)
    with pytest.raises(HFMInputError, match="not a four-digit year"):
        check_season(202)
    held = [2019, 2020, 2021]
    check_season(2022, held)  # one past the data: the future, as of January 1
    with pytest.raises(HFMInputError, match=r"--season 2023: the data's last season is 2021, so Marcel's window "
                                            r"2020-2022 holds only 2 of its 3 seasons.*--season 2022.*--allow-gap"):
        check_season(2023, held)
    # the seasons held are counted, not assumed: a file of 2019 alone holds 1 of 2018-2020
    with pytest.raises(HFMInputError, match=r"--season 2021: .* window 2018-2020 holds only 1 of its 3 seasons"):
        check_season(2021, [2019])
    check_season(2023, held, allow_gap=True)
    check_season(2019, held)  # the first season held: in season, its games so far
    # before the data's first season: nothing of it or its window (a three-year-old Mike Trout for 1995)
    with pytest.raises(HFMInputError, match=r"--season 2018: the data's first season is 2019, so it holds none of "
                                            r"Marcel's window 2015-2017 nor the season itself.*\(2020 to 2022\), or 2019 in season"):
        check_season(2018, held)
    check_season(2018, held, allow_gap=True)


def test_a_league_beginning_inside_the_seasons_read_is_noted():
    # a walkthrough imported 2019-2021 and scored 2021: 2018 missing from Marcel's window, and nothing said
    def bundle(old: bool) -> SimpleNamespace:
        return SimpleNamespace(identity={pt: SimpleNamespace(config=SimpleNamespace(old_seasons=old and pt == "batter"))
                                         for pt in PLAYER_TYPES})

    held = [2019, 2020, 2021]
    assert _window_start_note(bundle(False), held, 2022) == []  # 2019-2021: all of Marcel's
    (note,) = _window_start_note(bundle(False), held, 2021)
    assert note.startswith("note: the data begins in 2019, inside the seasons a projection of 2021 reads "
                           "(2018-2020: Marcel's three seasons): games before 2019 are not read"), note
    (note,) = _window_start_note(bundle(True), held, 2022)  # the profile's older seasons reach 2016
    assert "(2016-2021: Marcel's three seasons and the profile's three before them)" in note
    assert "import the seasons from 2016" in note
    (note,) = _window_start_note(bundle(False), held, 2018)
    assert "after the seasons a projection of 2018 reads (2015-2017" in note and "the league's rates" in note
    assert _window_start_note(bundle(True), list(range(2000, 2022)), 2022) == []


def test_training_data_line_and_the_training_data_warning():
    assert training_data_line({}) == "training data: not recorded (bundle exported before 2026-12-02)"
    simulated = {"training_data": {"source": "simulated", "league": "artifacts/league", "seasons": [2018, 2019, 2020],
                                   "notice": None}}
    assert training_data_line(simulated) == "training data: simulated, seasons 2018-2020 (artifacts/league)"
    notice = "The information used here was obtained free of charge from and is copyrighted by Retrosheet."
    retro = {"training_data": {"source": "retrosheet+statcast", "league": "L", "seasons": [2001, 2003], "notice": notice}}
    assert training_data_line(retro) == f"training data: retrosheet+statcast, seasons 2001, 2003 (L); {notice}"
    retro["run"] = {"seasons": {"history": [2001], "train": [], "validation": [], "test": [2003]}}
    assert training_data_line(retro) == f"training data: retrosheet+statcast, seasons 2001, 2003, 2003 evaluated only (L); {notice}"
    assert "trained on a simulated league" in training_data_warning(simulated, "statcast")
    assert "trained on a simulated league" in training_data_warning(simulated, "statcast files")
    assert training_data_warning(simulated, None) is None  # a simulated league scored
    assert training_data_warning(retro, "statcast") is None
    assert "trained on real players (retrosheet+statcast) and scores a simulated league" in training_data_warning(retro, None)
    assert training_data_warning({}, "statcast") is None  # not recorded: nothing to say
    assert training_data_warning({}, None) is None


def test_a_season_the_bundle_trained_on_is_said_to_be_in_sample():
    """A walkthrough scored 2019 with the packaged bundle (trained through 2019) without a word."""
    from hfm_runtime.cli import _in_sample_note

    manifest = {"run": {"seasons": {"history": [2000, 2020], "train": [2006, 2007], "validation": [2019],
                                    "test": [2021]}}}
    assert "2019's outcomes trained this bundle (its target seasons 2006-2019)" in _in_sample_note(manifest, 2019)[0]
    assert _in_sample_note(manifest, 2006) and not _in_sample_note(manifest, 2021)  # the test season: evaluated
    assert not _in_sample_note(manifest, 2020) and not _in_sample_note(manifest, 2022) and not _in_sample_note({}, 2019)


# --- error lines --------------------------------------------------------------------------------------
def run_train_cli(command: click.Command) -> tuple[int, str]:
    from hfm_train.cli import run_click

    err = io.StringIO()
    old = sys.argv
    sys.argv = ["hfm-train"]
    try:
        with contextlib.redirect_stderr(err):
            run_click(command)
    except SystemExit as exc:
        return int(exc.code or 0), err.getvalue()
    finally:
        sys.argv = old
    return 0, err.getvalue()


@pytest.mark.parametrize("leave", [True, False])
def test_an_error_during_a_progress_bar_starts_on_its_own_line(leave):
    from tqdm import tqdm

    @click.command()
    def fails() -> None:
        for _ in tqdm(range(1), leave=leave, mininterval=0):
            raise HFMInputError("data/x.csv: column pitch_type: row 3: bad")

    code, err = run_train_cli(fails)
    assert code == 2
    assert re.search(r"(^|\n)error: data/x\.csv: column pitch_type: row 3: bad\n$", err), repr(err)
    assert "0/1" in err  # the bar was on screen (mid-line) when the error came


def test_a_full_disk_is_one_error_line_and_another_os_error_a_traceback():
    import errno

    @click.command()
    def full() -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "out/league/MLB/2019.parquet")

    code, err = run_train_cli(full)
    assert code == 1 and err == ("error: out/league/MLB/2019.parquet: No space left on device (earlier outputs are as "
                                 "they were)\n"), repr(err)

    @click.command()
    def fault() -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "internal.json")

    with pytest.raises(FileNotFoundError):  # a fault, not the user's input: its traceback shows where
        run_train_cli(fault)


@pytest.mark.parametrize("store", [False, True])
def test_hfm_score_interrupted_says_what_was_kept(tmp_path, monkeypatch, capsys, store):
    from hfm_runtime import cli

    def interrupted(args, notes=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "run", interrupted)
    (tmp_path / "s.csv").write_text("old")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--out", str(tmp_path / "s.csv"), *(["--store", str(tmp_path / "st")] if store else [])])
    err = capsys.readouterr().err
    said = f"error: interrupted: no scores were written; {tmp_path / 's.csv'} is as it was"
    said += f"; the store {tmp_path / 'st'} is saved whole or left as it was\n" if store else "\n"
    assert exit_info.value.code == 130 and err == said, repr(err)
    assert (tmp_path / "s.csv").read_text() == "old"


def test_hfm_score_out_on_a_full_disk_names_the_file_and_keeps_the_old_one(tmp_path, monkeypatch, capsys):
    import errno
    from pathlib import Path

    from hfm_runtime import cli

    monkeypatch.setattr(cli, "run", lambda args, notes=None: "player_id\n1\n")
    real_write = Path.write_text

    def full(self, *a, **k):
        if self.name.endswith(".tmp"):
            real_write(self, "partial")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *a, **k)

    (tmp_path / "s.csv").write_text("old")
    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--out", str(tmp_path / "s.csv")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err == (f"error: --out {tmp_path / 's.csv'}: No space left on device (the file "
                                                 "is as it was)\n"), repr(err)
    assert (tmp_path / "s.csv").read_text() == "old" and not (tmp_path / "s.csv.tmp").exists()


def test_print_error_without_a_bar_is_one_plain_line():
    out = io.StringIO()
    print_error("something: wrong", out)
    assert out.getvalue() == "error: something: wrong\n"


def test_runtime_cli_error_after_a_progress_bar_starts_on_its_own_line(tmp_path, monkeypatch, capsys):
    from tqdm import tqdm

    from hfm_runtime import cli

    def fails(args, notes=None):
        bar = tqdm(total=2, mininterval=0)
        bar.update(1)
        raise HFMInputError("league: bad")

    monkeypatch.setattr(cli, "run", fails)
    with pytest.raises(SystemExit):
        cli.main([])
    err = capsys.readouterr().err
    assert re.search(r"\nerror: league: bad\n$", err), repr(err)


def test_a_missing_league_folder_names_both_ways_to_make_one(tmp_path):
    from hfm_runtime.league import load_league, read_league_meta

    for load in (load_league, read_league_meta):
        with pytest.raises(HFMInputError) as info:
            load(tmp_path / "nowhere")
        text = str(info.value)
        assert str((tmp_path / "nowhere").absolute()) in text and "no such league folder" in text
        assert "hfm-train simulate" in text and "hfm-train import" in text


def test_hfm_score_outside_the_repository_names_the_bundle_path_it_looked_for(tmp_path, monkeypatch, capsys):
    from hfm_runtime.cli import main as score_main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        score_main([])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1
    assert str(tmp_path / "artifacts" / "bundle") in err and "--bundle" in err and "hfm-export" in err


@pytest.mark.parametrize("flag", ["--people", "--register"])
def test_people_and_register_go_with_pitches(tmp_path, capsys, flag):
    from hfm_runtime import cli

    with pytest.raises(SystemExit) as exit_info:
        cli.main([flag, str(tmp_path / "people.csv")])
    assert exit_info.value.code == 2 and f"error: {flag} goes with --pitches" in capsys.readouterr().err


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_new_store_given_no_games_says_how_to_give_them(tiny_bundle, tmp_path, monkeypatch, capsys, rebuild):
    from hfm_runtime import cli

    monkeypatch.chdir(tmp_path)
    (tmp_path / "artifacts" / "league").mkdir(parents=True)  # a default league is never what a store takes in
    if rebuild:
        (tmp_path / "state").mkdir()
        (tmp_path / "state" / "store.json").write_text("{}")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--bundle", str(tiny_bundle), "--store", str(tmp_path / "state"),
                  *(["--rebuild"] if rebuild else [])])
    err = capsys.readouterr().err
    said = "--rebuild needs the whole history" if rebuild else "no store there yet"
    assert exit_info.value.code == 2 and f"--store {tmp_path / 'state'}: {said}: give the games with --pitches" in err


@pytest.mark.parametrize("flag", ["--out", "--report"])
def test_an_output_path_that_is_a_folder_is_refused_before_the_scoring(tmp_path, monkeypatch, capsys, flag):
    from hfm_runtime import cli

    monkeypatch.setattr(cli, "_load_bundle", lambda *a: pytest.fail("scored before the --out check"))
    with pytest.raises(SystemExit) as exit_info:
        cli.main([flag, str(tmp_path)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and f"error: {flag} {tmp_path}: a folder; give a file's path" in err


def test_a_run_folder_given_as_a_bundle_says_to_export_it(tmp_path):
    from hfm_runtime.cli import _load_bundle

    (tmp_path / "test_predictions.csv").write_text("player_id\n")  # a run folder holds it, a bundle never
    with pytest.raises(HFMInputError, match=r"a training run folder, not a bundle: export it first \(hfm-export"):
        _load_bundle(tmp_path)
