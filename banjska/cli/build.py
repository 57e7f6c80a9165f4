"""`make-data build`: seeds + annotations -> data/ and datapackage.json of the project."""

from __future__ import annotations

import click

from banjska.cli.app import Options, emit_json, handle_errors, report_check


@click.command()
@click.pass_obj
@click.option("--check", is_flag=True, help="Rebuild in memory and exit 1 naming every committed file that differs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def build(opts: Options, check: bool, as_json: bool) -> None:
    """Regenerate data/ and datapackage.json from seeds/ and annotations/."""
    from banjska.build.run import build as do_build
    from banjska.build.run import check as do_check

    root = opts.project()
    if check:
        result, differ = do_check(root)
        report_check(differ, as_json, f"{root}: data/ and datapackage.json match a fresh build "
                     f"({result.coverage.summary()})",
                     "Run `make-data build` and commit the result (never edit data/ by hand).",
                     coverage=result.coverage.percent)
        return
    from banjska.validate import validate_package

    result = do_build(root, validate=validate_package)  # every row checked before anything is written
    if as_json:
        emit_json({"project": str(root), "coverage": result.coverage.percent, "rows": result.row_counts,
                   "changed": result.changed})
        return
    click.echo(f"project {root}: {result.coverage.summary()}", err=True)
    for table, n in result.row_counts.items():
        click.echo(f"  {table}: {n} rows", err=True)
    click.echo(f"wrote {len(result.changed)} changed file(s)"
               + (": " + ", ".join(result.changed) if result.changed else ""), err=True)
