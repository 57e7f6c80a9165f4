#!/usr/bin/env python3
"""Benchmark `make-data validate` against pyarrow's parse, a polars-based peer and frictionless.

    .venv/bin/python scripts/benchmark.py                                  # 1M rows, both packages
    .venv/bin/python scripts/benchmark.py --rows 1000000 10000000 20000000 --packages events

Two generated packages (bench/out/, git-ignored), at each size:

* `events`: a generic events + places package (scripts/synth_events.py): primary keys, enums, dates,
  ranges, a foreign key; no dataset rule set. At the first size, also its error-path variants: 2 ragged
  rows, 1% type errors, 1% broken foreign keys.
* `project`: this project's 16 tables in the 3.0.0 shape (scripts/synth.py), with the dataset's rules;
  at the first size, also a copy with faults (rows/20 broken cells).

Each command runs as its own process; rounds alternate the commands, and the median of --repeat runs is
reported with every run listed (the machine's speed drifts). Columns: wall time, rows/s, peak RSS, and
the ratios of make-data's time to pyarrow's parse-only time and to the peer's. The peer is dataframely
(scripts/peer_dataframely.py: the same Table Schema rules, fewer checks), installed on first use in
its own venv (bench/peer-venv, pinned versions below), and run on the events package only: the project's
package needs its dataset rules, which the peer cannot express (and its translation of the project's
Table Schemas reads empty cells and enums differently, reporting failures in a valid package).
frictionless runs once, at 1M rows only. pyarrow's parse-only script stops at the first ragged row, so
its time on the `ragged` variant is not a full parse.
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PEER = ["dataframely==3.1.2", "polars==2.1.0"]
PEER_VENV = ROOT / "bench" / "peer-venv"

GENERATE = """
import json, sys
from pathlib import Path
kind, out, n, fault = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
if kind == "events":
    from synth_events import generate
    rows = generate(out, n, None if fault == "valid" else fault)
else:
    from synth import generate
    rows = generate(out, n, faults=0 if fault == "valid" else n // 20).rows
print(json.dumps(sum(rows.values())))
"""

PARSE_ONLY = """
import sys, json, pyarrow.csv as c
from pathlib import Path
base = Path(sys.argv[1]); d = json.loads((base / 'datapackage.json').read_text())
for r in d['resources']:
    if str(r.get('path', '')).endswith('.csv'):
        c.read_csv(base / r['path'])
"""


def run(cmd: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, stdout of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    out = proc.stdout.read()
    _, _, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


def median(runs: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    return sorted(runs, key=lambda r: r[0])[(len(runs) - 1) // 2]


def peer_python() -> Path | None:
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"installing the peer ({' '.join(PEER)}) in {PEER_VENV}", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER], check=True)
        except subprocess.CalledProcessError:
            print("the peer could not be installed: its column is left out", file=sys.stderr)
            return None
    return python


def generate(kind: str, rows: int, variant: str, out: Path) -> tuple[Path, int]:
    target = out / f"{kind}-{rows}-{variant}"
    done = target / ".rows"
    if not done.exists():  # generated packages are kept between runs
        gen = subprocess.run([sys.executable, "-c", GENERATE, kind, str(target), str(rows), variant], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "scripts")})
        done.write_text(gen.stdout.strip())
    return target, int(done.read_text())


def commands(target: Path, peer: Path | None, memory: str | None, kind: str) -> dict[str, list[str]]:
    ours = [str(BIN / "make-data"), "validate", str(target), "--format", "json", "--max-errors", "1000"]
    cmds = {"pyarrow parse-only": [sys.executable, "-c", PARSE_ONLY, str(target)],
            "make-data validate": ours + (["--memory", memory] if memory else [])}
    if peer is not None and kind == "events":  # the project's rules are beyond the peer (and its reading of them)
        cmds["dataframely (peer)"] = [str(peer), str(ROOT / "scripts" / "peer_dataframely.py"), str(target)]
    return cmds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000], help="events (or project rows) per package")
    ap.add_argument("--packages", nargs="+", choices=["events", "project"], default=["events", "project"])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--repeat", type=int, default=5, help="alternating rounds per package (median reported)")
    ap.add_argument("--memory", default=None, help="pass --memory to make-data validate")
    ap.add_argument("--skip-frictionless", action="store_true")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--huge", action="store_true", help="also run the tests marked huge (a text column over 2 GiB)")
    args = ap.parse_args()
    if args.huge:
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "huge", str(ROOT / "tests")],
                       check=True, cwd=ROOT)
        print(f"huge tests passed in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    peer = None if args.skip_peer else peer_python()
    # Byte-compile the toolkit first, as `pip install` does.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "banjska")], check=True, capture_output=True)
    table = []
    for kind in args.packages:
        for n, rows in enumerate(args.rows):
            variants = ["valid"] + ((["ragged", "types", "foreign_keys"] if kind == "events" else ["faulty"]) if n == 0 else [])
            for variant in variants:
                target, total = generate(kind, rows, variant, args.out)
                cmds = commands(target, peer, args.memory, kind)
                runs: dict[str, list] = {tool: [] for tool in cmds}
                for _ in range(max(1, args.repeat)):
                    for tool, cmd in cmds.items():
                        runs[tool].append(run(cmd))
                result = {tool: median(r) for tool, r in runs.items()}
                if rows == 1_000_000 and variant == "valid" and not args.skip_frictionless:
                    result["frictionless validate"] = run([str(BIN / "frictionless"), "validate",
                                                           str(target / "datapackage.json"), "--json"])
                label = f"{kind} {variant} {total:,} rows"
                for tool, r in runs.items():
                    print(f"{label}: {tool} runs (s): {' '.join(f'{t:.2f}' for t, _, _ in r)}", file=sys.stderr)
                doc = json.loads(result["make-data validate"][2])
                print(f"{label}: make-data found {doc['error_count']:,} errors", file=sys.stderr)
                table.append((kind, rows, variant, total, result))
    report(table, args.repeat)


def report(table: list, repeat: int) -> None:
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, Python {platform.python_version()}; "
          f"median of {max(1, repeat)} alternating runs (frictionless: one run)")
    print(f"{'package':36} {'tool':22} {'wall s':>8} {'rows/s':>12} {'peak MB':>8} {'ours/parse':>10} {'ours/peer':>10}")
    valid = {}
    for kind, rows, variant, total, result in table:
        ours = result["make-data validate"][0]
        if variant == "valid":
            valid[(kind, rows)] = ours
        for tool, (secs, mem, _) in result.items():
            mine = tool == "make-data validate"
            to_parse = f"{ours / result['pyarrow parse-only'][0]:.2f}x" if mine else ""
            to_peer = f"{ours / result['dataframely (peer)'][0]:.2f}x" if mine and "dataframely (peer)" in result else ""
            if tool == "frictionless validate":
                to_peer = f"{secs / ours:.0f}x ours"
            print(f"{kind + ' ' + variant + f' {total:,}':36} {tool:22} {secs:8.2f} {total / secs:12,.0f} {mem:8.0f} "
                  f"{to_parse:>10} {to_peer:>10}")
    for kind, rows, variant, _, result in table:
        if variant != "valid" and (kind, rows) in valid:
            print(f"error path, {kind} {variant}: {result['make-data validate'][0] / valid[(kind, rows)]:.2f}x "
                  "the valid package's time")


if __name__ == "__main__":
    main()
