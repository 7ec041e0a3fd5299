"""Season orchestration: rosters, schedule, promotions, retirements, the oracle and the output folder."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.atomic import atomic_dir, check_replaceable
from hfm_runtime.league import check_same_kind, is_league
from hfm_runtime.statcast import LEVELS, STATCAST_COLUMNS
from hfm_runtime.targets import TARGET_STATS

from . import model as M
from .config import LeagueConfig
from .game import EVENTS, GameSimulator, Team
from .players import BATTER, BATTER_LATENTS, PITCHER, PITCHER_LATENTS, FIRST_ID, Population

MLB, AAA = 0, 1
MLB_CODES = ("ARI ATL BAL BOS CHC CWS CIN CLE COL DET HOU KC LAA LAD MIA MIL MIN NYM NYY OAK PHI PIT SD "
             "SF SEA STL TB TEX TOR WSH").split()
AAA_CODES = ("BUF DUR IOW LV SAC SYR TOL NOR ABQ CLT COL2 GWN IND JAX LHV LOU MEM NAS OKC OMA REN RR "
             "ROC SL SWB SUG STP TAC WOR ELP").split()
FORM_RHO, FORM_SD = 0.92, 0.15  # in-season form: AR(1) per day, in latent SD units
SCOUT_SD = 0.35                 # how noisily teams see talent when setting rosters
LINEAR_WEIGHTS = np.array([-.27, .31, .33, -.26, .47, .77, 1.04, 1.40])  # runs, by M.PA_OUTCOMES


def simulate_league(config: LeagueConfig, out: str | Path, log: Callable[[str], object] | None = None) -> Path:
    """Simulate `config` and write the league folder (league_layout contract) atomically at `out`;
    `log` gets a line as each season is done (progress)."""
    out = Path(out)
    check_replaceable(out, is_league, "league")  # the league replaces it whole
    replacing = check_same_kind(out, simulated=True, writer="hfm-train simulate")
    if replacing and log is not None:
        log(replacing)
    with atomic_dir(out) as tmp:
        LeagueSimulator(config).run(tmp, log)
    return out


def count_run_values() -> np.ndarray:
    """Expected PA run value from each count minus that from 0-0, for an average matchup."""
    zero = np.zeros(1)
    mix = np.array([[.42, .12, .08, .16, .08, .1, .04]])
    bat = M.Batters(zero, zero, zero, zero, np.zeros(1, int))
    pit = M.Pitchers(zero, zero, zero, np.zeros((1, M.N_TYPES)), mix, np.zeros(1, int))
    v = np.array([M.pa_outcome_probs(bat, pit, start=c)[0] @ LINEAR_WEIGHTS for c in range(M.N_COUNTS)])
    return v - v[0]


class LeagueSimulator:
    def __init__(self, config: LeagueConfig) -> None:
        self.config = config
        self.rng = np.random.default_rng(config.seed)
        self.pop = Population()
        self.cv = count_run_values()
        self.game_pk = 700000
        n = {lvl: k * config.batters_per_team for lvl, k in ((MLB, config.mlb_teams), (AAA, config.aaa_teams))}
        self.n_slots = {BATTER: (n[MLB], n[AAA]),
                        PITCHER: (config.mlb_teams * config.pitchers_per_team,
                                  config.aaa_teams * config.pitchers_per_team)}
        season = config.first_season
        for ptype in (BATTER, PITCHER):
            self.pop.add(self.rng, ptype, sum(self.n_slots[ptype]), season, (22, 34), -.3, 1.0)
        self.teams = [[Team(c, [], []) for c in MLB_CODES[:config.mlb_teams]],
                      [Team(c, [], []) for c in AAA_CODES[:config.aaa_teams]]]
        self.stats = {"seasons": [], "pitches": {"MLB": 0, "AAA": 0}, "games": {"MLB": 0, "AAA": 0}}

    # ---- rosters ------------------------------------------------------------------------------
    def _perceived(self) -> np.ndarray:
        return self.pop.value() + self.rng.normal(0, SCOUT_SD, len(self.pop))

    def _assign_rosters(self) -> None:
        """Best-looking players go to MLB; players keep their team when they stay at their level."""
        cfg, pop = self.config, self.pop
        perceived = self._perceived()
        for ptype, per_team in ((BATTER, cfg.batters_per_team), (PITCHER, cfg.pitchers_per_team)):
            idx = np.flatnonzero(pop.active & (pop.ptype == ptype))
            ranked = idx[np.argsort(-perceived[idx])]
            n_mlb = self.n_slots[ptype][0]
            for level, members in ((MLB, ranked[:n_mlb]), (AAA, ranked[n_mlb:])):
                teams = self.teams[level]
                old = {p: t for t, team in enumerate(teams) for p in self._roster(team, ptype)}
                rosters: list[list[int]] = [[] for _ in teams]
                newcomers = []
                for p in members:
                    t = old.get(int(p))
                    (rosters[t].append(int(p)) if t is not None else newcomers.append(int(p)))
                for p in self.rng.permutation(newcomers):
                    open_t = [t for t in range(len(teams)) if len(rosters[t]) < per_team]
                    rosters[open_t[self.rng.integers(len(open_t))]].append(int(p))
                # teams that kept too many (others lost players) pass the surplus on
                for t in range(len(teams)):
                    while len(rosters[t]) > per_team:
                        dest = min(range(len(teams)), key=lambda k: len(rosters[k]))
                        rosters[dest].append(rosters[t].pop())
                for team, roster in zip(teams, rosters):
                    self._set_roster(team, ptype, roster, perceived)

    @staticmethod
    def _roster(team: Team, ptype: int) -> list[int]:
        return team.batters if ptype == BATTER else team.pitchers

    def _set_roster(self, team: Team, ptype: int, roster: list[int], perceived: np.ndarray) -> None:
        ordered = sorted(roster, key=lambda p: -perceived[p])  # regulars / rotation first
        if ptype == BATTER:
            team.batters = ordered
        else:
            team.pitchers = ordered

    def _checkpoint(self) -> int:
        """In-season moves: the worst-looking MLB players swap places with the best-looking AAA ones."""
        perceived = self._perceived()
        moves = 0
        for ptype in (BATTER, PITCHER):
            slots = {lvl: [(t, p) for t, team in enumerate(self.teams[lvl]) for p in self._roster(team, ptype)]
                     for lvl in (MLB, AAA)}
            worst = sorted(slots[MLB], key=lambda tp: perceived[tp[1]])
            best = sorted(slots[AAA], key=lambda tp: -perceived[tp[1]])
            for (tm, pm), (ta, pa) in list(zip(worst, best))[: self.config.promotions_per_checkpoint]:
                if perceived[pa] <= perceived[pm]:
                    break
                mlb_team, aaa_team = self.teams[MLB][tm], self.teams[AAA][ta]
                mlb_roster, aaa_roster = self._roster(mlb_team, ptype), self._roster(aaa_team, ptype)
                mlb_roster[mlb_roster.index(pm)] = pa
                aaa_roster[aaa_roster.index(pa)] = pm
                self._set_roster(mlb_team, ptype, mlb_roster, perceived)
                self._set_roster(aaa_team, ptype, aaa_roster, perceived)
                moves += 1
        return moves

    def _turnover(self, season: int) -> int:
        """Between seasons: retirements (old, or stuck in AAA), replaced by young players entering AAA."""
        pop, rng = self.pop, self.rng
        age = pop.age(season + 1)
        rostered_aaa = np.zeros(len(pop), bool)
        for team in self.teams[AAA]:
            rostered_aaa[team.batters + team.pitchers] = True
        p_retire = 1 / (1 + np.exp(-(age - 37) / 1.5)) + rostered_aaa / (1 + np.exp(-(age - 30) / 1.5)) * .6
        retire = pop.active & (rng.random(len(pop)) < p_retire)
        pop.active &= ~retire
        for ptype in (BATTER, PITCHER):
            n_new = sum(self.n_slots[ptype]) - int((pop.active & (pop.ptype == ptype)).sum())
            if n_new > 0:
                pop.add(rng, ptype, n_new, season + 1, (20, 24), -.9, .9)
        for level in (MLB, AAA):
            for team in self.teams[level]:
                team.batters = [p for p in team.batters if pop.active[p]]
                team.pitchers = [p for p in team.pitchers if pop.active[p]]
        return int(retire.sum())

    # ---- seasons ------------------------------------------------------------------------------
    def run(self, out: Path, log: Callable[[str], object] | None = None) -> None:
        cfg = self.config
        talent_frames = []
        start = time.perf_counter()
        for s, season in enumerate(cfg.seasons):
            if s > 0:
                retired = self._turnover(season - 1)
                self.pop.age_one_year(self.rng, season)
            else:
                retired = 0
            self._assign_rosters()
            frames, sim, days_at, moves = self._play_season(season)
            for level, frame in zip(LEVELS, frames):
                path = out / "pitches" / level / f"{season}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                frame.to_parquet(path, index=False)
                self.stats["pitches"][level] += len(frame)
            talent_frames.append(self._true_talent(season, sim, days_at))
            self.stats["seasons"].append({"season": season, "promotions": moves, "retired": retired,
                                          "MLB_pitches": len(frames[0]), "AAA_pitches": len(frames[1])})
            if log is not None:
                log(f"season {season} ({s + 1}/{cfg.n_seasons}): {len(frames[0]):,} MLB and {len(frames[1]):,} AAA "
                    f"pitches, {time.perf_counter() - start:.0f} s so far")
        pd.concat(talent_frames, ignore_index=True).to_parquet(out / "true_talent.parquet", index=False)
        self._write_players(out / "players.csv")
        meta = {"schema_version": 1, "seed": cfg.seed, "seasons": cfg.seasons, "levels": list(LEVELS),
                "config": cfg.to_json(), "summary": self.stats}
        (out / "league.json").write_text(json.dumps(meta, indent=2))

    def _play_season(self, season: int):
        cfg, pop, rng = self.config, self.pop, self.rng
        sim = GameSimulator(pop.latent, pop.stand, pop.throws, pop.stuff, pop.mix, self.cv, rng)
        n_days = cfg.games_per_team
        checkpoints = {round(n_days * (k + 1) / (cfg.checkpoints_per_season + 1))
                       for k in range(cfg.checkpoints_per_season)}
        days_at = np.zeros((2, len(pop)))
        moves = 0
        first_pk = self.game_pk
        for day in range(n_days):
            sim.form = FORM_RHO * sim.form + np.sqrt(1 - FORM_RHO ** 2) * FORM_SD * rng.normal(size=len(pop))
            if day in checkpoints:
                moves += self._checkpoint()
            for level in (MLB, AAA):
                teams = self.teams[level]
                for team in teams:
                    days_at[level, team.batters + team.pitchers] += 1
                order = rng.permutation(len(teams))
                for a, h in zip(order[0::2], order[1::2]):
                    if day % 2:
                        a, h = h, a
                    sim.play(self.game_pk, day, level, teams[h], teams[a], int(h), int(a))
                    self.game_pk += 1
                    self.stats["games"][LEVELS[level]] += 1
        frames = self._pitch_frames(sim.rows, season, first_pk)
        return frames, sim, days_at, moves

    # ---- output -------------------------------------------------------------------------------
    def _pitch_frames(self, rows: list[tuple], season: int, first_pk: int) -> list[pd.DataFrame]:
        """The season's pitch rows as one Statcast-shaped frame per level; physics drawn in bulk here."""
        cfg, pop, rng = self.config, self.pop, self.rng
        a = np.array(rows, dtype=float).reshape(-1, 27)
        (game_pk, day, pit, bat, t, k, balls, strikes, outs, inning, top, on1, on2, on3, stand, throws,
         event, lsb, lab, dre, ab, pn, bs, fs, home, away, level) = a.T
        pit, bat, t, k = pit.astype(int), bat.astype(int), t.astype(int), k.astype(int)
        stand, throws, level = stand.astype(int), throws.astype(int), level.astype(int)
        n = len(a)
        df: dict[str, object] = {"game_pk": game_pk.astype(np.int64)}
        span = 178 / max(cfg.games_per_team - 1, 1)
        dates = np.datetime64(f"{season}-04-01") + np.round(day * span).astype("timedelta64[D]")
        df["game_date"] = dates.astype("datetime64[ns]")
        df["pitcher"] = (FIRST_ID + pit).astype(np.int64)
        df["batter"] = (FIRST_ID + bat).astype(np.int64)
        df["pitch_type"] = np.array(M.PITCH_TYPES, dtype=object)[t]
        df.update(_pitch_physics(pop, pit, t, throws, rng))
        df["plate_x"], df["plate_z"] = _locations(k, pop.latent[pit, 2], stand, rng)
        df["balls"], df["strikes"], df["outs_when_up"] = (v.astype(np.int64) for v in (balls, strikes, outs))
        df["inning"] = inning.astype(np.int64)
        df["inning_topbot"] = np.where(top == 1, "Top", "Bot").astype(object)
        for col, v in (("on_1b", on1), ("on_2b", on2), ("on_3b", on3)):
            df[col] = np.where(v >= 0, FIRST_ID + v, np.nan)
        df["stand"] = np.array(["R", "L"], dtype=object)[stand]
        df["p_throws"] = np.array(["R", "L"], dtype=object)[throws]
        df["description"], df["type"] = _descriptions(k, rng)
        ev = event.astype(int)
        df["events"] = np.array([*EVENTS, None], dtype=object)[np.where(ev >= 0, ev, len(EVENTS))]
        inplay = lsb >= 0
        li, ai = lsb.astype(int).clip(0), lab.astype(int).clip(0)
        ls = M.LS_BOUNDS[li] + rng.random(n) * (M.LS_BOUNDS[li + 1] - M.LS_BOUNDS[li])
        la = M.LA_BOUNDS[ai] + rng.random(n) * (M.LA_BOUNDS[ai + 1] - M.LA_BOUNDS[ai])
        df["bb_type"] = np.where(inplay, np.array(M.BB_TYPES, dtype=object)[M.LA_BIN_BB_TYPE[ai]], None)
        df["launch_speed"] = np.where(inplay, np.round(ls, 1), np.nan)
        df["launch_angle"] = np.where(inplay, np.floor(la), np.nan)
        dist = np.maximum(M.hit_distance(ls, la) + rng.normal(0, 6, n), 1)
        df["hit_distance_sc"] = np.where(inplay, np.round(dist), np.nan)
        df["estimated_woba_using_speedangle"] = np.where(inplay, np.round(M.xwoba_table()[li, ai], 3), np.nan)
        df["delta_run_exp"] = np.round(dre, 3)
        df["at_bat_number"], df["pitch_number"] = ab.astype(np.int64), pn.astype(np.int64)
        df["bat_score"], df["fld_score"] = bs.astype(np.int64), fs.astype(np.int64)
        codes = [np.array([t.code for t in self.teams[lvl]], dtype=object) for lvl in (MLB, AAA)]
        home, away = home.astype(int), away.astype(int)
        df["home_team"] = np.where(level == MLB, codes[MLB][np.minimum(home, len(codes[MLB]) - 1)],
                                   codes[AAA][np.minimum(home, len(codes[AAA]) - 1)])
        df["away_team"] = np.where(level == MLB, codes[MLB][np.minimum(away, len(codes[MLB]) - 1)],
                                   codes[AAA][np.minimum(away, len(codes[AAA]) - 1)])
        df["game_type"] = np.full(n, "R", dtype=object)
        df["responsible_batter"] = df["responsible_pitcher"] = np.full(n, np.nan)  # every PA is its own
        df["hit_location"] = np.full(n, np.nan)  # no fielders simulated: infield-hit rates stay absent
        df["batter_position"] = np.full(n, np.nan)  # nor positions: the ridge's position shares stay absent
        frame = pd.DataFrame(df)[list(STATCAST_COLUMNS)]
        frames = []
        for lvl in (MLB, AAA):
            part = frame[level == lvl].sort_values(["game_pk", "at_bat_number", "pitch_number"], kind="stable")
            frames.append(part.reset_index(drop=True))
        return frames

    def _true_talent(self, season: int, sim: GameSimulator, days_at: np.ndarray) -> pd.DataFrame:
        """Exact MLB-equivalent rates of everyone rostered this season (see `oracle_rates`)."""
        pop = self.pop
        rostered = np.flatnonzero(days_at.sum(0) > 0)
        form = np.divide(sim.form_sum, sim.pa, out=np.zeros(len(pop)), where=sim.pa > 0)
        rates = oracle_rates(pop, rostered, form, sim.pa_level[MLB])
        typ = pop.ptype[rostered]
        out = pd.DataFrame({
            "player_id": (FIRST_ID + rostered).astype(np.int64),
            "season": season,
            "level": np.where(days_at[MLB, rostered] >= days_at[AAA, rostered], "MLB", "AAA"),
            "player_type": np.where(typ == BATTER, "batter", "pitcher"),
            "age": pop.age(season)[rostered],
        })
        stats = list(dict.fromkeys(TARGET_STATS["batter"] + TARGET_STATS["pitcher"]))
        for stat in stats:
            col = {"SO": rates[:, 0], "BB": rates[:, 1], "HR": rates[:, 7], "H": rates[:, 4:8].sum(1),
                   "2B": rates[:, 5], "3B": rates[:, 6]}[stat]
            applies = np.array([stat in TARGET_STATS["batter" if t == BATTER else "pitcher"] for t in typ])
            out[stat] = np.where(applies, col, np.nan)
        out["HBP"] = rates[:, 2]
        for j, name in enumerate(BATTER_LATENTS):
            out[name] = np.where(typ == BATTER, pop.latent[rostered, j], np.nan)
        for j, name in enumerate(PITCHER_LATENTS):
            out[name] = np.where(typ == PITCHER, pop.latent[rostered, j], np.nan)
        out["form"] = form[rostered]
        out["PA_MLB"] = sim.pa_level[MLB, rostered].astype(np.int64)
        out["PA_AAA"] = sim.pa_level[AAA, rostered].astype(np.int64)
        return out

    def _write_players(self, path: Path) -> None:
        pop = self.pop
        pd.DataFrame({
            "player_id": pop.ids,
            "name_first": [f for f, _ in pop.names],
            "name_last": [last for _, last in pop.names],
            "birth_date": pd.to_datetime(pop.birth).strftime("%Y-%m-%d"),
            "bats": np.array(["R", "L", "S"])[pop.stand],
            "throws": np.array(["R", "L"])[pop.throws],
            "player_type": np.where(pop.ptype == BATTER, "batter", "pitcher"),
        }).to_csv(path, index=False)


