#!/usr/bin/env python3
"""Wheel smoke test: build the wheel, install it in a fresh virtual environment outside the repository,
and run the installed `make-data` and `banjska` from temporary working directories.

    python3 scripts/smoke_wheel.py                  # dependencies exactly as requirements.lock (with hashes)
    python3 scripts/smoke_wheel.py --lower-bounds   # dependencies at the lower bounds of pyproject.toml's ranges
    python3 scripts/smoke_wheel.py --keep           # keep the temporary directory (printed) for inspection

It proves what the test suite (which runs from the source tree, editable) cannot: the wheel contains every
module and entry point, the base install (no docs/test extras) validates and loads, and commands act on
the working directory, never on the install location.

Steps (the lower-bounds variant runs a, c, e, h and i):
  a  `make-data validate` (no path) inside a copy of the package            -> exit 0
  b  the same after corrupting one cell of data/places.csv                 -> exit 1
  c  `make-data validate <repo>/dist/<release>/<release>.zip`              -> exit 0
  d  a foreign Frictionless v1 package: `make-data validate` -> exit 0, and banjska.load gives Int64
  e  banjska.load(<copy>) returns every table of the package
  f  `make-data --version`
  g  `make-data codebook --check` without the docs extra -> exit 2 naming banjska-events[docs]
  h  a new three-source project built from scratch: add-source, coverage, build, validate
  i  a 3 MB table validated in batches (--memory 16M) and whole: errors at their lines

The wheel is built with .venv (set up from requirements-dev.lock by `scripts/dev.py setup`, which this
script runs first) from a clean copy of the sources, so no build/ or *.egg-info is written into the
repository and no stale file can slip into the wheel. Exit 0 when every step passes, 1 otherwise (a
summary names each failed step); 2 when the environment cannot even be set up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_VENV = ROOT / ".venv"
LOCK = ROOT / "requirements.lock"
PACKAGE_FILES = ["datapackage.json", "data", "schemas", "seeds"]
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "banjska"]  # what the wheel is built from
# every CSV resource of the shipped package (the article is a text resource)
EXPECTED_TABLES = sum(1 for r in json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["resources"]
                      if str(r.get("path", "")).endswith(".csv"))
BIN = "Scripts" if os.name == "nt" else "bin"

FOREIGN_DESCRIPTOR = {  # Frictionless v1: `profile` on package and resources, no `type`, inline schema
    "name": "foreign-people",
    "profile": "tabular-data-package",
    "resources": [{
        "name": "people",
        "path": "people.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": "id", "type": "integer", "constraints": {"required": True}},
                {"name": "name", "type": "string"},
                {"name": "age", "type": "integer"},
            ],
            "primaryKey": ["id"],
        },
    }],
}
FOREIGN_CSV = "id,name,age\n1,Ana,34\n2,Bora,\n3,Cvijeta,58\n"
FOREIGN_CHECK = """
import banjska
t = banjska.load('.')
assert set(t) == {'people'}, sorted(t)
people = t['people']
assert str(people['id'].dtype) == 'Int64', people.dtypes.to_dict()
assert str(people['age'].dtype) == 'Int64', people.dtypes.to_dict()
assert people['id'].tolist() == [1, 2, 3], people['id'].tolist()
assert people['age'].isna().tolist() == [False, True, False], people['age'].tolist()
print('foreign v1 package loaded:', people.dtypes.astype(str).to_dict())
"""
LOAD_CHECK = f"""
import sys, banjska
assert 'site-packages' in banjska.__file__, 'banjska imported from ' + banjska.__file__ + ', not the installed wheel'
tables = banjska.load(sys.argv[1])
assert len(tables) == {EXPECTED_TABLES}, f'{{len(tables)}} tables: {{sorted(tables)}}'
print(len(tables), 'tables,', sum(len(t) for t in tables.values()), 'rows, from', banjska.__file__)
"""


class SetupFailed(Exception):
    pass


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def shown(cmd: list) -> str:
    """The command as one copy-pasteable shell line."""
    return " ".join(shlex.quote(str(c)) for c in cmd)


def sh(cmd: list, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run a set-up command; any failure ends the smoke test (exit 2)."""
    say(f"+ (cd {cwd}) {shown(cmd)}")
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, text=True, capture_output=True)
    if proc.returncode:
        say(proc.stdout + proc.stderr)
        raise SetupFailed(f"`{shown(cmd)}` failed with exit code {proc.returncode}")
    return proc


