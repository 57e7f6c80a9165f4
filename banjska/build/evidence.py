"""Anchor quotes in the article: each quote must occur exactly once and inside one sentence unit."""

from __future__ import annotations

from dataclasses import dataclass

from banjska.build.source import Unit
from banjska.errors import BuildError


@dataclass(frozen=True)
class Anchor:
    quote: str
    start: int
    end: int
    unit_id: str


def occurrences(text: str, quote: str) -> list[int]:
    found, i = [], text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def anchor(text: str, units: list[Unit], quote: object, where: str) -> Anchor:
    """Resolve one quote to its offsets, or fail naming the record that cites it."""
    if not isinstance(quote, str) or not quote.strip():
        raise BuildError(f"evidence quote must be non-empty text, got {quote!r}", where=where)
    hits = occurrences(text, quote)
    if not hits:
        raise BuildError(f"quote not found in the article: {quote!r}",
                         "Copy the words exactly from the seed text (same spaces, quotes and punctuation).", where=where)
    if len(hits) > 1:
        raise BuildError(f"quote is ambiguous, it occurs {len(hits)} times (offsets {', '.join(map(str, hits))}): {quote!r}",
                         "Lengthen the quote until it occurs exactly once.", where=where)
    start, end = hits[0], hits[0] + len(quote)
    for unit in units:
        if unit.start <= start and end <= unit.end:
            return Anchor(quote, start, end, unit.unit_id)
    raise BuildError(f"quote crosses a sentence boundary: {quote!r}", "Split it into one quote per sentence.", where=where)
