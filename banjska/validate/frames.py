"""Pandera schemas for the DataFrames a user holds, derived at run time from the Table Schemas.

After `banjska.load()`, a researcher filters, merges and edits frames; `pandera_schemas()` gives one
`pandera.DataFrameSchema` per table that checks they still obey the package's rules, and
`validate_frames()` adds the cross-table checks (foreign keys, the dataset's multi-table rules) and
raises one `SchemaErrors` listing every failure with its table.

Everything a Table Schema constrains is translated here, independently of the arrow engine
(checks.py): dtypes exactly as `load()` returns them (package/dtypes.py), `nullable` from `required`
(and primary-key fields), enum, pattern, minLength/maxLength, minimum/maximum (exclusive too),
unique, the primary key as a frame-level uniqueness check, uniqueKeys and foreignKeys. The dataset's
row rules are not rewritten: they are the same functions the arrow engine runs (validate/rules.py),
applied to the frames through `context_from_frames`. Check names are the arrow engine's rule names,
so both engines report the same kinds of finding (`make-data validate --engine pandera`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pe
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc

from banjska.package.csvread import RawTable
from banjska.package.dtypes import enum_of, pandas_dtype
from banjska.package.reader import is_tabular, open_package
from banjska.package.types import Parsed
from banjska.package.types import parse as parse_cells
from banjska.validate import checks as C
from banjska.validate.context import Context, TableData
from banjska.validate.rules import RuleSet, ruleset_for


def _first_line(fn) -> str:
    return (fn.__doc__ or "").strip().splitlines()[0]


MESSAGE = {  # the arrow engine's texts (each written once, as its factory's docstring)
    "constraint-error:required": _first_line(C.required_check),
    "constraint-error:enum": _first_line(C.enum_check),
    "constraint-error:pattern": _first_line(C.pattern_check),
    "constraint-error:length": _first_line(C.length_check),
    "constraint-error:range": _first_line(C.range_check),
    "unique-error": _first_line(C.unique_check),
    "primary-key": _first_line(C.primary_key_check),
    "foreign-key": _first_line(C.foreign_key_check),
}


def _as_list(value) -> list[str]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def _logical(f: dict, values: list) -> list:
    """Constraint values (JSON) as the Python values of the field's loaded dtype."""
    parsed = parse_cells(pa_arrow.array([str(v).lower() if isinstance(v, bool) else str(v) for v in values]),
                         C.logical(f), [])
    return parsed.typed.to_pylist()


# --- per column ------------------------------------------------------------------------------------

def _present(series: pd.Series) -> pd.Series:
    return series.notna()


def _enum_check(f: dict) -> pa.Check:
    allowed = set(_logical(f, enum_of(f) or (f.get("constraints") or {}).get("enum") or []))

    def ok(series: pd.Series) -> pd.Series:
        values = series.astype(object)
        return values.isna() | values.isin(allowed)

    return pa.Check(ok, name="constraint-error:enum", error=MESSAGE["constraint-error:enum"])


def _pattern_check(pattern: str) -> pa.Check:
    def ok(series: pd.Series) -> pd.Series:
        return series.isna() | series.astype("string").str.fullmatch(pattern).fillna(True).astype(bool)

    return pa.Check(ok, name="constraint-error:pattern", error=MESSAGE["constraint-error:pattern"])


def _length_check(lo: int | None, hi: int | None) -> pa.Check:
    def ok(series: pd.Series) -> pd.Series:
        n = series.astype("string").str.len()
        good = pd.Series(True, index=series.index)
        if lo is not None:
            good &= (n >= lo).fillna(True).astype(bool)
        if hi is not None:
            good &= (n <= hi).fillna(True).astype(bool)
        return good

    return pa.Check(ok, name="constraint-error:length", error=MESSAGE["constraint-error:length"])


OPS = {"minimum": "__ge__", "maximum": "__le__", "exclusiveMinimum": "__gt__", "exclusiveMaximum": "__lt__"}


