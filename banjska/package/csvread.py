"""Read one CSV resource fast and exactly: bytes, hash, encoding, header, ragged rows, line numbers.

pyarrow parses every column as text (types are checked later, vectorised); ragged rows are skipped by
the parser and located afterwards. Physical line numbers are computed only when an error needs one,
with a vectorised scan of the bytes (newlines outside quotes), so valid data pays nothing for them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from banjska.package.dialect import Dialect
from banjska.package.reader import Bytes
from banjska.report import Issue

BLOCK = 1 << 20  # Arrow's default: blocks that fit in cache parse ~35% faster than 16 MB ones


@dataclass
class RawTable:
    """A CSV's cells as text, plus what it takes to point at a line of the file."""

    data: Bytes
    header: list[str]
    table: pa.Table | None          # data rows only, one string column per header cell
    ragged: int = 0                 # rows the parser skipped for having the wrong number of cells
    # (row number counting from 1 at the file's first row, cells) of each skipped row, as the parser gave them
    skipped: list[tuple[int | None, int]] = field(default_factory=list)
    parse_error: str = ""
    dialect: Dialect = field(default_factory=Dialect)

    @cached_property
    def _row_starts(self) -> np.ndarray:
        """Byte offset where each logical row (header included) starts, from a vectorised scan."""
        buf = np.frombuffer(self.data, dtype=np.uint8)
        nl = np.flatnonzero(buf == 10)
        q = np.flatnonzero(buf == ord(self.dialect.quote_char or '"'))
        even = (np.searchsorted(q, nl) % 2) == 0          # newline outside quotes ends a row
        ends = nl[even]
        starts = np.concatenate(([0], ends + 1))
        return starts[starts < len(self.data)]

    @cached_property
    def _line_of_offset(self) -> np.ndarray:
        buf = np.frombuffer(self.data, dtype=np.uint8)
        return np.flatnonzero(buf == 10)

    def line_of_row_start(self, offsets: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._line_of_offset, offsets, side="left") + 1

    @cached_property
    def _cells_per_row(self) -> np.ndarray:
        buf = np.frombuffer(self.data, dtype=np.uint8)
        q = np.flatnonzero(buf == ord(self.dialect.quote_char or '"'))
        delim = np.flatnonzero(buf == ord(self.dialect.delimiter))
        outside = (np.searchsorted(q, delim) % 2) == 0
        rows = np.searchsorted(self._row_starts, delim[outside], side="right") - 1
        return np.bincount(rows, minlength=len(self._row_starts)) + 1

    @cached_property
    def _good_row_lines(self) -> np.ndarray:
        """Physical line number of every parsed data row (ragged rows excluded)."""
        first = 1 if self.dialect.header else 0
        known = self._skipped_indexes()
        if known is not None and self._lines_are_rows:  # row i is line i + 1: no scan of the bytes
            return np.delete(np.arange(first, self._all_rows), known[known >= first] - first) + 1
        starts = self._row_starts
        lines = self.line_of_row_start(starts)
        if self.ragged:
            width = len(self.header)
            if known is not None:  # the parser said which rows it skipped: no need to count cells
                ok = np.ones(len(starts), dtype=bool)
                ok[known[known < len(ok)]] = False
                ok[:first] = False
                return lines[ok]
            ok = self._cells_per_row == width
            ok[:first] = False
            # An empty line parses as a row of empty cells, not a ragged row (only the few bad rows are looked at).
            for i in np.flatnonzero(~ok):
                ok[i] = self.data[starts[i]:starts[i] + 1] in (b"\n", b"\r", b"")
            ok[:first] = False
            return lines[ok]
        return lines[first:]

    @property
    def _all_rows(self) -> int:
        """Rows the parser saw: the header, the data rows and the skipped ones."""
        return self.table.num_rows + len(self.skipped) + (1 if self.dialect.header else 0)

    @cached_property
    def _lines_are_rows(self) -> bool:
        """True when no cell spans lines: row i (0-based, header included) is line i + 1. One count of
        newlines decides it (numpy releases the GIL)."""
        if self.table is None or len(self.skipped) != self.ragged:
            return False
        rows, newlines = self._all_rows, newline_count(self.data)
        return newlines == rows or (newlines == rows - 1 and self.data[-1:] != b"\n")

    @cached_property
    def _one_line_per_row(self) -> bool:
        """True when no cell spans lines and no row was skipped: then line = row + header + 1 (no scan)."""
        return not self.ragged and self._lines_are_rows

    def line_of(self, rows: np.ndarray) -> np.ndarray:
        """Physical (1-based) line numbers of data rows given as 0-based indexes into `table`."""
        if self._one_line_per_row:
            return np.asarray(rows, dtype=np.int64) + (2 if self.dialect.header else 1)
        lines = self._good_row_lines
        if self.table is not None and len(lines) != self.table.num_rows:
            # Exotic dialect or line ends: fall back to row position (header = line 1).
            return np.asarray(rows) + (2 if self.dialect.header else 1)
        return lines[np.asarray(rows, dtype=np.int64)]

    def _skipped_indexes(self) -> np.ndarray | None:
        """0-based indexes (among all rows, the header's included) of the skipped rows, if the parser gave
        every row's number."""
        if not self.skipped or any(number is None for number, _ in self.skipped):
            return None
        return np.array([number - 1 for number, _ in self.skipped], dtype=np.int64)

    def ragged_rows(self) -> list[tuple[int, int]]:
        """(line, cells) for each row whose cell count differs from the header's."""
        if not self.ragged:
            return []
        known = self._skipped_indexes()
        if known is not None and self._lines_are_rows:  # the parser said which rows, and each is one line
            return [(int(i) + 1, cells) for i, (_, cells) in zip(known, self.skipped, strict=True)]
        starts = self._row_starts
        if known is not None and (known < len(starts)).all():  # the parser said which rows (no cell count)
            rows = [(int(i), cells) for i, (_, cells) in zip(known, self.skipped, strict=True)]
        else:
            counts = self._cells_per_row
            first = 1 if self.dialect.header else 0
            rows = [(int(i), int(counts[i])) for i in np.flatnonzero(counts != len(self.header)) if i >= first]
        if not rows:
            return []
        lines = self.line_of_row_start(starts[[i for i, _ in rows]])
        return [(int(line), cells) for (i, cells), line in zip(rows, lines, strict=True)
                if self.data[starts[i]:starts[i] + 1] not in (b"\n", b"\r")]


