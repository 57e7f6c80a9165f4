"""`make-data validate`: check any Frictionless data package and report every error located."""

from __future__ import annotations

import sys

import click

from banjska.cli.app import Options, emit_json, handle_errors


class Size(click.ParamType):
    """A number of bytes written as 512M, 2G or 1.5G."""

    name = "size"

    def convert(self, value, param, ctx) -> int:
        from banjska.validate.budget import parse_size

        try:
            return value if isinstance(value, int) else parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command()
@click.pass_obj
@click.argument("package", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="Report format.")
@click.option("--max-errors", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Stop after this many errors.")
@click.option("--engine", type=click.Choice(["arrow", "pandera"]), default="arrow", show_default=True,
              help="Run the derived checks directly (arrow) or through the derived Pandera schemas (same results).")
@click.option("--memory", type=Size(), metavar="SIZE", default=None,
              help="Keep memory near SIZE (e.g. 512M, 2G; default 1G): larger tables are checked in batches and "
                   "their key hashes spill to a temporary directory (arrow engine; tables a dataset's rules "
                   "read are held whole).")
@handle_errors
def validate(opts: Options, package: str | None, fmt: str, max_errors: int, engine: str, memory: int | None) -> None:
    """Validate PACKAGE (a directory, datapackage.json or release .zip; default: the nearest package at or
    above the working directory)."""
    from banjska.errors import MakeDataError
    from banjska.report import render_github, render_json, render_text
    from banjska.validate import validate_package

    target = package or "."
    budget = None
    if memory is not None:
        from banjska.validate.budget import Budget

        budget = Budget.of(memory)
    try:  # the console's pandas shortcut (cli/console.py) only for the engine that never needs pandas
        target = opts.package(package)
        report = validate_package(target, max_errors=max_errors, engine=engine,
                                  on_reading=opts.on_reading if engine == "arrow" else None, budget=budget)
    except MakeDataError as exc:  # unreadable input: JSON and GitHub readers still get their document
        if fmt == "json":
            emit_json({"package": str(target), "valid": False, "readable": False, "error": exc.one_line(),
                       "exit_code": exc.exit_code})
        elif fmt == "github":
            click.echo(f"::error title=make-data validate::{exc.one_line()}")
        raise
    renderer = {"text": render_text, "json": render_json, "github": render_github}[fmt]
    click.echo(renderer(report))
    sys.exit(0 if report.valid else 1)
