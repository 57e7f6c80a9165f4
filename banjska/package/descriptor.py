"""Check a package descriptor: the official Data Package JSON-Schema profiles (structure and value types,
vendored in package/profiles/, checked with `jsonschema`), then the rules a JSON Schema cannot express
(names unique, keys and what they point at, patterns that compile, one-character CSV delimiters).

Which profile: the descriptor's own `$schema`, as frictionless-py 5.21 decides it
(`Metadata.effective_datapackage_version`): a datapackage.org profile URL `/profiles/<major>.<minor>/`
gives v1 or v2; no `$schema` is v1 (as the spec mandates; a legacy `profile` and v2-looking properties
such as a resource `type` do not change that); any other URL is "unknown", checked as the superset: the
descriptor passes if it passes v1 or v2, else v2's errors are reported. The version applies to the whole
tree (resources and their Table Schemas), like frictionless.

Every profile error is one Issue whose message starts with the JSON pointer of the offending value in
its file (datapackage.json, or the Table Schema file): `/keywords/0: 1 is not of type 'string'`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from banjska.report import Issue

# Table Schema field types (v1 and v2); package/types.py parses each of them.
KNOWN_TYPES = frozenset({"string", "integer", "number", "boolean", "year", "yearmonth", "date", "time", "datetime",
                         "object", "array", "list", "geopoint", "geojson", "duration", "any"})
DESCRIPTOR = "datapackage.json"
PROFILES = Path(__file__).with_name("profiles")
PROFILE_URL = "https://datapackage.org/profiles/{dir}/{name}.json"  # the URLs the profiles are published at
PROFILE_NAMES = ("datapackage", "dataresource", "tableschema", "tabledialect")
VERSION_DIRS = {"v1": "1.0", "v2": "2.0"}
# The published 2.0 profiles leave the v2 `list` field type out of the fields' oneOf (its definition is in the
# spec's dictionary): it is vendored apart, derived from that definition, and added back by $ref.
LIST_FIELD = PROFILE_URL.format(dir="2.0", name="tableschema-list-field")
MAX_MESSAGE = 300
HINT = "Fix {file}: see the Data Package {version} profile (https://datapackage.org/standard/)."


def _issue(table: str, message: str, file: str = DESCRIPTOR, hint: str = "Fix datapackage.json (or the schema file).") -> Issue:
    return Issue(table, "package-error", message, file=file, hint=hint)


# --- which profile ----------------------------------------------------------------------------------

def profile_version(descriptor: dict) -> str:
    """"v1", "v2" or "unknown" (a custom profile), from the descriptor's `$schema` as frictionless decides."""
    url = descriptor.get("$schema")
    if not url:
        return "v1"
    if not isinstance(url, str):
        return "v2"  # `$schema` is a v2 property: the v2 profile reports its type
    parsed = urlparse(url)
    match = re.search(r"/profiles/(\d+)\.\d+/", parsed.path)
    if parsed.netloc == "datapackage.org" and match and match.group(1) in ("1", "2"):
        return "v" + match.group(1)
    return "unknown"


# --- the validators, built once per process ----------------------------------------------------------

def _load(dir: str, name: str) -> dict:
    return json.loads((PROFILES / dir / f"{name}.json").read_text(encoding="utf-8"))


def _add_list_field(node) -> None:
    """Add the `list` field branch to every Table Schema fields' oneOf of a 2.0 profile."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and any(isinstance(b, dict) and b.get("title") == "Array Field" for b in branches):
            branches.append({"$ref": LIST_FIELD})
        for value in node.values():
            _add_list_field(value)
    elif isinstance(node, list):
        for value in node:
            _add_list_field(value)


@cache
def _registry():
    """Every vendored profile under the URL it is published at, so that any $ref between them resolves offline."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT7

    docs = {}
    for dir in VERSION_DIRS.values():
        for name in PROFILE_NAMES:
            doc = _load(dir, name)
            if dir == "2.0":
                _add_list_field(doc)
            docs[PROFILE_URL.format(dir=dir, name=name)] = doc
    docs[LIST_FIELD] = _load("2.0", "tableschema-list-field")
    return Registry().with_resources((url, DRAFT7.create_resource(doc)) for url, doc in docs.items())


@cache
def _validator_class():
    """Draft 7, with a faster and clearer oneOf for Table Schema fields: the branch is picked by the field's
    `type` (every branch fixes one type, and only the string branch, the default type, lets it be absent),
    so a field is checked against its own type's rules only. Same verdicts as the plain oneOf."""
    from jsonschema import Draft7Validator, ValidationError
    from jsonschema.validators import extend

    plain_one_of = Draft7Validator.VALIDATORS["oneOf"]
    registry = _registry()
    by_type: dict[int, dict | None] = {}

    def discriminator(branches: list) -> dict | None:
        key = id(branches)
        if key not in by_type:
            table = {}
            for index, branch in enumerate(branches):
                if isinstance(branch, dict) and set(branch) == {"$ref"}:
                    branch = registry.contents(branch["$ref"])
                enum = branch.get("properties", {}).get("type", {}).get("enum") if isinstance(branch, dict) else None
                if not (isinstance(enum, list) and len(enum) == 1 and isinstance(enum[0], str)) or enum[0] in table:
                    table = None
                    break
                table[enum[0]] = index
            by_type[key] = table if table and "string" in table else None
        return by_type[key]

    def one_of(validator, branches, instance, schema):
        table = discriminator(branches) if isinstance(instance, dict) else None
        if table is None:
            yield from plain_one_of(validator, branches, instance, schema)
            return
        kind = instance.get("type", "string")
        if not (isinstance(kind, str) and kind in table):
            yield ValidationError(f"{kind!r} is not one of {sorted(table)}", path=["type"], instance=kind,
                                  validator="enum", validator_value=sorted(table))
            return
        yield from validator.descend(instance, branches[table[kind]], schema_path=table[kind])

    return extend(Draft7Validator, {"oneOf": one_of})


