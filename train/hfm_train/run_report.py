"""`hfm-train evaluate --report FILE`: one self-contained HTML page of a run's evaluation (the page scaffold
and plotly.js inlining of hfm_runtime.report; opens offline).

Per player type, on the run's test season (the model card `evaluate` writes, and
hfm_train.calibration's check):
  RMSE        every method's RMSE per stat against actual outcomes (and against the simulator's true
              talent where the league knows it), charted as the cut vs Marcel (1 - RMSE / Marcel's)
  intervals   the 90% paired bootstrap intervals of RMSE(blend) - RMSE(baseline) per stat (x 1e-4;
              below 0: the blend is better)
  calibration coverage of the 50% / 80% outcome (and talent) intervals, HFM and Marcel's baseline,
              against the nominal rate; mean interval scores
  ablations   the 90% intervals of RMSE(ablated blend) - RMSE(blend) (above 0: the ablated part helps)
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from hfm_runtime.report import page

COLORS = ("#1f5fa3", "#c2410c", "#2f7d4f", "#7b3fa0", "#b58900", "#0f766e", "#9f1239", "#57606a")


def _fig(data: list[dict], layout: dict) -> dict:
    base = {"margin": {"l": 60, "r": 10, "t": 30, "b": 60}, "height": 320, "legend": {"orientation": "h", "y": -0.25}}
    return {"data": data, "layout": {**base, **layout}}


def _season_split(seasons: dict) -> str:
    """'history 2008-2013 / train 2014-2017 / validation 2018 / test 2019' from the card's split."""
    def span(v) -> str:
        v = list(v) if isinstance(v, (list, tuple)) else ([] if v is None else [v])
        if not v:
            return "none"
        if not all(isinstance(s, int) for s in v):  # not the split a card holds: shown as it is
            return ", ".join(map(str, v))
        v = sorted(v)
        runs, start = [], v[0]
        for a, b in zip(v, [*v[1:], None]):
            if b != a + 1:  # a run of consecutive seasons ends at a
                runs.append(str(start) if start == a else f"{start}-{a}")
                start = b
        return ", ".join(runs)
    return " / ".join(f"{part} {span(v)}" for part, v in seasons.items())


def _table(head: list[str], rows: list[list[str]]) -> str:
    return ("<table><tr>" + "".join(f"<th class='l'>{html.escape(h)}</th>" if i == 0 else f"<th>{html.escape(h)}</th>"
                                    for i, h in enumerate(head)) + "</tr>"
            + "".join("<tr>" + "".join(f"<td class='l'>{html.escape(c)}</td>" if i == 0 else f"<td>{html.escape(c)}</td>"
                                       for i, c in enumerate(r)) + "</tr>" for r in rows) + "</table>")


