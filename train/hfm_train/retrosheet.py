"""Retrosheet event files -> Statcast-shaped pitch rows, one per pitch, through chadwickpy.

The information used here was obtained free of charge from and is copyrighted by Retrosheet.
Interested parties may contact Retrosheet at "www.retrosheet.org".

Parsing is chadwickpy's (PyPI, GPL-3.0-or-later): a pure-Python port of the Chadwick tools, checked
byte for byte against Chadwick's `cwevent` on every season. Its game iterator reads each play's
text, advances runners, counts outs and runs and applies the scoring rules of responsibility; this
module only walks it and writes what it says in Statcast's columns (hfm_runtime.statcast):

  game_pk        deterministic from Retrosheet's game id (home team, date, game number of the day):
                 YYYYMMDD * 10**6 + base-36 of the Retrosheet home team code * 10 + game number.
                 Never an MLBAM game_pk (those are below 10**6; the runtime tells the sources apart by
                 hfm_runtime.statcast.RETROSHEET_GAME_PK_MIN), and it sorts by date.
  game_date      the game's date; home_team / away_team Statcast's team codes (TEAM_CODES)
  pitcher, batter  MLBAM ids (Chadwick register) of who threw and who stood at the plate
  responsible_pitcher, responsible_batter   on a plate appearance's last pitch: who is charged with it
                 (a walk after a pitching change in a 2-0, 2-1, 3-x count goes to the pitcher
                 replaced; a strikeout by a pinch hitter who came in with two strikes goes to the
                 batter replaced); empty elsewhere. hfm_runtime.seasons counts the plate appearance
                 for them, so season lines are the official ones.
  description, type   from each pitch code (PITCH_CODES; any other character is counted and not written,
                 ParseCounts.unknown_pitch_codes); markers (pickoff throws, runners going,
                 blocked pitches) and `N` (no pitch) are not pitches. A plate appearance with no
                 pitch sequence (an automatic intentional walk, a missing sequence) gets one row
                 with description "no_pitch", which no skill count reads as a pitch.
  balls, strikes  the count before the pitch, from the pitches before it
  events         on the plate appearance's last pitch: Statcast's event name (_BATTER_EVENTS, _event_name); a
                 plate appearance cut off by the inning's last out on the bases (a caught stealing,
                 a pickoff) gets that runner event, as Statcast writes it
  bb_type        on that pitch, from the hit-type modifier (/G ground_ball, /L line_drive, /F
                 fly_ball, /P popup); empty where the scorer gave none
  hit_location   on that pitch, for a ball in play: the fielder (1-9) who first fielded it, as
                 Statcast's column (the first fielder of the play, `S8` or `63`); empty for a home
                 run over the fence and where the scorer named none
  inning, inning_topbot, outs_when_up, on_1b/on_2b/on_3b (runner MLBAM ids), bat_score,
  fld_score      the game state before the pitch (a stolen base between two pitches moves the
                 runner for the later pitch)
  stand, p_throws  the batter's side (a switch hitter bats opposite the pitcher's hand; `badj`
                 records) and the pitcher's hand (`padj` records), from the season's rosters
  at_bat_number, pitch_number   plate appearances numbered through the game, pitches through each
  batter_position  the batter's fielding position in his team's lineup at the pitch (1-9, 10 DH,
                 11 pinch hitter: hfm_runtime.statcast's numbering; a pinch hitter for the DH is 10
                 from his plate appearance on, as chadwickpy moves him into the DH's place). Empty
                 where chadwickpy's lineup has no position for him: a pinch hitter or runner batting a
                 second time in the same inning (59 rows of 2019)
  game_type "R", level "MLB"; every tracking column (pitch type, speeds, locations, spin, launch
                 data, xwOBA, run values) empty.

Sources: Retrosheet's own `<YEAR>eve.zip` (a folder of them: `season_zips`) or a folder of its
extracted files (event files `<YEAR><TEAM>.EV[AN]`, rosters `<TEAM><YEAR>.ROS`, the team list
`TEAM<YEAR>`). Bad input is one HFMInputError naming the file and the game or line: an unreadable,
damaged or truncated file (a zip that will not inflate, a line that is no record, a play line with
fields missing or a numeric field out of range, a game with no `data` records after its plays), a
season without its team list or a team's roster (where every player's hand comes from), a play
chadwickpy cannot parse at all (an unknown event code; the error names its line), an id missing from
the register (named with the line where the player enters the game) or given two MLBAM ids there. A record type or a pitch code that Retrosheet's files of 2000-2021 do not have (a
later release may add some) is read past and counted (`ParseCounts.other_records`,
`unknown_pitch_codes`, with an example each; league.json and the import summary). A play Chadwick
reads only in part (notation its parser does not know inside a runner's advance, say) is kept as
Chadwick reads it, as its own tools do, and listed in `ParseCounts.partly_parsed` with its file and
line (league.json, the import summary).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.statcast import LEVEL_COLUMN, STATCAST_COLUMNS, TEXT_DTYPE

NOTICE = ('The information used here was obtained free of charge from and is copyrighted by Retrosheet. '
          'Interested parties may contact Retrosheet at "www.retrosheet.org".')

# Retrosheet pitch code -> (Statcast description, type, how it moves the count: "b" ball, "s" strike,
# "f" strike below two strikes, "" nothing).
PITCH_CODES: dict[str, tuple[str, str, str]] = {
    "B": ("ball", "B", "b"),
    "I": ("intent_ball", "B", "b"),
    "P": ("pitchout", "B", "b"),
    "V": ("ball", "B", "b"),  # a ball called on the pitcher (e.g. going to his mouth)
    "H": ("hit_by_pitch", "B", ""),
    "C": ("called_strike", "S", "s"),
    "S": ("swinging_strike", "S", "s"),
    "T": ("foul_tip", "S", "s"),
    "K": ("called_strike", "S", "s"),  # a strike of unknown kind
    "M": ("missed_bunt", "S", "s"),
    "Q": ("swinging_pitchout", "S", "s"),
    "L": ("foul_bunt", "S", "s"),
    "O": ("bunt_foul_tip", "S", "s"),  # a strike in any count, as a foul tip
    "F": ("foul", "S", "f"),
    "R": ("foul_pitchout", "S", "f"),
    "X": ("hit_into_play", "X", ""),
    "Y": ("hit_into_play", "X", ""),  # put into play on a pitchout
    "U": ("unknown", "S", ""),
}
PITCH_MARKERS = frozenset("+*.123>N")  # pickoff throws, blocks, runners going, no pitch: not pitches
NO_PITCH = "no_pitch"  # the description of a plate appearance's placeholder row (module docstring)
BATTED_BALL = {"G": "ground_ball", "L": "line_drive", "F": "fly_ball", "P": "popup"}

# chadwickpy's event types (Retrosheet's event codes) -> Statcast `events`
_OUT, _K, _CS, _PO = 2, 3, 6, 8
_BATTER_EVENTS = {14: "walk", 15: "intent_walk", 16: "hit_by_pitch", 17: "catcher_interf", 18: "field_error",
                  20: "single", 21: "double", 22: "triple", 23: "home_run"}
_BASE_NAMES = {1: "2b", 2: "3b", 3: "home"}

# Retrosheet team codes (2000-2021) -> Statcast's
TEAM_CODES: dict[str, str] = {
    "ANA": "LAA", "ARI": "AZ", "ATL": "ATL", "BAL": "BAL", "BOS": "BOS", "CHA": "CWS", "CHN": "CHC",
    "CIN": "CIN", "CLE": "CLE", "COL": "COL", "DET": "DET", "FLO": "MIA", "HOU": "HOU", "KCA": "KC",
    "LAN": "LAD", "MIA": "MIA", "MIL": "MIL", "MIN": "MIN", "MON": "WSH", "NYA": "NYY", "NYN": "NYM",
    "OAK": "OAK", "PHI": "PHI", "PIT": "PIT", "SDN": "SD", "SEA": "SEA", "SFN": "SF", "SLN": "STL",
    "TBA": "TB", "TEX": "TEX", "TOR": "TOR", "WAS": "WSH",
}
RESPONSIBLE_COLUMNS: tuple[str, ...] = ("responsible_batter", "responsible_pitcher")
_EVENT_FILE = re.compile(r"^(\d{4})[A-Z0-9]{3}\.EV[AN]$", re.IGNORECASE)
_ZIP_NAME = re.compile(r"^(\d{4})eve\.zip$", re.IGNORECASE)


def game_pk(game_id: str) -> int:
    """The deterministic game_pk of a Retrosheet game id such as NYA201903280 (module docstring)."""
    if len(game_id) != 12 or not game_id[3:].isdigit():
        raise HFMInputError(f"{game_id!r} is not a Retrosheet game id (TTTYYYYMMDDN)")
    return int(game_id[3:11]) * 10**6 + int(game_id[:3], 36) * 10 + int(game_id[11])


@dataclass
class ParseCounts:
    """What a parse met that a reader should know: nothing here is dropped silently."""

    games: int = 0
    pitches: int = 0
    plate_appearances: int = 0
    placeholder_rows: int = 0  # plate appearances with no pitch sequence (one "no_pitch" row each)
    unknown_hand: Counter = field(default_factory=Counter)  # "bats"/"throws" -> rows with R assumed
    count_mismatch: int = 0  # plate appearances whose listed count differs from the pitches' count
    # plays Chadwick reads only in part (notation its parser does not know, e.g. a runner's "/RINT"):
    # kept as Chadwick reads them (event type, outs, batted-ball type), and listed
    partly_parsed: list = field(default_factory=list)
    # what Retrosheet's spec of these seasons does not have, read past but counted: record types (a later
    # release may add some) and pitch codes (the pitch is not written; one "game: play" example each)
    other_records: Counter = field(default_factory=Counter)
    unknown_pitch_codes: Counter = field(default_factory=Counter)
    unknown_pitch_examples: dict = field(default_factory=dict)

    def add(self, other: ParseCounts) -> None:
        self.games += other.games
        self.pitches += other.pitches
        self.plate_appearances += other.plate_appearances
        self.placeholder_rows += other.placeholder_rows
        self.unknown_hand.update(other.unknown_hand)
        self.count_mismatch += other.count_mismatch
        self.partly_parsed += other.partly_parsed
        self.other_records.update(other.other_records)
        self.unknown_pitch_codes.update(other.unknown_pitch_codes)
        for code, example in other.unknown_pitch_examples.items():
            self.unknown_pitch_examples.setdefault(code, example)

    def to_json(self) -> dict:
        return {"games": self.games, "pitches": self.pitches, "plate_appearances": self.plate_appearances,
                "placeholder_rows": self.placeholder_rows, "unknown_hand": dict(self.unknown_hand),
                "count_mismatch": self.count_mismatch, "partly_parsed": list(self.partly_parsed),
                "other_records": dict(self.other_records), "unknown_pitch_codes": dict(self.unknown_pitch_codes),
                "unknown_pitch_examples": dict(self.unknown_pitch_examples)}


# --- sources ---------------------------------------------------------------------------------------
def is_retrosheet(path: str | Path) -> bool:
    """Is `path` a Retrosheet season: a `<YEAR>eve.zip`, or a folder holding `<YEAR><TEAM>.EV[AN]` files?"""
    path = Path(path)
    if path.is_file():
        return bool(_ZIP_NAME.match(path.name)) or (path.suffix.lower() == ".zip" and _zip_has_events(path))
    return path.is_dir() and any(_EVENT_FILE.match(p.name) for p in path.iterdir())


def season_zips(path: str | Path) -> list[Path]:
    """The `<YEAR>eve.zip` files a folder holds, by name (none for a file, or a folder without them):
    a folder of them is read as those seasons, whatever else it holds (a register, a README)."""
    path = Path(path)
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if p.is_file() and _ZIP_NAME.match(p.name))


def _zip_has_events(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(_EVENT_FILE.match(Path(n).name) for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


class SeasonFiles:
    """A season's files by name, read from a zip or a folder (names compared without case)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        member = ""  # the file being read, named in the error (a walkthrough's damaged zip was not)
        try:
            if self.path.is_dir():
                self._files = {}
                for p in self.path.iterdir():
                    if p.is_file():
                        member = f" ({p.name})"
                        self._files[p.name.upper()] = p.read_bytes()
            else:
                with zipfile.ZipFile(self.path) as z:
                    self._files = {}
                    for n in z.namelist():
                        if not n.endswith("/"):
                            member = f" (member {n})"
                            self._files[Path(n).name.upper()] = z.read(n)
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:  # a truncated or damaged zip
            raise HFMInputError(f"{self.path}: cannot read as a Retrosheet zip or folder{member}: {exc}") from None
        years = {int(m.group(1)) for name in self._files if (m := _EVENT_FILE.match(name))}
        if len(years) != 1:
            raise HFMInputError(f"{self.path}: expected the event files (<YEAR><TEAM>.EVA/.EVN) of one season, "
                                f"found seasons {sorted(years) or 'none'}")
        self.season = years.pop()

    def event_files(self) -> list[str]:
        return sorted(n for n in self._files if _EVENT_FILE.match(n))

    def get(self, name: str) -> bytes | None:
        return self._files.get(name.upper())


