"""Archetypes: nearest-centroid assignment of standardised profiles, in numpy.

The centroids are fitted by k-means in training (`hfm_train.archetypes`); here they are only applied.
An archetype is defined by a player's skill mix: the last-3-years rates of every target stat
(`archetype_feature_names`), which fall back to career rates when thin (profiles.py). Short horizons are
left out because they are mostly noise, and age, handedness and source are left out because the model
already sees them directly in `stat_features`: clustering on them would split players by birthday, not
by type.

Files (`save`/`load`): `archetypes_<player_type>.npz` (centroids, scaler mean/scale, training labels;
loaded with allow_pickle=False) and `archetypes_<player_type>.json` (feature names, k, how k was chosen).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import ProfileConfig, feature_names
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS, PlayerType

ARCHETYPE_HORIZON = "3yr"


def archetype_feature_names(player_type: PlayerType) -> list[str]:
    """The `stat_features` columns (profiles.feature_names) that define an archetype."""
    return [f"rate:{ARCHETYPE_HORIZON}:{s}" for s in TARGET_STATS[player_type]]


def archetype_columns(player_type: PlayerType) -> np.ndarray:
    """Indices of `archetype_feature_names` within the full `stat_features` layout."""
    names = feature_names(player_type)
    return np.array([names.index(n) for n in archetype_feature_names(player_type)], dtype=np.int64)


@dataclass
class ArchetypeModel:
    """k centroids in standardised archetype-feature space, plus the standardiser that maps into it."""

    player_type: PlayerType
    feature_names: list[str]
    mean_: np.ndarray
    scale_: np.ndarray
    centroids_: np.ndarray  # [k, d], standardised units
    labels_: np.ndarray | None = None  # training rows' archetypes, for reports
    info: dict[str, Any] = field(default_factory=dict)  # how k was chosen (criterion values)

    def __post_init__(self) -> None:
        if self.player_type not in PLAYER_TYPES:
            raise HFMInputError(f"ArchetypeModel: unknown player_type {self.player_type!r}")
        self.mean_ = np.asarray(self.mean_, dtype=np.float64)
        self.scale_ = np.asarray(self.scale_, dtype=np.float64)
        self.centroids_ = np.asarray(self.centroids_, dtype=np.float64)
        d = len(self.feature_names)
        if self.mean_.shape != (d,) or self.scale_.shape != (d,) or self.centroids_.ndim != 2 or (
            self.centroids_.shape[1] != d
        ):
            raise HFMInputError(
                f"ArchetypeModel ({self.player_type}): shapes disagree: {d} feature names, mean "
                f"{self.mean_.shape}, scale {self.scale_.shape}, centroids {self.centroids_.shape}"
            )

    @property
    def n_archetypes(self) -> int:
        return int(self.centroids_.shape[0])

    def standardise(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names):
            raise HFMInputError(
                f"ArchetypeModel.predict: expected [N, {len(self.feature_names)}] archetype features "
                f"({', '.join(self.feature_names)}), got shape {X.shape}"
            )
        return (X - self.mean_) / self.scale_

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Archetype id (int64 [N]) of raw archetype features X [N, d]: the nearest centroid.

        Computed as scikit-learn's KMeans.predict does (||c||^2 - 2 x.c, first minimum wins on ties),
        so labels match it exactly.
        """
        Z = self.standardise(X)
        c_norm = np.einsum("ij,ij->i", self.centroids_, self.centroids_)
        dist = c_norm[None, :] - 2.0 * (Z @ self.centroids_.T)
        return np.argmin(dist, axis=1).astype(np.int64)

    def predict_stat_features(self, stat_features: np.ndarray) -> np.ndarray:
        """Archetype ids from the full unscaled `stat_features` matrix (profiles.feature_matrix)."""
        X = np.asarray(stat_features)
        need = len(feature_names(self.player_type, ProfileConfig(window_detail=False)))  # every layout's prefix
        if X.ndim != 2 or X.shape[1] < need:
            raise HFMInputError(f"ArchetypeModel: stat_features must be [N, >= {need}] (profiles.feature_names), "
                                f"got {X.shape}")
        return self.predict(X[:, archetype_columns(self.player_type)])

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        arrays = {"centroids": self.centroids_, "mean": self.mean_, "scale": self.scale_}
        if self.labels_ is not None:
            arrays["labels"] = np.asarray(self.labels_, dtype=np.int64)
        np.savez(directory / f"archetypes_{self.player_type}.npz", **arrays)
        meta = {
            "player_type": self.player_type,
            "feature_names": self.feature_names,
            "n_archetypes": self.n_archetypes,
            "info": self.info,
        }
        (directory / f"archetypes_{self.player_type}.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, directory: str | Path, player_type: PlayerType) -> ArchetypeModel:
        directory = Path(directory)
        npz, meta_path = (directory / f"archetypes_{player_type}.{ext}" for ext in ("npz", "json"))
        for p in (npz, meta_path):
            if not p.is_file():
                raise HFMInputError(f"{p}: archetype file missing")
        try:
            meta = json.loads(meta_path.read_text())
            with np.load(npz, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            model = cls(
                player_type=meta["player_type"],
                feature_names=list(meta["feature_names"]),
                mean_=arrays["mean"],
                scale_=arrays["scale"],
                centroids_=arrays["centroids"],
                labels_=arrays.get("labels"),
                info=dict(meta.get("info", {})),
            )
        except (KeyError, ValueError, OSError) as exc:
            raise HFMInputError(f"{npz} / {meta_path}: unreadable archetype files ({exc})") from exc
        if model.player_type != player_type or meta["n_archetypes"] != model.n_archetypes:
            raise HFMInputError(f"{meta_path}: player_type or n_archetypes does not match {npz}")
        return model
