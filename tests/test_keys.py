"""Key domains (engine/keys.py) answer exactly what a brute-force lookup answers.

Every key value is hashed once per package and checks then work on integer codes; these tests compare
each answer (found, cited, first parent row, duplicated) with plain Python on random tables, with the
reference registered in time, looked up afterwards, filtered by another column, or of another type.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_derive import field, write_package

import banjska.validate.core as validate_mod
import banjska.validate.keys as keys
from banjska.package.reader import open_package
from banjska.validate.context import Context
from banjska.validate.keys import Ref
from banjska.validate.pipeline import read_contents
from banjska.validate.prefetch import Prefetch

VALUES = st.lists(st.sampled_from(["a", "b", "c", "ab", "", "é"]), max_size=12)


def context_of(root: Path, tables: dict[str, tuple[dict, str]]) -> Context:
    write_package(root, tables)
    with open_package(root) as pkg:
        ctx = Context(descriptor=pkg.descriptor)
        schemas: dict = {}
        files = validate_mod.locate_files(pkg, schemas)
        read_contents(pkg, ctx, files, schemas, None, Prefetch(pkg.source, files))
    return ctx


def csv(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join([",".join(header)] + [",".join(f'"{v}"' for v in row) for row in rows]) + "\n"


def tables(parent: list[str], child: list[str], kinds: list[str] | None = None) -> dict:
    kinds = kinds or ["x"] * len(child)
    return {
        "parent": ({"fields": [field("id")]}, csv(["id"], [[v] for v in parent])),
        "child": ({"fields": [field("ref"), field("kind")]}, csv(["ref", "kind"], [[v, k] for v, k in zip(child, kinds, strict=False)])),
    }


def expected(parent: list[str], child: list[str]) -> dict:
    keys_ = {p for p in parent if p}
    cited_ = {c for c in child if c}
    return {
        "found": [bool(c) and c in keys_ for c in child],
        "cited": [bool(p) and p in cited_ for p in parent],
        "rows": [parent.index(c) if c and c in keys_ else -1 for c in child],
        "duplicated": [bool(p) and parent.count(p) > 1 for p in parent],
    }


def answers(ctx: Context, child: Ref, key: Ref) -> dict:
    return {
        "found": keys.found(ctx, child, key).tolist(),
        "cited": keys.cited(ctx, key, child).tolist(),
        "rows": keys.parent_rows(ctx, child, key).tolist(),
        "duplicated": keys.duplicated(ctx, key).tolist(),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parent=VALUES, child=VALUES, register=st.booleans())
def test_domain_answers_equal_brute_force(parent, child, register):
    with tempfile.TemporaryDirectory() as tmp:
        ctx = context_of(Path(tmp), tables(parent, child))
        key, ref = Ref("parent", "id"), Ref("child", "ref")
        if register:  # encoded in the same pass as the key; otherwise looked up afterwards
            ctx.keys.register(key, ref)
        assert answers(ctx, ref, key) == expected(parent, child)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parent=VALUES, rows=st.lists(st.tuples(st.sampled_from(["a", "b", "zz", ""]), st.sampled_from(["x", "y"])),
                                    max_size=12))
def test_filtered_reference_only_counts_its_rows(parent, rows):
    """A polymorphic reference (rows whose `kind` is x) neither finds nor cites through other rows."""
    child, kinds = [r[0] for r in rows], [r[1] for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = context_of(Path(tmp), tables(parent, child, kinds))
        key, ref = Ref("parent", "id"), Ref("child", "ref", ("kind", "x"))
        ctx.keys.register(key, ref)
        mine = [c if k == "x" else "" for c, k in zip(child, kinds, strict=False)]
        want = expected(parent, mine)
        got = answers(ctx, ref, key)
        assert got["found"] == want["found"] and got["cited"] == want["cited"] and got["rows"] == want["rows"]


def test_empty_member_tables_keep_codes_aligned(tmp_path):
    """Arrow drops empty chunks when encoding: a table with no rows must not shift the next one's codes."""
    ctx = context_of(tmp_path, {
        "parent": ({"fields": [field("id")]}, csv(["id"], [["a"], ["b"]])),
        "empty": ({"fields": [field("ref")]}, "ref\n"),
        "child": ({"fields": [field("ref")]}, csv(["ref"], [["b"], ["q"], ["a"]])),
    })
    key = Ref("parent", "id")
    ctx.keys.register(key, Ref("empty", "ref"))
    ctx.keys.register(key, Ref("child", "ref"))
    assert keys.parent_rows(ctx, Ref("child", "ref"), key).tolist() == [1, -1, 0]
    assert keys.found(ctx, Ref("empty", "ref"), key).tolist() == []


def test_reference_of_another_type_is_compared_as_text(tmp_path):
    ctx = context_of(tmp_path, {
        "parent": ({"fields": [field("id", "integer")]}, "id\n1\n2\n"),
        "child": ({"fields": [field("ref")]}, "ref\n2\n02\n3\n"),
    })
    key, ref = Ref("parent", "id"), Ref("child", "ref")
    ctx.keys.register(key, ref)
    assert keys.found(ctx, ref, key).tolist() == [True, False, False]


def test_absent_key_gives_none(tmp_path):
    ctx = context_of(tmp_path, tables(["a"], ["a"]))
    assert keys.found(ctx, Ref("child", "ref"), Ref("nowhere", "id")) is None
    assert keys.duplicated(ctx, Ref("parent", "nope")) is None