# --- parsing ---------------------------------------------------------------------------------------
def parse_season(path: str | Path, register: Mapping[str, int]) -> tuple[pd.DataFrame, ParseCounts]:
    """Every pitch of a Retrosheet season (zip or folder) as Statcast-shaped rows (module docstring),
    ordered by game_pk, at_bat_number, pitch_number, with the counts of what the parse met.

    register: Retrosheet id -> MLBAM id (`retro_to_mlbam`)."""
    from chadwickpy.tools.tools import read_rosters

    files = SeasonFiles(path)
    rosters = read_rosters(_required(files, f"TEAM{files.season}"), str(files.season),
                           lambda name: _required(files, name))
    counts = ParseCounts()
    columns = _Columns()
    for name in files.event_files():
        _parse_event_file(files.path, name, files.get(name), rosters, register, columns, counts)
    frame = columns.frame()
    counts.pitches = int((frame["description"] != NO_PITCH).sum())
    return frame, counts


def _required(files: SeasonFiles, name: str) -> bytes:
    """A season's team list or a team's roster: every player's batting and throwing hand comes from the
    rosters, so a missing one would make its players right-handed without a word (Chadwick reads past it)."""
    data = files.get(name)
    if data is None:
        what = "the team list" if name.upper().startswith("TEAM") else "a team's roster, named in the team list"
        raise HFMInputError(f"{files.path}: no {name} ({what}; the players' hands come from the rosters): pass "
                            "Retrosheet's whole <YEAR>eve.zip or every file extracted from it")
    return data


