"""Statcast skill counts: plate discipline, contact and batted-ball quality, per player and game.

What an analyst reads off the pitches besides the outcomes. Counted per (player_id, game_pk) from
one side, "batter" (the pitches he saw) or "pitcher" (the pitches he threw), with the GAME_KEYS of
hfm_runtime.seasons, so the lines join the game lines and sum over any window (the identity profile's
horizons, the Statcast-aggregate baseline) like the outcome counts do. Every column is a plain count
or a sum, so a window's rate is one sum divided by another (`SKILL_RATES`).

Definitions (a pitch with a missing field counts in no column that needs it):
  located      pitches with plate_x and plate_z
  zone         located pitches inside the fixed zone |plate_x| <= 0.83 ft, 1.5 <= plate_z <= 3.5 ft
  z_swing      swings at zone pitches;  o_swing: swings at located pitches outside it
  swing        swings (SWING_DESCRIPTIONS);  whiff: swings that missed (WHIFF_DESCRIPTIONS; a foul tip
               ends like a swinging strike, so it counts as one)
  tracked      balls in play (description hit_into_play*) with a launch speed and angle
  speed_n      balls in play with a launch speed, angle or not (the 2009-2018 extract joined to
               Retrosheet seasons has speeds only: hfm_train.tracking_join)
  ls_sum       sum of launch speed (mph) over `speed_n`;  la_sum: of launch angle (deg) over `tracked`
  hard         speed_n with launch speed >= 95 mph;  sweet: tracked with launch angle in [8, 32] deg
  barrel       Savant's barrel: launch speed >= 98 mph and the angle inside a window that widens with
               speed (26-30 deg at 98 mph, to 8-50 deg at 116 mph and above)
  bip          balls in play with a bb_type;  gb: ground balls;  gb_hit: ground balls that became hits
  xwoba_sum, xwoba_n   estimated_woba_using_speedangle summed over the balls in play that have it
  fb, fb_velo_sum      fastballs (FASTBALLS) with a release speed, and their summed speed
  spin_sum, spin_n     release spin rate over the pitches that have it
  ext_sum, ext_n       release extension (ft) over the pitches that have it
  fb_spin_sum, fb_spin_n   spin of fastballs;  brk_spin_sum, brk_n: spin of breaking balls (BREAKING)
  brk_break_sum        total movement sqrt(pfx_x^2 + pfx_z^2) (ft) of those breaking balls
  edge_sum             for located pitches outside the zone, how far outside it (ft): command
 What pitch sequences alone allow (every source has these, Retrosheet's untracked pitches too):
  called               called strikes;  foul: fouls (foul, foul_bunt, foul_pitchout)
  pa_started           plate appearances' first pitches;  first_strike: those that were a strike
                       (called, or swung at)
  two_strike, three_ball   plate appearances with a pitch thrown at two strikes / three balls
                       (counted on the first such pitch; rows must be in pitch order, as
                       statcast.load_pitches returns them)
  pa_ended, pa_pitches_sum   plate appearances' last pitches (`events` set) and their pitch counts
  ld, fly, pu          line drives, fly balls and popups among `bip`
  dp_chance            plate appearances ended with a runner on first and fewer than two outs (the
                       state before the last pitch); gidp: those ended in a ground-ball double play
  platoon_pa           plate appearances ended with the batter on the other side from the pitcher's
                       hand (`stand` != `p_throws`: the batter's platoon advantage; a switch hitter
                       always has it); the same count on both sides' lines
 A "no_pitch" row (a plate appearance without a pitch sequence: hfm_train.retrosheet) counts in none
 of these but `pa_ended`, `dp_chance`, `gidp` and `platoon_pa` (the plate appearance happened).
 Where the fielder is recorded (Retrosheet since the import writes `hit_location`, Savant's files;
 not the simulator):
  gb_fielded           ground balls with a `hit_location` (the fielder who first touched the ball);
                       if_hit: those that became singles fielded by an infielder (1-6): infield hits
  <x>_sq               the sum of squares beside each sum above (ls, la, xwoba, fb_velo, spin, ext,
                       fb_spin, brk_spin, brk_break, edge, pa_pitches): a window's spread, which sets
                       how far its mean is shrunk

 Batters' lines only, where the rows say where he fielded (`batter_position`: Retrosheet's import,
 Savant's fielder columns; not the simulator), one per game at most (POSITION_GAMES):
  pos_c, pos_1b, pos_2b, pos_3b, pos_ss, pos_cf   games he batted while at that position at some pitch
  pos_corner           the same at left or right field
  pos_dh               games he batted as DH
  pos_ph               games he batted only as a pinch hitter (one who then bats again from a fielding
                       position counts at that position)
 A game without a position on his rows (a file without them) counts in none: unknown, which the
 ridge's shares (hfm_runtime.ridge) tell from "no position" by their sum. So does a game he batted
 as the pitcher (1): batters' lines are of position players, whom such games do not describe.
 Retrosheet's and Savant's positions differ in a few cases (`statcast.batter_positions`).

`skill_priors` fits, per rate, how many league-average events to add to a window before dividing
(empirical Bayes, as `profiles.prior_opportunities` does for outcome rates): a proportion's noise
is p(1 - p) per event, a mean's is the pooled within-player variance from the squared sums. A rate
the fitted data never measured (tracking, in a league of Retrosheet seasons) gets no league rate,
and `skill_rates` given fitted league rates then reports it absent (0, from 0 events) whatever the
scored data holds: a missing measurement, never a value the model was not trained on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import text_array, text_codes
from hfm_runtime.seasons import GAME_KEYS
from hfm_runtime.statcast import DESIGNATED_HITTER, LEVEL_COLUMN, PINCH_HITTER
from hfm_runtime.targets import PlayerType

SWING_DESCRIPTIONS = frozenset({
    "swinging_strike", "swinging_strike_blocked", "foul", "foul_tip", "foul_bunt", "missed_bunt",
    "bunt_foul_tip", "foul_pitchout", "swinging_pitchout", "hit_into_play", "hit_into_play_no_out",
    "hit_into_play_score",
})
WHIFF_DESCRIPTIONS = frozenset({
    "swinging_strike", "swinging_strike_blocked", "foul_tip", "missed_bunt", "swinging_pitchout",
})
IN_PLAY_DESCRIPTIONS = frozenset({"hit_into_play", "hit_into_play_no_out", "hit_into_play_score"})
FOUL_DESCRIPTIONS = frozenset({"foul", "foul_bunt", "foul_pitchout"})
NO_PITCH = "no_pitch"  # a plate appearance's placeholder row where its source had no pitch sequence
HIT_EVENTS = frozenset({"single", "double", "triple", "home_run"})
FASTBALLS = frozenset({"FF", "FA", "SI", "FT", "FC"})
BREAKING = frozenset({"SL", "CU", "KC", "CS", "SV", "ST"})
ZONE_X, ZONE_Z = 0.83, (1.5, 3.5)

SKILL_COUNTS: tuple[str, ...] = (
    "pitches", "located", "zone", "z_swing", "o_swing", "swing", "whiff",
    "tracked", "ls_sum", "la_sum", "hard", "sweet", "barrel", "bip", "gb", "gb_hit",
    "xwoba_sum", "xwoba_n", "fb", "fb_velo_sum", "spin_sum", "spin_n", "ext_sum", "ext_n",
    "fb_spin_sum", "fb_spin_n", "brk_n", "brk_spin_sum", "brk_break_sum", "edge_sum",
    "ls_sq", "la_sq", "xwoba_sq", "fb_velo_sq", "spin_sq", "ext_sq", "fb_spin_sq", "brk_spin_sq",
    "brk_break_sq", "edge_sq",
    "called", "foul", "pa_started", "first_strike", "two_strike", "three_ball", "pa_ended",
    "pa_pitches_sum", "pa_pitches_sq", "ld", "fly", "pu", "speed_n", "gb_fielded", "if_hit", "dp_chance", "gidp",
    "platoon_pa",
)
# mean-type rates: their sum-of-squares column (every other rate is a proportion of events)
MEAN_SQUARES: dict[str, str] = {
    "launch_speed": "ls_sq", "launch_angle": "la_sq", "xwoba": "xwoba_sq", "fb_velo": "fb_velo_sq",
    "spin": "spin_sq", "extension": "ext_sq", "fb_spin": "fb_spin_sq", "brk_spin": "brk_spin_sq",
    "brk_break": "brk_break_sq", "edge": "edge_sq", "pitches_per_pa": "pa_pitches_sq",
}
# rate name -> (numerator, denominator) over SKILL_COUNTS; `o_pitch` = located - zone. `putaway_rate`
# reads the outcome count SO too, so the sums it is read from hold the target stats beside them.
SKILL_RATES: dict[str, tuple[str, str]] = {
    "zone_rate": ("zone", "located"),
    "z_swing_rate": ("z_swing", "zone"),
    "chase_rate": ("o_swing", "o_pitch"),
    "whiff_rate": ("whiff", "swing"),
    "swing_rate": ("swing", "pitches"),
    "launch_speed": ("ls_sum", "speed_n"),
    "launch_angle": ("la_sum", "tracked"),
    "hard_rate": ("hard", "speed_n"),
    "sweet_rate": ("sweet", "tracked"),
    "barrel_rate": ("barrel", "tracked"),
    "gb_rate": ("gb", "bip"),
    "gb_hit_rate": ("gb_hit", "gb"),
    "xwoba": ("xwoba_sum", "xwoba_n"),
    "fb_velo": ("fb_velo_sum", "fb"),
    "spin": ("spin_sum", "spin_n"),
    "extension": ("ext_sum", "ext_n"),
    "fb_spin": ("fb_spin_sum", "fb_spin_n"),
    "brk_spin": ("brk_spin_sum", "brk_n"),
    "brk_break": ("brk_break_sum", "brk_n"),
    "edge": ("edge_sum", "o_pitch"),
    "called_rate": ("called", "pitches"),
    "foul_rate": ("foul", "swing"),
    "first_strike_rate": ("first_strike", "pa_started"),
    "two_strike_rate": ("two_strike", "pa_started"),
    "three_ball_rate": ("three_ball", "pa_started"),
    "pitches_per_pa": ("pa_pitches_sum", "pa_ended"),
    "ld_rate": ("ld", "bip"),
    "fb_rate": ("fly", "bip"),
    "pu_rate": ("pu", "bip"),
    "if_hit_rate": ("if_hit", "gb_fielded"),
    "gidp_rate": ("gidp", "dp_chance"),
    "putaway_rate": ("SO", "two_strike"),
    "platoon_share": ("platoon_pa", "pa_ended"),
}
SEQUENCE_RATES: tuple[str, ...] = (  # what untracked pitch sequences allow (and swing, whiff, gb)
    "swing_rate", "whiff_rate", "called_rate", "foul_rate", "first_strike_rate", "two_strike_rate",
    "three_ball_rate", "pitches_per_pa", "gb_rate", "ld_rate", "fb_rate", "pu_rate", "gb_hit_rate",
)
# Which rates describe each player type (a batter's velocity faced says little about him).
TYPE_RATES: dict[str, tuple[str, ...]] = {
    "batter": ("zone_rate", "z_swing_rate", "chase_rate", "whiff_rate", "swing_rate", "launch_speed",
               "launch_angle", "hard_rate", "sweet_rate", "barrel_rate", "gb_rate", "gb_hit_rate", "xwoba",
               *SEQUENCE_RATES[2:8], "ld_rate", "fb_rate", "pu_rate"),
    "pitcher": ("zone_rate", "z_swing_rate", "chase_rate", "whiff_rate", "swing_rate", "launch_speed",
                "launch_angle", "hard_rate", "sweet_rate", "barrel_rate", "gb_rate", "xwoba", "fb_velo",
                "spin", "extension", "fb_spin", "brk_spin", "brk_break", "edge",
                *SEQUENCE_RATES[2:8], "ld_rate", "fb_rate", "pu_rate"),
}
assert all(r in TYPE_RATES[t] for t in TYPE_RATES for r in SEQUENCE_RATES if r != "gb_hit_rate")
# A batter's speed, read off where his ground balls go and how often he grounds into a double play:
# ProfileConfig.speed_rates / RidgeConfig.speed_rates add them (batters only) to the 5/4/3 window.
SPEED_RATES: tuple[str, ...] = ("if_hit_rate", "gidp_rate")
# A batter's two-strike finish: strikeouts per plate appearance that reached two strikes (SO/PA is the
# share reaching two strikes times this, and the two regress by different amounts: docs/real-data.md).
# ProfileConfig.putaway_rate / RidgeConfig.putaway_rate add it (batters only) to the 5/4/3 window.
PUTAWAY_RATES: tuple[str, ...] = ("putaway_rate",)
# How often a batter had the platoon advantage (a platoon bat kept away from same-handed pitchers posts
# rates that lean on it): RidgeConfig.platoon adds it (batters only) to the ridge's 5/4/3 window and
# ProfileConfig.wide_platoon to the profile's (each off by default, on in fits of real leagues:
# docs/real-data-tried.md).
PLATOON_RATES: tuple[str, ...] = ("platoon_share",)


# the batters' games by fielding position (module docstring): name -> batter_position values
POSITION_GROUPS: dict[str, tuple[int, ...]] = {"pos_c": (2,), "pos_1b": (3,), "pos_2b": (4,), "pos_3b": (5,),
                                               "pos_ss": (6,), "pos_corner": (7, 9), "pos_cf": (8,)}
POSITION_GAMES: tuple[str, ...] = (*POSITION_GROUPS, "pos_dh", "pos_ph")


def type_rates(player_type: PlayerType, speed: bool = False, putaway: bool = False,
               platoon: bool = False) -> tuple[str, ...]:
    """TYPE_RATES[player_type], then for a batter SPEED_RATES when `speed`, PUTAWAY_RATES when
    `putaway` and PLATOON_RATES when `platoon`."""
    if player_type != "batter":
        return TYPE_RATES[player_type]
    return (TYPE_RATES[player_type] + (SPEED_RATES if speed else ()) + (PUTAWAY_RATES if putaway else ())
            + (PLATOON_RATES if platoon else ()))


_COLUMNS = ("game_pk", "game_date", "batter", "pitcher", "description", "events", "bb_type", "pitch_type",
            "balls", "strikes", "at_bat_number", "pitch_number", "on_1b", "outs_when_up",
            "plate_x", "plate_z", "pfx_x", "pfx_z", "launch_speed", "launch_angle", "estimated_woba_using_speedangle",
            "release_speed", "release_spin_rate", "release_extension", LEVEL_COLUMN)


def pitch_skill_counts(pitches: pd.DataFrame) -> np.ndarray:
    """float64 [N, len(SKILL_COUNTS)]: each pitch's contribution to every skill count."""
    columns = pitch_skill_columns(pitches)
    return np.column_stack([np.asarray(columns[c], dtype=np.float64) for c in SKILL_COUNTS])


