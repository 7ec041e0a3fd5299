"""How much will a player still play this season, given how much he has played? (docs/ranges.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_rest_of_season_study.py \
        > benchmarks/results/real_rest_of_season_study.txt

An in-season score table projects the rest of the season's rates; its season totals need the rest
of the season's opportunities R (PA / BF in MLB from the as-of date to the season's end) on top of
what the player has already recorded (O, before the as-of date). For each judged season t and as-of
date D (May 1 .. September 1) and the players the score table scores by default (an MLB line in
t-3..t-1), the ways to project R, with e the share of the season gone by D:

  prorate     (1 - e) E[N]: the opening-day expected opportunities of the whole season (the product's
              playing-time spread, hfm_train.playing_time, fitted on the five seasons before t) for
              the part of the season left
  pace        (1 - e) O / e: his season so far, carried on
  blend k, recent a   hfm_runtime.playing_time.SeasonToDate.rest_base: (1 - e) (w pace + (1 - w) E[N]),
              w = e / (e + k), the pace (1 - a) the season's and a the last RECENT_DAYS' (a player on the
              injured list or sent down plays nothing lately); k and a chosen on 2010-2013 (one pair
              for both types: each type's best was the same), judged on 2014-2018

e is read off the calendar (hfm_runtime.playing_time.season_elapsed): the days since the season's
start (its first day of at least four MLB games, `season_starts`: not a series abroad a week early)
over the length of a full season 2001-2018 (FULL_SEASON_DAYS, measured here from the same starts),
averaged over those lengths; the league's share of games played by D, the truth, is printed beside
it.

Judged: RMSE of R; for the spread around the rule's base b (20 equally likely levels, as the score
table's), the CRPS and 80% coverage of R with (i) the opening-day spread's levels of the player's band
over their mean, times b, (ii) those to the power c (hfm_runtime.playing_time.rest_levels), (iii) the
levels of the spread's band of b's full-season pace b / (1 - e), to the power c (the runtime's,
SeasonToDate.levels: a player seen playing every day is scattered as a regular, whatever his
opening-day base; each level held to (1 - e) x the most opportunities of a fit row of the spread, its
`hold`, since 2026-12-07 evening: 778 PA and 1,071 BF, 2001-2018's most, that morning), c chosen for each on 2010-2013 by CRPS (before that hold), (iv) ratio quantiles R / b fitted per
band of b on the in-season rows of the five seasons before t (a fitted spread, which a bundle would
have to carry; not built); and the season totals of strikeouts and home runs: the score table's before 2026-12-06 night
(Marcel's opening-day rate x E[N], the whole season, nothing recorded counted) against O's counts
plus the same rate x b; the power c by as-of month (added 2026-12-07: does the rest of a season want a
wider spread late? the CRPS says no). Only seasons up to 2018 are read (`--test`, after the choice: 2019 and 2021,
fitted on the seasons before, 2020 skipped as a season judged).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_runtime.playing_time import (FULL_SEASON_DAYS, GRID, RECENT_DAYS, RECENT_WEIGHT, REST_K, REST_SPREAD,
                                      SeasonToDate, rest_levels, season_starts,
                                      season_elapsed)
from hfm_runtime.targets import OPPORTUNITY, SEASON_GAMES, TARGET_STATS
from hfm_train.calibration import mlb_season_lines
from hfm_train.league_stream import league_lines
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time, inputs_of, playing_time_rows
from real_playing_time_study import _both, judge
from real_ridge_study import print_notice  # the studies beside this one

MONTHS = (5, 6, 7, 8, 9)  # as of the 1st
KS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
RECENT = (0.0, 0.25, 0.5, 0.75, 1.0)
SHRINK = (0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 1.0)
B_BANDS = 10  # bands of equal rows of b for the in-season ratio quantiles


def season_spans(games: pd.DataFrame) -> pd.DataFrame:
    """Per season: its start (season_starts), its last MLB game date."""
    starts = season_starts(games["game_date"].to_numpy(), games["game_pk"].to_numpy())
    last = games.groupby("season")["game_date"].max()
    return pd.DataFrame({"opening": pd.Series(starts).reindex(last.index), "last": last})


def in_season_rows(rows: pd.DataFrame, mlb: pd.DataFrame, games: pd.DataFrame, spans: pd.DataFrame, opp: str,
                   stats: list[str], months: tuple[int, ...] = MONTHS, day_of_month: int = 1) -> pd.DataFrame:
    """rows (playing_time_rows of one type) x `months`, as of each month's `day_of_month`: to-date O and
    counts, the last RECENT_DAYS days' opportunities, rest R, the calendar's and the games' e."""
    out = []
    for season, part in rows.groupby("season"):
        lines = mlb[mlb["season"] == season]
        season_games = games[games["season"] == season]
        opening = spans.loc[season, "opening"]
        total = lines.groupby("player_id")[[opp, *stats]].sum()
        for month in months:
            day = pd.Timestamp(year=int(season), month=month, day=day_of_month)
            before = lines[lines["game_date"] < day]
            recent = before[before["game_date"] >= day - pd.Timedelta(days=RECENT_DAYS)]
            done = before.groupby("player_id")[[opp, *stats]].sum()
            lately = recent.groupby("player_id")[opp].sum()
            ids = part["player_id"].to_numpy()
            frame = part.copy()
            frame["month"] = month
            frame["day"] = day_of_month
            frame["opening"] = opening
            frame["e_cal"] = season_elapsed(opening, day, int(season))[0]
            frame["e_games"] = float((season_games["game_date"] < day).mean())
            frame["O"] = done[opp].reindex(ids).fillna(0.0).to_numpy()
            frame["recent"] = lately.reindex(ids).fillna(0.0).to_numpy()
            frame["R"] = total[opp].reindex(ids).fillna(0.0).to_numpy() - frame["O"].to_numpy()
            for s in stats:
                frame[f"done_{s}"] = done[s].reindex(ids).fillna(0.0).to_numpy()
                frame[f"all_{s}"] = total[s].reindex(ids).fillna(0.0).to_numpy()
            out.append(frame)
    return pd.concat(out, ignore_index=True)


