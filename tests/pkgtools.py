"""Small helpers for tests that edit a package on purpose: read/write CSV rows, set a cell, re-hash.

Rows are rewritten with the csv module exactly as make-data build writes them (UTF-8, LF, minimal
quoting), so an edit changes only the cell it targets. Line numbers are physical CSV lines (header = 1),
computed from the written text, not from the validator.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path

csv.field_size_limit(sys.maxsize)  # tests write cells of many megabytes on purpose


def csv_of(root: Path, table: str) -> Path:
    """The CSV file of `table` in the package at `root`."""
    return root / "data" / f"{table}.csv"


def schema_of(root: Path, table: str) -> dict:
    """The Table Schema of `table` in the package at `root`."""
    return json.loads((root / "schemas" / f"{table}.schema.json").read_text(encoding="utf-8"))


def csv_rows(root: Path, table: str) -> list[dict[str, str]]:
    """The data rows of `table` as {column: cell text}."""
    header, rows = read_rows(csv_of(root, table))
    return [dict(zip(header, r, strict=True)) for r in rows]


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, data rows) of a CSV file."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.chmod(0o644)
    path.write_bytes(out.getvalue().encode("utf-8"))


def line_of(path: Path, row: int) -> int:
    """Physical line (1-based, header = 1) where 0-based data row `row` starts."""
    header, rows = read_rows(path)
    line = 2 + sum(c.count("\n") for c in header)
    for r in rows[:row]:
        line += 1 + sum(c.count("\n") for c in r)
    return line


def find_row(path: Path, column: str, value: str) -> int:
    """0-based index of the only data row whose `column` equals `value`."""
    header, rows = read_rows(path)
    i = header.index(column)
    hits = [n for n, r in enumerate(rows) if r[i] == value]
    assert len(hits) == 1, f"{len(hits)} rows of {path.name} have {column}={value!r}"
    return hits[0]


def get_cell(path: Path, row: int, column: str) -> str:
    header, rows = read_rows(path)
    return rows[row][header.index(column)]


def set_cell(path: Path, row: int | tuple[str, str], column: str, value: str) -> int:
    """Set one cell; `row` is a 0-based data row or (key column, key value). Returns the cell's line.

    Insists that the value actually changes, so a test cannot silently corrupt nothing.
    """
    if isinstance(row, tuple):
        row = find_row(path, *row)
    header, rows = read_rows(path)
    i = header.index(column)
    assert rows[row][i] != value, f"{path.name} row {row} {column} is already {value!r}"
    rows[row][i] = value
    write_rows(path, header, rows)
    return line_of(path, row)


def set_table_cell(root: Path, table: str, row: int | tuple[str, str], column: str, value: str) -> int:
    """`set_cell` on the CSV of `table` in the package at `root`. Returns the cell's line."""
    return set_cell(csv_of(root, table), row, column, value)


def rehash(package_dir: Path, names: list[str] | None = None) -> None:
    """Update `bytes` and `hash` (sha256) of the package's file resources (all, or those named)."""
    desc_path = package_dir / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if names is not None and res.get("name") not in names:
            continue
        if not isinstance(res.get("path"), str):
            continue
        data = (package_dir / res["path"]).read_bytes()
        if "bytes" in res or names is not None:
            res["bytes"] = len(data)
        if "hash" in res or names is not None:
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    desc_path.chmod(0o644)
    desc_path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def zip_package(root: Path, zpath: Path) -> Path:
    """A release-shaped zip of the package at `root`: datapackage.json plus data/, schemas/, seeds/."""
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.write(root / "datapackage.json", "datapackage.json")
        for folder in ("data", "schemas", "seeds"):
            for p in sorted(p for p in (root / folder).rglob("*") if p.is_file()):
                zf.write(p, p.relative_to(root).as_posix())
    return zpath
