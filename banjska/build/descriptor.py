"""Assemble datapackage.json from the dataset metadata, the Table Schemas and the built CSV bytes."""

from __future__ import annotations

from pathlib import Path

import jsonschema

from banjska.build.layout import METADATA, METADATA_SCHEMA, SCHEMAS, table_names
from banjska.build.schemas import read_json
from banjska.build.source import Mapping, Seed, Sequence, load_yaml
from banjska.errors import BuildError
from banjska.files import sha256

DP_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"


# What YAML 1.1 would have made of an unquoted value (the resolver's tag), for the "quote it" message.
YAML_TYPES = {"int": "a number", "float": "a number", "bool": "a boolean", "null": "null (no value)",
              "timestamp": "a date"}


def load_metadata(root: Path) -> dict:
    """Read metadata/dataset.yaml and check it against metadata/dataset.schema.json (see check_metadata)."""
    meta = load_yaml(root / METADATA, METADATA)
    check_metadata(meta, read_json(root / METADATA_SCHEMA))
    return meta


def line_at(doc: object, path: tuple) -> int:
    """The line of the deepest node of `path` that the document records (1 when none)."""
    line, node = getattr(doc, "line", 1) or 1, doc
    for step in path:
        known = (isinstance(node, Mapping) and step in node.lines
                 or isinstance(node, Sequence) and isinstance(step, int) and step < len(node.lines))
        if not known:
            break
        line, node = node.lines[step], node[step]
    return line


def dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "(top level)"


def schema_problems(meta: object, schema: dict) -> list[tuple[int, tuple, str]]:
    """(line, path, message) for every way the metadata breaks its JSON Schema."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    found = []
    for err in validator.iter_errors(meta):
        path = tuple(err.absolute_path)
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else ""
            found.append((line_at(meta, path), path + (missing,), "is required but missing"))
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - allowed):
                found.append((line_at(meta, path + (key,)), path + (key,),
                              f"unknown key (known keys: {', '.join(sorted(allowed))})"))
        elif err.validator == "pattern" and err.schema.get("description"):
            found.append((line_at(meta, path), path, f"{err.instance!r} is not valid: {err.schema['description']}"))
        else:
            found.append((line_at(meta, path), path, err.message))
    return found


def unquoted_values(node: object, path: tuple = ()) -> list[tuple[int, tuple, str, str]]:
    """(line, path, text, YAML 1.1 type) of every plain scalar YAML 1.1 would not read as text."""
    found = []
    if isinstance(node, Mapping):
        found += [(node.lines[k], path + (k,), node[k], t) for k, t in node.typed.items()]
        for k, v in node.items():
            found += unquoted_values(v, path + (k,))
    elif isinstance(node, Sequence):
        found += [(node.lines[i], path + (i,), node[i], t) for i, t in node.typed.items()]
        for i, v in enumerate(node):
            found += unquoted_values(v, path + (i,))
    return found


def check_metadata(meta: object, schema: dict) -> None:
    """Refuse metadata that breaks its JSON Schema, or that writes a number, boolean, date or null unquoted.

    Every scalar is read as text (build.source), so `version: 1.10` stays "1.10" and `title: 5` stays "5";
    but the same file read by any other YAML tool (CITATION.cff tooling, a maintainer's script) would give
    the number 1.1 or 5. Metadata is package-level text, so such values must be quoted.
    """
    typed = unquoted_values(meta)
    unquoted = {path: tag for _, path, _, tag in typed}
    problems = [(line, path, msg + (f" (unquoted: YAML reads it as {YAML_TYPES.get(unquoted[path], unquoted[path])})"
                                    if path in unquoted else ""))
                for line, path, msg in schema_problems(meta, schema)]
    covered = [p for _, p, _ in problems]
    for line, path, text, tag in typed:
        if any(path[:len(c)] == c for c in covered):
            continue  # already wrong for the schema: one message per value
        what = YAML_TYPES.get(tag, tag)
        shown = text if text else "(empty)"
        problems.append((line, path, f"{shown} is unquoted and YAML reads it as {what}, not text: quote it"
                         + (f' ("{text}")' if text else "")))
    if problems:
        problems.sort(key=lambda p: p[0])
        msgs = [f"{dotted(path)}: {msg}" for _, path, msg in problems]
        rest = "; ".join(f"{METADATA}:{line}: {m}" for (line, _, _), m in zip(problems[1:], msgs[1:], strict=True))
        raise BuildError(msgs[0] + (f"; and {rest}" if rest else ""),
                         f"Correct it as {METADATA_SCHEMA} describes; quote values that must stay text.",
                         where=f"{METADATA}:{problems[0][0]}")


def resource(name: str, path: str, data: bytes, description: str) -> dict:
    """A tabular resource that both v1 readers (profile) and v2 readers (type) recognise."""
    return {
        "name": name,
        "type": "table",
        "profile": "tabular-data-resource",
        "path": path,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(data),
        "hash": f"sha256:{sha256(data)}",
        "description": description,
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": f"{SCHEMAS}/{name}.schema.json",
    }


TEXT_RESOURCE = "article-{source_id}"  # the name of a source's text resource


def article_resource(seed: Seed, description: str) -> dict:
    raw = seed.path.read_bytes()
    return {
        "name": TEXT_RESOURCE.format(source_id=seed.source_id),
        "path": seed.meta["path"],
        "format": "txt",
        "mediatype": "text/plain",
        "encoding": "utf-8",
        "bytes": len(raw),
        "hash": f"sha256:{sha256(raw)}",
        "description": description,
    }


def descriptor(meta: dict, seeds: list[Seed], csvs: dict[str, bytes]) -> dict:
    """The package contract: metadata, one resource per table, and each source's text (listed among the
    package's sources before the references the coding follows)."""
    tables = [resource(t, f"data/{t}.csv", csvs[t], meta["tables"][t]) for t in table_names(meta)]
    articles = [article_resource(s, meta["article"]) for s in seeds]
    cited = [{"title": s.meta.get("title") or s.source_id, "path": s.meta["path"]} for s in seeds]
    return {
        "$schema": DP_V2,
        "name": meta["name"],
        "title": meta["title"],
        "description": meta["description"],
        "version": meta["version"],
        "created": meta["created"],
        "keywords": meta["keywords"],
        "licenses": meta["licenses"],
        "sourceTextNote": meta["source_text_note"],
        "contributors": meta["contributors"],
        "sources": cited + list(meta["sources"]),
        **({"codingRules": meta["coding_rules"]} if meta.get("coding_rules") else {}),
        "resources": tables + articles,
    }
