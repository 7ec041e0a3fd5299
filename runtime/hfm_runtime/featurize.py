"""The one featurizer: Statcast rows -> model inputs. Training imports it; the runtime serves with it.

CONTRACT (shared by hfm_train, hfm_export and the runtime; change it only in this file):

A "game" is the pitches of one game_pk seen from one player's side: perspective "batter" = the pitches
that batter saw, "pitcher" = the pitches that pitcher threw. A plate appearance (PA) is the pitches
sharing (game_pk, at_bat_number), in pitch order.

Pitch fields (`PitchFeaturizer`, fitted once on training pitches, stored as JSON):
  PITCH_CATEGORICALS  one `Vocabulary` each (<PAD>=0, <UNK>=1; a missing value is 0, an unseen one 1):
    pitch_type, description, events, bb_type  Statcast's own codes
    count        "balls-strikes" before the pitch, e.g. "3-2"
    base_out     "outs:123" with 1/0 per occupied base, e.g. "2:101"
    inning       "1".."9", "10+" for extra innings
    platoon      stand + p_throws, e.g. "LR"
    level        "MLB", "AAA", ...
    perspective  "batter" or "pitcher" (whose game this is)
  PITCH_NUMERICS  standardised with the fitted mean/std, then missing -> 0.0:
    release_speed, release_spin_rate, release_extension, pfx_x, pfx_z, plate_x, plate_z,
    launch_speed, launch_angle, hit_distance_sc, estimated_woba_using_speedangle, delta_run_exp,
    score_diff (bat_score - fld_score), pitch_number (within the PA);
    then three masks, NOT standardised (1.0 measured, 0.0 missing), so a missing measurement is never
    a 0.0 that looks like an average one:
    pitch_tracked (release_speed or plate_x measured), contact_tracked (launch_speed measured),
    run_value_known (delta_run_exp given).
  Input groups (INPUT_GROUPS): pitch_tracking (pitch_type and the release/movement/location
    numerics), contact_tracking (launch speed/angle, distance, xwOBA), run_value (delta_run_exp).
    `fit` records in `input_groups_` the groups its pitches carry (any value present); `transform`
    treats a group the featurizer was not fitted with as missing, whatever the input holds, so a
    model trained on Retrosheet's untracked pitches scores a Statcast file on the same inputs.

Ragged form, `GameTable` (what `PitchFeaturizer.transform` returns; N pitches, G games, N_pa PAs):
  cat [N, C] int64, num [N, F] float32, pa_of_pitch [N] int64 (PA index within its game),
  pitch_offsets [G+1] int64, pa_offsets [G+1] int64, pa_outcome [N_pa] int64 (PA_OUTCOMES index),
  keys: `GameKeys` with game_pk, player_id (int64), perspective ("batter"/"pitcher"),
  game_date (datetime64[D]), season (int64), level (str), each [G].
  Games are ordered by (perspective, player_id, game_date, game_pk): one player's games are
  contiguous and oldest first. Pitches keep (at_bat_number, pitch_number) order inside a game.
  PA outcome: how the PA's last `events` maps in hfm_runtime.seasons (the same mapping as
  `plate_appearances`); a PA with no event (an unfinished at-bat) or a non-PA event is "OTHER".

Level 1 input, `GameBatch` (`GameTable.collate(indices)`) — G games padded to P pitches and A PAs:
  cat         int64   [G, P, len(PITCH_CATEGORICALS)]  vocabulary ids, 0 = padding
  num         float32 [G, P, len(PITCH_NUMERICS)]      standardised, missing -> 0.0, 0.0 on padding
  pitch_mask  bool    [G, P]                           True for a real pitch
  pa_of_pitch int64   [G, P]                           PA index within the game (0..A-1), 0 on padding
  pa_mask     bool    [G, A]                           True for a real PA
  pa_outcome  int64   [G, A]                           PA_OUTCOMES index (0 on padding); not a Graph-1 input
Level 1 output: pa_emb float32 [G, A, D] (mean of the pitch states of each PA; 0 on padding PAs).

Level 2/3 input, `ContextBatch` — B players, each with up to T games of context (oldest first):
  pa_emb       float32 [B, T, A, D]
  pa_mask      bool    [B, T, A]
  pa_outcome   int64   [B, T, A]  PA_OUTCOMES index of how the PA ended (0 on padding)
  game_mask    bool    [B, T]
  game_days    float32 [B, T]     days since the player's first context game (0 on padding)
  stat_features float32 [B, F]    standardised identity profile (hfm_runtime.profiles layout)
  archetype    int64   [B]        archetype id
Level 2/3 output: rates float32 [B, n_targets], game_emb float32 [B, T, D2].
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.statcast import LEVEL_COLUMN
from hfm_runtime.targets import PA_OUTCOMES  # noqa: F401  (part of this module's contract, re-exported)
from hfm_runtime.vocab import Vocabulary


PITCH_CATEGORICALS: tuple[str, ...] = (
    "pitch_type", "description", "events", "bb_type", "count", "base_out", "inning", "platoon",
    "level", "perspective",
)
PITCH_NUMERICS: tuple[str, ...] = (
    "release_speed", "release_spin_rate", "release_extension", "pfx_x", "pfx_z", "plate_x", "plate_z",
    "launch_speed", "launch_angle", "hit_distance_sc", "estimated_woba_using_speedangle",
    "delta_run_exp", "score_diff", "pitch_number", "pitch_tracked", "contact_tracked", "run_value_known",
)
MASKS: tuple[str, ...] = PITCH_NUMERICS[-3:]  # 1.0 measured / 0.0 missing; never standardised
INPUT_GROUPS: dict[str, tuple[str, ...]] = {
    "pitch_tracking": ("pitch_type", "release_speed", "release_spin_rate", "release_extension", "pfx_x", "pfx_z",
                       "plate_x", "plate_z"),
    "contact_tracking": ("launch_speed", "launch_angle", "hit_distance_sc", "estimated_woba_using_speedangle"),
    "run_value": ("delta_run_exp",),
}
PERSPECTIVES: tuple[str, ...] = ("batter", "pitcher")
FEATURIZER_SCHEMA_VERSION = 2

# Raw columns the featurizer reads (besides the Statcast ones it copies as numerics).
_RAW_NUMERICS = PITCH_NUMERICS[:12]
assert all(n in _RAW_NUMERICS or n == "pitch_type" for names in INPUT_GROUPS.values() for n in names)
REQUIRED_COLUMNS: tuple[str, ...] = (
    "game_pk", "game_date", "pitcher", "batter", "pitch_type", "description", "events", "bb_type",
    "balls", "strikes", "outs_when_up", "inning", "on_1b", "on_2b", "on_3b", "stand", "p_throws",
    "at_bat_number", "pitch_number", "bat_score", "fld_score", LEVEL_COLUMN, *_RAW_NUMERICS,
)


# --- ragged tables ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class GameKeys:
    """Who and when, one entry per game (see the module CONTRACT)."""

    game_pk: np.ndarray      # int64
    player_id: np.ndarray    # int64
    perspective: np.ndarray  # str: "batter" / "pitcher"
    game_date: np.ndarray    # datetime64[D]
    season: np.ndarray       # int64
    level: np.ndarray        # str

    def __len__(self) -> int:
        return len(self.game_pk)

    def take(self, index: np.ndarray) -> GameKeys:
        return GameKeys(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        """Plain arrays (fixed-width unicode for text) that `np.savez` writes without pickling."""
        out = {}
        for f in fields(self):
            a = getattr(self, f.name)
            out[prefix + f.name] = a.astype(str) if a.dtype == object else a
        return out

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "") -> GameKeys:
        return cls(**{f.name: np.asarray(arrays[prefix + f.name]) for f in fields(cls)})


@dataclass(frozen=True, eq=False)
class GameBatch:
    """Level 1 input, padded (see the module CONTRACT)."""

    cat: np.ndarray
    num: np.ndarray
    pitch_mask: np.ndarray
    pa_of_pitch: np.ndarray
    pa_mask: np.ndarray
    pa_outcome: np.ndarray

    def inputs(self) -> tuple[np.ndarray, ...]:
        """Graph 1's inputs, in order: cat, num, pitch_mask, pa_of_pitch, pa_mask."""
        return self.cat, self.num, self.pitch_mask, self.pa_of_pitch, self.pa_mask