def rest_base(frame: pd.DataFrame, k: float | None, a: float, full: np.ndarray) -> np.ndarray:
    """hfm_runtime.playing_time.SeasonToDate.rest_base of every (season, as-of) group of `frame`; k None:
    the pace alone, k inf: the opening day's alone (prorated)."""
    out = np.zeros(len(frame))
    for (season, month), at in frame.groupby(["season", "month"]).indices.items():
        part = frame.iloc[at]
        as_of = pd.Timestamp(year=int(season), month=int(month), day=int(part["day"].iloc[0]))
        elapsed, share = season_elapsed(part["opening"].iloc[0], as_of, int(season))
        to_date = SeasonToDate(part["O"].to_numpy(np.float64), part["recent"].to_numpy(np.float64),
                               np.zeros((len(part), 0)), elapsed, share, SEASON_GAMES.get(int(season), 162))
        out[at] = to_date.rest_base(full[at], k=1e-12 if k is None else 1e300 if np.isinf(k) else k, recent_weight=a)
    return out


def command_line(description: str) -> tuple[argparse.Namespace, list[int], list[int]]:
    """The in-season studies' command line (--league, --test): (args, the choice seasons 2010-2013, the
    judged ones: 2014-2018, or with --test 2019 and 2021)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--league", default="artifacts/league_retro")
    parser.add_argument("--test", action="store_true", help="judge 2019 and 2021 (after the choice)")
    args = parser.parse_args()
    print_notice(args.league)
    return args, [2010, 2011, 2012, 2013], ([2019, 2021] if args.test else [2014, 2015, 2016, 2017, 2018])


def mean_interval(d: np.ndarray, rng: np.random.Generator, draws: int = 2000) -> tuple[float, float, float]:
    """(mean, 5th, 95th percentile) of `d`'s mean over `draws` resamples of its rows (a paired 90% interval)."""
    means = [d[rng.integers(0, len(d), len(d))].mean() for _ in range(draws)]
    return float(d.mean()), float(np.quantile(means, 0.05)), float(np.quantile(means, 0.95))


