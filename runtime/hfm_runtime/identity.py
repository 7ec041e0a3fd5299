"""Player identity in one call: profiles -> `stat_features` and archetype ids for the model.

Fitted state lives in a run folder's `identity/` subdirectory (written by
`hfm_train.archetypes.fit_identity`), per player type:
  identity_<type>.json        profile config (ProfileConfig; a file without season_length_correction,
                              written before it existed, reads as on; without window_detail,
                              speed_rates, putaway_rate, old_seasons, late_rates, positions, platoon
                              or wide_platoon, as off, the default), league rates, career priors,
                              skill league rates and priors, MLE factors, feature layout and scaler
  archetypes_<type>.npz/.json archetype centroids (hfm_runtime.archetypes)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.archetypes import ArchetypeModel
from hfm_runtime.errors import HFMInputError
from hfm_runtime.mle import MLETranslator
from hfm_runtime.profiles import (
    FeatureScaler,
    ProfileConfig,
    feature_matrix,
    feature_names,
    profile_columns,
)
from hfm_runtime.targets import PLAYER_TYPES, PlayerType

IDENTITY_DIR = "identity"
SCHEMA_VERSION = 2


@dataclass
class IdentityModel:
    """Everything fitted on training seasons that turning history into identity inputs needs."""

    player_type: PlayerType
    league_rates: dict[str, float]
    prior_opportunities: dict[str, float]
    mle: MLETranslator | None
    scaler: FeatureScaler
    archetypes: ArchetypeModel
    config: ProfileConfig = ProfileConfig()
    skill_league: dict[str, float] = field(default_factory=dict)  # skills.skill_priors on training seasons
    skill_prior: dict[str, float] = field(default_factory=dict)

    def save(self, directory: str | Path) -> None:
        """Write this player type's files into `directory` (use atomic_dir around the whole folder)."""
        directory = Path(directory)
        meta = {
            "schema_version": SCHEMA_VERSION,
            "player_type": self.player_type,
            "feature_names": feature_names(self.player_type, self.config),
            "league_rates": self.league_rates,
            "prior_opportunities": self.prior_opportunities,
            "skill_league": self.skill_league,
            "skill_prior": self.skill_prior,
            "mle": self.mle.to_json() if self.mle is not None else None,
            "scaler": self.scaler.to_json(),
            "config": {
                "min_opportunities": dict(self.config.min_opportunities),
                "mle_threshold": self.config.mle_threshold,
                "career_prior_opportunities": self.config.career_prior_opportunities,
                "season_length_correction": self.config.season_length_correction,
                "window_detail": self.config.window_detail,
                "speed_rates": self.config.speed_rates,
                "putaway_rate": self.config.putaway_rate,
                "old_seasons": self.config.old_seasons,
                "late_rates": self.config.late_rates,
                "positions": self.config.positions,
                "platoon": self.config.platoon,
                "wide_platoon": self.config.wide_platoon,
            },
        }
        (directory / f"identity_{self.player_type}.json").write_text(json.dumps(meta, indent=2))
        self.archetypes.save(directory)

    @classmethod
    def load(cls, directory: str | Path, player_type: PlayerType) -> IdentityModel:
        """Load from a run's `identity/` folder (or a bundle folder holding the same files)."""
        if player_type not in PLAYER_TYPES:
            raise HFMInputError(f"unknown player_type {player_type!r}")
        path = Path(directory) / f"identity_{player_type}.json"
        if not path.is_file():
            raise HFMInputError(f"{path}: identity file missing")
        try:
            meta = json.loads(path.read_text())
            if meta["schema_version"] != SCHEMA_VERSION:
                raise HFMInputError(f"{path}: schema_version {meta['schema_version']} != {SCHEMA_VERSION}")
            config = ProfileConfig(
                min_opportunities=tuple((k, int(v)) for k, v in meta["config"]["min_opportunities"].items()),
                mle_threshold=int(meta["config"]["mle_threshold"]),
                career_prior_opportunities=float(meta["config"]["career_prior_opportunities"]),
                # identities saved before the switch existed were fitted with the correction on
                season_length_correction=_flag(meta["config"].get("season_length_correction", True),
                                               "season_length_correction"),
                # ... and without the window's detail (an experiment of 2026-12-03, off by default)
                window_detail=_flag(meta["config"].get("window_detail", False), "window_detail"),
                speed_rates=_flag(meta["config"].get("speed_rates", False), "speed_rates"),
                putaway_rate=_flag(meta["config"].get("putaway_rate", False), "putaway_rate"),
                old_seasons=_flag(meta["config"].get("old_seasons", False), "old_seasons"),
                late_rates=_flag(meta["config"].get("late_rates", False), "late_rates"),
                positions=_flag(meta["config"].get("positions", False), "positions"),
                platoon=_flag(meta["config"].get("platoon", False), "platoon"),
                wide_platoon=_flag(meta["config"].get("wide_platoon", False), "wide_platoon"),
            )
            if meta["feature_names"] != feature_names(player_type, config):
                raise HFMInputError(f"{path}: feature_names differ from this runtime's profile layout")
            model = cls(
                player_type=player_type,
                league_rates={k: float(v) for k, v in meta["league_rates"].items()},
                prior_opportunities={k: float(v) for k, v in meta["prior_opportunities"].items()},
                mle=MLETranslator.from_json(meta["mle"]) if meta["mle"] is not None else None,
                scaler=FeatureScaler.from_json(meta["scaler"]),
                archetypes=ArchetypeModel.load(directory, player_type),
                config=config,
                skill_league={k: float(v) for k, v in meta["skill_league"].items()},
                skill_prior={k: float(v) for k, v in meta["skill_prior"].items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HFMInputError(f"{path}: missing or bad field ({exc})") from exc
        return model


def _flag(value: Any, name: str) -> bool:
    """A JSON boolean (a string or number would make `bool()` read "false" or 0 as a silent choice)."""
    if not isinstance(value, bool):
        raise ValueError(f"config.{name} must be true or false, got {value!r}")
    return value


def player_lines(league: Any, player_type: PlayerType, shared: dict | None = None) -> pd.DataFrame:
    """Game lines of one player type at every level of a loaded league (`league.load_league`) or of
    a pitch frame: outcome counts (hfm_runtime.seasons.game_lines) and Statcast skill counts
    (hfm_runtime.skills.skill_lines) per player and game.

    shared: an empty dict to pass to the call for the other player type of the same pitches: what
    both sides read (the plate appearances, each pitch's skill counts) is derived once and kept in it."""
    from hfm_runtime.seasons import game_line_columns, plate_appearances
    from hfm_runtime.skills import pitch_skill_columns, skill_line_columns, with_skills

    pitches = league if isinstance(league, pd.DataFrame) else league.pitches
    if shared is None:
        shared = {}
    if shared.get("pitches") is not pitches:
        shared.clear()
        shared.update(pitches=pitches, pas=plate_appearances(pitches), skills=pitch_skill_columns(pitches))
    # joined as dicts of columns and framed once: two frames fewer on every cold call
    return with_skills(game_line_columns(shared["pas"], player_type),
                       skill_line_columns(pitches, player_type, shared["skills"]))


@dataclass(frozen=True)
class Identity:
    """Identity inputs for N (player, as-of date) rows, in the order of the as-of table."""

    columns: Mapping[str, np.ndarray]  # profiles.profile_columns: the profile table's columns
    features: np.ndarray  # float32 [N, F] unscaled, layout profiles.feature_names(player_type, config)
    stat_features: np.ndarray  # float32 [N, F] standardised: the model's `stat_features` input
    archetype: np.ndarray  # int64 [N]: the model's `archetype` input

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """build_profiles' table (rates per horizon, sources, fills, age, hand), framed on first use:
        framing its few hundred columns cost as much as computing them when scoring one player."""
        return pd.DataFrame(self.columns)

    @property
    def source(self) -> np.ndarray:
        """[N] "mlb" / "mle" / "blended": where each profile's rates come from."""
        return np.asarray(self.columns["source"])


def build_identity(
    lines: pd.DataFrame,
    players: pd.DataFrame,
    as_of: pd.DataFrame,
    player_type: PlayerType,
    model: IdentityModel,
) -> Identity:
    """Profiles, `stat_features` and archetype ids for every row of `as_of`. THE entry point for the model.

    lines:   game lines of this player type at both levels, e.g. `player_lines(league, player_type)` or
             `seasons.game_lines(seasons.plate_appearances(pitches), player_type)` (with a `level` column).
             Only games strictly before each row's as_of_date are used, so one table serves every date.
    players: players.csv rows (player_id, birth_date, bats, throws).
    as_of:   DataFrame[player_id, as_of_date], one row per profile wanted (many dates per player is fine).
    model:   `IdentityModel.load(run_dir / "identity", player_type)`.

    Example (training a model on context ending before `as_of`):
        model = IdentityModel.load(run / "identity", "batter")
        ident = build_identity(lines, league.players, as_of, "batter", model)
        batch.stat_features, batch.archetype = ident.stat_features, ident.archetype
    """
    # The numpy columns feed the features directly: reading them back from the DataFrame would
    # cost more than building it when scoring one player.
    columns = profile_columns(
        lines, players, as_of, player_type, mle=model.mle, league=model.league_rates,
        prior=model.prior_opportunities, skill_league=model.skill_league, skill_prior=model.skill_prior,
        config=model.config,
    )
    X = feature_matrix(columns, player_type, model.config)
    return Identity(
        columns=columns,
        features=X,
        stat_features=model.scaler.transform(X),
        archetype=model.archetypes.predict_stat_features(X),
    )
