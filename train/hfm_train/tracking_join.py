"""Attach the reduced Statcast extract of 2009-2018 (pitch type, release speed, launch speed) to a
league's Retrosheet pitches.

    hfm-train join-tracking artifacts/league_retro --extract statcast.parquet --out artifacts/league_retro_tracked

The extract ships inside the `matchups` 0.4.0 package (MIT) as `matchups/statcast.parquet`: 7.3 M
pitches of 2009-2018 with `player_name` (the pitcher), `batter_name`, `game_date`, `at_bat_number`,
`pitch_type`, `release_speed`, `launch_speed` (from 2015), `events`; names, not ids, and no game or
pitch number. `pip install matchups==0.4.0` puts it on disk; nothing here downloads it.

The match, per season (the Retrosheet data README's "Measured on these files" reports the same
rates by another route):
  order          the extract must list each game's plate appearances as contiguous runs of rows, a
                 plate appearance's pitches newest first (its `events` row first), as the file does;
                 a run whose `events` row is not its first is counted ("extract_order_broken") and
                 left unmatched
  names -> ids   among the league's players (players.csv names) who pitched / batted on that date,
                 names normalised (accents, case, dots, hyphens, Jr./Sr./II/III, initials run
                 together): a name equal to exactly one of that day's players; where none is equal,
                 the id the name matched on other dates of the season, if he played that day; then
                 a last name and first initial, then a last name alone, unique among that day's
                 players. A name equal to two of the day's players (namesakes) stays unmatched.
  drifted names  a name still unmatched (the extract's register is older: about 130 name-seasons
                 changed) takes the league player on whom at least 80% (and 3 or more) of its plate
                 appearances fall, date and opponent alike, if no other name takes him that day and
                 no other player ties him
  plate appearances  the extract's runs of one (date, at_bat_number); pitcher and batter are the
                 last pitch's on both sides (a change inside a plate appearance does not split it).
                 The k-th meeting of a pitcher and a batter on a date in the extract (by
                 at_bat_number) is the k-th in the league (by game_pk, at_bat_number). A match is
                 kept only when both hold the same number of pitches and the same outcome class
                 (`outcome_class`: a scorer's error / fielder's choice / sacrifice calls on one ball
                 in play are one class). Plate appearances with no pitch (the league's `no_pitch`
                 rows; the extract's one-row intentional walks without a speed) are not meetings.
                 In a doubleheader a pair meeting in both games with equal pitch counts and outcomes
                 can be paired across the games; both belong to the same pitcher and batter, so no
                 player's counts change.
  pitches        pitch i of the league's plate appearance takes the extract's i-th oldest.
A plate appearance repeated in the extract (its rows listed twice) has twice the pitches and stays
unmatched; exact duplicate rows are not dropped, since two pitches of one plate appearance can be
equal in every column the extract keeps. Launch speeds of 80.0, 82.9, 83.0 and 90.3 mph (to the
tenth) on 2015-2018 balls in play are the constants Statcast wrote for an untracked ball, not
measurements: they are left missing (the few real ones at those values are lost with them).

What is written: a new league folder (hfm_runtime.atomic), the input's files copied, each joined
season's `pitch_type`, `release_speed` and `launch_speed` filled where a pitch matched (NaN
elsewhere: the featurizer and the skill rates read NaN as not measured), and league.json's
"tracking_join" {"extract", "seasons": {season: {"plate_appearances", "matched", "no_partner",
"pitch_count_differs", "events_differ", "extract_rows", "extract_order_broken",
"pitcher_names_unmatched", "batter_names_unmatched", "drifted_names_learned", "pitches",
"pitches_matched"}}} (names unmatched count (date, name) keys, spring-training and postseason dates
among them). Seasons outside the extract, other levels and seasons already tracked (Statcast's)
are copied as they are.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import unicodedata
from pathlib import Path

import click
import numpy as np
import pandas as pd

from hfm_runtime.atomic import atomic_dir, check_replaceable
from hfm_runtime.errors import HFMInputError

EXTRACT_COLUMNS = ("player_name", "batter_name", "game_date", "at_bat_number", "pitch_type",
                   "release_speed", "launch_speed", "events")
TRACKED = ("pitch_type", "release_speed", "launch_speed")
UNTRACKED_LAUNCH_SPEEDS = (80.0, 82.9, 83.0, 90.3)  # Statcast's constants for an untracked ball
_SUFFIX = re.compile(r"\b(jr|sr|ii|iii|iv)\b")


def normalise_name(name) -> str:
    """'José D. Martínez Jr.' -> 'jose d martinez'; initials run together ('j d' -> 'jd')."""
    if not isinstance(name, str):
        return ""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"[.'`]", " ", text).replace("-", " ")
    text = _SUFFIX.sub(" ", text)
    words = text.split()
    out: list[str] = []
    for w in words:  # run single letters together: "j d martinez" -> "jd martinez"
        if len(w) == 1 and out and len(out[-1]) <= 2 and out[-1].isalpha() and len(words) > 2:
            out[-1] += w
        else:
            out.append(w)
    return " ".join(out)


# outcome classes a scorer cannot move a plate appearance between (an error, a fielder's choice and
# a sacrifice are the official scorer's call on the same ball in play; the pitches are the same)
_OUTCOME_CLASS = {
    "strikeout": "K", "strikeout_double_play": "K", "walk": "BB", "intent_walk": "BB",
    "hit_by_pitch": "HBP", "single": "1B", "double": "2B", "triple": "3B", "home_run": "HR",
    "catcher_interf": "CI",
}


def outcome_class(events: pd.Series) -> np.ndarray:
    """K / BB / HBP / 1B / 2B / 3B / HR / CI; "in play" for every other event (outs and errors on a
    ball in play, and a plate appearance cut short by a caught stealing or pickoff); "" for none."""
    ev = events.astype(object)
    out = ev.map(_OUTCOME_CLASS).astype(object)
    out[out.isna() & ev.notna()] = "in play"
    return out.fillna("").to_numpy()


def _with_parts(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its normalised `name`'s last word and first letter."""
    return frame.assign(last=frame["name"].str.split(" ").str[-1].fillna(""), initial=frame["name"].str[:1])


