"""hfm-export: the ONNX export/compare harness (on a small stand-in module) and the export of a tiny run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from hfm_export.onnx_graph import ExportError, GraphSpec, compare_graph, export_graph

SPEC = GraphSpec(
    name="stand-in level 1",
    inputs=("cat", "num", "pitch_mask", "pa_of_pitch", "pa_mask"),
    outputs=("pa_emb",),
    dynamic={
        "cat": {0: "games", 1: "pitches"}, "num": {0: "games", 1: "pitches"},
        "pitch_mask": {0: "games", 1: "pitches"}, "pa_of_pitch": {0: "games", 1: "pitches"},
        "pa_mask": {0: "games", 1: "pas"},
    },
)


class StandIn(nn.Module):
    """Graph 1's shape: a masked transformer over pitches, mean-pooled per PA."""

    def __init__(self, d: int = 16) -> None:
        super().__init__()
        self.emb = nn.Embedding(12, d)
        self.num = nn.Linear(3, d)
        layer = nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, batch_first=True)
        self.enc = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)

    def forward(self, cat, num, pitch_mask, pa_of_pitch, pa_mask):
        h = self.enc(self.emb(cat).sum(2) + self.num(num), src_key_padding_mask=~pitch_mask)
        member = (pa_of_pitch.unsqueeze(-1) == torch.arange(pa_mask.shape[1])) & pitch_mask.unsqueeze(-1)
        member = member.to(h.dtype)
        pooled = torch.einsum("gpa,gpd->gad", member, h) / member.sum(1).clamp(min=1).unsqueeze(-1)
        return pooled * pa_mask.unsqueeze(-1).to(h.dtype)


def games(n_games: int, n_pitches: int, n_pas: int, seed: int = 0) -> tuple[torch.Tensor, ...]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(max(n_pas, 1), n_pitches + 1, (n_games,), generator=g)
    lengths[0] = n_pitches
    pitch_mask = torch.arange(n_pitches)[None, :] < lengths[:, None]
    # spread each game's pitches over its PAs in order, every PA getting at least one pitch
    pa = (torch.arange(n_pitches)[None, :] * n_pas) // lengths[:, None]
    pa_of_pitch = torch.where(pitch_mask, pa.clamp(max=n_pas - 1), 0)
    return (
        torch.randint(1, 12, (n_games, n_pitches, 2), generator=g) * pitch_mask[..., None],
        torch.randn(n_games, n_pitches, 3, generator=g) * pitch_mask[..., None],
        pitch_mask,
        pa_of_pitch,
        torch.ones(n_games, n_pas, dtype=torch.bool),
    )


@pytest.fixture(scope="module")
def stand_in_onnx(tmp_path_factory) -> tuple[nn.Module, Path]:
    torch.manual_seed(0)
    module = StandIn().eval()
    path = export_graph(module, SPEC, games(3, 9, 4), tmp_path_factory.mktemp("onnx") / "g1.onnx")
    return module, path


def test_export_matches_torch_on_varied_shapes(stand_in_onnx):
    module, path = stand_in_onnx
    cases = {
        "1 game": games(1, 30, 8), "50 games": games(50, 40, 12, seed=1),
        "1-PA game": games(1, 4, 1, seed=2), "120-pitch game": games(2, 120, 30, seed=3),
    }
    diffs = compare_graph(module, path, SPEC, cases, tolerance=1e-4)
    assert set(diffs) == set(cases)
    assert max(diffs.values()) < 1e-4


def test_compare_fails_when_onnx_disagrees_with_torch(stand_in_onnx):
    module, path = stand_in_onnx
    other = StandIn().eval()
    other.load_state_dict(module.state_dict())
    with torch.no_grad():
        other.num.bias += 0.01  # the graph on disk no longer matches this module
    with pytest.raises(ExportError, match="differs from PyTorch"):
        compare_graph(other, path, SPEC, {"1 game": games(1, 10, 3)}, tolerance=1e-4)


def test_export_refuses_examples_that_would_freeze_a_dynamic_axis(tmp_path):
    with pytest.raises(ExportError, match="must be >= 2"):
        export_graph(StandIn(), SPEC, games(1, 9, 4), tmp_path / "g.onnx")


# --- the export of a tiny trained run --------------------------------------------------------------
def test_manifest_names_the_training_data(tiny_bundle: Path):
    """The bundle says what it was trained on: a simulated league here, every input group present."""
    data = json.loads((tiny_bundle / "manifest.json").read_text())["training_data"]
    assert data["source"] == "simulated" and data["notice"] is None and data["league"]
    assert data["input_groups"] == ["pitch_tracking", "contact_tracking", "run_value"]
    assert data["seasons"] == sorted(data["seasons"]) and len(data["seasons"]) >= 4


