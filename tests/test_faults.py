"""Faults: `hfm-train import`, `hfm-train fit`, `hfm-export` and a store save killed with SIGKILL at
random points, several times each, and store readers racing a saver in other processes.

After every kill the previous output is whole and loadable; the next run succeeds (fit resumes from
its checkpoints with --resume) and leaves no temporary folder behind (hfm_runtime.atomic cleans what
a killed writer left). Each kill takes the whole process group (worker processes too). Kill points
are drawn from random.Random(HFM_FAULT_SEED, default 22): a delay in [0, the uninterrupted run's time]
(import, export, save) or a number of log lines plus a delay (fit, whose resumed runs print less).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from clitools import fingerprint
from hfm_runtime.bundle import load_bundle
from hfm_runtime.league import load_league
from hfm_runtime.scoring import Scorer
from hfm_runtime.store import PlayerStore

pytestmark = pytest.mark.slow
SEED = int(os.environ.get("HFM_FAULT_SEED", "22"))
BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}


def _start(argv: list[str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen(argv, start_new_session=True, env=ENV, **kwargs)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def _run_killed_after(argv: list[str], delay: float) -> bool:
    """Run `argv`; SIGKILL its process group after `delay` seconds. True if it was killed (False: it
    finished first, and must have succeeded)."""
    proc = _start(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=delay)
    except subprocess.TimeoutExpired:
        _kill(proc)
        return True
    assert proc.returncode == 0, err.decode()[-2000:]
    return False


def _leftovers(dest: Path) -> list[str]:
    """Temporary folders a writer of `dest` may leave beside it."""
    return sorted(p.name for p in dest.parent.iterdir()
                  if p.name.startswith((f".{dest.name}.tmp-", f".{dest.name}.old")))


def _timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return time.perf_counter() - start


def _run_killed_when(argv: list[str], ready, delay: float, timeout: float = 300.0) -> bool:
    """Run `argv`; once `ready()` holds (polled), wait `delay` seconds and SIGKILL its process group.
    True if it was killed (False: it finished first, and must have succeeded)."""
    proc = _start(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    end = time.monotonic() + timeout
    while proc.poll() is None and not ready():
        assert time.monotonic() < end, f"{argv[:3]}: not at the kill point after {timeout} s"
        time.sleep(0.01)
    if proc.poll() is None:
        time.sleep(delay)
    if proc.poll() is None:
        _kill(proc)
        proc.stderr.close()
        return True
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.returncode == 0, err.decode()[-2000:]
    return False


def test_import_killed_at_random_points(tiny_league: Path, tmp_path: Path) -> None:
    """Two runs killed at a random time from their start, three at a random time after their temporary
    folder appeared (while they write the new league)."""
    rng = random.Random(SEED)
    out = tmp_path / "league"
    argv = [str(BIN / "hfm-train"), "import", str(tiny_league / "pitches" / "MLB"), "--out", str(out), "--no-progress"]
    took = _timed(argv)  # the previous output
    pitches = len(load_league(out).pitches)
    killed = left = 0
    for i in range(5):
        if i < 2:
            killed += _run_killed_after(argv, rng.uniform(0.0, took))
        else:
            killed += _run_killed_when(argv, lambda: bool(_leftovers(out)), rng.uniform(0.0, 0.5))
        assert _complete(out) and len(load_league(out).pitches) == pitches  # the previous one, or a new one whole
        left += bool(_leftovers(out))
    print(f"import: {killed} of 5 runs killed, {left} left a temporary folder (the next run removed it)")
    assert killed >= 3, f"only {killed} of 5 runs were killed before they finished"
    _timed(argv)  # the next run succeeds and cleans what the killed ones left
    assert len(load_league(out).pitches) == pitches
    assert _leftovers(out) == []


def test_an_import_stopped_by_sigterm_cleans_up_as_an_error_does(tiny_league: Path, tmp_path: Path) -> None:
    """SIGTERM (a scheduler's or a container's stop) raises SystemExit in a console script
    (errors.exits_on_sigterm), so the writer's temporary folder and lock go as on an error (a
    walkthrough's killed import left both); the previous league stays."""
    out = tmp_path / "league"
    argv = [str(BIN / "hfm-train"), "import", str(tiny_league / "pitches" / "MLB"), "--out", str(out), "--no-progress"]
    _timed(argv)
    pitches = len(load_league(out).pitches)
    stopped = 0
    for _ in range(3):
        proc = _start(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while proc.poll() is None and not _leftovers(out):
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)  # the main process alone, as `kill PID` does
        _, err = proc.communicate(timeout=60)
        if proc.returncode == 128 + signal.SIGTERM:  # said, as Ctrl-C is (a walkthrough's ended silently)
            stopped += 1
            assert f"terminated: nothing was written; {out} is as it was" in err, err
        assert proc.returncode in (0, 128 + signal.SIGTERM)
        assert _leftovers(out) == [] and not list(tmp_path.glob(".*.lock"))
        assert len(load_league(out).pitches) == pitches
    assert stopped, "every run finished before its SIGTERM"


