"""CLI contract: exit codes, one-line errors, JSON on stdout, and one real subprocess run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import banjska.build.run

from repo import ROOT, TABLES


def test_usage_error_exits_2(cli):
    res = cli("build", "--no-such-option")
    assert res.exit_code == 2
    assert "No such option" in res.stderr


def test_validate_missing_package_exits_2(cli, tmp_path):
    res = cli("validate", tmp_path / "nowhere")
    assert res.exit_code == 2
    assert res.stderr.startswith("Error: no data package at")


def test_validate_invalid_json_descriptor_exits_2(cli, tmp_path):
    (tmp_path / "datapackage.json").write_text("{not json")
    res = cli("validate", tmp_path)
    assert res.exit_code == 2
    assert "invalid JSON" in res.stderr and "Traceback" not in res.output


def test_internal_error_is_reported_as_a_bug_not_invalid_data(cli, monkeypatch):
    def boom(root):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(banjska.build.run, "render", boom)
    res = cli("--root", ROOT, "build", "--check")
    assert res.exit_code == 3
    assert "internal error" in res.stderr and "kaboom" in res.stderr
    assert "invalid" not in res.stderr.lower().replace("internal", "")


def test_build_json_prints_one_document(repo, cli):
    res = cli("--root", repo, "build", "--json")
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["coverage"] == 100.0 and doc["rows"]["events"] > 0


def test_validate_json_prints_one_document(cli):
    res = cli("validate", "--format", "json")
    assert res.exit_code == 0
    assert json.loads(res.stdout)["valid"] is True


def test_subprocess_smoke():
    """Without a path, commands act on the project/package found upward from the working directory."""
    exe = Path(sys.executable).with_name("make-data")
    proc = subprocess.run([str(exe), "build", "--check"], cwd=ROOT / "annotations", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.startswith(f"up to date: {ROOT}:")
    proc = subprocess.run([str(exe), "validate"], cwd=ROOT / "data", capture_output=True, text=True)
    assert (proc.returncode, proc.stdout.strip()) == (0, f"valid: {ROOT / 'datapackage.json'} ({len(TABLES)} tables, "
                                                          f"{sum(len(r) for r in _table_rows())} rows; Table Schemas and the "
                                                          "banjska-2023-events rules)"), proc.stderr


def test_commands_outside_a_package_say_so(tmp_path):
    exe = Path(sys.executable).with_name("make-data")
    proc = subprocess.run([str(exe), "validate"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (f"Error: no datapackage.json in {tmp_path.resolve()} or any directory above it. Run the "
                           "command inside a data package, or pass the package's directory, its datapackage.json or a "
                           "release .zip.\n")
    proc = subprocess.run([str(exe), "build"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2 and "no dataset project (metadata/dataset.yaml)" in proc.stderr


def _table_rows() -> list[list[str]]:
    from pkgtools import read_rows

    return [read_rows(p)[1] for p in sorted((ROOT / "data").glob("*.csv"))]


LEAN_VALIDATE = """
import sys
sys.argv = ["make-data", "validate", "--format", "json"] + sys.argv[1:]
from banjska.cli.console import run
run()
"""


def imported_pandas(stderr: str) -> bool:
    """Whether `python -X importtime` output shows pandas being imported (not just a refused attempt)."""
    return any(line.split("|")[-1].strip() == "pandas.core.frame" for line in stderr.splitlines())


def test_console_validate_does_not_import_pandas():
    """The console script's validate keeps pyarrow from importing pandas (a quarter second of every run)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", LEAN_VALIDATE, str(ROOT)], cwd="/",
                          capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["valid"], proc.stdout + proc.stderr[-2000:]
    assert not imported_pandas(proc.stderr)


def test_console_validate_with_pandera_still_imports_pandas():
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", LEAN_VALIDATE, str(ROOT), "--engine", "pandera"],
                          cwd="/",
                          capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["valid"], proc.stdout + proc.stderr[-2000:]
    assert imported_pandas(proc.stderr)


def test_console_validate_exit_code_and_full_output_on_invalid_data(tmp_path):
    """The console process ends without interpreter teardown: the whole report must still be written."""
    import shutil

    shutil.copytree(ROOT, tmp_path / "pkg", ignore=shutil.ignore_patterns(".git", ".venv*", "dist", "bench", "build"))
    events = tmp_path / "pkg" / "data" / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace(",2023-09-24,", ",2023-9-24,"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", LEAN_VALIDATE, str(tmp_path / "pkg"), "--max-errors", "100000"],
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["error_count"] == len(doc["errors"]) > 0


def test_pyarrow_still_converts_pandas_after_skip_pandas():
    """skip_pandas only answers pyarrow's soft checks: a later hard need imports pandas as usual."""
    code = ("import pyarrow as pa; from banjska.validate.fast import skip_pandas; assert skip_pandas(); "
            "import sys; assert 'pandas' not in sys.modules; "
            "print(pa.table({'a': [1, None]}).to_pandas()['a'].isna().tolist())")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[False, True]"


def test_console_validate_reads_files_before_importing_pyarrow():
    """The files are read and hashed in a background thread that starts before pyarrow is imported
    (validate/prefetch.py), so ~0.1 s of imports overlaps with I/O and SHA-256."""
    code = ("import sys, banjska.validate.prefetch as pf\n"
            "init = pf.Prefetch.__init__\n"
            "def spy(self, source, files):\n"
            "    print('pyarrow-loaded' if 'pyarrow' in sys.modules else 'pyarrow-not-loaded', file=sys.stderr)\n"
            "    init(self, source, files)\n"
            "pf.Prefetch.__init__ = spy\n" + LEAN_VALIDATE)
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT)], cwd="/", capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["valid"], proc.stdout + proc.stderr[-2000:]
    assert proc.stderr.splitlines()[0] == "pyarrow-not-loaded", proc.stderr