def _day_players(pitches: pd.DataFrame, names: pd.Series, role: str) -> pd.DataFrame:
    """(game_date, id, name, last, initial) of everyone in `role` on each date (unnamed ones left out)."""
    out = pitches[["game_date", role]].drop_duplicates().rename(columns={role: "id"})
    out["name"] = names.reindex(out["id"].to_numpy()).fillna("").to_numpy()
    return _with_parts(out[out["name"] != ""])


def _resolve(extract_names: pd.DataFrame, day: pd.DataFrame, col: str) -> tuple[pd.Series, int]:
    """Map each (game_date, <col>) of the extract to a league id (module docstring); -1 if none."""
    keys = extract_names[["game_date", col]].drop_duplicates().rename(columns={col: "name"})
    keys = keys[keys["name"] != ""].reset_index(drop=True)
    keys["row"] = np.arange(len(keys))
    ids = np.full(len(keys), -1, dtype=np.int64)

    def candidates(frame: pd.DataFrame, on: list[str]) -> tuple[pd.Series, np.ndarray]:
        """(the id of each row with exactly one candidate, how many candidates each row has)."""
        cand = frame.merge(day, on=on, how="inner")
        counts = cand.groupby("row")["id"].transform("size")
        n = np.bincount(cand["row"].to_numpy(), minlength=len(keys))
        return cand[counts == 1].set_index("row")["id"], n

    exact, n_exact = candidates(keys[["row", "game_date", "name"]], ["game_date", "name"])
    ids[exact.index.to_numpy()] = exact.to_numpy()
    # where no one of that name played that day: the id the name matched on other dates of the season
    learned = (pd.DataFrame({"name": keys["name"].to_numpy()[exact.index.to_numpy()], "id": exact.to_numpy()})
               .groupby("name")["id"].agg(lambda s: s.value_counts().index[0]))
    none = n_exact == 0
    if none.any():
        guess = keys.loc[none, ["row", "game_date", "name"]].assign(id=lambda f: f["name"].map(learned))
        played = guess.merge(day[["game_date", "id"]], on=["game_date", "id"], how="inner")
        ids[played["row"].to_numpy()] = played["id"].to_numpy().astype(np.int64)
    for on in (["game_date", "last", "initial"], ["game_date", "last"]):
        todo = (ids < 0) & none
        if not todo.any():
            break
        found, _ = candidates(_with_parts(keys.loc[todo, ["row", "game_date", "name"]])[["row", *on]], on)
        ids[found.index.to_numpy()] = found.to_numpy()
    keys["id"] = ids
    return keys.set_index(["game_date", "name"])["id"], int((ids < 0).sum())


