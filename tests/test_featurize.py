"""The featurizer: vocabularies, standardisation, game/PA segmentation, padding, JSON state."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import (
    INPUT_GROUPS, MASKS, PA_OUTCOMES, PITCH_CATEGORICALS, PITCH_NUMERICS, GameKeys, PitchFeaturizer, text_array,
    text_codes,
)
from hfm_runtime.league import load_league
from hfm_runtime.seasons import plate_appearances
from hfm_runtime.statcast import STATCAST_COLUMNS, load_pitches

CAT = {name: j for j, name in enumerate(PITCH_CATEGORICALS)}


def make_pitches(rows: list[dict]) -> pd.DataFrame:
    """Statcast-shaped pitches from a few fields per row; the rest get plausible defaults."""
    defaults = {
        "game_date": "2024-05-01", "pitch_type": "FF", "release_speed": 94.0, "release_spin_rate": 2300.0,
        "release_extension": 6.3, "pfx_x": -0.5, "pfx_z": 1.2, "plate_x": 0.1, "plate_z": 2.4,
        "balls": 0, "strikes": 0, "outs_when_up": 0, "inning": 1, "inning_topbot": "Top",
        "on_1b": np.nan, "on_2b": np.nan, "on_3b": np.nan, "stand": "R", "p_throws": "R",
        "description": "ball", "type": "B", "events": None, "bb_type": None, "launch_speed": np.nan,
        "launch_angle": np.nan, "hit_distance_sc": np.nan, "estimated_woba_using_speedangle": np.nan,
        "delta_run_exp": 0.01, "bat_score": 0, "fld_score": 0, "home_team": "AAA", "away_team": "BBB",
        "game_type": "R", "responsible_batter": np.nan, "responsible_pitcher": np.nan, "hit_location": np.nan,
        "batter_position": np.nan,
    }
    frame = pd.DataFrame([{**defaults, **r} for r in rows])
    return load_pitches(frame[list(STATCAST_COLUMNS)], level="MLB")


def pa(game_pk, ab, batter, pitcher, n, event, game_date="2024-05-01", **last):
    """A plate appearance of n pitches ending with `event` (None: unfinished)."""
    rows = [dict(game_pk=game_pk, at_bat_number=ab, pitch_number=i + 1, batter=batter, pitcher=pitcher,
                 balls=min(i, 3), strikes=0, game_date=game_date) for i in range(n)]
    rows[-1].update(events=event, description="hit_into_play" if event in ("single", "field_out") else "ball",
                    **last)
    return rows


@pytest.fixture()
def pitches() -> pd.DataFrame:
    return make_pitches(
        pa(1, 1, 10, 20, 3, "single", launch_speed=101.0, launch_angle=12.0, bb_type="line_drive")
        + pa(1, 2, 11, 20, 2, "walk")
        + pa(1, 3, 10, 21, 1, "field_out", launch_speed=88.0, launch_angle=30.0)
        + pa(2, 1, 10, 20, 4, "strikeout", game_date="2024-05-03")
        + pa(2, 2, 11, 20, 2, None, game_date="2024-05-03")
    )


def test_games_and_pas_per_perspective(pitches):
    table = PitchFeaturizer().fit_transform(pitches)
    keys = table.keys
    got = list(zip(keys.perspective, keys.player_id, keys.game_pk, table.n_pitches, table.n_pas))
    assert got == [
        ("batter", 10, 1, 4, 2), ("batter", 10, 2, 4, 1), ("batter", 11, 1, 2, 1), ("batter", 11, 2, 2, 1),
        ("pitcher", 20, 1, 5, 2), ("pitcher", 20, 2, 6, 2), ("pitcher", 21, 1, 1, 1),
    ]
    assert table.cat.shape == (table.pitch_offsets[-1], len(PITCH_CATEGORICALS))
    assert table.num.shape == (table.pitch_offsets[-1], len(PITCH_NUMERICS))
    assert str(keys.game_date[1]) == "2024-05-03" and keys.season.tolist() == [2024] * 7
    outcome = [PA_OUTCOMES[i] for i in table.pa_outcome]
    # batter 10: single, field_out | strikeout; 11: walk | unfinished; pitcher 20: single, walk | SO, -
    assert outcome == ["1B", "OUT", "SO", "BB", "OTHER", "1B", "BB", "SO", "OTHER", "OUT"]
    first = table.take([0])
    assert first.pa_of_pitch.tolist() == [0, 0, 0, 1]
    persp = PitchFeaturizer().fit(pitches).vocabularies_["perspective"]
    assert set(table.cat[:, CAT["perspective"]]) == {persp.tokens.index("batter"), persp.tokens.index("pitcher")}


def test_numerics_standardised_missing_is_zero(pitches):
    featurizer = PitchFeaturizer().fit(pitches)
    table = featurizer.transform(pitches, perspectives=("batter",))
    launch = table.num[:, PITCH_NUMERICS.index("launch_speed")]
    contact = table.num[:, PITCH_NUMERICS.index("contact_tracked")]
    assert np.isfinite(table.num).all()
    assert (launch != 0).sum() == 2 and np.isclose(launch[launch != 0].mean(), 0.0, atol=1e-6)
    # the mask is not standardised: 1.0 exactly where launch speed was measured, 0.0 elsewhere
    assert set(np.unique(contact)) == {0.0, 1.0} and ((contact == 1.0) == (launch != 0)).all()
    assert table.num.dtype == np.float32 and table.cat.dtype == np.int64


def test_untracked_pitches_are_masked_and_groups_not_fitted_are_ignored(pitches):
    """A featurizer fitted on pitches without tracking (Retrosheet's) records no tracking groups and
    reads a tracked file as if it had none: the same inputs it was trained on."""
    untracked = pitches.copy()
    for names in INPUT_GROUPS.values():
        for name in names:
            untracked[name] = pd.Series([np.nan] * len(untracked), dtype=untracked[name].dtype)
    plain = PitchFeaturizer().fit(untracked)
    assert plain.input_groups_ == ()
    full = PitchFeaturizer().fit(pitches)
    assert full.input_groups_ == tuple(INPUT_GROUPS)
    a, b = plain.transform(untracked), plain.transform(pitches)
    np.testing.assert_array_equal(a.num, b.num)
    np.testing.assert_array_equal(a.cat, b.cat)
    masks = [PITCH_NUMERICS.index(m) for m in MASKS]
    assert (a.num[:, masks] == 0.0).all()  # every pitch says "not measured"
    assert (full.transform(pitches).num[:, PITCH_NUMERICS.index("pitch_tracked")] == 1.0).any()
    # the fitted groups survive a JSON round trip
    assert PitchFeaturizer.from_json(plain.to_json()).input_groups_ == ()


def test_unknown_categories_map_to_unk_and_missing_to_pad(pitches):
    featurizer = PitchFeaturizer().fit(pitches)
    odd = pitches.copy()
    odd["pitch_type"] = odd["pitch_type"].astype(object)
    odd.loc[0, "pitch_type"] = "KN"          # never seen in fit
    odd.loc[1, "pitch_type"] = None          # missing
    odd.loc[2, "description"] = "bunt_foul"  # unseen
    odd.loc[2, "events"] = "game_advisory"   # unseen, non-PA event
    odd.loc[3, "stand"] = "S"
    for n in (len(odd), 5000):  # the small (dict) and large (pandas) encoding paths agree
        frame = pd.concat([odd] * (n // len(odd) + 1), ignore_index=True).iloc[: max(n, len(odd))]
        table = featurizer.transform(frame.iloc[: len(odd)] if n == len(odd) else frame, perspectives=("pitcher",))
        row = {name: table.cat[:, j] for name, j in CAT.items()}
        assert (row["pitch_type"] == 1).sum() >= 1 and (row["pitch_type"] == 0).sum() >= 1
        assert (row["description"] == 1).sum() >= 1 and (row["platoon"] == 1).sum() >= 1
        assert table.cat.min() >= 0


def test_json_round_trip(pitches):
    featurizer = PitchFeaturizer().fit(pitches)
    restored = PitchFeaturizer.from_json(json.loads(json.dumps(featurizer.to_json())))
    a, b = featurizer.transform(pitches), restored.transform(pitches)
    np.testing.assert_array_equal(a.cat, b.cat)
    np.testing.assert_array_equal(a.num, b.num)
    assert restored.vocab_sizes == featurizer.vocab_sizes
    with pytest.raises(HFMInputError, match="categoricals"):
        PitchFeaturizer.from_json({**featurizer.to_json(), "categoricals": ["pitch_type"]})


def test_collate_pads_to_contract(pitches):
    table = PitchFeaturizer().fit_transform(pitches)
    batch = table.collate([5, 6])  # pitcher 20 game 2 (6 pitches, 2 PAs), pitcher 21 (1 pitch)
    assert batch.cat.shape == (2, 6, len(PITCH_CATEGORICALS)) and batch.num.shape == (2, 6, len(PITCH_NUMERICS))
    assert batch.pitch_mask.sum(1).tolist() == [6, 1] and batch.pa_mask.tolist() == [[True, True], [True, False]]
    assert (batch.cat[1, 1:] == 0).all() and (batch.num[1, 1:] == 0).all() and (batch.pa_of_pitch[1] == 0).all()
    assert batch.pa_of_pitch[0].tolist() == [0, 0, 0, 0, 1, 1]
    assert [PA_OUTCOMES[i] for i in batch.pa_outcome[0]] == ["SO", "OTHER"] and batch.pa_outcome[1, 1] == 0
    np.testing.assert_array_equal(batch.cat[0], table.cat[table.pitch_offsets[5]:table.pitch_offsets[6]])


def test_players_filter_and_bad_input(pitches):
    featurizer = PitchFeaturizer().fit(pitches)
    table = featurizer.transform(pitches, perspectives=("batter",), players=[11])
    assert table.keys.player_id.tolist() == [11, 11] and table.n_pitches.tolist() == [2, 2]
    with pytest.raises(HFMInputError, match="release_speed"):
        featurizer.transform(pitches.drop(columns="release_speed"))
    with pytest.raises(HFMInputError, match="perspective"):
        featurizer.transform(pitches, perspectives=("catcher",))


def test_pa_outcomes_agree_with_plate_appearances(tiny_league):
    pitches = load_league(tiny_league).pitches
    table = PitchFeaturizer().fit_transform(pitches, perspectives=("batter",))
    mine = pd.DataFrame({
        "batter": table.keys.player_id.repeat(table.n_pas),
        "game_pk": table.keys.game_pk.repeat(table.n_pas),
        "outcome": np.array(PA_OUTCOMES, dtype=object)[table.pa_outcome],
    })
    theirs = plate_appearances(pitches)[["batter", "game_pk", "outcome"]]
    count = lambda f: f[f.outcome != "OTHER"].value_counts().sort_index()  # noqa: E731
    assert len(theirs) > 100
    pd.testing.assert_series_equal(count(mine), count(theirs))


def test_one_game_calls_match_the_whole_league_call(tiny_league):
    """One game's few rows take the small-input shortcuts (dict factorizing, one 2-D numeric read,
    Arrow text); the whole league takes the pandas paths. Both must give the same games."""
    pitches = load_league(tiny_league).pitches
    assert len(pitches) > 4096
    featurizer = PitchFeaturizer().fit(pitches)
    whole = featurizer.transform(pitches)
    where = {(p, pid, g): i for i, (p, pid, g) in enumerate(zip(whole.keys.perspective, whole.keys.player_id,
                                                                whole.keys.game_pk))}
    rng = np.random.default_rng(0)
    for game_pk in rng.choice(pitches["game_pk"].unique(), 12, replace=False):
        rows = pitches[pitches["game_pk"] == game_pk]
        for perspective in ("batter", "pitcher"):
            pid = int(rows[perspective].iloc[-1])
            # the whole game's rows, and only his (a few dozen: every small-input shortcut applies)
            for some in (rows, rows[rows[perspective] == pid]):
                one = featurizer.transform(some, perspectives=(perspective,), players=[pid])
                _assert_same_games(one, whole.take([where[(perspective, pid, game_pk)]]))


def _assert_same_games(one, expected):
    for name in ("cat", "num", "pa_of_pitch", "pitch_offsets", "pa_offsets", "pa_outcome"):
        a, b = getattr(one, name), getattr(expected, name)
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b, err_msg=name)
    for name, a in one.keys.to_arrays().items():
        np.testing.assert_array_equal(a, expected.keys.to_arrays()[name], err_msg=name)


def test_small_input_column_reads_match_naive_reads(tiny_league):
    from hfm_runtime.featurize import REQUIRED_COLUMNS, _IDS, _TEXT, read_columns

    pitches = load_league(tiny_league).pitches
    for rows in (pitches.iloc[:30], pitches.iloc[:0], pitches.iloc[::997]):
        cols = read_columns(rows)
        for c in REQUIRED_COLUMNS:
            if c in _TEXT:
                naive = rows[c].to_numpy(dtype=object, na_value=None)
            elif c in _IDS:
                naive = rows[c].to_numpy(np.int64)
            elif c == "game_date":
                naive = rows[c].to_numpy().astype("datetime64[D]")
            else:
                naive = rows[c].to_numpy(np.float64, na_value=np.nan)
            assert cols[c].dtype == naive.dtype, c
            np.testing.assert_array_equal(cols[c], naive, err_msg=c)


def test_integer_codes_through_a_table_match_a_sort():
    """_codes on many small integer keys (a lookup table, not np.unique): every value maps back to
    itself, negatives are missing (-1), the distinct values ascend; an all-missing column and keys
    too large for the table give the same kind of result."""
    from hfm_runtime.featurize import _DENSE, _codes

    rng = np.random.default_rng(3)
    for values in (rng.integers(-1, 300, 5000), np.full(500, -1), rng.integers(-1, 3, 500) * _DENSE):
        codes, uniques = _codes(values)
        valid = values >= 0
        assert (codes[~valid] == -1).all()
        assert [u for u in uniques if u is not None] == np.unique(values[valid]).tolist()
        assert np.array(uniques + [None], dtype=object)[codes[valid]].tolist() == values[valid].tolist()


def test_without_features_the_games_pas_and_outcomes_are_the_same(pitches):
    """features=False (a scorer's player type whose rates read no context) keeps every game, PA and
    outcome of the full transform, with cat (but its perspective token) and num all zeros."""
    f = PitchFeaturizer().fit(pitches)
    for perspectives, players in ((("batter", "pitcher"), None), (("pitcher",), [int(pitches["pitcher"].iloc[0])])):
        full = f.transform(pitches, perspectives, players)
        bare = f.transform(pitches, perspectives, players, features=False)
        for name in ("pa_of_pitch", "pitch_offsets", "pa_offsets", "pa_outcome"):
            np.testing.assert_array_equal(getattr(bare, name), getattr(full, name), err_msg=name)
        for name in GameKeys.__dataclass_fields__:
            np.testing.assert_array_equal(getattr(bare.keys, name), getattr(full.keys, name), err_msg=name)
        assert bare.cat.shape == full.cat.shape and not bare.cat[:, :-1].any()
        np.testing.assert_array_equal(bare.cat[:, -1], full.cat[:, -1])
        assert bare.num.shape == full.num.shape and not bare.num.any()


def test_text_codes_is_factorize_of_the_text_on_every_storage() -> None:
    """Arrow's dictionary encoding (pyarrow-backed text, one chunk or several) and pandas' factorize
    (object and python-string columns) give the same codes, -1 where missing, and distinct values."""
    pytest.importorskip("pyarrow")
    values = ["ball", None, "foul", "ball", "", "hit_into_play", None, "foul"]
    arrow = pd.Series(values, dtype=pd.StringDtype("pyarrow"))
    chunked = pd.concat([arrow.iloc[:3], arrow.iloc[3:]], ignore_index=True)
    assert chunked.array.__arrow_array__().num_chunks == 2
    expected = (np.array([0, -1, 1, 0, 2, 3, -1, 1]), ["ball", "foul", "", "hit_into_play"])
    for series in (arrow, chunked, arrow.iloc[2:], pd.Series(values, dtype=object),
                   pd.Series(values, dtype=pd.StringDtype("python"))):
        codes, uniques = text_codes(series)
        start = len(values) - len(series)
        want_codes, want_uniques = pd.factorize(text_array(series))
        assert codes.dtype == np.int64 and uniques.dtype == object
        np.testing.assert_array_equal(codes, want_codes)
        assert list(uniques) == list(want_uniques)
        if start == 0:
            np.testing.assert_array_equal(codes, expected[0])
            assert list(uniques) == expected[1]
    empty_codes, empty_uniques = text_codes(arrow.iloc[:0])
    assert len(empty_codes) == 0 and len(empty_uniques) == 0