def clean_env(venv_dir: Path) -> dict:
    """The environment of a shell with only this venv activated (no PYTHONPATH, no repository on the path)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env["VIRTUAL_ENV"] = str(venv_dir)
    env["PATH"] = str(venv_dir / BIN) + os.pathsep + env.get("PATH", "")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def lower_bounds(pyproject: Path) -> list[str]:
    """`name==X` for every base dependency `name>=X,...` of pyproject.toml."""
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    out = []
    for dep in deps:
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)", dep)
        low = re.search(r">=\s*([^,\s]+)", m.group(2)) if m else None
        if not low:
            raise SetupFailed(f"dependency {dep!r} in pyproject.toml has no lower bound (>=)")
        out.append(f"{m.group(1)}=={low.group(1)}")
    return out


def same_version(a: str, b: str) -> bool:
    """2.2 == 2.2.0 (release versions only, which is all a lower bound here is)."""
    def key(v: str) -> list[str]:
        parts = v.split(".")
        while len(parts) > 1 and parts[-1] == "0":
            parts.pop()
        return parts
    return bool(a) and key(a) == key(b)


def build_wheel(work: Path) -> Path:
    python = DEV_VENV / BIN / "python"
    if not python.exists():
        raise SetupFailed(f"{python} is missing: run `python3 scripts/dev.py setup`")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(ROOT / name, src / name)
    sh([python, "-m", "build", "--wheel", "--no-isolation", "--outdir", work / "wheel", src], cwd=work)
    wheels = sorted((work / "wheel").glob("*.whl"))
    if len(wheels) != 1:
        raise SetupFailed(f"expected one wheel in {work / 'wheel'}, found {[w.name for w in wheels]}")
    say(f"  built {wheels[0].name} ({wheels[0].stat().st_size} bytes)")
    return wheels[0]


def install(work: Path, wheel: Path, lower: bool) -> Path:
    target = work / "venv"
    say(f"+ {sys.executable} -m venv {target}")
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    py = target / BIN / "python"
    env = clean_env(target)
    pip = [py, "-m", "pip", "install", "--quiet"]
    if lower:
        pins = lower_bounds(ROOT / "pyproject.toml")
        constraints = work / "lower-bounds.txt"
        constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
        say(f"  {constraints.name}: {' '.join(pins)}")
        # Resolved by pip (no hashes): the direct dependencies at their lower bounds, the rest as pip picks.
        # Wheels only: a lower bound with no wheel for this Python is not a usable lower bound.
        sh([*pip, "--only-binary", ":all:", "-c", constraints, wheel], cwd=work, env=env)
        installed = {d["name"].lower().replace("_", "-"): d["version"] for d in json.loads(
            sh([py, "-m", "pip", "list", "--format", "json"], cwd=work, env=env).stdout)}
        wrong = [f"{pin} (installed {installed.get(pin.split('==')[0].lower(), 'nothing')})" for pin in pins
                 if not same_version(installed.get(pin.split("==")[0].lower(), ""), pin.split("==")[1])]
        if wrong:
            raise SetupFailed("not installed at the lower bound: " + ", ".join(wrong))
    else:
        sh([*pip, "--require-hashes", "-r", LOCK], cwd=work, env=env)
        sh([*pip, "--no-deps", wheel], cwd=work, env=env)
    sh([py, "-m", "pip", "check"], cwd=work, env=env)  # the wheel's own requirements are all satisfied
    versions = sh([py, "-c", "import importlib.metadata as m; print(' '.join(f'{n}=={m.version(n)}' for n in "
                   "('banjska-events', 'pandas', 'pyarrow', 'numpy', 'frictionless', 'pandera', 'click')))"],
                  cwd=work, env=env).stdout.strip()
    say(f"  installed: {versions}")
    return target


def write_large_package(root: Path) -> None:
    """300,000 events citing 50 places (3 MB): line 150002 cites no place, line 180002 repeats line 9's id."""
    (root / "data").mkdir(parents=True)
    rows = [f"e{i},p{i % 50}\n" for i in range(300_000)]
    rows[150_000] = "e150000,p-missing\n"
    rows[180_000] = "e7,p0\n"
    (root / "data" / "events.csv").write_text("event_id,place\n" + "".join(rows), encoding="utf-8")
    (root / "data" / "places.csv").write_text("place_id\n" + "".join(f"p{i}\n" for i in range(50)), encoding="utf-8")
    events = {"fields": [{"name": "event_id"}, {"name": "place"}], "primaryKey": ["event_id"],
              "foreignKeys": [{"fields": ["place"], "reference": {"resource": "places", "fields": ["place_id"]}}]}
    places = {"fields": [{"name": "place_id"}], "primaryKey": ["place_id"]}
    (root / "datapackage.json").write_text(json.dumps({"name": "large", "resources": [
        {"name": "events", "path": "data/events.csv", "schema": events},
        {"name": "places", "path": "data/places.csv", "schema": places}]}), encoding="utf-8")


