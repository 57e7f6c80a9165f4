"""Validate tables too large to hold: in batches of rows, with keys kept as 64-bit hashes.

A table whose file is larger than the budget's `stream_at` (validate/budget.py) is never held whole.
Its file is read in batches that end on a row boundary (a newline outside quotes). Each batch gets the
header and goes through the same reader, type parser and derived checks as a whole table
(pipeline.open_table, derive.derive_checks, run.run_checks); its findings are moved to the file's own
line numbers. Only what needs every row is kept, compactly:

* primary keys, unique fields and uniqueKeys: a 64-bit hash per row. Equal hashes are only candidates:
  when there are any, a second pass over the file compares the values themselves, so a hash collision
  never reports a false duplicate.
* keys that other tables refer to: their sorted distinct hashes. A reference whose hash is absent is
  broken for certain; a broken reference whose hash collides with a key's would pass, with a
  probability of about (references x keys) / 2^64 (1e-5 for ten million of each).
* references to a table held whole are looked up exactly among its values.
* references to a streamed table not finished yet (a self-reference, or a cycle) are kept (hash, line,
  value) and looked up at the end.

Hashes are held in memory up to `spill_at` bytes per table, then written to disk in 64 buckets by
their top bits, in a temporary directory that is removed when validation ends or is interrupted; each
bucket is then sorted alone. Peak memory is the batches in flight plus 8 bytes per distinct key that
another table refers to, whatever the file's size.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import banjska.package.csvread as csvread
import banjska.validate.derive as derive
from banjska.package.csvread import Dialect
from banjska.package.reader import FileRefused, Package
from banjska.report import Issue
from banjska.validate.budget import Budget
from banjska.validate.checks import Check
from banjska.validate.context import Context, TableData, key_column
from banjska.validate.pipeline import open_table
from banjska.validate.prefetch import compare_bytes, declared_hash
from banjska.validate.rules import RuleSet, text_checks
from banjska.validate.run import hint_of, run_checks

HEADER_RULES = {"blank-label", "duplicate-label", "incorrect-label", "missing-label", "extra-label"}
FATAL_RULES = {"encoding-error", "source-error"}  # a batch that cannot be read ends the table (as a whole file)
MAX_BLANK_ROWS = 100  # as pipeline.open_table reports for a whole table
BUCKET_BITS = 6
LONG_TEXT = 256  # values longer than this are hashed with blake2b, one at a time (rare for keys)


# ---- hashing ---------------------------------------------------------------------------------------

_M1, _M2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def _fmix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit changes about half the output bits."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def hash_text(values: pa.Array) -> np.ndarray:
    """A 64-bit hash per value of a string array (nulls hash as the empty string: callers mask them).

    Vectorised: each value's bytes are read 8 at a time through one unaligned view of the data buffer,
    and each word is mixed in with a non-linear finaliser (position and length included).
    """
    values = values.cast(pa.large_string()) if not pa.types.is_large_string(values.type) else values
    n = len(values)
    if n == 0:
        return np.empty(0, dtype=np.uint64)
    _, offsets_buf, data_buf = values.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64, count=values.offset + n + 1)[values.offset:]
    starts, lengths = offsets[:-1], np.diff(offsets)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.empty(0, dtype=np.uint8)
    padded = np.zeros(len(data) + 8, dtype=np.uint8)  # so that every 8-byte read stays inside the buffer
    padded[:len(data)] = data
    words = np.ndarray(shape=(len(data) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    h = _fmix(lengths.astype(np.uint64) ^ _M2)
    short = lengths <= LONG_TEXT
    width = int(lengths[short].max()) if short.any() else 0
    for at in range(0, width, 8):
        rest = np.clip(lengths - at, 0, 8).astype(np.uint64)
        live = rest > 0
        word = words[np.where(live, starts + at, 0)]
        keep = np.where(rest >= 8, np.uint64(0xFFFFFFFFFFFFFFFF), (np.uint64(1) << (rest * np.uint64(8))) - np.uint64(1))
        mixed = _fmix((word & keep) + np.uint64(((at + 1) * 0xFF51AFD7ED558CCD) & 0xFFFFFFFFFFFFFFFF))
        h = np.where(live & short, _fmix(h ^ mixed), h)
    for i in np.flatnonzero(~short):
        text = bytes(padded[starts[i]:starts[i] + lengths[i]])
        h[i] = int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")
    return h


def key_text(td: TableData, fields: tuple[str, ...]) -> pa.Array | None:
    """The key's values as text (what is hashed and compared), null where any part is missing."""
    key = key_column(td, list(fields))
    return None if key is None else pc.cast(key, pa.large_string())


