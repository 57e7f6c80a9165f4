"""Build, validate and publish evidence-anchored Frictionless data packages (and the Banjska 2023 dataset).

The library does the work; `banjska.cli` is a thin Click layer over it (`make-data`). Public API:
`load` (typed pandas DataFrames), `validate_package` (a located report), `open_package` (the reader),
`pandera_schemas` and `validate_frames` (Pandera checks for the DataFrames you hold).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("banjska-events")  # one place: pyproject.toml
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"

_LAZY = {"load": "banjska.consume.load", "validate_package": "banjska.validate.core",
         "open_package": "banjska.package.reader", "pandera_schemas": "banjska.validate.frames",
         "validate_frames": "banjska.validate.frames"}


def __getattr__(name: str):
    """Imported on first use, so commands that never load DataFrames skip pandas."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'banjska' has no attribute {name!r}")


__all__ = ["load", "validate_package", "open_package", "pandera_schemas", "validate_frames", "__version__"]
