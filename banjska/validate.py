"""Validate a Frictionless data package and collect every error as a located Issue."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .paths import DESCRIPTOR, ROOT
from .report import Issue, Report
from .schemas import read_json


def locate_descriptor(target: str | Path | None) -> Path:
    """Accept a package directory or a datapackage.json path; default: this repository's package."""
    path = Path(target) if target else ROOT / DESCRIPTOR
    if path.is_dir():
        path = path / DESCRIPTOR
    if not path.exists():
        raise InputError(f"no data package at {path}", "Pass a package directory or its datapackage.json.")
    return path


def frictionless_issues(descriptor: Path, limit: int) -> tuple[list[Issue], dict[str, int]]:
    """Run frictionless (types, constraints, keys, foreign keys, bytes, hash) and translate its errors."""
    from frictionless import Package, system

    with system.use_context(trusted=False):
        package = Package(str(descriptor))
        result = package.validate(limit_errors=limit)
    issues, checked = [], {}
    for task in result.tasks:
        checked[task.name] = int(task.stats.get("rows") or 0)
        for err in task.errors:
            issues.append(Issue(
                table=task.name, rule=err.type, message=err.note or err.message,
                file=task.place if task.place else "", line=getattr(err, "row_number", None),
                column=getattr(err, "field_name", "") or "", value=str(getattr(err, "cell", "") or ""),
            ))
    for err in result.errors:
        issues.append(Issue(table="", rule=err.type, message=err.message, file=str(descriptor)))
    return issues, checked


def validate_package(target: str | Path | None = None, max_errors: int = 1000) -> Report:
    descriptor = locate_descriptor(target)
    read_json(descriptor)  # unreadable or malformed JSON is an input error (exit 2), not invalid data
    issues, checked = frictionless_issues(descriptor, max_errors)
    report = Report(package=str(descriptor), issues=issues[:max_errors], checked=checked)
    report.truncated = len(issues) > max_errors
    return report
