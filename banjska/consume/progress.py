"""Progress lines on stderr for long-running commands, shown only to a person at a terminal.

Why this exists: `make-data export` and `make-data codebook` take a few seconds; a person at a terminal
should see what is happening, while CI logs, pipes and JSON consumers must stay clean. Progress is on
when stderr is a TTY and the CI environment variable is unset (or empty).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")


def enabled(stream: TextIO | None = None) -> bool:
    """True when progress should be shown: stderr is a terminal and we are not in CI."""
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # closed stream
        return False


class Progress:
    """`with Progress("export", total=11) as p: p.step("events")` prints `export [3/11] events` lines."""

    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None):
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.on = enabled(self.stream)
        self.count = 0

    def step(self, what: str) -> None:
        self.count += 1
        if self.on:
            of = f"/{self.total}" if self.total else ""
            self.stream.write(f"\r\x1b[K{self.label} [{self.count}{of}] {what}")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        if self.on and self.count:
            self.stream.write(f"\r\x1b[K{self.label}: done ({self.count} step{'s' if self.count != 1 else ''})\n")
            self.stream.flush()


def track(items: Iterable[T], label: str, total: int | None = None, stream: TextIO | None = None,
          name=str) -> Iterator[T]:
    """Iterate over `items`, reporting each one as a step."""
    items = list(items)
    with Progress(label, total if total is not None else len(items), stream) as progress:
        for item in items:
            progress.step(name(item))
            yield item
