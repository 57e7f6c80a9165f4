"""Run the derived checks and turn failures into located Issues (CSV line, column, value).

`run_checks` evaluates the checks' Arrow functions directly (no pandas, no Pandera: importing both costs
about a second per run). The pandera engine is frames.py's `run_pandera`; a differential test proves
both report the same findings.
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


def hint_of(error: str, description: str | None) -> str:
    """A check's description is its hint, unless it only repeats the error text."""
    return description if description and description != error else ""


def failing_rows(check: Check, n: int) -> np.ndarray:
    """Row indexes where the check fails."""
    return np.flatnonzero(~check.mask(n))


def run_checks(td: TableData, checks: dict[str, list[Check]], budget: int,
               evaluate=None) -> tuple[list[Issue], dict[tuple[str, str], int]]:
    """Evaluate every check on whole columns; return up to `budget` issues and how many rows failed, per
    (column, rule).

    `evaluate(check, n)` may return a future (checks of all tables then run in one pool, biggest first);
    issues come out in schema order either way.
    """
    pending = [(column, check, (evaluate or failing_rows)(check, td.num_rows))
               for column, column_checks in checks.items() for check in column_checks]
    failures: list[tuple[str, Check, np.ndarray]] = []
    counts: dict[tuple[str, str], int] = {}
    for column, check, bad in pending:
        bad = bad.result() if hasattr(bad, "result") else bad
        if len(bad):
            failures.append((column, check, bad))
            counts[(column, check.name)] = counts.get((column, check.name), 0) + len(bad)
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
        hint = hint_of(check.error, check.description)
        table, rule, error, file = td.name, check.name, check.error, td.file
        issues += [Issue(table, rule, error, file, line, column, value, hint) for line, value in zip(lines, values, strict=True)]
    return issues, counts
