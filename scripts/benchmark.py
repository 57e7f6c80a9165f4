#!/usr/bin/env python3
"""Benchmark `make-data validate` against `frictionless validate` on generated packages.

    .venv/bin/python scripts/benchmark.py --rows 1000000

Generates a valid package and one full of errors (bench/out/, git-ignored), then times, as separate
processes: pyarrow parsing every CSV (the floor), `make-data validate`, and `frictionless validate`.
Prints wall time, rows/s, peak memory and the ratios, and checks that make-data reports every
(table, line, column) error that frictionless reports. Not a test: figures depend on the machine.

The machine this runs on is shared and its speed drifts by +-25% within minutes, so parse-only and
make-data are run --repeat rounds (each round: both tools on both packages, back to back), and the
median of each is reported, with every run printed; frictionless, at 1.5-2 minutes a run, runs once.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # synth.py, the test-data generator
BIN = Path(sys.executable).parent

GENERATE = """
import json, sys
from pathlib import Path
from synth import generate
out, n, faults = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
valid = generate(out / f"valid-{n}", n)
faulty = generate(out / f"faulty-{n}", n, faults=faults)
print(json.dumps({"valid": valid.rows, "faults": faulty.faults}))
"""

PARSE_ONLY = """
import sys, json, pyarrow.csv as c
from pathlib import Path
base = Path(sys.argv[1]); d = json.loads((base / 'datapackage.json').read_text())
for r in d['resources']:
    if r.get('format') == 'csv':
        c.read_csv(base / r['path'])
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def median_run(runs: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    """The run with the median wall time (an odd count gives an actual run)."""
    return sorted(runs, key=lambda r: r[0])[(len(runs) - 1) // 2]


def frictionless_errors(out: str) -> set[tuple[str, int, str]]:
    doc = json.loads(out)
    found = set()
    for task in doc.get("tasks", []):
        for err in task.get("errors", []):
            if err.get("rowNumber"):
                found.add((task["name"], int(err["rowNumber"]), err.get("fieldName", "")))
    return found


def ours_errors(out: str) -> set[tuple[str, int, str]]:
    doc = json.loads(out)
    return {(e["table"], int(e["line"]), e["column"]) for e in doc["errors"] if e["line"] is not None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="approximate rows in the whole package")
    ap.add_argument("--faults", type=int, default=None, help="cells to break in the faulty package (default rows/20)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--skip-frictionless", action="store_true")
    ap.add_argument("--repeat", type=int, default=5, help="runs of parse-only and make-data, alternately (median)")
    ap.add_argument("--huge", action="store_true",
                    help="also run the tests marked huge (a text column over 2 GiB) and print their time")
    args = ap.parse_args()
    if args.huge:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "huge", str(ROOT / "tests")],
                       check=True, cwd=ROOT)
        print(f"huge tests passed in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    faults = args.faults if args.faults is not None else args.rows // 20
    t = time.perf_counter()
    # Generate in a child process: a forked child would otherwise count this process's memory as its own.
    gen = subprocess.run([sys.executable, "-c", GENERATE, str(args.out), str(args.rows), str(faults)],
                         check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})
    rows = json.loads(gen.stdout)
    total = sum(rows["valid"].values())
    valid, faulty = args.out / f"valid-{args.rows}", args.out / f"faulty-{args.rows}"
    print(f"generated {total:,} rows in {len(rows['valid'])} tables (+ {rows['faults']:,} faults) "
          f"in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    # Byte-compile the toolkit first, as `pip install` does: an editable checkout run with
    # PYTHONDONTWRITEBYTECODE (set on some CI machines) would otherwise recompile it on every run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "banjska")], check=True, capture_output=True)
    rows = []
    packages = (("valid", valid), ("faulty", faulty))
    # Every round runs all four fast measurements back to back, so a drift in machine speed touches
    # the valid and the faulty package, and both tools, alike.
    timed = {label: ([], []) for label, _ in packages}
    for _ in range(max(1, args.repeat)):
        for label, pkg in packages:
            timed[label][0].append(run([sys.executable, "-c", PARSE_ONLY, str(pkg)]))
            timed[label][1].append(run([str(BIN / "make-data"), "validate", str(pkg), "--format", "json",
                                        "--max-errors", "10000000"]))
    for label, pkg in packages:
        parses, ours_runs = timed[label]
        print(f"{label}: pyarrow parse-only runs (s): {' '.join(f'{t:.2f}' for t, _, _ in parses)}")
        print(f"{label}: make-data validate runs (s): {' '.join(f'{t:.2f}' for t, _, _ in ours_runs)}")
        parse_t, parse_m, _ = median_run(parses)
        ours_t, ours_m, ours_out = median_run(ours_runs)
        rows.append((label, "pyarrow parse-only", parse_t, parse_m))
        rows.append((label, "make-data validate", ours_t, ours_m))
        fr_t = None
        if not args.skip_frictionless:
            fr_t, fr_m, fr_out = run([str(BIN / "frictionless"), "validate", str(pkg / "datapackage.json"), "--json",
                                      "--limit-errors", "10000000"])
            rows.append((label, "frictionless validate", fr_t, fr_m))
        doc = json.loads(ours_out)
        line = f"{label}: make-data found {doc['error_count']:,} errors"
        if fr_t is not None:
            theirs, ours = frictionless_errors(fr_out), ours_errors(ours_out)
            rows_ours = {(t, line) for t, line, _ in ours}
            # frictionless reports row-level errors (foreign keys, blank rows) without a field name
            missed = {e for e in theirs if e not in ours and not (e[2] == "" and e[:2] in rows_ours)}
            line += (f"; frictionless found {len(theirs):,} located errors, make-data reported "
                     f"{len(theirs) - len(missed):,} of them ({len(missed)} missed)")
            line += f"; speed-up {fr_t / ours_t:.1f}x"
        line += f"; make-data / parse-only = {ours_t / parse_t:.2f}x"
        print(line)
    print(f"\n{'package':8} {'tool':24} {'wall s':>8} {'rows/s':>12} {'peak MB':>9}"
          f"   (parse-only and make-data: median of {max(1, args.repeat)} interleaved runs)")
    for label, tool, secs, mem in rows:
        print(f"{label:8} {tool:24} {secs:8.2f} {total / secs:12,.0f} {mem:9.0f}")
    ours = {label: s for label, tool, s, _ in rows if tool == "make-data validate"}
    print(f"\nfaulty / valid time for make-data: {ours['faulty'] / ours['valid']:.2f}x")


if __name__ == "__main__":
    main()