class Steps:
    def __init__(self, venv_dir: Path):
        self.venv = venv_dir
        self.env = clean_env(venv_dir)
        self.results: list[tuple[str, bool, str, float]] = []

    def run(self, step: str, what: str, cmd: list, cwd: Path, expect: int = 0, stderr_has: str = "",
            stdout_has: str = "") -> None:
        line = shown(cmd)
        say(f"\n[{step}] {what}\n+ (cd {cwd}) {line}")
        program = self.venv / BIN / str(cmd[0])
        started = time.perf_counter()
        try:
            proc = subprocess.run([str(program), *map(str, cmd[1:])], cwd=cwd, env=self.env, text=True,
                                  capture_output=True, timeout=600)
            code, out, err = proc.returncode, proc.stdout, proc.stderr
        except (OSError, subprocess.TimeoutExpired) as exc:
            code, out, err = None, "", str(exc)
        took = time.perf_counter() - started
        tail = "\n".join((out + err).strip().splitlines()[-12:])
        if tail:
            say("  " + tail.replace("\n", "\n  "))
        problems = []
        if code != expect:
            problems.append(f"exit code {code}, expected {expect}")
        if stderr_has and stderr_has not in err:
            problems.append(f"stderr does not contain {stderr_has!r}")
        if stdout_has and stdout_has not in out:
            problems.append(f"stdout does not contain {stdout_has!r}")
        if problems:
            message = f"`{line}` in {cwd}: " + "; ".join(problems)
            say(f"  FAIL [{step}] {message}")
        else:
            message = f"exit {code}"
            say(f"  ok [{step}] exit {code} ({took:.1f} s)")
        self.results.append((f"{step}  {what}", not problems, message, took))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lower-bounds", action="store_true",
                        help="install the lower bounds of pyproject.toml's ranges instead of requirements.lock")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args(argv)
    variant = "lower bounds of pyproject.toml" if args.lower_bounds else "requirements.lock"
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="banjska-smoke-")).resolve()
    if work.is_relative_to(ROOT):
        say(f"Error: the temporary directory {work} is inside the repository; set TMPDIR elsewhere.")
        return 2
    say(f"wheel smoke test ({variant}) in {work}")
    timings = {}
    try:
        try:
            t0 = time.perf_counter()
            sh([sys.executable, ROOT / "scripts" / "dev.py", "setup"], cwd=ROOT)
            wheel = build_wheel(work)
            timings["build wheel"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            venv_dir = install(work, wheel, args.lower_bounds)
            timings["fresh venv + install"] = time.perf_counter() - t0
        except SetupFailed as exc:
            say(f"Error: smoke test set-up failed ({variant}): {exc}")
            return 2

        t0 = time.perf_counter()
        run_dir = work / "run"
        copy = run_dir / "package"
        copy.mkdir(parents=True)
        for name in PACKAGE_FILES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, copy / name)
        steps = Steps(venv_dir)

        steps.run("a", "validate the working directory's package (no path)", ["make-data", "validate"], copy)

        if not args.lower_bounds:
            corrupt = run_dir / "corrupt"
            shutil.copytree(copy, corrupt)
            places = corrupt / "data" / "places.csv"
            text = places.read_text(encoding="utf-8")
            assert ",country," in text, f"{places} has no `country` place_type to corrupt"
            places.write_text(text.replace(",country,", ",kountry,", 1), encoding="utf-8")  # not in the enum
            steps.run("b", "validate after corrupting one cell of data/places.csv", ["make-data", "validate"],
                      corrupt, expect=1)

        releases = sorted((ROOT / "dist").glob("*/*.zip"))
        if not releases:
            steps.results.append(("c  validate a release zip", False, f"no release zip under {ROOT / 'dist'}", 0.0))
        for release in releases:
            steps.run("c", f"validate the release {release.name}", ["make-data", "validate", release], run_dir)

        if not args.lower_bounds:
            foreign = run_dir / "foreign"
            foreign.mkdir()
            (foreign / "datapackage.json").write_text(json.dumps(FOREIGN_DESCRIPTOR, indent=2), encoding="utf-8")
            (foreign / "people.csv").write_text(FOREIGN_CSV, encoding="utf-8")
            steps.run("d", "validate a foreign Frictionless v1 package (no path)", ["make-data", "validate"], foreign)
            steps.run("d", "banjska.load the foreign v1 package: integer field -> Int64",
                      ["python", "-c", FOREIGN_CHECK], foreign)

        steps.run("e", f"banjska.load the package copy: {EXPECTED_TABLES} tables",
                  ["python", "-c", LOAD_CHECK, copy], run_dir)

        fixture = ROOT / "tests" / "fixtures" / "sources"
        project = run_dir / "new-project"
        (project / "metadata").mkdir(parents=True)
        (project / "schemas").mkdir()
        shutil.copy2(fixture / "project" / "dataset.yaml", project / "metadata" / "dataset.yaml")
        shutil.copy2(ROOT / "metadata" / "dataset.schema.json", project / "metadata")
        for table in ("sources", "units", "places", "actors", "events", "casualties", "claims", "event_estimates",
                      "evidence"):
            shutil.copy2(ROOT / "schemas" / f"{table}.schema.json", project / "schemas")
        for sid, name in (("police", "eastbrook-police.txt"), ("party", "eastbrook-party.txt"),
                          ("talks", "westford-talks.txt")):
            steps.run("h", f"add-source {name} to a new project", ["make-data", "add-source", fixture / name,
                      "--id", sid, "--language", "en"], project, stderr_has=f"added source {sid}")
        steps.run("h", "coverage before coding: every sentence to code, exit 1", ["make-data", "coverage"], project,
                  expect=1, stderr_has="9 sentence(s) neither coded nor excused")
        shutil.copytree(fixture / "project" / "annotations", project / "annotations", dirs_exist_ok=True)
        steps.run("h", "build the three-source project once coded", ["make-data", "build"], project,
                  stderr_has="coverage 100.0%")
        steps.run("h", "validate it: two sources' claims reconciled", ["make-data", "validate"], project,
                  stdout_has="valid:")

        large = run_dir / "large"
        write_large_package(large)
        steps.run("i", "validate a 3 MB table in batches (--memory 16M)", ["make-data", "validate", "--memory", "16M",
                  "--format", "json"], large, expect=1, stdout_has='"batched": ["events"]')
        steps.run("i", "in batches: the broken reference at its line", ["make-data", "validate", "--memory", "16M"],
                  large, expect=1, stdout_has="data/events.csv:150002 column place")
        steps.run("i", "held whole: the repeated key at its line", ["make-data", "validate"], large, expect=1,
                  stdout_has="data/events.csv:180002 column event_id")

        if not args.lower_bounds:
            version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
            steps.run("f", "make-data --version", ["make-data", "--version"], run_dir, stdout_has=f"make-data (banjska-events toolkit) {version}")
            steps.run("g", "codebook without the docs extra names the extra, exit 2",
                      ["make-data", "codebook", "--check"], copy, expect=2,
                      stderr_has="pip install 'banjska-events[docs]'")
        timings["steps"] = time.perf_counter() - t0
    finally:
        if args.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    failed = [r for r in steps.results if not r[1]]
    say(f"\nwheel smoke test ({variant}): {len(steps.results) - len(failed)}/{len(steps.results)} steps passed")
    for name, ok, message, took in steps.results:
        say(f"  {'PASS' if ok else 'FAIL'}  {name}  ({took:.1f} s){'' if ok else ': ' + message}")
    timings["total"] = time.perf_counter() - started
    say("  time: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    if failed:
        say(f"Error: {len(failed)} smoke step(s) failed ({variant}): " + "; ".join(r[2] for r in failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