def _complete(league: Path) -> bool:
    meta = json.loads((league / "league.json").read_text())
    return bool(meta) and (league / "players.csv").is_file()


def test_fit_killed_at_random_points_resumes(tiny_league: Path, tiny_run: Path, tmp_path: Path) -> None:
    """The previous run folder (the session's tiny run) survives every kill; each next attempt resumes
    (--resume) from the checkpoints the killed one left. The three attempts are killed at a random
    moment (up to half a second) after a checkpoint appears: Level 1's pre-training, then the batter's
    and the pitcher's fine-tuning; the last run completes, going on from the fine-tuning checkpoints."""
    rng = random.Random(SEED + 1)
    runs = tmp_path / "runs"
    run = runs / "tiny"
    shutil.copytree(tiny_run, run)
    work = runs / ".tiny.work"
    argv = [str(BIN / "hfm-train"), "fit", "--tiny", "--league", str(tiny_league), "--name", "tiny",
            "--runs-dir", str(runs), "--epochs", "2", "--pretrain-epochs", "1", "--threads", "1",
            "--no-progress", "--resume"]
    killed = 0
    for checkpoint in ("level1/level1_checkpoint.pt", "batter_finetune.pt", "pitcher_finetune.pt"):
        killed += _run_killed_when(argv, lambda c=checkpoint: (work / c).is_file(), rng.uniform(0.0, 0.5))
        _check_run(run)  # the previous run folder as it was, or (a fit that got to its swap) the new one whole
    assert killed >= 2, f"only {killed} of 3 fits were killed before they finished"
    checkpoints = {p.name for p in work.glob("*_finetune.pt")} if work.exists() else set()
    print(f"fit: {killed} of 3 runs killed; the work folder then held "
          f"{sorted(str(p.relative_to(work)) for p in work.rglob('*.pt')) if work.exists() else 'nothing'}")
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert checkpoints, "no fine-tuning checkpoint to resume from"
    for name in checkpoints:  # fine-tuning went on from where the killed run stopped
        assert f"resumed {name.split('_')[0]} fine-tuning from" in done.stdout
    _check_run(run)
    assert not work.exists() and _leftovers(run) == []