class _Columns:
    """Per-pitch values appended as plain lists (cheaper than a frame per game)."""

    NAMES = ("game_pk", "game_date", "home_team", "away_team", "pitcher", "batter", "description", "type",
             "balls", "strikes", "events", "bb_type", "hit_location", "inning", "inning_topbot", "outs_when_up", "on_1b",
             "on_2b", "on_3b", "bat_score", "fld_score", "stand", "p_throws", "at_bat_number", "pitch_number",
             *RESPONSIBLE_COLUMNS, "batter_position")

    def __init__(self) -> None:
        self.values: dict[str, list] = {n: [] for n in self.NAMES}

    def frame(self) -> pd.DataFrame:
        v = self.values
        n = len(v["game_pk"])
        out: dict[str, object] = {}
        for col, kind in STATCAST_COLUMNS.items():
            if col in v:
                if kind == "date":
                    out[col] = pd.to_datetime(pd.Series(v[col], dtype=object), format="%Y/%m/%d")
                elif kind == "str":
                    out[col] = pd.array(v[col], dtype=TEXT_DTYPE)
                else:
                    out[col] = np.array(v[col], dtype=np.float64 if kind == "float" else np.int64)
            elif kind == "str":
                out[col] = pd.array([np.nan] * n, dtype=TEXT_DTYPE)
            else:
                out[col] = np.full(n, np.nan)
        out["game_type"] = pd.array(["R"] * n, dtype=TEXT_DTYPE)
        out[LEVEL_COLUMN] = pd.array(["MLB"] * n, dtype=TEXT_DTYPE)
        return pd.DataFrame(out)


