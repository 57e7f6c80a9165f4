"""Keep pyarrow from importing pandas while `make-data validate` runs (pandas costs ~0.25 s to import).

pyarrow imports pandas the first time it converts any Python value (`pa.array`, `pa.scalar`, a literal
in a compute call), only to ask whether that value is a pandas object. The arrow engine never hands
pyarrow a pandas object, so the console script (cli/console.py, the only importer of this module), lets pyarrow's lazy pandas
shim try pandas once while pandas is hidden: the shim then answers "not a pandas object" without the
import. The shim still imports pandas on any hard need (`to_pandas`, Pandera), so nothing breaks.
"""

from __future__ import annotations

import sys


class _HidePandas:
    """An import hook under which `import pandas` raises ImportError."""

    def find_spec(self, name, path=None, target=None):
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError(f"{name} hidden while validating", name=name)
        return None


def skip_pandas() -> bool:
    """Make pyarrow's soft pandas checks answer False without importing pandas; True if it took effect."""
    if "pandas" in sys.modules:
        return False
    import pyarrow as pa  # here, not at import: the caller imports this module before reading starts

    hook = _HidePandas()
    sys.meta_path.insert(0, hook)
    try:
        pa.array([0])  # the shim's one soft attempt fails, and it remembers that
    finally:
        sys.meta_path.remove(hook)
    return "pandas" not in sys.modules
