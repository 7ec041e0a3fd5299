"""The per-pitch outcome model: one set of formulas drives both the simulation and the exact oracle.

A pitch at count (balls, strikes) of type t resolves into one of 11 sub-events (zone x decision x
result) whose probabilities depend on the batter's latents (contact, power, discipline, speed), the
pitcher's (velocity, movement, command, per-pitch-type stuff), the platoon matchup and the count.
A ball in play draws a launch-speed bin and a launch-angle bin from discretised normals; the hit
outcome depends only on those bins and the batter's speed. Because everything is a finite mixture,
a dynamic program over the 12 count states gives each matchup's PA-outcome probabilities exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

PITCH_TYPES: tuple[str, ...] = ("FF", "SI", "FC", "SL", "CU", "CH", "FS")
FASTBALLS = np.array([1, 1, 1, 0, 0, 0, 0], dtype=float)
N_TYPES = len(PITCH_TYPES)
N_COUNTS = 12  # count index c = 3 * balls + strikes


def count_index(balls: int, strikes: int) -> int:
    return 3 * balls + strikes


_B = np.repeat(np.arange(4), 3).astype(float)  # balls of each count index
_S = np.tile(np.arange(3), 4).astype(float)    # strikes of each count index

# Sub-events of one pitch, and the class each belongs to for the count dynamics.
SUBEVENTS: tuple[str, ...] = (
    "hbp", "ball_o", "cstrike_o", "ball_z", "cstrike_z", "whiff_z", "whiff_o",
    "foul_z", "foul_o", "inplay_z", "inplay_o",
)
HBP, BALL, STRIKE, FOUL, INPLAY = range(5)
SUB_CLASS = np.array([HBP, BALL, STRIKE, BALL, STRIKE, STRIKE, STRIKE, FOUL, FOUL, INPLAY, INPLAY])
SUB_IN_ZONE = np.array([0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0], dtype=bool)
SUB_SWING = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1], dtype=bool)
N_SUB = len(SUBEVENTS)

# PA outcomes of a ball in play.
BIP_OUTCOMES: tuple[str, ...] = ("out", "1B", "2B", "3B", "HR")
N_BIP = len(BIP_OUTCOMES)

# Batted-ball bins: launch speed (mph) and launch angle (deg); bb_type thresholds are bin edges.
LS_EDGES = np.arange(46.0, 119.0, 6.0)   # 13 inner edges -> 14 bins
LA_EDGES = np.arange(-60.0, 86.0, 5.0)   # 30 inner edges -> 31 bins
LS_LO, LS_HI, LA_LO, LA_HI = 25.0, 122.0, -89.0, 89.0  # outer limits of the tail bins
LS_BOUNDS = np.concatenate([[LS_LO], LS_EDGES, [LS_HI]])
LA_BOUNDS = np.concatenate([[LA_LO], LA_EDGES, [LA_HI]])
LS_CENTERS = (LS_BOUNDS[:-1] + LS_BOUNDS[1:]) / 2
LA_CENTERS = (LA_BOUNDS[:-1] + LA_BOUNDS[1:]) / 2
N_LS, N_LA = len(LS_CENTERS), len(LA_CENTERS)
BB_TYPES: tuple[str, ...] = ("ground_ball", "line_drive", "fly_ball", "popup")


def bb_type_index(launch_angle: np.ndarray) -> np.ndarray:
    return np.digitize(launch_angle, [10.0, 25.0, 50.0])


LA_BIN_BB_TYPE = bb_type_index(LA_CENTERS)


def _logit(p: np.ndarray | list[float]) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1 - p))


@dataclass(frozen=True)
class PitchParams:
    """Baseline (average-vs-average) probabilities by count, and how talents shift them (logit scale)."""

    # by count index 0-0,0-1,0-2,1-0,1-1,1-2,2-0,2-1,2-2,3-0,3-1,3-2
    zone: tuple[float, ...] = (.50, .45, .34, .53, .48, .38, .57, .52, .43, .64, .58, .51)
    z_swing: tuple[float, ...] = (.52, .72, .86, .66, .75, .88, .68, .78, .89, .15, .74, .90)
    o_swing: tuple[float, ...] = (.21, .31, .40, .24, .33, .43, .22, .34, .45, .04, .30, .47)
    z_contact: float = .87
    o_contact: float = .60
    z_foul: tuple[float, float] = (.49, .56)   # share of in-zone contact that is foul: <2 strikes, 2 strikes
    o_foul: tuple[float, float] = (.60, .66)
    frame_strike: float = .07  # out-of-zone take called a strike
    miss_ball: float = .12     # in-zone take called a ball
    hbp: float = .0075         # per out-of-zone take
    # pitch-type offsets
    type_zone: tuple[float, ...] = (.25, .30, .10, -.25, -.30, -.35, -.45)
    type_contact: tuple[float, ...] = (.30, .55, .30, -.35, -.25, -.25, -.40)
    type_velo: tuple[float, ...] = (.35, .22, .25, .10, .05, .10, .10)
    type_move: tuple[float, ...] = (.12, .15, .20, .35, .35, .30, .35)
    type_ls: tuple[float, ...] = (.5, -.5, -1.0, -1.5, -2.0, -1.5, -2.0)
    type_la: tuple[float, ...] = (4.0, -6.0, 0.0, -1.0, -3.0, -4.0, -6.0)
    fastball_count_slope: float = .45  # log-odds of a fastball per ball ahead in the count
    # talent effects (per SD of latent)
    command_zone: float = .25
    command_hbp: float = -.3
    discipline_z_swing: float = .15
    discipline_o_swing: float = -.45
    deception_o_swing: float = .12
    contact_contact: float = .45
    platoon_contact: float = .12  # same-hand matchup (pitcher's advantage), per half-unit
    # batted balls
    ls_mean: float = 88.5
    ls_sd: float = 13.5
    ls_power: float = 3.4
    ls_contact: float = .8
    ls_velo: float = -.8
    ls_move: float = -1.0
    ls_platoon: float = -.8
    ls_out_of_zone: float = 0.0
    la_mean: float = 14.0
    la_sd: float = 26.0
    la_power: float = 3.0
    la_sd_contact: float = -1.5
    la_move: float = -1.5


PARAMS = PitchParams()


@dataclass
class Batters:
    """Batter talents as arrays (any broadcastable shape); speed enters only on balls in play."""

    contact: np.ndarray
    power: np.ndarray
    discipline: np.ndarray
    speed: np.ndarray
    stand: np.ndarray  # 0 right, 1 left, 2 switch


@dataclass
class Pitchers:
    velocity: np.ndarray
    movement: np.ndarray
    command: np.ndarray
    stuff: np.ndarray  # (..., T) per-pitch-type movement quality, added to movement
    mix: np.ndarray    # (..., T) arsenal weights summing to 1 (0 for pitches he does not throw)
    throws: np.ndarray  # 0 right, 1 left


def batting_side(stand: np.ndarray, throws: np.ndarray) -> np.ndarray:
    """0 right, 1 left: switch hitters bat opposite the pitcher's hand."""
    return np.where(stand == 2, 1 - throws, stand)


