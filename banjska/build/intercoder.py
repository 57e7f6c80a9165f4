"""Intercoder agreement: compare two independent codings of the same source and check the reconciliation.

Why this exists: careful event-coding projects code a source twice, blind, and publish how often the
coders agreed, field by field, and how each disagreement was settled. A project opts in with
`coding/intercoder.yaml`, which names the two codings (directories of annotation-format YAML files), how
the second coder's ids map to the first coder's (`align`), which fields to compare (`compare`), and the
reconciliation file, where every disagreement has the final value and the reason. The build then emits two
tables, `intercoder_agreement` (per field: records compared, agreed, percent, Cohen's kappa) and
`intercoder_disagreements` (each disagreement with both values, the final value and the reason), and fails
while a disagreement has no reason or a recorded final value is not the value in the data.

Values are compared as text after trimming; missing and empty are the same. A record one coder has and
the other lacks is a disagreement on the pseudo-field `(record)`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from banjska.build.source import Mapping, Sequence, load_yaml
from banjska.errors import BuildError

CONFIG = "coding/intercoder.yaml"
RECORD = "(record)"
ABSENT = "(absent)"
PRESENT = "(present)"


@dataclass(frozen=True)
class Comparison:
    aspect: str
    table: str
    key: tuple[str, ...]
    fields: tuple[str, ...]
    nested: tuple[str, str, str] | None  # (parent table, list key in the parent, parent's key field)


def _text(value: object) -> str:
    text = "" if value is None else str(value).strip()
    return text.lower() if text.lower() in ("true", "false") else text


def _need(doc: object, name: str, kind: type, where: str):
    value = doc.get(name) if isinstance(doc, dict) else None
    if not isinstance(value, kind):
        raise BuildError(f"'{name}' must be a {'mapping' if kind is dict else 'list' if kind is list else 'text'}",
                         f"See {CONFIG} in the README's intercoder section.", where=where)
    return value


def load_config(root: Path) -> dict | None:
    path = root / CONFIG
    if not path.is_file():
        return None
    doc = load_yaml(path, CONFIG)
    for name, kind in (("first", str), ("second", str), ("reconciliation", str), ("align", dict),
                       ("references", dict), ("compare", list)):
        _need(doc, name, kind, CONFIG)
    return doc


def comparisons(cfg: dict) -> list[Comparison]:
    out = []
    for i, item in enumerate(cfg["compare"]):
        where = f"{CONFIG}:{cfg['compare'].lines[i]}"
        key = _need(item, "key", list, where)
        nested = item.get("nested")
        if nested is not None and not (isinstance(nested, list) and len(nested) == 3):
            raise BuildError("'nested' must be [parent table, list key, parent key field]", where=where)
        out.append(Comparison(_need(item, "aspect", str, where), _need(item, "table", str, where), tuple(key),
                              tuple(_need(item, "fields", list, where)), tuple(nested) if nested else None))
    return out


def read_coding(root: Path, folder: str, comp: Comparison) -> list[dict]:
    """The table's records in one coding: its own file, else the lists nested in the parent's records."""
    own = root / folder / f"{comp.table}.yaml"
    if own.is_file() or comp.nested is None:
        return list(_records(root, f"{folder}/{comp.table}.yaml"))
    parent, list_key, parent_key = comp.nested
    out = []
    for rec in _records(root, f"{folder}/{parent}.yaml"):
        for child in rec.get(list_key) or []:
            if isinstance(child, dict):
                out.append({parent_key: rec.get(parent_key), **child})
    return out


def _records(root: Path, label: str) -> Sequence:
    doc = load_yaml(root / label, label)
    if not isinstance(doc, dict) or not isinstance(doc.get("records"), list):
        raise BuildError("expected a mapping with a 'records:' list", where=label)
    return doc["records"]


class Aligner:
    """Maps the second coder's ids onto the first coder's, per referenced table."""

    def __init__(self, cfg: dict):
        self.align = {t: {str(k): _text(v) for k, v in m.items()} for t, m in cfg["align"].items()}
        self.references = {str(k): str(v) for k, v in cfg["references"].items()}

    def value(self, field_name: str, value: str) -> str:
        table = self.references.get(field_name)
        if table is None or not value:
            return value
        return self.align.get(table, {}).get(value, f"[second coder: {value}]")


def keyed(records: list[dict], comp: Comparison, aligner: Aligner | None) -> dict[str, dict[str, str]]:
    """Records by their key (key fields joined by '--'), values as text, second coder's ids aligned."""
    out = {}
    for rec in records:
        row = {name: _text(rec.get(name)) for name in set(comp.key) | set(comp.fields)}
        if aligner:
            row = {name: aligner.value(name, value) for name, value in row.items()}
        out["--".join(row[k] for k in comp.key)] = row
    return out


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa for nominal codes; None when chance agreement is 1 (both coders used one code)."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in first) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


@dataclass
class Disagreement:
    comp: Comparison
    key: str
    field: str
    first: str
    second: str


