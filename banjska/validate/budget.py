"""How much memory `make-data validate` may use, and what follows from it (no heavy imports here).

A table whose file is larger than `stream_at` is validated in batches of about `batch` bytes
(validate/stream.py) instead of whole; the 64-bit key hashes such a table needs are held in memory up
to `spill_at` bytes, then written to disk. `make-data validate --memory 2G` sets all three.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from banjska.package.dialect import Dialect

UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
DEFAULT_MEMORY = 1 << 30
# An estimate of what a batch costs while it is parsed, typed and checked (text columns, typed columns,
# masks, dictionary encodings), in multiples of its CSV bytes; WORKERS + 1 batches are in flight. The peaks it
# gives are measured in docs/benchmark.md (322 MB for 10M rows at --memory 256M): a target, not a hard limit.
PER_BATCH = 12


def parse_size(text: str) -> int:
    """'512M', '2G', '1.5G' or a number of bytes -> bytes (binary units); ValueError if malformed."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(f"{text!r} is not a size (write for example 512M or 2G)")
    return int(float(m.group(1)) * UNITS[m.group(2).upper()])


@dataclass(frozen=True)
class Budget:
    batch: int = 16 << 20       # CSV bytes per batch
    stream_at: int = 32 << 20   # files larger than this are validated in batches
    spill_at: int = 256 << 20   # bytes of key hashes held in memory, per table, before they go to disk
    workers: int = 2            # batches checked at once (each in a thread; Arrow releases the GIL)
    tmpdir: str | None = None   # where spilled hashes go (default: the system's temporary directory)

    def streams(self, res: dict, size: int) -> bool:
        """Whether a table resource is validated in batches: large, UTF-8, with a header row, and a dialect
        whose row ends can be found by counting quotes (no escape character)."""
        dialect = Dialect.from_descriptor(res.get("dialect"))
        encoding = str(res.get("encoding", "utf-8")).lower().replace("_", "-")
        return (size > self.stream_at and encoding in {"utf-8", "utf8", "utf-8-sig"} and not dialect.escape_char
                and dialect.header and dialect.double_quote)

    @classmethod
    def of(cls, memory: int, workers: int = 2) -> Budget:
        """A budget for about `memory` bytes: a quarter for key hashes, the rest for batches in flight."""
        batch = max(64 << 10, min(64 << 20, (memory * 3 // 4) // (PER_BATCH * (workers + 1))))
        return cls(batch=batch, stream_at=batch * 2, spill_at=max(1 << 20, memory // 4), workers=workers)

    @classmethod
    def default(cls, workers: int = 2) -> Budget:
        return cls.of(DEFAULT_MEMORY, workers)