def _parse_event_file(folder: Path, name: str, data: bytes | None, rosters, register: Mapping[str, int],
                      columns: _Columns, counts: ParseCounts) -> None:
    from chadwickpy.book import scorebook_read

    where = f"{folder}/{name}"
    _check_records(where, data or b"", counts)
    try:
        games = scorebook_read(data or b"")
    except Exception as exc:  # chadwickpy raises plain exceptions on malformed records
        raise HFMInputError(f"{where}: cannot read as a Retrosheet event file: {exc}") from None
    if not games:
        raise HFMInputError(f"{where}: no games (empty or truncated file)")
    for game in games:
        visitors, home = (rosters.roster_find(game.info_lookup(side)) for side in ("visteam", "hometeam"))
        if visitors is None or home is None:
            team = game.info_lookup("visteam" if visitors is None else "hometeam")
            raise HFMInputError(f"{where}: game {game.game_id}: team {team!r} is not in the season's team list "
                                "(its roster, where the players' hands come from, is unknown)")
        partly = len(counts.partly_parsed)
        try:
            _parse_game(game, visitors, home, register, columns, counts)
            for i in range(partly, len(counts.partly_parsed)):  # where each is, to find it in the file
                text = counts.partly_parsed[i].split(": ", 1)[1]
                line = _line_of(data or b"", game.game_id, PLAY_TEXT, text)
                counts.partly_parsed[i] = f"{name}" + (f" line {line}" if line else "") + f": {counts.partly_parsed[i]}"
        except _RecordError as exc:
            line = _line_of(data or b"", game.game_id, exc.fields, exc.value)
            raise HFMInputError(f"{where}: " + (f"line {line}: " if line else "") + f"game {game.game_id}: {exc}") from None
        except HFMInputError as exc:
            raise HFMInputError(f"{where}: game {game.game_id}: {exc}") from None
        counts.games += 1


