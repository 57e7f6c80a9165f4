"""R/load_package.R, run with real R (Debian's r-base-core + readr + jsonlite): every table loads with the
schema's types, and its row and missing-value counts agree with the Python loader's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from banjska.consume.load import load

from pkgtools import zip_package
from repo import ROOT, TABLES
from test_load import copy_package, set_cell

SCRIPT = ROOT / "R" / "load_package.R"
LINE = re.compile(r"^(\w+)\s+(\d+) rows\s+(\d+) cols\s+missing\s+(\d+)\s+(.*)$")


@pytest.fixture
def rscript():
    exe = shutil.which("Rscript")
    if not exe:
        if os.environ.get("CI"):
            pytest.fail("Rscript is not installed: .ci/run must install r-base-core r-cran-readr r-cran-jsonlite")
        pytest.skip("R not installed (apt-get install r-base-core r-cran-readr r-cran-jsonlite)")

    def run(package: Path | str) -> subprocess.CompletedProcess:
        return subprocess.run([exe, str(SCRIPT), str(package)], capture_output=True, text=True, timeout=300)

    return run


def summary(stdout: str) -> dict[str, tuple[int, int, int, str]]:
    out = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            out[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)), m.group(5))
    return out


def python_counts(package) -> dict[str, tuple[int, int, int]]:
    return {name: (len(df), df.shape[1], int(df.isna().sum().sum())) for name, df in load(package).items()}


def test_r_loads_every_table_with_schema_types(rscript):
    proc = rscript(ROOT)
    assert proc.returncode == 0, proc.stderr
    got = summary(proc.stdout)
    assert list(got) == list(TABLES)
    assert {t: v[:3] for t, v in got.items()} == python_counts(ROOT)
    assert f"OK: {len(TABLES)} tables" in proc.stdout
    assert proc.stderr == "", proc.stderr  # no warnings either
    # classes from the schemas: dates, times, factors (enums), logicals (booleans), integers
    assert "Date:" in got["events"][3] and "hms:" in got["events"][3] and "factor:" in got["events"][3]
    assert "logical:1" in got["actors"][3] and "integer:" in got["casualties"][3]


def test_r_keeps_a_literal_na_as_text(rscript, tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    before = summary(rscript(pkg).stdout)["actors"][2]
    empty_title = int(load(pkg)["actors"]["title"].isna().to_numpy().nonzero()[0][0])
    set_cell(pkg, "actors", empty_title, "title", "NA")
    proc = rscript(pkg)
    assert proc.returncode == 0, proc.stderr
    assert summary(proc.stdout)["actors"][2] == before - 1  # one fewer missing value: "NA" is text


def test_r_fails_on_a_value_that_does_not_match_the_schema(rscript, tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg, "casualties", 0, "count", "three")
    proc = rscript(pkg)
    assert proc.returncode == 1
    assert "casualties" in proc.stderr and "three" in proc.stderr


def test_r_fails_on_a_value_outside_the_enum(rscript, tmp_path):
    pkg = copy_package(tmp_path / "pkg")
    set_cell(pkg, "events", 0, "date_precision", "week")
    proc = rscript(pkg)
    assert proc.returncode == 1 and "events" in proc.stderr


def test_r_reads_a_release_zip(rscript, tmp_path):
    zpath = zip_package(ROOT, tmp_path / "release.zip")
    proc = rscript(zpath)
    assert proc.returncode == 0, proc.stderr
    assert {t: v[:3] for t, v in summary(proc.stdout).items()} == python_counts(ROOT)