@dataclass(frozen=True, eq=False)
class GameTable:
    """Every game's pitches, concatenated (ragged); see the module CONTRACT."""

    cat: np.ndarray
    num: np.ndarray
    pa_of_pitch: np.ndarray
    pitch_offsets: np.ndarray
    pa_offsets: np.ndarray
    pa_outcome: np.ndarray
    keys: GameKeys
    vocab_sizes: tuple[int, ...]  # len(vocabulary) per PITCH_CATEGORICALS field, for the embeddings

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def n_pitches(self) -> np.ndarray:
        return np.diff(self.pitch_offsets)

    @property
    def n_pas(self) -> np.ndarray:
        return np.diff(self.pa_offsets)

    def take(self, index: Sequence[int] | np.ndarray) -> GameTable:
        """The games at `index` (in that order), as a new table."""
        index = np.asarray(index, dtype=np.int64)
        rows, offsets = _ragged_rows(self.pitch_offsets, index)
        pa_rows, pa_offsets = _ragged_rows(self.pa_offsets, index)
        return GameTable(
            cat=self.cat[rows], num=self.num[rows], pa_of_pitch=self.pa_of_pitch[rows],
            pitch_offsets=offsets, pa_offsets=pa_offsets, pa_outcome=self.pa_outcome[pa_rows],
            keys=self.keys.take(index), vocab_sizes=self.vocab_sizes,
        )

    def collate(self, index: Sequence[int] | np.ndarray | None = None) -> GameBatch:
        """Pad the games at `index` (default: all) into a `GameBatch`, one game per row."""
        index = np.arange(len(self)) if index is None else np.asarray(index, dtype=np.int64)
        rows, offsets = _ragged_rows(self.pitch_offsets, index)
        pa_rows, pa_offsets = _ragged_rows(self.pa_offsets, index)
        g = len(index)
        game, pos = _positions(offsets)
        pa_game, pa_pos = _positions(pa_offsets)
        p = max(int(np.diff(offsets).max(initial=0)), 1)  # at least one (padding) slot per row
        a = max(int(np.diff(pa_offsets).max(initial=0)), 1)

        cat = np.zeros((g, p, self.cat.shape[1]), np.int64)
        num = np.zeros((g, p, self.num.shape[1]), np.float32)
        pitch_mask = np.zeros((g, p), bool)
        pa_of_pitch = np.zeros((g, p), np.int64)
        pa_mask = np.zeros((g, a), bool)
        pa_outcome = np.zeros((g, a), np.int64)
        cat[game, pos] = self.cat[rows]
        num[game, pos] = self.num[rows]
        pitch_mask[game, pos] = True
        pa_of_pitch[game, pos] = self.pa_of_pitch[rows]
        pa_mask[pa_game, pa_pos] = True
        pa_outcome[pa_game, pa_pos] = self.pa_outcome[pa_rows]
        return GameBatch(cat, num, pitch_mask, pa_of_pitch, pa_mask, pa_outcome)


