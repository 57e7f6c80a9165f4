"""Shared fixtures: a scratch copy of the repository's inputs and outputs, and an in-process CLI runner."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from banjska.cli import main

from repo import ROOT

sys.path.insert(0, str(ROOT / "scripts"))  # synth.py, the generator of large test packages

COPIED = ["seeds", "annotations", "coding", "schemas", "metadata", "data", "datapackage.json", "LICENSE-DATA",
          "README.md", "LICENSE", "CHANGELOG.md", "CITATION.cff", ".zenodo.json", "dist", "docs"]


def copy_repo(dst: Path) -> Path:
    """Copy the repository's package inputs, committed outputs, docs and releases to `dst`."""
    dst.mkdir(parents=True)
    for name in COPIED:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name)
        else:
            shutil.copy2(src, dst / name)
    return dst


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A private copy of the repository's package inputs and committed outputs."""
    return copy_repo(tmp_path / "repo")


@pytest.fixture
def cli():
    """Invoke make-data in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a file, insisting that the text was there (so a test cannot silently no-op)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
