"""Before/after table of `benchmarks/test_real.py` runs (`make bench-real`), as docs/benchmarks.md gives it.

    python benchmarks/real_before_after.py --before B1.json B2.json --after A1.json A2.json > table.md

Runs are paired in order (before 1 with after 1, ...): run them alternated on the same machine (the
command in docs/benchmarks.md), so each ratio compares two runs made minutes apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib.summary import REAL_TARGET_S  # noqa: E402

ORDER = ("import one season", "store cold build, one season", "batter warm", "pitcher warm",
         "batter warm, Graph 2 run", "pitcher warm, Graph 2 run", "batter cold", "pitcher cold", "daily update",
         "daily update, first after a cold build", "league warm", "league History")


def medians(path: Path) -> dict[str, tuple[float, dict]]:
    return {b["extra_info"]["what"]: (b["stats"]["median"], b["extra_info"]) for b in json.loads(path.read_text())["benchmarks"]}


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1e3:.2f} ms" if seconds < 0.1 else f"{seconds:.3f} s" if seconds < 10 else f"{seconds:.1f} s"


def table(before: list[Path], after: list[Path]) -> str:
    b, a = [medians(p) for p in before], [medians(p) for p in after]
    runs = " / ".join(f"run {i + 1}" for i in range(len(b)))
    out = [f"| what | size | before ({runs}) | after ({runs}) | after / before | target | met (after, every run) |",
           "|---|---|---|---|---|---|---|"]
    for what in ORDER:
        bs = [r.get(what, (None, {}))[0] for r in b]
        as_ = [r.get(what, (None, {}))[0] for r in a]
        if all(x is None for x in bs + as_):
            continue
        info = next((r[what][1] for r in a + b if what in r), {})
        size = ", ".join(f"{info[k]:,} {k}" for k in ("players", "games", "pitches") if k in info)
        ratio = " / ".join("–" if x is None or y is None else f"{y / x:.2f}×" for x, y in zip(bs, as_))
        target = REAL_TARGET_S.get(what)
        met = "–" if target is None else "yes" if all(x is not None and x <= target for x in as_) else (
            "no" if all(x is not None and x > target for x in as_) else "in some runs")
        out.append(f"| {what} | {size} | {' / '.join(map(_fmt, bs))} | {' / '.join(map(_fmt, as_))} | {ratio} | "
                   f"{'–' if target is None else '≤ ' + _fmt(target)} | {met} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, nargs="+", required=True)
    parser.add_argument("--after", type=Path, nargs="+", required=True)
    args = parser.parse_args(argv)
    if len(args.before) != len(args.after):
        parser.error("give as many --before runs as --after runs (they are paired in order)")
    sys.stdout.write(table(args.before, args.after))


if __name__ == "__main__":
    main()
