"""The 2009-2018 Statcast extract joined to Retrosheet seasons (hfm_train.tracking_join), on the three
real games of tests/data/retrosheet (with Retrosheet's notice). The extract itself is not in the
project: each test writes one from the league's own pitches in the extract's shape (names, not ids;
pitches newest first; no pitch number), then damages it the ways the real one is damaged."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import INPUT_GROUPS, PitchFeaturizer
from hfm_runtime.league import load_league
from hfm_runtime.skills import SKILL_RATES, pitch_skill_columns
from hfm_train.tracking_join import join_league, normalise_name, partly_tracked_warning

from clitools import run_cli
from hfm_train.cli import main as hfm_train

DATA = Path(__file__).parent / "data" / "retrosheet"


@pytest.fixture(scope="module")
def league(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("retro") / "league"
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(DATA / "2019"), "--register",
                                    str(DATA / "chadwick_register_retro.csv"), "--out", str(out),
                                    "--no-progress", "--workers", "1"])
    assert code == 0, err
    return out


def speed(pitches: pd.DataFrame) -> np.ndarray:
    """The release speed the written extract gives each pitch: unique per pitch of a plate appearance."""
    return 80.0 + pitches["pitch_number"].to_numpy(float) + (pitches["at_bat_number"].to_numpy(float) % 10) / 10


def write_extract(league: Path, path: Path, damage=lambda x: x) -> pd.DataFrame:
    """The league's pitches as the extract holds them (module docstring), `damage`d, written to `path`."""
    lg = load_league(league)
    p = lg.pitches[lg.pitches["description"] != "no_pitch"].copy()
    names = lg.players.set_index("player_id")
    full = (names["name_first"] + " " + names["name_last"])
    in_play = p["description"].astype(str).str.startswith("hit_into_play").to_numpy()
    x = pd.DataFrame({
        "player_name": full.reindex(p["pitcher"]).to_numpy(), "batter_name": full.reindex(p["batter"]).to_numpy(),
        "pitch_type": "FF", "game_date": pd.to_datetime(p["game_date"]).dt.strftime("%Y-%m-%d").to_numpy(),
        "release_speed": speed(p), "events": p["events"].to_numpy(),
        "launch_speed": np.where(in_play, 101.5, np.nan), "woba_value": np.nan, "bb_type": p["bb_type"].to_numpy(),
        "balls": p["balls"].to_numpy(float), "strikes": p["strikes"].to_numpy(float),
        "outs_when_up": p["outs_when_up"].to_numpy(float), "at_bat_number": p["at_bat_number"].to_numpy(float),
        "type": p["type"].to_numpy(),
    })
    x = x.iloc[::-1].reset_index(drop=True)  # newest first
    x = damage(x)
    x.to_parquet(path, index=False)
    return x


def joined(league: Path, tmp_path: Path, damage=lambda x: x) -> tuple[pd.DataFrame, dict]:
    write_extract(league, tmp_path / "extract.parquet", damage)
    out = tmp_path / "tracked"
    join_league(league, tmp_path / "extract.parquet", out, log=lambda line: None)
    meta = json.loads((out / "league.json").read_text())
    return load_league(out).pitches, meta["tracking_join"]["seasons"]["2019"]


def test_names_normalised():
    assert normalise_name("José D. Martínez Jr.") == "jose d martinez"
    assert normalise_name("J.D. Martinez") == normalise_name("JD Martinez") == "jd martinez"
    assert normalise_name("Hyun-Jin Ryu") == "hyun jin ryu"
    assert normalise_name(None) == ""


def test_every_pitch_gets_its_own_measurement(league, tmp_path):
    pitches, tally = joined(league, tmp_path)
    real = pitches["description"] != "no_pitch"
    assert tally["matched"] == tally["plate_appearances"] > 100
    assert tally["pitches_matched"] == int(real.sum())
    # pitch i of a plate appearance took the extract's i-th oldest (the extract lists newest first)
    np.testing.assert_array_equal(pitches.loc[real, "release_speed"].to_numpy(), speed(pitches[real]))
    in_play = pitches["description"].astype(str).str.startswith("hit_into_play")
    assert (pitches.loc[in_play, "launch_speed"] == 101.5).all() and pitches.loc[~in_play, "launch_speed"].isna().all()
    assert (pitches.loc[real, "pitch_type"] == "FF").all()
    before = load_league(league)
    assert before.pitches["release_speed"].isna().all()  # the input league is left as it was
    pd.testing.assert_frame_equal(before.pitches.drop(columns=["pitch_type", "release_speed", "launch_speed"]),
                                  pitches.drop(columns=["pitch_type", "release_speed", "launch_speed"]))


