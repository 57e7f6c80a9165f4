#!/usr/bin/env python3
"""One-command setup for a fresh clone (needs only Python 3.11+).

    python3 scripts/dev.py build   # create .venv from the lock file, then build + validate the package
    python3 scripts/dev.py test    # create .venv from the lock file, then run the whole test suite
    python3 scripts/dev.py lint    # ruff check (configured in pyproject.toml [tool.ruff]); extra args go to ruff
    python3 scripts/dev.py smoke   # build the wheel, install it in a fresh venv outside the repo, run it
                                   # (scripts/smoke_wheel.py; --lower-bounds: the lowest supported versions)
    python3 scripts/dev.py setup   # only create/update the environments

Dependencies are listed once, as version ranges, in pyproject.toml ([project].dependencies and the
docs/test/dev extras). The exact versions, with hashes, are generated from it with uv
(`pip install uv` in a scratch venv; made with uv 0.13.9), the dev lock first, then the base lock
constrained to it so both agree (uv keeps the versions already in an existing -o file):

    uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.lock
    uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -c requirements-dev.lock -o requirements.lock

(each lock file repeats its command on its second line; add --upgrade to move to newer releases.)
.venv is installed from requirements-dev.lock (everything: base + docs + test + ruff + build) with
--require-hashes, so every machine gets the same versions, then the project itself, editable and
--no-deps; it is reused while the lock file and pyproject.toml are unchanged. requirements.lock (the
base install only) is what the wheel smoke test installs. CITATION.cff is validated by `make-data check`
with jsonschema against the vendored CFF 1.2.0 schema, so no separate environment is needed.

Commands run with the repository root as their working directory: make-data acts on the package
found from the working directory, not on where it is installed.
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
PIP = ("-m", "pip", "install", "--quiet", "--disable-pip-version-check")
COMMANDS = ("build", "test", "lint", "smoke", "setup")


def bin_path(name: str, venv_dir: Path = VENV) -> Path:
    return venv_dir / ("Scripts" if os.name == "nt" else "bin") / name


def run(*cmd: str | Path) -> None:
    print("+", " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    code = subprocess.call([str(c) for c in cmd], cwd=ROOT)
    if code:
        sys.exit(code)


def setup() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this script runs under whatever python3 the machine has
        sys.exit(f"Error: Python 3.11 or newer is needed, this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and bin_path("make-data").exists():
        return
    if not bin_path("python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    py = bin_path("python")
    run(py, *PIP, "--require-hashes", "-r", LOCK)
    # setuptools comes from the lock (dev extra), so the editable install needs no build isolation (no download).
    run(py, *PIP, "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in COMMANDS:
        sys.exit("usage: python3 scripts/dev.py build|test|lint|smoke|setup [extra args: pytest's, ruff's, "
                 "or smoke's --lower-bounds]")
    setup()
    command, rest = argv[0], argv[1:]
    if command == "build":
        run(bin_path("make-data"), "build")
        run(bin_path("make-data"), "validate")
    elif command == "test":
        run(bin_path("python"), "-m", "pytest", *rest)
    elif command == "lint":
        run(bin_path("ruff"), "check", *rest)
    elif command == "smoke":
        run(sys.executable, ROOT / "scripts" / "smoke_wheel.py", *rest)


if __name__ == "__main__":
    main(sys.argv[1:])
