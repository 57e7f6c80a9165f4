"""Project commands of the build stage: `make-data build` (seeds + annotations -> data/ and datapackage.json),
`make-data add-source` (register an article) and `make-data coverage` (sentences coded, per source)."""

from __future__ import annotations

import sys
from pathlib import Path

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
                     project=str(root), coverage=result.coverage.percent)
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


@click.command("add-source")
@click.pass_obj
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--id", "source_id", required=True, help="The new source's id (lowercase letters, digits, '_', '-'), e.g. src-001.")
@click.option("--title", default="", help="The article's title, as published.")
@click.option("--published", default="", help="Publication date, YYYY-MM-DD (empty: unknown).")
@click.option("--url", default="", help="The article's web address (empty: unknown).")
@click.option("--publisher", default="", help="Who published it (empty: unknown).")
@click.option("--language", default="und", show_default=True, help="BCP 47 language tag of the text (und: undetermined).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def add_source(opts: Options, path: Path, source_id: str, title: str, published: str, url: str, publisher: str,
               language: str, as_json: bool) -> None:
    """Register the article at PATH as a new source: copy it into seeds/<id>/, record its hash and metadata,
    and list its sentences for coding in annotations/<id>/excused.yaml."""
    from banjska.build.addsource import add_source as do_add

    root = opts.project()
    added = do_add(root, path, source_id, title=title, published=published, url=url, publisher=publisher,
                   language=language)
    if as_json:
        emit_json({"project": str(root), "source_id": added.source_id, "sha256": added.sha256,
                   "bytes": added.bytes, "sentences": added.sentences, "written": added.files})
        return
    sentences = f"{added.sentences} sentence{'s' if added.sentences != 1 else ''}"
    click.echo(f"project {root}: added source {added.source_id} ({added.bytes} bytes, sha256 {added.sha256[:12]}…, "
               f"{sentences} to code)", err=True)
    click.echo("wrote " + ", ".join(added.files), err=True)
    click.echo(f"next: code its sentences (annotations/{added.source_id}/) and run `make-data coverage`", err=True)


@click.command()
@click.pass_obj
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def coverage(opts: Options, as_json: bool) -> None:
    """Print, per source, how many sentences are cited, excused and still to code; exit 1 while any is to code."""
    from banjska.build.run import coverage_of
    from banjska.errors import DataInvalid

    root = opts.project()
    parts, _ = coverage_of(root, require=False)
    rows = [{"source_id": c.source_id, "sentences": c.total, "cited": c.cited, "excused": c.excused,
             "todo": len(c.todo), "percent": round(c.percent, 1), "todo_units": list(c.todo)} for c in parts]
    todo = sum(r["todo"] for r in rows)
    if as_json:
        emit_json({"project": str(root), "complete": todo == 0, "sources": rows})
    else:
        click.echo(f"{'source':<20} {'sentences':>9} {'cited':>6} {'excused':>7} {'to code':>7} {'coverage':>8}")
        for r in rows:
            click.echo(f"{r['source_id']:<20} {r['sentences']:>9} {r['cited']:>6} {r['excused']:>7} {r['todo']:>7} "
                       f"{r['percent']:>7.1f}%")
    if todo:  # the report is printed (one JSON document with --json); the verdict goes to stderr
        first = next(r for r in rows if r["todo"])
        error = DataInvalid(f"{todo} sentence(s) neither coded nor excused; first: source {first['source_id']} "
                            + ", ".join(first["todo_units"][:5]),
                            f"Cite them from records' evidence or excuse them in annotations/{first['source_id']}/"
                            "excused.yaml.", where=str(root))
        click.echo(f"Error: {error.one_line()}", err=True)
        sys.exit(error.exit_code)