def _positions(offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, position within row) of every element of a ragged layout."""
    lengths = np.diff(offsets)
    row = np.repeat(np.arange(len(lengths)), lengths)
    return row, np.arange(offsets[-1]) - offsets[:-1][row]


def _ragged_rows(offsets: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element rows of the segments at `index`, and the offsets of the selected segments."""
    lengths = offsets[index + 1] - offsets[index]
    new_offsets = np.zeros(len(index) + 1, np.int64)
    np.cumsum(lengths, out=new_offsets[1:])
    row, pos = _positions(new_offsets)
    return offsets[index][row] + pos, new_offsets


# --- the featurizer --------------------------------------------------------------------------------
class PitchFeaturizer:
    """Statcast pitches -> `GameTable`. `fit` learns one vocabulary per categorical field and the
    mean/std of each numeric field; fitted state is `vocabularies_`, `mean_`, `std_` (JSON-able)."""

    def fit(self, pitches: pd.DataFrame) -> PitchFeaturizer:
        return self.fit_parts([pitches])

    def fit_parts(self, parts: Iterable[pd.DataFrame], without: Iterable[str] = ()) -> PitchFeaturizer:
        """`fit` on several frames as on their concatenation `pd.concat(parts)` (the same vocabularies,
        mean and std), reading one part at a time: `parts` may be a generator loading one season each,
        so only the parts' numerics (len(PITCH_NUMERICS) = 17 float64 per pitch) are held at once, never all their columns.
        `without`: INPUT_GROUPS read as missing even where the pitches carry them (a pitch path kept
        off tracking that only the identity's skill rates read: hfm_train.fit's `pitch_tracking`)."""
        without = list(without)
        unknown = [g for g in without if g not in INPUT_GROUPS]
        if unknown:
            raise HFMInputError(f"featurizer: unknown input group(s) {unknown} (known: {list(INPUT_GROUPS)})")
        tokens: dict[str, list] = {name: [] for name in PITCH_CATEGORICALS[:-1]}
        raws = []
        groups: set[str] = set()
        for pitches in parts:
            cols = _without_groups(read_columns(pitches), without)
            del pitches  # a generator's previous part is freed before the next is loaded
            groups |= _groups_present(cols)
            for name in tokens:
                tokens[name].extend(_categorical(cols, name)[1])
            raws.append(_numerics(cols))
            del cols
        if not raws:
            raise HFMInputError("featurizer: no pitches to fit on")
        self.vocabularies_ = {"perspective": Vocabulary.fit(PERSPECTIVES)}
        for name in PITCH_CATEGORICALS[:-1]:
            self.vocabularies_[name] = Vocabulary.fit(tokens[name])
        raw = raws[0] if len(raws) == 1 else np.concatenate(raws)
        del raws
        with warnings.catch_warnings():  # an all-missing column (e.g. no contact data) is allowed
            warnings.simplefilter("ignore", RuntimeWarning)
            mean, std = np.nanmean(raw, axis=0), np.nanstd(raw, axis=0)
        self.mean_ = np.nan_to_num(mean, nan=0.0).astype(np.float64)
        self.std_ = np.where(np.isfinite(std) & (std > 1e-6), std, 1.0).astype(np.float64)
        masks = [PITCH_NUMERICS.index(m) for m in MASKS]
        self.mean_[masks], self.std_[masks] = 0.0, 1.0
        self.input_groups_ = tuple(g for g in INPUT_GROUPS if g in groups)
        self._token_ids = None
        return self

    def transform(
        self,
        pitches: pd.DataFrame,
        perspectives: Iterable[str] = PERSPECTIVES,
        players: Iterable[int] | None = None,
        features: bool = True,
    ) -> GameTable:
        """Every (game_pk, player, perspective) game in `pitches`, optionally only `players`' games.

        `pitches` must be ordered by game_pk, at_bat_number, pitch_number (as `load_pitches` returns).
        features=False: the games, their PAs and outcomes only, `cat` (but the perspective token) and
        `num` all zeros (what the scorer needs of a player type whose rates read no context:
        hfm_runtime.scoring).
        """
        return self.transform_columns(read_columns(pitches), perspectives, players, features)

    def transform_columns(
        self,
        columns: dict[str, np.ndarray],
        perspectives: Iterable[str] = PERSPECTIVES,
        players: Iterable[int] | None = None,
        features: bool = True,
    ) -> GameTable:
        """`transform` of pitches already read by `read_columns`, or of rows of them (every array
        indexed alike, in the pitches' order): a caller featurizing several row subsets of the same
        pitches reads the frame once."""
        self._check_fitted()
        perspectives = tuple(perspectives)
        bad = [p for p in perspectives if p not in PERSPECTIVES]
        if bad:
            raise HFMInputError(f"perspective must be one of {PERSPECTIVES}, got {bad[0]!r}")
        cols = _without_groups(columns, [g for g in INPUT_GROUPS if g not in self.input_groups_])
        n = len(cols["game_pk"])
        token_ids = self._ids()
        if features:
            cat = np.empty((n, len(PITCH_CATEGORICALS)), np.int64)
            for j, name in enumerate(PITCH_CATEGORICALS[:-1]):  # perspective is set per copy below
                codes, tokens = _categorical(cols, name)
                lookup = np.array([*(token_ids[name].get(t, 1) for t in tokens), 0], np.int64)
                cat[:, j] = lookup[codes]  # code -1 (missing) -> the appended 0
            raw = _numerics(cols)  # a new array: standardised in place (a season's pitches: no 100 MB temporaries)
            raw -= self.mean_
            raw /= self.std_
            num = raw.astype(np.float32)
            del raw
            np.copyto(num, 0.0, where=np.isnan(num))
        else:  # the table's own zeros, made below at its size (no per-pitch columns to gather)
            cat = num = None

        game_pk, at_bat, dates = cols["game_pk"], cols["at_bat_number"], cols["game_date"]
        outcome = _pa_outcome_codes(cols["events"])
        wanted = None if players is None else np.asarray(list(players), dtype=np.int64)
        parts = []
        for perspective in perspectives:
            player = cols[perspective]
            rows = np.arange(n) if wanted is None else np.flatnonzero(_isin(player, wanted))
            # Stable sort keeps pitch order inside a game_pk (the frame's own order).
            order = rows[np.lexsort((game_pk[rows], dates[rows], player[rows]))]
            parts.append(_segment(order, perspective, player, game_pk, at_bat, dates, cols["level"], outcome))

        pitch_rows = np.concatenate([p["rows"] for p in parts])
        if features:
            table_cat, table_num = cat[pitch_rows], num[pitch_rows]
        else:
            table_cat = np.zeros((len(pitch_rows), len(PITCH_CATEGORICALS)), np.int64)
            table_num = np.zeros((len(pitch_rows), len(self.mean_)), np.float32)
        start = 0
        for p in parts:
            table_cat[start:start + len(p["rows"]), -1] = token_ids["perspective"][p["perspective"]]
            start += len(p["rows"])
        return GameTable(
            cat=table_cat,
            num=table_num,
            pa_of_pitch=np.concatenate([p["pa_of_pitch"] for p in parts]),
            pitch_offsets=_join_offsets([p["pitch_offsets"] for p in parts]),
            pa_offsets=_join_offsets([p["pa_offsets"] for p in parts]),
            pa_outcome=np.concatenate([p["pa_outcome"] for p in parts]),
            keys=GameKeys(**{
                k: np.concatenate([p["keys"][k] for p in parts]) for k in GameKeys.__dataclass_fields__
            }),
            vocab_sizes=self.vocab_sizes,
        )

    def fit_transform(self, pitches: pd.DataFrame, **kwargs) -> GameTable:
        return self.fit(pitches).transform(pitches, **kwargs)

    @property
    def vocab_sizes(self) -> tuple[int, ...]:
        self._check_fitted()
        return tuple(len(self.vocabularies_[name]) for name in PITCH_CATEGORICALS)

    def to_json(self) -> dict:
        self._check_fitted()
        return {
            "schema_version": FEATURIZER_SCHEMA_VERSION,
            "categoricals": list(PITCH_CATEGORICALS),
            "numerics": list(PITCH_NUMERICS),
            "vocabularies": {k: self.vocabularies_[k].to_json() for k in PITCH_CATEGORICALS},
            "mean": [float(x) for x in self.mean_],
            "std": [float(x) for x in self.std_],
            "input_groups": list(self.input_groups_),
        }

    @classmethod
    def from_json(cls, state: dict) -> PitchFeaturizer:
        where = "featurizer state"
        if not isinstance(state, dict) or state.get("schema_version") != FEATURIZER_SCHEMA_VERSION:
            raise HFMInputError(f"{where}: field schema_version must be {FEATURIZER_SCHEMA_VERSION}")
        if state.get("categoricals") != list(PITCH_CATEGORICALS) or state.get("numerics") != list(
            PITCH_NUMERICS
        ):
            raise HFMInputError(f"{where}: fields categoricals/numerics do not match this runtime's layout")
        try:
            vocabularies = {k: Vocabulary.from_json(state["vocabularies"][k]) for k in PITCH_CATEGORICALS}
            mean = np.asarray(state["mean"], dtype=np.float64)
            std = np.asarray(state["std"], dtype=np.float64)
            groups = tuple(str(g) for g in state["input_groups"])
            unknown = [g for g in groups if g not in INPUT_GROUPS]
            if unknown:
                raise ValueError(f"unknown input group {unknown[0]!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise HFMInputError(f"{where}: malformed ({type(exc).__name__}: {exc})") from None
        if mean.shape != (len(PITCH_NUMERICS),) or std.shape != mean.shape:
            raise HFMInputError(f"{where}: fields mean/std must hold {len(PITCH_NUMERICS)} numbers")
        featurizer = cls()
        featurizer.vocabularies_, featurizer.mean_, featurizer.std_ = vocabularies, mean, std
        featurizer.input_groups_ = groups
        featurizer._token_ids = None
        return featurizer

    def _ids(self) -> dict[str, dict[str, int]]:
        """token -> id per field, built once (a dict lookup per distinct value is the fast path)."""
        if self._token_ids is None:
            self._token_ids = {
                k: {t: i for i, t in enumerate(v.tokens)} for k, v in self.vocabularies_.items()
            }
        return self._token_ids

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabularies_"):
            raise RuntimeError("PitchFeaturizer is not fitted: call fit() or from_json() first")


_TEXT = ("pitch_type", "description", "events", "bb_type", "stand", "p_throws", LEVEL_COLUMN)
_IDS = ("game_pk", "pitcher", "batter", "at_bat_number")


_SMALL = 4096  # up to this many rows, a few pandas/pyarrow shortcuts pay off (see text_array, _codes)
_FEW = 128  # up to this many integers, a dict factorizes faster than np.unique
_DENSE = 1 << 16  # integer keys below this are factorized through a table of that size, not sorted


def text_array(values: pd.Series) -> np.ndarray:
    """A text column as an object array of str, None where missing.

    On a pyarrow-backed column with missing values pandas' `to_numpy` costs ~0.07 ms however short
    the column; up to ~1000 rows, reading its Arrow data directly is cheaper (a one-game input: ~15x).
    """
    if len(values) <= 1024 and getattr(values.dtype, "storage", None) == "pyarrow":
        arrow = values.array.__arrow_array__()
        if arrow.null_count:
            out = np.empty(len(values), dtype=object)
            out[:] = arrow.to_pylist()  # None where missing
            return out
    return values.to_numpy(dtype=object, na_value=None)


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """`pd.factorize(text_array(values))`: (int64 code per row, -1 where missing; object array of the
    distinct values, in order of first appearance). A pyarrow-backed string column is dictionary-encoded
    in Arrow without reading its strings out (~4x cheaper: the store's cold build factorizes five)."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        arrow = values.array.__arrow_array__()
        if hasattr(arrow, "combine_chunks"):  # a ChunkedArray: one dictionary for all its rows
            arrow = arrow.combine_chunks()
        encoded = arrow.dictionary_encode()
        codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        return codes, encoded.dictionary.to_numpy(zero_copy_only=False).astype(object)
    codes, uniques = pd.factorize(text_array(values))
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def read_columns(pitches: pd.DataFrame) -> dict[str, np.ndarray]:
    """The columns the featurizer reads, as numpy arrays: text as object (None = missing), ids as
    int64, game_date as datetime64[D], everything else float64 (NaN = missing)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in pitches.columns]
    if missing:
        raise HFMInputError(
            f"pitches: missing column(s) {', '.join(missing)} (load them with statcast.load_pitches)"
        )
    cols = {c: text_array(pitches[c]) for c in _TEXT}
    dates = pitches["game_date"]
    # For a numpy dtype .values is the array to_numpy() returns, at a quarter of its cost.
    dates = dates.values if isinstance(dates.dtype, np.dtype) else dates.to_numpy()
    cols["game_date"] = dates.astype("datetime64[D]")
    cols.update(_numbers(pitches, [c for c in REQUIRED_COLUMNS if c not in cols]))
    return cols