def test_resume_refuses_a_work_folder_started_with_other_settings(tiny_league: Path, tmp_path: Path) -> None:
    # a walkthrough resumed a real league's work folder with --league of a simulated one: Level 1 reused, no word
    from dataclasses import replace

    from hfm_runtime.errors import HFMInputError
    from hfm_train.fit import STARTED_WITH, RunConfig, _check_resumable, _resume_settings, fit_run

    runs = tmp_path / "runs"
    work = runs / ".r.work"
    (work / "level1").mkdir(parents=True)
    (work / "level1" / "level1.pt").write_bytes(b"a checkpoint")
    started = RunConfig.tiny(name="r", league=str(tiny_league), last_season=2021)
    with pytest.raises(HFMInputError, match="does not say which settings it was started with"):
        fit_run(started, runs, resume=True, progress=False)
    (work / STARTED_WITH).write_text(json.dumps(_resume_settings(started)))
    other = replace(started, league=str(tmp_path / "elsewhere"), last_season=2020)  # refused before it is read
    with pytest.raises(HFMInputError, match=r"started with other settings \(last_season, league, league_contents differ\)"):
        fit_run(other, runs, resume=True, progress=False)
    deeper = replace(started, finetune=replace(started.finetune, epochs=7), history_only=(2019, 2018))
    with pytest.raises(HFMInputError, match=r"\(finetune\.epochs, history_only differ\)"):  # the field named
        _check_resumable(work, deeper)
    # a fit refused for its seasons leaves no work folder (a walkthrough found one left behind)
    with pytest.raises(HFMInputError, match="--last-season 2030"):
        fit_run(replace(started, name="s", last_season=2030), runs, resume=False, progress=False)
    assert not (runs / ".s.work").exists()
    # one refused once its settings are written (here by hand) leaves only them: a corrected resume is not
    # blocked by them
    refused = runs / ".q.work"
    refused.mkdir()
    (refused / STARTED_WITH).write_text(json.dumps(_resume_settings(replace(started, name="q", last_season=2030))))
    _check_resumable(refused, replace(started, name="q", last_season=2030))  # what it holds: the refused fit's
    fit_run_refused = replace(started, name="q", last_season=2030)
    with pytest.raises(HFMInputError, match="--last-season 2030"):
        fit_run(fit_run_refused, runs, resume=True, progress=False)
    assert [p.name for p in refused.iterdir()] == [STARTED_WITH]
    assert (work / "level1" / "level1.pt").read_bytes() == b"a checkpoint"  # refused before touching it
    _check_resumable(work, replace(started, threads=1, device="auto"))  # where and how fast: free to change
    relative = replace(started, league=os.path.relpath(tiny_league))  # the same folder named another way
    _check_resumable(work, relative)
    (work / STARTED_WITH).write_text(json.dumps(_resume_settings(replace(started, history_only=(2018, 2019)))))
    _check_resumable(work, replace(started, history_only=(2019, 2018)))  # nor does the order of the seasons
    # the same folder, other contents (a walkthrough simulated another league in its place: the fit reused
    # the first league's Level 1 and PA cache): refused, naming the file
    import pandas as pd

    copy = tmp_path / "league_copy"
    shutil.copytree(tiny_league, copy)
    (work / STARTED_WITH).write_text(json.dumps(_resume_settings(replace(started, league=str(copy)))))
    _check_resumable(work, replace(started, league=str(copy)))
    season_file = sorted((copy / "pitches").rglob("*.parquet"))[0]
    pd.read_parquet(season_file).iloc[:-10].to_parquet(season_file)
    with pytest.raises(HFMInputError, match=rf"league_contents\.pitch_file_rows\.pitches/{season_file.parent.name}/"
                                            rf"{season_file.stem}\.parquet differ"):
        _check_resumable(work, replace(started, league=str(copy)))


def _check_run(run: Path) -> None:
    import torch

    config = json.loads((run / "config.json").read_text())
    assert config["run"]["name"] == "tiny"
    for pt in ("batter", "pitcher"):
        assert torch.load(run / pt / "model.pt", weights_only=True)
        assert json.loads((run / pt / "model.json").read_text())["stats"]


def test_export_killed_at_random_points(tiny_run: Path, tiny_bundle: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 2)
    out = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, out)  # the previous output
    argv = [str(BIN / "hfm-export"), str(tiny_run), "--out", str(out)]
    killed = left = 0
    for low, high in ((2.0, 7.0), (7.0, 12.0), (12.0, 18.0)):  # startup, the graphs' export, their checks
        before = fingerprint(out)
        killed += _run_killed_after(argv, rng.uniform(low, high))
        load_bundle(out)  # whole: every file's SHA-256 checked against the manifest
        Scorer(out)  # and its graphs open
        if fingerprint(out) != before:  # only an export that got to its swap changes the folder
            assert json.loads((out / "manifest.json").read_text())["created_utc"]
        left += bool(_leftovers(out))
    print(f"export: {killed} of 3 runs killed, {left} left a temporary folder (the next run removed it)")
    assert killed >= 2, f"only {killed} of 3 exports were killed before they finished"
    _timed(argv)
    Scorer(out)
    assert _leftovers(out) == []


