"""Generate the human-readable codebook (Markdown + HTML + timeline figure) from the package itself.

Why this exists: a person reading the data needs every table and field with its type, constraints and
allowed values with their definitions (ACLED / CAMEO labels), and how evidence, precision, qualifiers
and enrichment work. All of that is already written once, in datapackage.json and the Table Schemas
(`description`, `constraints`, `categories` [{value, label}], `vocabulary`); this module only renders
it, so it can never drift from the data. Output bytes are deterministic (no timestamps; the figure is
rendered with fixed metadata), which lets a test compare the committed codebook with a fresh one.

The HTML page is self-contained: the figure is embedded as a data: URI, so it displays from a release
zip or an e-mail attachment as well as from docs/.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from banjska.consume import listing
from banjska.consume.load import enum_of, load
from banjska.consume.progress import Progress
from banjska.package.reader import Package, open_package

DOCS = "docs"
MARKDOWN = f"{DOCS}/codebook.md"
HTML = f"{DOCS}/codebook.html"
FIGURE = f"{DOCS}/timeline.png"
FIGURE_NAME = "timeline.png"


@dataclass
class Codebook:
    files: dict[str, bytes]  # repository-relative path -> bytes
    changed: list[str]


# --------------------------------------------------------------------------- Markdown helpers


def esc(text: object) -> str:
    """Plain text for a Markdown paragraph or table cell."""
    text = "" if text is None else str(text)
    for a, b in (("\\", "\\\\"), ("|", "\\|"), ("*", "\\*"), ("_", "\\_"), ("[", "\\["), ("<", "&lt;"),
                 ("`", "\\`"), ("\n", " ")):
        text = text.replace(a, b)
    return text


def code(text: object) -> str:
    text = str(text).replace("|", "\\|")
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def fields_by_name(schema: dict) -> dict[str, dict]:
    return {f["name"]: f for f in schema["fields"]}


def category_rows(fld: dict) -> list[str]:
    """A Markdown table of a field's allowed values and their definitions."""
    return ["| value | definition |", "|---|---|"] + [f"| {code(v)} | {esc(label)} |" for v, label in categories(fld)]


def described_values(schemas: dict, table: str, name: str) -> list[str]:
    """A coded field's description, then its values table (nothing if the field is absent)."""
    fld = fields_by_name(schemas.get(table, {"fields": []})).get(name)
    if not fld:
        return []
    return [f"{code(table + '.' + name)}: {esc(fld.get('description', ''))}", ""] + category_rows(fld) + [""]


def categories(fld: dict) -> list[tuple[object, str]]:
    """(value, label) pairs: the schema's categories, else the bare enum."""
    cats = fld.get("categories")
    if cats:
        return [(c["value"], c.get("label", "")) if isinstance(c, dict) else (c, "") for c in cats]
    return [(v, "") for v in enum_of(fld) or []]


def constraint_text(fld: dict) -> str:
    c = fld.get("constraints") or {}
    parts = []
    if c.get("unique"):
        parts.append("unique")
    for key, word in (("minimum", "≥"), ("exclusiveMinimum", ">"), ("maximum", "≤"), ("exclusiveMaximum", "<")):
        if key in c:
            parts.append(f"{word} {c[key]}")
    if "minLength" in c:
        parts.append(f"length ≥ {c['minLength']}")
    if "maxLength" in c:
        parts.append(f"length ≤ {c['maxLength']}")
    if "pattern" in c:
        parts.append(f"pattern {code(c['pattern'])}")
    if enum_of(fld):
        parts.append(f"one of {len(enum_of(fld))} values ([list](#{anchor_of(fld)}))")
    if isinstance(fld.get("vocabulary"), dict):
        v = fld["vocabulary"]
        parts.append(f"vocabulary {esc(v.get('name', ''))} ({esc(v.get('version', ''))})")
    if fld.get("sourceText"):
        parts.append("words of the article")
    return "; ".join(parts)


def anchor_of(fld: dict) -> str:
    return f"values-{fld['_table']}-{fld['name']}".replace("_", "-")


