"""`make-data`: a thin command line over the library. Each command parses options, calls one library
function and renders its result; library errors become one `Error: ...` line and an exit code
(0 ok, 1 data invalid / step failed, 2 usage or unreadable input, 3 internal error)."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import INTERNAL_ERROR_EXIT, MakeDataError
from .paths import ROOT


DEBUG = {"on": False}
OWN_PROCESS = {"on": False}  # set by the console script (`run`), never by in-process callers such as tests


def handle_errors(func):
    """Turn library errors into one clear line; a crash is reported as a bug, never as invalid data."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except MakeDataError as exc:
            click.echo(f"Error: {exc.one_line()}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - last line of defence: a bug, reported as one
            click.echo(f"Error: internal error (a bug in make-data, not a problem with your data): "
                       f"{type(exc).__name__}: {exc}. Please report it with the output of `make-data --debug ...`.", err=True)
            if DEBUG["on"]:
                traceback.print_exc()
            sys.exit(INTERNAL_ERROR_EXIT)

    return wrapper


def emit_json(doc: object) -> None:
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))


def report_check(differ: list[str], as_json: bool, up_to_date: str, fix: str, **extra) -> None:
    """Render a `--check` result (shared by build and codebook); exit 1 naming every differing file."""
    if as_json:
        emit_json({"up_to_date": not differ, "differ": differ, **extra})
    elif not differ:
        click.echo(f"up to date: {up_to_date}", err=True)
    else:
        click.echo("Error: these files differ from a fresh generation: " + ", ".join(differ) + f". {fix}", err=True)
    if differ:
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="make-data")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=ROOT, show_default=False,
              help="Repository root to work on (default: the checkout this tool is installed from).")
@click.option("--debug", is_flag=True, help="On an internal error, print the traceback (for bug reports).")
@click.pass_context
def main(ctx: click.Context, root: Path, debug: bool) -> None:
    """Build, validate and publish the Banjska 2023 event data package."""
    DEBUG["on"] = debug
    ctx.obj = root.resolve()


@main.command()
@click.pass_obj
@click.option("--check", is_flag=True, help="Rebuild in memory and exit 1 naming every committed file that differs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def build(root: Path, check: bool, as_json: bool) -> None:
    """Regenerate data/ and datapackage.json from seeds/ and annotations/."""
    from .build import build as do_build, check as do_check

    if check:
        result, differ = do_check(root)
        report_check(differ, as_json, f"data/ and datapackage.json match a fresh build ({result.coverage.summary()})",
                     "Run `make-data build` and commit the result (never edit data/ by hand).",
                     coverage=result.coverage.percent)
        return
    result = do_build(root)
    if as_json:
        emit_json({"coverage": result.coverage.percent, "rows": result.row_counts, "changed": result.changed})
        return
    click.echo(result.coverage.summary(), err=True)
    for table, n in result.row_counts.items():
        click.echo(f"  {table}: {n} rows", err=True)
    click.echo(f"wrote {len(result.changed)} changed file(s)" + (": " + ", ".join(result.changed) if result.changed else ""), err=True)


@main.command()
@click.pass_obj
@click.argument("package", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="Report format.")
@click.option("--max-errors", type=click.IntRange(min=1), default=1000, show_default=True, help="Stop after this many errors.")
@click.option("--engine", type=click.Choice(["arrow", "pandera"]), default="arrow", show_default=True,
              help="Run the derived checks directly (arrow) or through the derived Pandera schemas (same results).")
@handle_errors
def validate(root: Path, package: str | None, fmt: str, max_errors: int, engine: str) -> None:
    """Validate PACKAGE (a directory, datapackage.json or release .zip; default: this repository's)."""
    from .report import render_github, render_json, render_text
    from .validate import validate_package

    # This process ends after the report: pyarrow need not import pandas (engine/lean.py).
    report = validate_package(package or root, max_errors=max_errors, engine=engine, lean=OWN_PROCESS["on"])
    renderer = {"text": render_text, "json": render_json, "github": render_github}[fmt]
    click.echo(renderer(report))
    code = 0 if report.valid else 1
    if OWN_PROCESS["on"]:  # the report is out: skip tearing down gigabytes of column buffers (~0.1 s)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


# Commands that live in their own modules register themselves on `main` when imported.
from . import commands_consumers, commands_release  # noqa: E402,F401

def run() -> None:
    """The `make-data` console script: the process is this command's alone (see validate)."""
    OWN_PROCESS["on"] = True
    main()


if __name__ == "__main__":
    run()