def _range_check(f: dict, bounds: dict) -> pa.Check:
    values = dict(zip(bounds, _logical(f, list(bounds.values())), strict=True))

    def ok(series: pd.Series) -> pd.Series:
        good = pd.Series(True, index=series.index)
        for key, bound in values.items():
            if bound is not None:
                good &= getattr(series, OPS[key])(bound).fillna(True).astype(bool)
        return good

    return pa.Check(ok, name="constraint-error:range", error=MESSAGE["constraint-error:range"])


def column_schema(schema: dict, f: dict, key_fields: list[str]) -> pa.Column:
    """One field as a Pandera column: dtype, nullability, uniqueness and constraint checks."""
    cons = f.get("constraints") or {}
    checks = []
    if isinstance(cons.get("enum"), list):
        checks.append(_enum_check(f))
    if isinstance(cons.get("pattern"), str):
        checks.append(_pattern_check(cons["pattern"]))
    if "minLength" in cons or "maxLength" in cons:
        checks.append(_length_check(cons.get("minLength"), cons.get("maxLength")))
    bounds = {k: cons[k] for k in OPS if k in cons}
    if bounds:
        checks.append(_range_check(f, bounds))
    required = bool(cons.get("required")) or (f["name"] in key_fields)
    return pa.Column(pandas_dtype(schema, f), checks=checks, nullable=not required, unique=bool(cons.get("unique")),
                     coerce=False, required=True, description=f.get("description"), title=f.get("title"))


# --- the dataset's rules, on frames ----------------------------------------------------------------