def value_table(fld: dict) -> list[str]:
    vocab = fld.get("vocabulary")
    source = f" ({esc(vocab.get('name'))}, {esc(vocab.get('version'))})" if vocab else ""
    return [f'<a id="{anchor_of(fld)}"></a>', "", f"**{code(fld['_table'] + '.' + fld['name'])}** allowed values{source}:",
            ""] + category_rows(fld) + [""]


def type_text(fld: dict) -> str:
    kind = fld.get("type", "any")
    fmt = fld.get("format")
    return kind + (f" ({fmt})" if fmt and fmt != "default" else "")


def fk_text(schema: dict, table: str) -> list[str]:
    out = []
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]
        target = ref.get("resource") or table
        src = ", ".join(fk["fields"]) if isinstance(fk["fields"], list) else fk["fields"]
        dst = ", ".join(ref["fields"]) if isinstance(ref["fields"], list) else ref["fields"]
        out.append(f"{code(src)} → [{code(target + '.' + dst)}](#table-{target.replace('_', '-')})")
    return out


# --------------------------------------------------------------------------- sections


def how_to_read(package: Package, tables: dict) -> list[str]:
    """Explain evidence, missing values, precision, qualifiers and enrichment, quoting the schemas' own definitions."""
    schemas = {r["name"]: package.schema(r) for r in package.table_resources()}
    ev = tables.get("evidence")
    out = ["## How to read the data", ""]

    out += ["### Evidence", "",
            "Every coded row is supported by one or more rows of [`evidence`](#table-evidence): an exact quote from a "
            "source (`source_id`) with its character offsets (`start`, `end`) into that source's text and the sentence "
            "([`units`](#table-units)) it lies in; `field` names the field a quote supports, when it supports one "
            "field rather than the whole record. The build fails unless every quote is found exactly once at its "
            "offsets, every field marked *words of the article* below is inside one of its record's quotes, and every "
            "sentence is cited or excused (`units.excuse_reason`).", ""]
    if ev is not None and len(ev):
        counts = Counter(str(t) for t in ev["table_name"])
        records = Counter(str(t) for t in ev.drop_duplicates(["table_name", "record_id"])["table_name"])
        out += ["| table | quotes | records cited |", "|---|---|---|"]
        out += [f"| {code(t)} | {counts[t]} | {records[t]} |" for t in sorted(counts)]
        out += [""]

    out += ["### Missing values", "",
            "An empty cell is a missing value, and only an empty cell (`missingValues: [\"\"]` in every schema). "
            "The text `NA` is text: read the CSVs with `keep_default_na=False` (pandas) or `na = \"\"` (readr), or "
            "use the loaders shown in the README.", ""]

    out += ["### Dates", "",
            "Every event and statement has a best-estimate day in `date`, with how precise it is in `time_precision` "
            "(ACLED's codes) and what it rests on in `date_basis`; the evidence row whose `field` is `date_basis` quotes "
            "the cue. Beside it stay the hard bounds, `date_start` and `date_end` (the earliest and latest day the text "
            "allows; empty = unbounded), whose shape is `date_precision`. The bounds come from recorded steps: "
            "`date_rule` turns the record's own temporal expression (`date_raw`) or a referenced event into bounds "
            "against `date_reference`, and `date_narrowing_rule` records a second constraint that narrows them. The "
            "validator recomputes the bounds from the steps, so the precision follows from the recorded basis. The "
            "same fields exist in [`events`](#table-events) and [`statements`](#table-statements).", ""]
    for table, name in (("events", "date_basis"), ("events", "time_precision"), ("events", "date_precision"),
                        ("events", "date_rule"), ("events", "date_narrowing_rule")):
        out += described_values(schemas, table, name)

    out += ["### Places, times and roles", ""]
    for table, name in (("events", "geo_precision"), ("event_places", "relation"), ("events", "time_qualifier"),
                        ("event_actors", "role"), ("statement_actors", "role")):
        out += described_values(schemas, table, name)

    out += ["### Qualifiers", "",
            "Uncertain numbers are kept as stated, with a qualifier instead of a guess: \"approximately 30\" is a "
            "number 30 with qualifier `approximately`; a range keeps its bounds in `count_low` / `count_high`; the "
            "article's own words stay in `count_raw`.", ""]
    for table, name in (("casualties", "qualifier"), ("event_actors", "size_qualifier")):
        out += described_values(schemas, table, name)

    out += ["### Enrichment", "",
            "Nothing from outside the article is mixed into the coded tables. Outside facts live in "
            "[`enrichment`](#table-enrichment), one row per fact, pointing at a record by `table_name` and "
            "`record_id`, each with its own `source_title` and `source_url`.", ""]
    out += described_values(schemas, "enrichment", "property")

    vocabs: dict[tuple[str, str], list[str]] = {}
    for table, schema in schemas.items():
        for f in schema["fields"]:
            if isinstance(f.get("vocabulary"), dict):
                key = (str(f["vocabulary"].get("name", "")), str(f["vocabulary"].get("version", "")))
                vocabs.setdefault(key, []).append(f"{table}.{f['name']}")
    if vocabs:
        out += ["### Vocabularies", "", "| vocabulary | version | fields |", "|---|---|---|"]
        out += [f"| {esc(n)} | {esc(v)} | {', '.join(code(x) for x in fs)} |" for (n, v), fs in vocabs.items()]
        out += [""]
    rules = package.descriptor.get("codingRules") or []
    if rules:
        out += ["### Coding rules", "", "The choices a coder makes the same way every time (from the package's "
                "`codingRules`):", ""]
        out += [f"- **{esc(r.get('topic', ''))}.** {esc(r.get('rule', ''))}" for r in rules if isinstance(r, dict)]
        out += [""]
    sources = package.descriptor.get("sources") or []
    if sources:
        out += ["Sources cited by the package:", ""]
        out += [f"- {esc(s.get('title', ''))}" + (f" — <{s['path']}>" if str(s.get("path", "")).startswith("http")
                                                   else f" — {code(s['path'])}" if s.get("path") else "")
                for s in sources] + [""]
    return out