def _learn_drifted(x: pd.DataFrame, league: pd.DataFrame, role: str, partner: str, col: str) -> dict:
    """{normalised name: id} for the drifted names of `role` (module docstring): unresolved names
    whose plate appearances (date and resolved partner) fall, at least 80% of 3 or more, on one
    league player no name took that day; a tie, or two names on one player, learns nothing."""
    rows = x[(x[role] < 0) & (x[partner] >= 0) & (x[col] != "")]
    rows = rows.drop_duplicates(["game_date", col, partner, "at_bat_number"])
    if rows.empty:
        return {}
    meetings = league[["game_date", role, partner]].drop_duplicates()
    cand = rows[["game_date", col, partner]].merge(meetings, on=["game_date", partner])
    taken = x.loc[x[role] >= 0, ["game_date", role]].drop_duplicates()
    cand = cand.merge(taken.assign(taken=True), on=["game_date", role], how="left")
    cand = cand[cand["taken"].isna()]
    hits = cand.groupby([col, role]).size().rename("hits").reset_index()
    hits["share"] = hits["hits"] / rows.groupby(col).size().reindex(hits[col]).to_numpy()
    top = hits.groupby(col)["hits"].transform("max")
    best = hits[hits["hits"] == top]
    best = best[~best[col].duplicated(keep=False)]  # a tie for the top learns nothing
    best = best[(best["hits"] >= 3) & (best["share"] >= 0.8)]
    best = best[~best[role].duplicated(keep=False)]  # one player, one name
    return dict(zip(best[col], best[role].astype(np.int64)))


