"""`hfm-train`: with no subcommand (options alone go to `fit`), trains on the default simulated league.

Subcommands are imported lazily so `hfm-train simulate` does not pay for importing torch.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys

import click

from hfm_runtime.errors import HFMInputError, close_progress_bars, exits_on_sigterm, print_error, tracked_stderr

# name -> "module:attribute" of a click command
COMMANDS: dict[str, str] = {
    "simulate": "hfm_train.simulate:simulate_command",
    "marcel": "hfm_train.marcel_report:marcel_command",
    "archetypes": "hfm_train.archetypes:archetypes_command",
    "fit": "hfm_train.fit:fit_command",
    "evaluate": "hfm_train.evaluate:evaluate_command",
    "compare": "hfm_train.evaluate:compare_command",
    "import": "hfm_train.importer:import_command",
    "fetch": "hfm_train.fetch:fetch_command",
    "lahman-check": "hfm_train.lahman_check:lahman_check_command",
    "real-report": "hfm_train.real_eval:real_report_command",
    "calibration": "hfm_train.calibration:calibration_command",
    "join-tracking": "hfm_train.tracking_join:join_tracking_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].startswith("-") and args[0] not in ("--help", "-h"):
            args = ["fit", *args]  # `hfm-train --epochs 5` means `hfm-train fit --epochs 5`
        return super().parse_args(ctx, args)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Train HFM. With no subcommand: `fit` on the default simulated league."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.get_command(ctx, "fit"))


# a full disk, a read-only or forbidden folder: one error line, not a traceback (a walkthrough's)
STORAGE_ERRORS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT})


def run_click(command: click.Command, errors: tuple[type[Exception], ...] = (HFMInputError,)) -> None:
    """Run a click command as a console script: `errors` become one `error:` line and exit status 2."""
    # the error line starts a line of its own, after any progress bar; a kill cleans up as an error does
    with tracked_stderr() as stderr, exits_on_sigterm():
        try:
            command(standalone_mode=False)
        except errors as exc:
            print_error(exc)
            sys.exit(2)
        except click.exceptions.Abort:
            close_progress_bars()
            sys.exit(130)
        except OSError as exc:
            if exc.errno not in STORAGE_ERRORS:  # another OSError is a fault: its traceback shows where
                raise
            kept = " (earlier outputs are as they were)" if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT) else ""
            print_error(f"{str(exc.filename) + ': ' if exc.filename else ''}{exc.strerror or exc}{kept}")
            sys.exit(1)
        except click.ClickException as exc:
            close_progress_bars()
            if not stderr.at_line_start:
                stderr.write("\n")
            exc.show()
            sys.exit(exc.exit_code)


def main() -> None:
    # torch's OpenMP threads spin-wait between ops by default. Where the cores are shared (other jobs,
    # or torchrun ranks on one machine) a spinning thread starves the one holding the work: a
    # fine-tuning step measured up to 15x slower with 2 threads than with 1 (benchmarks/thread_wait.py,
    # README "Scale"). Passive waiting keeps the second thread useful and changes no result (the same
    # threads split the same work). Set OMP_WAIT_POLICY yourself to override; it must be set before
    # torch loads, which is why it is set here and the commands are imported lazily.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    run_click(cli)
