"""One self-contained HTML report of a score table (`hfm-score ... --report FILE`); the page scaffold the
training side's run report reuses (hfm_train.run_report).

The file opens offline: no CDN, no server, no other file. Charts are plotly.js (MIT), inlined once from
the `plotly` package (the optional extra `hfm-runtime[report]`; the base runtime does not need it) and
drawn in the browser from the data embedded as JSON, so a league of any size costs one copy of the
library plus its numbers, not one rendered chart per player.

`score_report(table, recent, title_line)`:
  league table   every row of the score table: name, type, age, projected opportunities, flag, and per
                 stat the projected rate with its 80% outcome interval; sortable (click a header),
                 filterable by type and by name; a click on a row opens that player below.
  player         HFM against Marcel per stat with the talent 50% and 80% intervals and the 80% outcome
                 interval (rates as a share of the league's projected rate of his type), the season
                 totals with their 80% intervals; his recent MLB seasons' rates (`recent`: season
                 lines of the three seasons before, when given); his profile as league percentiles
                 among the players of his type in the table (projected rates, and the three seasons'
                 observed rates where he has them); his archetype and the players nearest to him in
                 it (Euclidean distance of the projected rates, each stat standardised over his type);
                 what moved the projection: the model's adjustment to Marcel per stat (adj_<S>, in
                 units of his talent SD) and the inputs flagged as beyond 6 training SDs (`warnings`).
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS

NEIGHBOURS = 5  # most similar players shown per player

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#14324f;color:#fff;padding:14px 22px}header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;font-size:13px;opacity:.85}
main{padding:14px 22px}section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 16px;
margin-bottom:14px}h2{font-size:16px;margin:4px 0 10px}h3{font-size:14px;margin:12px 0 6px}
.controls{display:flex;gap:12px;align-items:center;margin-bottom:8px;font-size:13px}
.scroll{max-height:420px;overflow:auto;border:1px solid #e4e7eb}
table{border-collapse:collapse;font-size:12px;width:100%}th,td{padding:3px 7px;text-align:right;white-space:nowrap}
th{position:sticky;top:0;background:#eef1f5;cursor:pointer;user-select:none}th.l,td.l{text-align:left}
tbody tr:nth-child(even){background:#fafbfc}tbody tr:hover{background:#e6f0fb;cursor:pointer}
tr.sel{background:#cfe3f8!important}.grid{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.chart{min-height:300px}.note{font-size:12px;color:#57606a}.tag{display:inline-block;background:#eef1f5;
border-radius:3px;padding:1px 6px;margin:1px;font-size:12px}a.pl{color:#0b5cad;cursor:pointer}
"""


def plotly_js() -> str:
    """plotly.js (minified) from the `plotly` package: `pip install 'hfm-runtime[report]'`."""
    try:
        from plotly.offline import get_plotlyjs
    except ImportError:
        raise HFMInputError("--report needs plotly (pip install 'hfm-runtime[report]'): the report's charts are "
                            "plotly.js, inlined so the file opens offline") from None
    return get_plotlyjs()


def page(title: str, subtitle: str, body: str, data: Any, script: str) -> str:
    """A whole HTML document: the CSS, plotly.js inlined, `body`, `data` as the JSON constant DATA
    (a `</` inside it escaped so it cannot close the script), then `script`."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{html.escape(title)}</title>"
        f"<style>{CSS}</style><script>{plotly_js()}</script></head><body>"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header><main>{body}</main>"
        f"<script>const DATA = {payload};</script><script>{script}</script></body></html>\n"
    )


def _num(value: Any, digits: int = 5) -> float | None:
    """A JSON-safe rounded number (None for NaN / missing)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return round(v, digits) if math.isfinite(v) else None


def _percentiles(values: np.ndarray) -> np.ndarray:
    """Each value's percentile (0-100, mid-rank) among the finite values of its column; NaN stays NaN."""
    out = np.full(values.shape, np.nan)
    for j in range(values.shape[1]):
        col = values[:, j]
        ok = np.isfinite(col)
        if ok.sum() < 2:
            continue
        ranks = pd.Series(col[ok]).rank(method="average").to_numpy()
        out[ok, j] = 100.0 * (ranks - 0.5) / ok.sum()
    return out


