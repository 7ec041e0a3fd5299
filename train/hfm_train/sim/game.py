"""One game, pitch by pitch: lineups, starters and relievers, base-out state, runners and scores.

The per-pitch probabilities come from `model` as cumulative tables, one per batter-pitcher pair and
game (so in-season form enters), and are consumed here with `bisect` on pre-drawn uniforms.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from .model import (
    FOUL, HBP, INPLAY, LA_BIN_BB_TYPE, STRIKE, SUB_CLASS, Batters, Pitchers, batted_ball_bins,
    count_mix, outcome_table, subevent_probs,
)

EVENTS: tuple[str, ...] = (
    "strikeout", "walk", "hit_by_pitch", "single", "double", "triple", "home_run",
    "field_out", "grounded_into_double_play", "force_out", "sac_fly",
)
SO, BB, HBP_EV, B1, B2, B3, HR, OUT, GIDP, FORCE, SF = range(len(EVENTS))
GB, LD, FB, PU = range(4)

# Run expectancy by (outs, bases bitmask 1st=1, 2nd=2, 3rd=4): 2010s MLB RE24.
RE24 = (
    (.481, .859, 1.100, 1.437, 1.350, 1.784, 1.964, 2.292),
    (.254, .509, .664, .884, .950, 1.130, 1.376, 1.541),
    (.098, .224, .319, .429, .353, .478, .580, .752),
)
_CLASS = SUB_CLASS.tolist()
_IN_PLAY = 99  # sentinel while a ball in play is being resolved


def _cum(p: np.ndarray) -> np.ndarray:
    """Cumulative probabilities without the final 1, for bisect_right(cum, u) -> category."""
    return np.cumsum(p, axis=-1)[..., :-1]


@dataclass
class Team:
    code: str
    batters: list[int]   # population indices, best first
    pitchers: list[int]  # rotation first
    rotation_next: int = 0
    last_pitched: dict[int, int] = field(default_factory=dict)  # pitcher -> day


@dataclass
class Side:
    """One team's state inside a game."""

    team: Team
    lineup: list[int]
    next_up: int = 0
    pitcher: int = -1
    pitches: int = 0
    limit: int = 0
    starter: bool = True
    outs_recorded: int = 0
    used: set[int] = field(default_factory=set)


