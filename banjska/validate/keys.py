"""Key lookups shared by every check that joins rows: each key value is hashed once per package.

A *domain* is one key (a table's field, e.g. events.event_id) together with every column that refers
to it (foreign keys, self-references, this dataset's polymorphic record ids). Its values are
dictionary-encoded together in one Arrow pass; afterwards duplicate keys, broken references, parents
that nobody cites and parent-row lookups are integer operations in numpy. Without this, every check
rebuilt a hash table of the parent's keys (a 300,000-row events table was hashed seven times).

References are registered before checks run so a domain encodes them all at once; a reference asked
for later is still answered exactly, with one extra lookup.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from banjska.validate.context import Context, TableData


@dataclass(frozen=True)
class Ref:
    """A column of a table, optionally only the rows whose text in `where[0]` equals `where[1]`."""

    table: str
    field: str
    where: tuple[str, str] | None = None


def _codes_of(indices: pa.Array) -> np.ndarray:
    return pc.fill_null(indices, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _usable(ctx: Context, ref: Ref) -> bool:
    td = ctx.tables.get(ref.table)
    return td is not None and td.typed(ref.field) is not None and (ref.where is None or ref.where[0] in td.columns)


class _Input:
    """What a reference contributes to its domain: values to encode, and how to spread codes to rows."""

    def __init__(self, td: TableData, ref: Ref):
        typed, n = td.typed(ref.field), td.num_rows
        self.type = typed.type
        self.rows = None
        self.indices = None
        self.present = td.present(ref.field)
        if ref.where is not None:
            column, text = ref.where
            mask = td.per_value(column, lambda v: pc.fill_null(pc.equal(v, text), False)) & self.present
            self.rows = np.flatnonzero(mask)
            self.values = typed.take(pa.array(self.rows, pa.int64())) if len(self.rows) < n else typed
        else:
            enc = td.encoded(ref.field) if typed.type == pa.string() else None
            if enc is not None:  # few distinct texts: encode those, not every row
                self.values, self.indices = enc.dictionary, _codes_of(enc.indices)
            else:
                self.values = typed
        self.n = n

    def spread(self, codes: np.ndarray) -> np.ndarray:
        """Codes of `values` -> one code per row of the table (-1: missing or outside `where`)."""
        if self.indices is not None:
            out = codes[self.indices]
            out[~self.present] = -1
            return out
        if self.rows is not None and len(self.rows) < self.n:
            out = np.full(self.n, -1, dtype=np.int64)
            out[self.rows] = codes
            return out
        return codes


class Domain:
    """One key and its references, encoded together: a code per row of each, -1 where there is none."""

    def __init__(self, ctx: Context, key: Ref, members: list[Ref]):
        self.ctx, self.key = ctx, key
        parent = _Input(ctx.tables[key.table], key)
        inputs = {key: parent}
        for ref in members:
            if ref != key and _usable(ctx, ref) and ctx.tables[ref.table].typed(ref.field).type == parent.type:
                inputs[ref] = _Input(ctx.tables[ref.table], ref)
        encoded = pc.dictionary_encode(pa.chunked_array([i.values for i in inputs.values()], parent.type)).combine_chunks()
        self.dictionary, self.size = encoded.dictionary, len(encoded.dictionary)
        codes, start = _codes_of(encoded.indices), 0   # Arrow drops empty chunks: split by lengths instead
        self._codes = {}
        for ref, inp in inputs.items():
            self._codes[ref] = inp.spread(codes[start:start + len(inp.values)])
            start += len(inp.values)
        self._lock = threading.RLock()  # per-code tables are built from codes(), under the same lock
        self._cache: dict = {}

    def codes(self, ref: Ref) -> np.ndarray:
        """A code per row of `ref`'s table (-1 where the value is missing, or not a key of this domain)."""
        with self._lock:
            if ref not in self._codes and not _usable(self.ctx, ref):
                self._codes[ref] = np.full(self.ctx.tables[ref.table].num_rows if ref.table in self.ctx.tables else 0, -1)
            if ref not in self._codes:  # not registered in time, or of another type: look it up apart
                inp = _Input(self.ctx.tables[ref.table], ref)
                values, keys = inp.values, self.dictionary
                if values.type != keys.type:
                    values, keys = pc.cast(values, pa.string()), pc.cast(keys, pa.string())
                self._codes[ref] = inp.spread(_codes_of(pc.index_in(values, value_set=keys)))
            return self._codes[ref]

    def _per_code(self, name: str, build) -> np.ndarray:
        with self._lock:
            if name not in self._cache:
                self._cache[name] = build()
        return self._cache[name]

    def key_codes(self) -> np.ndarray:
        return self.codes(self.key)

    def is_key(self) -> np.ndarray:
        """Per code (+1 trailing False for code -1): the value occurs in the key column."""
        def build():
            hit = np.zeros(self.size + 1, dtype=bool)
            codes = self.key_codes()
            hit[codes[codes >= 0]] = True
            return hit
        return self._per_code("is_key", build)

    def key_counts(self) -> np.ndarray:
        """Per code (+1 trailing 0): how many rows of the key column hold the value."""
        def build():
            codes = self.key_codes()
            return np.bincount(codes[codes >= 0], minlength=self.size + 1)
        return self._per_code("counts", build)

    def first_row(self) -> np.ndarray:
        """Per code (+1 trailing -1): the first row of the key's table holding the value, -1 if none."""
        def build():
            codes = self.key_codes()
            first = np.full(self.size + 1, -1, dtype=np.int64)
            valid = np.flatnonzero(codes >= 0)
            uniq, at = np.unique(codes[valid], return_index=True)
            first[uniq] = valid[at]
            return first
        return self._per_code("first", build)


