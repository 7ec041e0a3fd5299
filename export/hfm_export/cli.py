"""`hfm-export [RUN_DIR] [--out DIR]`: a training run folder -> a verified ONNX bundle (hfm_export.export)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from hfm_runtime.errors import HFMInputError, stopped
from hfm_train.cli import run_click

from .onnx_graph import MAX_OPSET, MIN_OPSET, OPSET, TOLERANCE, ExportError


@click.command("hfm-export", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("run_dir", type=click.Path(path_type=Path), default=Path("artifacts/runs/default"))
@click.option("--out", type=click.Path(path_type=Path), default=Path("artifacts/bundle"), show_default=True,
              help="Bundle folder to write (replaced atomically; a failed export leaves it untouched).")
@click.option("--tolerance", type=float, default=TOLERANCE, show_default=True,
              help="Max |ONNX Runtime - PyTorch| allowed on every comparison case.")
@click.option("--opset", type=int, default=OPSET, show_default=True,
              help=f"ONNX opset, {MIN_OPSET}-{MAX_OPSET} (from 23 the exporter writes an Attention op whose mask "
                   "ONNX Runtime refuses).")
def cli(run_dir: Path, out: Path, tolerance: float, opset: int) -> None:
    """Export RUN_DIR (default artifacts/runs/default) to an ONNX bundle."""
    from .export import export_run  # torch is imported only when exporting

    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise HFMInputError(f"--opset must be in {MIN_OPSET}..{MAX_OPSET}, got {opset}")
    if not tolerance > 0:  # checked before the export, not after it (nan too)
        raise HFMInputError(f"--tolerance must be above 0, got {tolerance}")
    start = time.perf_counter()
    try:
        manifest = export_run(run_dir, out, tolerance, opset)
    except (KeyboardInterrupt, SystemExit) as exc:  # the bundle is written whole or not at all
        click.echo(f"{stopped(exc)}: nothing was written; {out} is as it was", err=True)
        raise
    worst = {g: max(d.values()) for g, d in manifest["export"]["max_abs_diff"].items()}
    click.echo(f"bundle -> {out}  ({len(manifest['files'])} files, opset {opset}, "
               f"{time.perf_counter() - start:.1f} s)")
    for graph, diff in worst.items():
        click.echo(f"  {graph}: max |onnxruntime - torch| = {diff:.2e} (tolerance {tolerance:g})")


def main() -> None:
    run_click(cli, (HFMInputError, ExportError))
