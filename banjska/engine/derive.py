"""Derive a Pandera DataFrameSchema from a Frictionless Table Schema (the single source of truth).

Nothing is copied by hand: types, formats, missingValues, required, unique, enum, pattern, length,
range, primaryKey, uniqueKeys and foreignKeys (self-references included) all come from the Table Schema
and become vectorised checks (see checks.py). `extra` adds dataset-specific rules to named columns.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa_pd
import pyarrow as pa

from . import checks as C
from .context import Context, TableData

ARROW_TYPES = {
    "string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
    "date": pa.date32(), "time": pa.time32("s"), "datetime": pa.timestamp("s"), "year": pa.int64(),
    "yearmonth": pa.string(),
}


def column_checks(ctx: Context, td: TableData, field: dict) -> list[pa_pd.Check]:
    name, cons = field["name"], field.get("constraints", {}) or {}
    plain = field.get("type", "any") in ("string", "any") and field.get("format") in (None, "default")
    out = [] if plain else [C.type_check(td, name)]  # any text is a valid plain string
    if cons.get("required"):
        out.append(C.required_check(td, name))
    if "enum" in cons and isinstance(cons["enum"], list):
        out.append(C.enum_check(td, name, cons["enum"]))
    if isinstance(cons.get("pattern"), str):
        out.append(C.pattern_check(td, name, cons["pattern"]))
    if "minLength" in cons or "maxLength" in cons:
        out.append(C.length_check(td, name, cons.get("minLength"), cons.get("maxLength")))
    bounds = {k: cons[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in cons}
    if bounds:
        out.append(C.range_check(td, name, bounds))
    if cons.get("unique"):
        out.append(C.unique_check(td, name))
    return out


def as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def derive_schema(ctx: Context, td: TableData, extra: dict[str, list[pa_pd.Check]] | None = None) -> pa_pd.DataFrameSchema:
    """One Pandera column per Table Schema field present in the file, with its checks."""
    schema, columns = td.schema, {}
    checks = {f["name"]: column_checks(ctx, td, f) for f in schema["fields"] if f["name"] in td.parsed}
    pk = as_list(schema.get("primaryKey"))
    if pk and all(f in td.parsed for f in pk):
        checks[pk[0]].append(C.primary_key_check(td, pk))
    for uk in schema.get("uniqueKeys", []) or []:
        uk = as_list(uk)
        if uk and all(f in td.parsed for f in uk):
            checks[uk[0]].append(C.unique_key_check(td, uk))
    for fk in schema.get("foreignKeys", []) or []:
        fields = as_list(fk.get("fields"))
        if fields and all(f in td.parsed for f in fields):
            checks[fields[0]].append(C.foreign_key_check(ctx, td, fk))
    for name, more in (extra or {}).items():
        if name in checks:
            checks[name].extend(more)
    for f in schema["fields"]:
        if f["name"] in td.parsed and checks[f["name"]]:
            arrow = ARROW_TYPES.get(f.get("type", "any"))
            dtype = pd.ArrowDtype(arrow) if arrow is not None and td.parsed[f["name"]].typed.type == arrow else None
            columns[f["name"]] = pa_pd.Column(dtype,
                                              checks=checks[f["name"]], nullable=True, coerce=False,
                                              description=f.get("description"))
    return pa_pd.DataFrameSchema(columns, name=td.name, strict=False, coerce=False)


def frame(td: TableData) -> pd.DataFrame:
    """The typed table Pandera validates (Arrow-backed, zero-copy)."""
    data = {name: pd.Series(pd.arrays.ArrowExtensionArray(p.typed), copy=False) for name, p in td.parsed.items()}
    return pd.DataFrame(data, copy=False)
