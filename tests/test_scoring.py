"""Runtime scoring from the tiny bundle: equals PyTorch, the Level-1 cache, fallbacks, the adapter, hfm-score."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.cli import main as score_main
from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.marcel import league_rates as marcel_league_rates
from hfm_runtime.scoring import SCORE_COLUMNS, History, PipelineAdapter, Scorer, ScorerOptions, plausible_range
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

pytestmark = pytest.mark.slow  # uses the tiny trained run and its bundle
TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def history(tiny_league: Path) -> History:
    return History.from_league(load_league(tiny_league))


@pytest.fixture(scope="module")
def scorer(tiny_bundle: Path) -> Scorer:
    return Scorer(tiny_bundle)


def test_scores_equal_the_pytorch_model(scorer, history, tiny_torch_projection, max_diff_from_torch):
    season, ref = tiny_torch_projection
    ids = sorted(set(ref.index.get_level_values("player_id")))
    table = scorer.score(history, season, ids)
    assert list(table.columns) == list(SCORE_COLUMNS)
    assert (table["as_of_date"] == ref["as_of_date"].iloc[0]).all()  # both: the season's opening day
    worst = max_diff_from_torch(table)
    print(f"runtime vs torch: max |onnxruntime - torch| = {worst:.2e}")
    assert worst < TOLERANCE, worst
    got = table.set_index(["player_type", "player_id"])
    # and the blend is marcel + w * (the model's own rate - marcel), each pulled into the plausible
    # range, with projected counts at the expected opportunities
    batters = got.loc["batter"]
    row = batters[batters["flag"] == "model"].iloc[0]
    w = scorer.bundle.blend_weights("batter")
    assert w["SO"] > 0
    low, high = plausible_range(scorer.bundle, "batter")
    low, high = low[0], high[0]  # SO comes first
    own = row["model_SO"] + (row["marcel_SO"] if scorer.bundle.target_mode == "residual" else 0.0)
    blended = row["marcel_SO"] + w["SO"] * (np.clip(own, low, high) - row["marcel_SO"])
    assert row["rate_SO"] == pytest.approx(np.clip(blended, low, high))
    assert row["proj_SO"] == pytest.approx(row["rate_SO"] * row["opportunities_mean"])


def test_rescoring_after_one_new_game_encodes_only_that_game(tiny_bundle, history):
    scorer = Scorer(tiny_bundle, ScorerOptions(full_context=True))  # Graph 1 runs whatever the head
    season = max(load_league_seasons(history))
    p = history.pitches
    mlb = p[(p["level"] == "MLB") & (p["game_date"].dt.year == season)]
    batter = int(mlb.groupby("batter")["game_pk"].nunique().idxmax())
    dates = np.sort(mlb.loc[mlb["batter"] == batter, "game_date"].unique())
    d1, d2 = pd.Timestamp(dates[3]), pd.Timestamp(dates[4])  # exactly one of his games in [d1, d2)

    first = scorer.score(history, season, [batter], as_of=d1)
    before = (scorer.stats.graph1_runs, scorer.stats.games_encoded, scorer.stats.hits)
    assert before[1] == int(first["n_games"].iloc[0]) > 0
    second = scorer.score(history, season, [batter], as_of=d2)
    assert scorer.stats.games_encoded - before[1] == 1  # only the new game went through Graph 1
    assert scorer.stats.graph1_runs - before[0] == 1
    assert scorer.stats.hits - before[2] == int(second["n_games"].iloc[0]) - 1
    runs = scorer.stats.graph1_runs
    scorer.score(history, season, [batter], as_of=d2)
    assert scorer.stats.graph1_runs == runs  # everything cached now
    fresh = Scorer(tiny_bundle, ScorerOptions(full_context=True)).score(history, season, [batter], as_of=d2)
    cols = [f"model_{s}" for s in TARGET_STATS["batter"]]
    np.testing.assert_allclose(second[cols].to_numpy(), fresh[cols].to_numpy(), atol=1e-6)


def test_a_bundle_whose_rates_ignore_the_context_scores_without_encoding_it(tiny_wide_bundle, history):
    """A bundle whose heads on Levels 2-3 are zero (the wide path alone) says its rates do not read the
    context: scoring runs no Graph 1 and gives, to the bit, the rates of the whole path
    (ScorerOptions.full_context), at opening day and in season."""
    fast, full = Scorer(tiny_wide_bundle), Scorer(tiny_wide_bundle, ScorerOptions(full_context=True))
    assert not any(fast.reads_context.values()) and all(full.reads_context.values())
    season = max(load_league_seasons(history))
    p = history.pitches
    mid = pd.Timestamp(np.sort(p.loc[p["game_date"].dt.year == season, "game_date"].unique())[10])
    for as_of in (None, mid):
        got, want = fast.score(history, season, as_of=as_of), full.score(history, season, as_of=as_of)
        pd.testing.assert_frame_equal(got, want)
        assert (got["flag"] == "model").sum() > 10
    assert fast.stats.graph1_runs == fast.stats.games_encoded == 0 and full.stats.games_encoded > 0


def test_one_players_own_rows_with_the_league_rates_score_as_the_whole_league(scorer, history):
    season = load_league_seasons(history)[-1]
    p = history.pitches
    batter = int(p.loc[(p["level"] == "MLB") & (p["game_date"].dt.year == season - 1), "batter"].iloc[0])
    whole = scorer.score(history, season, [batter])
    own = p[p["batter"] == batter]
    league = {pt: marcel_league_rates(history.lines(pt), pt) for pt in PLAYER_TYPES}
    alone = scorer.score(History(own, history.players, league=league), season, [batter], as_of=whole["as_of_date"][0])
    numbers = [c for c in SCORE_COLUMNS if c.split("_")[0] in ("marcel", "model", "rate", "proj")]
    np.testing.assert_allclose(alone[numbers].to_numpy(float), whole[numbers].to_numpy(float), atol=1e-6)
    # without them Marcel would regress him toward his own record, not the league's
    unregressed = scorer.score(History(own, history.players), season, [batter], as_of=whole["as_of_date"][0])
    assert not np.allclose(unregressed["marcel_SO"], whole["marcel_SO"])


def test_a_history_reads_the_requested_players_lines_through_its_index(scorer, history, monkeypatch):
    """rows_of: exactly the rows of the ids asked for, in their order in the table (ids unknown or
    repeated change nothing), rebuilt for a table swapped in; a warm call's profile and Marcel then read
    those rows, not the league's, and score as when they read the whole league's: Marcel to the bit,
    the profile to the last bits of its columns that are not whole numbers (its running sums no longer
    run through the other players' lines), within the store comparisons' 1e-6."""
    games = history.game_lines("batter")
    ids = np.array([int(games["player_id"].iloc[-1]), int(games["player_id"].iloc[0]), 999_999_999,
                    int(games["player_id"].iloc[0])])
    got = history.rows_of("games", "batter", ids)
    want = games[games["player_id"].isin(ids)]
    pd.testing.assert_frame_equal(got, want)
    assert len(history.rows_of("seasons", "pitcher", np.array([999_999_999]))) == 0
    pd.testing.assert_frame_equal(history.league_rates("batter"), marcel_league_rates(history.lines("batter"), "batter"))
    season = load_league_seasons(history)[-1]
    pick = sorted(set(games["player_id"].iloc[::50].astype(int).tolist()))[:6]
    sliced = Scorer(scorer.bundle).score(history, season, pick)  # fresh scorers: no memo from other tests
    # the whole tables, as before the index: the same bits
    monkeypatch.setattr(History, "rows_of", lambda self, table, pt, ids: (
        self.game_lines(pt) if table == "games" else self.lines(pt)))
    whole = Scorer(scorer.bundle).score(history, season, pick)
    numbers = [c for c in SCORE_COLUMNS if c.split("_")[0] in ("marcel", "model", "rate", "proj", "talent", "outcome",
                                                             "total")]
    np.testing.assert_allclose(sliced[numbers].to_numpy(float), whole[numbers].to_numpy(float), rtol=0, atol=1e-6)
    monkeypatch.undo()
    # a season-lines table swapped in after the index was built: the index follows it
    lines = history.lines("pitcher")
    swapped = History(history.pitches, history.players, season_lines={"pitcher": lines})
    first = int(lines["player_id"].iloc[0])
    assert (swapped.rows_of("seasons", "pitcher", np.array([first]))["player_id"] == first).all()
    swapped.season_lines["pitcher"] = lines.iloc[::-1].reset_index(drop=True)
    again = swapped.rows_of("seasons", "pitcher", np.array([first]))
    assert len(again) and (again["player_id"] == first).all()


def load_league_seasons(history: History) -> list[int]:
    return sorted(set(pd.DatetimeIndex(history.pitches["game_date"]).year.tolist()))


def test_fallbacks_are_flagged_never_raised(scorer, history):
    seasons = load_league_seasons(history)
    season = seasons[-1]
    p = history.pitches
    # a batter with MLB history whose pitches are gone: Marcel (from given season lines) only
    lines = {pt: history.lines(pt) for pt in PLAYER_TYPES}
    veteran = int(lines["batter"].loc[lines["batter"]["level"] == "MLB", "player_id"].iloc[0])
    no_games = History(p[(p["batter"] != veteran)], history.players, season_lines=lines)
    # a player in no table at all, and one whose first game comes after the as-of date
    first_day = p.groupby("batter")["game_date"].min()
    newcomer = int(first_day[first_day >= pd.Timestamp(f"{season}-01-01")].index[0]) if (
        first_day >= pd.Timestamp(f"{season}-01-01")).any() else None
    ids = [veteran, 999_999_999] + ([newcomer] if newcomer is not None else [])
    out = scorer.score(no_games, season, ids).set_index("player_id")
    assert out.loc[veteran, "flag"] == "no_recent_games" and out.loc[veteran, "fallback"]
    assert out.loc[999_999_999, "flag"] == "unknown_player"
    if newcomer is not None:
        assert out.loc[newcomer, "flag"] == "no_history"
    for pid in ids:  # fallbacks keep Marcel's rates exactly
        row = out.loc[pid]
        stats = TARGET_STATS[row["player_type"]]
        assert all(row[f"adj_{s}"] == 0.0 and row[f"rate_{s}"] == row[f"marcel_{s}"] for s in stats)
    # the league's first season: Marcel has no MLB lines at all -> the bundle's league rates
    early = scorer.score(history, seasons[0], [veteran]).iloc[0]
    assert early["flag"] == "league_rate"
    assert early["rate_SO"] == pytest.approx(scorer.bundle.identity["batter"].league_rates["SO"])


def test_a_players_table_read_as_text_scores_as_the_typed_one(scorer, history, tiny_league):
    """A players.csv read with dtype=str: before 2026-12-07 its text ids matched no pitch's int id and
    every row fell back to the league's rates (flag unknown_player) without a word; the store converted
    them. Both now convert them, and refuse an id or a date that is none, naming the row."""
    from hfm_runtime.store import PlayerStore

    season = max(load_league_seasons(history))
    text = pd.read_csv(tiny_league / "players.csv", dtype=str)
    want = scorer.score(history, season)
    got = scorer.score(History(history.pitches, text), season)
    assert (want["flag"] == "model").any() and got["flag"].tolist() == want["flag"].tolist()
    np.testing.assert_allclose(got["rate_SO"].to_numpy(float), want["rate_SO"].to_numpy(float), atol=1e-9)
    assert (got["age"].to_numpy(float) == want["age"].to_numpy(float)).all()
    for col, value, message in (("player_id", "x12", "column player_id: row 3: 'x12' is not an integer id"),
                                ("birth_date", "1990-13-45", "column birth_date: row 3: '1990-13-45' is not a")):
        bad = text.copy()
        bad.loc[2, col] = value
        with pytest.raises(HFMInputError, match=message):
            History(history.pitches, bad)
        with pytest.raises(HFMInputError, match=message):
            PlayerStore.build(scorer, history.pitches, bad)


def test_a_historys_pitches_edited_after_loading_are_converted_or_refused(scorer, history):
    """A walkthrough (2026-12-08) gave a History text ids (every batter then fell back to Marcel, no
    word), a day twice (its games counted twice), lower-case hands (a batter's rates moved), no rows
    at all (everyone at the league's rates) and one bare id to score: now converted, dropped with a
    warning, or refused with the column, row or argument named."""
    from hfm_runtime.statcast import StatcastWarning

    season = max(load_league_seasons(history))
    pitches = history.pitches
    want = scorer.score(history, season)
    text = pitches.assign(batter=pitches["batter"].astype(str), pitcher=pitches["pitcher"].astype(float))
    got = scorer.score(History(text, history.players), season)
    assert (want["flag"] == "model").any() and got["flag"].tolist() == want["flag"].tolist()
    np.testing.assert_array_equal(got["rate_SO"].to_numpy(float), want["rate_SO"].to_numpy(float))
    last_day = pitches["game_date"].max()
    twice = pd.concat([pitches, pitches[pitches["game_date"] == last_day]], ignore_index=True)
    with pytest.warns(StatcastWarning, match=r"History: \d+ pitch rows repeat an earlier row's"):
        again = History(twice, history.players)
    as_of = last_day + pd.Timedelta(days=1)
    pd.testing.assert_frame_equal(scorer.score(again, season, as_of=as_of), scorer.score(history, season, as_of=as_of))
    # rows in another order score the same (a review found a shuffled league up to .05 off in rate_SO)
    shuffled = History(pitches.sample(frac=1.0, random_state=0), history.players)
    pd.testing.assert_frame_equal(scorer.score(shuffled, season, as_of=as_of), scorer.score(history, season, as_of=as_of))
    with pytest.raises(HFMInputError, match="score: the History holds no pitches"):
        scorer.score(History(pitches.iloc[:0], history.players), season)
    for edited, message in ((pitches.assign(stand=pitches["stand"].str.lower()), "column stand: 'l' is not one of L, R"),
                            (pitches.assign(batter=pitches["batter"].astype(str).where(pitches.index != 4, "x9")),
                             "column batter: row 5 of the History's pitches is 'x9', not a whole-number id")):
        with pytest.raises(HFMInputError, match=message):
            History(edited, history.players)
    with pytest.raises(HFMInputError, match=r"player_ids is one id \(7\); give a list of them, e\.g\. \[7\]"):
        scorer.score(history, season, 7)


def test_hfm_score_says_once_which_events_it_does_not_know(tiny_bundle, real_statcast_csv, real_register_csv,
                                                           tmp_path):
    """A file whose strikeouts are written 'Strikeout': the History of the files and the store's append
    each see them, and the command prints one warning (a review saw two, worded differently)."""
    from clitools import run_cli

    raw = pd.read_csv(real_statcast_csv)
    raw["events"] = raw["events"].replace({"strikeout": "Strikeout"})
    raw.to_csv(tmp_path / "edited.csv", index=False)
    code, err = run_cli(score_main, ["hfm-score", "--bundle", str(tiny_bundle), "--pitches", str(tmp_path / "edited.csv"),
                               "--register", str(real_register_csv), "--store", str(tmp_path / "store"),
                               "--season", "2021"])
    assert code == 0, err
    assert err.count("`events` name HFM does not know ('Strikeout' (22))") == 1, err


def test_pipeline_adapter_adjusts_the_pipelines_own_rates(scorer, history, tiny_torch_projection):
    season, ref = tiny_torch_projection
    batter = int(ref.loc["batter"].index[0])
    records = [
        {"player_id": batter, "SO": 0.2, "BB": 0.1, "HR": 0.03, "H": 0.25, "2B": 0.05, "3B": 0.005, "PA": 600,
         "team": "X"},
        {"player_id": 999_999_999, "player_type": "pitcher", "SO": 0.2, "BF": 700},
    ]
    out = PipelineAdapter(scorer, history, season).adjust_projections(records)
    assert len(out) == 2 and out[0]["team"] == "X"
    row = scorer.score(history, season, [batter]).iloc[0]
    for s in TARGET_STATS["batter"]:  # the pipeline's rate + HFM's adjustment over Marcel (adj_S), in either mode
        assert out[0][s] == pytest.approx(records[0][s] + row[f"adj_{s}"], abs=1e-9)
        assert out[0]["hfm_counts"][s] == pytest.approx(out[0][s] * 600)
    assert out[0]["hfm_flag"] == "model"
    assert out[1]["SO"] == 0.2 and out[1]["hfm_flag"] == "unknown_player"
    with pytest.raises(HFMInputError, match="record 0: field player_id"):
        PipelineAdapter(scorer, history, season).adjust_projections([{"SO": 0.2}])
    adapter = PipelineAdapter(scorer, history, season)
    # an unknown player with a pitcher's key and no type: taken as the record says, unadjusted
    unknown = adapter.adjust_projections([{"player_id": 999_999_999, "SO": 0.2, "BF": 700}])[0]
    assert unknown["SO"] == 0.2 and unknown["hfm_flag"] == "unknown_player" and unknown["hfm_counts"]["SO"] == 140
    assert adapter.adjust_projections([{"player_id": float(batter), "SO": 0.2}])[0]["hfm_flag"] == "model"
    for bad, message in (({"player_id": batter + 0.7, "SO": 0.2}, "player_id missing or not an integer"),
                         ({"player_id": True, "SO": 0.2}, "player_id missing or not an integer"),
                         ({"player_id": batter, "SO": True}, "field 'SO' is True"),
                         ({"player_id": batter, "SO": 0.2, "PA": float("inf")}, "field 'PA' is inf")):
        with pytest.raises(HFMInputError, match=message):
            adapter.adjust_projections([bad])
    with pytest.raises(HFMInputError, match="must be a list of dicts"):
        adapter.adjust_projections({"player_id": batter, "SO": 0.2})
    assert len(adapter.adjust_projections(r for r in [{"player_id": batter, "SO": 0.2}])) == 1  # a generator
    assert adapter.adjust_projections([{"player_id": str(batter), "SO": 0.2}])[0]["hfm_flag"] == "model"
    big = adapter.adjust_projections([{"player_id": 2**53 + 1, "SO": 0.2}])[0]  # an id a float would round
    assert big["player_id"] == 2**53 + 1 and big["hfm_flag"] == "unknown_player"
    from hfm_runtime.scoring import _player_id
    assert [_player_id(v) for v in (2**53 + 1, str(2**53 + 1), " +7 ", "-7")] == [2**53 + 1, 2**53 + 1, 7, -7]
    for bad in ("+-5", "\u00b2", "7.0x", ""):  # one error naming the field, never a bare ValueError
        with pytest.raises(HFMInputError, match="player_id missing or not an integer"):
            adapter.adjust_projections([{"player_id": bad, "SO": 0.2}])


def test_hfm_score_cli(tiny_bundle, tiny_league, tmp_path, capsys):
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league)])
    text = capsys.readouterr().out
    assert text.startswith("training data: ") and text.splitlines()[1].startswith("HFM projections for ")
    assert "player_id" in text and len(text.splitlines()) > 10
    out = tmp_path / "proj.json"
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--format", "json", "--out", str(out)])
    records = json.loads(out.read_text())
    assert records and {"player_id", "rate_SO", "flag"} <= set(records[0])
    csv_out = tmp_path / "proj.csv"
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--format", "csv", "--out", str(csv_out)])
    assert records[0]["as_of_date"] == pd.read_csv(csv_out)["as_of_date"].iloc[0]  # the same date text in both
    # a file is replaced whole (a temporary sibling renamed over it); a link is written through, never replaced
    link = tmp_path / "link.csv"
    link.symlink_to(out)
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--format", "csv", "--out", str(link)])
    assert link.is_symlink() and pd.read_csv(out)["as_of_date"].iloc[0] == records[0]["as_of_date"]
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("args, message", [
    (["--bundle", "/nonexistent/bundle"], "no such bundle folder"),
    (["--players", "12,abc"], "--players"),
    (["--league", "/nonexistent/league"], "no such league folder"),
    (["--as-of", "2022-13-01"], "--as-of '2022-13-01': no such date"),
    (["--as-of", "7.4.2022"], "--as-of '7.4.2022': expected a date as YYYY-MM-DD"),
    (["--as-of", "2099-01-01"], "--as-of 2099-01-01 is after the"),
    (["--season-end", "2022-09-31"], "--season-end '2022-09-31': no such date"),
    # the first season (2018) has no window: the first that has one, not the data's last + 1 (2025 on the demo)
    (["--season", "2018"], "project a later season (--season 2019), a day inside this one (--as-of) or name"),
])
def test_hfm_score_errors_are_one_line_exit_2(tiny_bundle, tiny_league, capsys, args, message):
    base = {"--bundle": str(tiny_bundle), "--league": str(tiny_league)}
    for flag, value in zip(args[::2], args[1::2]):
        base[flag] = value
    with pytest.raises(SystemExit) as exit_info:
        score_main([x for kv in base.items() for x in kv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_ranges_are_memoised_per_row_and_the_same_bits_alone_or_in_a_batch(tiny_bundle, history, monkeypatch):
    import hfm_runtime.scoring as scoring

    season = max(load_league_seasons(history))
    ids = sorted(history.players["player_id"].tolist())
    batch = Scorer(tiny_bundle).score(history, season, ids)
    range_cols = [c for c in SCORE_COLUMNS if c.startswith(("talent_", "outcome_", "total_"))]
    assert range_cols and batch[range_cols].notna().to_numpy().any()
    one = int(batch.loc[batch["flag"] == "model", "player_id"].iloc[0])
    scorer = Scorer(tiny_bundle)  # a fresh memo: this player's quantiles computed on his own
    alone = scorer.score(history, season, [one])
    pd.testing.assert_frame_equal(alone[range_cols].reset_index(drop=True),
                                  batch.loc[batch["player_id"] == one, range_cols].reset_index(drop=True))
    computed = []
    real = scoring.projection_ranges
    monkeypatch.setattr(scoring, "projection_ranges", lambda rates, *a, **k: computed.append(len(rates)) or real(rates, *a, **k))
    again = scorer.score(history, season, [one])
    assert computed == []  # the same inputs: a lookup
    pd.testing.assert_frame_equal(again, alone)


def test_the_default_date_of_a_season_the_data_does_not_hold_is_its_usual_opening_day():
    from hfm_runtime.seasons import projection_date

    openings = {2019: pd.Timestamp("2019-03-20"), 2020: pd.Timestamp("2020-07-23"), 2021: pd.Timestamp("2021-04-01")}
    assert projection_date(openings, 2021) == pd.Timestamp("2021-04-01")  # held: the real one
    # not held: the lower median of the days after January 1 (78, 90, 204): the 60-game 2020 does not pull it
    assert projection_date(openings, 2022) == pd.Timestamp("2022-04-01")
    assert projection_date({2020: openings[2020], 2021: openings[2021]}, 2022) == pd.Timestamp("2022-04-01")
    assert projection_date({}, 2022) == pd.Timestamp("2022-01-01")
    # a data set whose only season starts in August (a partial Statcast file) stays in the opening window
    assert projection_date({2021: pd.Timestamp("2021-08-01")}, 2022) == pd.Timestamp("2022-04-15")
    assert projection_date({2024: pd.Timestamp("2024-03-20")}, 2025) == pd.Timestamp("2025-03-20")  # leap year


def test_a_projection_past_the_data_is_as_of_its_usual_opening_day_with_a_store_too(tiny_bundle, tiny_league):
    from hfm_runtime.store import PlayerStore

    league = load_league(tiny_league)
    history = History.from_league(league)
    season = max(league.seasons) + 1
    expected = projection_date_of(history, season)
    scorer = Scorer(tiny_bundle)
    table = scorer.score(history, season)
    assert (pd.to_datetime(table["as_of_date"]) == expected).all() and expected.month in (3, 4)
    assert (scorer.score(history, season, as_of=expected)["rate_SO"] == table["rate_SO"]).all()
    store = PlayerStore.build(scorer, league.pitches, league.players)
    assert (scorer.score(store, season)["rate_SO"].to_numpy() == table["rate_SO"].to_numpy()).all()


def test_a_late_opening_day_is_projected_as_of_the_usual_one(tiny_bundle, tiny_league, capsys):
    """2020 opened on July 23: counted back from there, the profile's last year held half of 2019 and its
    late window none of it (a walkthrough: strikeout rates .010 apart as of March 26 and of July 23)."""
    from hfm_runtime.seasons import opening_day_as_of

    openings = {2019: pd.Timestamp("2019-03-20"), 2020: pd.Timestamp("2020-07-23"), 2021: pd.Timestamp("2021-04-01")}
    assert opening_day_as_of(openings, 2020, pd.Timestamp("2020-07-23")) == pd.Timestamp("2020-03-20")  # the others'
    assert opening_day_as_of(openings, 2021, pd.Timestamp("2021-04-01")) == pd.Timestamp("2021-04-01")  # usual: kept
    assert opening_day_as_of(openings, 2020, pd.Timestamp("2020-04-15")) == pd.Timestamp("2020-04-15")
    assert opening_day_as_of({2020: openings[2020]}, 2020, openings[2020]) == pd.Timestamp("2020-04-15")
    league = load_league(tiny_league)
    history = History.from_league(league)
    season = max(league.seasons) + 1  # held by no game: any date of it is an opening-day projection
    scorer = Scorer(tiny_bundle)
    usual = scorer.score(history, season)
    late = scorer.score(history, season, as_of=f"{season}-07-23")
    pd.testing.assert_frame_equal(late, usual)
    early = scorer.score(history, season, as_of=f"{season}-04-15")  # inside the usual window: as asked
    assert (pd.to_datetime(early["as_of_date"]) == pd.Timestamp(season, 4, 15)).all()
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--season", str(season),
                "--as-of", f"{season}-07-23", "--top", "3"])
    assert f"dated {usual['as_of_date'].iloc[0].date()}, a usual opening day (the data's other seasons', or " \
           f"April 15), not {season}-07-23" in capsys.readouterr().err


def test_an_in_season_date_long_after_the_datas_newest_game_is_warned_of(tiny_bundle, tiny_league, monkeypatch):
    """A daily job whose appends stopped scores short totals: said (StaleDataWarning), in season, of a
    whole league's data that plays nearly every day; not of some players' rows (their newest game is
    not the league's), nor of a league whose game days lie weeks apart (the tiny one's)."""
    import warnings

    from hfm_runtime import scoring
    from hfm_runtime.scoring import StaleDataWarning, stale_data_warning

    def said(call) -> list[str]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        return [str(w.message) for w in caught if issubclass(w.category, StaleDataWarning)]

    daily = np.arange(np.datetime64("2019-03-28"), np.datetime64("2019-07-06"))  # appends stopped on July 5
    start = pd.Timestamp("2019-03-28")
    aug = pd.Timestamp("2019-08-20")
    assert "newest 2019 MLB game is of 2019-07-05, 46 days before as_of 2019-08-20" in \
        said(lambda: stale_data_warning(2019, aug, daily, start, None))[0]
    assert not said(lambda: stale_data_warning(2019, pd.Timestamp("2019-07-06"), daily, start, None))  # the daily case
    assert not said(lambda: stale_data_warning(2019, aug, daily[::7], start, None))  # weekly games: not a daily league
    assert not said(lambda: stale_data_warning(2019, aug, None, start, None))  # some players' rows
    assert not said(lambda: stale_data_warning(2019, aug, daily, start, pd.Timestamp("2019-07-07")))  # over
    # Scorer.score asks it, of a whole league's History only
    monkeypatch.setattr(scoring, "STALE_DENSITY", 0.0)  # the tiny league's days lie weeks apart
    league = load_league(tiny_league)
    p = league.pitches
    season = max(league.seasons)
    days = np.sort(p.loc[p["game_date"].dt.year == season, "game_date"].unique())
    newest = pd.Timestamp(days[len(days) // 2])
    rows = p[p["game_date"] <= newest]
    scorer = Scorer(tiny_bundle)
    ids = [int(rows.loc[rows["game_date"] == newest, "batter"].iloc[0])]
    late = newest + pd.Timedelta(days=30)
    assert len(said(lambda: scorer.score(History(rows, league.players), season, ids, as_of=late))) == 1
    rates = {pt: marcel_league_rates(History(p, league.players).lines(pt), pt) for pt in PLAYER_TYPES}
    assert not said(lambda: scorer.score(History(rows, league.players, league=rates), season, ids, as_of=late))


def projection_date_of(history, season):
    from hfm_runtime.seasons import projection_date

    return projection_date(history.opening_days(), season)


@pytest.mark.parametrize("as_of, message", [
    ("2022-13-01", "no such date"), ("notadate", "YYYY-MM-DD"), ("", "YYYY-MM-DD"), ("7.4.2022", "YYYY-MM-DD"),
    ("04/07/2022", "YYYY-MM-DD"), ("2023-04-07", "after the 2022 season"),
])
def test_an_as_of_date_in_another_form_or_after_the_season_is_refused(as_of, message):
    from hfm_runtime.scoring import parse_as_of

    with pytest.raises(HFMInputError, match=message):
        parse_as_of(as_of, 2022)
    assert parse_as_of(" 2022-04-07 ", 2022) == pd.Timestamp("2022-04-07")
    assert parse_as_of(pd.Timestamp("2021-10-04 13:00"), 2022) == pd.Timestamp("2021-10-04")
    assert parse_as_of(pd.Timestamp("2021-10-04 23:00", tz="US/Eastern"), 2022) == pd.Timestamp("2021-10-04")
    with pytest.raises(HFMInputError, match="not a date"):
        parse_as_of(20220401, 2022)  # a number is no date (pandas would read it as nanoseconds after 1970)
    with pytest.raises(HFMInputError, match=r"e\.g\. \d{4}-04-01"):
        parse_as_of("7.4.2022", None)


def test_an_as_of_before_games_of_a_season_read_whole_is_refused(scorer, history, tiny_league):
    # projecting last + 1 reads season `last` whole (Marcel, the profile): an as-of inside it would let the
    # context games stop there while Marcel read on (a walkthrough found Marcel reading a whole season)
    from hfm_runtime.league_scoring import score_league
    from hfm_runtime.store import PlayerStore

    days = pd.DatetimeIndex(history.pitches["game_date"])
    last = int(days.year.max())
    season_days = days[days.year == last].sort_values()
    mid, end = season_days[len(season_days) // 2], season_days[-1]
    message = (rf"as_of {mid.date()} comes before games the data holds \(through {end.date()}, its last before "
               rf"{last + 1}\).*--season {last}")
    store = PlayerStore(scorer, history.players)
    store.append(history.pitches)
    for source in (history, store):
        with pytest.raises(HFMInputError, match=message):
            scorer.score(source, last + 1, as_of=mid)
    with pytest.raises(HFMInputError, match=message):
        score_league(scorer, tiny_league, last + 1, as_of=mid)
    after = end + pd.Timedelta(days=1)  # the season over: what it reads is what came before the date
    table = scorer.score(history, last + 1, as_of=after)
    pd.testing.assert_frame_equal(scorer.score(store, last + 1, as_of=after), table, rtol=1e-6, atol=1e-9)
    assert len(scorer.score(history, last, as_of=mid))  # the same date for its own season: in-season


def test_the_api_refuses_a_two_digit_season(scorer, history):
    with pytest.raises(HFMInputError, match="did you mean 2022"):
        scorer.score(history, 22)
    with pytest.raises(HFMInputError, match="season 0: not a four-digit year"):
        scorer.score(history, 0)
    # nobody to score says why (a walkthrough got "no players to score" alone)
    from hfm_runtime.scoring import SeasonGapWarning

    with pytest.raises(HFMInputError, match=r"nobody has an MLB line in 2087-2089 \(Marcel's window for 2090\)"), \
            pytest.warns(SeasonGapWarning):
        scorer.score(history, 2090)
    with pytest.raises(HFMInputError, match="player_ids is empty"):
        scorer.score(history, 2022, [])


def test_hfm_score_store_counts_the_seasons_it_holds(tiny_bundle, tiny_league, tmp_path, capsys):
    # the files of one run may be one old season's; the store holds the later ones (the gap rule reads both)
    league = load_league(tiny_league)
    first, last = min(league.seasons), max(league.seasons)
    assert last - first > 1
    store = ["--bundle", str(tiny_bundle), "--store", str(tmp_path / "state"), "--format", "csv"]
    score_main([*store, "--league", str(tiny_league), "--out", str(tmp_path / "a.csv")])
    old_file = [str(tiny_league / "pitches" / "MLB" / f"{first}.parquet")]
    score_main([*store, "--pitches", *old_file, "--season", str(last + 1), "--out", str(tmp_path / "b.csv")])
    assert (pd.read_csv(tmp_path / "b.csv")["season"] == last + 1).all()
    capsys.readouterr()
    with pytest.raises(SystemExit):  # past the store's last season too: refused, the store saved
        score_main([*store, "--pitches", *old_file, "--season", str(last + 2), "--out", str(tmp_path / "c.csv")])
    err = capsys.readouterr().err
    assert f"the data's last season is {last}" in err and "was saved all the same" in err, err
    # a season whose window begins before the data: said, with the seasons it misses
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--season", str(first + 1),
                "--format", "csv", "--out", str(tmp_path / "d.csv")])
    err = capsys.readouterr().err
    assert f"note: the data begins in {first}, inside the seasons a projection of {first + 1} reads" in err, err
    # an id the data does not know: its row, and a note naming it
    known = int(league.players["player_id"].iloc[0])
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--players", f"{known},999999999",
                "--format", "csv", "--out", str(tmp_path / "e.csv")])
    err = capsys.readouterr().err
    assert "note: 1 player id not in the data's players table (999999999): projected at the league's rates" in err, err
    assert pd.read_csv(tmp_path / "e.csv").set_index("player_id").loc[999999999, "flag"] == "unknown_player"


def test_hfm_score_store_given_no_games_scores_it_as_it_is(tiny_bundle, tiny_league, tmp_path, capsys, monkeypatch):
    # a store given no --pitches or --league is scored as it holds it; the default league (another
    # league here) is never appended to it: a real store once took in the simulated demo's games that way
    import shutil

    league = load_league(tiny_league)
    last = max(league.seasons)
    state = tmp_path / "state"
    base = ["--bundle", str(tiny_bundle), "--store", str(state), "--format", "csv", "--season", str(last)]
    score_main([*base, "--league", str(tiny_league), "--out", str(tmp_path / "with.csv")])
    saved = (state / "store.json").read_text()
    held = json.loads(saved)
    other = tmp_path / "elsewhere" / "artifacts" / "league"
    shutil.copytree(tiny_league, other)
    pitches = other / "pitches" / "MLB" / f"{last}.parquet"
    moved = pd.read_parquet(pitches)
    moved["game_pk"] += 10_000_000  # games the store does not hold
    moved.to_parquet(pitches)
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    score_main([*base, "--out", str(tmp_path / "alone.csv")])
    err = capsys.readouterr().err
    assert f"store {state}: no games given, scored as it is" in err, err
    assert (state / "store.json").read_text() == saved  # read, never saved (a query beside the nightly append)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "alone.csv"), pd.read_csv(tmp_path / "with.csv"))
    # nor does a store of a simulated league take in an imported one's games (a walkthrough's did, and kept them)
    meta = json.loads((other / "league.json").read_text())
    (other / "league.json").write_text(json.dumps({**meta, "source": "statcast"}))
    capsys.readouterr()
    with pytest.raises(SystemExit):
        score_main([*base, "--league", str(other)])
    assert f"--store {state}: a store of simulated games, and these are real" in capsys.readouterr().err
    assert json.loads((state / "store.json").read_text())["games"] == held["games"]


def test_hfm_score_store_dates_for_an_earlier_the_same_and_a_later_season(tiny_bundle, tiny_league, tmp_path, capsys,
                                                                          monkeypatch):
    from hfm_runtime.atomic import recover
    from hfm_runtime.store import is_store

    league = load_league(tiny_league)
    history = History.from_league(league)
    last = max(league.seasons)
    newest = pd.Timestamp(league.pitches["game_date"].max())
    args = ["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--store", str(tmp_path / "state"), "--format", "csv"]
    for season, date in ((last, newest + pd.Timedelta(days=1)), (last + 1, projection_date_of(history, last + 1))):
        out = tmp_path / f"{season}.csv"
        score_main([*args, "--season", str(season), "--out", str(out)])
        assert (pd.to_datetime(pd.read_csv(out)["as_of_date"]) == date).all(), season
        assert (tmp_path / "state" / "marcel.npz").stat().st_size > 100  # saved after scoring: the memo it filled
    # an earlier season: as of its opening day, which a store keeping each player's last games no longer holds;
    # the run fails, but a new store's games are saved all the same (tomorrow's run appends only tomorrow's)
    fresh = [*args[:4], "--store", str(tmp_path / "fresh"), "--format", "csv"]
    capsys.readouterr()
    with pytest.raises(SystemExit):
        score_main([*fresh, "--season", str(last - 1), "--out", str(tmp_path / "earlier.csv")])
    err = capsys.readouterr().err
    assert f"as of {history.opening_days()[last - 1].date()}" in err and "no longer holds" in err, err
    assert len(err.strip().splitlines()) == 1 and (tmp_path / "fresh" / "store.json").is_file()
    assert f"the store {tmp_path / 'fresh'} was saved all the same, with the " in err, err  # the error says so
    # a folder of other files is refused before anything is built, and left as it was
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(SystemExit):
        score_main([*args[:4], "--store", str(tmp_path / "mine"), "--format", "csv"])
    assert "not a store" in capsys.readouterr().err and (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    # folders named like a killed save's leftovers are the user's when no save of that name was killed
    for name in (".mine.old", ".mine.tmp-notes", ".gone.old"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text("mine")
    with pytest.raises(SystemExit):
        score_main([*args[:4], "--store", str(tmp_path / "mine"), "--format", "csv"])
    assert "not a store" in capsys.readouterr().err
    assert recover(tmp_path / "gone", ours=is_store) == []  # as hfm-score --store gone would first call it
    assert all((tmp_path / n / "a.txt").read_text() == "mine" for n in (".mine.old", ".mine.tmp-notes", ".gone.old"))
    # nor is the current directory (or one above it) saved over: saving swaps the folder out
    monkeypatch.chdir(tmp_path / "state")
    with pytest.raises(SystemExit):
        score_main([*args[:4], "--store", ".", "--format", "csv"])
    assert "the current directory" in capsys.readouterr().err and (tmp_path / "state" / "store.json").is_file()
