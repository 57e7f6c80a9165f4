"""What the checks see: every table's text columns, their parsed values, and how to locate rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from banjska.package.csvread import RawTable
from banjska.package.types import Parsed
from banjska.validate.keys import Keys

SAMPLE = 4096  # rows sampled to decide whether a column is worth dictionary-encoding
DISTINCT = 0.9  # share of distinct texts in the sample above which a column counts as mostly distinct


@dataclass
class TableData:
    name: str
    file: str                       # path shown in messages (relative to the package)
    schema: dict
    raw: RawTable
    columns: dict[str, pa.Array] = field(default_factory=dict)   # field name -> text column
    parsed: dict[str, Parsed] = field(default_factory=dict)      # field name -> typed column + masks
    _encoded: dict[str, pa.DictionaryArray] = field(default_factory=dict, repr=False)
    cache: dict = field(default_factory=dict, repr=False)  # results shared between checks
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _locks: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    @property
    def num_rows(self) -> int:
        return self.raw.table.num_rows if self.raw.table is not None else 0

    def encoded(self, name: str) -> pa.DictionaryArray | None:
        """The text column dictionary-encoded (computed once): distinct values + row indices.

        None for columns whose values are mostly distinct (ids, free text): encoding them costs more
        than it saves, so their checks run on the column itself. A sample of rows decides (a column
        of K distinct values spread over the rows shows about K(1 - e^(-4096/K)) of them in the
        sample: over 90% distinct means K is above ~15,000).
        """
        if name in self._encoded or name not in self.columns:
            return self._encoded.get(name)
        with self._lock:  # checks run in parallel: encode each column once
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._encoded:
                self._encode(name)
        return self._encoded.get(name)

    def _encode(self, name: str) -> None:
        col = self.columns[name]
        n = len(col)
        if n > SAMPLE * 4:
            step = n // SAMPLE
            sample = col.slice(0, step * SAMPLE).take(pa.array(np.arange(0, step * SAMPLE, step)))
            if len(pc.unique(sample)) > SAMPLE * DISTINCT:
                self._encoded[name] = None
                return
        self._encoded[name] = pc.dictionary_encode(col)

    def per_value(self, name: str, fn, encode: bool = True) -> np.ndarray:
        """Evaluate a boolean test once per distinct text and spread it to the rows (`encode=False`:
        a test cheaper than encoding runs on the column itself unless it is encoded already)."""
        enc = self.encoded(name) if encode else self._encoded.get(name)
        if enc is None:
            return pc.fill_null(fn(self.columns[name]), True).to_numpy(zero_copy_only=False)
        verdict = pc.fill_null(fn(enc.dictionary), True)
        if pc.all(verdict).as_py() is not False:  # every distinct value passes: no need to spread
            return np.ones(len(enc.indices), dtype=bool)
        return pc.take(verdict, enc.indices).to_numpy(zero_copy_only=False)

    def typed(self, name: str) -> pa.Array | None:
        p = self.parsed.get(name)
        return p.typed if p is not None else None

    def text(self, name: str) -> pa.Array | None:
        return self.columns.get(name)

    def present(self, name: str) -> np.ndarray:
        """True where the field has a (valid) value."""
        p = self.parsed.get(name)
        if p is None:
            return np.zeros(self.num_rows, dtype=bool)
        key = ("present", name)
        if key not in self.cache:
            self.cache[key] = pc.is_valid(p.typed).to_numpy(zero_copy_only=False)
        return self.cache[key]


@dataclass
class Context:
    tables: dict[str, TableData] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)   # non-tabular text resources, by resource name
    descriptor: dict = field(default_factory=dict)
    keys: Keys = field(default_factory=Keys)               # key lookups shared across checks (keys.py)
    # Tables validated in batches (validate/stream.py), never held whole: name -> their key sets.
    streamed: dict = field(default_factory=dict)


def key_column(td: TableData, fields: list[str]) -> pa.Array | None:
    """One comparable array for a (possibly composite) key; null where any part is missing or invalid."""
    parts = [td.typed(f) for f in fields]
    if any(p is None for p in parts):
        return None
    if len(parts) == 1:
        return parts[0]
    kind = pa.large_string() if any(pa.types.is_large_string(p.type) for p in parts) else pa.string()
    texts = [pc.cast(p, kind) for p in parts]
    joined = pc.binary_join_element_wise(*texts, pa.scalar("\x1f", kind))   # null if any part is null
    return joined
