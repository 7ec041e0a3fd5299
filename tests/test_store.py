"""PlayerStore (hfm_runtime.store): equal to scoring a History of the same pitches, over many players and
as-of dates, built cold and grown day by day; persistence; refusals; threads; hfm-score --store/--workers."""

from __future__ import annotations

import io
import json
import shutil
import threading
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.cli import main as score_main
from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.marcel import league_rates as marcel_league_rates
from hfm_runtime.scoring import SCORE_COLUMNS, History, Scorer, ScorerOptions, league_days, league_to_date
from hfm_runtime.seasons import charged_rows
from hfm_runtime.statcast import RETROSHEET_GAME_PK_MIN
from hfm_runtime.store import STORE_FILE, PlayerStore, StoreMismatch
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS

pytestmark = pytest.mark.slow  # uses the tiny trained run's bundle
TOLERANCE = 1e-6
LABELS = ["player_id", "name", "player_type", "season", "flag", "fallback", "age_imputed", "age_source", "basis",
          "warnings", "archetype", "source", "n_games", "opportunity"]
NUMBERS = [c for c in SCORE_COLUMNS if c not in LABELS and c != "as_of_date"]  # every other column: none left out
# quantiles of counts, computed per batch of rows and memoised per row by the Scorer (Scorer._ranges): a
# row first computed in another batch may differ by about 1e-9, so these compare to that, never exactly
BATCHED = [c for c in NUMBERS if c.split("_")[0] in ("talent", "outcome", "total")]


@pytest.fixture(scope="module")
def league(tiny_league: Path):
    return load_league(tiny_league)


@pytest.fixture(scope="module")
def scorer(tiny_bundle: Path) -> Scorer:
    return Scorer(tiny_bundle, ScorerOptions(full_context=True))  # the store's Level-1 state for real, whatever the head


def _game_days(pitches: pd.DataFrame, season: int) -> list[pd.Timestamp]:
    days = pitches.loc[pitches["game_date"].dt.year == season, "game_date"].unique()
    return [pd.Timestamp(d) for d in np.sort(days)]


def _ids(league) -> list[int]:
    """Everyone in the players table and one id in no table at all."""
    return sorted(league.players["player_id"].astype(int).tolist()) + [999_999_999]


def assert_same_scores(got: pd.DataFrame, want: pd.DataFrame, exact: bool = False) -> None:
    assert list(got.columns) == list(SCORE_COLUMNS)
    assert len(got) == len(want)
    for c in LABELS:
        assert got[c].astype(str).tolist() == want[c].astype(str).tolist(), c
    assert (pd.to_datetime(got["as_of_date"]) == pd.to_datetime(want["as_of_date"])).all()
    a, b = got[NUMBERS].to_numpy(np.float64), want[NUMBERS].to_numpy(np.float64)
    assert (np.isnan(a) == np.isnan(b)).all()
    batched = np.isin(NUMBERS, BATCHED)
    if exact:
        np.testing.assert_array_equal(a[:, ~batched], b[:, ~batched])
        np.testing.assert_allclose(a[:, batched], b[:, batched], rtol=1e-9, atol=0)
    else:
        np.testing.assert_allclose(a, b, rtol=0, atol=TOLERANCE)


