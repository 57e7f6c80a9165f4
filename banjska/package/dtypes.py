"""The pandas dtype of every Table Schema field: one mapping, used by `banjska.load()` to build the frames
and by the Pandera schemas (banjska.validate.frames) to check them, so both always agree."""

from __future__ import annotations


def enum_of(fld: dict) -> list | None:
    enum = (fld.get("constraints") or {}).get("enum")
    return list(enum) if enum else None


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
        return pd.ArrowDtype(pa.timestamp("us", tz="UTC"))
    return pd.StringDtype()