def newline_count(data: Bytes) -> int:
    """How many newline bytes: counted in place for bytes and bytearrays (no 1-byte-per-byte mask, whose
    fresh pages cost more than the count), with numpy for a memory map."""
    if isinstance(data, (bytes, bytearray)):
        return data.count(b"\n")
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 10))


def is_utf8(data: Bytes) -> bool:
    """Validate UTF-8 in Arrow's C++ (zero-copy, ~30 ms per 100 MB)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    arr = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        arr.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def utf8_issue(data: Bytes, file: str, table: str, offset: int = 0) -> list[Issue]:
    """Locate the first byte that is not UTF-8 (called only after Arrow found one); `offset`: where `data`
    starts in the file (a batch of it)."""
    try:
        bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return [Issue(table, "encoding-error", f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte {exc.start + offset}",
                      file=file, line=line, hint="Save the file as UTF-8.")]
    return []


def decode_check(data: Bytes, file: str, table: str, encoding: str) -> tuple[Bytes, list[Issue]]:
    """Strip a UTF-8 BOM, or transcode another declared encoding to UTF-8; returns (bytes, issues).

    UTF-8 validity itself is checked by `is_utf8` (fast) and located by `utf8_issue` (only on failure).
    """
    if encoding.lower().replace("_", "-") not in {"utf-8", "utf8", "utf-8-sig"}:
        try:
            return bytes(data).decode(encoding).encode("utf-8"), []
        except (LookupError, UnicodeDecodeError) as exc:
            return b"", [Issue(table, "encoding-error", f"cannot decode as {encoding}: {exc}", file=file)]
    return (data[3:] if data[:3] == b"\xef\xbb\xbf" else data), []


def first_row_end(data: Bytes, dialect: Dialect) -> int:
    """The offset just after the first row's newline (the first one outside quotes), or the data's length."""
    quote = dialect.quote_char.encode() if dialect.quote_char else None
    at = data.find(b"\n")
    while at >= 0 and quote is not None and bytes(data[:at]).count(quote) % 2:  # (a memory map has no count)
        at = data.find(b"\n", at + 1)
    return at + 1 if at >= 0 else len(data)


def first_line_width(data: Bytes, dialect: Dialect) -> int:
    """How many cells the first row has (a quoted label may span lines). Python's csv module splits the one
    row (Arrow would infer a type for every column: seconds for a header of 100,000 columns); Arrow decides
    if csv cannot."""
    line = bytes(data[: first_row_end(data, dialect)]).rstrip(b"\n")
    try:
        options = dict(delimiter=dialect.delimiter, doublequote=dialect.double_quote, escapechar=dialect.escape_char or None,
                       strict=True)
        if dialect.quote_char:
            options["quotechar"] = dialect.quote_char
        else:
            options["quoting"] = csv.QUOTE_NONE
        cells = next(csv.reader([line.decode("utf-8").rstrip("\r")], **options))
        if not cells:
            raise csv.Error("empty first line")
        return len(cells)
    except (csv.Error, UnicodeDecodeError, StopIteration, TypeError):
        first = pacsv.read_csv(pa.BufferReader(line + b"\n"),
                               read_options=pacsv.ReadOptions(autogenerate_column_names=True, use_threads=False),
                               parse_options=pacsv.ParseOptions(delimiter=dialect.delimiter,
                                                                quote_char=dialect.quote_char or False,
                                                                newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(strings_can_be_null=False, column_types=None))
        return first.num_columns


def parse(data: Bytes, dialect: Dialect, header: list[str] | None = None) -> RawTable:
    """Parse CSV bytes (already verified as UTF-8: see is_utf8) into text columns; never raises on
    malformed content. `header`: the bytes are rows that follow this header (a batch of a larger file),
    so every row should have as many cells."""
    if header is not None:
        dialect = Dialect(dialect.delimiter, dialect.quote_char, dialect.double_quote, dialect.escape_char, False)
    if len(data) < 64 and not bytes(data).strip(b"\r\n"):
        return RawTable(data, [], None, parse_error="the file is empty", dialect=dialect)
    skipped = []

    def on_invalid(row) -> str:
        skipped.append((row.number, row.actual_columns))
        return "skip"

    popts = pacsv.ParseOptions(delimiter=dialect.delimiter, quote_char=dialect.quote_char or False,
                               double_quote=dialect.double_quote, escape_char=dialect.escape_char or False,
                               newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid)
    block = BLOCK
    while True:
        try:
            width = len(header) if header is not None else first_line_width(data, dialect)
            names = [f"c{i}" for i in range(width)]
            table = pacsv.read_csv(
                pa.BufferReader(data),
                # One thread per file: validate parses several files at once, and Arrow's own
                # threads would only add contention (measured: ~45% more CPU for the same parse).
                read_options=pacsv.ReadOptions(column_names=names, block_size=block, use_threads=False),
                parse_options=popts,
                # check_utf8=False: callers verify the whole buffer first (is_utf8), no need to do it per cell again
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, check_utf8=False,
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False),
            )
            break
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "straddling" in msg and block < len(data) + 1:
                block = len(data) + 1
                skipped.clear()
                continue
            return RawTable(data, [], None, parse_error=msg.splitlines()[0], dialect=dialect)
    if dialect.header:
        header = [table.column(i)[0].as_py() for i in range(width)] if table.num_rows else []
        table = table.slice(1)
    elif header is None:
        header = names
    table = table.rename_columns([f"c{i}" for i in range(width)])
    return RawTable(data, header, table, ragged=len(skipped), skipped=skipped, dialect=dialect)
