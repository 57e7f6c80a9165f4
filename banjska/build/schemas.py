"""Read the Table Schemas in schemas/: the one place a field's type and constraints are written."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from banjska.build.layout import schema_path
from banjska.errors import BuildError, InputError


def read_json(path: Path) -> dict:
    """Read a JSON document with a located message on failure."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", "Save it as UTF-8.", where=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                         "Fix the JSON syntax.", where=str(path)) from None


@cache
def _load(root: str, table: str) -> dict:
    schema = read_json(schema_path(Path(root), table))
    if not isinstance(schema, dict) or "fields" not in schema:
        raise BuildError("not a Table Schema (no 'fields')", where=str(schema_path(Path(root), table)))
    return schema


def load_schema(root: Path, table: str) -> dict:
    return _load(str(root), table)


def field_names(root: Path, table: str) -> list[str]:
    return [f["name"] for f in load_schema(root, table)["fields"]]


def primary_key(root: Path, table: str) -> str:
    return load_schema(root, table)["primaryKey"][0]


def source_text_fields(root: Path, table: str) -> list[str]:
    """Fields whose values must be words of the article (marked "sourceText": true)."""
    return [f["name"] for f in load_schema(root, table)["fields"] if f.get("sourceText")]
