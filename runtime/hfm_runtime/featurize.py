"""The one featurizer: Statcast rows -> model inputs. Training imports it; the runtime serves with it.

CONTRACT (shared by hfm_train, hfm_export and the runtime; change it only in this file):

Level 1 input, `GameBatch` — G games, each the pitches of one game_pk seen from one player's side
(a batter's pitches seen, or a pitcher's pitches thrown), padded to P pitches and A plate appearances:
  cat         int64   [G, P, len(PITCH_CATEGORICALS)]  vocabulary ids, 0 = padding
  num         float32 [G, P, len(PITCH_NUMERICS)]      standardised, missing -> 0.0
  pitch_mask  bool    [G, P]                           True for a real pitch
  pa_of_pitch int64   [G, P]                           PA index within the game (0..A-1), 0 on padding
  pa_mask     bool    [G, A]                           True for a real PA
Level 1 output: pa_emb float32 [G, A, D] (pooled pitch states per PA).

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

# How a plate appearance ended, for Level 2's learnable per-outcome attention bias.
PA_OUTCOMES: tuple[str, ...] = ("<PAD>", "SO", "BB", "HBP", "1B", "2B", "3B", "HR", "OUT", "OTHER")