# ---- key sets ----------------------------------------------------------------------------------------

class HashStore:
    """The hashes of one key over a whole table: in memory up to `limit` bytes, then in bucket files."""

    def __init__(self, limit: int, spill_dir):
        self.limit, self.spill_dir = limit, spill_dir
        self.parts: list[np.ndarray] = []
        self.held = 0
        self.files: list[Path] | None = None

    def add(self, hashes: np.ndarray) -> None:
        self.parts.append(hashes)
        self.held += hashes.nbytes
        if self.held > self.limit:
            self._spill()

    def _spill(self) -> None:
        if self.files is None:
            folder = Path(tempfile.mkdtemp(prefix="keys-", dir=self.spill_dir()))
            self.files = [folder / f"{b:02x}.u64" for b in range(1 << BUCKET_BITS)]
        parts, self.parts, self.held = self.parts, [], 0
        handles = [open(path, "ab") for path in self.files]  # noqa: SIM115 - closed below, all together
        try:
            while parts:  # one batch's hashes at a time: spilling costs a few times one part, not the whole
                hashes = parts.pop(0)
                bucket = (hashes >> np.uint64(64 - BUCKET_BITS)).astype(np.intp)
                order = np.argsort(bucket, kind="stable")
                bounds = np.searchsorted(bucket[order], np.arange((1 << BUCKET_BITS) + 1))
                for b, fh in enumerate(handles):
                    if bounds[b + 1] > bounds[b]:
                        hashes[order[bounds[b]:bounds[b + 1]]].tofile(fh)
        finally:
            for fh in handles:
                fh.close()

    def sorted_parts(self) -> Iterator[np.ndarray]:
        """Every hash, sorted, in pieces whose concatenation is sorted (one bucket at a time if spilled)."""
        if self.files is None:  # sorted in place: 8 bytes a hash, and 8 more while the parts are joined
            whole = np.concatenate(self.parts) if self.parts else np.empty(0, dtype=np.uint64)
            self.parts = []
            whole.sort()
            yield whole
            return
        if self.parts:
            self._spill()
        for path in self.files:
            part = np.fromfile(path, dtype=np.uint64) if path.exists() else np.empty(0, dtype=np.uint64)
            part.sort()
            yield part

    def finish(self, repeated: bool, distinct: bool) -> tuple[np.ndarray | None, np.ndarray | None]:
        """In one pass over the sorted hashes: those that occur more than once (candidate duplicates) and
        the distinct ones (a key set), each sorted, as asked; the store is emptied."""
        reps, keys = [], []
        for s in self.sorted_parts():
            if repeated:
                reps.append(np.unique(s[1:][s[1:] == s[:-1]]))
            if distinct:
                keys.append(s[np.concatenate(([True], s[1:] != s[:-1]))] if len(s) else s)
        join = lambda parts: np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)  # noqa: E731
        return (join(reps) if repeated else None), (join(keys) if distinct else None)