class GameSimulator:
    """Plays games for one season; appends one tuple per pitch to `rows`."""

    def __init__(self, latent: np.ndarray, stand: np.ndarray, throws: np.ndarray, stuff: np.ndarray,
                 mix: np.ndarray, count_values: np.ndarray, rng: np.random.Generator) -> None:
        self.latent, self.stand, self.throws = latent, stand, throws
        self.stuff, self.mix = stuff, mix
        self.cv = count_values.tolist()
        self.rng = rng
        self.rows: list[tuple] = []
        self.form = np.zeros(len(latent))
        self.speed = np.tanh(latent[:, 3] / 1.5)
        self._outcome_cache: dict[int, list] = {}
        self._mix_cache: dict[int, list] = {}
        self.pa = np.zeros(len(latent))         # PA / batters faced this season, all levels
        self.pa_level = np.zeros((2, len(latent)))
        self.form_sum = np.zeros(len(latent))   # sum over PAs of the player's form that game

    # ---- tables -------------------------------------------------------------------------------
    def _tables(self, batters: list[int], pitchers: list[int]):
        b = np.asarray(batters)[:, None]
        p = np.asarray(pitchers)[None, :]
        lat, f = self.latent, self.form
        bat = Batters(lat[b, 0] + f[b], lat[b, 1] + f[b], lat[b, 2], lat[b, 3], self.stand[b])
        pit = Pitchers(lat[p, 0] + f[p], lat[p, 1] + f[p], lat[p, 2] + f[p], self.stuff[p], self.mix[p],
                       self.throws[p])
        sub = _cum(subevent_probs(bat, pit))
        ls, la = batted_ball_bins(bat, pit)
        return sub, _cum(ls), _cum(la)

    def _outcomes(self, i: int) -> list:
        if i not in self._outcome_cache:
            self._outcome_cache[i] = _cum(outcome_table(self.latent[i, 3])).tolist()
        return self._outcome_cache[i]

    def _mix(self, i: int) -> list:
        if i not in self._mix_cache:
            self._mix_cache[i] = _cum(count_mix(self.mix[i])).tolist()
        return self._mix_cache[i]

    # ---- pitchers -----------------------------------------------------------------------------
    def _bring_in(self, side: Side, day: int, starter: bool) -> None:
        team = side.team
        if starter:
            rot = team.pitchers[:5]
            pid = rot[team.rotation_next % len(rot)]
            team.rotation_next += 1
            side.limit = int(self.rng.normal(94, 11))
        else:
            pen = [p for p in team.pitchers[5:] if p not in side.used] or [side.pitcher]
            w = np.array([.25 if team.last_pitched.get(p, -9) >= day - 1 else 1.0 for p in pen])
            pid = pen[self.rng.choice(len(pen), p=w / w.sum())]
            side.limit = int(self.rng.normal(24, 7))
        side.pitcher, side.pitches, side.starter, side.outs_recorded = pid, 0, starter, 0
        side.used.add(pid)
        team.last_pitched[pid] = day

    # ---- a game -------------------------------------------------------------------------------
    def play(self, game_pk: int, day: int, level: int, home: Team, away: Team,
             home_idx: int, away_idx: int) -> None:
        rng = self.rng
        u = iter(rng.random(20000).tolist()).__next__
        sides = [Side(away, self._lineup(away)), Side(home, self._lineup(home))]  # 0 bats top
        tables = [self._tables(sides[0].lineup, home.pitchers),   # away batters vs home staff
                  self._tables(sides[1].lineup, away.pitchers)]
        staff_pos = [{p: j for j, p in enumerate(home.pitchers)}, {p: j for j, p in enumerate(away.pitchers)}]
        # sides[k] bats with its lineup and fields its own pitcher; batting side k faces side 1-k's.
        self._bring_in(sides[0], day, True)
        self._bring_in(sides[1], day, True)
        score = [0, 0]
        pair_cache: dict[tuple[int, int, int], list] = {}
        bb_cache: dict[tuple[int, int, int], tuple] = {}
        rows = self.rows
        ab_number = 0
        inning = 1
        while True:
            for top in (1, 0):
                bat_k = 0 if top else 1
                fld = sides[1 - bat_k]
                batting = sides[bat_k]
                if inning >= 9 and not top and score[1] > score[0]:
                    return  # home team already ahead: no bottom half
                outs = 0
                bases = [-1, -1, -1]
                if inning > 9:  # extra innings start with a runner on second
                    bases[1] = batting.lineup[(batting.next_up - 1) % 9]
                if not fld.starter and fld.outs_recorded >= 3 and u() < .85:
                    self._bring_in(fld, day, False)
                elif fld.starter and inning >= 7 and fld.pitches > fld.limit - 15:
                    self._bring_in(fld, day, False)
                while outs < 3:
                    if fld.pitches >= fld.limit:
                        self._bring_in(fld, day, False)
                    bi = batting.next_up % 9
                    batting.next_up += 1
                    batter = batting.lineup[bi]
                    pitcher = fld.pitcher
                    key = (bat_k, bi, pitcher)
                    if key not in pair_cache:
                        pair_cache[key] = tables[bat_k][0][bi, staff_pos[bat_k][pitcher]].tolist()
                    ev = pair_cache[key]
                    mix = self._mix(pitcher)
                    side_b = self.stand[batter]
                    stand = (1 - self.throws[pitcher]) if side_b == 2 else side_b
                    ab_number += 1
                    self.pa[batter] += 1
                    self.pa[pitcher] += 1
                    self.pa_level[level, batter] += 1
                    self.pa_level[level, pitcher] += 1
                    self.form_sum[batter] += self.form[batter]
                    self.form_sum[pitcher] += self.form[pitcher]
                    state0 = RE24[outs][(bases[0] >= 0) + 2 * (bases[1] >= 0) + 4 * (bases[2] >= 0)]
                    balls = strikes = 0
                    pitch_number = 0
                    while True:
                        c = 3 * balls + strikes
                        t = bisect_right(mix[c], u())
                        k = bisect_right(ev[c][t], u())
                        pitch_number += 1
                        fld.pitches += 1
                        cls = _CLASS[k]
                        base = (game_pk, day, pitcher, batter, t, k, balls, strikes, outs, inning, top,
                                bases[0], bases[1], bases[2], stand, self.throws[pitcher])
                        tail = (ab_number, pitch_number, score[bat_k], score[1 - bat_k], home_idx, away_idx,
                                level)
                        event = -1
                        if cls == FOUL:
                            if strikes < 2:
                                strikes += 1
                        elif cls == STRIKE:
                            if strikes == 2:
                                event = SO
                            else:
                                strikes += 1
                        elif cls == HBP:
                            event = HBP_EV
                        elif cls == INPLAY:
                            event = _IN_PLAY
                        else:
                            if balls == 3:
                                event = BB
                            else:
                                balls += 1
                        if event < 0:
                            dre = self.cv[3 * balls + strikes] - self.cv[c]
                            rows.append(base + (-1, -1, -1, dre) + tail)
                            continue
                        # the PA ends on this pitch
                        lsb = lab = -1
                        if event == _IN_PLAY:
                            if key not in bb_cache:  # batted-ball tables only when needed
                                _, ls, la = tables[bat_k]
                                pj = staff_pos[bat_k][pitcher]
                                bb_cache[key] = (ls[bi, pj].tolist(), la[bi, pj].tolist())
                            ls_c, la_c = bb_cache[key]
                            lsb = bisect_right(ls_c[t], u())
                            lab = bisect_right(la_c[t], u())
                            hit = bisect_right(self._outcomes(batter)[lsb][lab], u())
                            event, runs, outs, bases = self._resolve_bip(
                                hit, LA_BIN_BB_TYPE[lab], batter, outs, bases, u)
                        else:
                            event, runs, outs, bases = self._resolve_other(event, batter, outs, bases)
                        score[bat_k] += runs
                        state1 = 0.0 if outs >= 3 else RE24[outs][(bases[0] >= 0) + 2 * (bases[1] >= 0)
                                                               + 4 * (bases[2] >= 0)]
                        dre = state1 + runs - state0 - self.cv[c]
                        rows.append(base + (event, lsb, lab, dre) + tail)
                        break
                    if inning >= 9 and not top and score[1] > score[0]:
                        return  # walk-off
                fld.outs_recorded += 3
            if inning >= 9 and score[0] != score[1]:
                return
            if inning >= 20:
                return  # called for length (rare)
            inning += 1

    def _lineup(self, team: Team) -> list[int]:
        """Nine regulars, some resting for bench players; batting order by on-base skill, with noise."""
        regulars, bench = team.batters[:9], list(team.batters[9:])
        rest = self.rng.random(9) < .08
        lineup = []
        for i, b in enumerate(regulars):
            lineup.append(bench.pop(self.rng.integers(len(bench))) if rest[i] and bench else b)
        lat = self.latent[lineup]
        order = np.argsort(-(lat[:, 0] + lat[:, 2] + .5 * lat[:, 1] + self.rng.normal(0, .6, 9)))
        return [lineup[i] for i in order]

    # ---- base running -------------------------------------------------------------------------
    @staticmethod
    def _resolve_other(event: int, batter: int, outs: int, bases: list[int]):
        if event == SO:
            return SO, 0, outs + 1, bases
        # walk or hit by pitch: forced runners move up
        b1, b2, b3 = bases
        runs = 0
        if b1 >= 0:
            if b2 >= 0:
                if b3 >= 0:
                    runs = 1
                b3 = b2
            b2 = b1
        return event, runs, outs, [batter, b2, b3]

    def _resolve_bip(self, hit: int, bb: int, batter: int, outs: int, bases: list[int], u):
        b1, b2, b3 = bases
        sp = self.speed
        if hit == 4:  # home run
            return HR, 1 + (b1 >= 0) + (b2 >= 0) + (b3 >= 0), outs, [-1, -1, -1]
        if hit == 3:
            return B3, (b1 >= 0) + (b2 >= 0) + (b3 >= 0), outs, [-1, -1, batter]
        if hit == 2:
            runs = (b2 >= 0) + (b3 >= 0)
            new3 = -1
            if b1 >= 0:
                if u() < .42 + .1 * sp[b1]:
                    runs += 1
                else:
                    new3 = b1
            return B2, runs, outs, [-1, batter, new3]
        if hit == 1:
            runs = int(b3 >= 0)
            new2 = new3 = -1
            if b2 >= 0:
                if u() < .6 + .1 * sp[b2]:
                    runs += 1
                else:
                    new3 = b2
            if b1 >= 0:
                if new3 < 0 and u() < .28 + .1 * sp[b1]:
                    new3 = b1
                else:
                    new2 = b1
            return B1, runs, outs, [batter, new2, new3]
        # an out
        if outs < 2 and bb == GB and b1 >= 0:
            r = u()
            if r < .5 - .12 * sp[batter]:
                outs += 2
                if outs >= 3:
                    return GIDP, 0, outs, [-1, -1, -1]
                runs = int(b3 >= 0)
                return GIDP, runs, outs, [-1, -1, b2]
            if r < .8:  # runner forced at second, batter safe; forced runners move up
                runs = int(b3 >= 0 and b2 >= 0)
                return FORCE, runs, outs + 1, [batter, -1, b2 if b2 >= 0 else b3]
        if outs < 2 and bb == FB and b3 >= 0 and u() < .7 + .1 * sp[b3]:
            return SF, 1, outs + 1, [b1, b2, -1]
        if outs < 2 and bb == GB:
            # runners on second and third may move up on a ground out
            runs = 0
            n2, n3 = b2, b3
            if b3 >= 0 and b2 < 0 and u() < .5:
                runs, n3 = 1, -1
            if b2 >= 0 and n3 < 0 and u() < .6:
                n2, n3 = -1, b2
            return OUT, runs, outs + 1, [b1, n2, n3]
        return OUT, 0, outs + 1, bases
