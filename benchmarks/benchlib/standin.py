"""A bundle stand-in with randomly initialised weights at the default model size (opt-in).

`HFM_BENCH_STANDIN=1 pytest benchmarks` uses it when no trained bundle exists: the featurizer and
identity are fitted on the league (as training does), the two networks keep their random
initialisation (default Level1Config / ModelConfig.build sizes) and are exported with the project's
exporter. Latency depends on shapes, not on weight values, so the timings stand; accuracy figures
(int8 quantisation) are only meaningful on the trained bundle and are marked as stand-in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hfm_runtime.featurize import PitchFeaturizer
from hfm_runtime.identity import IdentityModel, player_lines
from hfm_runtime.league import League
from hfm_runtime.profiles import feature_names
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS, PlayerType

GRAPH1_DYNAMIC = {"cat": {0: "games", 1: "pitches"}, "num": {0: "games", 1: "pitches"},
                  "pitch_mask": {0: "games", 1: "pitches"}, "pa_of_pitch": {0: "games", 1: "pitches"},
                  "pa_mask": {0: "games", 1: "pas"}}
GRAPH2_DYNAMIC = {"pa_emb": {0: "players", 1: "games", 2: "pas"}, "pa_mask": {0: "players", 1: "games", 2: "pas"},
                  "pa_outcome": {0: "players", 1: "games", 2: "pas"}, "game_mask": {0: "players", 1: "games"},
                  "game_days": {0: "players", 1: "games"}, "stat_features": {0: "players"},
                  "archetype": {0: "players"}}


@dataclass
class StandInBundle:
    """The attributes of hfm_runtime.bundle.Bundle that the benchmarks read, plus the torch modules."""

    path: Path
    featurizer: dict
    identity: dict[PlayerType, IdentityModel]
    modules: dict[PlayerType, tuple] = field(default_factory=dict)  # (PitchEncoder, GameProjectionModel)

    @property
    def graph1(self) -> Path:
        return self.path / "pitch_pa_encoder.onnx"

    def graph2(self, player_type: PlayerType) -> Path:
        return self.path / player_type / "game_projection_encoder.onnx"


def build_standin(league: League, folder: Path) -> StandInBundle:
    import torch
    from hfm_export.onnx_graph import GraphSpec, export_graph
    from hfm_train.archetypes import fit_identity_type
    from hfm_train.model.hfm import GRAPH2_INPUTS, GRAPH2_OUTPUTS, GameProjectionModel, ModelConfig
    from hfm_train.model.level1 import Level1Config, PitchEncoder

    torch.manual_seed(0)
    seasons = league.seasons[:-1]
    featurizer = PitchFeaturizer().fit(league.pitches[league.pitches["game_date"].dt.year.isin(seasons)])
    identity = {pt: fit_identity_type(player_lines(league, pt), league.players, pt, seasons).model
                for pt in PLAYER_TYPES}

    encoder = PitchEncoder(Level1Config(vocab_sizes=featurizer.vocab_sizes)).eval()
    table = featurizer.transform(league.pitches.head(3000), perspectives=("pitcher",))
    batch = table.collate(range(min(3, len(table))))
    example1 = tuple(torch.from_numpy(a) for a in batch.inputs())
    spec1 = GraphSpec("pitch_pa_encoder", ("cat", "num", "pitch_mask", "pa_of_pitch", "pa_mask"), ("pa_emb",),
                      GRAPH1_DYNAMIC)
    (folder / "batter").mkdir(parents=True, exist_ok=True)
    (folder / "pitcher").mkdir(parents=True, exist_ok=True)
    export_graph(encoder, spec1, example1, folder / "pitch_pa_encoder.onnx")

    out = StandInBundle(folder, featurizer.to_json(), identity)
    for pt in PLAYER_TYPES:
        config = ModelConfig.build(
            d_pa=encoder.config.d_model, n_stat_features=len(feature_names(pt)),
            n_archetypes=identity[pt].archetypes.n_archetypes, n_targets=len(TARGET_STATS[pt]),
        )
        model = GameProjectionModel(config).eval()
        for p in model.head.parameters():  # the zero-initialised head would hide nothing in timing, but
            torch.nn.init.normal_(p, std=0.01)  # makes the engine-agreement check vacuous
        b, t, a, d = 2, 3, 4, encoder.config.d_model
        example2 = (
            torch.randn(b, t, a, d), torch.ones(b, t, a, dtype=torch.bool), torch.randint(1, 9, (b, t, a)),
            torch.ones(b, t, dtype=torch.bool), torch.arange(t, dtype=torch.float32).repeat(b, 1),
            torch.randn(b, len(feature_names(pt))), torch.zeros(b, dtype=torch.int64),
        )
        spec2 = GraphSpec("game_projection_encoder", GRAPH2_INPUTS, GRAPH2_OUTPUTS, GRAPH2_DYNAMIC)
        export_graph(model, spec2, example2, out.graph2(pt))
        out.modules[pt] = (encoder, model)
    return out
