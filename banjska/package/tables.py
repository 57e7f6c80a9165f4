"""Read a tabular resource as record batches: text cells (for comparing) or typed values (for loading).

The consumers of a package (load, export, diff, codebook) read tables here, through the one reader
(reader.py), the one CSV parser (csvread.py) and the one type parser (types.py) that validate uses.
A table is handed out in batches of at most `rows` rows with the physical line of each row known;
whole-table consumers simply collect the batches (`read_table`, `read_text_table`). Anything these
readers cannot read faithfully (bad encoding, unparseable CSV, ragged rows, a header that is not the
schema's fields, a cell that is not of its type) raises DataInvalid naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from banjska.errors import DataInvalid
from banjska.package import csvread
from banjska.package.reader import Package
from banjska.package.types import parse

BATCH_ROWS = 1 << 16


@dataclass
class Batch:
    """Rows `first_row` .. `first_row + num_rows - 1` of a table: one array per schema field."""

    first_row: int
    columns: dict[str, pa.Array]
    lines: np.ndarray  # physical line (1-based) of each row in the file

    @property
    def num_rows(self) -> int:
        return len(self.lines)


def _fail(message: str, file: str, line: int | None = None, hint: str = "Run `make-data validate` on the package.") -> None:
    raise DataInvalid(message, hint, where=f"{file}:{line}" if line else file)


def _raw(package: Package, res: dict, schema: dict) -> tuple[csvread.RawTable, dict[str, int], str]:
    file = res.get("path")
    if not isinstance(file, str):
        _fail("the resource has no single file path (inline and multipart data are not read)", res["name"])
    data = package.data(file)
    body, issues = csvread.decode_check(data, file, res["name"], res.get("encoding", "utf-8"))
    if issues:
        _fail(issues[0].message, file)
    if not csvread.is_utf8(body):
        found = csvread.utf8_issue(body, file, res["name"])
        _fail(found[0].message if found else "the file is not valid UTF-8", file, found[0].line if found else None)
    raw = csvread.parse(body, csvread.Dialect.from_descriptor(res.get("dialect")))
    if raw.parse_error:
        _fail(f"cannot parse the CSV: {raw.parse_error}", file)
    names = [f["name"] for f in schema["fields"]]
    if raw.dialect.header and raw.header != names:
        _fail(f"header {raw.header} does not match the schema's fields {names}", file, 1,
              "Columns must be the schema's fields in schema order.")
    if raw.ragged:
        line, cells = raw.ragged_rows()[0]
        _fail(f"row has {cells} cells, the schema has {len(names)} fields", file, line)
    return raw, {n: i for i, n in enumerate(names)}, file


def text_batches(package: Package, res: dict, schema: dict, rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """The table's cells as text, in batches of at most `rows` rows."""
    raw, index, _ = _raw(package, res, schema)
    table = raw.table
    n = table.num_rows if table is not None else 0
    for start in range(0, n, rows):
        stop = min(n, start + rows)
        cols = {name: table.column(i).slice(start, stop - start).combine_chunks() for name, i in index.items()}
        yield Batch(start, cols, raw.line_of(np.arange(start, stop)))


def typed_batches(package: Package, res: dict, schema: dict, rows: int = BATCH_ROWS) -> Iterator[Batch]:
    """The table's values typed by its Table Schema, in batches; a cell that does not parse raises."""
    default_missing = schema.get("missingValues", [""])
    file = res.get("path") or res["name"]
    for batch in text_batches(package, res, schema, rows):
        typed = {}
        for f in schema["fields"]:
            text = batch.columns[f["name"]]
            parsed = parse(text, f, f.get("missingValues", default_missing))
            bad = np.flatnonzero(parsed.invalid.to_numpy(zero_copy_only=False))
            if len(bad):
                _fail(f"column {f['name']}: value {text[int(bad[0])].as_py()!r} is not a valid {f.get('type', 'any')}",
                      file, int(batch.lines[bad[0]]))
            typed[f["name"]] = parsed.typed
        yield Batch(batch.first_row, typed, batch.lines)


def _collect(batches: Iterator[Batch], schema: dict, text: bool) -> pa.Table:
    parts = list(batches)
    names = [f["name"] for f in schema["fields"]]
    if not parts:
        empty = {n: pa.array([], pa.string()) for n in names} if text else \
            {f["name"]: parse(pa.array([], pa.string()), f, [""]).typed for f in schema["fields"]}
        return pa.table(empty)
    return pa.table({n: pa.chunked_array([p.columns[n] for p in parts]) for n in names})


def read_table(package: Package, res: dict, schema: dict) -> pa.Table:
    """The whole table, typed (the batches collected)."""
    return _collect(typed_batches(package, res, schema), schema, text=False)


def read_text_table(package: Package, res: dict, schema: dict) -> pa.Table:
    """The whole table as text cells (the batches collected)."""
    return _collect(text_batches(package, res, schema), schema, text=True)
