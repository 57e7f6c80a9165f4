"""make-data commands for the data's consumers: `codebook` (docs/codebook.md + .html + timeline.png) and
`export` (SQLite, Parquet)."""

from __future__ import annotations

from pathlib import Path

import click

from banjska.cli.app import Options, emit_json, handle_errors, report_check


@click.command()
@click.pass_obj
@click.option("--check", is_flag=True, help="Regenerate in memory and exit 1 naming every committed file that differs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def codebook(opts: Options, check: bool, as_json: bool) -> None:
    """Generate docs/codebook.md, docs/codebook.html and docs/timeline.png of the package (the nearest one
    at or above the working directory, or --root) from its schemas and data."""
    from banjska.consume.codebook import check as do_check
    from banjska.consume.codebook import write as do_write

    root = opts.package(None)

    if check:
        _, differ = do_check(root)
        report_check(differ, as_json, f"{root}: docs/codebook.* and docs/timeline.png match a fresh generation",
                     "Run `make-data codebook` and commit the result.")
        return
    result = do_write(root)
    if as_json:
        emit_json({"files": sorted(result.files), "changed": result.changed})
        return
    click.echo(f"wrote {len(result.changed)} changed file(s)" + (": " + ", ".join(result.changed) if result.changed
                                                                 else " (codebook already up to date)"), err=True)


@click.command()
@click.pass_obj
@click.argument("package", required=False)
@click.option("--format", "fmt", type=click.Choice(["sqlite", "parquet"]), required=True,
              help="sqlite: one database file with keys and indexes; parquet: one typed file per table.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="SQLite file or Parquet directory (default: build/export/<name>.sqlite or build/export/parquet/ "
                   "under the working directory).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--no-validate", is_flag=True, help="Export without validating first (not recommended).")
@handle_errors
def export(opts: Options, package: str | None, fmt: str, output: Path | None, as_json: bool, no_validate: bool) -> None:
    """Export PACKAGE (directory, datapackage.json or release .zip; default: the nearest package at or above
    the working directory) to SQLite or Parquet. The package is validated first."""
    from banjska.consume.export import export as do_export

    written = do_export(opts.package(package), fmt, output, validate=not no_validate)
    if as_json:
        emit_json({"format": fmt, "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(str(path))
