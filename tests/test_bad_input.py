"""Bad input, real-world style (property-based): mutated real rows -- columns dropped or renamed, wrong
types, NaNs, unknown codes, rows shuffled and duplicated, files cut mid-line or gzipped -- end either in
a clean load or in one `error:` line naming the file (and the column and row where there is one), and
nothing already written (a league folder, a bundle, a score table) is lost."""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from clitools import fingerprint, run_cli

from hfm_runtime.statcast import REQUIRED_COLUMNS

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT_COLUMNS = ("pitch_type", "description", "events", "stand", "p_throws", "game_type", "bb_type", "type")
NUMBER_COLUMNS = ("game_pk", "batter", "pitcher", "release_speed", "balls", "strikes", "at_bat_number",
                  "pitch_number", "inning", "outs_when_up", "launch_speed", "on_1b", "bat_score")
FILE_COLUMNS = (*REQUIRED_COLUMNS, "game_type", "game_date", "des", "pitcher.1", "player_name")
WRONG_VALUES = ("abc", "1.5", "", "NaN", "-3", "1e30", "True", "2020-13-45", "9/3/2020", "0", " ", "nan", "null")

MUTATION = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(FILE_COLUMNS)),
    st.tuples(st.just("rename"), st.sampled_from(FILE_COLUMNS)),
    st.tuples(st.just("value"), st.sampled_from((*NUMBER_COLUMNS, *TEXT_COLUMNS, "game_date")),
              st.integers(0, 335), st.sampled_from(WRONG_VALUES)),
    st.tuples(st.just("nan"), st.sampled_from((*NUMBER_COLUMNS, *TEXT_COLUMNS, "game_date")),
              st.integers(0, 335)),
    st.tuples(st.just("code"), st.sampled_from(TEXT_COLUMNS), st.integers(0, 335),
              st.text(alphabet="abcdefgXYZ_-,\"' ", min_size=1, max_size=8)),
    st.tuples(st.just("shuffle"), st.integers(0, 2**16)),
    st.tuples(st.just("duplicate"), st.integers(0, 335), st.integers(1, 40)),
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("gzip")),
)


def mutate(text: str, mutations: list[tuple], folder: Path) -> Path:
    """The real file with `mutations` applied (in order), written to `folder`; returns its path."""
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)  # exactly as written
    compress, cut = False, None
    for m in mutations:
        kind = m[0]
        if kind == "drop" and m[1] in frame.columns:
            frame = frame.drop(columns=[m[1]])
        elif kind == "rename" and m[1] in frame.columns:
            frame = frame.rename(columns={m[1]: f"{m[1]}_v2"})
        elif kind in ("value", "code") and m[1] in frame.columns:
            frame.iloc[m[2] % len(frame), frame.columns.get_loc(m[1])] = m[3]
        elif kind == "nan" and m[1] in frame.columns:
            frame.iloc[m[2] % len(frame), frame.columns.get_loc(m[1])] = ""
        elif kind == "shuffle":
            frame = frame.sample(frac=1.0, random_state=m[1])
        elif kind == "duplicate":
            start = m[1] % len(frame)
            frame = pd.concat([frame, frame.iloc[start:start + m[2]]])
        elif kind == "truncate":
            cut = m[1]
        elif kind == "gzip":
            compress = True
    data = frame.to_csv(index=False).encode()
    if compress:
        data = gzip.compress(data)
    if cut is not None:
        header = data.index(b"\n") + 1 if not compress else 0
        data = data[: header + int(cut * (len(data) - header))]
    path = folder / ("statcast_2020.csv.gz" if compress else "statcast_2020.csv")
    path.write_bytes(data)
    return path


ERROR_SHAPES = re.compile(
    r"column \S+: row \d+|missing column\(s\)|cannot read as CSV|file is empty|no rows|appears more than once"
)


def assert_one_clean_error(stderr: str, path: Path) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert lines[0].count(path.name) == 1, lines[0]  # names the file (once) ...
    assert ERROR_SHAPES.search(lines[0]), lines[0]  # ... and the column and row where there is one
    row = re.search(r"CSV line (\d+)", lines[0])
    if row:
        assert int(row.group(1)) <= 1 + 400, lines[0]


@pytest.fixture(scope="module")
def imported_before(real_statcast_csv: Path, tmp_path_factory) -> Path:
    """A league folder from the unmutated real file: what a failed import must leave as it was."""
    from hfm_train.importer import import_statcast

    return import_statcast({"MLB": [real_statcast_csv]}, tmp_path_factory.mktemp("before") / "league").out


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_real_file_imports_cleanly_or_fails_in_one_line(
    mutations, real_statcast_csv: Path, imported_before: Path
) -> None:
    from hfm_runtime.league import load_league
    from hfm_train.cli import main as train_main

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = mutate(real_statcast_csv.read_text(), mutations, tmp)
        out = tmp / "league"
        shutil.copytree(imported_before, out)
        before = fingerprint(out)
        code, stderr = run_cli(train_main, ["hfm-train", "import", str(path), "--out", str(out), "--no-progress"])
        if code == 0:
            league = load_league(out)  # a clean load: a valid league folder
            assert len(league.pitches) > 0 and league.pitches["game_pk"].notna().all()
            assert set(league.pitches["batter"]) | set(league.pitches["pitcher"]) == set(league.players["player_id"])
        else:
            assert code == 2, stderr
            assert_one_clean_error(stderr, path)
            assert fingerprint(out) == before  # the earlier import is untouched
            assert not [p for p in tmp.iterdir() if p.name.startswith(".league")]  # no temp folder left


@pytest.mark.slow
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=3))
def test_mutated_real_file_scores_cleanly_or_fails_in_one_line(
    mutations, real_statcast_csv: Path, tiny_bundle: Path
) -> None:
    from hfm_runtime.cli import main as score_main

    bundle_before = fingerprint(tiny_bundle)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        path = mutate(real_statcast_csv.read_text(), mutations, tmp)
        table = tmp / "scores.csv"
        table.write_text("yesterday's scores\n")
        code, stderr = run_cli(score_main, ["hfm-score", "--bundle", str(tiny_bundle), "--pitches", str(path),
                                            "--season", "2021", "--format", "csv", "--out", str(table)])
        if code == 0:
            scores = pd.read_csv(table)
            assert len(scores) > 0 and scores["player_id"].isin(range(400_000, 800_000)).all()
        else:
            assert code == 2, stderr
            assert_one_clean_error(stderr, path)
            assert table.read_text() == "yesterday's scores\n"
    assert fingerprint(tiny_bundle) == bundle_before
