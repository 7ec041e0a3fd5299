"""The player population: latent talents, handedness, ages, aging and drift, arsenals, names."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .model import FASTBALLS, N_TYPES

BATTER_LATENTS: tuple[str, ...] = ("contact", "power", "discipline", "speed")
PITCHER_LATENTS: tuple[str, ...] = ("velocity", "movement", "command")
BATTER, PITCHER = 0, 1
FIRST_ID = 600000

# Aging: yearly change of each latent is rate * (peak - age) / 5, clipped; batters then pitchers.
PEAK = np.array([[28, 28, 31, 25], [26, 28, 30, 28]], dtype=float)
RATE = np.array([[.16, .16, .10, .14], [.14, .10, .12, 0]], dtype=float)
VALUE_WEIGHTS = np.array([[.35, .35, .2, .1], [.35, .35, .3, 0]])
DRIFT_SD = 0.12

FIRST_NAMES = ("Aaron Adrian Alex Andres Ben Blake Brandon Carlos Chris Cody Colin Dallas Daniel David "
               "Diego Dylan Eddie Eli Emmanuel Eric Evan Felix Francisco Gabe Gavin Hector Ian Jack Jake "
               "James Jared Javier Jesse Joe Jordan Jose Juan Julio Justin Kevin Kyle Luis Manny Marcus "
               "Mason Matt Miguel Mike Nate Nick Oscar Pablo Pedro Rafael Ramon Ryan Sam Sean Shane "
               "Spencer Taylor Trevor Tyler Victor Will Yordan Zach").split()
LAST_NAMES = ("Adams Alvarez Baker Bell Brooks Castillo Chavez Clark Collins Cruz Diaz Evans Flores "
              "Garcia Gomez Gonzalez Gray Green Hall Harris Hernandez Hill Jackson Jimenez Johnson Jones "
              "Kelly Kim King Lee Lewis Lopez Martin Martinez Medina Miller Mitchell Moore Morales Moreno "
              "Murphy Nelson Ortiz Parker Perez Phillips Ramirez Reyes Rivera Roberts Rodriguez Rogers "
              "Ruiz Sanchez Santos Scott Smith Soto Stewart Suarez Taylor Thomas Torres Turner Vargas "
              "Walker Ward Watson White Williams Wilson Wright Young").split()


@dataclass
class Population:
    """Every player ever created, as parallel arrays indexed by `player_id - FIRST_ID`."""

    ptype: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    birth: np.ndarray = field(default_factory=lambda: np.zeros(0, "datetime64[D]"))
    stand: np.ndarray = field(default_factory=lambda: np.zeros(0, int))   # 0 R, 1 L, 2 S
    throws: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # 0 R, 1 L
    latent: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))  # this season's talents
    stuff: np.ndarray = field(default_factory=lambda: np.zeros((0, N_TYPES)))
    mix: np.ndarray = field(default_factory=lambda: np.zeros((0, N_TYPES)))
    physics: np.ndarray = field(default_factory=lambda: np.zeros((0, N_TYPES, 4)))  # speed,spin,pfx
    extension: np.ndarray = field(default_factory=lambda: np.zeros(0))
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    names: list[tuple[str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ptype)

    @property
    def ids(self) -> np.ndarray:
        return FIRST_ID + np.arange(len(self))

    def add(self, rng: np.random.Generator, ptype: int, n: int, season: int,
            age_range: tuple[int, int], mean: float, sd: float) -> np.ndarray:
        """Create n players of one type; returns their indices."""
        ages = rng.integers(age_range[0], age_range[1] + 1, n)
        days = rng.integers(0, 365, n)
        birth = (np.datetime64(f"{season - 1}-07-01") - (ages * 365.25).astype(int) - days + 182)
        latent = rng.normal(mean, sd, (n, 4))
        if ptype == BATTER:
            stand = rng.choice(3, n, p=[.56, .33, .11])
            throws = np.where(stand == 1, rng.random(n) < .7, rng.random(n) < .08).astype(int)
            stuff = np.zeros((n, N_TYPES))
            mix = np.zeros((n, N_TYPES))
            physics = np.zeros((n, N_TYPES, 4))
            ext = np.full(n, np.nan)
        else:
            latent[:, 3] = 0.0
            throws = (rng.random(n) < .28).astype(int)
            stand = throws.copy()
            stuff = rng.normal(0, .4, (n, N_TYPES))
            mix = _arsenals(rng, n)
            physics = rng.normal(0, 1, (n, N_TYPES, 4)) * np.array([1.0, 90, .18, .18])
            ext = 6.3 + .2 * latent[:, 0] + rng.normal(0, .3, n)
        start = len(self)
        self.ptype = np.concatenate([self.ptype, np.full(n, ptype)])
        self.birth = np.concatenate([self.birth, birth.astype("datetime64[D]")])
        self.stand = np.concatenate([self.stand, stand])
        self.throws = np.concatenate([self.throws, throws])
        self.latent = np.concatenate([self.latent, latent])
        self.stuff = np.concatenate([self.stuff, stuff])
        self.mix = np.concatenate([self.mix, mix])
        self.physics = np.concatenate([self.physics, physics])
        self.extension = np.concatenate([self.extension, ext])
        self.active = np.concatenate([self.active, np.ones(n, bool)])
        self.names += [(FIRST_NAMES[a], LAST_NAMES[b]) for a, b in
                       zip(rng.integers(0, len(FIRST_NAMES), n), rng.integers(0, len(LAST_NAMES), n))]
        return np.arange(start, start + n)

    def age(self, season: int) -> np.ndarray:
        """Age on July 1 of the season (the usual baseball age convention)."""
        return ((np.datetime64(f"{season}-07-01") - self.birth).astype(int) / 365.25).astype(int)

    def value(self, idx: np.ndarray | None = None) -> np.ndarray:
        """A one-number talent summary, used for roster decisions."""
        idx = np.arange(len(self)) if idx is None else idx
        return np.einsum("ij,ij->i", self.latent[idx], VALUE_WEIGHTS[self.ptype[idx]])

    def age_one_year(self, rng: np.random.Generator, season: int) -> None:
        """Move every active player's talents to the new season: aging curve plus random drift."""
        age = self.age(season).astype(float)[:, None]
        typ = self.ptype
        delta = np.clip(RATE[typ] * (PEAK[typ] - age) / 5, -.35, .3)
        drift = rng.normal(0, DRIFT_SD, self.latent.shape)
        move = (delta + drift) * np.where(typ[:, None] == PITCHER, [1, 1, 1, 0], 1)
        self.latent = np.where(self.active[:, None], self.latent + move, self.latent)


def _arsenals(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pitch mix: a four-seam or sinker primary, maybe a cutter, and 2-3 secondaries."""
    mix = np.zeros((n, N_TYPES))
    for i in range(n):
        primary = 0 if rng.random() < .7 else 1
        mix[i, primary] = rng.uniform(.35, .6)
        if rng.random() < .3:
            mix[i, 1 - primary] = rng.uniform(.05, .2)
        if rng.random() < .3:
            mix[i, 2] = rng.uniform(.05, .25)
        for t in rng.choice([3, 4, 5, 6], size=rng.integers(2, 4), replace=False):
            mix[i, t] = rng.uniform(.08, .3)
    assert (mix @ FASTBALLS > 0).all()
    return mix / mix.sum(1, keepdims=True)