def study_seasons(choose: list[int], judged: list[int]) -> tuple[dict[int, list[int]], list[int]]:
    """(each choice or judged season's five fit seasons before it, 2020 skipped; every season read)."""
    fit_of = {t: [s for s in range(t - 6, t) if s != 2020][-5:] for t in choose + judged}
    return fit_of, sorted({s for t in choose + judged for s in (*fit_of[t], t)})


def opening_expectation(table: pd.DataFrame, spreads: dict, pt: str, seasons: list[int]) -> np.ndarray:
    """[N] each row's opening-day expected opportunities of the whole season: the mean of its season's
    playing-time spread's levels (fitted on the seasons before) times Marcel's projection."""
    full = np.zeros(len(table))
    for t in seasons:
        at = (table["season"] == t).to_numpy()
        n0 = table.loc[at, "projected"].to_numpy(np.float64)
        full[at] = spreads[t].levels(pt, n0, inputs_of(table[at], pt)).mean(axis=1) * n0
    return full


def study_data(description: str, first: int | None = None):
    """The in-season studies' start: (args, the choice seasons, the judged ones, each one's fit seasons,
    every season read, the clock's start, and load_seasons' league, lines, mlb, games, spans, with
    playing_time_rows of every season read); `first`: the first season loaded (default three before the
    first read, Marcel's window)."""
    args, choose, judged = command_line(description)
    fit_of, seasons = study_seasons(choose, judged)
    start = time.perf_counter()
    league, lines, mlb, games, spans = load_seasons(args.league, min(seasons) - 3 if first is None else first,
                                                    max(seasons))
    rows = playing_time_rows(lines, league.players, seasons)
    return args, choose, judged, fit_of, seasons, start, league, lines, mlb, games, spans, rows


def load_seasons(league_dir: str, first: int, last: int):
    """(league, MLB season lines per type, MLB game lines per type with dates, the MLB games, their
    season_spans) of seasons first..last."""
    league, game_lines = league_lines(league_dir, list(range(first, last + 1)))
    lines = {pt: mlb_season_lines(game_lines[pt], pt) for pt in game_lines}
    mlb = {pt: g[g["level"] == "MLB"].assign(game_date=lambda f: pd.to_datetime(f["game_date"]))
           for pt, g in game_lines.items()}
    games = mlb["pitcher"].drop_duplicates("game_pk")[["game_pk", "season", "game_date"]]
    return league, lines, mlb, games, season_spans(games)