# Retrosheet's record types of 2000-2021 (another is counted: a later release may add some), and the
# field count of those whose count is fixed
_RECORDS = frozenset({"id", "version", "info", "start", "sub", "play", "com", "data", "badj", "padj", "ladj", "radj",
                      "presadj"})
_FIELDS = {"start": 6, "sub": 6, "play": 7}
_RECORD_TYPE = re.compile(r"^[a-z]+$")
# the numeric fields of those records: field index -> (name, the values Retrosheet's spec allows)
_LINEUP = {3: ("team", {"0", "1"}), 4: ("batting order", {str(i) for i in range(10)}),
           5: ("fielding position", {str(i) for i in range(1, 13)})}
_VALUES = {"play": {1: ("inning", {str(i) for i in range(1, 100)}), 2: ("team", {"0", "1"})},
           "start": _LINEUP, "sub": _LINEUP}


class _RecordError(HFMInputError):
    """An error about one record of a game: the game's first record of a kind in `fields` (record type
    -> field index) whose field there is `value`, so the caller can name its line."""

    def __init__(self, message: str, fields: Mapping[str, int], value: str):
        super().__init__(message)
        self.fields, self.value = fields, value


PLAY_TEXT = {"play": 6}  # the event field of a play record
ENTERS = {"start": 1, "sub": 1, "play": 3}  # where a player's id enters a game (not info,wp and the like)


def _line_of(data: bytes, game_id: str, fields: Mapping[str, int], value: str) -> int | None:
    """The number of the first line of game `game_id` of a record kind in `fields` whose field there is
    `value`."""
    inside = False
    for number, raw in enumerate(data.splitlines(), start=1):
        record = raw.decode("latin-1").rstrip("\r\n").split(",")
        if record[0] == "id":
            if inside:
                return None
            inside = len(record) > 1 and record[1].strip() == game_id
        elif inside and record[0] in fields and len(record) > fields[record[0]] and record[fields[record[0]]] == value:
            return number
    return None


def _check_records(where: str, data: bytes, counts: ParseCounts) -> None:
    """What chadwickpy reads past without a word, refused: a line that is no record (no lowercase
    record type: a damaged file), a play, start or sub record with fields missing (a cut line) or a
    numeric field out of Retrosheet's range (inning, team, batting order, fielding position), and a
    game with no `data` records after its plays (every game of 2000-2021 has them). A well-formed record
    type the list does not know is counted in `counts.other_records`."""
    game, has_data = None, True
    for number, raw in enumerate(data.splitlines(), start=1):  # bytes: only \n, \r and \r\n end a line
        line = raw.decode("latin-1")
        if not line.strip():
            continue
        fields = line.split(",")
        kind = fields[0]
        if kind not in _RECORDS:
            if not _RECORD_TYPE.match(kind):
                raise HFMInputError(f"{where}: line {number}: not a Retrosheet record: {line[:40]!r} (a damaged file?)")
            counts.other_records[kind] += 1
            continue
        if kind in _FIELDS and len(fields) != _FIELDS[kind]:
            raise HFMInputError(f"{where}: line {number}: a {kind} record with {len(fields)} fields, expected "
                                f"{_FIELDS[kind]} (a cut line?): {line[:60]!r}")
        for at, (name, allowed) in _VALUES.get(kind, {}).items():
            if fields[at].strip() not in allowed:  # chadwickpy would read it as -1 or crash on it
                raise HFMInputError(f"{where}: line {number}: a {kind} record whose {name} is {fields[at]!r}, not "
                                    f"one of {min(allowed, key=int)}-{max(allowed, key=int)}: {line[:60]!r}")
        if kind == "id":
            if not has_data:
                raise HFMInputError(f"{where}: game {game}: no data records after its plays (line {number} starts "
                                    "the next game: the file is cut or damaged there)")
            game, has_data = fields[1] if len(fields) > 1 else "?", False
        elif kind == "data":
            has_data = True
    if not has_data:
        raise HFMInputError(f"{where}: game {game}: no data records after its plays: the file ends inside the "
                            "game (truncated?)")


