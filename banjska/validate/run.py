"""Run the derived checks and turn failures into located Issues (CSV line, column, value).

Two runners give the same issues: `run_checks` evaluates the checks' Arrow functions directly (no pandas,
no Pandera: the default, because importing both costs about a second per run), and `run_schema` runs
them through the derived Pandera DataFrameSchema (`make-data validate --engine pandera`).
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from banjska.report import Issue
from banjska.validate.checks import Check
from banjska.validate.context import TableData

MAX_VALUE = 200


def _clip(value: str | None) -> str:
    value = value or ""
    if len(value) > MAX_VALUE:  # a 20 MB cell must not make a 20 MB report
        value = value[:MAX_VALUE] + f"... ({len(value):,} characters)"
    return value


def _hint(error: str, description: str | None) -> str:
    """A check's description is its hint, unless it only repeats the error text."""
    return description if description and description != error else ""


def failing_rows(check: Check, n: int) -> np.ndarray:
    """Row indexes where the check fails."""
    return np.flatnonzero(~check.mask(n))


def run_checks(td: TableData, checks: dict[str, list[Check]], budget: int, evaluate=None) -> tuple[list[Issue], int]:
    """Evaluate every check on whole columns; return up to `budget` issues and the total failure count.

    `evaluate(check, n)` may return a future (checks of all tables then run in one pool, biggest first);
    issues come out in schema order either way.
    """
    pending = [(column, check, (evaluate or failing_rows)(check, td.num_rows))
               for column, column_checks in checks.items() for check in column_checks]
    failures: list[tuple[str, Check, np.ndarray]] = []
    total = 0
    for column, check, bad in pending:
        bad = bad.result() if hasattr(bad, "result") else bad
        if len(bad):
            failures.append((column, check, bad))
            total += len(bad)
    issues: list[Issue] = []
    for column, check, bad in failures:
        take = bad[: max(0, budget - len(issues))]
        if not len(take):
            break
        lines = td.raw.line_of(take).tolist()
        if column in td.columns:
            cells = td.columns[column].take(take)
            values = cells.to_pylist()
            if len(values) and (pc.max(pc.utf8_length(cells)).as_py() or 0) > MAX_VALUE:
                values = [_clip(v) for v in values]
        else:
            values = [""] * len(take)
        hint = _hint(check.error, check.description)
        table, rule, error, file = td.name, check.name, check.error, td.file
        issues += [Issue(table, rule, error, file, line, column, value, hint) for line, value in zip(lines, values, strict=True)]
    return issues, total


def run_schema(td: TableData, schema, budget: int) -> tuple[list[Issue], int]:
    """Validate lazily with Pandera (every check runs); return up to `budget` issues and the total count."""
    import pandera.errors as pe

    from banjska.validate.derive import frame

    try:
        schema.validate(frame(td), lazy=True)
        return [], 0
    except pe.SchemaErrors as err:
        cases = err.failure_cases
    issues, total = [], len(cases)
    if total == 0:
        return [], 0
    cases = cases.head(max(budget, 0) * 4 + 1000)
    rows = cases["index"].to_numpy()
    known = ~np.array([r is None or (isinstance(r, float) and np.isnan(r)) for r in rows]) if len(rows) < 10000 else \
        cases["index"].notna().to_numpy()
    lines = np.full(len(rows), -1, dtype=np.int64)
    if known.any():
        lines[known] = td.raw.line_of(rows[known].astype(np.int64))
    column_checks = {name: col.checks for name, col in schema.columns.items()}
    for i, case in enumerate(cases.itertuples(index=False)):
        if len(issues) >= budget:
            break
        col = case.column if isinstance(case.column, str) else ""
        check = None
        num = case.check_number
        if col in column_checks and num is not None and not (isinstance(num, float) and np.isnan(num)):
            check = column_checks[col][int(num)]
        if check is None:
            issues.append(Issue(td.name, str(case.check), str(case.check), file=td.file, column=col))
            continue
        value = td.columns[col][int(rows[i])].as_py() if known[i] and col in td.columns else ""
        issues.append(Issue(td.name, check.name, check.error, file=td.file, line=int(lines[i]) if known[i] else None,
                            column=col, value=_clip(value), hint=_hint(check.error, check.description)))
    return issues, total