@cache
def _validator(version: str, name: str):
    dir = VERSION_DIRS[version]
    url = PROFILE_URL.format(dir=dir, name=name)
    return _validator_class()(_registry().contents(url), registry=_registry())


# --- profile errors as issues --------------------------------------------------------------------------

def _pointer(path) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path) or "(root)"


def _message(error) -> str:
    text = error.message
    if error.validator in ("oneOf", "anyOf") and error.context:
        subs = sorted({(_pointer(e.relative_path) if e.relative_path else "") + (": " if e.relative_path else "")
                       + e.message for e in error.context})
        text = "not valid under any of the given schemas: " + "; ".join(subs)
    text = f"{_pointer(error.absolute_path)}: {text}"
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


WIDE_SCHEMA = 256  # a fields list longer than this is checked once per distinct field shape


def _field_shapes(fields: list) -> list[list[int]]:
    """The indices of a long fields list grouped by field definition, names set aside (the profiles only
    require a name to be a string); a field without a string name is a group of its own."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        ok = isinstance(f, dict) and isinstance(f.get("name"), str)
        key = json.dumps({**f, "name": ""}, sort_keys=True, default=str) if ok else f"#{i}"
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _reduce(instance, name: str) -> tuple[object, dict[tuple, list[list[int]]]]:
    """A copy of the document whose long fields lists hold one field per distinct shape, with how to map
    an error's path back: path prefix of the list -> members per representative."""
    if not isinstance(instance, dict):
        return instance, {}
    lists = []
    if name == "tableschema":
        lists.append(((), instance))
    else:
        for i, res in enumerate(instance.get("resources") or []):
            if isinstance(res, dict) and isinstance(res.get("schema"), dict):
                lists.append((("resources", i, "schema"), res["schema"]))
    mapping = {}
    for prefix, schema in lists:
        fields = schema.get("fields")
        if isinstance(fields, list) and len(fields) > WIDE_SCHEMA:
            members = _field_shapes(fields)
            if len(members) < len(fields):
                mapping[prefix + ("fields",)] = members
    if not mapping:
        return instance, {}
    reduced = json.loads(json.dumps(instance, default=str))
    for path, members in mapping.items():
        node = reduced
        for step in path[:-1]:
            node = node[step]
        node["fields"] = [node["fields"][m[0]] for m in members]
    return reduced, mapping


class _Located:
    """A profile error moved to one of the fields that share the failing field's shape."""

    def __init__(self, error, path: list):
        self.error, self.absolute_path = error, path
        self.message, self.validator, self.context = error.message, error.validator, error.context


def _expand(errors, mapping: dict[tuple, list[list[int]]]) -> list:
    out = []
    for e in errors:
        path = list(e.absolute_path)
        for prefix, members in mapping.items():
            n = len(prefix)
            if tuple(path[:n]) == prefix and len(path) > n and isinstance(path[n], int):
                out += [_Located(e, path[:n] + [i] + path[n + 1:]) for i in members[path[n]]]
                break
        else:
            out.append(e)
    return out


def _errors(instance, name: str, version: str) -> tuple[str, list]:
    """The profile errors of one document, sorted by path then message; the version they are against.
    A long fields list is checked once per distinct field definition and its errors are reported at
    every field with that definition (a 100,000-column schema would otherwise take seconds)."""
    reduced, mapping = _reduce(instance, name)

    def run(v):
        found = _expand(_validator(v, name).iter_errors(reduced), mapping)
        return sorted(found, key=lambda e: (_pointer(e.absolute_path), _message(e)))
    if version != "unknown":
        return version, run(version)
    errors = run("v2")
    return ("v2", errors) if errors and run("v1") else ("v2", [])


def profile_issues(descriptor: dict, schemas: dict[str, dict]) -> list[Issue]:
    """The official profile's errors for the descriptor and for every Table Schema read from its own file
    (`schemas`: resource name -> resolved schema; an inline schema is part of the descriptor's check)."""
    version = profile_version(descriptor)
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    names = [r.get("name") if isinstance(r, dict) and isinstance(r.get("name"), str) else "" for r in resources]
    out = []
    used, errors = _errors(descriptor, "datapackage", version)
    for error in errors:
        path = list(error.absolute_path)
        table = names[path[1]] if len(path) > 1 and path[0] == "resources" and isinstance(path[1], int) \
            and path[1] < len(names) else ""
        out.append(_issue(table, _message(error), hint=HINT.format(file=DESCRIPTOR, version=used)))
    for name, schema in schemas.items():
        file, at = schema_location(descriptor, name)
        if at:
            continue  # inline: checked with the descriptor
        used, errors = _errors(schema, "tableschema", version)
        out += [_issue(name, _message(e), file=file, hint=HINT.format(file=file, version=used)) for e in errors]
    return out


