"""Load the data package into typed pandas DataFrames, with the Table Schemas as the only source of types.

Why this exists: pandas' defaults misread this package (its NA list turns the text "NA" into a missing
value, ids like CAMEO "010" lose their leading zero, dates stay strings), and every consumer would
otherwise re-derive the types by hand. `load()` reads a package directory, a datapackage.json path or a
release zip and returns one DataFrame per table:

    string               -> pandas "string" dtype
    string/integer + enum -> pandas Categorical, categories = the enum in schema order
                            (ordered when the schema says categoriesOrdered)
    integer / year       -> nullable "Int64"
    number               -> nullable "Float64"
    boolean              -> nullable "boolean" (trueValues / falseValues from the schema)
    date                 -> "date32[pyarrow]" (a calendar date, not a timestamp)
    time                 -> "time64[us][pyarrow]"
    datetime             -> "timestamp[us][pyarrow]" (with tz "UTC" when the value carries an offset)
    anything else        -> "string" (the Table Schema text form)

A cell is missing exactly when it equals one of the field's (or else the schema's) missingValues,
default [""]. A cell that cannot be parsed as its type raises `DataInvalid` naming table, line and column:
the loader never turns bad data into NaN silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .errors import DataInvalid, InputError
from .paths import DESCRIPTOR, ROOT

__all__ = ["load", "open_package", "Package", "is_table_resource", "pandas_dtype"]

DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


# --------------------------------------------------------------------------- reading the package files


@dataclass
class Package:
    """A data package opened for reading: its descriptor, resolved schemas and a way to read its files."""

    location: str
    descriptor: dict
    read_bytes: Callable[[str], bytes]
    schemas: dict[str, dict] = field(default_factory=dict)

    def table_resources(self) -> list[dict]:
        return [r for r in self.descriptor.get("resources", []) if is_table_resource(r)]

    def schema(self, resource: dict) -> dict:
        return self.schemas[resource["name"]]


def is_table_resource(resource: dict) -> bool:
    """A tabular resource in either Data Package v1 (profile) or v2 (type) terms."""
    return resource.get("type") == "table" or resource.get("profile") == "tabular-data-resource"


def safe_member(path: str, where: str) -> str:
    """A package-relative POSIX path that cannot leave the package (no absolute path, no '..', no URL)."""
    if not isinstance(path, str) or not path:
        raise InputError(f"resource path {path!r} is not a relative file path", where=where)
    if "://" in path:
        raise InputError(f"remote resource path {path} is not supported", "Download it next to the descriptor.",
                         where=where)
    norm = posixpath.normpath(path.replace("\\", "/"))
    if norm.startswith("/") or norm == ".." or norm.startswith("../") or re.match(r"^[A-Za-z]:", norm):
        raise InputError(f"unsafe path {path!r} escapes the package", where=where)
    return norm


def _parse_json(data: bytes, where: str) -> dict:
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", where=where) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where=where) from None
    if not isinstance(doc, dict):
        raise InputError("not a JSON object", where=where)
    return doc


def _zip_reader(path: Path) -> tuple[dict, Callable[[str], bytes]]:
    """Read a release zip in memory; refuse archives with members that would escape on extraction."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable zip archive: {exc}", where=str(path)) from None
    names = set()
    for info in zf.infolist():
        safe_member(info.filename.rstrip("/") or ".", f"{path} member {info.filename}")
        names.add(posixpath.normpath(info.filename))
    if DESCRIPTOR not in names:
        raise InputError(f"no {DESCRIPTOR} at the top level of the archive",
                         "A release zip holds datapackage.json, data/ and schemas/ at its top level.", where=str(path))

    def read(member: str) -> bytes:
        if member not in names:
            raise InputError(f"{member} is not in the archive", where=str(path))
        return zf.read(member)

    return _parse_json(read(DESCRIPTOR), f"{path}!{DESCRIPTOR}"), read


def _dir_reader(base: Path, descriptor_path: Path) -> tuple[dict, Callable[[str], bytes]]:
    try:
        raw = descriptor_path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {descriptor_path}: {exc.strerror}") from None

    def read(member: str) -> bytes:
        try:
            return (base / member).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {member}: {exc.strerror}", where=str(base)) from None

    return _parse_json(raw, str(descriptor_path)), read


