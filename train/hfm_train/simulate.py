"""`hfm-train simulate`: write the embedded simulated league (see hfm_train.sim)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from hfm_runtime.errors import HFMInputError
from hfm_train.sim.config import LeagueConfig
from hfm_train.sim.league import simulate_league

__all__ = ["LeagueConfig", "simulate_league", "simulate_command"]


@click.command("simulate")
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/league"), show_default=True,
              help="League folder to write (replaced atomically).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the default league's).")
@click.option("--scale", type=float, default=None,
              help="League size: 1.0 = 30 MLB teams x 162 games (default: the demo league).")
@click.option("--seasons", type=int, default=None, help="Number of seasons.")
def simulate_command(out: Path, seed: int | None, scale: float | None, seasons: int | None) -> None:
    """Simulate a major and a minor league, pitch by pitch, with every player's true talent."""
    for flag, value, ok in (("--scale", scale, scale is None or 0 < scale <= 10), ("--seasons", seasons,
                            seasons is None or seasons >= 1), ("--seed", seed, seed is None or seed >= 0)):
        if not ok:
            raise HFMInputError(f"{flag} {value}: expected " + {"--scale": "a size in (0, 10] (1.0: 30 MLB teams)",
                                "--seasons": "at least 1", "--seed": "a whole number >= 0"}[flag])
    config = LeagueConfig.default() if scale is None else LeagueConfig.scaled(scale)
    overrides = {k: v for k, v in (("seed", seed), ("n_seasons", seasons)) if v is not None}
    if overrides:
        config = LeagueConfig(**{**config.to_json(), **overrides})
    start = time.perf_counter()
    simulate_league(config, out, log=lambda line: click.echo(line, err=True))
    elapsed = time.perf_counter() - start
    summary = json.loads((out / "league.json").read_text())["summary"]
    pitches = sum(summary["pitches"].values())
    games = sum(summary["games"].values())
    click.echo(f"simulated {config.n_seasons} seasons ({config.first_season}-{config.seasons[-1]}), "
               f"{games} games ({summary['games']['MLB']} MLB, {summary['games']['AAA']} AAA), "
               f"{pitches} pitches ({summary['pitches']['MLB']} MLB) in {elapsed:.1f} s: "
               f"{pitches / elapsed:,.0f} pitches/s -> {out}")
