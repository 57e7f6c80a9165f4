"""The layout shows the flow: each stage imports only the stages before it (ARCHITECTURE.md), lazily or
not, the generic engine knows no dataset, and the speed machinery stays in the console script."""

from __future__ import annotations

import ast
from pathlib import Path

from repo import ROOT

PACKAGE = ROOT / "banjska"
# stage -> the stages it may import (besides the shared top-level modules)
ALLOWED = {
    "package": set(),
    "validate": {"package"},
    "dataset": {"validate", "package"},
    "consume": {"package", "validate"},
    "build": {"validate", "package"},  # the build validates what it renders before writing
    "release": {"package", "consume", "validate", "build"},
    "cli": {"package", "validate", "consume", "release", "build"},
}
SHARED = {"errors", "report", "files", "project", "extras", "__init__", "__main__"}


def imports(path: Path) -> set[str]:
    """Every banjska module a file imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("banjska"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("banjska"))
    return found


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and (PACKAGE / parts[1]).is_dir() else None


def test_each_stage_imports_only_the_stages_before_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = stage_of("banjska." + path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", "."))
        for module in imports(path):
            other = stage_of(module)
            if own and other and other != own and other not in ALLOWED[own]:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_shared_modules_import_no_stage():
    for name in SHARED:
        path = PACKAGE / f"{name}.py"
        if path.exists() and name not in ("__init__", "__main__"):
            assert {stage_of(m) for m in imports(path)} <= {None}, name


def test_the_console_script_is_the_only_user_of_the_speed_machinery():
    users = sorted(str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py")
                   if any(m.startswith("banjska.validate.fast") for m in imports(p)) or "os._exit" in p.read_text())
    assert users == ["banjska/cli/console.py"]


def test_the_engine_names_no_dataset():
    for stage in ("package", "validate"):
        for path in (PACKAGE / stage).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "banjska-2023-events" not in text and "article" not in text.lower().replace("particle", ""), path