def _arrow(series: pd.Series) -> pa_arrow.Array:
    """A loaded column as the Arrow array the rules read (categoricals as their values)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        cats = pa_arrow.array(list(series.cat.categories))
        return pa_arrow.DictionaryArray.from_arrays(pa_arrow.array(codes, pa_arrow.int32(), mask=codes < 0),
                                                    cats).dictionary_decode()
    arr = pa_arrow.Array.from_pandas(series)
    if isinstance(arr, pa_arrow.ChunkedArray):
        arr = arr.combine_chunks()
    if pa_arrow.types.is_large_string(arr.type) or pa_arrow.types.is_string_view(arr.type):
        arr = arr.cast(pa_arrow.string())
    return arr


def table_data(name: str, schema: dict, frame: pd.DataFrame) -> TableData:
    """A frame as the engine's TableData, so the dataset's rules run on it unchanged."""
    fields = [f["name"] for f in schema["fields"] if f["name"] in frame.columns]
    typed = {n: _arrow(frame[n]) for n in fields}
    # as the reader gives it: every cell as text, a missing one as "" (text is never null)
    text = {n: pc.fill_null(a if a.type == pa_arrow.string() else pc.cast(a, pa_arrow.string()), "")
            for n, a in typed.items()}
    raw = RawTable(b"", fields, pa_arrow.table(text) if fields else None)
    td = TableData(name, name, schema, raw, columns=text)
    none = np.zeros(len(frame), dtype=bool)
    td.parsed = {n: Parsed(a, pc.is_null(a), pa_arrow.array(none)) for n, a in typed.items()}
    return td


def context_from_frames(frames: dict[str, pd.DataFrame], schemas: dict[str, dict], texts: dict[str, str]) -> Context:
    ctx = Context(texts=dict(texts))
    for name, frame in frames.items():
        ctx.tables[name] = table_data(name, schemas[name], frame)
    return ctx


def _rule_mask(rule, ruleset: RuleSet, ctx: Context, n: int, index: pd.Index) -> pd.Series:
    if ruleset.prepare is not None:
        ruleset.prepare(ctx)  # registers the key references the rules look up
    try:
        ok = rule.fn(ctx)
    except KeyError:  # a column the rule needs is absent: the column check reports it
        ok = True
    mask = np.full(n, bool(ok)) if isinstance(ok, (bool, np.bool_)) else np.asarray(ok, dtype=bool)
    return pd.Series(mask, index=index)


def _rule_check(rule, ruleset: RuleSet, table: str, schema: dict, texts: dict[str, str]) -> pa.Check:
    def ok(frame: pd.DataFrame) -> pd.Series:
        ctx = context_from_frames({table: frame}, {table: schema}, texts)
        return _rule_mask(rule, ruleset, ctx, len(frame), frame.index)

    return pa.Check(ok, name=f"dataset:{rule.fn.__name__}", error=_first_line(rule.fn),
                    description=rule.hint or None)


def _text_rule_check(fn, hint: str, table: str, schema: dict, column: str) -> pa.Check:
    def ok(series: pd.Series) -> pd.Series:
        td = table_data(table, schema, series.to_frame(column))
        return pd.Series(np.asarray(fn(td, column), dtype=bool), index=series.index)

    return pa.Check(ok, name=f"dataset:{fn.__name__}", error=_first_line(fn), description=hint)


def _unique_key_check(fields: list[str]) -> pa.Check:
    def ok(frame: pd.DataFrame) -> pd.Series:
        sub = frame[fields]
        complete = sub.notna().all(axis=1)
        return ~(sub.duplicated(keep=False) & complete)

    return pa.Check(ok, name="unique-error", error=MESSAGE["unique-error"])


def _row_rule_column(rule, schema: dict) -> str | None:
    return rule.column or (_as_list(schema.get("primaryKey")) or [None])[0]


def table_schema(name: str, schema: dict, ruleset: RuleSet | None = None, texts: dict[str, str] | None = None
                 ) -> pa.DataFrameSchema:
    """The Pandera schema of one table: columns, keys, and the dataset's rules that need no other table."""
    key = _as_list(schema.get("primaryKey"))
    columns = {f["name"]: column_schema(schema, f, key) for f in schema["fields"]}
    frame_checks = [_unique_key_check(_as_list(uk)) for uk in schema.get("uniqueKeys") or [] if _as_list(uk)]
    if ruleset is not None:
        for r in ruleset.rules:
            if r.table == name and tuple(r.needs) == (name,) and _row_rule_column(r, schema):
                frame_checks.append(_rule_check(r, ruleset, name, schema, texts or {}))
        for fn, hint in ruleset.text_rules:
            for f in schema["fields"]:
                if f.get("type", "string") == "string":
                    columns[f["name"]].checks.append(_text_rule_check(fn, hint, name, schema, f["name"]))
    return pa.DataFrameSchema(columns, checks=frame_checks, unique=key or None,
                              name=name, strict=True, ordered=True, coerce=False, report_duplicates="all")


# --- a package's schemas ---------------------------------------------------------------------------

@dataclass
class PackageSchemas:
    """Everything the frame checks need from a package: Table Schemas, text resources, the rule set."""

    schemas: dict[str, dict]
    texts: dict[str, str]
    ruleset: RuleSet | None


def read_package_schemas(package: str | Path | None = None, rules: RuleSet | str | None = "auto") -> PackageSchemas:
    from banjska.errors import InputError
    from banjska.project import find_package

    with open_package(find_package(package)) as pkg:
        schemas, texts = {}, {}
        for res in pkg.resources():
            if is_tabular(res):
                schema = pkg.schema(res)
                if schema is None:
                    raise InputError(f"resource {res['name']} has no usable Table Schema: "
                                     + "; ".join(i.message for i in pkg.issues), where=pkg.label)
                schemas[res["name"]] = schema
            elif isinstance(res.get("path"), str):
                texts[res["name"]] = bytes(pkg.data(res["path"])).decode(res.get("encoding", "utf-8"), "replace")
        ruleset = ruleset_for(pkg.descriptor) if rules == "auto" else rules if isinstance(rules, RuleSet) else None
    return PackageSchemas(schemas, texts, ruleset)