def main() -> None:
    args, choose, judged = command_line(__doc__.splitlines()[0])
    fit_of, seasons = study_seasons(choose, judged)
    start = time.perf_counter()
    league, lines, mlb, games, spans = load_seasons(args.league, 2001, max(seasons))
    full = spans[[s not in (2020,) for s in spans.index] & (spans.index <= 2018)]
    lengths = tuple(int(v) for v in (full["last"] - full["opening"]).dt.days + 1)
    print(f"# {args.league}: choose k on {choose}, judge {judged} ({time.perf_counter() - start:.0f} s to read)")
    print(f"# full seasons 2001-2018 from their starts to their last games, days: {lengths} "
          f"(the runtime's FULL_SEASON_DAYS: {'the same' if lengths == FULL_SEASON_DAYS else FULL_SEASON_DAYS})")
    rows = playing_time_rows(lines, league.players, seasons)
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        frames, spreads = {}, {}
        for t in choose + judged:
            train = rows[pt][rows[pt]["season"].isin(fit_of[t])]
            spreads[t] = fit_playing_time(_both(rows, pt, train, fit_of[t]), PlayingTimeConfig())
        table = in_season_rows(rows[pt][rows[pt]["season"].isin(seasons)], mlb[pt], games, spans, opp, stats)
        full_mean = np.zeros(len(table))
        full_levels = np.zeros((len(table), len(GRID)))
        for t in seasons:
            at = (table["season"] == t).to_numpy()
            if not at.any():
                continue
            spread = spreads.get(t) or spreads[min(spreads, key=lambda s: abs(s - t))]
            n0 = table.loc[at, "projected"].to_numpy(np.float64)
            lv = spread.levels(pt, n0, inputs_of(table[at], pt)) * n0[:, None]
            full_levels[at], full_mean[at] = lv, lv.mean(axis=1)
        table["full"] = full_mean
        print(f"\n## {pt}s\n")
        print("e by the calendar against the games' share, mean over seasons: " + ", ".join(
            f"{m}/1 {table.loc[table['month'] == m, 'e_cal'].mean():.3f} / {table.loc[table['month'] == m, 'e_games'].mean():.3f}"
            for m in MONTHS))
        pick = table["season"].isin(choose).to_numpy()
        variants = {"prorate": (np.inf, 0.0), "pace": (None, 0.0)}
        scores = {}
        for k in KS:
            for a in RECENT:
                variants[f"blend {k:g}, recent {a:g}"] = (k, a)
        for name, (k, a) in variants.items():
            b = rest_base(table, k, a, full_mean)
            scores[name] = np.sqrt(((b - table["R"].to_numpy())[pick] ** 2).mean())
        best = min((n for n in variants if n.startswith("blend")), key=scores.get)
        print(f"\nRMSE of R on the choice seasons {choose} (all as-of months pooled): " + "; ".join(
            f"{n} {scores[n]:.1f}" for n in ["prorate", "pace", *[n for n in variants if n.startswith("blend")]]))
        product = f"blend {REST_K:g}, recent {RECENT_WEIGHT:g}"
        print(f"\nbest on the choice seasons: **{best}**; the runtime's rule (one for both types): **{product}**")
        best = product
        judge_at = table["season"].isin(judged).to_numpy()
        print("\n| as of | players | R mean | RMSE R: prorate | pace | chosen | season total RMSE SO: today | "
              "to date + rest | HR: today | to date + rest |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        bases = {n: rest_base(table, *variants[n], full_mean) for n in ("prorate", "pace", best)}
        rate = {s: table[f"m_{s}"].to_numpy() for s in stats}
        for month in (*MONTHS, None):
            at = judge_at & ((table["month"] == month).to_numpy() if month else True)
            r = table["R"].to_numpy()[at]
            cells = [f"{np.sqrt(((bases[n][at] - r) ** 2).mean()):.1f}" for n in ("prorate", "pace", best)]
            tot = []
            for s in ("SO", "HR"):
                actual = table[f"all_{s}"].to_numpy()[at]
                today = rate[s][at] * full_mean[at]
                new = table[f"done_{s}"].to_numpy()[at] + rate[s][at] * bases[best][at]
                tot += [f"{np.sqrt(((today - actual) ** 2).mean()):.1f}", f"{np.sqrt(((new - actual) ** 2).mean()):.1f}"]
            label = f"{month}/1" if month else "all"
            print(f"| {label} | {at.sum()} | {r.mean():.1f} | " + " | ".join(cells + tot) + " |")
        # the spread around b
        b = bases[best]
        e = table["e_cal"].to_numpy()
        ratio_full = full_levels / np.maximum(full_mean, 1e-9)[:, None]  # the opening-day levels / their mean
        # the spread's band of the opening-day base m (the player's levels at opening day), or of the
        # rule's full-season pace b / (1 - e) (a player seen playing every day is a regular's band)
        ratio_pace = np.zeros_like(ratio_full)  # the band's levels over their mean (power 1)
        runtime = np.zeros_like(ratio_full)  # SeasonToDate.levels, the runtime's (power REST_SPREAD)
        hold = np.zeros(len(table))  # each row's spread's hold (the most of its fit rows)
        for (t, month), at in table.groupby(["season", "month"]).indices.items():
            spread = spreads.get(t) or spreads[min(spreads, key=lambda s: abs(s - t))]
            to_date = SeasonToDate(np.zeros(len(at)), np.zeros(len(at)), np.zeros((len(at), 0)), float(e[at][0]), 0.0, 162)
            ratio_pace[at] = rest_levels(np.asarray(spread.ratio[pt])[spread.band(pt, b[at] / (1 - e[at][0]))], 1.0)
            runtime[at] = to_date.levels(spread, pt, b[at])
            hold[at] = spread.hold(pt)
        uncapped = rest_levels(ratio_pace, REST_SPREAD)
        held = runtime < uncapped - 1e-12  # the runtime's hold at the most opportunities of a season
        assert np.allclose(runtime[~held], uncapped[~held], rtol=1e-12)
        print(f"\nlevels held to (1 - e) x the fit seasons' most ({hold.min():.0f}-{hold.max():.0f}; the runtime's): "
              f"{held.any(axis=1).mean():.2%} of "
              f"the player-dates, {held.mean():.3%} of their levels; the base's mean level "
              f"{runtime.mean(axis=1).mean():.4f}")
        chosen = {}
        for label, ratios in (("opening-day band", ratio_full), ("band of b / (1 - e)", ratio_pace)):
            crps_c = {c: judge(rest_levels(ratios, c)[pick] * b[pick, None], table["R"].to_numpy()[pick])["crps"].mean()
                      for c in SHRINK}
            chosen[label] = min(crps_c, key=crps_c.get)
            print(f"\nCRPS of R on the choice seasons, the {label}'s levels over their mean to the power c: " + "; ".join(
                f"c {c:g} {v:.2f}" for c, v in crps_c.items()) + f" (best c {chosen[label]:g})")
        print(f"(the runtime's, SeasonToDate.levels: the band of b / (1 - e), c {REST_SPREAD:g})")
        # Does the rest want a wider spread late in the season (2026-12-07: the product's in-season totals
        # under-cover by September, real_in_season_totals.py)? c by as-of month: the choice seasons'
        # CRPS, the judged seasons' 80% coverage of R over all players and over those who played on
        r_all = table["R"].to_numpy()
        most = (hold * (1 - e))[:, None]
        print("\n| as of | c | CRPS, choice seasons | 80% covered, judged | ... of those who played on |")
        print("|---|---|---|---|---|")
        for month in MONTHS:
            m = (table["month"] == month).to_numpy()
            for c in (0.8, 1.0, 1.25, 1.5):
                j = judge(np.minimum(rest_levels(ratio_pace, c) * b[:, None], most), r_all)
                on = judge_at & m & (r_all > 0)
                print(f"| {month}/1 | {c:g} | {j['crps'][pick & m].mean():.2f} | {j['cover'][judge_at & m].mean():.1%} | "
                      f"{j['cover'][on].mean():.1%} |")
        by_b = np.zeros((len(table), len(GRID)))
        for t in judged + choose:
            at_t = (table["season"] == t).to_numpy()
            train = table["season"].isin(fit_of[t]).to_numpy()
            edges = np.quantile(b[train], np.arange(1, B_BANDS) / B_BANDS)
            band_b = np.searchsorted(edges, b, side="right")
            for band in range(B_BANDS):
                tr = train & (band_b == band)
                q = np.maximum.accumulate(np.quantile(table["R"].to_numpy()[tr] / np.maximum(b[tr], 1.0), GRID))
                by_b[at_t & (band_b == band)] = q
        print("\n| as of | spread | CRPS R | 80% covered |")
        print("|---|---|---|---|")
        outs = {}
        for name, ratios in (("opening-day levels x b", ratio_full),
                             (f"opening-day levels to the power {chosen['opening-day band']:g}",
                              rest_levels(ratio_full, chosen["opening-day band"])),
                             (f"the runtime's: band of b / (1 - e), to the power {REST_SPREAD:g}", runtime),
                             (f"in-season ratios by {B_BANDS} bands of b x b", by_b)):
            levels = ratios * (np.maximum(b, 1.0) if ratios is by_b else b)[:, None]
            outs[name] = judge(levels[judge_at], table["R"].to_numpy()[judge_at])
            for month in MONTHS:
                m = (table["month"].to_numpy()[judge_at] == month)
                print(f"| {month}/1 | {name} | {outs[name]['crps'][m].mean():.1f} | {outs[name]['cover'][m].mean():.1%} |")
            print(f"| all | {name} | {outs[name]['crps'].mean():.1f} | {outs[name]['cover'].mean():.1%} |")
        for name in list(outs)[1:]:
            mean, lo, hi = mean_interval(outs[name]["crps"] - outs["opening-day levels x b"]["crps"], rng)
            print(f"\n{name} - opening-day levels x b, CRPS: {mean:+.2f} [{lo:+.2f}, {hi:+.2f}] (90%, player-dates "
                  "resampled)")
    print(f"\n({time.perf_counter() - start:.0f} s in all)")


if __name__ == "__main__":
    main()