# --- the store ------------------------------------------------------------------------------------
SAVER = textwrap.dedent("""
    import sys
    from hfm_runtime.scoring import Scorer
    from hfm_runtime.store import PlayerStore
    bundle, target, times, *states = sys.argv[1:]
    scorer = Scorer(bundle)
    stores = [PlayerStore.load(s, scorer) for s in states]
    print("ready", flush=True)
    for i in range(int(times)):
        stores[i % len(stores)].save(target)
    print("done", flush=True)
""")

READER = textwrap.dedent("""
    import json, sys, time
    from hfm_runtime.scoring import Scorer
    from hfm_runtime.store import PlayerStore, StoreMismatch
    bundle, target, seconds = sys.argv[1:]
    scorer = Scorer(bundle)
    print("ready", flush=True)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        try:
            s = PlayerStore.load(target, scorer)
        except StoreMismatch as exc:
            print(json.dumps({"error": str(exc)}), flush=True)
            continue
        state = [s.n_games, sum(seg.n for seg in s._lines["batter"].values()), len(s._context["pitcher"]),
                 str(s.last_date.date())]
        print(json.dumps({"state": state}), flush=True)
""")


def _state(store: PlayerStore) -> list:
    return [store.n_games, sum(seg.n for seg in store._lines["batter"].values()), len(store._context["pitcher"]),
            str(store.last_date.date())]


@pytest.fixture(scope="module")
def two_states(tiny_league: Path, tiny_bundle: Path, tmp_path_factory: pytest.TempPathFactory):
    """Two saved stores of the tiny league: everything but its last game day, and everything."""
    league = load_league(tiny_league)
    scorer = Scorer(tiny_bundle)
    p = league.pitches
    last = p["game_date"].max()
    folder = tmp_path_factory.mktemp("states")
    a = PlayerStore.build(scorer, p[p["game_date"] < last], league.players)
    b = PlayerStore.build(scorer, p, league.players)
    assert _state(a) != _state(b)
    return (a.save(folder / "a"), _state(a)), (b.save(folder / "b"), _state(b))


def _python(script: str, *args) -> list[str]:
    return [sys.executable, "-c", script, *map(str, args)]


def _wait_ready(proc: subprocess.Popen) -> None:
    line = proc.stdout.readline()
    assert line.strip() == "ready", line + proc.stdout.read()


def test_store_save_killed_at_random_points(tiny_bundle: Path, two_states, tmp_path: Path) -> None:
    rng = random.Random(SEED + 3)
    (a, state_a), (b, state_b) = two_states
    target = tmp_path / "state"
    scorer = Scorer(tiny_bundle)
    PlayerStore.load(a, scorer).save(target)  # the previous output
    took, left = [], 0
    for _ in range(5):  # save A and B in turn for ever; killed at a random point after loading them
        proc = _start(_python(SAVER, tiny_bundle, target, 10**6, a, b), stdout=subprocess.PIPE, text=True)
        _wait_ready(proc)
        start = time.perf_counter()
        time.sleep(rng.uniform(0.0, 0.5))
        _kill(proc)
        proc.stdout.close()
        took.append(time.perf_counter() - start)
        assert _state(PlayerStore.load(target, scorer)) in (state_a, state_b)  # whole, and one of the two
        left += bool(_leftovers(target))
    print(f"store save: 5 savers killed, {left} left a temporary folder (the next save removed it)")
    PlayerStore.load(b, scorer).save(target)  # the next save succeeds and cleans up
    assert _state(PlayerStore.load(target, scorer)) == state_b
    assert _leftovers(target) == []


