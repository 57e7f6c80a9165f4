"""The benchmark's polars-based peer: validate a Frictionless package with dataframely (run by
scripts/benchmark.py in its own venv, never imported by the toolkit).

Each Table Schema is translated into a dataframely Schema: the field's type (string, integer, number,
boolean, date, time), `required`, `enum`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum` and the
primary key. Each CSV is read by polars as text and filtered with casting (a cell that does not cast
is a failure, as a type error is for make-data); single-field foreign keys are checked with `is_in`
against the parent's key column. Prints one JSON document: failures per table and rule, and the total.

What it does not check, and make-data does: line numbers of failures, header labels, ragged rows
(dropped silently), bytes and hashes, strict date/time formats beyond what polars casts,
unique fields and uniqueKeys, composite foreign keys, and any dataset rule.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dataframely as dy
import polars as pl

PARSE = {
    "date": lambda c: c.str.to_date("%Y-%m-%d", strict=False),
    "time": lambda c: c.str.to_time("%H:%M:%S", strict=False),
    "boolean": lambda c: c.replace_strict({"true": True, "false": False}, default=None, return_dtype=pl.Boolean),
}


def column(field: dict, primary: bool):
    cons = field.get("constraints", {}) or {}
    nullable = not (cons.get("required") or primary)
    kind = field.get("type", "string")
    bounds = {k: cons[k] for k in ("minimum", "maximum") if k in cons}
    common = {"nullable": nullable, "primary_key": primary}
    if kind == "integer":
        return dy.Int64(min=bounds.get("minimum"), max=bounds.get("maximum"), **common)
    if kind == "number":
        return dy.Float64(min=bounds.get("minimum"), max=bounds.get("maximum"), **common)
    if kind == "boolean":
        return dy.Bool(**common)
    if kind == "date":
        return dy.Date(**common)
    if kind == "time":
        return dy.Time(**common)
    if "enum" in cons:
        return dy.Enum([str(v) for v in cons["enum"]], **common)
    return dy.String(regex=f"^(?:{cons['pattern']})$" if "pattern" in cons else None,
                     min_length=cons.get("minLength"), max_length=cons.get("maxLength"), **common)


def schema_class(name: str, schema: dict) -> type:
    key = schema.get("primaryKey", [])
    key = [key] if isinstance(key, str) else key
    columns = {f["name"]: column(f, f["name"] in key) for f in schema["fields"]}
    return type(f"S_{name}", (dy.Schema,), columns)


def main(root: Path) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    frames, failures = {}, {}
    tables = [r for r in descriptor["resources"] if str(r.get("path", "")).endswith(".csv")]
    for res in tables:
        schema = res["schema"] if isinstance(res["schema"], dict) else json.loads((root / res["schema"]).read_text())
        res["schema"] = schema
        # truncate_ragged_lines: without it polars refuses a file with one row too long; with it, the extra
        # cells are dropped without a word (one of the things the peer does not check).
        df = pl.read_csv(root / res["path"], infer_schema=False, truncate_ragged_lines=True)
        # polars 2 casts no text to dates, times or booleans: those are parsed first, and a cell that does not
        # parse counts as a dtype failure
        parsed = {f["name"]: PARSE[f["type"]](pl.col(f["name"])) for f in schema["fields"] if f.get("type") in PARSE}
        typed = df.with_columns(**parsed)
        valid, info = schema_class(res["name"], schema).filter(typed, cast=True)
        failures[res["name"]] = {rule: int(n) for rule, n in info.counts().items()}
        for name in parsed:
            failures[res["name"]][f"{name}|dtype"] = int((df[name].is_not_null() & typed[name].is_null()).sum())
        frames[res["name"]] = df
    for res in tables:
        for fk in res["schema"].get("foreignKeys", []) or []:
            fields, ref = fk["fields"], fk["reference"]
            fields = [fields] if isinstance(fields, str) else fields
            parent = frames[ref.get("resource") or res["name"]]
            ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
            if len(fields) == 1:
                child = frames[res["name"]][fields[0]]
                bad = child.is_not_null() & ~child.is_in(parent[ref_fields[0]].implode())
                failures[res["name"]][f"{fields[0]}|foreign_key"] = int(bad.sum())
    total = sum(n for per in failures.values() for n in per.values())
    print(json.dumps({"failures": failures, "total": total}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
