"""Assemble datapackage.json from the dataset metadata, the Table Schemas and the built CSV bytes."""

from __future__ import annotations

from pathlib import Path

from banjska.build.layout import METADATA, SCHEMAS, table_names
from banjska.build.source import Seed, load_yaml
from banjska.files import sha256

DP_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"


def load_metadata(root: Path) -> dict:
    return load_yaml(root / METADATA)


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


def descriptor(meta: dict, seed: Seed, csvs: dict[str, bytes]) -> dict:
    """The package contract: metadata, one resource per table, and the article itself."""
    raw = seed.path.read_bytes()
    article = {
        "name": "article",
        "path": seed.meta["path"],
        "format": "txt",
        "mediatype": "text/plain",
        "encoding": "utf-8",
        "bytes": len(raw),
        "hash": f"sha256:{sha256(raw)}",
        "description": meta["article"],
    }
    tables = [resource(t, f"data/{t}.csv", csvs[t], meta["tables"][t]) for t in table_names(meta)]
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
        "sources": meta["sources"],
        "resources": tables + [article],
    }