def schemas_of(found: PackageSchemas) -> dict[str, pa.DataFrameSchema]:
    return {name: table_schema(name, schema, found.ruleset, found.texts) for name, schema in found.schemas.items()}


def pandera_schemas(package: str | Path | None = None, rules: RuleSet | str | None = "auto"
                    ) -> dict[str, pa.DataFrameSchema]:
    """One `pandera.DataFrameSchema` per table of `package` (default: the package at or above the working
    directory), derived from its Table Schemas and the rules registered for it.

    >>> schemas = pandera_schemas("datapackage.json")
    >>> schemas["events"].validate(banjska.load("datapackage.json")["events"], lazy=True)
    """
    return schemas_of(read_package_schemas(package, rules))


# --- the whole package ------------------------------------------------------------------------------

class FramesInvalid(pe.SchemaErrors):
    """Every failure of `validate_frames`; `failure_cases` has a `table` column besides Pandera's own."""

    def __init__(self, errors: list[tuple[str, pa.DataFrameSchema, pe.SchemaError]], data: dict):
        first_schema = errors[0][1]
        super().__init__(first_schema, [e for _, _, e in errors], data[errors[0][0]])
        parts = []
        for table, schema, err in errors:
            meta = first_schema.get_backend(data[table]).failure_cases_metadata(schema.name, [err])
            parts.append(meta.failure_cases.assign(table=table))
        self.failure_cases = pd.concat(parts, ignore_index=True)[
            ["table"] + [c for c in parts[0].columns if c != "table"]]
        self.tables = sorted({t for t, _, _ in errors})
        self.message = f"{len(self.failure_cases)} failure case(s) in table(s) {', '.join(self.tables)}:\n" + \
            self.failure_cases.to_string(max_rows=50)
        self.args = (self.message,)


def _foreign_key_errors(name: str, schema: dict, frames: dict[str, pd.DataFrame], table_schemas: dict
                        ) -> list[tuple[str, pa.DataFrameSchema, pe.SchemaError]]:
    out = []
    frame = frames[name]
    for fk in schema.get("foreignKeys") or []:
        fields, ref = _as_list(fk.get("fields")), fk.get("reference") or {}
        parent_name, ref_fields = ref.get("resource") or name, _as_list(ref.get("fields"))
        if not fields or any(f not in frame.columns for f in fields):
            continue
        parent = frames.get(parent_name)
        if parent is None or any(f not in parent.columns for f in ref_fields):
            continue  # the referenced table (or key) was not given: nothing to check against
        child = frame[fields].astype(object)
        complete = child.notna().all(axis=1)
        keys = set(map(tuple, parent[ref_fields].astype(object).dropna().itertuples(index=False, name=None)))
        found = pd.Series([t in keys for t in child.itertuples(index=False, name=None)], index=frame.index)
        bad = complete & ~found
        if bad.any():
            check = pa.Check(lambda s: s, name="foreign-key", error=MESSAGE["foreign-key"])
            cases = frame.loc[bad, fields[0]]
            out.append((name, table_schemas[name], pe.SchemaError(
                table_schemas[name], frame, f"{name}.{'+'.join(fields)}: {MESSAGE['foreign-key']}",
                failure_cases=cases.rename("failure_case").reset_index().rename(columns={"index": "index"}),
                check=check, check_index=0, reason_code=pe.SchemaErrorReason.DATAFRAME_CHECK,
                column_name=fields[0])))
    return out