def _numbers(pitches: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray]:
    """The columns `names` as numpy: ids (`_IDS`) int64, the others float64 with NaN = missing.

    A short frame whose columns are all plain int64/float64 is read as one 2-D float block: pandas
    builds a Series per column access (~15 us each), which costs more than a one-game input's data.
    Ids come from the block too when that is exact (finite, below 2**53).
    """
    block = _float_block(pitches, names) if len(pitches) <= _SMALL else None
    if block is None:
        return {
            c: pitches[c].to_numpy(np.int64) if c in _IDS else pitches[c].to_numpy(np.float64, na_value=np.nan)
            for c in names
        }
    for c in _IDS:
        ids = block[c]
        exact = np.isfinite(ids).all() and np.abs(ids).max(initial=0) < 2**53
        block[c] = ids.astype(np.int64) if exact else pitches[c].to_numpy(np.int64)
    return block


def _float_block(pitches: pd.DataFrame, names: list[str]) -> dict[str, np.ndarray] | None:
    """float64 columns `names` from one read of the frame's int64/float64 columns; None if one of
    `names` has another dtype (or names repeat)."""
    block = pitches.select_dtypes([np.int64, np.float64])
    where = {c: j for j, c in enumerate(block.columns.tolist())}
    if len(where) != block.shape[1] or not all(c in where for c in names):
        return None
    values = block.to_numpy(np.float64)
    return {c: values[:, where[c]] for c in names}