def _hand(roster, player: str, kind: str) -> str:
    from chadwickpy.roster import roster_batting_hand, roster_throwing_hand

    return (roster_batting_hand if kind == "bats" else roster_throwing_hand)(roster, player)


def _parse_game(game, visitors, home, register: Mapping[str, int], columns: _Columns, counts: ParseCounts) -> None:
    from chadwickpy.gameiter import GameIter
    from chadwickpy.parse import is_batter, runner_put_out

    def mlbam(retro_id: str | None) -> int:
        if not retro_id:
            raise HFMInputError("a play without a player id")
        found = register.get(retro_id)
        if found is None:
            raise _RecordError(f"player {retro_id!r} is not in the register with an MLBAM id (no row with key_retro "
                               f"{retro_id!r}, or its key_mlbam empty)", ENTERS, retro_id)
        return found

    pk = game_pk(game.game_id)
    date = game.info_lookup("date")
    if not date:
        raise HFMInputError("no date record")
    home_code, away_code = game.info_lookup("hometeam") or "", game.info_lookup("visteam") or ""
    home_team, away_team = TEAM_CODES.get(home_code, home_code), TEAM_CODES.get(away_code, away_code)
    hands: dict[tuple[str, str, int], str] = {}  # (kind, retro id, team) -> L/R/B/?

    def hand(kind: str, player: str, team: int) -> str:
        key = (kind, player, team)
        if key not in hands:
            hands[key] = _hand(visitors if team == 0 else home, player, kind)
        return hands[key]

    v = columns.values
    gi = GameIter(game)
    at_bat = 0
    in_pa = False  # the previous play line left its plate appearance open
    emitted = seen = 0  # pitches already written, sequence characters read, for the open plate appearance
    last_half = None
    while gi.event is not None:
        ev, st = gi.event, gi.state
        half = (st.inning, st.batting_team)
        if half != last_half:
            in_pa, last_half = False, half
        if not in_pa:
            at_bat += 1
            emitted = seen = 0  # pitches written and sequence characters read in this plate appearance
        is_np = ev.event_text == "NP"
        d = gi.data
        if not is_np and not gi.parse_ok:
            if d.event_type in (0, 24):  # nothing usable: no event type at all
                raise _RecordError(f"cannot parse play {ev.event_text!r}", PLAY_TEXT, ev.event_text)
            counts.partly_parsed.append(f"{game.game_id}: {ev.event_text}")  # Chadwick's reading, kept
        batter_pa = (not is_np) and is_batter(d)

        pitcher_id = st.fielders[1][1 - st.batting_team]
        pitcher, batter = mlbam(pitcher_id), mlbam(ev.batter)
        p_hand = ev.pitcher_hand if ev.pitcher_hand in ("L", "R") else hand("throws", pitcher_id, 1 - st.batting_team)
        b_hand = ev.batter_hand if ev.batter_hand in ("L", "R") else hand("bats", ev.batter, st.batting_team)
        if p_hand not in ("L", "R"):
            counts.unknown_hand["throws"] += 1
            p_hand = "R"
        if b_hand == "B":
            b_hand = "R" if p_hand == "L" else "L"
        elif b_hand not in ("L", "R"):
            counts.unknown_hand["bats"] += 1
            b_hand = "R"

        for c in ev.pitches[seen:]:  # a later line of the plate appearance repeats the earlier's sequence
            if c not in PITCH_CODES and c not in PITCH_MARKERS:  # not written, counted (ParseCounts)
                counts.unknown_pitch_codes[c] += 1
                counts.unknown_pitch_examples.setdefault(c, f"{game.game_id}: {ev.pitches} {ev.event_text}")
        seen = max(seen, len(ev.pitches))
        pitches = [c for c in ev.pitches if c in PITCH_CODES]
        ends_pa = batter_pa or (not is_np and gi.truncated_pa())
        rows = []  # (description, type, balls, strikes, pitch_number) of this line's own pitches
        balls = strikes = 0
        for i, code in enumerate(pitches):
            desc, kind, move = PITCH_CODES[code]
            if i >= emitted:
                rows.append((desc, kind, min(balls, 3), min(strikes, 2), i + 1))
            if move == "b":
                balls += 1
            elif move == "s" or (move == "f" and strikes < 2):
                strikes += 1
        own = bool(rows)
        emitted = max(emitted, len(pitches))
        if ends_pa and not rows:  # no pitch of its own: a placeholder row
            b, k = (int(c) if c.isdigit() else 0 for c in (ev.count + "00")[:2])
            rows.append((NO_PITCH, "B", min(b, 3), min(k, 2), emitted + 1))
            counts.placeholder_rows += 1
            emitted += 1
        if rows:
            position = st.player_position(st.batting_team, ev.batter)  # 0: not in the lineup
            _add_rows(v, rows, _state(st, mlbam) | {
                "batter_position": float(position) if position > 0 else np.nan,
                "game_pk": pk, "game_date": date, "home_team": home_team, "away_team": away_team,
                "pitcher": pitcher, "batter": batter, "stand": b_hand, "p_throws": p_hand, "at_bat_number": at_bat})
        if ends_pa:
            v["events"][-1] = _event_name(d, runner_put_out) if batter_pa else _runner_event(d, runner_put_out)
            if batter_pa:
                counts.plate_appearances += 1
                if v["type"][-1] == "X":
                    if d.batted_ball_type in BATTED_BALL:
                        v["bb_type"][-1] = BATTED_BALL[d.batted_ball_type]
                    if 1 <= d.fielded_by <= 9:
                        v["hit_location"][-1] = float(d.fielded_by)
                v["responsible_batter"][-1] = float(mlbam(st.charged_batter(ev.batter, d)))
                v["responsible_pitcher"][-1] = float(mlbam(st.charged_pitcher(d)))
                listed = ev.count if len(ev.count) == 2 and ev.count.isdigit() else None
                if listed is not None and own and (v["balls"][-1], v["strikes"][-1]) != (int(listed[0]), int(listed[1])):
                    counts.count_mismatch += 1
        in_pa = not ends_pa
        gi.next()


