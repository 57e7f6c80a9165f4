"""Where a dataset project keeps its parts, relative to the project root (see banjska.project).

The tables and their order are the dataset's own: the `tables:` mapping of metadata/dataset.yaml
(in dependency order: a table only references tables before it, or itself).
"""

from pathlib import Path

SEEDS = "seeds"
ANNOTATIONS = "annotations"
SCHEMAS = "schemas"
DATA = "data"
METADATA = "metadata/dataset.yaml"
METADATA_SCHEMA = "metadata/dataset.schema.json"  # the JSON Schema metadata/dataset.yaml is checked against
DESCRIPTOR = "datapackage.json"


def schema_path(root: Path, table: str) -> Path:
    return root / SCHEMAS / f"{table}.schema.json"


def table_names(meta: dict) -> tuple[str, ...]:
    """The dataset's tables in dependency order, as metadata/dataset.yaml lists them."""
    return tuple(meta["tables"])