def test_store_readers_see_old_or_new_never_torn(tiny_bundle: Path, two_states, tmp_path: Path) -> None:
    """One process saves A and B in turn 200 times while two others load the store as fast as they can:
    every load is A or B whole (files of one save only), or a StoreMismatch that says it was replaced
    while being read; never a mix, never another error."""
    (a, state_a), (b, state_b) = two_states
    target = tmp_path / "state"
    PlayerStore.load(a, Scorer(tiny_bundle)).save(target)
    readers = [_start(_python(READER, tiny_bundle, target, 8.0), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True) for _ in range(2)]
    for r in readers:
        _wait_ready(r)
    saver = _start(_python(SAVER, tiny_bundle, target, 200, a, b), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   text=True)
    saver_out, saver_err = saver.communicate(timeout=120)
    assert saver.returncode == 0 and "done" in saver_out, saver_err[-2000:]
    seen = {"a": 0, "b": 0, "retried out": 0}
    for r in readers:
        out, err = r.communicate(timeout=120)
        assert r.returncode == 0, err[-2000:]
        for line in out.splitlines():
            got = json.loads(line)
            if "error" in got:
                assert "replaced while being read" in got["error"], got["error"]
                seen["retried out"] += 1
            else:
                assert got["state"] in (state_a, state_b), got["state"]
                seen["a" if got["state"] == state_a else "b"] += 1
    print(f"store readers: {seen}")
    assert seen["a"] and seen["b"], seen  # the readers did overlap the saves
    assert _leftovers(target) == []


# --- hfm_runtime.atomic itself ----------------------------------------------------------------------
HOLDER = textwrap.dedent("""
    import fcntl, os, sys, time
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_APPEND)
    fcntl.flock(fd, fcntl.LOCK_SH)
    os.write(fd, b".out.tmp-live\\n")  # registered, then made: as atomic_dir does
    os.mkdir(os.path.join(os.path.dirname(sys.argv[1]), ".out.tmp-live"))
    print("ready", flush=True)
    time.sleep(60)
""")