def _cross_rule_errors(found: PackageSchemas, frames: dict[str, pd.DataFrame], table_schemas: dict
                       ) -> list[tuple[str, pa.DataFrameSchema, pe.SchemaError]]:
    """The dataset's rules that read more than one table, on the frames given."""
    out = []
    if found.ruleset is None:
        return out
    ctx = None
    for r in found.ruleset.rules:
        if tuple(r.needs) == (r.table,) or not all(t in frames for t in r.needs):
            continue
        if ctx is None:
            ctx = context_from_frames(frames, found.schemas, found.texts)
        frame = frames[r.table]
        ok = _rule_mask(r, found.ruleset, ctx, len(frame), frame.index)
        column = _row_rule_column(r, found.schemas[r.table])
        if not ok.all() and column:
            check = pa.Check(lambda s: s, name=f"dataset:{r.fn.__name__}", error=_first_line(r.fn),
                             description=r.hint or None)
            cases = frame.loc[~ok, column]
            out.append((r.table, table_schemas[r.table], pe.SchemaError(
                table_schemas[r.table], frame, f"{r.table}.{column}: {_first_line(r.fn)}",
                failure_cases=cases.rename("failure_case").reset_index(), check=check, check_index=0,
                reason_code=pe.SchemaErrorReason.DATAFRAME_CHECK, column_name=column)))
    return out


def check_frames(frames: dict[str, pd.DataFrame], found: PackageSchemas
                 ) -> list[tuple[str, pa.DataFrameSchema, pe.SchemaError]]:
    """Every failure of the table schemas and the cross-table checks, as (table, schema, error).
    A foreign key to a table (or key column) not in `frames` is not checked."""
    unknown = sorted(set(frames) - set(found.schemas))
    if unknown:
        raise ValueError(f"no table(s) {', '.join(unknown)} in the package; its tables are: "
                         + ", ".join(found.schemas))
    table_schemas = schemas_of(found)
    errors = []
    for name, frame in frames.items():
        if not isinstance(frame, pd.DataFrame):
            raise ValueError(f"frames[{name!r}] is a {type(frame).__name__}, not a pandas DataFrame")
        try:
            table_schemas[name].validate(frame, lazy=True)
        except pe.SchemaErrors as err:
            errors += [(name, table_schemas[name], e) for e in err.schema_errors]
    for name in frames:
        errors += _foreign_key_errors(name, found.schemas[name], frames, table_schemas)
    errors += _cross_rule_errors(found, frames, table_schemas)
    return errors


def validate_frames(frames: dict[str, pd.DataFrame], package: str | Path | None = None,
                    rules: RuleSet | str | None = "auto") -> None:
    """Check a dict of DataFrames (e.g. from `banjska.load()`, filtered or edited) against every table
    schema of `package` plus the cross-table checks; raise one `FramesInvalid` (a
    `pandera.errors.SchemaErrors`) listing every failure with table, column and values; None if all hold.
    An unknown table name raises ValueError."""
    found = read_package_schemas(package, rules)
    errors = check_frames(frames, found)
    if errors:
        raise FramesInvalid(errors, frames)


# --- `make-data validate --engine pandera` ------------------------------------------------------------

def engine_frame(td: TableData) -> tuple[pd.DataFrame, set[str]]:
    """The parsed table as the frame `load()` would give (cells that did not parse are missing); enum
    columns holding values outside the enum get those values appended to their categories, so that the
    enum check, not the dtype, reports them. Returns the frame and the columns so extended."""
    columns, extended = {}, set()
    schema = td.schema
    for f in schema["fields"]:
        if f["name"] not in td.parsed:
            continue
        arr = td.parsed[f["name"]].typed
        dtype = pandas_dtype(schema, f)
        if isinstance(dtype, pd.CategoricalDtype):
            cats = list(dtype.categories)
            values = arr.to_pylist()
            extra = sorted({v for v in values if v is not None} - set(cats), key=str)
            if extra:
                extended.add(f["name"])
                dtype = pd.CategoricalDtype(cats + extra, ordered=dtype.ordered)
            columns[f["name"]] = pd.Categorical(values, dtype=dtype)
        elif isinstance(dtype, pd.ArrowDtype):
            columns[f["name"]] = pd.array(arr.cast(dtype.pyarrow_dtype), dtype=dtype)
        else:
            columns[f["name"]] = dtype.__from_arrow__(arr)
    return pd.DataFrame(columns, index=pd.RangeIndex(td.num_rows)), extended