def join_season(pitches: pd.DataFrame, extract: pd.DataFrame, names: pd.Series,
                source: str = "<extract>") -> tuple[pd.DataFrame, dict]:
    """`pitches` (one season of the league, sorted by game_pk, at_bat_number, pitch_number) with
    TRACKED filled from `extract` (that season's rows, in the file's order) where a plate appearance
    matches, and the match's tally. `names`: normalised name by league player id; `source` names the
    extract in errors."""
    x = extract.reset_index(drop=True)
    try:
        x["game_date"] = pd.to_datetime(x["game_date"], format="%Y-%m-%d")
    except (ValueError, TypeError) as exc:
        raise HFMInputError(f"{source}: field game_date: {exc}") from None
    for raw, col in (("player_name", "pname"), ("batter_name", "bname")):
        codes, uniques = pd.factorize(x[raw])  # each distinct name normalised once
        x[col] = np.append(np.array([normalise_name(u) for u in uniques], dtype=object), "")[codes]
    league = pitches[["game_pk", "game_date", "pitcher", "batter", "at_bat_number", "pitch_number",
                      "events", "description"]].copy()
    league["game_date"] = pd.to_datetime(league["game_date"]).dt.normalize()
    pid, p_missing = _resolve(x, _day_players(league, names, "pitcher"), "pname")
    bid, b_missing = _resolve(x, _day_players(league, names, "batter"), "bname")
    x["pitcher"] = pid.reindex(pd.MultiIndex.from_frame(x[["game_date", "pname"]])).to_numpy()
    x["batter"] = bid.reindex(pd.MultiIndex.from_frame(x[["game_date", "bname"]])).to_numpy()
    drifted = {}
    for role, partner, col in (("batter", "pitcher", "bname"), ("pitcher", "batter", "pname")):
        learned = _learn_drifted(x, league, role, partner, col)
        drifted[role] = len(learned)
        if learned:
            todo = x[role] < 0
            guess = x.loc[todo, col].map(learned)
            played = pd.MultiIndex.from_frame(pd.DataFrame({"d": x.loc[todo, "game_date"], "i": guess}))
            seen = pd.MultiIndex.from_frame(league[["game_date", role]].drop_duplicates())
            ok = played.isin(seen)
            x.loc[x.index[todo][ok], role] = guess[ok].astype(np.int64).to_numpy()

    # the extract's plate appearances: runs of rows of one (date, at_bat_number), so a doubleheader's
    # two equal at_bat_numbers stay apart and a pitching or batting change inside a plate appearance
    # does not split it; pitches newest first -> numbered oldest first; pitcher and batter are the last
    # pitch's (as on the league's side)
    key = x[["game_date", "at_bat_number"]]
    x["pa"] = (key != key.shift()).any(axis=1).cumsum()
    xpa = x.groupby("pa", sort=False)
    x["n"] = xpa["pa"].transform("size")
    x["pitch_number"] = x["n"] - xpa.cumcount()
    ended = x["events"].notna()
    broken = x.loc[ended & (x["pitch_number"] != x["n"]), "pa"].unique()  # `events` not on the newest row
    last = x[x["pitch_number"] == x["n"]]
    xpas = last[["game_date", "pitcher", "batter", "at_bat_number", "n", "events", "pa", "release_speed"]]
    no_pitch = (xpas["n"] == 1) & (xpas["events"] == "intent_walk") & xpas["release_speed"].isna()
    xpas = xpas[(xpas["pitcher"] >= 0) & (xpas["batter"] >= 0) & ~no_pitch].copy()
    xpas["broken"] = xpas["pa"].isin(broken)  # still a meeting (the pair's later ones keep their k)
    xpas = xpas.sort_values(["game_date", "pitcher", "batter", "at_bat_number"])
    xpas["k"] = xpas.groupby(["game_date", "pitcher", "batter"]).cumcount()

    # the league's plate appearances with pitches
    real = ~league["description"].isin(["no_pitch"])
    lpa = (league[real].groupby(["game_pk", "at_bat_number"], sort=True)
           .agg(game_date=("game_date", "first"), pitcher=("pitcher", "last"), batter=("batter", "last"),
                n=("pitch_number", "size"), events=("events", "last")).reset_index())
    lpa["k"] = lpa.groupby(["game_date", "pitcher", "batter"]).cumcount()

    pairs = lpa.merge(xpas, on=["game_date", "pitcher", "batter", "k"], how="left", suffixes=("", "_x"))
    whole = ~pairs["broken"].fillna(True).astype(bool)  # an extract run in pitch order
    same = (pairs["n"] == pairs["n_x"]) & (outcome_class(pairs["events"]) == outcome_class(pairs["events_x"])) & whole
    tally = {
        "plate_appearances": int(len(lpa)),
        "matched": int(same.sum()),
        "no_partner": int(pairs["n_x"].isna().sum()),
        "pitch_count_differs": int(((pairs["n"] != pairs["n_x"]) & pairs["n_x"].notna()).sum()),
        "events_differ": int(((pairs["n"] == pairs["n_x"]) & whole & ~same).sum()),
        "extract_rows": int(len(extract)),
        "extract_order_broken": int(len(broken)),
        "pitcher_names_unmatched": p_missing,
        "batter_names_unmatched": b_missing,
        "drifted_names_learned": drifted,
    }
    keep = pairs[same][["game_pk", "at_bat_number", "pa"]]
    pitch_x = x[["pa", "pitch_number", *TRACKED]].merge(keep, on="pa", how="inner").drop(columns="pa")
    if len(pitch_x) and league["game_date"].dt.year.iloc[0] >= 2015:
        constant = pitch_x["launch_speed"].astype(np.float64).round(1).isin(UNTRACKED_LAUNCH_SPEEDS)
        pitch_x.loc[constant, "launch_speed"] = np.nan
    out = pitches.drop(columns=list(TRACKED)).merge(pitch_x, on=["game_pk", "at_bat_number", "pitch_number"],
                                                     how="left", validate="one_to_one")
    out = out[list(pitches.columns)]
    for col in TRACKED:
        out[col] = out[col].astype(pitches[col].dtype) if col != "pitch_type" else out[col].astype(object)
    tally["pitches"] = int(len(pitches))
    tally["pitches_matched"] = int(len(pitch_x))
    return out, tally


def partly_tracked_warning(meta: dict, season: int, window: int = 3) -> str | None:
    """A warning when the `window` seasons before `season` are tracked by the join in some but not
    all (docs/tracking-join.md: a model trained on tracked windows projects worse from a window whose
    recent seasons are untracked than a model without the join); None otherwise."""
    joined = {int(s) for s, t in (meta.get("tracking_join") or {}).get("seasons", {}).items() if "matched" in t}
    seasons = set(range(season - window, season))
    if not joined & seasons or seasons <= joined:
        return None
    return (f"warning: the league's tracking join covers {sorted(joined & seasons)} of the {window} seasons before "
            f"{season}; a window tracked in part projected worse than none on the selection seasons "
            "(docs/tracking-join.md): fit on the league without the join")