def sorted_member(sorted_keys: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Per hash: it occurs in `sorted_keys`."""
    if not len(sorted_keys):
        return np.zeros(len(hashes), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, hashes), len(sorted_keys) - 1)
    return sorted_keys[at] == hashes


@dataclass
class StreamedTable:
    """What other tables can ask of a streamed table: does a value exist in one of its keys."""

    rows: int = 0
    keys: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)  # fields -> sorted distinct hashes
    parsed: bool = False  # some field was read (else, as for a whole table, no rows count as checked)

    def contains(self, fields: tuple[str, ...], child_key: pa.Array | None) -> np.ndarray | None:
        """Per value of `child_key`: it hashes to a key of `fields`; None if that key was not read."""
        if child_key is None or fields not in self.keys:
            return None
        return sorted_member(self.keys[fields], hash_text(pc.cast(child_key, pa.large_string())))


# ---- reading in batches --------------------------------------------------------------------------------

def _boundary(buf: bytearray, quote: int | None) -> int:
    """The offset just after the last newline outside quotes (`buf` starts at a row boundary), or -1.
    Quotes are counted with numpy, which releases the GIL for the batches being checked meanwhile."""
    pos = buf.rfind(b"\n")
    if quote is None or pos < 0:
        return pos + 1 if pos >= 0 else -1
    data = np.frombuffer(buf, dtype=np.uint8)
    odd = int(np.count_nonzero(data[:pos] == quote)) & 1
    while odd:  # that newline is inside a quoted cell: the row ends at an earlier one
        prev = buf.rfind(b"\n", 0, pos)
        if prev < 0:
            return -1
        odd ^= int(np.count_nonzero(data[prev:pos] == quote)) & 1
        pos = prev
    return pos + 1


def _read_into(fh, view: memoryview) -> int:
    got = 0
    while got < len(view):
        n = fh.readinto(view[got:])
        if not n:
            break
        got += n
    return got


def read_batches(fh, size: int, dialect: Dialect, digest) -> Iterator[bytearray]:
    """Cut a CSV into batches of about `size` bytes that end on a row boundary, feeding `digest` every
    byte. The first batch starts with the header; the others are rows only. Each batch is read straight
    into its own buffer (no copy but the few bytes of a row cut in two). A quoted cell that never
    closes makes the rest of the file one batch: its parser then reports the error."""
    quote = ord(dialect.quote_char) if dialect.quote_char else None
    pending = b""
    while True:
        buf = bytearray(len(pending) + size)
        buf[:len(pending)] = pending
        with memoryview(buf) as view:
            got = _read_into(fh, view[len(pending):])
            if digest is not None and got:
                digest.update(view[len(pending):len(pending) + got])
        del buf[len(pending) + got:]
        eof = got == 0
        cut = len(buf) if eof else _boundary(buf, quote)
        if cut <= 0:  # no whole row yet (or nothing left): read on
            pending = bytes(buf)
            if eof:
                return
            continue
        pending = bytes(buf[cut:])
        del buf[cut:]
        yield buf
        if eof:
            return


def header_of(first: bytearray, dialect: Dialect) -> list[str]:
    """The header's labels, read from the first batch (the later batches are parsed with them)."""
    line = bytes(first[: csvread.first_row_end(first, dialect)])
    return csvread.parse(line[3:] if line.startswith(b"\xef\xbb\xbf") else line, dialect).header


# ---- one batch ----------------------------------------------------------------------------------------

@dataclass
class BatchResult:
    index: int
    lines: int = 0   # newlines in the batch: where the next one starts
    rows: int = 0
    parsed: bool = False  # some field of the schema has a column
    fatal: list[Issue] = field(default_factory=list)
    read: list[Issue] = field(default_factory=list)
    found: dict[tuple[str, int], tuple[list[Issue], int]] = field(default_factory=dict)  # slot -> (first, count)
    slots: list[tuple[str, int, Check]] = field(default_factory=list)
    hashes: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)          # key fields -> hashes
    deferred: dict[tuple[str, int], tuple[np.ndarray, np.ndarray, list]] = field(default_factory=dict)


def _shifted(issues: list[Issue], shift: int) -> list[Issue]:
    if shift:
        for i in issues:
            if i.line is not None:
                i.line += shift
    return issues


