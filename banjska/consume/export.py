"""Export the package to SQLite (for datasette and SQL users) and Parquet (for typed columnar tools).

Why this exists: many readers never touch CSV. SQLite gets one table per resource with the Table
Schema's primary key, foreign keys (checked on export), NOT NULL / CHECK constraints and an index on every
foreign-key column, so datasette shows links between rows out of the box. Parquet gets one file per table
with the schema's types (date32, time64, int64, bool, float64; string enums as dictionary columns with
their categories in schema order; integer enums stay int64) and each field's description in the Arrow field metadata. Both are derived from the Table
Schemas via `banjska.load`; no column type is written here by hand. Files are written atomically.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sqlite3
import tempfile
from pathlib import Path

from banjska.consume.load import enum_of, load, pandas_dtype
from banjska.consume.progress import Progress
from banjska.errors import DataInvalid, InputError
from banjska.files import write_atomic
from banjska.package.reader import Package, open_package

FORMATS = ("sqlite", "parquet")
SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "year": "INTEGER", "number": "REAL", "boolean": "INTEGER",
             "date": "TEXT", "time": "TEXT", "datetime": "TEXT"}


def default_output(root: Path, fmt: str, name: str) -> Path:
    return root / "build" / "export" / (f"{name}.sqlite" if fmt == "sqlite" else "parquet")


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_literal(value) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value)) if isinstance(value, bool) else str(value)


def _as_list(value) -> list[str]:
    return list(value) if isinstance(value, list) else [value]


def create_table_sql(table: str, schema: dict) -> str:
    """CREATE TABLE from a Table Schema: types, NOT NULL, CHECK (enum, boolean, minimum), PK, FKs."""
    cols = []
    for f in schema["fields"]:
        kind = f.get("type", "any")
        c = f.get("constraints") or {}
        col = f"{quote_ident(f['name'])} {SQL_TYPES.get(kind, 'TEXT')}"
        if c.get("required"):
            col += " NOT NULL"
        if c.get("unique") and _as_list(schema.get("primaryKey", [])) != [f["name"]]:
            col += " UNIQUE"
        checks = []
        if kind == "boolean":
            checks.append(f"{quote_ident(f['name'])} IN (0, 1)")
        if enum_of(f):
            checks.append(f"{quote_ident(f['name'])} IN ({', '.join(sql_literal(v) for v in enum_of(f))})")
        if "minimum" in c and kind in ("integer", "number"):
            checks.append(f"{quote_ident(f['name'])} >= {c['minimum']}")
        if "maximum" in c and kind in ("integer", "number"):
            checks.append(f"{quote_ident(f['name'])} <= {c['maximum']}")
        for check in checks:
            col += f" CHECK ({check})"
        cols.append(col)
    if schema.get("primaryKey"):
        cols.append(f"PRIMARY KEY ({', '.join(quote_ident(k) for k in _as_list(schema['primaryKey']))})")
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref.get("resource") or table
        cols.append(f"FOREIGN KEY ({', '.join(quote_ident(k) for k in _as_list(fk['fields']))}) REFERENCES "
                    f"{quote_ident(target)} ({', '.join(quote_ident(k) for k in _as_list(ref['fields']))})")
    return f"CREATE TABLE {quote_ident(table)} (\n  " + ",\n  ".join(cols) + "\n)"


def index_sql(table: str, schema: dict) -> list[str]:
    """One index per foreign-key column set (SQLite does not index them itself)."""
    out = []
    for fk in schema.get("foreignKeys", []):
        fields = _as_list(fk["fields"])
        name = f"idx_{table}_{'_'.join(fields)}"
        out.append(f"CREATE INDEX {quote_ident(name)} ON {quote_ident(table)} "
                   f"({', '.join(quote_ident(k) for k in fields)})")
    return out


def sql_value(value):
    """A typed pandas cell as an SQLite value: None for missing, ISO text for dates/times, 0/1 for booleans."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def write_sqlite(package: Package, tables: dict, target: Path, progress: Progress) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp, isolation_level=None)  # explicit transactions below
        try:
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("BEGIN")
            con.execute("PRAGMA defer_foreign_keys = ON")  # self-references may point at later rows
            for res in package.table_resources():
                name = res["name"]
                progress.step(f"sqlite {name}")
                schema = package.schema(res)
                con.execute(create_table_sql(name, schema))
                for stmt in index_sql(name, schema):
                    con.execute(stmt)
                frame = tables[name]
                cols = [f["name"] for f in schema["fields"]]
                rows = [tuple(sql_value(v) for v in rec) for rec in frame[cols].itertuples(index=False, name=None)]
                con.executemany(f"INSERT INTO {quote_ident(name)} VALUES ({', '.join('?' * len(cols))})", rows)
            con.execute("COMMIT")
            broken = con.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DataInvalid(f"foreign key check failed in SQLite: {broken[:5]}", "Run `make-data validate`.")
            con.execute("VACUUM")
        finally:
            con.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except sqlite3.IntegrityError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise DataInvalid(f"SQLite rejected the data: {exc}", "Run `make-data validate`.") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def arrow_schema(schema: dict):
    """The Arrow schema of one table, from its Table Schema via the loader's pandas dtypes."""
    import pandas as pd
    import pyarrow as pa

    fields = []
    for f in schema["fields"]:
        dtype = pandas_dtype(schema, f)
        if isinstance(dtype, pd.CategoricalDtype) and f.get("type") == "integer":
            typ = pa.int64()  # Parquet readers restore dictionaries of strings only: keep the integer type
        elif isinstance(dtype, pd.CategoricalDtype):
            typ = pa.dictionary(pa.int32(), pa.string(), ordered=bool(dtype.ordered))
        elif isinstance(dtype, pd.ArrowDtype):
            typ = dtype.pyarrow_dtype
        else:
            typ = {"Int64": pa.int64(), "Float64": pa.float64(), "boolean": pa.bool_()}.get(str(dtype), pa.string())
        meta = {"tableschema": json.dumps(f, ensure_ascii=False, sort_keys=True)}
        if f.get("description"):
            meta["description"] = f["description"]
        required = bool((f.get("constraints") or {}).get("required"))
        fields.append(pa.field(f["name"], typ, nullable=not required, metadata=meta))
    return pa.schema(fields)