def table_section(package: Package, resource: dict, rows: int) -> list[str]:
    name = resource["name"]
    schema = package.schema(resource)
    out = [f'<a id="table-{name.replace("_", "-")}"></a>', "", f"### {name}", "",
           esc(resource.get("description", "")), ""]
    meta = [f"File {code(resource.get('path'))}, schema {code(resource['schema']) if isinstance(resource.get('schema'), str) else 'inline'}, "
            f"{rows} row{'s' if rows != 1 else ''}.",
            f"Primary key: {', '.join(code(k) for k in schema.get('primaryKey', [])) or 'none'}."]
    fks = fk_text(schema, name)
    if fks:
        meta.append("Foreign keys: " + "; ".join(fks) + ".")
    out += [" ".join(meta), "", "| field | type | required | constraints | description |", "|---|---|---|---|---|"]
    enum_fields = []
    for f in schema["fields"]:
        f = dict(f, _table=name)
        required = "yes" if (f.get("constraints") or {}).get("required") else ""
        out.append(f"| {code(f['name'])} | {type_text(f)} | {required} | {constraint_text(f)} | "
                   f"{esc(f.get('description', ''))} |")
        if enum_of(f):
            enum_fields.append(f)
    out.append("")
    for f in enum_fields:
        out += value_table(f)
    return out