# --- what a JSON Schema cannot express ---------------------------------------------------------------

def _as_list(value) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def package_issues(descriptor: dict) -> list[Issue]:
    """Resource names unique; per resource: `bytes` not negative, CSV delimiter and quote one character."""
    out = []
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    resources = [r if isinstance(r, dict) else {} for r in resources]
    names = [r.get("name") for r in resources]
    seen: set = set()
    for i, name in enumerate(names):
        if isinstance(name, str) and name in seen:
            out.append(_issue(name, f"/resources/{i}/name: resource name {name!r} is used twice"))
        if isinstance(name, str):
            seen.add(name)
    for i, res in enumerate(resources):
        out += resource_issues(res, f"/resources/{i}")
    return out


def resource_issues(res: dict, at: str = "") -> list[Issue]:
    name = res.get("name") if isinstance(res.get("name"), str) else ""
    out = []
    size = res.get("bytes")
    if isinstance(size, int) and not isinstance(size, bool) and size < 0:
        out.append(_issue(name, f"{at}/bytes: 'bytes' must not be negative ({size})"))
    dialect = res.get("dialect")
    if isinstance(dialect, dict):
        for key in ("delimiter", "quoteChar"):
            if isinstance(dialect.get(key), str) and len(dialect[key]) != 1:
                out.append(_issue(name, f"{at}/dialect/{key}: dialect '{key}' must be one character ({dialect[key]!r})"))
    return out


def schema_location(descriptor: dict, table: str) -> tuple[str, str]:
    """Where a resource's Table Schema is: its file, and the JSON pointer of the schema in that file."""
    resources = descriptor.get("resources") if isinstance(descriptor.get("resources"), list) else []
    for i, res in enumerate(resources):
        if isinstance(res, dict) and res.get("name") == table:
            return (res["schema"], "") if isinstance(res.get("schema"), str) else (DESCRIPTOR, f"/resources/{i}/schema")
    return DESCRIPTOR, ""


def schema_issues(table: str, schema: dict, names: set[str], file: str = DESCRIPTOR, at: str = "") -> list[Issue]:
    """Field names unique, patterns that compile, keys naming fields that exist, foreign keys pointing at an
    existing resource with as many fields (the caller has checked 'fields' is a list of named objects; the
    types of everything else are the profile's business, so values of a wrong type are skipped here).
    `file` and `at`: where the schema is (schema_location), for the messages' JSON pointers."""
    def _issue(table, message):
        return Issue(table, "package-error", message, file=file, hint=f"Fix {file}.")

    out = []
    fields = [f["name"] for f in schema["fields"]]
    seen: set = set()
    for i, name in enumerate(fields):
        if name in seen:
            out.append(_issue(table, f"{at}/fields/{i}/name: field name {name!r} is used twice"))
        seen.add(name)
    for i, f in enumerate(schema["fields"]):
        cons = f.get("constraints")
        pattern = cons.get("pattern") if isinstance(cons, dict) else None
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                out.append(_issue(table, f"{at}/fields/{i}/constraints/pattern: field {f['name']!r}: pattern {pattern!r} is not a regular expression ({exc})"))
    keys = [("/primaryKey", schema["primaryKey"])] if "primaryKey" in schema else []
    uks = schema.get("uniqueKeys") if isinstance(schema.get("uniqueKeys"), list) else []
    keys += [(f"/uniqueKeys/{i}", uk) for i, uk in enumerate(uks)]
    for key, value in keys:
        cols = _as_list(value)
        if cols is not None and any(c not in fields for c in cols):
            out.append(_issue(table, f"{at}{key}: names a field that does not exist: {value!r}"))
    fks = schema.get("foreignKeys") if isinstance(schema.get("foreignKeys"), list) else []
    for i, fk in enumerate(fks):
        fk_at = f"{at}/foreignKeys/{i}"
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            continue
        cols, ref = _as_list(fk.get("fields")), fk["reference"]
        ref_cols = _as_list(ref.get("fields"))
        target = ref.get("resource") or table
        if cols is None or ref_cols is None or not isinstance(target, str):
            continue
        if any(c not in fields for c in cols):
            out.append(_issue(table, f"{fk_at}/fields: foreign key fields {fk.get('fields')!r} are not fields of {table}"))
        elif len(ref_cols) != len(cols):
            out.append(_issue(table, f"{fk_at}/reference/fields: foreign key {fk.get('fields')!r}: reference fields must match in number"))
        elif target not in names:
            out.append(_issue(table, f"{fk_at}/reference/resource: foreign key {fk.get('fields')!r} points at a resource {target!r} that does not exist"))
    return out