class TableStream:
    """Validate one table in batches: per-batch checks now, key checks once every batch is read."""

    def __init__(self, pkg: Package, ctx: Context, res: dict, schema: dict, path: str, ruleset: RuleSet | None,
                 budget: Budget, max_errors: int, referenced: set[tuple[str, ...]], spill_dir):
        self.pkg, self.ctx, self.res, self.schema, self.path = pkg, ctx, res, schema, path
        self.name, self.ruleset, self.budget, self.max_errors = res["name"], ruleset, budget, max_errors
        self.referenced, self.spill_dir = referenced, spill_dir
        self.dialect = Dialect.from_descriptor(res.get("dialect"))
        self.stores: dict[tuple[str, ...], HashStore] = {}
        self.exact: dict[str, dict] = {}  # parent table -> fields -> its distinct key values (held whole)
        self.pending: set[str] = set()    # streamed tables not finished yet (their keys are looked up at the end)

    # -- per batch (in worker threads) --

    def check_batch(self, index: int, data: bytearray, header: list[str] | None, offset: int) -> BatchResult:
        """Read and check one batch; its lines count from its own start (line 1 is the file's header in
        the first batch, the batch's first row in the others) until _merge moves them."""
        out = BatchResult(index, lines=csvread.newline_count(data))
        td, issues = open_table(self.res, self.schema, data, self.path, self.ruleset, header, offset)
        if td is None:
            out.fatal = issues
            return out
        out.rows, out.parsed = td.num_rows, bool(td.parsed)
        out.read = [i for i in issues if index == 0 or i.rule not in HEADER_RULES]
        out.read = [i for i in out.read if i.rule != "blank-table"]
        local = Context(descriptor=self.ctx.descriptor, tables={self.name: td})
        extra = text_checks(self.ruleset, td) if self.ruleset is not None else {}
        for column, checks in derive.derive_checks(local, td, extra).items():
            for i, check in enumerate(checks):
                out.slots.append((column, i, check))
                mask = self._key_mask(td, check, out, (column, i)) if check.key else None
                if check.key and mask is None:
                    continue
                one = check if mask is None else dataclasses.replace(check, fn=lambda m=mask: m)
                found, counts = run_checks(td, {column: [one]}, self.max_errors)
                out.found[(column, i)] = (found, sum(counts.values()))
        for fields in self.referenced:
            if fields not in out.hashes and all(f in td.parsed for f in fields):
                self._hash_key(td, fields, out)
        return out

    def _hash_key(self, td: TableData, fields: tuple[str, ...], out: BatchResult) -> None:
        text = key_text(td, fields)
        if text is not None:
            present = pc.is_valid(text).to_numpy(zero_copy_only=False)
            out.hashes[fields] = hash_text(text)[present]

    def _key_mask(self, td: TableData, check: Check, out: BatchResult, slot) -> np.ndarray | None:
        """The rows a key check fails within this batch (None: nothing to report per batch); the key's
        hashes are kept for the checks across batches."""
        kind, fields = check.key[0], check.key[1]
        if kind in ("unique", "primary"):
            if fields not in out.hashes:
                self._hash_key(td, fields, out)
            if kind == "unique":
                return None
            missing = np.zeros(td.num_rows, dtype=bool)
            for f in fields:
                missing |= td.parsed[f].missing.to_numpy(zero_copy_only=False)
            return ~missing
        parent, ref_fields = check.key[2], check.key[3]
        child = key_text(td, fields)
        if child is None:
            return None
        present = pc.is_valid(child).to_numpy(zero_copy_only=False)
        found = self._lookup(parent, ref_fields, child)
        if found is None:  # the parent is not finished (a self-reference or a cycle): look up at the end
            rows = np.flatnonzero(present)
            values = td.columns[fields[0]].take(pa.array(rows)).to_pylist() if len(rows) else []
            out.deferred[slot] = (hash_text(child)[rows], td.raw.line_of(rows), values)
            return None
        if found is True:
            return None
        return found | ~present

    def _lookup(self, parent: str, ref_fields: tuple[str, ...], child: pa.Array):
        """Per child value: found among the parent's keys; True: nothing to check; None: not yet known."""
        if parent in self.ctx.streamed and parent != self.name:
            found = self.ctx.streamed[parent].contains(ref_fields, child)
            return True if found is None else found
        if parent in self.ctx.tables:
            values = self.exact.get(parent, {}).get(ref_fields)
            if values is None:
                return True
            return pc.fill_null(pc.is_in(child, value_set=values), False).to_numpy(zero_copy_only=False)
        if parent == self.name or parent in self.pending:
            return None
        return True  # the parent was not read: reported already

    # -- the whole table (main thread) --

    def prepare(self, pending: set[str]) -> None:
        """Before the first batch: exact key values of parents held whole; which parents are unfinished."""
        self.pending = pending
        for fk in self.schema.get("foreignKeys", []) or []:
            ref = fk.get("reference", {}) if isinstance(fk, dict) else {}
            parent = ref.get("resource") or self.name
            fields = tuple(derive.as_list(ref.get("fields")))
            td = self.ctx.tables.get(parent)
            if td is not None and fields and all(f in td.parsed for f in fields):
                key = key_column(td, list(fields))
                self.exact.setdefault(parent, {})[fields] = pc.unique(pc.drop_null(pc.cast(key, pa.large_string())))

    def run(self) -> Streamed:
        expected = declared_hash(self.res)
        digest = hashlib.new(expected[0]) if expected else None
        result = Streamed(self.name)
        size = 0
        with self.pkg.source.open(self.path) as fh, ThreadPoolExecutor(max_workers=self.budget.workers) as pool:
            inflight, header, offset = [], None, 0
            counter = _Counting(fh)
            for index, data in enumerate(read_batches(counter, self.budget.batch, self.dialect, digest)):
                inflight.append(pool.submit(self.check_batch, index, data, header, offset))
                if index == 0:  # byte offsets count after a byte-order mark, as for a whole file
                    header = header_of(data, self.dialect)
                    offset = -3 if data.startswith(b"\xef\xbb\xbf") else 0
                offset += len(data)
                if len(inflight) > self.budget.workers and not self._merge(inflight.pop(0).result(), result):
                    break
            for job in inflight:
                if result.fatal:
                    job.cancel()
                else:
                    self._merge(job.result(), result)
            size = counter.count
        if result.fatal:
            return result
        result.bytes_issues = compare_bytes(size, digest.hexdigest() if digest else None, self.res, self.path, self.name)
        return result

    def _merge(self, out: BatchResult, result: Streamed) -> bool:
        """Add one batch's findings (in batch order), at the file's line numbers."""
        shift = 0 if out.index == 0 else result.next_line - 1
        result.next_line += out.lines
        if out.fatal:
            result.fatal = _shifted(out.fatal, shift)
            return False
        result.rows += out.rows
        result.table.parsed = out.parsed
        for issue in _shifted(out.read, shift):
            if issue.rule == "blank-row":
                if result.blank_rows >= MAX_BLANK_ROWS:
                    continue
                result.blank_rows += 1
            if issue.rule == "format-error" and issue.message.startswith("carriage return"):
                if result.carriage_return:
                    continue
                result.carriage_return = True
            result.read.append(issue)
        if not result.slots:
            result.slots = [(c, i, check) for c, i, check in out.slots]
        for slot, (found, count) in out.found.items():
            kept, total = result.found.get(slot, ([], 0))
            kept.extend(_shifted(found[: max(0, self.max_errors - len(kept))], shift))
            result.found[slot] = (kept, total + count)
        for fields, hashes in out.hashes.items():
            if fields not in self.stores:
                self.stores[fields] = HashStore(self.budget.spill_at, self.spill_dir)
            self.stores[fields].add(hashes)
        for slot, (hashes, lines, values) in out.deferred.items():
            result.deferred.setdefault(slot, []).append((hashes, lines + shift, values))
        return True

    def finish(self, result: Streamed) -> None:
        """After every batch: the key sets other tables use, then which rows repeat a key (confirmed on
        the values themselves in a second pass, only when some hashes repeat)."""
        unique = {check.key[1] for _, _, check in result.slots if check.key and check.key[0] in ("unique", "primary")}
        repeated = {}
        for fields, store in self.stores.items():
            reps, keys = store.finish(fields in unique, fields in self.referenced)
            if reps is not None:
                repeated[fields] = reps
            if keys is not None:
                result.table.keys[fields] = keys
        self.stores.clear()
        result.table.rows = result.rows
        candidates = {f: h for f, h in repeated.items() if len(h)}
        if candidates:
            self._confirm(result, candidates)

    def _confirm(self, result: Streamed, candidates: dict[tuple[str, ...], np.ndarray]) -> None:
        seen: dict[tuple[str, ...], dict[str, list[tuple[int, str]]]] = {f: {} for f in candidates}
        header, next_line = None, 1
        with self.pkg.source.open(self.path) as fh:
            for index, data in enumerate(read_batches(fh, self.budget.batch, self.dialect, None)):
                td, _ = open_table(self.res, self.schema, data, self.path, self.ruleset, header)
                shift = 0 if index == 0 else next_line - 1
                next_line += data.count(b"\n")
                header = header_of(data, self.dialect) if index == 0 else header
                if td is None:
                    return
                for fields, hashes in candidates.items():
                    text = key_text(td, fields)
                    rows = np.flatnonzero(pc.is_valid(text).to_numpy(zero_copy_only=False)
                                          & np.isin(hash_text(text), hashes))
                    if not len(rows):
                        continue
                    lines = td.raw.line_of(rows) + shift
                    keys = text.take(pa.array(rows)).to_pylist()
                    cells = td.columns[fields[0]].take(pa.array(rows)).to_pylist()
                    for key, line, cell in zip(keys, lines.tolist(), cells, strict=True):
                        seen[fields].setdefault(key, []).append((line, cell))
        for fields, groups in seen.items():
            result.duplicates[fields] = sorted(hit for hits in groups.values() if len(hits) > 1 for hit in hits)