def open_package(source: str | Path | None = None) -> Package:
    """Open a package directory, a datapackage.json path or a release zip (default: this repository)."""
    path = Path(source) if source is not None else ROOT
    if path.is_dir():
        path = path / DESCRIPTOR
    if not path.exists():
        raise InputError(f"no data package at {path}", "Pass a package directory, its datapackage.json or a release zip.")
    if path.suffix.lower() == ".zip":
        descriptor, read = _zip_reader(path)
    else:
        descriptor, read = _dir_reader(path.parent, path)
    package = Package(str(path), descriptor, read)
    for res in package.table_resources():
        where = f"{path} resource {res.get('name')}"
        schema = res.get("schema")
        if isinstance(schema, str):
            schema = _parse_json(read(safe_member(schema, where)), f"{path}!{schema}")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            raise InputError("resource has no Table Schema with 'fields'", where=where)
        package.schemas[res["name"]] = schema
    return package


# --------------------------------------------------------------------------- types from the schema


def enum_of(fld: dict) -> list | None:
    enum = (fld.get("constraints") or {}).get("enum")
    return list(enum) if enum else None


def missing_values(schema: dict, fld: dict) -> set[str]:
    return set(fld.get("missingValues", schema.get("missingValues", [""])))


def pandas_dtype(schema: dict, fld: dict):
    """The pandas dtype a field loads as, derived from its Table Schema type and constraints alone."""
    import pandas as pd
    import pyarrow as pa

    enum = enum_of(fld)
    kind = fld.get("type", "any")
    if enum is not None and kind in ("string", "integer"):
        cats = [int(v) for v in enum] if kind == "integer" else [str(v) for v in enum]
        ordered = bool(fld.get("categoriesOrdered", schema.get("categoriesOrdered", False)))
        return pd.CategoricalDtype(pd.Index(cats, dtype="int64" if kind == "integer" else "string"), ordered=ordered)
    if kind in ("integer", "year"):
        return pd.Int64Dtype()
    if kind == "number":
        return pd.Float64Dtype()
    if kind == "boolean":
        return pd.BooleanDtype()
    if kind == "date":
        return pd.ArrowDtype(pa.date32())
    if kind == "time":
        return pd.ArrowDtype(pa.time64("us"))
    if kind == "datetime":
        return pd.ArrowDtype(pa.timestamp("us", tz="UTC" if fld.get("format") != "naive" else None))
    return pd.StringDtype()


def _parser(fld: dict) -> Callable[[str], object]:
    """A strict text -> Python value parser for one field (raises ValueError on bad input)."""
    kind = fld.get("type", "any")
    fmt = fld.get("format", "default")
    if kind in ("integer", "year"):
        def parse_int(text: str) -> int:
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError("not an integer")
            return int(text)
        return parse_int
    if kind == "number":
        def parse_number(text: str) -> float:
            if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|NaN|INF|-INF", text):
                raise ValueError("not a number")
            return float(text.replace("INF", "inf"))
        return parse_number
    if kind == "boolean":
        true, false = set(fld.get("trueValues", DEFAULT_TRUE)), set(fld.get("falseValues", DEFAULT_FALSE))

        def parse_bool(text: str) -> bool:
            if text in true:
                return True
            if text in false:
                return False
            raise ValueError(f"not one of trueValues {sorted(true)} / falseValues {sorted(false)}")
        return parse_bool
    if kind == "date":
        if fmt not in ("default", "any"):
            return lambda text: dt.datetime.strptime(text, fmt).date()

        def parse_date(text: str) -> dt.date:
            if not _DATE.match(text):
                raise ValueError("not a YYYY-MM-DD date")
            return dt.date.fromisoformat(text)
        return parse_date
    if kind == "time":
        if fmt not in ("default", "any"):
            return lambda text: dt.datetime.strptime(text, fmt).time()

        def parse_time(text: str) -> dt.time:
            if not _TIME.match(text):
                raise ValueError("not an HH:MM:SS time")
            return dt.time.fromisoformat(text)
        return parse_time
    if kind == "datetime":
        def parse_datetime(text: str) -> dt.datetime:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return value.astimezone(dt.timezone.utc) if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        return parse_datetime
    return str