class Keys:
    """The domains of one package, built on first use (thread-safe)."""

    def __init__(self):
        self._members: dict[Ref, list[Ref]] = {}
        self._domains: dict[Ref, Domain | None] = {}
        self._lock = threading.Lock()
        self._building: dict[Ref, threading.Lock] = {}

    def register(self, key: Ref, ref: Ref | None = None) -> None:
        """Declare that `ref` refers to `key`, so the key's domain encodes it in the same pass (no
        `ref`: the key's domain will be needed, e.g. to find duplicates)."""
        with self._lock:
            members = self._members.setdefault(key, [])
            if ref is not None and ref not in members:
                members.append(ref)

    def keys(self) -> list[Ref]:
        """Every key some reference was registered for."""
        with self._lock:
            return list(self._members)

    def domain(self, ctx: Context, key: Ref) -> Domain | None:
        """The key's domain; None when its table or field is absent or unparsed."""
        with self._lock:
            if key in self._domains:
                return self._domains[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._domains:
                    return self._domains[key]
                members = list(self._members.get(key, []))
            td = ctx.tables.get(key.table)
            dom = Domain(ctx, key, members) if td is not None and td.typed(key.field) is not None else None
            with self._lock:
                self._domains[key] = dom
            return dom


def found(ctx: Context, child: Ref, key: Ref, among: np.ndarray | None = None) -> np.ndarray | None:
    """Per row of `child`: its value exists in `key` (in the key's rows `among`, if given; False where
    missing); None if `key` is absent."""
    dom = ctx.keys.domain(ctx, key)
    if dom is None:
        return None
    if among is None:
        return dom.is_key()[dom.codes(child)]
    hit = np.zeros(dom.size + 1, dtype=bool)
    codes = dom.key_codes()
    hit[codes[among & (codes >= 0)]] = True
    return hit[dom.codes(child)]


def cited(ctx: Context, key: Ref, child: Ref) -> np.ndarray | None:
    """Per row of `key`'s table: some row of `child` refers to its value; None if `key` is absent."""
    dom = ctx.keys.domain(ctx, key)
    if dom is None:
        return None
    hit = np.zeros(dom.size + 1, dtype=bool)
    codes = dom.codes(child)
    hit[codes[codes >= 0]] = True
    return hit[dom.key_codes()]


def parent_rows(ctx: Context, child: Ref, key: Ref) -> np.ndarray | None:
    """Per row of `child`: the first row of `key`'s table with that value (-1: none); None if absent."""
    dom = ctx.keys.domain(ctx, key)
    return None if dom is None else dom.first_row()[dom.codes(child)]


def duplicated(ctx: Context, key: Ref) -> np.ndarray | None:
    """Per row of `key`'s table: its (present) value occurs in more than one row."""
    dom = ctx.keys.domain(ctx, key)
    return None if dom is None else dom.key_counts()[dom.key_codes()] > 1
