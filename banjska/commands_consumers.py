"""make-data commands for the data's consumers: `codebook` (docs/codebook.md + .html + timeline.png) and
`export` (SQLite, Parquet). Registered on banjska.cli.main when cli.py imports this module."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import emit_json, handle_errors, main, report_check


@main.command()
@click.pass_obj
@click.option("--check", is_flag=True, help="Regenerate in memory and exit 1 naming every committed file that differs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def codebook(root: Path, check: bool, as_json: bool) -> None:
    """Generate docs/codebook.md, docs/codebook.html and docs/timeline.png from the schemas and data."""
    from .codebook import check as do_check, write as do_write

    if check:
        _, differ = do_check(root)
        report_check(differ, as_json, "docs/codebook.* and docs/timeline.png match a fresh generation",
                     "Run `make-data codebook` and commit the result.")
        return
    result = do_write(root)
    if as_json:
        emit_json({"files": sorted(result.files), "changed": result.changed})
        return
    click.echo(f"wrote {len(result.changed)} changed file(s)" + (": " + ", ".join(result.changed) if result.changed
                                                                 else " (codebook already up to date)"), err=True)


@main.command()
@click.pass_obj
@click.argument("package", required=False)
@click.option("--format", "fmt", type=click.Choice(["sqlite", "parquet"]), required=True,
              help="sqlite: one database file with keys and indexes; parquet: one typed file per table.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="SQLite file or Parquet directory (default: build/export/<name>.sqlite or build/export/parquet/).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def export(root: Path, package: str | None, fmt: str, output: Path | None, as_json: bool) -> None:
    """Export PACKAGE (directory, datapackage.json or release .zip; default: this repository's) to SQLite or Parquet."""
    from .export import export as do_export

    written = do_export(package or root, fmt, output, root=root)
    if as_json:
        emit_json({"format": fmt, "files": [str(p) for p in written]})
        return
    for path in written:
        click.echo(str(path))
