"""`make-data check`: build --check, validate, docs fresh and citation files valid, in one command."""

from __future__ import annotations

import sys

import click

from banjska.cli.app import Options, emit_json, handle_errors


@click.command()
@click.pass_obj
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def check(opts: Options, as_json: bool) -> None:
    """Check the project: committed data match a fresh build, the package is valid, the codebook is fresh,
    and the citation files are valid and current. Exit 1 naming every step that fails."""
    from banjska.release.check import check_project

    result = check_project(opts.project())
    if as_json:
        emit_json({"project": str(result.root), "ok": result.ok, "steps": [s.as_dict() for s in result.steps]})
    else:
        for step in result.steps:
            click.echo(f"{'ok  ' if step.ok else 'FAIL'} {step.name}: {step.detail}", err=True)
        click.echo(f"{result.root}: {'all checks pass' if result.ok else 'some checks fail'}", err=True)
    sys.exit(0 if result.ok else 1)
