"""Turn the hand-coded annotation files into table rows and evidence rows.

Annotation records use the Table Schema's field names. This module checks each record against its
schema's field list, anchors every evidence quote in the article, and checks that source-text fields
(names, raw dates, verbatim words, paraphrases, raw counts) are words of the record's own quotes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from banjska.build.evidence import Anchor, anchor
from banjska.build.layout import ANNOTATIONS
from banjska.build.schemas import field_names, primary_key, source_text_fields
from banjska.build.source import Mapping, Seed, Unit, load_yaml
from banjska.errors import BuildError

# Tables coded by hand, in file order. The registry (annotations/<table>.yaml) is shared by every source:
# an actor or place is defined once and cites the sources that name it (`evidence:` by source id). The
# others are coded per source (annotations/<source_id>/<table>.yaml, each file optional): their rows take the
# folder's source. event_places are nested in events.yaml (`places:`), statement_actors in statements.yaml
# (`actors:`).
CODED_TABLES = ("places", "actors", "events", "event_actors", "statements", "casualties", "claims", "enrichment")
REGISTRY = ("places", "actors", "enrichment")
NESTED = {"events": ("places", "event_places"), "statements": ("actors", "statement_actors")}
DERIVED_IDS = {
    "event_places": lambda r: f"{r['event_id']}--{r['place_id']}",
    "statement_actors": lambda r: f"{r['statement_id']}--{r['actor_id']}",
    "enrichment": lambda r: f"{r['table_name']}--{r['record_id']}--{r['property']}",
    "claims": lambda r: f"{r['event_id']}--{r['source_id']}",
}
NO_EVIDENCE = {"enrichment"}  # enrichment comes from outside the article; it carries source_url instead
FRAGMENT_SEPARATOR = " ... "


@dataclass(frozen=True)
class Origin:
    """Where a row came from: the annotation file, the record's first line and each field's line."""

    file: str
    line: int
    fields: dict[str, int] = field(default_factory=dict)

    def at(self, column: str = "") -> str:
        """`annotations/<file>.yaml:<line>`, at the field's own line when the record writes it."""
        return f"{self.file}:{self.fields.get(column, self.line)}"


def origin_of(file: str, src: object) -> Origin:
    if isinstance(src, Mapping):
        return Origin(file, src.line, dict(src.lines))
    return Origin(file, getattr(src, "line", 0))


@dataclass
class Coded:
    rows: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    evidence: list[dict[str, str]] = field(default_factory=list)
    origins: dict[tuple[str, str], Origin] = field(default_factory=dict)  # (table, primary key) -> origin