def test_damaged_extract_matches_what_it_can(league, tmp_path):
    lg = load_league(league)
    names = lg.players.set_index("player_id")
    counts = lg.pitches.groupby("batter").size()
    drifted = int(counts.index[counts.argmax()])  # the batter with the most pitches: several meetings
    first, last = names.loc[drifted, "name_first"], names.loc[drifted, "name_last"]
    pitcher = int(lg.pitches["pitcher"].iloc[0])

    def damage(x: pd.DataFrame) -> pd.DataFrame:
        x = x.copy()
        x.loc[x["batter_name"] == f"{first} {last}", "batter_name"] = "Zed Zedson"  # a name that drifted
        p = f"{names.loc[pitcher, 'name_first']} {names.loc[pitcher, 'name_last']}"
        x.loc[x["player_name"] == p, "player_name"] = p.upper() + " Jr."  # case and suffix
        bip = np.flatnonzero(x["launch_speed"].notna().to_numpy())
        x.loc[x.index[bip[::2]], "launch_speed"] = 80.0  # the untracked ball's constants,
        x.loc[x.index[bip[1::2]], "launch_speed"] = float(np.float32(82.9))  # as float32 wrote one
        other = (x["player_name"] != p.upper() + " Jr.").to_numpy()
        ab, ev = x["at_bat_number"].to_numpy(), x["events"].notna().to_numpy()
        # the last plate appearance with 2+ pitches: its events row swapped behind the next pitch
        e = np.flatnonzero(other[:-1] & ev[:-1] & (ab[:-1] == ab[1:]))[-1]
        order = np.arange(len(x))
        order[[e, e + 1]] = [e + 1, e]
        x = x.iloc[order].reset_index(drop=True)
        return x.drop(index=np.flatnonzero(other & ~ev)[0])  # one plate appearance loses a pitch

    pitches, tally = joined(league, tmp_path, damage)
    assert tally["pitch_count_differs"] == 1 and tally["extract_order_broken"] == 1
    assert tally["matched"] == tally["plate_appearances"] - 2
    assert tally["drifted_names_learned"]["batter"] >= 1
    assert pitches.loc[pitches["batter"] == drifted, "release_speed"].notna().all()
    assert pitches.loc[pitches["pitcher"] == pitcher, "release_speed"].notna().all()
    assert pitches["launch_speed"].isna().all()  # 80.0 on a 2015+ ball in play is no measurement
    per_pa = pitches[pitches["description"] != "no_pitch"].groupby(["game_pk", "at_bat_number"])["release_speed"]
    assert (per_pa.count() == 0).sum() == 2  # the damaged plate appearances are left missing, whole


def test_fit_warns_of_a_window_tracked_in_part():
    meta = {"tracking_join": {"seasons": {str(s): {"matched": 1} for s in range(2009, 2019)}}}
    assert partly_tracked_warning(meta, 2019) is None  # 2016-2018: all tracked
    assert partly_tracked_warning(meta, 2008) is None  # none tracked
    assert "[2018]" in partly_tracked_warning(meta, 2021)  # 2018-2020: the oldest only
    assert partly_tracked_warning({}, 2021) is None  # no join


def test_bad_extract_is_one_clear_error(league, tmp_path):
    with pytest.raises(HFMInputError, match="no such file"):
        join_league(league, tmp_path / "absent.parquet", tmp_path / "out")
    write_extract(league, tmp_path / "x.parquet", lambda x: x.drop(columns=["batter_name"]))
    with pytest.raises(HFMInputError, match=r"x\.parquet: missing column\(s\) batter_name"):
        join_league(league, tmp_path / "x.parquet", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_cli_writes_the_tally(league, tmp_path):
    write_extract(league, tmp_path / "extract.parquet")
    code, err = run_cli(hfm_train, ["hfm-train", "join-tracking", str(league), "--extract",
                                    str(tmp_path / "extract.parquet"), "--out", str(tmp_path / "t"), "--no-progress"])
    assert code == 0, err
    meta = json.loads((tmp_path / "t" / "league.json").read_text())
    assert meta["tracking_join"]["seasons"]["2019"]["matched"] > 100
    assert meta["source"] == "retrosheet" and meta["retrosheet"]["notice"]


def test_launch_speed_without_angle_counts(league, tmp_path):
    """The extract has launch speeds but no angles: speed rates read them, angle rates do not."""
    pitches, _ = joined(league, tmp_path)
    cols = pitch_skill_columns(pitches)
    assert SKILL_RATES["launch_speed"][1] == SKILL_RATES["hard_rate"][1] == "speed_n"
    in_play = pitches["description"].astype(str).str.startswith("hit_into_play").to_numpy()
    np.testing.assert_array_equal(np.asarray(cols["speed_n"], bool), in_play)
    assert not np.asarray(cols["tracked"], bool).any()  # no angle: not a tracked ball for angle rates
    assert np.asarray(cols["hard"], bool).sum() == in_play.sum()  # 101.5 mph >= 95


def test_featurizer_can_leave_tracking_out(league, tmp_path):
    """fit_parts(without=...) on tracked pitches = fit on the same pitches untracked (so a run on the
    joined league can reuse the Level 1 of the league without it)."""
    pitches, _ = joined(league, tmp_path)
    untracked = load_league(league).pitches
    off = PitchFeaturizer().fit_parts([pitches], without=list(INPUT_GROUPS)[:2])
    assert off.to_json() == PitchFeaturizer().fit(untracked).to_json()
    assert PitchFeaturizer().fit(pitches).input_groups_ == ("pitch_tracking", "contact_tracking")
    with pytest.raises(HFMInputError, match="unknown input group"):
        PitchFeaturizer().fit_parts([pitches], without=["spin"])