def _recent(recent: Mapping[str, pd.DataFrame] | None, pt: str, ids: np.ndarray, season: int
            ) -> tuple[dict[int, list[dict[str, Any]]], np.ndarray]:
    """Per player his MLB seasons season-3..season-1 (season, opportunities, rates), and [N, S] his
    rates over them pooled (NaN without any)."""
    stats, opp = list(TARGET_STATS[pt]), OPPORTUNITY[pt]
    pooled = np.full((len(ids), len(stats)), np.nan)
    seasons: dict[int, list[dict[str, Any]]] = {}
    if recent is None or pt not in recent:
        return seasons, pooled
    lines = recent[pt]
    need = ["player_id", "season", opp, *stats]
    missing = [c for c in need if c not in lines.columns]
    if missing:
        raise HFMInputError(f"report: recent {pt} season lines lack column(s) {', '.join(missing)}")
    if "level" in lines.columns:
        lines = lines[lines["level"] == "MLB"]
    lines = lines[lines["season"].between(season - 3, season - 1) & lines["player_id"].isin(ids)]
    per = lines.groupby(["player_id", "season"])[[opp, *stats]].sum().reset_index()
    per = per[per[opp] > 0]
    for row in per.to_dict("records"):
        seasons.setdefault(int(row["player_id"]), []).append(
            {"season": int(row["season"]), "opp": int(row[opp]),
             **{s: _num(row[s] / row[opp]) for s in stats}})
    totals = per.groupby("player_id")[[opp, *stats]].sum()
    totals = totals.reindex(ids)
    with np.errstate(invalid="ignore", divide="ignore"):
        pooled = totals[stats].to_numpy(np.float64) / totals[[opp]].to_numpy(np.float64)
    return seasons, pooled