def extract_seasons(extract: Path) -> list[int]:
    """The seasons an extract holds (checked for the columns the join reads)."""
    import pyarrow.parquet as pq

    if not extract.is_file():
        raise HFMInputError(f"{extract}: no such file (the extract is matchups/statcast.parquet of "
                            "`pip install matchups==0.4.0`)")
    try:
        names = pq.read_schema(extract).names
    except Exception as exc:  # pyarrow's errors name no file
        raise HFMInputError(f"{extract}: not a Parquet file ({exc})") from None
    missing = [c for c in EXTRACT_COLUMNS if c not in names]
    if missing:
        raise HFMInputError(f"{extract}: missing column(s) {', '.join(missing)}")
    dates = pq.read_table(extract, columns=["game_date"]).column(0).to_pandas()
    if not pd.api.types.is_string_dtype(dates):
        raise HFMInputError(f"{extract}: field game_date must be text (YYYY-MM-DD), got {dates.dtype}")
    years = pd.to_numeric(dates.str[:4], errors="coerce")
    if years.isna().any():
        row = int(np.flatnonzero(years.isna().to_numpy())[0])
        raise HFMInputError(f"{extract}: row {row}: field game_date {dates.iloc[row]!r} is not a date")
    return sorted(int(y) for y in years.unique())


def join_league(league: Path, extract: Path, out: Path, progress: bool = False,
                log=print) -> dict:
    """Write `out`: `league` with the extract's tracking on its untracked MLB seasons (module
    docstring). Returns league.json's "tracking_join"."""
    import pyarrow.parquet as pq
    from tqdm import tqdm

    from hfm_runtime.league import is_league, read_league_meta, read_players

    meta = read_league_meta(league)
    check_replaceable(out, is_league, "league")  # the joined league replaces it whole
    players = read_players(league / "players.csv")
    names = pd.Series((players["name_first"].fillna("") + " " + players["name_last"].fillna(""))
                      .map(normalise_name).to_numpy(), index=players["player_id"].to_numpy())
    seasons = extract_seasons(extract)
    report: dict = {"extract": str(extract), "seasons": {}}
    with atomic_dir(out) as tmp:
        for item in league.iterdir():
            if item.name != "pitches" and item.name != "league.json":
                (shutil.copytree if item.is_dir() else shutil.copy2)(item, tmp / item.name)
        files = sorted((league / "pitches").glob("*/*.parquet"))
        for path in tqdm(files, unit=" seasons", disable=not progress, leave=False):
            dest = tmp / "pitches" / path.parent.name / path.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if not path.stem.isdigit():
                raise HFMInputError(f"{path}: a league's pitch files are named <season>.parquet")
            season = int(path.stem)
            if path.parent.name != "MLB" or season not in seasons:
                shutil.copy2(path, dest)
                continue
            pitches = pd.read_parquet(path)
            if pitches["release_speed"].notna().any():  # a Statcast season: tracked already
                shutil.copy2(path, dest)
                report["seasons"][str(season)] = {"skipped": "already tracked"}
                continue
            start = time.perf_counter()
            rows = pq.read_table(extract, columns=list(EXTRACT_COLUMNS), filters=[
                ("game_date", ">=", f"{season}-01-01"), ("game_date", "<", f"{season + 1}-01-01")]).to_pandas()
            joined, tally = join_season(pitches, rows, names, str(extract))
            joined.to_parquet(dest, index=False)
            report["seasons"][str(season)] = tally
            log(f"{season}: {tally['matched'] / max(tally['plate_appearances'], 1):.2%} of plate appearances, "
                f"{tally['pitches_matched'] / max(tally['pitches'], 1):.2%} of pitches matched "
                f"({time.perf_counter() - start:.1f} s)")
        meta = dict(meta, tracking_join=report)
        (tmp / "league.json").write_text(json.dumps(meta, indent=1))
    return report


@click.command("join-tracking")
@click.argument("league", type=click.Path(path_type=Path))
@click.option("--extract", type=click.Path(path_type=Path), required=True,
              help="The reduced Statcast extract of 2009-2018: matchups/statcast.parquet of "
                   "`pip install matchups==0.4.0`.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="League folder to write (default: LEAGUE itself, replaced once complete).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def join_tracking_command(league: Path, extract: Path, out: Path | None, no_progress: bool) -> None:
    """Attach pitch type, release speed and launch speed of the 2009-2018 Statcast extract to a
    league's Retrosheet seasons."""
    from tqdm import tqdm

    report = join_league(league, extract, out or league, progress=not no_progress, log=tqdm.write)
    done = [t for t in report["seasons"].values() if "matched" in t]
    pa = sum(t["plate_appearances"] for t in done)
    click.echo(f"{len(done)} season(s) joined: {sum(t['matched'] for t in done) / max(pa, 1):.2%} of "
               f"{pa:,} plate appearances; written to {out or league}")
