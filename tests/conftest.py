"""Shared pytest fixtures. Add to this file; never rewrite another engineer's fixture."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_league(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny simulated league folder (league_layout contract), simulated once per test session."""
    from hfm_train.simulate import LeagueConfig, simulate_league

    return simulate_league(LeagueConfig.tiny(), tmp_path_factory.mktemp("league") / "league")


@pytest.fixture(scope="session")
def tiny_run(tiny_league: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny `hfm-train` run folder (RunConfig.tiny) on the tiny league, trained once per session."""
    from hfm_train.fit import RunConfig, fit_run

    config = RunConfig.tiny(name="tiny", league=str(tiny_league))
    return fit_run(config, tmp_path_factory.mktemp("runs"), progress=False, log=lambda *args: None)


@pytest.fixture(scope="session")
def tiny_bundle(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`hfm-export` of the tiny run: a verified bundle folder (read-only for tests: copy before altering)."""
    from hfm_export.export import export_run

    out = tmp_path_factory.mktemp("bundle") / "bundle"
    export_run(tiny_run, out)
    return out


@pytest.fixture(scope="session")
def tiny_wide_bundle(tiny_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny run with both heads on Levels 2-3 set to zero (the wide path alone, as every real-league
    fit and any run whose deep part fails its gate), exported: a bundle whose rates read no context."""
    import shutil

    import torch

    from hfm_export.export import export_run

    run = Path(shutil.copytree(tiny_run, tmp_path_factory.mktemp("wide_run") / "run"))
    for pt in ("batter", "pitcher"):
        state = torch.load(run / pt / "model.pt", weights_only=True)
        state["head.weight"].zero_(), state["head.bias"].zero_()
        torch.save(state, run / pt / "model.pt")
    out = tmp_path_factory.mktemp("wide_bundle") / "bundle"
    export_run(run, out)
    return out


@pytest.fixture(scope="session")
def tiny_torch_projection(tiny_run: Path, tiny_league: Path):
    """The PyTorch model's raw outputs on the tiny run's test season, as training computes them
    (hfm_train.examples, kind "start" = opening day, with the run's PyTorch-encoded PA cache).

    Returns (season, DataFrame indexed by (player_type, player_id) with one column per target stat).
    """
    import json

    import numpy as np
    import pandas as pd

    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, player_lines
    from hfm_runtime.league import load_league
    from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS
    from hfm_train.examples import ExampleConfig, build_examples
    from hfm_train.finetune import predict
    from hfm_train.evaluate import load_model
    from hfm_train.pa_cache import load_pa_cache

    meta = json.loads((tiny_run / "config.json").read_text())
    season = int(meta["seasons"]["test"][0])
    league = load_league(tiny_league)
    games = load_pa_cache(tiny_run / "pa_cache.npz")
    frames = []
    for pt in PLAYER_TYPES:
        identity = IdentityModel.load(tiny_run / IDENTITY_DIR, pt)
        ex = build_examples(pt, [season], player_lines(league, pt), league.players, identity, games,
                            ExampleConfig(**meta["run"]["examples"]), kinds=("start",))
        rates = predict(load_model(tiny_run, pt), ex, games, max_pas=meta["run"]["finetune"]["max_pas"])["rates"]
        frame = pd.DataFrame(rates, columns=list(TARGET_STATS[pt]))
        frame["player_type"], frame["player_id"] = pt, ex.table["player_id"].to_numpy()
        frame["as_of_date"] = ex.table["as_of_date"].to_numpy()
        frames.append(frame)
    return season, pd.concat(frames, ignore_index=True).set_index(["player_type", "player_id"])


@pytest.fixture(scope="session")
def max_diff_from_torch(tiny_torch_projection):
    """A function: scored table (hfm_runtime.scoring.SCORE_COLUMNS) -> max |model_<S> - PyTorch| over
    the players the model scored. Fallback players (flag != "model") must be exactly those with no
    context game; their model_<S> is NaN and they are left out of the comparison."""
    import numpy as np

    from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

    _, ref = tiny_torch_projection

    def max_diff(table) -> float:
        table = table.set_index(["player_type", "player_id"])
        fallback = table["flag"] != "model"
        assert (table.loc[fallback, "n_games"] == 0).all(), "only players without context games fall back"
        worst, compared = 0.0, 0
        for pt in PLAYER_TYPES:
            cols = list(TARGET_STATS[pt])
            scored = table.loc[pt]
            ids = [i for i in ref.loc[pt].index if i in scored.index and scored.loc[i, "flag"] == "model"]
            got = scored.loc[ids, [f"model_{s}" for s in cols]].to_numpy(np.float64)
            want = ref.loc[pt].loc[ids, cols].to_numpy(np.float64)
            assert np.isfinite(got).all() and np.isfinite(want).all()
            worst = max(worst, float(np.abs(got - want).max(initial=0.0)))
            compared += len(ids)
        assert compared >= len(ref) // 2, f"only {compared} of {len(ref)} reference players were model-scored"
        return worst

    return max_diff


# --- real Statcast (tests/data/statcast-real: one real 2020 game as pybaseball wrote it, and the
# matching Chadwick register rows; the real-world shape of the data, never tuned on) -------------
REAL_STATCAST = Path(__file__).parent / "data" / "statcast-real"


@pytest.fixture(scope="session")
def real_statcast_csv() -> Path:
    """The real game's pitches: pybaseball's 2020 column set, leading unnamed index, no delta_run_exp."""
    return REAL_STATCAST / "statcast_2020-09-03_game631614.csv"


@pytest.fixture(scope="session")
def real_register_csv() -> Path:
    """The Chadwick register rows (key_mlbam, names, birth_year/month/day, ...) of that game's players."""
    return REAL_STATCAST / "chadwick_register_game631614.csv"
