"""make-data commands of the release stage: bump, publish, diff, cite (they act on the project)."""

from __future__ import annotations

import click

from banjska.cli.app import Options, emit_json, handle_errors


@click.command()
@click.pass_obj
@click.option("--dry-run", is_flag=True, help="Check everything and show what would be written; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def publish(opts: Options, dry_run: bool, as_json: bool) -> None:
    """Validate, then write the release for the version in metadata/dataset.yaml to dist/."""
    from banjska.release.publish import publish as do_publish

    root = opts.project()

    result = do_publish(root, dry_run=dry_run)
    if as_json:
        emit_json(result.as_dict())
        return
    where = f"{result.folder}/{result.zip_name}"
    since = f" ({result.bump} bump over {result.previous})" if result.previous else " (first release)"
    if result.status == "unchanged":
        click.echo(f"already published as {result.version}: {where} holds the same dataset; nothing written "
                   f"(sha256 {result.zip_sha256})", err=True)
        if result.documents_changed:
            click.echo("  documents that differ from the published ones (they go out with the next version): "
                       + ", ".join(result.documents_changed), err=True)
    elif result.status == "dry-run":
        click.echo(f"dry run: would write {where} ({result.zip_bytes} bytes, sha256 {result.zip_sha256}) "
                   f"and {result.folder}/SHA256SUMS{since}", err=True)
        for entry in result.entries:
            click.echo(f"  {entry}", err=True)
    else:
        click.echo(f"published {result.name} {result.version}{since}: {where} "
                   f"({result.zip_bytes} bytes, sha256 {result.zip_sha256}) and {result.folder}/SHA256SUMS", err=True)
    for reason in result.reasons:
        click.echo(f"  change: {reason}", err=True)
    if result.citation_files:
        verb = "would update" if result.status == "dry-run" else "updated"
        click.echo(f"{verb} {', '.join(result.citation_files)}", err=True)


@click.command()
@click.pass_obj
@click.option("--level", type=click.Choice(["major", "minor", "patch"]), default=None,
              help="Bump at least this much (default: the smallest level the changes need; never lower).")
@click.option("--date", "date", metavar="YYYY-MM-DD", default=None,
              help="Release date for created / date_released (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@handle_errors
def bump(opts: Options, level: str | None, date: str | None, as_json: bool) -> None:
    """Set the next version from the changes since the last release, rebuild, and draft its CHANGELOG entry.

    Writes version, created and date_released in metadata/dataset.yaml (those lines only), rebuilds
    data/, datapackage.json and the codebook, and inserts the drafted entry below `## [Unreleased]` in
    CHANGELOG.md. Edit the entry, then run `make-data publish`.
    """
    from banjska.release.bump import bump as do_bump

    result = do_bump(opts.project(), level=level, date=date)
    if as_json:
        emit_json(result.as_dict())
        return
    why = f"changes need {result.implied}" + (f", raised to {result.level}" if result.level != result.implied else "")
    click.echo(f"bumped {result.previous} -> {result.version} ({why}), dated {result.date}", err=True)
    for reason in result.reasons:
        click.echo(f"  change: {reason}", err=True)
    if result.changed:
        click.echo(f"wrote {', '.join(result.changed)}", err=True)
    click.echo(f"\nCHANGELOG.md draft (edit it, then run `make-data publish`):\n\n{result.changelog}", err=True, nl=False)


@click.command()
@click.pass_obj
@click.argument("old", required=False, default="last")
@click.argument("new", required=False, default="current")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")
@click.option("--changelog", is_flag=True, help="Print only the drafted CHANGELOG entry (Markdown).")
@click.option("--no-validate", is_flag=True, help="Compare without validating both packages first.")
@handle_errors
def diff(opts: Options, old: str, new: str, as_json: bool, changelog: bool, no_validate: bool) -> None:
    """Compare two packages (directories, datapackage.json or release zips) and print the implied bump.

    OLD defaults to `last` (the highest release in the project's dist/), NEW to `current` (the project's
    package). Both are validated first; a release's SHA256SUMS is checked when present.
    """
    from banjska.release.diff import changelog_entry, render_text, resolve
    from banjska.release.diff import diff as do_diff

    result = do_diff(resolve(old, opts.project), resolve(new, opts.project), validate=not no_validate)
    if as_json:
        emit_json(result.as_dict())
    elif changelog:
        click.echo(changelog_entry(result), nl=False)
    else:
        click.echo(render_text(result))
        click.echo("\nCHANGELOG draft (make-data diff --changelog):\n")
        click.echo(changelog_entry(result), nl=False)


@click.command()
@click.pass_obj
@click.option("--format", "fmt", type=click.Choice(["text", "bibtex", "cff"]), default="text", show_default=True,
              help="Citation format.")
@handle_errors
def cite(opts: Options, fmt: str) -> None:
    """Print a citation for the current version (from metadata/dataset.yaml)."""
    from banjska.release.citation import cite as do_cite

    root = opts.project()

    click.echo(do_cite(root, fmt))
