"""Optional dependencies: the base install builds, validates, loads and exports; a few commands need an
extra (pyproject.toml [project.optional-dependencies]). `require` imports one at the point of use and,
when it is missing, raises an InputError (exit 2) that names the extra to install.

    matplotlib = require("matplotlib", "docs")   # make-data codebook: docs/timeline.png
"""

from __future__ import annotations

import importlib
from types import ModuleType

from banjska.errors import InputError

DISTRIBUTION = "banjska-events"  # the name pip knows this project by (pyproject.toml [project].name)


def require(module: str, extra: str) -> ModuleType:
    """Import and return `module`; if it cannot be imported, say which extra of this project provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise InputError(f"this command needs the optional dependency {module}, which is not installed"
                         + ("" if _plainly_missing(exc, module) else f" or cannot be imported ({exc})"),
                         f"Install it with: pip install '{DISTRIBUTION}[{extra}]'") from exc


def _plainly_missing(exc: ImportError, module: str) -> bool:
    """True when the module itself is absent (rather than present but broken, e.g. a missing dependency of it)."""
    name = getattr(exc, "name", None)
    return name is None or name == module or name == module.split(".")[0] or module.startswith(name + ".")
