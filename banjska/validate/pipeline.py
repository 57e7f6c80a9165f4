"""The heavy stages of `make-data validate`: parse and type every table, then run the derived checks.

validate.py imports this module only once the package's files are being read and hashed in the
background (validate/prefetch.py), so importing pyarrow and numpy overlaps with that work.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import banjska.package.csvread as csvread
import banjska.validate.derive as derive
from banjska.package.reader import FileRefused, Package, is_tabular
from banjska.package.types import Parsed
from banjska.package.types import parse as parse_column
from banjska.report import Issue, Report
from banjska.validate.context import Context, TableData
from banjska.validate.prefetch import Prefetch
from banjska.validate.rules import RuleSet, file_issues
from banjska.validate.run import failing_rows, run_checks

WORKERS = max(1, min(4, os.cpu_count() or 1))
# Short columns are parsed together: all columns of one table that share a field definition (type,
# format, options) are concatenated, parsed in one pass and sliced back, so a table of 100,000 columns
# costs a few Arrow calls per distinct definition instead of a dozen per column.
SHORT_COLUMN = 4096
# Fields' properties that do not change how a cell is parsed (they may differ within one parse group).
NOT_PARSING = frozenset({"name", "title", "description", "constraints", "example", "categories", "categoriesOrdered",
                         "vocabulary", "sourceText", "rdfType"})
# Text columns of this many bytes or more (values and offsets) are held as large_string.
LARGE_TEXT = (1 << 31) - (1 << 24)
# A table with more checks than this runs them in chunks (one task per chunk, not per check).
CHUNKED_CHECKS = 1024


def header_issues(td: TableData) -> tuple[list[Issue], dict[str, int]]:
    """Compare the header with the schema's fields; map each field to a column where possible."""
    header, names = td.raw.header, [f["name"] for f in td.schema["fields"]]
    issues, mapping = [], {}
    seen = set()
    for i, label in enumerate(header):
        if label is None or str(label).strip() == "":
            issues.append(Issue(td.name, "blank-label", f"column {i + 1} has no header label", file=td.file, line=1))
        elif label in seen:
            issues.append(Issue(td.name, "duplicate-label", f"header label {label!r} appears twice", file=td.file, line=1,
                                column=label))
        seen.add(label)
    position: dict = {}
    for i, label in enumerate(header):
        position.setdefault(label, i)
    for i, name in enumerate(names):
        if i < len(header) and header[i] == name:
            mapping[name] = i
        elif name in position:
            mapping[name] = position[name]
            issues.append(Issue(td.name, "incorrect-label", f"field {name!r} is column {mapping[name] + 1}, the schema puts it at {i + 1}",
                                file=td.file, line=1, column=name, hint="Order the columns as the schema's fields."))
        else:
            issues.append(Issue(td.name, "missing-label", f"the schema's field {name!r} has no column", file=td.file, line=1,
                                column=name, hint="Add the column (the header must list the schema's fields in order)."))
    known = set(names)
    for label in header:
        if label not in known and str(label or "").strip():
            issues.append(Issue(td.name, "extra-label", f"column {label!r} is not in the schema", file=td.file, line=1,
                                column=str(label), hint="Remove the column or add the field to the schema."))
    return issues, mapping


def read_table(ctx: Context, res: dict, schema: dict | None, data: csvread.Bytes, file: str,
               ruleset: RuleSet | None) -> list[Issue]:
    """Parse one table into ctx.tables; return what reading it found."""
    td, issues = open_table(res, schema, data, file, ruleset)
    if td is not None:
        ctx.tables[td.name] = td
    return issues