def _present_schema(td: TableData) -> dict:
    """The table's Table Schema cut down to the fields its file has (header problems are reported by the
    reader, as in the arrow engine); keys naming an absent field are left out."""
    fields = [f for f in td.schema["fields"] if f["name"] in td.parsed]
    names = {f["name"] for f in fields}
    out = {**td.schema, "fields": fields}
    if not set(_as_list(td.schema.get("primaryKey"))) <= names:
        out.pop("primaryKey", None)
    out["uniqueKeys"] = [uk for uk in td.schema.get("uniqueKeys") or [] if set(_as_list(uk)) <= names]
    out["foreignKeys"] = [fk for fk in td.schema.get("foreignKeys") or [] if set(_as_list(fk.get("fields"))) <= names]
    return out


REASON_KIND = {"SERIES_CONTAINS_NULLS": "constraint-error:required",
               "SERIES_CONTAINS_DUPLICATES": "unique-error", "DUPLICATES": "primary-key"}


def _kinds(err: pe.SchemaError, column: str, schema: dict) -> list[str]:
    reason = getattr(err.reason_code, "name", "")
    if reason == "WRONG_DATATYPE":
        return []  # only for enum columns whose categories engine_frame extended; the enum check reports them
    if err.check is not None and isinstance(getattr(err.check, "name", None), str) and \
            (err.check.name.startswith(("constraint-error:", "dataset:")) or err.check.name in
             ("unique-error", "foreign-key", "primary-key")):
        return [err.check.name]
    if reason == "SERIES_CONTAINS_NULLS":
        key = _as_list(schema.get("primaryKey"))
        field = next((f for f in schema["fields"] if f["name"] == column), {})
        required = bool((field.get("constraints") or {}).get("required"))
        return (["constraint-error:required"] if required else []) + (["primary-key"] if column in key else [])
    if reason in REASON_KIND:
        return [REASON_KIND[reason]]
    return ["pandera:" + (reason.lower() or "check")]


def run_pandera(ctx: Context, order: list[str], ruleset: RuleSet | None, max_errors: int, report) -> int:
    """Validate the parsed tables with the Pandera schemas of validate_frames; append located issues."""
    from banjska.report import Issue

    frames, extended, schemas = {}, {}, {}
    complete = {n for n in order if all(f["name"] in ctx.tables[n].parsed for f in ctx.tables[n].schema["fields"])}
    for name in order:
        frames[name], extended[name] = engine_frame(ctx.tables[name])
        schemas[name] = _present_schema(ctx.tables[name])
    found = PackageSchemas(schemas, ctx.texts, ruleset)
    issues: list[Issue] = []
    invalid: set[tuple[str, str, int]] = set()
    for name in order:  # cells that did not parse: the shared parser's verdict, as in the arrow engine
        td = ctx.tables[name]
        for f in td.schema["fields"]:
            p = td.parsed.get(f["name"])
            if p is None or (f.get("type", "any") in ("string", "any") and f.get("format") in (None, "default")):
                continue
            rows = np.flatnonzero(p.invalid.to_numpy(zero_copy_only=False))
            if len(rows):
                check = C.type_check(td, f["name"])
                for row, line in zip(rows.tolist(), td.raw.line_of(rows).tolist(), strict=True):
                    invalid.add((name, f["name"], row))
                    issues.append(Issue(name, "type-error", check.error, td.file, line, f["name"],
                                        td.columns[f["name"]][row].as_py(), check.description))
    if ruleset is not None and complete != set(order):  # rules run only on tables whose header is complete
        found = PackageSchemas(schemas, ctx.texts, RuleSet(ruleset.name, [r for r in ruleset.rules
                                                                       if set(r.needs) <= complete],
                                                           ruleset.text_rules, ruleset.prepare))
    seen = set()
    for table, _, err in check_frames(frames, found):
        td = ctx.tables[table]
        cases = err.failure_cases if isinstance(err.failure_cases, pd.DataFrame) else None
        column = err.column_name if isinstance(err.column_name, str) else ""
        kinds = _kinds(err, column, schemas[table])
        if not column:  # a frame-level check: the arrow engine's column for it
            column = _frame_check_column(kinds, schemas[table], found.ruleset, table)
        if cases is None or "index" not in cases or not kinds:
            continue
        if column in extended[table] and kinds == []:
            continue
        for kind in kinds:
            message, hint = _message(kind, err, td, column)
            for row in sorted({int(i) for i in cases["index"].dropna()}):
                if (table, column, kind, row) in seen or (
                        (table, column, row) in invalid and kind in ("constraint-error:required", "primary-key")):
                    continue  # a cell that did not parse is missing to Pandera; the type error reports it
                seen.add((table, column, kind, row))
                value = td.columns[column][row].as_py() if column in td.columns else ""
                issues.append(Issue(table, kind, message, td.file, int(td.raw.line_of(np.array([row]))[0]), column,
                                    value, hint))
    position = {name: i for i, name in enumerate(order)}
    issues.sort(key=lambda i: (position.get(i.table, 0), i.line or 0, i.column, i.rule))
    report.issues += issues[: max(0, max_errors - len(report.issues))]
    report.count(issues)
    for name in order:
        report.checked[name] = ctx.tables[name].num_rows
    return len(issues)


