"""Run a derived Pandera schema and turn its failure cases into located Issues (CSV line, column, value)."""

from __future__ import annotations

import numpy as np
import pandera.errors as pe
import pandera.pandas as pa_pd

from ..report import Issue
from .context import TableData
from .derive import frame

MAX_VALUE = 200


def run_schema(td: TableData, schema: pa_pd.DataFrameSchema, budget: int) -> tuple[list[Issue], int]:
    """Validate lazily (every check runs); return up to `budget` issues and the total failure count."""
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
        rule = check.name if check is not None else str(case.check)
        message = check.error if check is not None else str(case.check)
        hint = check.description if check is not None and check.description != message else ""
        value = ""
        if known[i] and col in td.columns:
            value = td.columns[col][int(rows[i])].as_py()
        value = value or ""
        if len(value) > MAX_VALUE:  # a 20 MB cell must not make a 20 MB report
            value = value[:MAX_VALUE] + f"... ({len(value):,} characters)"
        issues.append(Issue(td.name, rule, message, file=td.file, line=int(lines[i]) if known[i] else None,
                            column=col, value=value, hint=hint))
    return issues, total