class _Counting:
    def __init__(self, fh):
        self.fh, self.count = fh, 0

    def readinto(self, view) -> int:
        n = self.fh.readinto(view)
        self.count += n or 0
        return n


@dataclass
class Streamed:
    """Everything found in one streamed table, and its key sets."""

    name: str
    rows: int = 0
    fatal: list[Issue] = field(default_factory=list)
    read: list[Issue] = field(default_factory=list)
    bytes_issues: list[Issue] = field(default_factory=list)
    slots: list[tuple[str, int, Check]] = field(default_factory=list)
    found: dict = field(default_factory=dict)
    deferred: dict = field(default_factory=dict)
    duplicates: dict = field(default_factory=dict)   # key fields -> sorted (line, cell) of confirmed repeats
    blank_rows: int = 0
    carriage_return: bool = False
    next_line: int = 1      # the file's line where the next batch starts
    table: StreamedTable = field(default_factory=StreamedTable)

    def issues(self, ctx: Context, file: str, max_errors: int) -> tuple[list[Issue], dict[tuple[str, str], int]]:
        """Findings in the order the whole-table engine gives them (reading, then checks per field), and
        how many there are per (column, rule)."""
        counts: dict[tuple[str, str], int] = {}
        for issue in self.fatal or self.read + self.bytes_issues:  # these are all at hand
            counts[(issue.column, issue.rule)] = counts.get((issue.column, issue.rule), 0) + 1
        if self.fatal:
            return list(self.fatal), counts
        out = list(self.read) + list(self.bytes_issues)
        for column, i, check in self.slots:
            kept, count = self.found.get((column, i), ([], 0))
            kept = list(kept)
            if check.key and check.key[0] in ("unique", "primary"):
                hits = self.duplicates.get(check.key[1], [])
                kept = sorted(kept + [self._issue(check, column, file, line, cell) for line, cell in hits[:max_errors]],
                              key=lambda issue: issue.line)
                count += len(hits)
            elif (column, i) in self.deferred:
                kept, count = self._resolve(ctx, check, (column, i), file, max_errors)
            out += kept[:max_errors]
            if count:
                counts[(column, check.name)] = counts.get((column, check.name), 0) + count
        return out, counts

    def _issue(self, check: Check, column: str, file: str, line: int, cell) -> Issue:
        return Issue(self.name, check.name, check.error, file, int(line), column, cell or "",
                     hint_of(check.error, check.description))

    def _resolve(self, ctx: Context, check: Check, slot: tuple[str, int], file: str,
                 max_errors: int) -> tuple[list[Issue], int]:
        """A reference to a table that was not finished when this one was read, looked up now."""
        parent, ref_fields = check.key[2], check.key[3]
        target = ctx.streamed.get(parent)
        if target is None or ref_fields not in target.keys:
            return [], 0
        kept, count = [], 0
        for hashes, lines, values in self.deferred[slot]:
            bad = np.flatnonzero(~sorted_member(target.keys[ref_fields], hashes))
            count += len(bad)
            for j in bad[: max(0, max_errors - len(kept))]:
                kept.append(self._issue(check, slot[0], file, lines[j], values[j]))
        return kept, count


