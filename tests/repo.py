"""Where the repository under test is, and its tables (read from the dataset's own metadata)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TABLES = tuple(yaml.safe_load((ROOT / "metadata" / "dataset.yaml").read_text(encoding="utf-8"))["tables"])
META = yaml.safe_load((ROOT / "metadata" / "dataset.yaml").read_text(encoding="utf-8"))
VERSION = str(META["version"])            # the version the working tree is at (its last release, once published)
RELEASED = str(META["date_released"])      # that version's release date