def compare(root: Path, cfg: dict) -> tuple[list[dict[str, str]], list[Disagreement]]:
    """Per-field agreement rows and every disagreement, in config order."""
    aligner = Aligner(cfg)
    rows, found, seen = [], [], set()
    for comp in comparisons(cfg):
        first = keyed(read_coding(root, cfg["first"], comp), comp, None)
        second = keyed(read_coding(root, cfg["second"], comp), comp, aligner)
        both = [k for k in first if k in second]
        only_first = [k for k in first if k not in second]
        only_second = [k for k in second if k not in first]
        if comp.table not in seen:  # a table compared in several aspects counts its records once
            seen.add(comp.table)
            found += [Disagreement(comp, k, RECORD, PRESENT, ABSENT) for k in only_first]
            found += [Disagreement(comp, k, RECORD, ABSENT, PRESENT) for k in only_second]
            union = len(both) + len(only_first) + len(only_second)
            rows.append(_agreement_row(comp, RECORD, union, len(both), len(only_first), len(only_second), None))
        for name in comp.fields:
            pairs = [(first[k][name], second[k][name]) for k in both]
            found += [Disagreement(comp, k, name, a, b) for k, (a, b) in zip(both, pairs, strict=True) if a != b]
            agreed = sum(a == b for a, b in pairs)
            rows.append(_agreement_row(comp, name, len(pairs), agreed, len(only_first), len(only_second),
                                       cohen_kappa(pairs)))
    return rows, found


def _agreement_row(comp: Comparison, name: str, compared: int, agreed: int, only_first: int, only_second: int,
                   kappa: float | None) -> dict[str, str]:
    return {"agreement_id": f"{comp.table}/{name}", "aspect": comp.aspect, "table_name": comp.table, "field": name,
            "records_compared": str(compared),
            "records_agreed": str(agreed), "records_first_only": str(only_first),
            "records_second_only": str(only_second),
            "percent_agreement": str(round(100 * agreed / compared, 1)) if compared else "",
            "cohen_kappa": "" if kappa is None else str(round(kappa, 3) + 0.0)}  # + 0.0: no "-0.0"


@dataclass
class Resolution:
    final: str
    reason: str
    where: str


def load_reconciliation(root: Path, cfg: dict) -> dict[tuple[str, str, str], Resolution]:
    """(table, key, field) -> the recorded final value and reason. An entry may list several keys and
    give several fields (`final: {field: value}`) with one reason."""
    label = cfg["reconciliation"]
    out = {}
    records = _records(root, label)
    for i, rec in enumerate(records):
        where = f"{label}:{records.lines[i]}"
        if not isinstance(rec, Mapping):
            raise BuildError("an entry must be a mapping", where=where)
        table, reason = _need(rec, "table", str, where), _need(rec, "reason", str, where)
        keys = rec.get("key")
        keys = [keys] if isinstance(keys, str) else keys
        final = _need(rec, "final", dict, where)
        if not isinstance(keys, list) or not keys or not reason.strip():
            raise BuildError("an entry needs a key (or a list of keys) and a reason", where=where)
        for key in keys:
            for name, value in final.items():
                at = f"{label}:{final.lines.get(name, records.lines[i])}"
                if (table, str(key), name) in out:
                    raise BuildError(f"{table} {key} {name} is reconciled twice", "Keep one entry.", where=at)
                out[(table, str(key), name)] = Resolution(_text(value), reason.strip(), at)
    return out


def final_values(rows: dict[str, list[dict[str, str]]], comp: Comparison) -> dict[str, dict[str, str]]:
    """The built data's rows of the compared table, by their key."""
    return {"--".join(row.get(k, "") for k in comp.key): row for row in rows.get(comp.table, [])}


def final_value(built: dict[str, dict[str, str]], key: str, name: str) -> str:
    """The value in the built data (ABSENT/PRESENT for the record itself)."""
    row = built.get(key)
    if row is None:
        return ABSENT
    return PRESENT if name == RECORD else _text(row.get(name))


def resolve(rows: dict[str, list[dict[str, str]]], found: list[Disagreement],
            recorded: dict[tuple[str, str, str], Resolution]) -> list[dict[str, str]]:
    """One row per disagreement with its final value and reason; fails on a missing or stale entry."""
    out, used, built = [], set(), {}
    for d in found:
        if d.comp not in built:
            built[d.comp] = final_values(rows, d.comp)
        ident = (d.comp.table, d.key, d.field)
        res = recorded.get(ident)
        if res is None:
            raise BuildError(f"disagreement without a reason: {d.comp.table} {d.key} {d.field}: first coder "
                             f"{d.first!r}, second coder {d.second!r}",
                             f"Add an entry to the reconciliation file (see {CONFIG}) with the final value and why.")
        actual = final_value(built[d.comp], d.key, d.field)
        if actual != res.final:
            raise BuildError(f"{d.comp.table} {d.key} {d.field}: the reconciliation records final value "
                             f"{res.final!r} but the data has {actual!r}",
                             "Correct the annotation or the reconciliation entry.", where=res.where)
        used.add(ident)
        settled = "first" if res.final == d.first else "second" if res.final == d.second else "revised"
        out.append({"disagreement_id": f"{d.comp.table}/{d.key}/{d.field}", "aspect": d.comp.aspect,
                    "table_name": d.comp.table, "record_key": d.key, "field": d.field, "first_value": d.first,
                    "second_value": d.second, "final_value": res.final, "settled_by": settled, "reason": res.reason})
    stale = [r for ident, r in recorded.items() if ident not in used]
    if stale:
        raise BuildError("a reconciliation entry matches no disagreement", "Remove it, or correct its key or field.",
                         where=stale[0].where)
    return out


def tables(root: Path, rows: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """The two intercoder tables, or nothing when the project has no coding/intercoder.yaml."""
    cfg = load_config(root)
    if cfg is None:
        return {}
    agreement, found = compare(root, cfg)
    return {"intercoder_agreement": agreement,
            "intercoder_disagreements": resolve(rows, found, load_reconciliation(root, cfg))}