def pitch_skill_columns(pitches: pd.DataFrame) -> dict[str, np.ndarray]:
    """SKILL_COUNTS name -> [N] each pitch's contribution (bool or float64): `pitch_skill_counts`'
    columns, unstacked (summing them a column at a time avoids an [N, K] float matrix)."""
    missing = [c for c in _COLUMNS if c not in pitches.columns]
    if missing:
        raise HFMInputError(f"pitches: missing column(s) {', '.join(missing)} (load them with statcast.load_pitches)")

    def num(c: str) -> np.ndarray:
        return pitches[c].to_numpy(np.float64, na_value=np.nan)

    factorized: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # each column factorized once

    def member(c: str, codes: frozenset[str]) -> np.ndarray:
        if c not in factorized:
            factorized[c] = text_codes(pitches[c])  # -1 where missing
        index, uniques = factorized[c]
        return np.append([u in codes for u in uniques], False).astype(bool)[index]

    x, z = num("plate_x"), num("plate_z")
    ls, la = num("launch_speed"), num("launch_angle")
    xwoba, velo = num("estimated_woba_using_speedangle"), num("release_speed")
    spin, ext = num("release_spin_rate"), num("release_extension")
    located = np.isfinite(x) & np.isfinite(z)
    zone = located & (np.abs(x) <= ZONE_X) & (z >= ZONE_Z[0]) & (z <= ZONE_Z[1])
    swing = member("description", SWING_DESCRIPTIONS)
    in_play = member("description", IN_PLAY_DESCRIPTIONS)
    speed_n = in_play & np.isfinite(ls)
    tracked = speed_n & np.isfinite(la)
    bip = in_play & pitches["bb_type"].notna().to_numpy()
    gb = bip & member("bb_type", frozenset({"ground_ball"}))
    fast = member("pitch_type", FASTBALLS) & np.isfinite(velo)
    fast_spin = member("pitch_type", FASTBALLS) & np.isfinite(spin)
    brk = member("pitch_type", BREAKING) & np.isfinite(spin) & np.isfinite(num("pfx_x")) & np.isfinite(num("pfx_z"))
    brk_break = np.where(brk, np.hypot(np.nan_to_num(num("pfx_x")), np.nan_to_num(num("pfx_z"))), 0.0)
    outside = located & ~zone
    # distance from the zone's edge: the larger of the horizontal and vertical overshoots
    edge = np.where(outside, np.maximum(np.maximum(np.abs(np.nan_to_num(x)) - ZONE_X, 0.0),
                                        np.maximum(ZONE_Z[0] - np.nan_to_num(z), np.nan_to_num(z) - ZONE_Z[1])), 0.0)
    ls0, la0 = np.where(tracked, ls, 0.0), np.where(tracked, la, 0.0)
    over = ls0 - 98.0
    barrel = tracked & (over >= 0) & (la0 >= np.maximum(26.0 - over, 8.0)) & (
        la0 <= np.minimum(30.0 + over * 20.0 / 18.0, 50.0))
    has_xwoba = in_play & np.isfinite(xwoba)
    real = ~member("description", frozenset({NO_PITCH}))
    balls, strikes, number = num("balls"), num("strikes"), num("pitch_number")
    game, ab = pitches["game_pk"].to_numpy(np.int64), pitches["at_bat_number"].to_numpy(np.int64)
    same_pa = np.r_[False, (game[1:] == game[:-1]) & (ab[1:] == ab[:-1])]  # the row before is of this PA
    first = real & (number == 1)
    ended = pitches["events"].notna().to_numpy()
    # an optional Statcast column (statcast.OPTIONAL_COLUMNS): absent or empty, no ground ball counts
    fielder = num("hit_location") if "hit_location" in pitches.columns else np.full(len(pitches), np.nan)
    gb_fielded = gb & np.isfinite(fielder)
    dp_chance = ended & np.isfinite(num("on_1b")) & (num("outs_when_up") < 2)
    # the batter on the other side from the pitcher's hand (a switch hitter's `stand` is the side he
    # batted from, so always); without both columns, no plate appearance counts
    if "stand" in pitches.columns and "p_throws" in pitches.columns:
        stand, throws = text_array(pitches["stand"]), text_array(pitches["p_throws"])
        platoon = pd.notna(stand) & pd.notna(throws) & (stand != throws)
    else:
        platoon = np.zeros(len(pitches), bool)
    columns = {
        "pitches": real,
        "located": located,
        "zone": zone,
        "z_swing": zone & swing,
        "o_swing": located & ~zone & swing,
        "swing": swing,
        "whiff": member("description", WHIFF_DESCRIPTIONS),
        "tracked": tracked,
        "ls_sum": np.where(speed_n, ls, 0.0),
        "la_sum": la0,
        "hard": speed_n & (np.nan_to_num(ls) >= 95.0),
        "sweet": tracked & (la0 >= 8.0) & (la0 <= 32.0),
        "barrel": barrel,
        "bip": bip,
        "gb": gb,
        "gb_hit": gb & member("events", HIT_EVENTS),
        "xwoba_sum": np.where(has_xwoba, xwoba, 0.0),
        "xwoba_n": has_xwoba,
        "fb": fast,
        "fb_velo_sum": np.where(fast, velo, 0.0),
        "spin_sum": np.nan_to_num(spin),
        "spin_n": np.isfinite(spin),
        "ext_sum": np.nan_to_num(ext),
        "ext_n": np.isfinite(ext),
        "fb_spin_sum": np.where(fast_spin, spin, 0.0),
        "fb_spin_n": fast_spin,
        "brk_n": brk,
        "brk_spin_sum": np.where(brk, spin, 0.0),
        "brk_break_sum": brk_break,
        "edge_sum": edge,
        "called": member("description", frozenset({"called_strike"})),
        "foul": member("description", FOUL_DESCRIPTIONS),
        "pa_started": first,
        "first_strike": first & (swing | member("description", frozenset({"called_strike"}))),
        "two_strike": real & (strikes == 2) & ~(same_pa & (np.r_[-1.0, strikes[:-1]] == 2)),
        "three_ball": real & (balls == 3) & ~(same_pa & (np.r_[-1.0, balls[:-1]] == 3)),
        "pa_ended": ended,
        "pa_pitches_sum": np.where(ended, number - ~real, 0.0),
        "ld": bip & member("bb_type", frozenset({"line_drive"})),
        "fly": bip & member("bb_type", frozenset({"fly_ball"})),
        "pu": bip & member("bb_type", frozenset({"popup"})),
        "speed_n": speed_n,
        "gb_fielded": gb_fielded,
        "if_hit": gb_fielded & (fielder <= 6) & member("events", frozenset({"single"})),
        "dp_chance": dp_chance,
        "gidp": dp_chance & member("events", frozenset({"grounded_into_double_play"})),
        "platoon_pa": ended & platoon,
    }
    for rate, sq in MEAN_SQUARES.items():
        columns[sq] = columns[SKILL_RATES[rate][0]] ** 2
    return columns


