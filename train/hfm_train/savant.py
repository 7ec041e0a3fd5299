"""Pitches written in Baseball Savant's CSV layout: test data and the import benchmark's input.

`write_savant_csv` writes Statcast pitches (hfm_runtime.statcast columns, e.g. a simulated league's)
as a real export looks: every column of Savant's CSV in its order (SAVANT_2020_COLUMNS, what a 2020
pybaseball `statcast()` frame holds: 90 columns, no delta_run_exp; SAVANT_TODAY_COLUMNS, today's,
with delta_run_exp, bat tracking and the rest), the columns HFM does not read left empty, and
optionally the unnamed index column pybaseball's `DataFrame.to_csv` writes first.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.statcast import STATCAST_COLUMNS

# A 2020 pybaseball statcast() frame written to CSV (shared/data/statcast-real's header, index aside).
SAVANT_2020_COLUMNS: tuple[str, ...] = (
    "pitch_type", "game_date", "release_speed", "release_pos_x", "release_pos_z", "player_name", "batter",
    "pitcher", "events", "description", "spin_dir", "spin_rate_deprecated", "break_angle_deprecated",
    "break_length_deprecated", "zone", "des", "game_type", "stand", "p_throws", "home_team", "away_team", "type",
    "hit_location", "bb_type", "balls", "strikes", "game_year", "pfx_x", "pfx_z", "plate_x", "plate_z", "on_3b",
    "on_2b", "on_1b", "outs_when_up", "inning", "inning_topbot", "hc_x", "hc_y", "tfs_deprecated",
    "tfs_zulu_deprecated", "fielder_2", "umpire", "sv_id", "vx0", "vy0", "vz0", "ax", "ay", "az", "sz_top",
    "sz_bot", "hit_distance_sc", "launch_speed", "launch_angle", "effective_speed", "release_spin_rate",
    "release_extension", "game_pk", "pitcher.1", "fielder_2.1", "fielder_3", "fielder_4", "fielder_5",
    "fielder_6", "fielder_7", "fielder_8", "fielder_9", "release_pos_y", "estimated_ba_using_speedangle",
    "estimated_woba_using_speedangle", "woba_value", "woba_denom", "babip_value", "iso_value",
    "launch_speed_angle", "at_bat_number", "pitch_number", "pitch_name", "home_score", "away_score", "bat_score",
    "fld_score", "post_away_score", "post_home_score", "post_bat_score", "post_fld_score",
    "if_fielding_alignment", "of_fielding_alignment",
)
# Today's Savant CSV: the duplicated pitcher/fielder_2 columns gone, run expectancy, bat tracking, ages,
# rest days and arm angle added.
SAVANT_TODAY_COLUMNS: tuple[str, ...] = (
    *(c for c in SAVANT_2020_COLUMNS if c not in ("pitcher.1", "fielder_2.1")),
    "spin_axis", "delta_home_win_exp", "delta_run_exp", "bat_speed", "swing_length",
    "estimated_slg_using_speedangle", "delta_pitcher_run_exp", "hyper_speed", "home_score_diff", "bat_score_diff",
    "home_win_exp", "bat_win_exp", "age_pit_legacy", "age_bat_legacy", "age_pit", "age_bat",
    "n_thruorder_pitcher", "n_priorpa_thisgame_player_at_bat", "pitcher_days_since_prev_game",
    "batter_days_since_prev_game", "pitcher_days_until_next_game", "batter_days_until_next_game",
    "api_break_z_with_gravity", "api_break_x_arm", "api_break_x_batter_in", "arm_angle", "attack_angle",
    "attack_direction", "swing_path_tilt", "intercept_ball_minus_batter_pos_x_inches",
    "intercept_ball_minus_batter_pos_y_inches",
)
VINTAGES: dict[str, tuple[str, ...]] = {"2020": SAVANT_2020_COLUMNS, "today": SAVANT_TODAY_COLUMNS}
PITCH_NAMES: dict[str, str] = {
    "FF": "4-Seam Fastball", "SI": "Sinker", "FC": "Cutter", "SL": "Slider", "CU": "Curveball",
    "CH": "Changeup", "FS": "Split-Finger", "KC": "Knuckle Curve", "ST": "Sweeper", "SV": "Slurve",
}


def savant_frame(pitches: pd.DataFrame, vintage: str = "2020") -> pd.DataFrame:
    """`pitches` in the columns of a Savant export of `vintage` ("2020" or "today"); the columns HFM
    does not read are empty, except game_year and pitch_name."""
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be one of {list(VINTAGES)}, got {vintage!r}")
    n = len(pitches)
    out = {}
    for col in VINTAGES[vintage]:
        if col in STATCAST_COLUMNS:
            values = pitches[col]
            out[col] = values.dt.date if col == "game_date" else values.to_numpy()
        elif col == "game_year":
            out[col] = pd.DatetimeIndex(pitches["game_date"]).year.to_numpy()
        elif col == "pitch_name":
            out[col] = pitches["pitch_type"].map(PITCH_NAMES).to_numpy()
        elif col == "pitcher.1":
            out[col] = pitches["pitcher"].to_numpy()
        elif col in ("des", "player_name", "umpire"):
            out[col] = pd.array([None] * n, dtype="string")
        else:
            out[col] = np.full(n, np.nan)
    return pd.DataFrame(out)


def write_savant_csv(pitches: pd.DataFrame, path: str | Path, vintage: str = "2020", pybaseball_index: bool = True,
                     first_index: int = 0) -> Path:
    """Write `pitches` as a Savant CSV of `vintage`; with `pybaseball_index`, the unnamed index column
    first (values from `first_index`), as pybaseball's frames save. pyarrow writes it (fast enough
    for the benchmark's millions of rows); .gz paths are compressed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    frame = savant_frame(pitches, vintage)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if pybaseball_index:
        index = pa.array(range(first_index, first_index + len(frame)), type=pa.int64())
        table = table.add_column(0, "", index)
    path = Path(path)
    options = pacsv.WriteOptions(quoting_style="needed")
    if path.name.endswith(".gz"):
        with pa.CompressedOutputStream(str(path), "gzip") as sink:
            pacsv.write_csv(table, sink, options)
    else:
        pacsv.write_csv(table, path, options)
    return path