_PER_PITCH = ("description", "type", "balls", "strikes", "pitch_number")


def _state(st, mlbam) -> dict:
    """The game state of a play line, the same for each of its pitches."""
    bt = st.batting_team
    runners = {col: float(mlbam(st.runners[base].runner)) if st.runners[base].runner else np.nan
               for base, col in ((1, "on_1b"), (2, "on_2b"), (3, "on_3b"))}
    return {"inning": st.inning, "inning_topbot": "Bot" if bt else "Top", "outs_when_up": min(st.outs, 2),
            **runners, "bat_score": st.score[bt], "fld_score": st.score[1 - bt], "events": None, "bb_type": None,
            "hit_location": np.nan,
            "responsible_batter": np.nan, "responsible_pitcher": np.nan}


def _add_rows(v: dict[str, list], rows: list[tuple], fixed: dict) -> None:
    """Append a play line's pitches: their own values (_PER_PITCH) and the line's `fixed` ones."""
    for name, values in zip(_PER_PITCH, zip(*rows)):
        v[name].extend(values)
    for name, value in fixed.items():
        v[name].extend([value] * len(rows))


def _event_name(d, runner_put_out) -> str:
    """Statcast's `events` for a play that ends a plate appearance (chadwickpy's EventData)."""
    if d.event_type in _BATTER_EVENTS:
        return _BATTER_EVENTS[d.event_type]
    outs = sum(runner_put_out(d, b) for b in range(4))
    if d.event_type == _K:
        return "strikeout_double_play" if outs >= 2 else "strikeout"
    if d.event_type == 19:  # fielder's choice
        return "fielders_choice_out" if outs else "fielders_choice"
    # a generic out
    if d.sf_flag:
        return "sac_fly_double_play" if outs >= 2 else "sac_fly"
    if d.sh_flag:
        return "sac_bunt_double_play" if outs >= 2 else "sac_bunt"
    if outs >= 3:
        return "triple_play"
    if d.gdp_flag:
        return "grounded_into_double_play"
    if outs >= 2:
        return "double_play"
    if not runner_put_out(d, 0) and d.advance[0] > 0:  # the batter reached: a runner forced out
        return "force_out"
    return "field_out"