def score_report(table: pd.DataFrame, recent: Mapping[str, pd.DataFrame] | None = None,
                 subtitle: str = "") -> str:
    """The report's HTML (module docstring) of a score table (hfm_runtime.scoring.SCORE_COLUMNS)."""
    if table.empty:
        raise HFMInputError("report: the score table is empty")
    season = int(table["season"].iloc[0])
    as_of = str(pd.Timestamp(table["as_of_date"].iloc[0]).date())
    players: list[dict[str, Any]] = []
    types: dict[str, Any] = {}
    for pt in PLAYER_TYPES:
        rows = table[table["player_type"] == pt].reset_index(drop=True)
        if rows.empty:
            continue
        stats = list(TARGET_STATS[pt])
        ids = rows["player_id"].to_numpy(np.int64)
        rate = rows[[f"rate_{s}" for s in stats]].to_numpy(np.float64)
        league = np.average(rate, axis=0, weights=np.maximum(rows["opportunities"].to_numpy(np.float64), 1e-9))
        history, pooled = _recent(recent, pt, ids, season)
        profile = _percentiles(np.hstack([rate, pooled]))
        z = (rate - rate.mean(0)) / np.where(rate.std(0) > 0, rate.std(0), 1.0)
        arch = rows["archetype"].to_numpy(np.int64)
        base = len(players)
        types[pt] = {"stats": stats, "league": [_num(v) for v in league], "opportunity": OPPORTUNITY[pt]}
        for i, r in enumerate(rows.to_dict("records")):
            same = np.flatnonzero((arch == arch[i]) & (np.arange(len(rows)) != i)) if arch[i] >= 0 else \
                np.flatnonzero(np.arange(len(rows)) != i)
            near = same[np.argsort(((z[same] - z[i]) ** 2).sum(1), kind="stable")[:NEIGHBOURS]]
            sd = [(r[f"talent_p90_{s}"] - r[f"talent_p10_{s}"]) / 2.563 for s in stats]  # 80% width / 2 z(0.9)
            warnings = [w for w in str(r.get("warnings") or "").split(";") if w]
            players.append({
                "i": base + i, "id": int(r["player_id"]), "name": str(r["name"] or f"#{r['player_id']}"),
                "type": pt, "age": _num(r["age"], 1), "flag": str(r["flag"]), "basis": str(r["basis"]),
                "arch": int(r["archetype"]), "opp": _num(r["opportunities"], 1), "opp_mean": _num(r["opportunities_mean"], 1), "ev": _num(r["evidence"], 1),
                "rate": [_num(r[f"rate_{s}"]) for s in stats], "marcel": [_num(r[f"marcel_{s}"]) for s in stats],
                "adj": [_num(r[f"adj_{s}"]) for s in stats],
                "adj_sd": [_num(r[f"adj_{s}"] / d if d > 0 else 0.0, 3) for s, d in zip(stats, sd)],
                "talent": [[_num(r[f"talent_{q}_{s}"]) for q in ("p10", "p25", "p75", "p90")] for s in stats],
                "outcome": [[_num(r[f"outcome_{q}_{s}"]) for q in ("p10", "p90")] for s in stats],
                "total": [[_num(r[f"proj_{s}"], 1), _num(r[f"total_p10_{s}"], 1), _num(r[f"total_p90_{s}"], 1)]
                          for s in stats],
                "pct": [_num(v, 1) for v in profile[i]],
                "recent": sorted(history.get(int(ids[i]), []), key=lambda x: x["season"]),
                "near": [base + int(j) for j in near], "warn": warnings,
            })
    subtitle = (f"Projections for {season} as of {as_of}: {len(players)} rows. " + subtitle).strip()
    data = {"season": season, "types": types, "players": players}
    body = """
<section><h2>League</h2><div class="controls"><label>Type <select id="type"><option value="">all</option>
<option>batter</option><option>pitcher</option></select></label><label>Name <input id="q" placeholder="filter"></label>
<span class="note" id="count"></span><span class="note">Click a header to sort, a row to open the player.
Cells: projected rate per PA (batters) / BF (pitchers) [80% interval of the season's rate at the projected
opportunities].</span></div><div class="scroll"><table id="league"><thead></thead><tbody></tbody></table></div></section>
<section id="player"><h2 id="pname"></h2><p class="note" id="pinfo"></p>
<div class="grid"><div><h3>HFM against Marcel (share of the league's projected rate)</h3><div id="c_range" class="chart"></div>
<p class="note">Dot: HFM's projection; thick bar: talent 50% interval; thin bar: talent 80%; grey: 80% interval of
the season's rate at his projected opportunities; diamond: Marcel.</p></div>
<div><h3>Recent MLB seasons and the projection</h3><div id="c_recent" class="chart"></div></div>
<div><h3>Profile: league percentiles among his type</h3><div id="c_pct" class="chart"></div></div>
<div><h3>What moved the projection: the model's adjustment to Marcel (talent SDs)</h3><div id="c_adj" class="chart"></div>
<p class="note" id="warn"></p></div></div>
<h3>Season totals</h3><table id="totals"></table><h3 id="archh"></h3><div id="near"></div></section>"""
    return page(f"HFM projections {season}", subtitle, body, data, _SCORE_JS)


