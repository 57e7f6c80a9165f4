"""The `make-data` group and what every command shares: error handling, JSON output, `--check` rendering.

Each command parses its options, calls one library function and renders the result; library errors
become one `Error: ...` line and an exit code (0 ok, 1 data invalid / step failed, 2 usage or
environment, 3 a bug). Commands act on the path given, else on the package or project found by
searching upward from the working directory (banjska.project), never on the install location.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from banjska import __version__
from banjska.errors import INTERNAL_ERROR_EXIT, MakeDataError


@dataclass
class Options:
    """Group-level options every command sees (`click.pass_obj`)."""

    root: Path | None = None
    debug: bool = False
    on_reading: Callable[[], object] | None = None  # run by validate once files are being read (console.py)

    def project(self) -> Path:
        """The dataset project: --root, else the nearest one above the working directory."""
        from banjska.project import find_project

        return find_project(self.root)

    def package(self, path: str | Path | None) -> str | Path:
        """The package: PATH, else --root, else the nearest datapackage.json above the working directory."""
        from banjska.project import find_package

        return find_package(path if path is not None else self.root)


def handle_errors(func):
    """Turn library errors into one clear line; a crash is reported as a bug, never as invalid data. A command
    run with --json still prints its one JSON document on stdout: {"ok": false, "error": ..., "exit_code": ...}."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        def fail(message: str, code: int) -> None:
            if kwargs.get("as_json"):
                emit_json({"ok": False, "error": message, "exit_code": code})
            click.echo(f"Error: {message}", err=True)
            sys.exit(code)

        try:
            return func(*args, **kwargs)
        except MakeDataError as exc:
            fail(exc.one_line(), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): say so where it can still be read
            _quiet_stdout()
            click.echo("Error: the output was closed before make-data finished writing it (a pipe into head?).",
                       err=True)
            sys.exit(2)
        except OSError as exc:  # the environment, not the data: disk full, read-only target, permissions
            where = f" {exc.filename}" if exc.filename else ""
            fail(f"cannot write or read{where}: {exc.strerror or exc}. {_os_hint(exc)}", 2)
        except RecursionError:
            fail("the input is nested too deeply to process. Flatten it.", 2)
        except Exception as exc:  # noqa: BLE001 - last line of defence: a bug, reported as one
            ctx = click.get_current_context(silent=True)
            if ctx is not None and isinstance(ctx.obj, Options) and ctx.obj.debug:
                traceback.print_exc()
            fail(f"internal error (a bug in make-data, not a problem with your data): {type(exc).__name__}: {exc}. "
                 "Please report it with the output of `make-data --debug ...`.", INTERNAL_ERROR_EXIT)

    return wrapper


def _os_hint(exc: OSError) -> str:
    import errno

    return {errno.ENOSPC: "Free space on that disk, then run the command again.",
            errno.EDQUOT: "Free space (you are over quota), then run the command again.",
            errno.ENOENT: "Check the path: a folder on it does not exist.",
            errno.EACCES: "Fix the permissions, or write somewhere else.",
            errno.EPERM: "Fix the permissions, or write somewhere else.",
            errno.EROFS: "The file system is read-only: write somewhere else."}.get(
        exc.errno, "Fix the path, space or permissions, then run the command again.")


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so that Python's final flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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


def show_version(ctx: click.Context, _param, value: bool) -> None:
    """`--version`: the toolkit's version, and the dataset's of the package at or above the working directory."""
    if not value or ctx.resilient_parsing:
        return
    from banjska.errors import MakeDataError
    from banjska.package.reader import open_package
    from banjska.project import find_package

    click.echo(f"make-data (banjska-events toolkit) {__version__}")
    try:
        with open_package(find_package()) as pkg:
            name, version = pkg.descriptor.get("name", "(unnamed)"), pkg.descriptor.get("version", "(no version)")
            click.echo(f"dataset {name} {version} ({pkg.label})")
    except MakeDataError:
        click.echo("dataset: none (no datapackage.json at or above the working directory)")
    ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
              help="Show the toolkit's version and the dataset's (of the package here) and exit.")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Project (or package) directory to work on (default: the nearest one at or above the "
                   "working directory).")
@click.option("--debug", is_flag=True, help="On an internal error, print the traceback (for bug reports).")
@click.pass_context
def main(ctx: click.Context, root: Path | None, debug: bool) -> None:
    """Build, validate and publish an evidence-anchored Frictionless data package."""
    opts = ctx.ensure_object(Options)  # the console script may pass one with its hooks (console.py)
    opts.root, opts.debug = (root.resolve() if root else None), debug