def cell(value: object) -> str:
    """Render one YAML value as the CSV text Table Schema expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def annotation_file(table: str, source_id: str | None = None) -> str:
    """annotations/<table>.yaml (registry) or annotations/<source_id>/<table>.yaml."""
    return f"{ANNOTATIONS}/{source_id}/{table}.yaml" if source_id else f"{ANNOTATIONS}/{table}.yaml"


def read_records(root: Path, label: str, required: bool = True) -> list[dict]:
    """The `records:` of one annotation file (a path relative to the project); [] for an absent optional file."""
    if not required and not (root / label).is_file():
        return []
    doc = load_yaml(root / label, label)
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise BuildError("expected a mapping with a 'records:' list", where=label)
    for i, rec in enumerate(doc["records"], start=1):
        if not isinstance(rec, dict):
            raise BuildError(f"record {i} is not a mapping", where=f"{label}:{doc['records'].lines[i - 1]}")
    return doc["records"]


class Coder:
    def __init__(self, root: Path, seeds: dict[str, Seed], units: dict[str, list[Unit]], tables: tuple[str, ...]):
        self.root, self.seeds, self.units, self.tables = root, seeds, units, tables
        self.out = Coded()

    def code_all(self) -> Coded:
        for table in (t for t in CODED_TABLES if t in self.tables):
            self.out.rows.setdefault(table, [])
            for source in [None] if table in REGISTRY else list(self.seeds):
                file = annotation_file(table, source)
                for rec in read_records(self.root, file, required=False):
                    self.code_record(table, dict(rec), file, src=rec, source=source)
        for child_table in (nested for _, nested in NESTED.values()):
            self.out.rows.setdefault(child_table, [])
        return self.out

    def code_record(self, table: str, rec: dict, file: str, parent: dict | None = None, src: object = None,
                    source: str | None = None) -> None:
        quotes = rec.pop("evidence", None) or []
        nested = rec.pop(NESTED[table][0], None) or [] if table in NESTED else []
        if parent:
            rec = {**parent, **rec}
        names = field_names(self.root, table)
        if "source_id" in names and source is not None:
            if cell(rec.get("source_id")) not in ("", source) and not parent:
                raise BuildError(f"source_id {rec['source_id']!r} differs from the folder's source {source!r}",
                                 "Leave source_id out: a record's source is the folder its file is in.",
                                 where=origin_of(file, src).at("source_id"))
            rec["source_id"] = source
        pk = primary_key(self.root, table)
        if pk not in rec and table in DERIVED_IDS:
            try:
                rec[pk] = DERIVED_IDS[table](rec)
            except KeyError as missing:
                raise BuildError(f"record lacks {missing}", where=file) from None
        rid = cell(rec.get(pk))
        where = f"{file} record {rid or '(no ' + pk + ')'}"
        if not rid:
            raise BuildError(f"record has no {pk}", f"Give every {table} record a {pk}.", where=where)
        origin = origin_of(file, src)
        unknown = sorted(set(rec) - set(names))
        if unknown:
            raise BuildError(f"record {rid}: unknown field(s) {', '.join(unknown)}",
                             f"Fields of {table} are: {', '.join(names)}.", where=origin.at(unknown[0]))
        for name in names:
            if isinstance(rec.get(name), (dict, list)):
                raise BuildError(f"{name}: expected one value, not a list or mapping",
                                 "Write the value as text; the Table Schema gives it its type.", where=origin.at(name))
        self.out.origins[(table, rid)] = origin
        anchors = self.anchor_all(table, rid, quotes, where, file, source)
        if not anchors and table not in NO_EVIDENCE:
            raise BuildError("record has no evidence", "Add at least one exact quote from the article under 'evidence:'.", where=where)
        self.check_source_text(table, rec, anchors, where)
        self.out.rows.setdefault(table, []).append({n: cell(rec.get(n)) for n in names})
        for child in nested:
            if not isinstance(child, dict):
                raise BuildError("nested entry is not a mapping", where=where)
            child_table = NESTED[table][1]
            self.code_record(child_table, dict(child), file, parent={pk: rid}, src=child, source=source)

    def anchor_all(self, table: str, rid: str, quotes: object, where: str, file: str, source: str | None) -> list[Anchor]:
        """A per-source record quotes its own source (`evidence:` a list); a registry record groups its quotes
        by the source they come from (`evidence: {<source_id>: [...]}`)."""
        if source is not None:
            return self.anchor_quotes(table, rid, quotes, where, file, source)
        if quotes == []:
            return []
        if not isinstance(quotes, dict):
            raise BuildError("'evidence' of a registry record must map each source id to its quotes",
                             f"Write `evidence: {{{next(iter(self.seeds))}: [...]}}`: the registry is shared by all sources.",
                             where=where)
        anchors: list[Anchor] = []
        for sid, items in quotes.items():
            if sid not in self.seeds:
                raise BuildError(f"evidence cites unknown source {sid!r}", f"Sources are: {', '.join(self.seeds)}.",
                                 where=f"{file}:{quotes.lines.get(sid, 0)}" if hasattr(quotes, "lines") else where)
            anchors += self.anchor_quotes(table, rid, items, where, file, sid, first=len(anchors) + 1)
        return anchors

    def anchor_quotes(self, table: str, rid: str, quotes: object, where: str, file: str, source: str,
                      first: int = 1) -> list[Anchor]:
        if not isinstance(quotes, list):
            raise BuildError("'evidence' must be a list of quotes", where=where)
        seed, anchors = self.seeds[source], []
        for i, item in enumerate(quotes):
            n = first + i
            quote, fld = (item.get("quote"), item.get("field", "")) if isinstance(item, dict) else (item, "")
            if fld and fld not in field_names(self.root, table):
                raise BuildError(f"evidence {n} supports unknown field {fld!r}", where=where)
            a = anchor(seed.text, self.units[source], quote, f"{where} evidence {n} ({source})")
            anchors.append(a)
            line = quotes.lines[i] if hasattr(quotes, "lines") else 0
            self.out.origins[("evidence", f"{table}/{rid}/{n}")] = Origin(file, line)
            self.out.evidence.append({
                "evidence_id": f"{table}/{rid}/{n}", "source_id": source, "table_name": table, "record_id": rid,
                "field": fld, "quote": a.quote, "start": str(a.start), "end": str(a.end), "unit_id": a.unit_id,
            })
        return anchors

    def check_source_text(self, table: str, rec: dict, anchors: list[Anchor], where: str) -> None:
        for name in source_text_fields(self.root, table):
            value = cell(rec.get(name))
            for fragment in filter(None, value.split(FRAGMENT_SEPARATOR)):
                if not any(fragment in a.quote for a in anchors):
                    raise BuildError(f"field {name} = {fragment!r} is not words of the record's evidence quotes",
                                     "Use the article's exact wording, or add the quote that contains it.", where=where)


def code(root: Path, seeds: dict[str, Seed], units: dict[str, list[Unit]], tables: tuple[str, ...]) -> Coded:
    """Code every annotation file of the project's tables; fails on the first record that cannot be anchored."""
    return Coder(root, seeds, units, tables).code_all()