def _runner_event(d, runner_put_out) -> str:
    """Statcast's `events` for a runner play that ends a plate appearance (the inning's last out)."""
    for base in (3, 2, 1):
        if runner_put_out(d, base):
            if d.event_type == _CS or d.cs_flag[base]:
                prefix = "pickoff_caught_stealing_" if d.po_flag[base] else "caught_stealing_"
                return prefix + _BASE_NAMES[base]
            if d.event_type == _PO or d.po_flag[base]:
                return f"pickoff_{base}b"
    return "truncated_pa"  # Statcast's name for an at-bat cut short (its `other_out` is a batter's out)


# --- the register ----------------------------------------------------------------------------------
def retro_to_mlbam(register: pd.DataFrame | str | Path) -> dict[str, int]:
    """Retrosheet id -> MLBAM id from Chadwick register rows (`key_retro`, `key_mlbam`)."""
    where = "register"
    if not isinstance(register, pd.DataFrame):
        from hfm_runtime.register import register_files

        frames = []
        paths = register_files(register)
        where = ", ".join(map(str, paths)) or str(register)
        for path in paths:
            try:
                frames.append(pd.read_csv(path, usecols=lambda c: c in ("key_retro", "key_mlbam"), dtype=object))
            except (ValueError, OSError, UnicodeDecodeError) as exc:
                raise HFMInputError(f"{path}: cannot read as a register table: {exc}") from None
        register = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    missing = [c for c in ("key_retro", "key_mlbam") if c not in register.columns]
    if missing:
        raise HFMInputError(f"{where}: missing column(s) {', '.join(missing)} (a Retrosheet import needs both)")
    rows = register[["key_retro", "key_mlbam"]].dropna()
    ids = pd.to_numeric(rows["key_mlbam"], errors="coerce")
    rows = rows[ids.notna() & (ids > 0)]
    keys, mlbam = rows["key_retro"].astype(str).str.strip(), ids[rows.index].astype(np.int64)
    clash = pd.DataFrame({"key": keys, "id": mlbam}).drop_duplicates()
    clash = clash[clash["key"].duplicated(keep=False)]
    if len(clash):  # which one a play means cannot be known: its pitches would go to whichever row came last
        key = clash["key"].iloc[0]
        raise HFMInputError(f"{where}: key_retro {key!r} has more than one key_mlbam "
                            f"({', '.join(map(str, clash.loc[clash['key'] == key, 'id']))}): keep one row for it")
    return dict(zip(keys, mlbam.tolist()))


def season_of(path: str | Path) -> int:
    """The season a Retrosheet source holds: from a `<YEAR>eve.zip` name, else its event files' names."""
    m = _ZIP_NAME.match(Path(path).name)
    return int(m.group(1)) if m and Path(path).is_file() else SeasonFiles(path).season


def iter_seasons(paths: list[Path], register: Mapping[str, int], workers: int = 1
                 ) -> Iterator[tuple[Path, pd.DataFrame, ParseCounts]]:
    """`parse_season` of each path, in `workers` processes (each returns one season's frame)."""
    if workers <= 1 or len(paths) <= 1:
        for path in paths:
            frame, counts = parse_season(path, register)
            yield path, frame, counts
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    before = set(multiprocessing.active_children())
    with ProcessPoolExecutor(max_workers=workers, initializer=_exit_with_parent) as pool:
        futures = [(path, pool.submit(parse_season, path, register)) for path in paths]
        ours = set(multiprocessing.active_children()) - before  # the pool's workers (3.14 has terminate_workers)
        try:
            while futures:
                path, future = futures.pop(0)  # dropped once taken: a finished season is not held twice
                frame, counts = future.result()
                del future
                yield path, frame, counts
        except BaseException:  # Ctrl-C, a bad season, a reader that stopped: no season parsed on for nothing
            pool.shutdown(wait=False, cancel_futures=True)  # (a walkthrough's Ctrl-C parsed on for 30 s)
            for worker in ours:
                worker.terminate()
            raise


def _exit_with_parent(every: float = 1.0) -> None:
    """In each worker: a thread that ends the process once the process that started it is gone (then
    it is re-parented). An import killed by SIGKILL runs none of its cleanup, and its idle workers
    would otherwise wait for work forever. And SIGTERM back to its default: a forked worker inherits
    the console script's handler (errors.exits_on_sigterm), whose SystemExit the pool's worker loop
    catches and reports, so `iter_seasons`'s terminate() would not end it."""
    import os
    import signal
    import threading
    import time

    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