def count_mix(mix: np.ndarray, p: PitchParams = PARAMS) -> np.ndarray:
    """(..., T) arsenal -> (..., 12, T) pitch-type probabilities by count (more fastballs when behind)."""
    ahead = (_B - _S)[:, None] * p.fastball_count_slope * FASTBALLS  # (12, T)
    w = mix[..., None, :] * np.exp(ahead)
    return w / w.sum(-1, keepdims=True)


def _pair_terms(bat: Batters, pit: Pitchers, p: PitchParams):
    """Broadcast batter (nb, 1) against pitcher (1, np) arrays; returns per-pair pieces with a T axis."""
    same = (batting_side(bat.stand, pit.throws) == pit.throws).astype(float)
    plat = same - 0.5  # +0.5 pitcher's advantage, -0.5 batter's
    move_t = pit.movement[..., None] + pit.stuff  # (.., T)
    return plat, move_t


def _components(bat: Batters, pit: Pitchers, p: PitchParams):
    """zone, swing, contact, foul and HBP probabilities, each broadcastable to (..., 12, T)."""
    plat, move_t = _pair_terms(bat, pit, p)
    tz, tc = np.asarray(p.type_zone), np.asarray(p.type_contact)
    tv, tm = np.asarray(p.type_velo), np.asarray(p.type_move)
    e = lambda x: np.asarray(x, dtype=float)[..., None, None]  # noqa: E731  (..,) -> (.., 1, 1)
    et = lambda x: np.asarray(x)[..., None, :]                # noqa: E731  (.., T) -> (.., 1, T)
    cnt = lambda x: np.asarray(x, dtype=float)[:, None]       # noqa: E731  (12,) -> (12, 1)

    zone = expit(_logit(cnt(p.zone)) + tz + p.command_zone * e(pit.command))
    zsw = expit(_logit(cnt(p.z_swing)) + p.discipline_z_swing * e(bat.discipline))
    osw = expit(_logit(cnt(p.o_swing)) + p.discipline_o_swing * e(bat.discipline)
                + p.deception_o_swing * et(move_t))
    contact_shift = (tc + p.contact_contact * e(bat.contact) - tv * e(pit.velocity) - tm * et(move_t)
                     - 2 * p.platoon_contact * e(plat))
    zcon = expit(_logit(p.z_contact) + contact_shift)
    ocon = expit(_logit(p.o_contact) + contact_shift)
    two = cnt(_S == 2)
    zfoul = np.where(two, p.z_foul[1], p.z_foul[0])
    ofoul = np.where(two, p.o_foul[1], p.o_foul[0])
    hbp_rate = p.hbp * np.exp(p.command_hbp * e(pit.command))
    return zone, zsw, osw, zcon, ocon, zfoul, ofoul, hbp_rate