def run_report(card: Mapping[str, Any], calibration: Mapping[str, Any] | None, title: str,
               notice: str | None = None) -> str:
    """The HTML page (module docstring) from an evaluation card (`evaluate_run`) and a calibration
    report (`hfm_train.calibration.calibrate_run`, or None to leave that section out)."""
    figs: list[dict] = []
    parts: list[str] = []

    def chart(fig: dict) -> str:
        figs.append(fig)
        return f"<div id='fig{len(figs) - 1}' class='chart'></div>"

    evaluation = card["evaluation"]
    for pt, r in evaluation.items():
        stats = list(r["true_spread"])
        metrics = r["metrics"]
        methods = [m for m in metrics if not m.startswith("blend:") and m != "oracle"]
        truths = ["actual"] + (["true"] if any(metrics["marcel"][s].get("rmse_true") is not None and
                                                 metrics["marcel"][s]["rmse_true"] == metrics["marcel"][s]["rmse_true"]
                                                 for s in stats) else [])
        parts.append(f"<section><h2>{pt}s: {r['n_players']} test players, test season {card['seasons']['test']}</h2>")
        for truth in truths:
            key = f"rmse_{truth}"
            data = []
            for k, m in enumerate(m for m in methods if m != "marcel"):
                cut = [1 - metrics[m][s][key] / metrics["marcel"][s][key] if metrics["marcel"][s][key] else None
                       for s in stats]
                data.append({"type": "bar", "name": m, "x": stats, "y": cut, "marker": {"color": COLORS[k % len(COLORS)]},
                             "hovertemplate": f"{m} %{{x}}: %{{y:.1%}}<extra></extra>"})
            parts.append(f"<h3>RMSE cut vs Marcel, against {'actual outcomes' if truth == 'actual' else 'true talent'}"
                         "</h3>" + chart(_fig(data, {"barmode": "group", "yaxis": {"tickformat": ".0%",
                                                                                   "title": "1 - RMSE / Marcel's"}})))
            parts.append(_table(["method", *stats], [[m, *(f"{metrics[m][s][key]:.4f}" for s in stats)] for m in methods]))
        intervals = r.get("intervals", {})
        for title_part, names in (("blend against the baselines (90% paired bootstrap, x1e-4; below 0: blend better)",
                                   [n for n in intervals if n.startswith("blend - ")]),
                                  ("ablations (90% paired bootstrap, x1e-4; above 0: the ablated part helps)",
                                   [n for n in intervals if n.startswith("blend:")])):
            if not names:
                continue
            for truth in ("actual", "true"):
                data = []
                for k, n in enumerate(names):
                    per = intervals[n].get(truth)
                    if not per:
                        continue
                    mid = [per[s][1] * 1e4 for s in stats]
                    data.append({"type": "scatter", "mode": "markers", "name": n, "x": stats, "y": mid,
                                 "marker": {"color": COLORS[k % len(COLORS)], "size": 8},
                                 "error_y": {"type": "data", "symmetric": False,
                                             "array": [(per[s][2] - per[s][1]) * 1e4 for s in stats],
                                             "arrayminus": [(per[s][1] - per[s][0]) * 1e4 for s in stats]}})
                if data:
                    parts.append(f"<h3>{pt}s: {title_part}, against {truth}</h3>" + chart(_fig(
                        data, {"yaxis": {"title": "RMSE difference x 1e-4", "zeroline": True}})))
        cal = (calibration or {}).get("types", {}).get(pt)
        if cal:
            per_stat = cal["stats"]
            kinds = ["outcome"] + (["talent"] if "talent_cover_80" in next(iter(per_stat.values()))["hfm"] else [])
            for kind in kinds:
                data = []
                for k, (method, label) in enumerate((("hfm", "HFM"), ("baseline", "Marcel baseline"))):
                    for j, level in enumerate(("50", "80")):
                        data.append({"type": "bar", "name": f"{label} {level}%", "x": stats,
                                     "y": [per_stat[s][method][f"{kind}_cover_{level}"] for s in stats],
                                     "marker": {"color": COLORS[k], "opacity": 0.55 if j == 0 else 1.0},
                                     "hovertemplate": f"{label} {level}% %{{x}}: %{{y:.1%}}<extra></extra>"})
                shapes = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": v, "y1": v,
                           "line": {"dash": "dot", "color": "#666"}} for v in (0.5, 0.8)]
                parts.append(f"<h3>{pt}s: coverage of the {kind} intervals (dotted: nominal 50% and 80%)</h3>" + chart(
                    _fig(data, {"barmode": "group", "shapes": shapes, "yaxis": {"tickformat": ".0%", "range": [0, 1]}})))
            rows = []
            for kind in kinds:
                for level in ("50", "80"):
                    rows.append([f"{kind} {level}% interval score, HFM / baseline", *(
                        f"{per_stat[s]['hfm'][f'{kind}_score_{level}']:.4f} / "
                        f"{per_stat[s]['baseline'][f'{kind}_score_{level}']:.4f}" for s in stats)])
            parts.append(_table(["", *stats], rows))
        parts.append("</section>")
    note = ("" if calibration else "<p class='note'>Calibration left out.</p>")
    if notice:  # the training data's (Retrosheet's: every work derived from it carries it)
        note = f"<p class='note'>{html.escape(notice)}</p>" + note
    body = note + "".join(parts)
    script = ("DATA.figs.forEach((f, k) => Plotly.newPlot('fig' + k, f.data, f.layout, "
              "{displayModeBar: false, responsive: true}));")
    subtitle = (f"target mode {card.get('target_mode')}; seasons {_season_split(card.get('seasons') or {})}"
                + (f"; range parameters: {calibration['params_source']}" if calibration else ""))
    return page(title, subtitle, body, {"figs": figs}, script)