def parquet_bytes(schema: dict, frame) -> bytes:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = arrow_schema(schema)
    arrays = []
    for fld, (_, col) in zip(target, frame.items(), strict=True):
        if isinstance(col.dtype, pd.CategoricalDtype) and not pa.types.is_dictionary(fld.type):
            arrays.append(pa.array(col.astype("Int64"), type=fld.type, from_pandas=True))
        elif isinstance(col.dtype, pd.CategoricalDtype):
            cats = pa.array(list(col.cat.categories), type=fld.type.value_type)
            arrays.append(pa.DictionaryArray.from_arrays(pa.array(col.cat.codes.to_numpy(), type=pa.int32(),
                                                                  mask=(col.cat.codes.to_numpy() == -1)), cats,
                                                         ordered=fld.type.ordered))
        else:
            arrays.append(pa.array(col, type=fld.type, from_pandas=True))
    table = pa.Table.from_arrays(arrays, schema=target)
    table = table.replace_schema_metadata({"tableschema": json.dumps(schema, ensure_ascii=False, sort_keys=True)})
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def write_parquet(package: Package, tables: dict, target: Path, progress: Progress) -> list[Path]:
    if target.exists() and not target.is_dir():
        raise InputError(f"{target} exists and is not a directory", "Parquet export writes one file per table into a directory.")
    out = []
    for res in package.table_resources():
        name = res["name"]
        progress.step(f"parquet {name}")
        path = target / f"{name}.parquet"
        write_atomic(path, parquet_bytes(package.schema(res), tables[name]))
        out.append(path)
    return out


def export(source: str | Path, fmt: str, output: Path | None = None, validate: bool = True) -> list[Path]:
    """Export the package at `source` as `fmt` ("sqlite" or "parquet"); return the files written.

    `output` is the SQLite file or the Parquet directory; default under `build/export/` in the working
    directory. The package is validated first unless `validate=False`.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}", f"Use one of {', '.join(FORMATS)}.")
    with open_package(source) as package:
        name = str(package.descriptor.get("name") or "package")
        target = Path(output) if output else default_output(Path.cwd(), fmt, name)
        with Progress(f"export {fmt}", total=len(package.table_resources()) + 1) as progress:
            progress.step("loading the package")
            tables = load(source, validate=validate)
            if fmt == "sqlite":
                write_sqlite(package, tables, target, progress)
                return [target]
            return write_parquet(package, tables, target, progress)
