"""Load a data package into typed pandas DataFrames, with the Table Schemas as the only source of types.

Why this exists: pandas' defaults misread such packages (its NA list turns the text "NA" into a missing
value, ids like CAMEO "010" lose their leading zero, dates stay strings), and every consumer would
otherwise re-derive the types by hand. `load()` reads a package directory, a datapackage.json path or a
zip through the one package reader (banjska.package.reader) and the one type parser
(banjska.package.types), the same ones `make-data validate` uses, and returns one DataFrame per table:

    string               -> pandas "string" dtype
    string/integer + enum -> pandas Categorical, categories = the enum in schema order
                            (ordered when the schema says categoriesOrdered)
    integer / year       -> nullable "Int64"
    number               -> nullable "Float64"
    boolean              -> nullable "boolean" (trueValues / falseValues from the schema)
    date                 -> "date32[pyarrow]" (a calendar date, not a timestamp)
    time                 -> "time64[us][pyarrow]" (fractional seconds kept)
    datetime             -> "timestamp[us, tz=UTC][pyarrow]"
    anything else        -> "string" (the Table Schema text form)

The package is validated first (`validate=False` skips that): an invalid package raises `DataInvalid`
with its first errors. A cell is missing exactly when it equals one of the field's (or else the
schema's) missingValues, default [""]. Even unvalidated, a cell that cannot be parsed as its type (or
leaves its enum) raises `DataInvalid` naming file, line and column: bad data never becomes NaN silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from banjska.errors import DataInvalid, InputError
from banjska.package.dtypes import enum_of, pandas_dtype
from banjska.package.reader import Package, open_package
from banjska.package.tables import read_table

__all__ = ["load", "frame", "pandas_dtype", "enum_of", "require_valid"]


def require_valid(source: str | Path, shown: int = 5) -> None:
    """Validate the package; raise DataInvalid with its first errors if it is not valid."""
    from banjska.validate import validate_package

    report = validate_package(source, max_errors=shown)
    if not report.valid:
        first = "; ".join(f"{i.location()}: [{i.rule}]" + (f" value {i.value!r}" if i.value else "") + f" {i.message}"
                          for i in report.issues[:shown])
        raise DataInvalid(f"{report.package} is not a valid package ({report.total} error(s)): {first}",
                          "Run `make-data validate` on it for every error, or pass validate=False "
                          "(--no-validate) to read it anyway.")


def _column(table, fld: dict, schema: dict, name: str):
    """One typed Arrow column -> a pandas array of the schema's dtype (enum values checked)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    dtype = pandas_dtype(schema, fld)
    arr = table.column(fld["name"])
    if isinstance(dtype, pd.CategoricalDtype):
        cats = pa.array(list(dtype.categories), type=arr.type if fld.get("type") == "integer" else pa.string())
        codes = pc.index_in(arr, value_set=cats)
        if pc.any(pc.and_(pc.is_valid(arr), pc.is_null(codes))).as_py():
            row = int(pc.index(pc.and_(pc.is_valid(arr), pc.is_null(codes)), True).as_py())
            raise DataInvalid(f"column {fld['name']}: value {arr[row].as_py()!r} is not one of the allowed values "
                              f"{list(dtype.categories)}", "Run `make-data validate` on the package.",
                              where=f"{name} row {row + 1}")
        codes = pc.fill_null(codes, -1).to_numpy(zero_copy_only=False)
        return pd.Categorical.from_codes(codes, dtype=dtype)
    if isinstance(dtype, pd.ArrowDtype):
        return pd.array(pa.chunked_array([arr.combine_chunks().cast(dtype.pyarrow_dtype)]) if arr.num_chunks != 1
                        else arr.chunk(0).cast(dtype.pyarrow_dtype), dtype=dtype)
    return dtype.__from_arrow__(arr)


def frame(package: Package, resource: dict):
    """One tabular resource as a typed DataFrame, columns in schema order."""
    import pandas as pd

    schema = package.schema(resource)
    if schema is None:
        raise DataInvalid("; ".join(i.message for i in package.issues) or "the resource has no Table Schema",
                          where=f"{package.label} resource {resource['name']}")
    table = read_table(package, resource, schema)
    name = resource.get("path") or resource["name"]
    columns = {f["name"]: _column(table, f, schema, name) for f in schema["fields"]}
    out = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    out.attrs["resource"] = resource["name"]
    return out


def load(source: str | Path, tables: Iterable[str] | None = None, validate: bool = True) -> dict:
    """Load a data package as {table name: typed pandas DataFrame}, in the package's resource order.

    `source` is a package directory, a datapackage.json path or a zip. It is validated first
    (`validate=False` skips that). `tables` restricts the result to those tables (unknown names raise
    InputError).

    >>> from banjska import load
    >>> tables = load("datapackage.json")
    >>> tables["events"].dtypes["date"]
    date32[day][pyarrow]
    """
    if validate:
        require_valid(source)
    with open_package(source) as package:
        resources = package.table_resources()
        wanted = None if tables is None else list(tables)
        if wanted is not None:
            unknown = sorted(set(wanted) - {r["name"] for r in resources})
            if unknown:
                raise InputError(f"no table(s) {', '.join(unknown)} in {package.label}",
                                 "Known tables: " + ", ".join(r["name"] for r in resources))
        return {r["name"]: frame(package, r) for r in resources if wanted is None or r["name"] in wanted}