def _stack(parts: list[np.ndarray]) -> np.ndarray:
    shape = np.broadcast_shapes(*(x.shape for x in parts))
    return np.stack([np.broadcast_to(x, shape) for x in parts], axis=-1)


def subevent_probs(bat: Batters, pit: Pitchers, p: PitchParams = PARAMS) -> np.ndarray:
    """Probabilities of the 11 sub-events, shape broadcast(bat, pit) + (12, T, 11)."""
    zone, zsw, osw, zcon, ocon, zfoul, ofoul, hbp_rate = _components(bat, pit, p)
    out_take = (1 - zone) * (1 - osw)
    in_take = zone * (1 - zsw)
    zc, oc = zone * zsw * zcon, (1 - zone) * osw * ocon
    return _stack([
        out_take * hbp_rate,
        out_take * (1 - hbp_rate) * (1 - p.frame_strike),
        out_take * (1 - hbp_rate) * p.frame_strike,
        in_take * p.miss_ball,
        in_take * (1 - p.miss_ball),
        zone * zsw * (1 - zcon),
        (1 - zone) * osw * (1 - ocon),
        zc * zfoul,
        oc * ofoul,
        zc * (1 - zfoul),
        oc * (1 - ofoul),
    ])


def class_probs(bat: Batters, pit: Pitchers, p: PitchParams = PARAMS) -> np.ndarray:
    """The sub-events summed into the classes HBP, BALL, STRIKE, FOUL, INPLAY: (..., 12, T, 5)."""
    zone, zsw, osw, zcon, ocon, zfoul, ofoul, hbp_rate = _components(bat, pit, p)
    out_take = (1 - zone) * (1 - osw)
    in_take = zone * (1 - zsw)
    zc, oc = zone * zsw * zcon, (1 - zone) * osw * ocon
    hbp = out_take * hbp_rate
    return _stack([
        hbp,
        out_take - hbp - (out_take - hbp) * p.frame_strike + in_take * p.miss_ball,
        (out_take - hbp) * p.frame_strike + in_take * (1 - p.miss_ball) + zone * zsw * (1 - zcon)
        + (1 - zone) * osw * (1 - ocon),
        zc * zfoul + oc * ofoul,
        zc * (1 - zfoul) + oc * (1 - ofoul),
    ])


def _binned_normal(mean: np.ndarray, sd: np.ndarray | float, edges: np.ndarray) -> np.ndarray:
    """Probability of each bin (inner edges `edges`, open tails) under N(mean, sd); adds a last axis."""
    cdf = ndtr((edges - mean[..., None]) / np.asarray(sd)[..., None])
    ones = np.ones(cdf.shape[:-1] + (1,))
    return np.diff(np.concatenate([0 * ones, cdf, ones], axis=-1), axis=-1)