def render_markdown(package: Package, tables: dict) -> str:
    d = package.descriptor
    resources = package.table_resources()
    lines = [f"# Codebook: {esc(d.get('title', d.get('name', '')))}", "",
             f"Package {code(d.get('name', ''))}, version {esc(d.get('version', ''))}. "
             "Generated by `make-data codebook` from `datapackage.json` and `schemas/`: do not edit by hand.", "",
             esc(d.get("description", "")), ""]
    licences = "; ".join(esc(x.get("title") or x.get("name")) for x in d.get("licenses", []))
    if licences:
        lines += [f"Licence: {licences}. {esc(d.get('sourceTextNote', ''))}".rstrip(), ""]
    records = listing.events(tables, esc, code) + listing.statements(tables, esc, code)
    agreement = listing.agreement(tables, esc, code)
    claims = listing.sources(tables, esc, code)
    lines += ["## Contents", "", "- [How to read the data](#how-to-read-the-data)", "- [Timeline](#timeline)"]
    lines += ["- [Events and statements](#events-and-statements)"] if records else []
    lines += ["- [Sources and claims](#sources-and-claims)"] if claims else []
    lines += ["- [Intercoder agreement](#intercoder-agreement)"] if agreement else []
    lines += ["- [Tables](#tables)"]
    lines += [f"    - [{code(r['name'])}](#table-{r['name'].replace('_', '-')}): {esc(r.get('description', ''))}"
              for r in resources]
    lines += [""]
    lines += how_to_read(package, tables)
    n_ev = len(tables["events"]) if "events" in tables else 0
    n_st = len(tables["statements"]) if "statements" in tables else 0
    lines += ["## Timeline", "",
              f"![Timeline of the {n_ev} events and {n_st} statements by date]({FIGURE_NAME})", "",
              "One row per event (blue) and statement (red). The dot is the best-estimate `date`: filled when the hard "
              "bounds pin the day (`time_precision` 1), hollow for an estimate. Behind it, a pale bar spans the hard "
              "bounds when both are known; a bound open on one side is a bracket at the known bound with a dotted line "
              "running off the plot, never an end date.", ""]
    if records:
        lines += ["## Events and statements", "",
                  "Every event and statement, by best-estimate date: when (with `date_basis` and `time_precision`), the "
                  "hard bounds, who, what, and the article's words (the record's first quote).", ""] + records
    lines += claims
    lines += agreement
    lines += ["## Tables", ""]
    for r in resources:
        lines += table_section(package, r, len(tables[r["name"]]))
    return "\n".join(lines).rstrip() + "\n"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;margin:0;color:#1b1b1b;background:#fff}
main{max-width:78rem;margin:0 auto;padding:1.5rem 2rem 4rem}
h1{font-size:1.7rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}h3{margin-top:2rem}
table{border-collapse:collapse;margin:.6rem 0 1.2rem;font-size:.9rem}
th,td{border:1px solid #d0d0d0;padding:.25rem .5rem;vertical-align:top;text-align:left}
th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
code{background:#f2f2f2;padding:0 .2rem;border-radius:3px;font-size:.88em}
img{max-width:100%;height:auto;border:1px solid #e3e3e3}
"""


def render_html(markdown_text: str, title: str, figure: bytes) -> str:
    from banjska.extras import require

    markdown = require("markdown", "docs")
    body = markdown.markdown(markdown_text, extensions=["tables", "sane_lists"], output_format="html")
    data_uri = "data:image/png;base64," + base64.b64encode(figure).decode("ascii")
    body = body.replace(f'src="{FIGURE_NAME}"', f'src="{data_uri}"')
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>Codebook: {html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n")


def render(root: Path) -> dict[str, bytes]:
    """Every codebook file's bytes, computed in memory from the package at `root`."""
    from banjska.consume.timeline import render_png

    with Progress("codebook", total=3) as progress:
        progress.step("loading the package")
        tables = load(root)
        progress.step("drawing the timeline")
        figure = render_png(tables)
        progress.step("writing Markdown and HTML")
        with open_package(root) as package:
            md = render_markdown(package, tables)
            page = render_html(md, str(package.descriptor.get("title", "")), figure)
    return {MARKDOWN: md.encode("utf-8"), HTML: page.encode("utf-8"), FIGURE: figure}


def write(root: Path) -> Codebook:
    from banjska.files import write_all

    files = render(root)
    return Codebook(files, write_all(root, files))


def check(root: Path) -> tuple[Codebook, list[str]]:
    """Regenerate in memory and list every committed codebook file that differs or is missing."""
    files = render(root)
    differ = [rel + ("" if (root / rel).exists() else " (missing)") for rel, data in files.items()
              if not (root / rel).exists() or (root / rel).read_bytes() != data]
    return Codebook(files, []), differ
