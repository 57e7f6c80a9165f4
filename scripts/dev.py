#!/usr/bin/env python3
"""One-command setup for a fresh clone (needs only Python 3.11+).

    python3 scripts/dev.py build   # create .venv from the lock file, then build + validate the package
    python3 scripts/dev.py test    # create .venv from the lock file, then run the whole test suite

The virtual environment is installed from requirements-dev.lock with --require-hashes, so every
machine gets the same versions; it is reused when the lock file has not changed. Setup also creates
.venv-cff from requirements-cff.lock (cffconvert, which validates CITATION.cff: its jsonschema pin
conflicts with frictionless, so it lives in its own environment), reused the same way.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements-dev.lock"
STAMP = VENV / ".lock-sha256"
CFF_VENV = ROOT / ".venv-cff"
CFF_LOCK = ROOT / "requirements-cff.lock"


def bin_path(name: str, venv_dir: Path = VENV) -> Path:
    return venv_dir / ("Scripts" if os.name == "nt" else "bin") / name


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code:
        sys.exit(code)


def setup() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Error: Python 3.11 or newer is needed, this is {sys.version.split()[0]}.")
    setup_cff()
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and bin_path("make-data").exists():
        return
    if not bin_path("python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    py = bin_path("python")
    run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", LOCK)
    run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(wanted)


def setup_cff() -> None:
    """The isolated cffconvert environment the citation test runs (`.venv-cff/bin/cffconvert`)."""
    stamp = CFF_VENV / ".lock-sha256"
    wanted = hashlib.sha256(CFF_LOCK.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted and bin_path("cffconvert", CFF_VENV).exists():
        return
    if not bin_path("python", CFF_VENV).exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(CFF_VENV)
    py = bin_path("python", CFF_VENV)
    run(py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--require-hashes", "-r", CFF_LOCK)
    stamp.write_text(wanted)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in {"build", "test", "setup"}:
        sys.exit("usage: python3 scripts/dev.py build|test|setup [extra pytest args]")
    setup()
    if argv[0] == "build":
        run(bin_path("make-data"), "build")
        run(bin_path("make-data"), "validate")
    elif argv[0] == "test":
        run(bin_path("python"), "-m", "pytest", *argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