# ---- every streamed table -------------------------------------------------------------------------------

def referenced_keys(schemas: dict[str, dict]) -> dict[str, set[tuple[str, ...]]]:
    """Per table: the field tuples that some foreign key (of any table) refers to."""
    out: dict[str, set[tuple[str, ...]]] = {}
    for name, schema in schemas.items():
        for fk in schema.get("foreignKeys", []) or []:
            ref = fk.get("reference", {}) if isinstance(fk, dict) else {}
            fields = tuple(derive.as_list(ref.get("fields") if isinstance(ref, dict) else None))
            if fields:
                out.setdefault(ref.get("resource") or name, set()).add(fields)
    return out


def parents_of(schema: dict, name: str) -> set[str]:
    return {(fk.get("reference") or {}).get("resource") or name for fk in schema.get("foreignKeys", []) or []
            if isinstance(fk, dict) and isinstance(fk.get("reference"), dict)}


def stream_tables(pkg: Package, ctx: Context, files: dict[str, tuple[dict, str]], schemas: dict[str, dict],
                  ruleset: RuleSet | None, budget: Budget,
                  max_errors: int) -> tuple[dict[str, tuple[list[Issue], dict]], int]:
    """Validate each table of `files` in batches, parents before the tables that refer to them; fill
    ctx.streamed with their key sets; return per table its first issues and its counts per (column, rule),
    and the total count."""
    referenced = referenced_keys(schemas)
    todo = list(files)
    results: dict[str, Streamed] = {}
    spill: list[str] = []

    def spill_dir() -> str:
        if not spill:
            spill.append(tempfile.mkdtemp(prefix="make-data-validate-", dir=budget.tmpdir))
        return spill[0]

    try:
        while todo:
            ready = [n for n in todo if not (parents_of(schemas[n], n) - {n}) & set(todo)]
            name = (ready or todo)[0]  # a cycle: its references to unfinished tables are looked up at the end
            todo.remove(name)
            res, path = files[name]
            stream = TableStream(pkg, ctx, res, schemas[name], path, ruleset, budget, max_errors,
                                 referenced.get(name, set()), spill_dir)
            stream.prepare(set(todo))
            try:
                result = stream.run()
            except FileRefused as exc:
                result = Streamed(name, fatal=[Issue(name, exc.rule, exc.message, file=path, hint=exc.hint)])
            if not result.fatal:
                stream.finish(result)
                ctx.streamed[name] = result.table
            results[name] = result
    finally:
        for folder in spill:
            shutil.rmtree(folder, ignore_errors=True)
    issues, total = {}, 0
    for name, result in results.items():
        found, counts = result.issues(ctx, files[name][1], max_errors)
        issues[name] = (found, counts)
        total += sum(counts.values())
    return issues, total