@pytest.mark.slow
def test_bundle_records_checked_graphs_within_tolerance(tiny_bundle: Path):
    import onnx

    manifest = json.loads((tiny_bundle / "manifest.json").read_text())
    export = manifest["export"]
    assert export["opset"] >= 17 and export["tolerance_max_abs"] == 1e-4
    cases = {"1 game", "50 games", "1-PA game", "120-pitch game"}
    assert set(export["max_abs_diff"]["pitch_pa_encoder"]) == cases
    for graph, diffs in export["max_abs_diff"].items():
        assert len(diffs) >= 4 and max(diffs.values()) <= 1e-4, graph
    # dynamic axes survive in the graphs themselves
    g1 = onnx.load(str(tiny_bundle / "pitch_pa_encoder.onnx"))
    dims = {i.name: [d.dim_param for d in i.type.tensor_type.shape.dim] for i in g1.graph.input}
    assert dims["cat"][:2] == ["games", "pitches"] and dims["pa_mask"] == ["games", "pas"]
    g2 = onnx.load(str(tiny_bundle / "batter" / "game_projection_encoder.onnx"))
    dims = {i.name: [d.dim_param for d in i.type.tensor_type.shape.dim] for i in g2.graph.input}
    assert dims["pa_emb"][:3] == ["players", "games", "pas"] and dims["archetype"] == ["players"]


@pytest.mark.slow
def test_failed_export_leaves_the_existing_bundle_untouched(tiny_run: Path, tiny_bundle: Path, tmp_path: Path):
    import shutil

    from hfm_export.export import export_run
    from hfm_runtime.bundle import load_bundle

    out = Path(shutil.copytree(tiny_bundle, tmp_path / "bundle"))
    before = (out / "manifest.json").read_bytes()
    with pytest.raises(ExportError, match="differs from PyTorch"):
        export_run(tiny_run, out, tolerance=-1.0)  # no difference can be below a negative tolerance
    assert (out / "manifest.json").read_bytes() == before
    load_bundle(out)  # still complete and unaltered
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bundle"]  # no temporary folder left behind
    with pytest.raises(ExportError):
        export_run(tiny_run, tmp_path / "fresh", tolerance=-1.0)
    assert not (tmp_path / "fresh").exists()


def test_hfm_export_errors_are_one_line_exit_2(tmp_path: Path, capsys, monkeypatch):
    from hfm_export.cli import main

    monkeypatch.setattr("sys.argv", ["hfm-export", str(tmp_path / "no-run"), "--out", str(tmp_path / "b")])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such run folder" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()



@pytest.mark.slow
def test_reads_context_follows_the_head_and_scoring_follows_it(tiny_run: Path, tiny_bundle: Path,
                                                               tiny_wide_bundle: Path, tiny_league: Path):
    """A bundle says a type reads its context exactly where that type's head on Levels 2-3 is not
    zero; the tiny run's heads as trained, and the same run with them set to zero. Scoring a type that
    does not read its context runs no Graph 1 for it, with the same rates to the bit."""
    from hfm_runtime.bundle import load_bundle
    from hfm_runtime.league import load_league
    from hfm_runtime.scoring import History, Scorer, ScorerOptions
    from hfm_runtime.targets import PLAYER_TYPES

    trained, wide = load_bundle(tiny_bundle), load_bundle(tiny_wide_bundle)
    for pt in PLAYER_TYPES:
        state = torch.load(tiny_run / pt / "model.pt", weights_only=True)
        assert trained.reads_context(pt) == bool(state["head.weight"].any() or state["head.bias"].any()), pt
        assert not wide.reads_context(pt), pt

    league = load_league(tiny_league)
    history, season = History.from_league(league), max(league.seasons)
    for bundle in (trained, wide):
        fast, full = Scorer(bundle), Scorer(bundle, ScorerOptions(full_context=True))
        got, want = fast.score(history, season), full.score(history, season)
        pd.testing.assert_frame_equal(got, want)
        assert (got["flag"] == "model").sum() > 10 and full.stats.games_encoded > 0
        assert (fast.stats.games_encoded > 0) == any(bundle.reads_context(pt) for pt in PLAYER_TYPES)


def test_a_damaged_run_file_is_one_error_naming_it(tiny_run: Path, tmp_path: Path) -> None:
    # a walkthrough exported a run whose batter/model.pt was cut short: torch's traceback, exit 1
    import shutil

    from hfm_export.export import export_run
    from hfm_runtime.errors import HFMInputError

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    model = run / "batter" / "model.pt"
    model.write_bytes(model.read_bytes()[:200])
    with pytest.raises(HFMInputError, match=r"batter/model\.pt: cannot read as a PyTorch file .*fit the run again"):
        export_run(run, tmp_path / "bundle")
    model.unlink()
    with pytest.raises(HFMInputError, match=r"batter/model\.pt: missing"):
        export_run(run, tmp_path / "bundle")
    shutil.copy2(tiny_run / "batter" / "model.pt", model)
    # a walkthrough's: an edited model.json got torch's size-mismatch traceback, a missing archetype file
    # was said after 43 s of export
    meta = json.loads((run / "batter" / "model.json").read_text())
    meta["model_config"]["level3"]["d_model"] *= 2
    (run / "batter" / "model.json").write_text(json.dumps(meta))
    with pytest.raises(HFMInputError, match=r"batter/model\.pt: does not fit its model\.json \(Missing key"):
        export_run(run, tmp_path / "bundle")
    (run / "identity" / "archetypes_pitcher.npz").unlink()
    with pytest.raises(HFMInputError, match=r"identity/archetypes_pitcher\.npz: missing"):
        export_run(run, tmp_path / "bundle")
    assert not (tmp_path / "bundle").exists()