def skill_lines(pitches: pd.DataFrame, player_type: PlayerType,
                columns: dict[str, np.ndarray] | None = None) -> pd.DataFrame:
    """One row per (player_id, game_pk) of `player_type`'s side: the GAME_KEYS and SKILL_COUNTS
    (`skill_line_columns`, framed)."""
    return pd.DataFrame(skill_line_columns(pitches, player_type, columns))


def skill_line_columns(pitches: pd.DataFrame, player_type: PlayerType,
                       columns: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """`skill_lines` as a dict of numpy columns: one row per (player_id, game_pk) of `player_type`'s
    side, the GAME_KEYS and SKILL_COUNTS (a batter's also POSITION_GAMES).

    columns: `pitch_skill_columns(pitches)` when the caller has them already (both sides of the same
    pitches read the same columns). Each count is summed per game with `np.add.reduceat` over the
    (player, game)-sorted rows one column at a time: the sums of `np.add.reduceat` over the stacked
    [N, K] matrix to the bit (the same additions per column), without building that matrix; a column
    with no nonzero value is 0 in every game without summing."""
    if player_type not in ("batter", "pitcher"):
        raise ValueError(f"player_type must be 'batter' or 'pitcher', got {player_type!r}")
    if columns is None:
        columns = pitch_skill_columns(pitches)
    player = pitches[player_type].to_numpy(np.int64)
    game_pk = pitches["game_pk"].to_numpy(np.int64)
    order = np.lexsort((game_pk, player))
    p, g = player[order], game_pk[order]
    start = np.flatnonzero(np.r_[True, (p[1:] != p[:-1]) | (g[1:] != g[:-1])]) if len(order) else np.zeros(0, int)
    sums = np.empty((len(start), len(SKILL_COUNTS)))
    if len(order):
        for j, c in enumerate(SKILL_COUNTS):
            column = columns[c]
            # a count no pitch adds to (most tracking counts of an untracked season) is 0 in every game
            sums[:, j] = np.add.reduceat(np.asarray(column[order], dtype=np.float64), start) if column.any() else 0.0
    first = order[start]
    dates = pitches["game_date"].to_numpy()[first]
    out = {
        "player_id": p[start],
        "game_pk": g[start],
        "game_date": dates,
        "season": pd.DatetimeIndex(dates).year.to_numpy().astype(np.int64),
        LEVEL_COLUMN: text_array(pitches[LEVEL_COLUMN])[first].astype(str),
    }
    out.update({c: sums[:, j] for j, c in enumerate(SKILL_COUNTS)})
    if player_type == "batter":
        out.update(_position_games(pitches, order, start))
    return out


def _position_games(pitches: pd.DataFrame, order: np.ndarray, start: np.ndarray) -> dict[str, np.ndarray]:
    """POSITION_GAMES per (batter, game) group of `order[start[i]:start[i+1]]` (module docstring)."""
    out = {c: np.zeros(len(start)) for c in POSITION_GAMES}
    if "batter_position" not in pitches.columns or not len(order):
        return out
    pos = pitches["batter_position"].to_numpy(np.float64)[order]
    if not np.isfinite(pos).any():  # a source without positions (the simulator's): every count 0
        return out

    def any_of(mask: np.ndarray) -> np.ndarray:
        return np.add.reduceat(mask.astype(np.int64), start) > 0
    fielded = any_of((pos >= 1) & (pos <= 9))
    for name, codes in POSITION_GROUPS.items():
        out[name] = any_of(np.isin(pos, codes)).astype(np.float64)
    dh = any_of(pos == DESIGNATED_HITTER)
    out["pos_dh"] = dh.astype(np.float64)
    out["pos_ph"] = (any_of(pos == PINCH_HITTER) & ~fielded & ~dh).astype(np.float64)
    return out


def _values(columns: pd.DataFrame | Mapping[str, Any], name: str, dtype=None) -> np.ndarray:
    """A column of a frame or of a dict of columns, as numpy."""
    values = columns[name]
    return values.to_numpy(dtype) if hasattr(values, "to_numpy") else np.asarray(values, dtype=dtype)


def with_skills(game_lines: pd.DataFrame | Mapping[str, Any],
                skills: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Game lines with the skill counts joined on (player_id, game_pk); a game on one side only gets
    zeros on the other (a pitcher whose only batter was retired on a caught stealing, say). Sorted by
    (player_id, game_date, game_pk). The result of an outer `merge` + `fillna(0)`, in numpy: the
    scorer derives these lines on every call from raw rows, and the merge was a third of its time.
    Either side may be a frame or its dict of columns (`seasons.game_line_columns`,
    `skill_line_columns`): framing only the result saves two frames' construction and reads."""
    gp, gg = _values(game_lines, "player_id", np.int64), _values(game_lines, "game_pk", np.int64)
    sp, sg = _values(skills, "player_id", np.int64), _values(skills, "game_pk", np.int64)
    player, game = np.concatenate([gp, sp]), np.concatenate([gg, sg])
    order = np.lexsort((game, player))
    first = np.r_[True, (player[order][1:] != player[order][:-1]) | (game[order][1:] != game[order][:-1])]
    slot = np.empty(len(order), np.int64)
    slot[order] = np.cumsum(first) - 1  # row of each input row's (player, game) in the union
    n = int(first.sum()) if len(order) else 0
    at_g, at_s = slot[: len(gp)], slot[len(gp):]
    if len(np.unique(at_g)) != len(at_g) or len(np.unique(at_s)) != len(at_s):
        raise ValueError("with_skills: (player_id, game_pk) must be unique on each side")

    def keys(name: str) -> np.ndarray:  # the game lines' value, else the skill lines'
        a, b = _values(game_lines, name), _values(skills, name)
        out = np.empty(n, dtype=a.dtype if a.dtype == b.dtype else object)
        out[at_s], out[at_g] = b, a
        return out

    def counts(frame, at: np.ndarray, name: str) -> np.ndarray:  # zeros where missing
        values = _values(frame, name)  # (a column at a time ran faster than 2-D blocks here)
        out = np.zeros(n, dtype=np.int64 if values.dtype == np.int64 else np.float64)
        out[at] = values
        return out

    columns = {k: keys(k) for k in GAME_KEYS}
    columns["season"] = columns["season"].astype(np.int64)
    columns.update({c: counts(game_lines, at_g, c) for c in game_lines if c not in GAME_KEYS})
    columns.update({c: counts(skills, at_s, c) for c in skills if c not in columns})
    rows = np.lexsort((columns["game_pk"], columns["game_date"], columns["player_id"]))
    ordered = [*game_lines, *(c for c in skills if c not in game_lines)]
    out = {c: columns[c][rows] for c in ordered}
    for k in GAME_KEYS:  # pandas dtypes numpy lacks (the level's string dtype) come back as they were
        if game_lines[k].dtype == skills[k].dtype and not isinstance(game_lines[k].dtype, np.dtype):
            out[k] = pd.array(out[k], dtype=game_lines[k].dtype)
    return pd.DataFrame(out)


DEFAULT_PRIOR_EVENTS = 100.0  # k for a rate whose spread cannot be estimated (too few player-seasons)


def skill_priors(season_sums: pd.DataFrame, names: tuple[str, ...], min_events: float = 30.0,
                 min_rows: int = 10) -> tuple[dict[str, float], dict[str, float]]:
    """(league rate, prior events k) per rate from per player-season sums of SKILL_COUNTS (MLB rows).

    Method of moments over the player-seasons with at least `min_events` in the denominator: the
    spread of their rates is true spread plus noise s2 / n, so var_true = var_obs - mean(s2 / n) and
    k = s2 / var_true (clipped to [1, 1e5]; a rate with no true spread gets the upper bound). With
    fewer than `min_rows` such player-seasons (a tiny or partly tracked league) the league rate is
    pooled over every row and k = DEFAULT_PRIOR_EVENTS; a rate with no events at all is left out of
    both dicts (never measured).
    """
    league, prior = {}, {}
    for name in names:
        rates = skill_rates(season_sums, (name,))
        r, n = rates[name], rates[f"{name}_n"]
        ok = np.isfinite(r) & (n >= min_events)
        if ok.sum() < min_rows:
            seen = np.isfinite(r) & (n > 0)
            if seen.any():  # else never measured: no league rate, so absent (module docstring)
                league[name] = float((r[seen] * n[seen]).sum() / n[seen].sum())
                prior[name] = DEFAULT_PRIOR_EVENTS
            continue
        r, n = r[ok], n[ok]
        p = float((r * n).sum() / n.sum())
        if name in MEAN_SQUARES:
            num = SKILL_RATES[name][0]
            sq = np.asarray(season_sums[MEAN_SQUARES[name]], dtype=np.float64)[ok]
            total = np.asarray(season_sums[num], dtype=np.float64)[ok]
            s2 = float(max((sq - total ** 2 / n).sum() / max((n - 1).sum(), 1.0), 1e-12))
            noise = s2 / n
        else:
            s2 = p * (1 - p)
            noise = r * 0 + s2 / n
        var_true = float(np.mean((r - p) ** 2) - np.mean(noise))
        league[name] = p
        prior[name] = float(np.clip(s2 / var_true, 1.0, 1e5)) if var_true > 0 else 1e5
    return league, prior


def skill_rates(sums: Mapping[str, np.ndarray] | pd.DataFrame, names: tuple[str, ...],
                league: Mapping[str, float] | None = None,
                prior: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Rates `names` from summed skill counts: (num + k * league) / (den + k), k = prior[name] (0: raw
    rates, NaN where the denominator is 0). Returns name -> rate and name + "_n" -> denominator.
    Given fitted league rates (a non-empty `league`), a rate missing from them is absent: 0 and 0."""
    def col(c: str) -> np.ndarray:
        if c == "o_pitch":
            return col("located") - col("zone")
        v = sums[c]
        return v.to_numpy(np.float64) if isinstance(v, pd.Series) else np.asarray(v, dtype=np.float64)

    out = {}
    for name in names:
        num, den = SKILL_RATES[name]
        n, d = col(num), col(den)
        if league and name not in league:  # never measured where fitted: absent (module docstring)
            out[name], out[f"{name}_n"] = np.zeros(len(d)), np.zeros(len(d))
            continue
        k = (prior or {}).get(name, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[name] = (n + k * (league or {}).get(name, 0.0)) / (d + k)
        out[f"{name}_n"] = d
    return out