def _batters(pop: Population, idx: np.ndarray, form: np.ndarray) -> M.Batters:
    lat = pop.latent[idx]
    return M.Batters(lat[..., 0] + form, lat[..., 1] + form, lat[..., 2], lat[..., 3], pop.stand[idx])


def _pitchers(pop: Population, idx: np.ndarray, form: np.ndarray) -> M.Pitchers:
    lat = pop.latent[idx]
    return M.Pitchers(lat[..., 0] + form, lat[..., 1] + form, lat[..., 2] + form, pop.stuff[idx],
                      pop.mix[idx], pop.throws[idx])


def oracle_rates(pop: Population, players: np.ndarray, form: np.ndarray, opp_weight: np.ndarray,
                 chunk: int = 48) -> np.ndarray:
    """Exact PA-outcome probabilities (M.PA_OUTCOMES) of each player against average MLB opposition.

    The opposition is every player of the other type, weighted by `opp_weight` (his MLB playing time
    this season), at his season talent; the player is at his season talent plus his PA-weighted mean
    in-season form (the season average of the form path, to first order).
    """
    out = np.zeros((len(players), len(M.PA_OUTCOMES)))
    for ptype in (BATTER, PITCHER):
        mine = np.flatnonzero(pop.ptype[players] == ptype)
        opp = np.flatnonzero((pop.ptype != ptype) & (opp_weight > 0))
        if len(opp) == 0:
            opp = np.flatnonzero(pop.ptype != ptype)[:1]
        w = np.maximum(opp_weight[opp], 1e-12)
        w = w / w.sum()
        for start in range(0, len(mine), chunk):
            sel = players[mine[start:start + chunk]]
            zero = np.zeros(len(opp))
            if ptype == BATTER:
                probs = M.pa_outcome_probs(_batters(pop, sel[:, None], form[sel][:, None]),
                                           _pitchers(pop, opp[None, :], zero[None, :]))
            else:
                probs = M.pa_outcome_probs(_batters(pop, opp[:, None], zero[:, None]),
                                           _pitchers(pop, sel[None, :], form[sel][None, :]))
                probs = probs.transpose(1, 0, 2)
            out[mine[start:start + chunk]] = np.einsum("ijk,j->ik", probs, w)
    return out


