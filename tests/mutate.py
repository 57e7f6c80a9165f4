"""Shared by the differential tests (tests/test_frames.py: arrow vs pandera; tests/test_stream.py: batches
vs whole tables): the hostile corpus applied to a copy of the package, and seeded one-cell mutations."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from corrupt import Pkg, copy_package
from pkgtools import read_rows, rehash, write_rows
from repo import ROOT, TABLES

SHAPES = {t: read_rows(ROOT / "data" / f"{t}.csv") for t in TABLES}


def hostile_names() -> list[str]:
    from test_hostile import CASES

    return [name for name, _ in CASES]


def hostile_target(name: str, tmp_path: Path) -> Path:
    """A copy of the package with the hostile case `name` applied; the path to validate."""
    from test_hostile import CASES

    pkg = Pkg(copy_package(tmp_path / "pkg"))
    expect = dict(CASES)[name](pkg, tmp_path)
    return expect.target or pkg.root


def mutations(cells: st.SearchStrategy) -> st.SearchStrategy:
    """(table, row, column, new text): one cell of the shipped package, drawn with its new text."""

    @st.composite
    def draw_one(draw):
        table = draw(st.sampled_from(TABLES))
        header, rows = SHAPES[table]
        row = draw(st.integers(0, len(rows) - 1))
        return table, row, draw(st.sampled_from(header)), draw(cells)

    return draw_one()


def mutated_package(root: Path, mutation: tuple[str, int, str, str]) -> Path:
    """A copy of the package at `root` with the mutation's cell changed and the table re-hashed."""
    table, row, column, text = mutation
    pkg = Pkg(copy_package(root))
    header, rows = read_rows(pkg.root / "data" / f"{table}.csv")
    rows[row][header.index(column)] = text
    write_rows(pkg.root / "data" / f"{table}.csv", header, rows)
    rehash(pkg.root, [table])
    return pkg.root