def _codes(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Factorize: (code per value, -1 = missing; the distinct values). Text: None/NaN is missing;
    integers: negative is missing. Small inputs skip pandas and np.unique, whose fixed cost dominates
    there (a dict is faster up to ~_SMALL text values, ~_FEW integers); many integers below _DENSE
    (the derived fields' keys) go through a lookup table, in np.unique's ascending order. The order of
    the distinct values is not part of the result's meaning: callers map them to ids by name."""
    if values.dtype != object:
        if len(values) <= _FEW:
            seen: dict = {}
            codes = np.fromiter(
                (-1 if v < 0 else seen.setdefault(v, len(seen)) for v in values.tolist()), np.int64, len(values)
            )
            return codes, list(seen)
        top = int(values.max(initial=0)) if values.dtype.kind in "iu" else _DENSE
        if top < _DENSE:  # small keys (count, base-out state, ...): a lookup table instead of a sort
            valid = values >= 0
            present = np.zeros(top + 1, bool)
            present[values[valid]] = True
            uniques = np.flatnonzero(present)
            lookup = np.full(top + 1, -1, np.int64)
            lookup[uniques] = np.arange(len(uniques))
            return np.where(valid, lookup[np.maximum(values, 0)], -1), uniques.tolist()
        uniques, inverse = np.unique(values, return_inverse=True)
        lookup = np.where(uniques < 0, -1, np.arange(len(uniques)))
        return lookup[inverse].astype(np.int64), [int(u) if u >= 0 else None for u in uniques]
    if len(values) > _SMALL:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes.astype(np.int64), list(uniques)
    seen = {}
    codes = np.fromiter(
        (-1 if v is None or v != v else seen.setdefault(v, len(seen)) for v in values),
        np.int64, len(values),
    )
    return codes, list(seen)


def _missing_as(values: np.ndarray, fill: float) -> np.ndarray:
    """NaN -> `fill` (what np.nan_to_num(nan=fill) does before the callers' clipping, at a quarter of
    its cost on a one-game input)."""
    return np.where(np.isnan(values), fill, values)


def _categorical(cols: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, list[str | None]]:
    """(code per row, -1 = missing; the token of each code) for one PITCH_CATEGORICALS field.

    Derived fields are coded as small integers first and named per distinct value: formatting a
    string per row would cost more than everything else here.
    """
    if name in _TEXT:
        codes, uniques = _codes(cols[name])
        return codes, [str(u) for u in uniques]
    if name == "count":
        balls, strikes = (np.clip(_missing_as(cols[c], -1), -1, 15) for c in ("balls", "strikes"))
        key = np.where((balls < 0) | (strikes < 0), -1, balls * 16 + strikes).astype(np.int64)
        codes, uniques = _codes(key)
        return codes, [None if u is None else f"{u // 16}-{u % 16}" for u in uniques]
    if name == "base_out":
        on = [~np.isnan(cols[c]) for c in ("on_1b", "on_2b", "on_3b")]
        outs = np.clip(_missing_as(cols["outs_when_up"], -1), -1, 7)
        key = np.where(outs < 0, -1, outs * 8 + on[0] * 4 + on[1] * 2 + on[2]).astype(np.int64)
        codes, uniques = _codes(key)
        return codes, [None if u is None else f"{u // 8}:{(u >> 2) & 1}{(u >> 1) & 1}{u & 1}" for u in uniques]
    if name == "inning":
        inning = _missing_as(cols["inning"], -1)
        codes, uniques = _codes(np.where(inning < 1, -1, np.minimum(inning, 10)).astype(np.int64))
        return codes, [None if u is None else "10+" if u >= 10 else str(u) for u in uniques]
    if name == "platoon":
        s_codes, s_uniques = _codes(cols["stand"])
        t_codes, t_uniques = _codes(cols["p_throws"])
        width = max(len(t_uniques), 1)
        key = np.where((s_codes < 0) | (t_codes < 0), -1, s_codes * width + t_codes)
        codes, uniques = _codes(key)
        tokens = [None if u is None else f"{s_uniques[u // width]}{t_uniques[u % width]}" for u in uniques]
        return codes, tokens
    raise KeyError(name)


def _numerics(cols: dict[str, np.ndarray]) -> np.ndarray:
    """[N, len(PITCH_NUMERICS)] float64, NaN where missing (before standardising); masks 0/1."""
    out = np.empty((len(cols["game_pk"]), len(PITCH_NUMERICS)), np.float64)
    for j, name in enumerate(_RAW_NUMERICS):
        out[:, j] = cols[name]
    out[:, 12] = cols["bat_score"] - cols["fld_score"]
    out[:, 13] = cols["pitch_number"]
    out[:, 14] = ~np.isnan(out[:, 0]) | ~np.isnan(out[:, 5])
    out[:, 15] = ~np.isnan(out[:, 7])
    out[:, 16] = ~np.isnan(out[:, 11])
    return out


def _groups_present(cols: dict[str, np.ndarray]) -> set[str]:
    """The INPUT_GROUPS with any value present in these pitches."""
    present = set()
    for group, names in INPUT_GROUPS.items():
        for name in names:
            values = cols[name]
            if (values != None).any() if values.dtype == object else np.isfinite(values).any():  # noqa: E711
                present.add(group)
                break
    return present


def _without_groups(cols: dict[str, np.ndarray], groups: list[str]) -> dict[str, np.ndarray]:
    """`cols` with every field of `groups` missing (a copy of the dict; the arrays are not written)."""
    if not groups:
        return cols
    cols = dict(cols)
    n = len(cols["game_pk"])
    for group in groups:
        for name in INPUT_GROUPS[group]:
            cols[name] = np.full(n, None, dtype=object) if cols[name].dtype == object else np.full(n, np.nan)
    return cols


_OUTCOME_OF_EVENT: tuple[dict[str, int], int] | None = None  # (event -> outcome id, unknown's id)


def _pa_outcome_codes(events: np.ndarray) -> np.ndarray:
    """PA_OUTCOMES index per pitch from its `events` (0 where none), by hfm_runtime.seasons' mapping."""
    global _OUTCOME_OF_EVENT
    if _OUTCOME_OF_EVENT is None:
        # Imported here, on first use: seasons pulls in pandas-heavy work a featurizer user may not need.
        from hfm_runtime.seasons import NON_PA_EVENTS, PA_EVENTS, UNKNOWN_EVENT

        known = {
            **{e: PA_OUTCOMES.index(o) for e, (o, _) in PA_EVENTS.items()},
            **{e: PA_OUTCOMES.index("OTHER") for e in NON_PA_EVENTS},
        }
        _OUTCOME_OF_EVENT = known, PA_OUTCOMES.index(UNKNOWN_EVENT[0])
    known, unknown = _OUTCOME_OF_EVENT
    codes, uniques = _codes(events)
    lookup = np.array([*(known.get(str(u), unknown) for u in uniques), 0], np.int64)
    return lookup[codes]


def _isin(values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """np.isin(values, wanted); a broadcast comparison when that is small (np.isin's fixed cost is
    ~20 us, more than the rest of a one-game call's player filter)."""
    if len(values) * len(wanted) <= 65536:
        return (values[:, None] == wanted[None, :]).any(axis=1)
    return np.isin(values, wanted)


def _segment(order, perspective, player, game_pk, at_bat, dates, level, outcome) -> dict:
    """Cut one perspective's sorted pitch rows into games and PAs."""
    n = len(order)
    p, g, ab = player[order], game_pk[order], at_bat[order]
    new_game = np.ones(n, bool)
    new_game[1:] = (p[1:] != p[:-1]) | (g[1:] != g[:-1])
    new_pa = new_game.copy()
    new_pa[1:] |= ab[1:] != ab[:-1]
    game_starts = np.flatnonzero(new_game)
    pa_starts = np.flatnonzero(new_pa)
    pa_index = np.cumsum(new_pa) - 1                       # global PA index per pitch
    game_index = np.cumsum(new_game) - 1
    first_pa_of_game = pa_index[game_starts]
    pa_of_pitch = pa_index - first_pa_of_game[game_index] if n else np.zeros(0, np.int64)
    # A PA ends on its last pitch with an event; none -> OTHER (an at-bat cut short).
    o = outcome[order]
    last_event = np.where(o > 0, np.arange(n), -1)
    last_event = np.maximum.reduceat(last_event, pa_starts) if n else np.zeros(0, np.int64)
    pa_outcome = np.where(last_event >= 0, o[last_event.clip(0)], PA_OUTCOMES.index("OTHER"))
    pa_game = game_index[pa_starts]
    pa_offsets = np.searchsorted(pa_game, np.arange(len(game_starts) + 1))
    first = order[game_starts]
    return {
        "rows": order,
        "perspective": perspective,
        "pa_of_pitch": pa_of_pitch.astype(np.int64),
        "pitch_offsets": np.append(game_starts, n).astype(np.int64),
        "pa_offsets": pa_offsets.astype(np.int64),
        "pa_outcome": pa_outcome.astype(np.int64),
        "keys": {
            "game_pk": game_pk[first],
            "player_id": player[first],
            "perspective": np.full(len(first), perspective, dtype="<U7"),
            "game_date": dates[first],
            "season": dates[first].astype("datetime64[Y]").astype(np.int64) + 1970,
            "level": level[first].astype(str),
        },
    }


def _join_offsets(parts: list[np.ndarray]) -> np.ndarray:
    out, base = [np.zeros(1, np.int64)], 0
    for offsets in parts:
        out.append(offsets[1:] + base)
        base += int(offsets[-1])
    return np.concatenate(out)
