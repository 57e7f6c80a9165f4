"""Report rendering: the fast JSON renderer writes exactly what json.dumps would."""

from __future__ import annotations

import json

from banjska.report import Issue, Report, render_json, render_text

TRICKY = [
    Issue("events", "type-error", "The value is not of the field's type and format.", file="data/events.csv", line=12,
          column="date", value="2023-9-\"5\"\n", hint="Write a valid date as YYYY-MM-DD."),
    Issue("actors", "dataset:x", "Vučić's \\ title", file="data/actors.csv", line=None, column="", value="=1+1", hint=""),
    Issue("", "package-error", "the descriptor has no 'resources' list", file="datapackage.json"),
    Issue("events", "type-error", "The value is not of the field's type and format.", file="data/events.csv", line=13,
          column="date", value="\u2028\t😀", hint="Write a valid date as YYYY-MM-DD."),
]


def test_render_json_lines_equal_json_dumps_of_each_issue():
    report = Report(package="pkg", issues=TRICKY, checked={"events": 2}, total=4)
    text = render_json(report)
    lines = text.split("\n")
    assert lines[1:-1] == [json.dumps(vars(i), ensure_ascii=False) + ("," if n < len(TRICKY) - 1 else "")
                           for n, i in enumerate(TRICKY)]
    doc = json.loads(text)
    assert doc["errors"] == [vars(i) for i in TRICKY]
    assert doc["error_count"] == 4 and doc["valid"] is False and doc["rows_checked"] == {"events": 2}


def test_render_json_of_a_valid_report_is_one_document():
    doc = json.loads(render_json(Report(package="pkg", checked={"a": 1})))
    assert doc == {"package": "pkg", "valid": True, "error_count": 0, "truncated": False, "rows_checked": {"a": 1},
                   "rules": None, "batched": [], "counts": [], "errors": []}


def test_a_truncated_report_counts_every_kind_of_error():
    """--max-errors cuts the list, never the counts: text and JSON give every (table, column, rule) total."""
    shown = [Issue("events", "type-error", "bad", "data/events.csv", 2, "date", "x")]
    report = Report(package="pkg", issues=shown, total=10_001, truncated=True,
                    counts={("events", "date", "type-error"): 10_000, ("events", "", "extra-cell"): 1})
    text = render_text(report)
    assert text.endswith("all errors, by table, column and rule:\n  events date [type-error]: 10000\n"
                         "  events - [extra-cell]: 1")
    assert json.loads(render_json(report))["counts"] == [
        {"table": "events", "column": "date", "rule": "type-error", "count": 10_000},
        {"table": "events", "column": "", "rule": "extra-cell", "count": 1}]