def test_store_scores_equal_a_history_of_the_same_pitches(league, scorer):
    """Built cold before a mid-season date, then grown one day of games at a time across the winter
    into the next season: at every checkpoint, every player (and an unknown id) scores as a History of
    exactly the pitches appended so far does, as of that day and a later one."""
    p, players = league.pitches, league.players
    seasons = sorted(league.seasons)
    last, previous = seasons[-1], seasons[-2]
    before, late = _game_days(p, previous), _game_days(p, last)
    checkpoints = [before[len(before) // 2], pd.Timestamp(f"{last}-01-01"), late[len(late) // 3], late[-1] + pd.Timedelta(days=1)]
    ids = _ids(league)
    history_scorer = Scorer(scorer.bundle)  # its own Level-1 cache
    store = PlayerStore.build(scorer, p[p["game_date"] < checkpoints[0]], players)
    compared = 0
    for i, day in enumerate(checkpoints):
        if i:
            new = p[(p["game_date"] >= checkpoints[i - 1]) & (p["game_date"] < day)]
            for _, games in new.groupby("game_date", sort=True):  # one append per day of games
                store.append(games)
        history = History(p[p["game_date"] < day], players)
        for as_of in (day, day + pd.Timedelta(days=17)):
            got = scorer.score(store, as_of.year, ids, as_of=as_of)
            want = history_scorer.score(history, as_of.year, ids, as_of=as_of)
            assert_same_scores(got, want)
            compared += int((got["flag"] == "model").sum())
        records = pd.DataFrame(scorer.score_records(store, day.year, ids, as_of=day))  # the same rows as dicts
        table = scorer.score(store, day.year, ids, as_of=day)
        assert list(records.columns) == list(SCORE_COLUMNS) and records["flag"].tolist() == table["flag"].tolist()
        np.testing.assert_array_equal(records[NUMBERS].to_numpy(float), table[NUMBERS].to_numpy(float))
    assert compared > 100, "too few model-scored rows compared"
    assert store.last_date == late[-1] and store.n_games == p["game_pk"].nunique()


def test_a_series_abroad_before_the_seasons_start_scores_alike_on_both_paths(league, scorer, monkeypatch):
    """One game of the last season moved a week before its opening day (as Tokyo 2019 was): both paths
    count it in the season so far and leave it out of the pace (its day has too few games to start the
    season: the tiny league plays two a day, so a start here needs two); the store's sums equal the
    History's, and so do the scores as of ten days in."""
    from hfm_runtime import playing_time
    from hfm_runtime.scoring import season_to_date

    monkeypatch.setattr(playing_time, "START_GAMES", 2)
    p = league.pitches.copy()
    last = max(league.seasons)
    opening = min(_game_days(p, last))
    moved = p.loc[p["game_date"] == opening, "game_pk"].iloc[0]
    p.loc[p["game_pk"] == moved, "game_date"] = opening - pd.Timedelta(days=7)
    history = History(p, league.players)
    start = history.season_starts()[last]
    assert start > opening - pd.Timedelta(days=7)
    as_of = start + pd.Timedelta(days=10)
    store = PlayerStore.build(scorer, p[p["game_date"] < as_of], league.players)
    assert store.season_starts()[last] == start
    abroad = sorted(set(p.loc[p["game_pk"] == moved, "batter"].astype(int)))
    sums = store.season_sums("batter", abroad, last, as_of, start)
    want = season_to_date(history.game_lines("batter"), "batter", np.array(abroad), last, as_of, start)
    np.testing.assert_array_equal(sums[0], want.opportunities)
    np.testing.assert_array_equal(sums[1], want.recent)
    np.testing.assert_array_equal(sums[4], want.early)
    assert (want.early > 0).all() and (want.early < want.opportunities).any()
    ids = _ids(league)
    assert_same_scores(scorer.score(store, last, ids, as_of=as_of), Scorer(scorer.bundle).score(history, last, ids, as_of=as_of))


def test_a_store_for_a_bundle_that_reads_no_context_scores_as_the_whole_path(league, tiny_wide_bundle, tmp_path):
    """For a bundle whose rates read no context (zero heads on Levels 2-3) the store keeps no Level-1
    outputs (no plate appearances: nothing featurized, no Graph 1 run) and scores, after a cold build and a day appended, exactly as
    a History scored on the whole path does; a scorer that keeps them (full_context) refuses it."""
    p, players = league.pitches, league.players
    days = _game_days(p, max(league.seasons))
    fast = Scorer(tiny_wide_bundle)
    store = PlayerStore.build(fast, p[p["game_date"] < days[-2]], players)
    store.append(p[p["game_date"] == days[-2]])
    assert fast.stats.graph1_runs == 0
    history = History(p[p["game_date"] < days[-1]], players)
    full = Scorer(tiny_wide_bundle, ScorerOptions(full_context=True))
    got, want = fast.score(store, days[-1].year, as_of=days[-1]), full.score(history, days[-1].year, as_of=days[-1])
    assert_same_scores(got, want, exact=True)
    assert (got["flag"] == "model").sum() > 10
    assert all(c.pa_emb.shape == (0, 0) and len(c.pa_outcome) == 0 and len(c.game_pk) > 0
               for pt in PLAYER_TYPES for c in store._context[pt].values())
    store.save(tmp_path / "state")
    loaded = PlayerStore.load(tmp_path / "state", fast)
    assert_same_scores(fast.score(loaded, days[-1].year, as_of=days[-1]), got, exact=True)
    with pytest.raises(StoreMismatch, match="columns"):
        PlayerStore.load(tmp_path / "state", full)
    with pytest.raises(StoreMismatch, match="columns"):
        full.score(store, days[-1].year, as_of=days[-1])


def test_a_store_of_one_players_rows_with_league_rates_scores_as_the_whole_league(league, scorer, tmp_path):
    p = league.pitches
    season = max(league.seasons)
    whole = History(p, league.players)
    batter = int(p.loc[(p["level"] == "MLB") & (p["game_date"].dt.year == season - 1), "batter"].value_counts().index[0])
    as_of = _game_days(p, season)[5]
    rates = {pt: marcel_league_rates(whole.lines(pt), pt) for pt in PLAYER_TYPES}
    days = {pt: league_days(whole.game_lines(pt), pt) for pt in PLAYER_TYPES}  # Marcel to date's league
    own = PlayerStore.build(scorer, p[(p["batter"] == batter) & (p["game_date"] < as_of)], league.players, league=rates,
                            only=[batter], league_days=days)  # his side only: the pitchers he faced get no partial games
    got = scorer.score(own, season, [batter], as_of=as_of)
    want = Scorer(scorer.bundle).score(whole, season, [batter], as_of=as_of)
    assert got["flag"].iloc[0] == "model"
    assert_same_scores(got, want)
    # without them, Marcel to date regresses toward his own games: the league's rate is not his
    alone = PlayerStore.build(scorer, p[(p["batter"] == batter) & (p["game_date"] < as_of)], league.players,
                              league=rates, only=[batter])
    mine = scorer.score(alone, season, [batter], as_of=as_of)
    assert mine["marcel_to_date_SO"].iloc[0] != got["marcel_to_date_SO"].iloc[0]
    # saved and read back, the given days and the store's own stay apart: the same scores
    alone.save(tmp_path / "alone"), own.save(tmp_path / "own")
    for folder, want in (("own", got), ("alone", mine)):
        assert_same_scores(scorer.score(PlayerStore.load(tmp_path / folder, scorer), season, [batter], as_of=as_of), want,
                           exact=True)
    # a History of his rows with the league's days given scores as the store does
    rows = p[charged_rows(p, "batter", [batter]) & (p["game_date"] < as_of)]
    assert_same_scores(Scorer(scorer.bundle).score(History(rows, league.players, league=rates, league_days=days), season,
                                                   [batter], as_of=as_of), got)


def test_a_store_of_one_players_rows_reads_the_leagues_opening_days_where_given(league, scorer, tmp_path):
    """A store of the rows of a player whose season began after the league's counts its calendar from
    the league's start when given `openings` and `starts` (as a History takes them), not from his first
    game (a review of 2026-12-07: 161 expected PA where the league's calendar gives 126); kept on save."""
    p = league.pitches
    season = max(league.seasons)
    whole = History(p, league.players)
    days = _game_days(p, season)
    as_of = days[len(days) * 2 // 3]
    mlb = p[(p["level"] == "MLB") & (p["game_date"].dt.year == season) & (p["game_date"] < as_of)]
    first = mlb.groupby("batter")["game_date"].min()
    batter = int(first[first > days[len(days) // 3]].index[0])  # began a third of the way in
    rates = {pt: marcel_league_rates(whole.lines(pt), pt) for pt in PLAYER_TYPES}
    counts = {pt: league_days(whole.game_lines(pt), pt) for pt in PLAYER_TYPES}
    rows = p[charged_rows(p, "batter", [batter]) & (p["game_date"] < as_of)]
    want = Scorer(scorer.bundle).score(whole, season, [batter], as_of=as_of)
    given = PlayerStore.build(scorer, rows, league.players, league=rates, only=[batter], league_days=counts,
                              openings=whole.opening_days(), starts=whole.season_starts())
    assert_same_scores(scorer.score(given, season, [batter], as_of=as_of), want)
    own = PlayerStore.build(scorer, rows, league.players, league=rates, only=[batter], league_days=counts)
    assert own.season_starts()[season] == first[batter].normalize() > whole.season_starts()[season]
    mine = scorer.score(own, season, [batter], as_of=as_of)
    assert mine["opportunities_mean"].iloc[0] != want["opportunities_mean"].iloc[0]  # his own calendar
    given.save(tmp_path / "given")
    assert_same_scores(scorer.score(PlayerStore.load(tmp_path / "given", scorer), season, [batter], as_of=as_of), want)
    for bad in ({season: "June"}, {season: f"{season - 1}-06-01"}, {"x": f"{season}-04-01"}, None):
        with pytest.raises(HFMInputError, match=r"openings\[.*\] is .*, not a date of that season"):
            PlayerStore(scorer, league.players, openings=bad if bad is not None else {season + 0.5: f"{season}-04-01"})
    # the league's starts given without a season of its openings: not started (as a History reads it),
    # until the store holds a full day of it; without starts, the first games stand in
    opening = pd.Timestamp(f"{season}-03-20")
    not_yet = PlayerStore(scorer, league.players, openings={season: opening}, starts={})
    assert season not in not_yet.season_starts()
    assert not_yet.season_starts() == History(p.iloc[:0], league.players, openings={season: opening},
                                              starts={}).season_starts()
    assert PlayerStore(scorer, league.players, openings={season: opening}).season_starts() == {season: opening}
    not_yet._mlb_games = {int(np.datetime64("%d-04-01" % season, "D").astype(np.int64)): 8}  # a full day held since
    assert not_yet.season_starts()[season] == pd.Timestamp(f"{season}-04-01")


def test_append_is_incremental_and_skips_games_it_holds(league, scorer):
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    store = PlayerStore.build(scorer, p[p["game_date"] < days[-2]], league.players)
    day = p[p["game_date"] == days[-2]]
    before = scorer.stats.games_encoded
    report = store.append(day)
    side_games = sum(day.groupby([side, "game_pk"]).ngroups for side in PLAYER_TYPES)
    assert report.games == day["game_pk"].nunique() and report.skipped_games == 0 and report.pitches == len(day)
    assert report.games_encoded == side_games == scorer.stats.games_encoded - before  # only the new games
    again = store.append(pd.concat([day, p[p["game_date"] == days[-1]]]))
    assert again.skipped_games == day["game_pk"].nunique() and again.games == p.loc[p["game_date"] == days[-1], "game_pk"].nunique()
    assert store.append(day).games == 0


def _as_retrosheet(day: pd.DataFrame) -> pd.DataFrame:
    """The same games under Retrosheet-style ids (hfm_train.retrosheet.game_pk: >= 10**12)."""
    out = day.copy()
    out["game_pk"] = out["game_pk"].astype(np.int64) + RETROSHEET_GAME_PK_MIN
    return out


def test_a_game_held_from_the_other_source_is_skipped(league, scorer, tmp_path):
    """Retrosheet's and Statcast's copies of a game (same date and home team, ids from both sides of
    RETROSHEET_GAME_PK_MIN) are one game: the copy held first stays, in one append Statcast's wins, and
    the keys survive a save; two games of one source on one date and park (a doubleheader) both count."""
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    last = p["game_date"] == days[-1]
    before = p[~last]
    day = p[last & (p["level"] == "MLB")]  # Retrosheet has MLB games only
    n_games = day["game_pk"].nunique()
    assert n_games > 1 and day["home_team"].notna().all()
    ids = sorted(set(day["batter"]) | set(day["pitcher"]))
    season, as_of = days[-1].year, days[-1] + pd.Timedelta(days=1)

    retro_first = PlayerStore.build(scorer, before, league.players)
    assert retro_first.append(_as_retrosheet(day)).games == n_games
    want = scorer.score(retro_first, season, ids, as_of=as_of)
    report = retro_first.append(day)  # Statcast's copy of games held from Retrosheet
    assert (report.games, report.skipped_games, report.pitches) == (0, n_games, 0)
    assert_same_scores(scorer.score(retro_first, season, ids, as_of=as_of), want, exact=True)
    retro_first.save(tmp_path / "state")
    loaded = PlayerStore.load(tmp_path / "state", scorer)
    assert loaded.append(day).skipped_games == n_games

    both = PlayerStore.build(scorer, before, league.players)
    report = both.append(pd.concat([_as_retrosheet(day), day]))  # one append holding both copies
    assert (report.games, report.skipped_games, report.pitches) == (n_games, n_games, len(day))
    statcast_only = PlayerStore.build(scorer, pd.concat([before, day]), league.players)
    assert_same_scores(scorer.score(both, season, ids, as_of=as_of),
                       scorer.score(statcast_only, season, ids, as_of=as_of), exact=True)

    # a second game at the same park that day from the same source is a game of its own
    game = day[day["game_pk"] == day["game_pk"].iloc[0]]
    second = game.copy()
    second["game_pk"] = int(p["game_pk"].max()) + 1
    assert both.append(second).games == 1

    # a doubleheader held in part: Statcast's game 1 held, Retrosheet brings games 1 and 2: game 2 is new
    part = PlayerStore.build(scorer, before, league.players)
    assert part.append(game).games == 1
    first, other = _as_retrosheet(game), _as_retrosheet(game)
    other["game_pk"] += 1
    report = part.append(pd.concat([first, other]))
    assert (report.games, report.skipped_games) == (1, 1) and int(other["game_pk"].iloc[0]) in part._game_pks
    # only MLB games are matched (Retrosheet has no other level): an AAA game at that park that day is new
    aaa = game.copy()
    aaa["level"], aaa["game_pk"] = "AAA", int(p["game_pk"].max()) + 2
    assert retro_first.append(aaa).games == 1


def test_a_doubleheader_held_from_both_sources_keeps_each_game_once(league, scorer):
    """Two games of one date and park that share a plate appearance (a reliever facing the same batter in
    both: 117 of 628 doubleheaders of 2000-2021) are not copies of each other: with Statcast's game 1 and
    Retrosheet's game 2 held, Statcast's game 2 is skipped (a review: it was taken, game 2 held twice),
    and Retrosheet's game 1 arriving after Statcast's game 2 alone is a game of its own, not a refusal."""
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    last = p["game_date"] == days[-1]
    before, day = p[~last], p[last & (p["level"] == "MLB")]
    pks = day["game_pk"].unique()
    one = day[day["game_pk"] == pks[0]]
    two = day[day["game_pk"] == pks[1]].assign(home_team=one["home_team"].iloc[0])  # the same park
    ended = two.index[two["events"].notna()][0]
    at = two["at_bat_number"] == two.loc[ended, "at_bat_number"]
    first = one[one["events"].notna()].iloc[0]
    two.loc[at, ["batter", "pitcher", "inning"]] = first[["batter", "pitcher", "inning"]].to_numpy()
    store = PlayerStore.build(scorer, pd.concat([before, one, _as_retrosheet(two)]), league.players)
    report = store.append(two)
    assert (report.games, report.skipped_games) == (0, 1)
    other = PlayerStore.build(scorer, pd.concat([before, two]), league.players)
    assert other.append(_as_retrosheet(one)).games == 1


def test_a_store_of_some_players_refuses_anyone_else(league, scorer, tmp_path):
    """A store built of some players' rows (build's `only`, append's `players`) holds no line of anyone else, who read as
    having no history (a walkthrough's Mookie Betts: the league's rates, flagged no_history): refused,
    naming him, after a save and load too."""
    p = league.pitches
    season = max(league.seasons)
    batters = p.loc[(p["level"] == "MLB") & (p["game_date"].dt.year == season - 1), "batter"].value_counts().index
    mine, other = int(batters[0]), int(batters[1])
    as_of = _game_days(p, season)[-1] + pd.Timedelta(days=1)  # the store keeps his last games
    store = PlayerStore.build(scorer, p[p["batter"] == mine], league.players, only=[mine])
    assert scorer.score(store, season, [mine], as_of=as_of)["flag"].iloc[0] == "model"
    with pytest.raises(HFMInputError, match=rf"holds the lines of 1 player\(s\) only .*, not of {other}"):
        scorer.score(store, season, [mine, other], as_of=as_of)
    store.save(tmp_path / "s")
    with pytest.raises(HFMInputError, match=rf"not of {other}"):
        scorer.score(PlayerStore.load(tmp_path / "s", scorer), season, [other], as_of=as_of)


def test_a_store_of_some_players_from_every_row_reads_the_leagues_rates(league, scorer):
    """`build(..., only=ids)` on the whole league's rows (README's recipe) scores those players as the
    whole league's History does: Marcel's and Marcel-to-date's league rates are everyone's rows', not
    the players' own (a walkthrough of 2026-12-07: Betts's marcel_SO .1264 against .1342)."""
    p = league.pitches
    season = max(league.seasons)
    days = _game_days(p, season)
    as_of = days[len(days) // 2]  # in season: Marcel to date reads the league's days too
    rows = p[p["game_date"] < as_of]
    mlb = rows[(rows["level"] == "MLB") & (rows["game_date"].dt.year == season - 1)]
    ids = [int(i) for i in mlb["batter"].value_counts().index[:2]] + [int(mlb["pitcher"].value_counts().index[0])]
    want = Scorer(scorer.bundle).score(History(rows, league.players), season, ids, as_of=as_of)
    some = PlayerStore.build(scorer, rows, league.players, only=ids)
    got = scorer.score(some, season, ids, as_of=as_of)
    assert_same_scores(got, want)  # every column: marcel_<S> (the opening day's) and marcel_to_date_<S> too


def test_a_store_of_some_players_rereads_the_leagues_rates_after_games_they_did_not_play(league, scorer, tmp_path):
    """Games none of its players played still move the league's rates its Marcel reads: the memo of
    the season they feed is dropped (a review of 2026-12-07: marcel_SO .0049 off after such an append,
    and after a save and load)."""
    p = league.pitches
    season = max(league.seasons)
    before = p[p["game_date"].dt.year < season - 1]
    last_year = p[p["game_date"].dt.year == season - 1]
    mine = int(last_year.loc[last_year["level"] == "MLB", "batter"].value_counts().index[0])
    his = last_year["batter"].eq(mine) | last_year["pitcher"].eq(mine)
    games = last_year["game_pk"].isin(last_year.loc[his, "game_pk"])
    store = PlayerStore.build(scorer, pd.concat([before, last_year[games]]), league.players, only=[mine])
    scorer.score(store, season, [mine])  # Marcel of the season memoised
    store.append(last_year[~games], players=[mine])  # games he did not play
    want = Scorer(scorer.bundle).score(History(pd.concat([before, last_year]), league.players), season, [mine])
    assert_same_scores(scorer.score(store, season, [mine]), want)
    store.save(tmp_path / "s")
    assert_same_scores(scorer.score(PlayerStore.load(tmp_path / "s", scorer), season, [mine]), want)


def test_a_part_of_a_game_never_stands_for_the_whole(league, scorer, tmp_path):
    """Statcast's rows of one batter's plate appearances (a statcast_batter() file) are a part of the
    game, not its copy (statcast.pair_copies, WHOLE_COPY): in one append with Retrosheet's whole game,
    Retrosheet's is taken; a part arriving after Retrosheet's game is skipped; Retrosheet's game arriving
    after a part is refused, naming the game, and the store is left as it was (before: skipped in
    silence, leaving everyone else in the game without a line), after a save and load too."""
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    last = p["game_date"] == days[-1]
    before, day = p[~last], p[last & (p["level"] == "MLB")]
    game = day[day["game_pk"] == day["game_pk"].iloc[0]]
    batter = int(game.loc[game["events"].notna(), "batter"].iloc[0])
    part = game[game["batter"] == batter]
    assert 0 < part["events"].notna().sum() < 0.9 * game["events"].notna().sum()
    ids = sorted(set(game["batter"]) | set(game["pitcher"]))
    season, as_of = days[-1].year, days[-1] + pd.Timedelta(days=1)
    retro_only = PlayerStore.build(scorer, pd.concat([before, _as_retrosheet(game)]), league.players)
    want = scorer.score(retro_only, season, ids, as_of=as_of)

    both = PlayerStore.build(scorer, before, league.players)
    report = both.append(pd.concat([part, _as_retrosheet(game)]))
    assert (report.games, report.skipped_games, report.pitches) == (1, 1, len(game))
    assert_same_scores(scorer.score(both, season, ids, as_of=as_of), want, exact=True)
    assert both.append(part).skipped_games == 1  # the part after the whole game: skipped
    assert_same_scores(scorer.score(both, season, ids, as_of=as_of), want, exact=True)

    part_first = PlayerStore.build(scorer, before, league.players)
    assert part_first.append(part).games == 1
    held = scorer.score(part_first, season, ids, as_of=as_of)
    n_plays = int(game["events"].notna().sum())
    refused = rf"game {int(game['game_pk'].iloc[0]) + RETROSHEET_GAME_PK_MIN} \({days[-1].date()} at " \
              rf"{game['home_team'].iloc[0]}\): the store holds {int(part['events'].notna().sum())} of its {n_plays} "
    with pytest.raises(HFMInputError, match=refused):
        part_first.append(_as_retrosheet(day))
    assert part_first.n_games == before["game_pk"].nunique() + 1
    assert_same_scores(scorer.score(part_first, season, ids, as_of=as_of), held, exact=True)
    part_first.save(tmp_path / "state")
    with pytest.raises(HFMInputError, match=refused):
        PlayerStore.load(tmp_path / "state", scorer).append(_as_retrosheet(game))
    # the day's other games are taken once that game is left out
    others = day[day["game_pk"] != game["game_pk"].iloc[0]]
    assert part_first.append(_as_retrosheet(others)).games == others["game_pk"].nunique()


def test_a_failed_append_leaves_the_store_as_it_was(league, scorer):
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    store = PlayerStore.build(scorer, p[p["game_date"] < days[-2]], league.players)
    ids, as_of = _ids(league), days[-1]
    before, games = scorer.score(store, as_of.year, ids, as_of=as_of), store.n_games
    day = p[p["game_date"] == days[-2]]
    with pytest.raises(HFMInputError, match="release_speed"):  # a column the skill counts read
        store.append(day.drop(columns=["release_speed"]))
    # rows no store should take (a walkthrough's): a missing player id, a date that is none, a game whose
    # plate appearances never end (its events all missing: the real day would then be skipped as held)
    for bad, match in ((day.assign(batter=np.nan), r"column batter: row 1 of the new games is missing"),
                       (day.assign(pitcher=pd.NA), r"column pitcher: row 1 of the new games is missing"),
                       (day.assign(game_date="not a date"), r"column game_date.* not dates"),
                       (day.assign(events=np.nan), rf"game {int(day['game_pk'].min())} has no ended plate appearance"),
                       (day.assign(stand="S"), r"column stand: 'S' is not one of L, R"),
                       # ids that are not whole numbers (a walkthrough's text ids got numpy's bare ValueError)
                       (day.assign(batter="abc"), r"column batter: row 1 of the new games is 'abc', not a whole-number id"),
                       (day.assign(pitcher=day["pitcher"] + 0.5), r"column pitcher: row 1 of the new games is \d+\.5"),
                       (day.assign(game_pk="x"), r"column game_pk: row 1 of the frame given is 'x'"),
                       (day.assign(batter=day["batter"].astype(str) + ".0"), r"column batter: row 1 .* is '\d+\.0'"),
                       (day.assign(pitcher=True), r"column pitcher: row 1 of the new games is True")):
        with pytest.raises(HFMInputError, match=match):
            store.append(bad)
    assert store.n_games == games
    assert_same_scores(scorer.score(store, as_of.year, ids, as_of=as_of), before, exact=True)
    # the day twice in one frame: its repeated pitches dropped and counted, scored as the day once
    twice = PlayerStore.build(scorer, p[p["game_date"] < days[-2]], league.players)
    report = twice.append(pd.concat([day, day]))
    assert (report.games, report.duplicates, report.pitches) == (day["game_pk"].nunique(), len(day), len(day))
    # a frame without a column the checks read, and a nullable game_pk with a missing value: one clean error
    with pytest.raises(HFMInputError, match=r"missing column\(s\) events"):
        store.append(day.drop(columns=["events"]))
    nullable = day.assign(game_pk=day["game_pk"].astype("Int64"))
    nullable.loc[nullable.index[3], "game_pk"] = pd.NA
    with pytest.raises(HFMInputError, match=r"column game_pk: row 4 of the frame given is missing"):
        store.append(nullable)
    assert store.n_games == games
    report = store.append(day)  # and the same day appends cleanly after, none of its pitches repeated
    assert (report.games, report.duplicates) == (day["game_pk"].nunique(), 0)
    # the MLB games per day, counted as games were appended, are those of the pitchers' lines held
    mlb = store._levels.index("MLB")
    pitched = {(int(seg.game_pk[i]), int(seg.day[i])) for seg in store._lines["pitcher"].values()
               for i in range(seg.n) if seg.level[i] == mlb}
    assert store._mlb_games == dict(Counter(day for _, day in pitched))
    # ... and the league's counts per day, summed as lines were appended, are those of the lines held
    for pt in PLAYER_TYPES:
        again = league_days(store.lines(pt, None, columns=[OPPORTUNITY[pt], *TARGET_STATS[pt]]), pt)
        for day in days[-3:]:
            pd.testing.assert_series_equal(league_to_date(again, pt, day.year, day),
                                           league_to_date(store._own_days[pt], pt, day.year, day))
    assert_same_scores(scorer.score(twice, as_of.year, ids, as_of=as_of), scorer.score(store, as_of.year, ids, as_of=as_of))


def test_scoring_before_the_kept_games_is_refused_with_the_player_named(league, scorer):
    p = league.pitches
    store = PlayerStore.build(scorer, p, league.players)
    first = _game_days(p, max(league.seasons))[2]
    with pytest.raises(HFMInputError, match=r"no longer holds .* keeps each player's last 10 games"):
        scorer.score(store, first.year, None, as_of=first)


def test_save_and_load_round_trip(league, scorer, tmp_path, monkeypatch):
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    store = PlayerStore.build(scorer, p[p["game_date"] < days[-1]], league.players)
    ids, as_of = _ids(league), days[-1]
    store.save(tmp_path / "state")
    assert not list(tmp_path.glob(".state*")), "no temporary folder left behind"
    # a folder of other files, or a file, is never replaced by a store (saving replaces a folder whole)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    (tmp_path / "afile").write_text("keep me too")
    for target in ("mine", "afile"):
        with pytest.raises(HFMInputError, match="writing would replace whole"):
            store.save(tmp_path / target)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me" and (tmp_path / "afile").is_file()
    (tmp_path / "empty").mkdir()
    store.save(tmp_path / "empty")  # an empty folder is fine
    loaded = PlayerStore.load(tmp_path / "state", scorer)
    assert_same_scores(scorer.score(loaded, as_of.year, ids, as_of=as_of),
                       scorer.score(store, as_of.year, ids, as_of=as_of), exact=True)
    assert loaded.nbytes() == store.nbytes() and loaded.last_date == store.last_date
    last = p[p["game_date"] == days[-1]]  # the next night: both take the new day alike
    assert store.append(last) == loaded.append(last)
    after = as_of + pd.Timedelta(days=1)
    assert_same_scores(scorer.score(loaded, as_of.year, ids, as_of=after),
                       scorer.score(store, as_of.year, ids, as_of=after), exact=True)
    # a save that fails midway leaves the saved store as it was, and no temporary folder
    saved = (tmp_path / "state" / STORE_FILE).read_text()
    real_savez, written = np.savez, []

    def disk_full(*args, **kwargs):
        written.append(args[0])
        if len(written) == 3:
            raise OSError("disk full")
        return real_savez(*args, **kwargs)

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError, match="disk full"):
        store.save(tmp_path / "state")
    monkeypatch.undo()
    assert (tmp_path / "state" / STORE_FILE).read_text() == saved and not list(tmp_path.glob(".state*"))
    assert PlayerStore.load(tmp_path / "state", scorer).last_date == days[-2]


def test_marcel_memo_grows_by_the_players_asked_and_is_saved(league, scorer, tmp_path):
    """Players asked a few at a time (the memo computes only those it lacks: players without a line
    in the window), saved, loaded (the memo with it), a day appended: every row as a History scores
    it, and as one store asked everything at once."""
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    store = PlayerStore.build(scorer, p[p["game_date"] < days[-1]], league.players)
    ids, season = _ids(league), days[-1].year
    groups = [ids[::3], ids[1::3], ids[2::3]]
    store.scorer.score(store, season, groups[0], as_of=days[-1])
    store.save(tmp_path / "state")
    assert "marcel.npz" in json.loads((tmp_path / "state" / STORE_FILE).read_text())["files"]
    loaded = PlayerStore.load(tmp_path / "state", scorer)
    assert sorted(loaded._marcel) == sorted(store._marcel) and loaded._marcel, "the memo is saved"
    for (pt, s), (held, rows, lg) in store._marcel.items():
        got = loaded._marcel[(pt, s)]
        np.testing.assert_array_equal(got[0], held)
        np.testing.assert_array_equal(got[1].rates, rows.rates)
        pd.testing.assert_frame_equal(got[2], lg[got[2].columns], check_names=False)
    n_saved = {k: len(v[0]) for k, v in loaded._marcel.items()}
    loaded.append(p[p["game_date"] == days[-1]])  # a day of this season: the window is unchanged
    after = days[-1] + pd.Timedelta(days=1)
    history = History(p, league.players)
    whole = PlayerStore.build(scorer, p, league.players)
    for group in groups[1:] + [groups[0]]:
        got = scorer.score(loaded, season, group, as_of=after)
        assert_same_scores(got, Scorer(scorer.bundle).score(history, season, group, as_of=after))
        assert_same_scores(got, scorer.score(whole, season, group, as_of=after))
    grown = {k: len(v[0]) - n_saved[k] for k, v in loaded._marcel.items()}
    assert all(n > 0 for n in grown.values()), grown  # the later groups' players were added to it


def test_load_refuses_another_bundle_altered_files_and_other_versions(league, scorer, tiny_bundle, tmp_path):
    store = PlayerStore.build(scorer, league.pitches[league.pitches["game_date"].dt.year == min(league.seasons)],
                              league.players)
    folder = store.save(tmp_path / "state")
    other = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["created_utc"] = "2000-01-01T00:00:00+00:00"  # a re-export: another manifest, same files
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreMismatch, match="built for bundle .*: build a new store"):
        PlayerStore.load(folder, Scorer(other))
    with pytest.raises(StoreMismatch, match="build a new store"):
        Scorer(other).score(store, max(league.seasons))

    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    with open(broken / "lines_batter.npz", "r+b") as f:
        f.seek(100)
        f.write(b"\x00\x01\x02")
    with pytest.raises(StoreMismatch, match=r"lines_batter\.npz: SHA-256 differs"):
        PlayerStore.load(broken, scorer)
    meta = json.loads((folder / STORE_FILE).read_text())
    meta["schema_version"] = 99
    (broken / STORE_FILE).write_text(json.dumps(meta))
    with pytest.raises(StoreMismatch, match="schema_version"):
        PlayerStore.load(broken, scorer)
    with pytest.raises(StoreMismatch, match="no such store folder"):
        PlayerStore.load(tmp_path / "nothing", scorer)


def test_one_scorer_shared_by_8_threads_scores_as_one_thread(league, scorer, tiny_bundle):
    p = league.pitches
    season = max(league.seasons)
    as_of = _game_days(p, season)[-1] + pd.Timedelta(days=1)
    store = PlayerStore.build(scorer, p, league.players)
    history = History(p, league.players)
    shared = Scorer(tiny_bundle, scorer.options)  # the store's Level-1 state serves scorers of its options
    ids = _ids(league)
    calls = [(source, ids[i::5]) for i in range(5) for source in (store, history)]  # 10 calls, 8 threads
    sequential = [Scorer(tiny_bundle, scorer.options).score(source, season, chunk, as_of) for source, chunk in calls]
    results: dict[int, pd.DataFrame] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(worker: int) -> None:
        try:
            start.wait()
            for k in range(worker, len(calls) * 2, 8):  # every call twice, from different threads
                source, chunk = calls[k % len(calls)]
                results[k] = shared.score(source, season, chunk, as_of)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 2 * len(calls)
    for k, table in results.items():
        assert_same_scores(table, sequential[k % len(calls)], exact=True)


def test_batches_run_side_by_side_on_threads_score_as_one_thread(league, tiny_bundle):
    """ScorerOptions.threads 2: a call's batches run two at a time on one-thread sessions; the store
    and the History give the same table, to the bit, as a one-thread scorer with the same batches."""
    p = league.pitches
    season = max(league.seasons)
    as_of = _game_days(p, season)[-1] + pd.Timedelta(days=1)
    small = {"graph1_batch_games": 4, "graph2_batch_players": 4}  # many batches on the tiny league
    ids = _ids(league)
    tables = {}
    for threads in (1, 2):
        with Scorer(tiny_bundle, ScorerOptions(threads=threads, **small)) as scorer:
            store = PlayerStore.build(scorer, p, league.players)
            tables[threads] = [scorer.score(source, season, ids, as_of) for source in (store, History(p, league.players))]
            assert (scorer._lanes is not None) == (threads == 2)
        assert scorer._lanes is None  # closed
    for got, want in zip(tables[2], tables[1]):
        assert_same_scores(got, want, exact=True)


def test_hfm_score_store_and_workers(tiny_bundle, tiny_league, tmp_path, capsys):
    base = ["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--format", "csv"]

    def run(*extra: str) -> str:
        score_main([*base, *extra])
        return capsys.readouterr().out

    one, three = run("--workers", "1"), run("--workers", "3")
    assert one == three and len(one.splitlines()) > 10  # the same bytes whatever the number of processes

    state = tmp_path / "state"
    score_main([*base, "--store", str(state), "--workers", "2"])
    first = capsys.readouterr()
    assert "new games appended (0 already held)" in first.err and (state / STORE_FILE).is_file()
    score_main([*base, "--store", str(state)])
    again = capsys.readouterr()
    assert again.out == first.out and " 0 new games appended" in again.err  # loaded warm, nothing new
    table = pd.read_csv(io.StringIO(first.out))
    league = load_league(tiny_league)
    as_of = league.pitches["game_date"].max() + pd.Timedelta(days=1)
    assert (pd.to_datetime(table["as_of_date"]) == as_of).all()  # default: the day after the newest game
    with pytest.raises(SystemExit) as exit_info:
        score_main([*base, "--workers", "0"])
    assert exit_info.value.code == 2 and "--workers" in capsys.readouterr().err

    other = tmp_path / "bundle"  # a new bundle: the store is refused, then rebuilt on request
    shutil.copytree(tiny_bundle, other)
    manifest = json.loads((other / "manifest.json").read_text())
    manifest["created_utc"] = "2000-01-01T00:00:00+00:00"
    (other / "manifest.json").write_text(json.dumps(manifest))
    moved = ["--bundle", str(other), *base[2:], "--store", str(state)]
    with pytest.raises(SystemExit) as exit_info:
        score_main(moved)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith("error: ") and "--rebuild" in err and len(err.splitlines()) == 1
    score_main([*moved, "--rebuild"])
    assert "(0 already held)" in capsys.readouterr().err


def test_graph2_memo_reuses_a_result_only_for_the_same_inputs(league, scorer, monkeypatch):
    """The store keeps each player's last Graph-2 result with its inputs: scoring again runs no Graph 2
    and gives the same table to the bit; after a day appended only players whose inputs changed run,
    and the table equals, to the bit, that of a new store (empty memo) of the same pitches."""
    p = league.pitches
    days = _game_days(p, max(league.seasons))
    ids = _ids(league)
    ran = []
    graph2 = scorer._graph2

    def counted(pt, games, index, *args):
        ran.append(len(index))
        return graph2(pt, games, index, *args)

    monkeypatch.setattr(scorer, "_graph2", counted)
    store = PlayerStore.build(scorer, p[p["game_date"] < days[-1]], league.players)
    as_of = days[-1] + pd.Timedelta(days=1)
    first = scorer.score(store, as_of.year, ids, as_of=days[-1])
    model_rows = int((first["flag"] == "model").sum())
    assert sum(ran) == model_rows > 0
    ran.clear()
    assert_same_scores(scorer.score(store, as_of.year, ids, as_of=days[-1]), first, exact=True)
    assert sum(ran) == 0
    store.append(p[p["game_date"] == days[-1]])
    got = scorer.score(store, as_of.year, ids, as_of=as_of)
    assert 0 < sum(ran) < int((got["flag"] == "model").sum())  # not everyone: the memo kept the others
    played = set(p.loc[p["game_date"] == days[-1], "batter"]) | set(p.loc[p["game_date"] == days[-1], "pitcher"])
    assert sum(ran) >= len(played & set(got.loc[got["flag"] == "model", "player_id"]))
    fresh = PlayerStore.build(scorer, p, league.players)
    assert_same_scores(got, scorer.score(fresh, as_of.year, ids, as_of=as_of), exact=True)
