"""The simulated league: contract, determinism, and outcome rates that follow the talents."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.statcast import STATCAST_COLUMNS
from hfm_runtime.targets import TARGET_STATS
from hfm_train.sim import model as M
from hfm_train.simulate import LeagueConfig, simulate_league

KIND_CHECK = {
    "int": pd.api.types.is_integer_dtype,
    "float": pd.api.types.is_float_dtype,
    "str": lambda s: pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s),
    "date": lambda s: str(s.dtype) == "datetime64[ns]",
}


def _pitches(league: Path, level: str | None = None) -> pd.DataFrame:
    files = sorted(league.glob(f"pitches/{level or '*'}/*.parquet"))
    frames = [pd.read_parquet(f).assign(level=f.parent.name, season=int(f.stem)) for f in files]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def pitches(tiny_league: Path) -> pd.DataFrame:
    return _pitches(tiny_league)


@pytest.fixture(scope="module")
def lines(pitches: pd.DataFrame, tiny_league: Path) -> pd.DataFrame:
    """Realised PA outcome counts per (player, season, level, role) joined to the true talent."""
    pa = pitches[pitches["events"].notna()]
    out = []
    for role in ("batter", "pitcher"):
        g = pa.groupby([role, "season", "level"])["events"]
        counts = pd.DataFrame({
            "PA": g.size(),
            "SO": g.apply(lambda e: (e == "strikeout").sum()),
            "BB": g.apply(lambda e: (e == "walk").sum()),
            "HR": g.apply(lambda e: (e == "home_run").sum()),
        }).reset_index().rename(columns={role: "player_id"})
        out.append(counts.assign(player_type=role))
    talent = pd.read_parquet(tiny_league / "true_talent.parquet")
    return pd.concat(out).merge(talent, on=["player_id", "season", "player_type"],
                                suffixes=("", "_true"))


def test_layout_and_schema(tiny_league: Path, pitches: pd.DataFrame) -> None:
    meta = json.loads((tiny_league / "league.json").read_text())
    cfg = LeagueConfig.tiny()
    assert meta["schema_version"] == 1 and meta["seasons"] == cfg.seasons and meta["levels"] == ["MLB", "AAA"]
    for level in ("MLB", "AAA"):
        for season in cfg.seasons:
            frame = pd.read_parquet(tiny_league / "pitches" / level / f"{season}.parquet")
            assert list(frame.columns) == list(STATCAST_COLUMNS)
            for col, kind in STATCAST_COLUMNS.items():
                assert KIND_CHECK[kind](frame[col]), (level, season, col, frame[col].dtype)
            keys = frame[["game_pk", "at_bat_number", "pitch_number"]]
            assert keys.equals(keys.sort_values(list(keys.columns)).reset_index(drop=True))
            assert frame["game_date"].dt.month.between(4, 9).all()
            assert (frame["game_date"] == frame["game_date"].dt.normalize()).all()
    assert pitches.groupby("game_pk")["level"].nunique().max() == 1
    assert set(pitches["pitch_type"]) <= set(M.PITCH_TYPES)
    assert set(pitches["type"]) == {"B", "S", "X"}
    assert set(pitches["bb_type"].dropna()) == {"ground_ball", "line_drive", "fly_ball", "popup"}
    for base in ("on_1b", "on_2b", "on_3b"):
        assert pitches[base].isna().any() and pitches[base].dropna().isin(pitches["batter"]).all()

    players = pd.read_csv(tiny_league / "players.csv")
    assert list(players.columns) == ["player_id", "name_first", "name_last", "birth_date", "bats",
                                     "throws", "player_type"]
    assert players["player_id"].is_unique
    assert set(players["bats"]) <= {"L", "R", "S"} and set(players["throws"]) <= {"L", "R"}
    pd.to_datetime(players["birth_date"], format="%Y-%m-%d")
    assert set(pitches["batter"]) | set(pitches["pitcher"]) <= set(players["player_id"])

    talent = pd.read_parquet(tiny_league / "true_talent.parquet")
    assert not talent.duplicated(["player_id", "season"]).any()
    for ptype, stats in TARGET_STATS.items():
        rows = talent[talent["player_type"] == ptype]
        assert rows[list(stats)].notna().all().all() and rows[list(stats)].apply(lambda c: c.between(0, 1)).all().all()
        others = set(TARGET_STATS["batter"]) - set(stats)
        assert rows[list(others)].isna().all().all()
    # everyone who played is in the oracle table for that season
    played = pitches[["batter", "season"]].drop_duplicates().rename(columns={"batter": "player_id"})
    assert played.merge(talent, on=["player_id", "season"], how="left")["SO"].notna().all()


def test_one_event_per_pa_on_its_last_pitch(pitches: pd.DataFrame) -> None:
    g = pitches.groupby(["game_pk", "at_bat_number"])
    assert (g["events"].count() == 1).all()
    last = pitches["pitch_number"] == g["pitch_number"].transform("max")
    assert pitches["events"].notna().eq(last).all()
    assert (g["pitch_number"].transform("min") == 1).all()
    assert (g["batter"].nunique() == 1).all() and (g["pitcher"].nunique() == 1).all()
    in_play = pitches["type"] == "X"
    assert pitches.loc[in_play, "launch_speed"].notna().all() and pitches.loc[~in_play, "bb_type"].isna().all()
    assert (pitches.loc[pitches["events"] == "walk", "balls"] == 3).all()
    assert (pitches.loc[pitches["events"] == "strikeout", "strikes"] == 2).all()


def test_deterministic_for_a_seed(tmp_path: Path) -> None:
    cfg = LeagueConfig(seed=11, n_seasons=2, mlb_teams=2, aaa_teams=2, games_per_team=3)
    a, b = (_pitches(simulate_league(cfg, tmp_path / name)) for name in ("a", "b"))
    pd.testing.assert_frame_equal(a, b)
    other = _pitches(simulate_league(LeagueConfig(**{**cfg.to_json(), "seed": 12}), tmp_path / "c"))
    assert not a[["batter", "events"]].equals(other[["batter", "events"]])


def _exact(**changes: float) -> np.ndarray:
    """Exact PA-outcome probabilities of an average batter vs an average righty, with one talent moved."""
    z = np.zeros(1)
    mix = np.array([[.45, .1, .1, .15, .1, .1, 0]])
    bat = M.Batters(z + changes.get("contact", 0), z + changes.get("power", 0),
                    z + changes.get("discipline", 0), z + changes.get("speed", 0), np.zeros(1, int))
    pit = M.Pitchers(z + changes.get("velocity", 0), z + changes.get("movement", 0),
                     z + changes.get("command", 0), np.zeros((1, M.N_TYPES)), mix, np.zeros(1, int))
    p = M.pa_outcome_probs(bat, pit)[0]
    assert abs(p.sum() - 1) < 1e-9
    return dict(zip(M.PA_OUTCOMES, p))


@pytest.mark.parametrize("talent, stat, sign", [
    ("contact", "SO", -1), ("power", "HR", +1), ("discipline", "BB", +1), ("speed", "3B", +1),
    ("velocity", "SO", +1), ("movement", "SO", +1), ("command", "BB", -1),
])
def test_exact_rates_respond_to_talents(talent: str, stat: str, sign: int) -> None:
    low, mid, high = (_exact(**{talent: v})[stat] for v in (-1.0, 0.0, 1.0))
    assert sign * (high - mid) > 0 and sign * (mid - low) > 0, (talent, stat, low, mid, high)


def test_platoon_favours_the_pitcher_on_same_side() -> None:
    z = np.zeros(2)
    mix = np.tile([.45, .1, .1, .15, .1, .1, 0], (2, 1))
    bat = M.Batters(z, z, z, z, np.zeros(2, int))  # two right-handed batters
    pit = M.Pitchers(z, z, z, np.zeros((2, M.N_TYPES)), mix, np.array([0, 1]))  # vs RHP, vs LHP
    p = M.pa_outcome_probs(bat, pit)
    so, hr = p[:, 0], p[:, 7]
    assert so[0] > so[1] and hr[0] < hr[1]


@pytest.mark.parametrize("ptype, talent, stat, sign", [
    ("batter", "contact", "SO", -1), ("batter", "power", "HR", +1), ("batter", "discipline", "BB", +1),
    ("pitcher", "velocity", "SO", +1), ("pitcher", "command", "BB", -1),
])
def test_simulated_rates_respond_to_talents(lines: pd.DataFrame, ptype: str, talent: str, stat: str,
                                            sign: int) -> None:
    """Players above the median talent show the expected realised rate difference (> 3 SE)."""
    rows = lines[lines["player_type"] == ptype]
    high = rows[talent] > rows[talent].median()
    rate = lambda r: r[stat].sum() / r["PA"].sum()  # noqa: E731
    hi, lo = rate(rows[high]), rate(rows[~high])
    pooled = rate(rows)
    se = np.sqrt(pooled * (1 - pooled) * (1 / rows[high]["PA"].sum() + 1 / rows[~high]["PA"].sum()))
    assert sign * (hi - lo) > 3 * se, (hi, lo, se)


@pytest.mark.parametrize("ptype", ["batter", "pitcher"])
@pytest.mark.parametrize("stat", ["SO", "BB", "HR"])
def test_realised_mlb_rates_match_true_talent(lines: pd.DataFrame, ptype: str, stat: str) -> None:
    """In MLB (where the oracle's opposition is the real one) realised counts are unbiased draws."""
    rows = lines[(lines["player_type"] == ptype) & (lines["level"] == "MLB")]
    expected = (rows["PA"] * rows[f"{stat}_true"]).sum()
    var = (rows["PA"] * rows[f"{stat}_true"] * (1 - rows[f"{stat}_true"])).sum()
    z = (rows[stat].sum() - expected) / np.sqrt(var)
    assert abs(z) < 4, (stat, rows[stat].sum(), expected, z)
    # and the players differ: true rates spread, and realised rates track them
    per = rows[rows["PA"] >= 40]
    assert per[f"{stat}_true"].std() > 0.005
    if stat == "SO":
        assert np.corrcoef(per[stat] / per["PA"], per[f"{stat}_true"])[0, 1] > 0.3


def test_promotions_and_turnover(tiny_league: Path) -> None:
    talent = pd.read_parquet(tiny_league / "true_talent.parquet")
    both = talent[(talent["PA_MLB"] > 0) & (talent["PA_AAA"] > 0)]
    assert len(both) > 0  # moved between levels mid-season
    level = talent.pivot_table(index="player_id", columns="season", values="level", aggfunc="first")
    moved = (level.shift(axis=1) == "AAA") & (level == "MLB")
    assert moved.any().any()  # promoted between seasons
    seasons = sorted(talent["season"].unique())
    first, last = (set(talent.loc[talent["season"] == s, "player_id"]) for s in (seasons[0], seasons[-1]))
    assert first - last and last - first  # retirements and newcomers
    young = talent[talent["season"] == seasons[-1]].loc[lambda t: ~t["player_id"].isin(first)]
    assert young["age"].median() < 27
    # AAA talent is weaker on average, in MLB-equivalent terms
    mean = talent.groupby(["player_type", "level"])[["SO"]].mean()["SO"]
    assert mean["batter", "AAA"] > mean["batter", "MLB"] and mean["pitcher", "AAA"] < mean["pitcher", "MLB"]
