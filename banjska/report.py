"""Validation findings and how they are rendered (text, JSON, GitHub Actions annotations)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from json.encoder import encode_basestring


@dataclass
class Issue:
    """One finding: where (table, file, CSV line, column), what (value, rule, message) and how to fix it.

    (Not frozen: a frozen dataclass takes 3x longer to create, which shows with 100,000 errors.)
    """

    table: str
    rule: str
    message: str
    file: str = ""
    line: int | None = None
    column: str = ""
    value: str = ""
    hint: str = ""

    def location(self) -> str:
        loc = self.file or self.table
        if self.line is not None:
            loc += f":{self.line}"
        if self.column:
            loc += f" column {self.column}"
        return loc


@dataclass
class Report:
    package: str
    issues: list[Issue] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # table -> rows checked
    truncated: bool = False
    total: int = 0  # all errors found, including those past --max-errors
    rules: str | None = None  # the dataset rule set applied (registered for the package's name), if any
    batched: list[str] = field(default_factory=list)  # tables validated in batches (too large to hold whole)
    # every error found, shown or not, per (table, column, rule): `total` is their sum
    counts: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def count(self, issues: list[Issue]) -> None:
        """Count findings that are all at hand (reading, descriptor, bytes and hashes)."""
        for i in issues:
            key = (i.table, i.column, i.rule)
            self.counts[key] = self.counts.get(key, 0) + 1

    def add_counts(self, table: str, counts: dict[tuple[str, str], int]) -> None:
        """Add a table's check counts per (column, rule), of which only the first few are kept as issues."""
        for (column, rule), n in counts.items():
            self.counts[(table, column, rule)] = self.counts.get((table, column, rule), 0) + n

    @property
    def valid(self) -> bool:
        return not self.issues

    def as_dict(self, errors: bool = True) -> dict:
        doc = {"package": self.package, "valid": self.valid, "error_count": max(self.total, len(self.issues)),
               "truncated": self.truncated, "rows_checked": self.checked, "rules": self.rules,
               "batched": self.batched,
               "counts": [{"table": t, "column": c, "rule": r, "count": n} for (t, c, r), n in self.counts.items()]}
        if errors:
            doc["errors"] = [dict(vars(i)) for i in self.issues]
        return doc


def _clip(value: str, width: int = 60) -> str:
    value = value.replace("\n", "\\n")
    return value if len(value) <= width else value[: width - 3] + "..."


def rules_text(report: Report) -> str:
    """Which checks ran: the Table Schemas always; a dataset's own rules only when registered for its name."""
    return (f"Table Schemas and the {report.rules} rules" if report.rules else
            "Table Schemas only: no rule set is registered for this package's name")


def render_text(report: Report) -> str:
    if report.valid:
        rows = sum(report.checked.values())
        return f"valid: {report.package} ({len(report.checked)} tables, {rows} rows; {rules_text(report)})"
    n = max(report.total, len(report.issues))
    out = [f"invalid: {report.package} ({n} error{'s' if n != 1 else ''}"
           f"{f', first {len(report.issues)} shown' if report.truncated else ''}; {rules_text(report)})"]
    by_table: dict[str, list[Issue]] = {}
    for issue in report.issues:
        by_table.setdefault(issue.table or "(package)", []).append(issue)
    for table, issues in by_table.items():
        out.append(f"\n{table}: {len(issues)} error{'s' if len(issues) != 1 else ''}")
        for i in issues:
            value = f" value {_clip(i.value)!r}" if i.value else ""
            hint = f" Fix: {i.hint}" if i.hint else ""
            out.append(f"  {i.location()}: [{i.rule}]{value} {i.message}{hint}")
    if report.truncated:
        out.append("\nall errors, by table, column and rule:")
        out += [f"  {t or '(package)'} {c or '-'} [{r}]: {n}" for (t, c, r), n in report.counts.items()]
    return "\n".join(out)


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: one ::error per finding."""
    lines = []
    for i in report.issues:
        props = [f"file={_gh_prop(i.file)}"] if i.file else []
        if i.line is not None:
            props.append(f"line={i.line}")
        props.append(f"title={_gh_prop(i.table + ': ' + i.rule)}")
        value = f" (value {_clip(i.value)!r})" if i.value else ""
        hint = f" Fix: {i.hint}" if i.hint else ""
        col = f"column {i.column}: " if i.column else ""
        lines.append(f"::error {','.join(props)}::{_gh_escape(col + i.message + value + hint)}")
    if report.valid:
        lines.append(f"::notice::valid: {report.package}")
    return "\n".join(lines)


def render_json(report: Report) -> str:
    """One JSON document; one line per error, so it stays readable and fast to write.

    Each line is exactly `json.dumps(vars(issue))`; the texts that repeat across errors (table, rule,
    message, hint, ...) are encoded once per rule and column, so 100,000 errors take a tenth of a second.
    """
    encode = json.JSONEncoder(ensure_ascii=False).encode
    head = encode(report.as_dict(errors=False))[:-1]
    if not report.issues:
        return f'{head}, "errors": []}}'
    templates: dict[tuple, tuple[str, str, str]] = {}

    def template(i: Issue) -> tuple[str, str, str]:
        """The fixed text around `line` and `value` for every error of one rule in one column."""
        key = (i.table, i.rule, i.message, i.file, i.column, i.hint)
        out = templates.get(key)
        if out is None:
            out = templates[key] = (
                f'{{"table": {encode(i.table)}, "rule": {encode(i.rule)}, "message": {encode(i.message)}, '
                f'"file": {encode(i.file)}, "line": ',
                f', "column": {encode(i.column)}, "value": ',
                f', "hint": {encode(i.hint)}}}')
        return out

    quote = encode_basestring  # json's C string encoder (what encode() calls for a str)
    lines = []
    for i in report.issues:
        before, middle, after = template(i)
        line = "null" if i.line is None else int(i.line)
        value = "null" if i.value is None else quote(i.value)
        lines.append(f"{before}{line}{middle}{value}{after}")
    return f'{head}, "errors": [\n' + ",\n".join(lines) + "\n]}"
