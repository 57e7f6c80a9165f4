"""Wide tables: short columns are parsed in groups of one field definition and checked in chunks, so the
cost grows with the column count, not with its square; every finding still names its own column and line."""

from __future__ import annotations

import json

from banjska.validate import pipeline
from banjska.validate.core import validate_package


def wide_package(root, columns: int, rows: int, bad: dict[tuple[int, int], str]) -> None:
    """Integer and date columns alternating, one enum per tenth column; `bad` maps (row, column) -> cell."""
    fields = []
    for i in range(columns):
        field = {"name": f"c{i}", "type": "integer" if i % 2 == 0 else "date"}
        if i % 10 == 0:
            field["constraints"] = {"enum": [0, 1, 2]}
        fields.append(field)
    lines = [",".join(f["name"] for f in fields)]
    for r in range(rows):
        cells = [str(r % 3) if i % 2 == 0 else f"2023-09-2{r % 10}" for i in range(columns)]
        for (br, bc), cell in bad.items():
            if br == r:
                cells[bc] = cell
        lines.append(",".join(cells))
    root.mkdir()
    (root / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "datapackage.json").write_text(json.dumps(
        {"name": "wide", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": fields}}]}), encoding="utf-8")


def test_a_wide_table_reports_each_fault_at_its_own_column_and_line(tmp_path):
    columns = pipeline.CHUNKED_CHECKS * 3  # enough checks to run in chunks, columns short enough to parse in groups
    bad = {(0, 1501): "2023-02-30", (2, 1000): "7", (1, 2998): "x"}
    wide_package(tmp_path / "p", columns, 3, bad)
    report = validate_package(tmp_path / "p")
    found = sorted((i.rule, i.line, i.column, i.value) for i in report.issues)
    assert found == [("constraint-error:enum", 4, "c1000", "7"),
                     ("type-error", 2, "c1501", "2023-02-30"),
                     ("type-error", 3, "c2998", "x")]


def test_grouped_parsing_gives_the_per_column_result(tmp_path, monkeypatch):
    """The same package parsed column by column (no groups) yields the same typed values and findings."""
    wide_package(tmp_path / "p", 40, 5, {(4, 3): "2023-13-01", (1, 20): "-"})
    grouped = validate_package(tmp_path / "p")
    monkeypatch.setattr(pipeline, "SHORT_COLUMN", 0)  # every column counts as long: parsed one by one
    single = validate_package(tmp_path / "p")
    assert [(i.rule, i.line, i.column, i.value) for i in grouped.issues] == \
        [(i.rule, i.line, i.column, i.value) for i in single.issues]
    assert len(grouped.issues) == 2


def test_a_wide_schema_is_checked_once_per_field_shape_and_reported_at_every_field(monkeypatch):
    from banjska.package import descriptor as profile

    fields = [{"name": f"c{i}", "type": "integer"} for i in range(profile.WIDE_SCHEMA * 2)]
    for i in (5, 300, 401):
        fields[i] = {"name": f"c{i}", "type": "integr"}
    fields[7] = {"name": 7, "type": "string"}  # not a string name: checked on its own
    doc = {"name": "wide", "resources": [{"name": "t", "path": "t.csv", "schema": {"fields": fields}}]}
    reduced, mapping = profile._reduce(doc, "datapackage")
    assert len(reduced["resources"][0]["schema"]["fields"]) == 3  # integer, the misspelt type, the bad name
    wide = [i.message for i in profile.profile_issues(doc, {})]
    monkeypatch.setattr(profile, "WIDE_SCHEMA", 10 ** 9)  # the plain check, field by field
    plain = [i.message for i in profile.profile_issues(doc, {})]
    assert wide == plain
    assert [m.split(":")[0] for m in wide] == ["/resources/0/schema/fields/300/type", "/resources/0/schema/fields/401/type",
                                               "/resources/0/schema/fields/5/type", "/resources/0/schema/fields/7/name"]
