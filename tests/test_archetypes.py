"""Archetypes: numpy nearest centroid == sklearn KMeans.predict, files, k selection, R²."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

from hfm_runtime.archetypes import ArchetypeModel, archetype_columns, archetype_feature_names
from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import ProfileConfig, feature_names
from hfm_train.archetypes import ArchetypeConfig, fit_archetypes, talent_r2


def model_from(scaler: StandardScaler, km: KMeans, player_type="pitcher") -> ArchetypeModel:
    return ArchetypeModel(player_type, archetype_feature_names(player_type), scaler.mean_, scaler.scale_,
                          km.cluster_centers_, km.labels_)


def test_predict_matches_sklearn_on_random_inputs():
    rng = np.random.default_rng(0)
    X = rng.normal([0.2, 0.08, 0.03, 0.23], [0.05, 0.02, 0.01, 0.03], size=(2000, 4))
    scaler = StandardScaler().fit(X)
    km = KMeans(n_clusters=20, n_init=2, random_state=0).fit(scaler.transform(X))
    model = model_from(scaler, km)
    new = rng.normal([0.2, 0.08, 0.03, 0.23], [0.1, 0.04, 0.02, 0.06], size=(5000, 4))
    np.testing.assert_array_equal(model.predict(new), km.predict(scaler.transform(new)))
    np.testing.assert_array_equal(model.predict(X), km.labels_)


def test_predict_matches_sklearn_on_ties():
    # Exactly representable points equidistant from several centroids (and a duplicated centroid):
    # both must pick the lowest index.
    centers = np.array([[0.0, 0.0, 0, 0], [2, 0, 0, 0], [0, 2, 0, 0], [2, 0, 0, 0], [2, 2, 0, 0]])
    km = KMeans(n_clusters=len(centers))
    km.cluster_centers_, km._n_threads, km.n_features_in_ = centers, 1, 4
    grid = np.array([[a, b, c, 0.0] for a in (0, 0.5, 1, 1.5, 2, 3) for b in (0, 1, 2, -1) for c in (0, 1)])
    model = ArchetypeModel("pitcher", archetype_feature_names("pitcher"), np.zeros(4), np.ones(4), centers)
    expected = km.predict(grid)
    np.testing.assert_array_equal(model.predict(grid), expected)
    assert model.predict(np.array([[1.0, 0, 0, 0]]))[0] == 0  # between 0 and 1: the first
    assert model.predict(np.array([[2.0, 0, 0, 0]]))[0] == 1  # on the duplicated centroid: the first


def test_save_load_round_trip_without_pickle(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 6))
    scaler = StandardScaler().fit(X)
    km = KMeans(n_clusters=5, n_init=1, random_state=0).fit(scaler.transform(X))
    model = model_from(scaler, km, "batter")
    model.info = {"k": 5}
    model.save(tmp_path)
    with np.load(tmp_path / "archetypes_batter.npz", allow_pickle=False) as data:
        assert set(data.files) == {"centroids", "mean", "scale", "labels"}
    back = ArchetypeModel.load(tmp_path, "batter")
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    assert back.info == {"k": 5} and back.n_archetypes == 5
    with pytest.raises(HFMInputError, match="missing"):
        ArchetypeModel.load(tmp_path, "pitcher")
    with pytest.raises(HFMInputError, match="expected"):
        back.predict(X[:, :3])


def test_stat_features_columns_pick_the_archetype_features():
    names = feature_names("batter")
    cols = archetype_columns("batter")
    assert [names[i] for i in cols] == archetype_feature_names("batter")
    assert all(n.startswith("rate:3yr:") for n in archetype_feature_names("batter"))


def test_fit_archetypes_chooses_k_by_silhouette_and_records_all_values():
    rng = np.random.default_rng(2)
    centers = rng.normal(scale=10, size=(4, 4))
    X = np.concatenate([c + rng.normal(size=(100, 4)) for c in centers])
    model = fit_archetypes(X, "pitcher", ArchetypeConfig(k_range=(3, 4, 5, 6), n_init=2))
    assert model.info["k"] == 4 == model.n_archetypes
    assert set(model.info["silhouette"]) == {"3", "4", "5", "6"}
    assert model.info["silhouette"]["4"] == max(model.info["silhouette"].values())
    assert len(model.info["calinski_harabasz"]) == 4
    # Each blob is one archetype.
    labels = model.predict(X)
    assert all(len(set(labels[i * 100:(i + 1) * 100])) == 1 for i in range(4))
    with pytest.raises(HFMInputError, match="too few"):
        fit_archetypes(X[:10], "pitcher", ArchetypeConfig(k_range=(15,)))


def test_talent_r2_is_between_group_share_of_variance():
    labels = np.array([0, 0, 1, 1])
    talent = pd.DataFrame({"SO": [1.0, 1.0, 3.0, 3.0], "BB": [1.0, 3.0, 1.0, 3.0]})
    r2 = talent_r2(labels, talent, ["SO", "BB"])
    assert r2["SO"] == pytest.approx(1.0) and r2["BB"] == pytest.approx(0.0)


def test_fit_identity_on_tiny_league_and_build_identity(tiny_league, tmp_path):
    from click.testing import CliRunner

    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, build_identity, player_lines
    from hfm_runtime.league import load_league
    from hfm_train.archetypes import archetypes_command, fit_identity, season_end_as_of

    league = load_league(tiny_league)
    lines = {pt: player_lines(league, pt) for pt in ("batter", "pitcher")}
    train = league.seasons[:-1]
    fitted = fit_identity(lines, league.players, train, tmp_path, ArchetypeConfig(n_init=1))
    for pt, f in fitted.items():
        model = IdentityModel.load(tmp_path / IDENTITY_DIR, pt)
        assert 15 <= model.archetypes.n_archetypes <= 25
        as_of = season_end_as_of(lines[pt], league.seasons)
        ident = build_identity(lines[pt], league.players, as_of[["player_id", "as_of_date"]], pt, model)
        n = len(as_of)
        assert ident.stat_features.shape == (n, len(feature_names(pt))) and ident.stat_features.dtype == np.float32
        assert np.isfinite(ident.stat_features).all() and ident.archetype.dtype == np.int64
        assert set(ident.profiles.source) >= {"mlb", "mle"}
        # Training rows: the saved model reproduces the fit (numpy predict == sklearn labels).
        in_train = as_of["season"].isin(train).to_numpy()
        fit_rows = ident.profiles[in_train]["career_from"].ne("league").to_numpy()
        np.testing.assert_array_equal(ident.archetype[in_train][fit_rows], model.archetypes.labels_)
    # the speed, putaway, older-season, late and platoon switches travel with the identity (a file without them
    # reads as off)
    fit_identity(lines, league.players, train, tmp_path / "speed", ArchetypeConfig(n_init=1),
                 ProfileConfig(speed_rates=True, putaway_rate=True, old_seasons=True, late_rates=True, platoon=True,
                               wide_platoon=True))
    fast = IdentityModel.load(tmp_path / "speed" / IDENTITY_DIR, "batter")
    assert fast.config.old_seasons and "log_old_opp" in fast.scaler.feature_names
    assert fast.config.speed_rates and not model.config.speed_rates
    assert fast.config.putaway_rate and not model.config.putaway_rate
    assert fast.config.late_rates and not model.config.late_rates
    assert fast.config.platoon and not model.config.platoon  # read by the run's ridge
    assert fast.config.wide_platoon and "marcel_skill:platoon_share" in fast.scaler.feature_names  # ... and the profile
    assert 0.3 < fast.skill_league["platoon_share"] < 0.8 and fast.skill_prior["platoon_share"] > 0
    assert "if_hit_rate" not in fast.skill_league  # the simulator records no fielder: never measured
    assert 0.2 < fast.skill_league["putaway_rate"] < 0.7  # strikeouts per two-strike PA, fitted with a prior
    assert fast.skill_prior["putaway_rate"] > 0
    batters = season_end_as_of(lines["batter"], league.seasons)[["player_id", "as_of_date"]].head(5)
    assert build_identity(lines["batter"], league.players, batters, "batter",
                          fast).stat_features.shape[1] == len(feature_names("batter", fast.config))

    result = CliRunner().invoke(archetypes_command, ["--league", str(tiny_league), "--out",
                                                     str(tmp_path / "cli"), "--report", "--plot",
                                                     str(tmp_path / "a.png")])
    assert result.exit_code == 0, result.output
    assert "R² on archetype" in result.output and "call-ups" in result.output
    assert (tmp_path / "a.png").stat().st_size > 1000