def batted_ball_bins(bat: Batters, pit: Pitchers, p: PitchParams = PARAMS) -> tuple[np.ndarray, np.ndarray]:
    """Launch-speed and launch-angle bin probabilities, shapes (..., T, N_LS) and (..., T, N_LA)."""
    plat, move_t = _pair_terms(bat, pit, p)
    e = lambda x: np.asarray(x, dtype=float)[..., None]  # noqa: E731
    ls = (p.ls_mean + np.asarray(p.type_ls) + p.ls_power * e(bat.power) + p.ls_contact * e(bat.contact)
          + p.ls_velo * e(pit.velocity) * FASTBALLS + p.ls_move * move_t + p.ls_platoon * e(plat))
    la = p.la_mean + np.asarray(p.type_la) + p.la_power * e(bat.power) + p.la_move * move_t
    la_sd = np.maximum(p.la_sd + p.la_sd_contact * e(bat.contact), 12.0)
    shape = np.broadcast_shapes(ls.shape, la.shape, la_sd.shape)
    ls, la, la_sd = (np.broadcast_to(x, shape) for x in (ls, la, la_sd))
    return _binned_normal(ls, p.ls_sd, LS_EDGES), _binned_normal(la, la_sd, LA_EDGES)


def _distance(ls: np.ndarray, la: np.ndarray) -> np.ndarray:
    """Rough carry (ft) of a ball in the air; peaks near 29 degrees."""
    g = np.sin(np.pi * np.clip((la + 2) / 62, 0, 1))
    return np.maximum(ls - 45, 0) * 7.3 * g


def hit_distance(ls: np.ndarray, la: np.ndarray) -> np.ndarray:
    """Reported hit distance: carry for balls in the air, roll-out for grounders."""
    ground = 40 + 1.6 * np.maximum(ls - 30, 0)
    return np.where(la < 10, ground, np.maximum(_distance(ls, la), ground * (la < 25)))


def _outcome_grid() -> tuple[np.ndarray, np.ndarray]:
    """(O0, O1): outcome probabilities per (ls bin, la bin) = O0 + s * O1, s = tanh(speed / 1.5)."""
    ls, la = np.meshgrid(LS_CENTERS, LA_CENTERS, indexing="ij")
    d = _distance(ls, la)
    hr = np.where(la >= 15, expit((d - 398) / 9), 0.0)
    kind = bb_type_index(la)
    gb, ld, fb, pu = (kind == i for i in range(4))
    # Hit probability of a ball that stays in the park, by batted-ball type.
    hit_gb = .07 + .50 * expit((ls - 93) / 7)
    hit_ld = .42 + .36 * expit((ls - 85) / 8)
    hit_fb = .06 + .30 * expit((d - 310) / 18)
    hit = np.select([gb, ld, fb, pu], [hit_gb, hit_ld, hit_fb, .02 + 0 * ls])
    # Extra-base share of those hits.
    xb2 = np.select([gb, ld, fb, pu], [.07 * expit((ls - 100) / 5), .12 + .25 * expit((ls - 95) / 6),
                                       .55 + 0 * ls, 0 * ls])
    xb3 = np.select([gb, ld, fb, pu], [0 * ls, .025 + 0 * ls, .08 + 0 * ls, 0 * ls])
    inpark = (1 - hr) * hit
    o0 = np.stack([(1 - hr) * (1 - hit), inpark * (1 - xb2 - xb3), inpark * xb2, inpark * xb3, hr], -1)
    # Speed: infield hits on grounders; triples instead of doubles in the air.
    o1 = np.zeros_like(o0)
    infield = np.where(gb, .045 * (1 - hr), 0.0)
    o1[..., 0] -= infield
    o1[..., 1] += infield
    stretch = np.where(ld | fb, .6 * inpark * xb3, 0.0)
    o1[..., 2] -= stretch
    o1[..., 3] += stretch
    return o0, o1


OUTCOME_O0, OUTCOME_O1 = _outcome_grid()