def typed_column(table: str, schema: dict, fld: dict, cells: Iterable[str]):
    """Turn one column of CSV text into a typed pandas Series, missing values exactly per the schema."""
    import pandas as pd

    name = fld["name"]
    dtype = pandas_dtype(schema, fld)
    nulls = missing_values(schema, fld)
    parse = _parser(fld)
    values = []
    for line, text in enumerate(cells, start=2):
        if text in nulls:
            values.append(None)
            continue
        try:
            values.append(parse(text))
        except ValueError as exc:
            raise DataInvalid(f"column {name}: value {text!r} is not a valid {fld.get('type')} ({exc})",
                              "Run `make-data validate` on the package.", where=f"{table}:{line}") from None
    if isinstance(dtype, pd.CategoricalDtype):
        allowed = set(dtype.categories)
        for line, value in enumerate(values, start=2):
            if value is not None and value not in allowed:
                raise DataInvalid(f"column {name}: value {value!r} is not one of the allowed values "
                                  f"{list(dtype.categories)}", "Run `make-data validate` on the package.",
                                  where=f"{table}:{line}")
        return pd.Series(pd.Categorical(values, dtype=dtype), name=name)
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa
        return pd.Series(pd.array(pa.array(values, type=dtype.pyarrow_dtype), dtype=dtype), name=name)
    return pd.Series(pd.array(values, dtype=dtype), name=name)


def read_table(package: Package, resource: dict):
    """Read one tabular resource as a typed DataFrame, columns in schema order."""
    import pandas as pd

    name = resource["name"]
    schema = package.schema(resource)
    where = f"{package.location} resource {name}"
    if "path" not in resource and "data" in resource:
        raise InputError("inline data resources are not supported", where=where)
    paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
    dialect = resource.get("dialect") or {}
    encoding = resource.get("encoding", "utf-8")
    header = dialect.get("header", True)
    names = [f["name"] for f in schema["fields"]]
    records: list[list[str]] = []
    for rel in paths:
        raw = package.read_bytes(safe_member(rel, where))
        try:
            text = raw.decode("utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(f"cannot decode {rel} as {encoding}: {exc}", where=where) from None
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.get("delimiter", ","),
                            quotechar=dialect.get("quoteChar", '"'), doublequote=dialect.get("doubleQuote", True),
                            strict=True)
        try:
            rows = list(reader)
        except csv.Error as exc:
            raise DataInvalid(f"CSV syntax error: {exc}", where=f"{rel}:{reader.line_num}") from None
        if header:
            if not rows or rows[0] != names:
                got = rows[0] if rows else []
                raise DataInvalid(f"header {got} does not match the schema's fields {names}",
                                  "Columns must be the schema's fields in schema order.", where=rel)
            rows = rows[1:]
        for offset, row in enumerate(rows, start=2 if header else 1):
            if len(row) != len(names):
                raise DataInvalid(f"row has {len(row)} cells, the schema has {len(names)} fields",
                                  where=f"{rel}:{offset}")
        records.extend(rows)
    columns = {f["name"]: typed_column(name, schema, f, (r[i] for r in records))
               for i, f in enumerate(schema["fields"])}
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(records)))
    frame.attrs["resource"] = name
    return frame


def load(source: str | Path | None = None, tables: Iterable[str] | None = None) -> dict:
    """Load a data package as {table name: typed pandas DataFrame}, in the package's resource order.

    `source` is a package directory, a datapackage.json path or a release .zip (default: this repository's
    package). `tables` restricts the result to those tables (unknown names raise InputError).

    >>> from banjska import load
    >>> tables = load("datapackage.json")
    >>> tables["events"].dtypes["date"]
    date32[day][pyarrow]
    """
    package = open_package(source)
    resources = package.table_resources()
    wanted = None if tables is None else list(tables)
    if wanted is not None:
        unknown = sorted(set(wanted) - {r["name"] for r in resources})
        if unknown:
            raise InputError(f"no table(s) {', '.join(unknown)} in {package.location}",
                             "Known tables: " + ", ".join(r["name"] for r in resources))
    return {r["name"]: read_table(package, r) for r in resources if wanted is None or r["name"] in wanted}
