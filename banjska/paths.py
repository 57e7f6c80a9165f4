"""Where things live. Every path is resolved from the repository root, never the working directory."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SEEDS = "seeds"
ANNOTATIONS = "annotations"
SCHEMAS = "schemas"
DATA = "data"
METADATA = "metadata/dataset.yaml"
DESCRIPTOR = "datapackage.json"

# Tables in dependency order (a table only references tables before it, or itself).
TABLES = (
    "sources",
    "units",
    "places",
    "actors",
    "events",
    "event_actors",
    "statements",
    "statement_actors",
    "casualties",
    "evidence",
    "enrichment",
)


def schema_path(root: Path, table: str) -> Path:
    return root / SCHEMAS / f"{table}.schema.json"


def data_path(root: Path, table: str) -> Path:
    return root / DATA / f"{table}.csv"