def open_table(res: dict, schema: dict | None, data: csvread.Bytes, file: str, ruleset: RuleSet | None,
               header: list[str] | None = None, offset: int = 0) -> tuple[TableData | None, list[Issue]]:
    """Decode, parse and type a CSV's bytes: a whole file, or rows that follow `header` and start at byte
    `offset` (a batch of a larger file: validate/stream.py). The table is None when the bytes cannot be
    read as a table (the issues say why)."""
    name = res["name"]
    issues: list[Issue] = file_issues(ruleset, name, file, data)
    # UTF-8 is verified in Arrow before parsing (fast; a bad byte in a ragged row would otherwise reach
    # the parser's Python callback); the slow Python decode only runs to locate a bad byte.
    body, enc_issues = csvread.decode_check(data, file, name, res.get("encoding", "utf-8"))
    if enc_issues:
        return None, issues + enc_issues
    if not csvread.is_utf8(body):
        return None, issues + csvread.utf8_issue(body, file, name, offset)
    raw = csvread.parse(body, csvread.Dialect.from_descriptor(res.get("dialect")), header)
    if raw.parse_error and "UTF8" in raw.parse_error:
        return None, issues + (csvread.utf8_issue(body, file, name, offset) or
                         [Issue(name, "encoding-error", raw.parse_error, file=file, hint="Save the file as UTF-8.")])
    if raw.parse_error:
        return None, issues + [Issue(name, "source-error", f"cannot parse the CSV: {raw.parse_error}", file=file,
                               hint="Check quoting: every opening quote needs a closing one.")]
    if schema is None:
        return None, issues
    td = TableData(name, file, schema, raw)
    head, mapping = header_issues(td)
    issues += head
    if raw.ragged:
        for line, cells in raw.ragged_rows():
            kind = "extra-cell" if cells > len(raw.header) else "missing-cell"
            issues.append(Issue(name, kind, f"row has {cells} cells, the header has {len(raw.header)}", file=file,
                                line=line, hint="Give every row exactly one cell per column (quote cells containing commas)."))
    if ruleset is not None and ruleset.no_empty_tables and raw.table is not None and raw.table.num_rows == 0:
        issues.append(Issue(name, "blank-table", "the table has a header but no rows", file=file,
                            hint="Readers such as R's frictionless cannot read header-only tables."))
    missing_values = schema.get("missingValues", [""])
    if raw.table is not None:  # one contiguous array per column; the parser's chunks are freed for reuse
        raw.table = pa.Table.from_arrays([contiguous(c) for c in raw.table.columns], names=raw.table.column_names)
    if raw.table is not None:
        parse_fields(td, [f for f in schema["fields"] if f["name"] in mapping], mapping, missing_values)
    if td.parsed and td.num_rows:
        blank = None
        for p in td.parsed.values():  # stop as soon as no row can be blank
            blank = p.missing if blank is None else pc.and_(blank, p.missing)
            if not pc.any(blank).as_py():
                break
        if len(td.parsed) == len(raw.header) and pc.any(blank).as_py():
            rows = np.flatnonzero(blank.to_numpy(zero_copy_only=False))
            for line in raw.line_of(rows[:100]):
                issues.append(Issue(name, "blank-row", "the row is empty", file=file, line=int(line), hint="Delete the empty row."))
    return td, issues


def contiguous(column: pa.ChunkedArray) -> pa.Array:
    """The column as one array. Text of 2 GiB or more does not fit 32-bit offsets: it becomes large_string
    (64-bit offsets) instead of overflowing when the chunks are combined."""
    if pa.types.is_string(column.type) and column.nbytes >= LARGE_TEXT:
        column = column.cast(pa.large_string())
    return column.combine_chunks()


def parse_fields(td: TableData, fields: list[dict], mapping: dict[str, int], missing_values: list) -> None:
    """Fill td.columns and td.parsed: long columns one by one (each distinct value parsed once), short
    columns in groups of the same field definition (one parse over their concatenation)."""
    groups: dict[str, list[dict]] = {}
    for f in fields:
        td.columns[f["name"]] = td.raw.table.column(mapping[f["name"]]).chunk(0)
        if td.num_rows > SHORT_COLUMN:
            # Plain text needs no parsing per distinct value; checks that need the encoding make it later.
            plain = f.get("type", "string") == "string" and f.get("format", "default") in (None, "default")
            td.parsed[f["name"]] = parse_column(td.columns[f["name"]], f, f.get("missingValues", missing_values),
                                                None if plain else td.encoded(f["name"]))
        else:
            key = json.dumps({k: v for k, v in f.items() if k not in NOT_PARSING}, sort_keys=True, default=str)
            groups.setdefault(key, []).append(f)
    n = td.num_rows
    for group in groups.values():
        f = group[0]
        if len(group) == 1:
            td.parsed[f["name"]] = parse_column(td.columns[f["name"]], f, f.get("missingValues", missing_values))
            continue
        whole = parse_column(pa.concat_arrays([td.columns[g["name"]] for g in group]), f,
                             f.get("missingValues", missing_values))
        for i, g in enumerate(group):
            td.parsed[g["name"]] = Parsed(whole.typed.slice(i * n, n), whole.missing.slice(i * n, n),
                                          whole.invalid.slice(i * n, n))