_SCORE_JS = r"""
const P = DATA.players, T = DATA.types, ALL = [...new Set(Object.values(T).flatMap(t => t.stats))];
const fmt = (v, d = 3) => v === null || v === undefined ? "" : v.toFixed(d);
const cols = [["name", "name", "l"], ["type", "type", "l"], ["age", "age", ""], ["opp", "opp", ""], ["flag", "flag", "l"],
  ...ALL.map(s => [s, s, ""])];
let sortKey = "opp", sortDir = -1, selected = null;
function cell(p, key) {
  const t = T[p.type], j = t.stats.indexOf(key);
  if (ALL.includes(key)) return j < 0 ? null : p.rate[j];
  return p[key];
}
function header() {
  document.querySelector("#league thead").innerHTML = "<tr>" + cols.map(([k, label, c]) =>
    `<th class="${c}" data-k="${k}">${label}${k === sortKey ? (sortDir > 0 ? " \u25b2" : " \u25bc") : ""}</th>`).join("") + "</tr>";
  document.querySelectorAll("#league th").forEach(th => th.onclick = () => {
    const k = th.dataset.k; sortDir = k === sortKey ? -sortDir : (["name", "type", "flag"].includes(k) ? 1 : -1);
    sortKey = k; render();
  });
}
function render() {
  header();
  const type = document.getElementById("type").value, q = document.getElementById("q").value.toLowerCase();
  const rows = P.filter(p => (!type || p.type === type) && (!q || p.name.toLowerCase().includes(q)));
  rows.sort((a, b) => {
    const x = cell(a, sortKey), y = cell(b, sortKey);
    if (x === y) return a.i - b.i; if (x === null) return 1; if (y === null) return -1;
    return (x < y ? -1 : 1) * sortDir;
  });
  document.getElementById("count").textContent = `${rows.length} of ${P.length} rows`;
  document.querySelector("#league tbody").innerHTML = rows.map(p => {
    const t = T[p.type];
    return `<tr data-i="${p.i}" class="${p.i === selected ? "sel" : ""}"><td class="l">${esc(p.name)}</td><td class="l">${p.type}</td>` +
      `<td>${fmt(p.age, 0)}</td><td>${fmt(p.opp, 0)}</td><td class="l">${p.flag}</td>` +
      ALL.map(s => { const j = t.stats.indexOf(s); return j < 0 ? "<td></td>" :
        `<td>${fmt(p.rate[j])} [${fmt(p.outcome[j][0])}-${fmt(p.outcome[j][1])}]</td>`; }).join("") + "</tr>";
  }).join("");
  document.querySelectorAll("#league tbody tr").forEach(tr => tr.onclick = () => show(+tr.dataset.i));
}
function esc(s) { return s.replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }
function show(i) {
  selected = i; const p = P[i], t = T[p.type], S = t.stats, lg = t.league;
  document.querySelectorAll("#league tbody tr").forEach(tr => tr.classList.toggle("sel", +tr.dataset.i === i));
  document.getElementById("pname").textContent = `${p.name} (${p.type}, id ${p.id})`;
  document.getElementById("pinfo").textContent = `age ${fmt(p.age, 0)}; projected ${fmt(p.opp, 0)} ${t.opportunity} (Marcel's rule; ${fmt(p.opp_mean, 0)} expected, ` +
    `what the totals are at); ` +
    `flag ${p.flag}, Marcel rests on: ${p.basis}; evidence ${fmt(p.ev, 0)} weighted ${t.opportunity}`;
  const rel = (v, j) => v === null ? null : v / lg[j];
  const y = S.slice().reverse(), rj = S.map((_, j) => S.length - 1 - j);
  const seg = (lo, hi, width, color, name) => ({type: "scatter", mode: "lines", name, hoverinfo: "skip", showlegend: true,
    x: S.flatMap((_, j) => [rel(lo(j), j), rel(hi(j), j), null]), y: S.flatMap(s => [s, s, null]),
    line: {width, color}, legendgroup: name});
  const L = {margin: {l: 40, r: 10, t: 10, b: 40}, height: 300, legend: {orientation: "h", y: -0.2}, yaxis: {categoryorder: "array", categoryarray: y}};
  Plotly.react("c_range", [
    seg(j => p.outcome[j][0], j => p.outcome[j][1], 3, "#c5ccd4", "outcome 80%"),
    seg(j => p.talent[j][0], j => p.talent[j][3], 3, "#7aa7d6", "talent 80%"),
    seg(j => p.talent[j][1], j => p.talent[j][2], 9, "#1f5fa3", "talent 50%"),
    {type: "scatter", mode: "markers", name: "HFM", x: S.map((_, j) => rel(p.rate[j], j)), y: S,
     text: S.map((s, j) => `${s}: ${fmt(p.rate[j])}`), hoverinfo: "text", marker: {size: 9, color: "#0d2f52"}},
    {type: "scatter", mode: "markers", name: "Marcel", x: S.map((_, j) => rel(p.marcel[j], j)), y: S,
     text: S.map((s, j) => `${s}: ${fmt(p.marcel[j])}`), hoverinfo: "text", marker: {size: 10, symbol: "diamond-open", color: "#c2410c"}},
  ], {...L, xaxis: {title: "x league rate", zeroline: false}, shapes: [{type: "line", x0: 1, x1: 1, yref: "paper", y0: 0, y1: 1, line: {dash: "dot", color: "#999"}}]},
  {displayModeBar: false, responsive: true});
  const seasons = p.recent.map(r => r.season), next = DATA.season;
  Plotly.react("c_recent", S.map((s, j) => ({type: "scatter", mode: "lines+markers", name: s,
    x: [...seasons, next], y: [...p.recent.map(r => rel(r[s], j)), rel(p.rate[j], j)],
    text: [...p.recent.map(r => `${s} ${fmt(r[s])} in ${r.opp} ${t.opportunity}`), `${s} projected ${fmt(p.rate[j])}`], hoverinfo: "text"})),
    {...L, xaxis: {dtick: 1, title: p.recent.length ? "season (last point: the projection)" : "no MLB season in the three before"},
     yaxis: {title: "x league rate"}}, {displayModeBar: false, responsive: true});
  const names = [...S.map(s => `${s} projected`), ...S.map(s => `${s} last 3 seasons`)];
  const keep = names.map((_, k) => p.pct[k] !== null);
  Plotly.react("c_pct", [{type: "bar", orientation: "h", x: p.pct.filter((_, k) => keep[k]),
    y: names.filter((_, k) => keep[k]), marker: {color: "#2f7d4f"}, hovertemplate: "%{y}: %{x:.0f}th percentile<extra></extra>"}],
    {...L, yaxis: {automargin: true, autorange: "reversed"}, xaxis: {range: [0, 100], title: "percentile"}},
    {displayModeBar: false, responsive: true});
  Plotly.react("c_adj", [{type: "bar", x: S, y: p.adj_sd, marker: {color: p.adj_sd.map(v => v >= 0 ? "#1f5fa3" : "#c2410c")},
    text: S.map((s, j) => `${s}: ${p.adj[j] >= 0 ? "+" : ""}${fmt(p.adj[j], 4)} per ${t.opportunity}`), hoverinfo: "text"}],
    {...L, yaxis: {title: "talent SDs", zeroline: true}}, {displayModeBar: false, responsive: true});
  document.getElementById("warn").innerHTML = p.warn.length ?
    "Flags: " + p.warn.map(w => `<span class="tag">${esc(w)}</span>`).join(" ") : "No input beyond 6 training SDs, no rate pulled into range.";
  document.getElementById("totals").innerHTML = "<tr><th class='l'></th>" + S.map(s => `<th>${s}</th>`).join("") + "</tr>" +
    "<tr><td class='l'>expected total</td>" + p.total.map(x => `<td>${fmt(x[0], 0)}</td>`).join("") + "</tr>" +
    "<tr><td class='l'>80% interval</td>" + p.total.map(x => `<td>${fmt(x[1], 0)}-${fmt(x[2], 0)}</td>`).join("") + "</tr>";
  document.getElementById("archh").textContent = p.arch >= 0 ? `Archetype ${p.arch}: the most similar players in it` :
    "No archetype (the model did not run): the most similar players of his type";
  document.getElementById("near").innerHTML = p.near.map(k => `<a class="pl tag" data-i="${k}">${esc(P[k].name)}</a>`).join(" ") || "none";
  document.querySelectorAll("#near a").forEach(a => a.onclick = () => show(+a.dataset.i));
}
document.getElementById("type").onchange = render;
document.getElementById("q").oninput = render;
render();
const first = document.querySelector("#league tbody tr");
if (first) show(+first.dataset.i);
"""