def _frame_check_column(kinds: list[str], schema: dict, ruleset: RuleSet | None, table: str) -> str:
    if "primary-key" in kinds:
        return (_as_list(schema.get("primaryKey")) or [""])[0]
    for r in ruleset.rules if ruleset is not None else []:
        if r.table == table and f"dataset:{r.fn.__name__}" in kinds:
            return _row_rule_column(r, schema) or ""
    return ""


HINTED = ("constraint-error:required", "constraint-error:enum", "constraint-error:pattern", "constraint-error:length",
          "constraint-error:range", "unique-error", "primary-key", "foreign-key")


def _constraint_hint(kind: str, td: TableData, column: str) -> str:
    """The fix hint the arrow engine gives for a Table Schema constraint (its check's description)."""
    field = next((f for f in td.schema["fields"] if f["name"] == column), None)
    if field is None or kind not in HINTED:
        return ""
    cons = field.get("constraints") or {}
    scratch = Context()  # the key checks register their keys somewhere: not in the run's context
    key = _as_list(td.schema.get("primaryKey"))
    fks = [fk for fk in td.schema.get("foreignKeys") or [] if _as_list(fk.get("fields"))[:1] == [column]]
    if (kind == "primary-key" and not key) or (kind == "foreign-key" and not fks):
        return ""
    make = {"unique-error": lambda: C.unique_check(scratch, td, column),
            "primary-key": lambda: C.primary_key_check(scratch, td, key),
            "foreign-key": lambda: C.foreign_key_check(scratch, td, fks[0]),
            "constraint-error:required": lambda: C.required_check(td, column),
            "constraint-error:enum": lambda: C.enum_check(td, column, cons["enum"]),
            "constraint-error:pattern": lambda: C.pattern_check(td, column, cons["pattern"]),
            "constraint-error:length": lambda: C.length_check(td, column, cons.get("minLength"), cons.get("maxLength")),
            "constraint-error:range": lambda: C.range_check(td, column, {k: cons[k] for k in OPS if k in cons})}[kind]
    check = make()  # builds the check's texts only; its function is never run here
    return check.description if check.description != check.error else ""


def _message(kind: str, err: pe.SchemaError, td: TableData, column: str) -> tuple[str, str]:
    if kind in MESSAGE:
        return MESSAGE[kind], _constraint_hint(kind, td, column)
    check = err.check
    error = getattr(check, "error", None) or str(kind)
    description = getattr(check, "description", None) or ""
    return error, description if description != error else ""