def speed_factor(speed: np.ndarray) -> np.ndarray:
    return np.tanh(np.asarray(speed, dtype=float) / 1.5)


def outcome_table(speed: np.ndarray) -> np.ndarray:
    """(..., N_LS, N_LA, 5) outcome probabilities for batters of the given speed."""
    s = speed_factor(speed)[..., None, None, None]
    return OUTCOME_O0 + s * OUTCOME_O1


def xwoba_table() -> np.ndarray:
    """Expected wOBA of each (ls, la) bin for an average runner (estimated_woba_using_speedangle)."""
    weights = np.array([0.0, 0.89, 1.27, 1.62, 2.10])
    return OUTCOME_O0 @ weights


# ---------------------------------------------------------------------------------------------
# Exact PA-outcome probabilities: dynamic program over the count states.

def _contract(ls_p: np.ndarray, la_p: np.ndarray, table: np.ndarray) -> np.ndarray:
    """sum_ij ls_p[..., i] table[i, j, k] la_p[..., j] as one matrix product (einsum is slow here)."""
    tmp = (ls_p.reshape(-1, N_LS) @ table.reshape(N_LS, -1)).reshape(-1, N_LA, table.shape[-1])
    out = np.einsum("mjk,mj->mk", tmp, la_p.reshape(-1, N_LA))
    return out.reshape(ls_p.shape[:-1] + (table.shape[-1],))


PA_OUTCOMES: tuple[str, ...] = ("SO", "BB", "HBP", "out", "1B", "2B", "3B", "HR")


def pa_outcome_probs(bat: Batters, pit: Pitchers, p: PitchParams = PARAMS,
                     start: int = 0) -> np.ndarray:
    """Exact probabilities of the PA outcomes in PA_OUTCOMES, shape broadcast(bat, pit) + (8,).

    `start` is the count index the PA starts from (0 = 0-0), used for count run values.
    """
    by_class = class_probs(bat, pit, p)                             # (..., 12, T, 5)
    mix = count_mix(np.asarray(pit.mix, dtype=float), p)            # (..., 12, T)
    cls = np.einsum("...ct,...ctk->...ck", np.broadcast_to(mix, by_class.shape[:-1]), by_class)
    reach = np.zeros(cls.shape[:-1])                                # expected visits, (..., 12)
    reach[..., start] = 1.0
    so = np.zeros(cls.shape[:-2])
    bb = np.zeros_like(so)
    hbp = np.zeros_like(so)
    inplay_weight = np.zeros(cls.shape[:-1])                        # P(PA ends in play at count c)/P(X|c)
    for c in range(start, N_COUNTS):
        b, s = divmod(c, 3)
        r = reach[..., c]
        q = cls[..., c, :]
        # At two strikes a foul repeats the count: resolve the geometric loop exactly.
        leave = 1 / (1 - q[..., FOUL]) if s == 2 else 1.0
        r_eff = r * leave
        hbp += r_eff * q[..., HBP]
        if b == 3:
            bb += r_eff * q[..., BALL]
        else:
            reach[..., c + 3] += r_eff * q[..., BALL]
        if s == 2:
            so += r_eff * q[..., STRIKE]
        else:
            reach[..., c + 1] += r * (q[..., STRIKE] + q[..., FOUL])
        inplay_weight[..., c] = r_eff
    # In play with pitch type t: sum over counts of visits * P(type t) * P(in play | t).
    x_t = np.einsum("...c,...ct,...ct->...t", inplay_weight, np.broadcast_to(mix, by_class.shape[:-1]),
                    by_class[..., INPLAY])
    ls_p, la_p = batted_ball_bins(bat, pit, p)                       # (..., T, N_LS), (..., T, N_LA)
    speed = np.broadcast_to(np.asarray(bat.speed, dtype=float), x_t.shape[:-1])
    s = speed_factor(speed)
    bip = np.einsum("...t,...tk->...k", x_t, _contract(ls_p, la_p, OUTCOME_O0)
                    + s[..., None, None] * _contract(ls_p, la_p, OUTCOME_O1))
    return np.concatenate([so[..., None], bb[..., None], hbp[..., None], bip], axis=-1)
