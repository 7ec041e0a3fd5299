"""Statcast pitch-event schema: Baseball Savant's own column names and the kinds of value they hold.

A real Savant CSV export, a pybaseball `statcast()` DataFrame and the simulator's output all go
through the one loader in this module.
"""

from __future__ import annotations

# column -> kind. "int"/"float" may be missing (NaN) unless listed in REQUIRED_NON_NULL.
STATCAST_COLUMNS: dict[str, str] = {
    "game_pk": "int",
    "game_date": "date",
    "pitcher": "int",
    "batter": "int",
    "pitch_type": "str",
    "release_speed": "float",
    "release_spin_rate": "float",
    "release_extension": "float",
    "pfx_x": "float",
    "pfx_z": "float",
    "plate_x": "float",
    "plate_z": "float",
    "balls": "int",
    "strikes": "int",
    "outs_when_up": "int",
    "inning": "int",
    "inning_topbot": "str",
    "on_1b": "float",  # runner's player id, NaN when the base is empty
    "on_2b": "float",
    "on_3b": "float",
    "stand": "str",
    "p_throws": "str",
    "description": "str",
    "type": "str",
    "events": "str",  # set only on the pitch that ends the plate appearance
    "bb_type": "str",
    "launch_speed": "float",
    "launch_angle": "float",
    "hit_distance_sc": "float",
    "estimated_woba_using_speedangle": "float",
    "delta_run_exp": "float",
    "at_bat_number": "int",
    "pitch_number": "int",
    "bat_score": "int",
    "fld_score": "int",
    "home_team": "str",
    "away_team": "str",
    "game_type": "str",
}

REQUIRED_NON_NULL: tuple[str, ...] = (
    "game_pk", "game_date", "pitcher", "batter", "balls", "strikes", "outs_when_up", "inning",
    "at_bat_number", "pitch_number", "stand", "p_throws", "description", "type",
)

# Not a Statcast column: added by the loader from where the file came from (a real export is "MLB").
LEVEL_COLUMN = "level"
LEVELS: tuple[str, ...] = ("MLB", "AAA")
