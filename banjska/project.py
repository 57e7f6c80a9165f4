"""Which package or project a command acts on: the path given, else the nearest one above the working
directory (found the way git finds its repository), never the place the toolkit is installed.

A *package* is a directory holding `datapackage.json` (or a descriptor path, or a release zip); a
*project* is a directory holding `metadata/dataset.yaml`, the maintainer's tree of seeds, annotations
and schemas from which `make-data build` makes the package.
"""

from __future__ import annotations

from pathlib import Path

from banjska.errors import InputError

DESCRIPTOR = "datapackage.json"
PROJECT_MARKER = "metadata/dataset.yaml"


def _upward(start: Path | None, marker: str, what: str, hint: str) -> Path:
    """The nearest directory at or above `start` (default: the working directory) holding `marker`."""
    here = (Path.cwd() if start is None else start).resolve()
    for folder in (here, *here.parents):
        if (folder / marker).is_file():
            return folder
    raise InputError(f"no {what} in {here} or any directory above it", hint)


def find_package(path: str | Path | None = None, start: Path | None = None) -> str | Path:
    """The package to act on: `path` as given (a URL stays text, to be refused by name), else the nearest
    directory at or above `start` (default: the working directory) that holds a datapackage.json."""
    if path is not None:
        return path
    return _upward(start, DESCRIPTOR, DESCRIPTOR,
                   "Run the command inside a data package, or pass the package's directory, its "
                   "datapackage.json or a release .zip.")


def find_project(path: str | Path | None = None, start: Path | None = None) -> Path:
    """The dataset project to act on: `path` as given, else the nearest directory at or above `start`
    (default: the working directory) that holds metadata/dataset.yaml."""
    if path is not None:
        root = Path(path)
        if not (root / PROJECT_MARKER).is_file():
            raise InputError(f"{root} is not a dataset project (no {PROJECT_MARKER})",
                             "Pass the project's top directory (the one holding seeds/, annotations/ and metadata/).")
        return root.resolve()
    return _upward(start, PROJECT_MARKER, f"dataset project ({PROJECT_MARKER})",
                   "Run the command inside the project (the folder holding seeds/, annotations/ and "
                   "metadata/), or pass --root.")