class _Part:
    """One check's result inside a chunk's future (run_checks asks for `.result()`)."""

    def __init__(self, future, index: int):
        self.future, self.index = future, index

    def result(self):
        return self.future.result()[self.index]


def submit_checks(pool: ThreadPoolExecutor, checks: list, n: int) -> dict:
    """id(check) -> its future; a table with many checks (a wide table) runs them in a few chunks."""
    if len(checks) <= CHUNKED_CHECKS:
        return {id(c): pool.submit(failing_rows, c, n) for c in checks}
    size = -(-len(checks) // (WORKERS * 4))
    out = {}
    for start in range(0, len(checks), size):
        chunk = checks[start:start + size]
        future = pool.submit(lambda cs=chunk: [failing_rows(c, n) for c in cs])
        out.update({id(c): _Part(future, i) for i, c in enumerate(chunk)})
    return out


def read_contents(pkg: Package, ctx: Context, files: dict, schemas: dict[str, dict], ruleset: RuleSet | None,
                  prefetch: Prefetch) -> None:
    """Parse every file into ctx: tables in parallel, largest first (Arrow releases the GIL), as their
    bytes arrive from the prefetch thread; issues are collected in package order (deterministic).
    Size and hash verdicts are not awaited here: the checks start while the last files are hashed."""
    found: dict[str, list[Issue]] = {name: [] for name in files}

    def load(name: str) -> None:
        res, path = files[name]
        if path is None:  # the descriptor check refused this table (validate/core.py)
            return
        try:
            data = prefetch.data(name)
        except FileRefused as exc:  # changed since it was located
            found[name].append(Issue(name, exc.rule, exc.message, file=path, hint=exc.hint))
            return
        if not is_tabular(res):
            try:
                ctx.texts[name] = bytes(data).decode(res.get("encoding", "utf-8"))
            except (UnicodeDecodeError, LookupError):
                found[name].append(Issue(name, "encoding-error", "the text is not valid in its declared encoding", file=path))
        elif not data:
            found[name].append(Issue(name, "source-error", "the file is empty", file=path, hint="Rebuild the package."))
        else:
            found[name] += read_table(ctx, res, schemas.get(name), data, path, ruleset)

    with ThreadPoolExecutor(max_workers=WORKERS) as readers:
        for job in [readers.submit(load, name) for name in prefetch.order if name in files]:
            job.result()
    ctx.tables = {name: ctx.tables[name] for name in files if name in ctx.tables}  # package order
    for name in files:
        pkg.issues.extend(found[name])


def check_tables(ctx: Context, order: list[str], extra: dict, engine: str, max_errors: int, report: Report,
                 ruleset: RuleSet | None = None) -> int:
    """Run every table's derived checks; append issues in package order; return the total.

    All checks are derived before any runs, so every reference to a key is registered in time to be
    encoded with it (validate/keys.py). The arrow engine runs single checks in parallel, the biggest
    tables' first. The pandera engine runs the Pandera schemas of validate/frames.py instead.
    """
    if engine == "pandera":
        from banjska.validate.frames import run_pandera

        return run_pandera(ctx, order, ruleset, max_errors, report)
    total = 0
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        derived = {name: derive.derive_checks(ctx, ctx.tables[name], extra.get(name)) for name in order}
        # Key domains first, biggest first, each a task of its own: checks that need one wait for it.
        for key in sorted(ctx.keys.keys(), key=lambda k: -ctx.tables[k.table].num_rows if k.table in ctx.tables else 0):
            pool.submit(ctx.keys.domain, ctx, key)
        futures = {}
        for name in sorted(order, key=lambda t: -ctx.tables[t].num_rows):
            futures[name] = submit_checks(pool, [c for cs in derived[name].values() for c in cs],
                                          ctx.tables[name].num_rows)
        # Issues are assembled per table in the pool too (locating lines scans the file); these
        # tasks queue behind every check, so one never waits for a check that has not started.
        assembled = {name: pool.submit(run_checks, ctx.tables[name], derived[name], max_errors,
                                       lambda c, n, f=futures[name]: f[id(c)]) for name in order}
        results = {name: assembled[name].result() for name in order}
    for name in order:  # results in package order, so reports are deterministic
        found, counts = results[name]
        report.issues += found[: max(0, max_errors - len(report.issues))]
        report.add_counts(name, counts)
        total += sum(counts.values())
        report.checked[name] = ctx.tables[name].num_rows
    return total
