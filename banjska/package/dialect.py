"""A resource's CSV dialect (Data Package v1 `dialect`, or v2 `dialect.csv`), read once, with no heavy
imports: the memory budget decides from it whether a table can be streamed before pyarrow is loaded."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Dialect:
    delimiter: str = ","
    quote_char: str = '"'
    double_quote: bool = True
    escape_char: str | None = None
    header: bool = True

    @classmethod
    def from_descriptor(cls, d: dict | None) -> Dialect:
        d = d if isinstance(d, dict) else {}
        csv = d.get("csv", d) if isinstance(d.get("csv", d), dict) else d
        return cls(csv.get("delimiter", ","), csv.get("quoteChar", '"'), bool(csv.get("doubleQuote", True)),
                   csv.get("escapeChar"), bool(d.get("header", True)))