def test_recover_spares_a_live_writer_and_others_folders_and_restores_what_a_killed_one_left(tmp_path: Path) -> None:
    from hfm_runtime.atomic import atomic_dir, recover

    dest, lock = tmp_path / "out", tmp_path / ".out.lock"
    with atomic_dir(dest) as tmp:
        (tmp / "x").write_text("1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the register goes with the last writer
    notes, aside, dead, live = (tmp_path / f".out.{n}" for n in ("tmp-notes", "old", "tmp-dead", "tmp-live"))
    notes.mkdir(), aside.mkdir()  # the user's, named like ours
    assert recover(dest) == [] and notes.is_dir() and aside.is_dir()
    dead.mkdir()
    lock.write_text(".out.tmp-dead\n")  # a writer killed while it built .out.tmp-dead
    holder = _start(_python(HOLDER, lock), stdout=subprocess.PIPE, text=True)  # and one still at work
    try:
        _wait_ready(holder)
        assert recover(dest) == [] and dead.is_dir() and live.is_dir()
        with atomic_dir(dest) as tmp:  # a second writer beside it cleans nothing either
            (tmp / "x").write_text("2")
        assert (dest / "x").read_text() == "2" and dead.is_dir() and live.is_dir()
    finally:
        _kill(holder)
        holder.stdout.close()
    assert sorted(recover(dest)) == [dead, live] and not lock.exists()  # no writer alive: what they registered
    assert notes.is_dir() and aside.is_dir()  # never registered: never touched
    shutil.rmtree(aside)
    lock.write_text(".out.old\n")  # a writer killed between the two renames of the fallback swap
    dest.rename(aside)
    assert recover(dest, ours=lambda p: False) == [] and aside.is_dir()  # `ours` says it is not a copy
    lock.write_text(".out.old\n")
    assert recover(dest) == [aside] and (dest / "x").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.tmp-notes", "out"]


def test_the_two_rename_fallback_writes_and_never_replaces_a_users_old_folder(tmp_path: Path, monkeypatch) -> None:
    """Where the file system refuses the exchange (NFS, vfat): the fallback's two renames, every time."""
    import hfm_runtime.atomic as atomic

    monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    dest = tmp_path / "out"
    for value in ("1", "2", "3"):
        with atomic.atomic_dir(dest) as tmp:
            (tmp / "x").write_text(value)
        assert (dest / "x").read_text() == value and sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    (tmp_path / ".out.old").mkdir()
    (tmp_path / ".out.old" / "mine.txt").write_text("keep")
    with pytest.raises(FileExistsError, match="no writer's"):
        with atomic.atomic_dir(dest) as tmp:
            (tmp / "x").write_text("4")
    assert (dest / "x").read_text() == "3" and (tmp_path / ".out.old" / "mine.txt").read_text() == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.old", "out"]


def test_a_reader_waits_out_the_fallback_window_but_not_a_folder_that_is_gone(tmp_path: Path) -> None:
    import threading

    from hfm_runtime.atomic import settled

    dest, old, lock = tmp_path / "out", tmp_path / ".out.old", tmp_path / ".out.lock"
    old.mkdir(), (tmp_path / ".out.tmp-new").mkdir()
    holder = _start(_python(HOLDER, lock), stdout=subprocess.PIPE, text=True)  # a writer between its renames
    try:
        _wait_ready(holder)
        threading.Timer(0.2, lambda: (tmp_path / ".out.tmp-new").rename(dest)).start()
        assert settled(dest, timeout=10.0)
    finally:
        _kill(holder)
        holder.stdout.close()
    shutil.rmtree(dest)  # its writer killed: the register is there, unlocked, and nothing comes
    start = time.monotonic()
    assert lock.exists() and not settled(dest, timeout=10.0) and time.monotonic() - start < 1.0


def test_writers_refuse_a_folder_that_is_not_theirs(tiny_run: Path, tiny_league: Path, tmp_path: Path) -> None:
    """Every writer replaces its folder whole: a folder holding something else (a user's notes, the run
    being exported, the runs folder itself) is refused before any work, and kept as it was (a
    walkthrough lost a run to `hfm-export RUN --out RUN` and every run to `hfm-train fit --name ""`)."""
    from dataclasses import replace

    from hfm_export.export import export_run
    from hfm_runtime.errors import HFMInputError
    from hfm_train.fit import RunConfig, fit_run
    from hfm_train.importer import import_statcast
    from hfm_train.sim.league import simulate_league

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "mine.txt").write_text("keep me")
    run = tmp_path / "runs" / "r"
    shutil.copytree(tiny_run, run)
    before = fingerprint(run)
    for out, kind in ((notes, "bundle"), (run, "bundle")):
        with pytest.raises(HFMInputError, match=f"a folder that is not a {kind}, which writing would replace whole"):
            export_run(run, out)
    with pytest.raises(HFMInputError, match="a folder that is not a league"):
        import_statcast({"MLB": [tiny_league / "pitches" / "MLB"]}, notes)
    with pytest.raises(HFMInputError, match="a folder that is not a league"):
        simulate_league(None, notes)
    config = RunConfig.tiny(name="r", league=str(tiny_league))
    for name in ("", ".", "..", "a/b", ".hidden"):
        with pytest.raises(HFMInputError, match="a run name must be a plain folder name"):
            fit_run(replace(config, name=name), tmp_path / "runs", progress=False)
    with pytest.raises(HFMInputError, match="a folder that is not a run"):
        fit_run(replace(config, name="notes"), tmp_path, progress=False)
    for field, value, flag in (("threads", 0, "--threads"), ("history_seasons", -1, "--history-seasons"),
                               ("cv_seasons", 0, "--cv-seasons")):
        with pytest.raises(HFMInputError, match=f"{flag} must be at least 1"):
            fit_run(replace(config, **{field: value}), tmp_path / "runs", progress=False)
    with pytest.raises(HFMInputError, match="--train-kinds 'bogus'"):
        fit_run(replace(config, examples=replace(config.examples, train_kinds=("bogus",))), tmp_path / "runs",
                progress=False)
    assert (notes / "mine.txt").read_text() == "keep me" and fingerprint(run) == before
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["r"]