PITCH_BASE = {  # type: (mph, rpm, pfx_x ft for a righty, pfx_z ft)
    "FF": (94.0, 2300, -.60, 1.30), "SI": (93.0, 2150, -1.25, .70), "FC": (89.0, 2400, .20, .70),
    "SL": (85.0, 2450, .45, .10), "CU": (79.0, 2550, .70, -.80), "CH": (85.5, 1750, -1.20, .50),
    "FS": (86.0, 1400, -.80, .20),
}


def _pitch_physics(pop: Population, pit: np.ndarray, t: np.ndarray, throws: np.ndarray,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Release speed, spin, extension and movement: per pitcher and pitch type, plus per-pitch noise."""
    n = len(pit)
    base = np.array([PITCH_BASE[p] for p in M.PITCH_TYPES])[t]
    lat, off = pop.latent[pit], pop.physics[pit, t]
    move = lat[:, 1] + pop.stuff[pit, t]
    fast = M.FASTBALLS[t]
    speed = base[:, 0] + (1.7 * fast + 1.2 * (1 - fast)) * lat[:, 0] + off[:, 0] + rng.normal(0, .8, n)
    spin = base[:, 1] + 80 * move + off[:, 1] + rng.normal(0, 45, n)
    hand = np.where(throws == 1, -1.0, 1.0)  # lefties mirror horizontal movement
    pfx_x = hand * (base[:, 2] * (1 + .12 * move) + off[:, 2]) + rng.normal(0, .1, n)
    pfx_z = base[:, 3] * (1 + .12 * move) + off[:, 3] + rng.normal(0, .1, n)
    return {
        "release_speed": np.round(speed, 1), "release_spin_rate": np.round(spin),
        "release_extension": np.round(pop.extension[pit] + rng.normal(0, .08, n), 1),
        "pfx_x": np.round(pfx_x, 2), "pfx_z": np.round(pfx_z, 2),
    }


def _locations(k: np.ndarray, command: np.ndarray, stand: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Plate location consistent with the sub-event's zone flag; HBPs come inside to the batter."""
    n = len(k)
    in_zone = M.SUB_IN_ZONE[k]
    x = rng.uniform(-.83, .83, n)
    z = rng.uniform(1.55, 3.45, n)
    out = np.flatnonzero(~in_zone)
    spread = np.clip(1 - .12 * command[out], .6, 1.4)
    ox = np.zeros(len(out))
    oz = np.zeros(len(out))
    todo = np.arange(len(out))
    while len(todo):  # draw around the zone until outside it
        cx = rng.normal(0, .95, len(todo)) * spread[todo]
        cz = rng.normal(2.5, .95, len(todo)) * spread[todo] + 2.5 * (1 - spread[todo])
        ok = (np.abs(cx) > .83) | (cz < 1.55) | (cz > 3.45)
        ox[todo[ok]], oz[todo[ok]] = cx[ok], cz[ok]
        todo = todo[~ok]
    x[out], z[out] = ox, oz
    hbp = k == 0
    side = np.where(stand == 0, -1.0, 1.0)  # catcher's view: a righty stands on the left
    x[hbp] = side[hbp] * rng.uniform(1.4, 2.2, hbp.sum())
    z[hbp] = rng.uniform(1.0, 4.5, hbp.sum())
    return np.round(x, 2), np.round(z, 2)


def _descriptions(k: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Statcast description and type (B/S/X) of each pitch from its sub-event."""
    names = np.array(["hit_by_pitch", "ball", "called_strike", "ball", "called_strike", "swinging_strike",
                      "swinging_strike", "foul", "foul", "hit_into_play", "hit_into_play"], dtype=object)
    desc = names[k].copy()
    u = rng.random(len(k))
    desc[(k == 1) & (u < .06)] = "blocked_ball"
    desc[np.isin(k, (5, 6)) & (u < .10)] = "foul_tip"
    desc[(k == 6) & (u > .95)] = "swinging_strike_blocked"
    typ = np.array(["B", "B", "S", "B", "S", "S", "S", "S", "S", "X", "X"], dtype=object)[k]
    return desc, typ
