"""Rules a Table Schema cannot express, registered by a dataset, run by the generic engine.

The engine knows no dataset. A dataset ships a `RuleSet` (its cross-field and cross-table rules, and
the file conventions it holds itself to) and registers it under the package name it applies to, in the
`banjska.rules` entry-point group of its distribution's metadata:

    [project.entry-points."banjska.rules"]
    my-dataset = "my_dataset.rules:RULESET"

`make-data validate` then applies it to every package whose descriptor carries that `name`. Each rule
is a vectorised function over the parsed tables returning a boolean mask (True = the row passes); its
one-line docstring is the error message users see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points

from banjska.report import Issue

GROUP = "banjska.rules"


@dataclass(frozen=True)
class Rule:
    table: str
    column: str | None  # None: the table's primary key
    fn: Callable
    needs: tuple[str, ...]
    hint: str


@dataclass
class RuleSet:
    """One dataset's rules: row rules per (table, column), text-cell rules applied to every string column,
    a package-level `prepare(ctx) -> issues` (run before the checks, e.g. to register key references),
    and the file conventions the dataset holds itself to."""

    name: str
    rules: list[Rule] = field(default_factory=list)
    text_rules: list[tuple[Callable, str]] = field(default_factory=list)  # (fn(td, column) -> mask, hint)
    prepare: Callable | None = None
    no_bom: bool = False            # a UTF-8 byte-order mark is an error
    lf_only: bool = False           # any carriage return is an error
    no_empty_tables: bool = False   # a header-only table is an error

    def rule(self, table: str, column: str | None, needs: tuple[str, ...] = (), hint: str = ""):
        """Decorator: register `fn(ctx) -> mask` as a rule on `table.column`."""
        def register(fn):
            self.rules.append(Rule(table, column, fn, needs or (table,), hint))
            return fn
        return register

    def text_rule(self, hint: str):
        """Decorator: register `fn(td, column) -> mask` for every string column of every table."""
        def register(fn):
            self.text_rules.append((fn, hint))
            return fn
        return register


def ruleset_for(descriptor: dict) -> RuleSet | None:
    """The rule set registered for the package's `name`, if any (entry-point group `banjska.rules`)."""
    name = descriptor.get("name")
    if not isinstance(name, str):
        return None
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            found = ep.load()
            return found if isinstance(found, RuleSet) else None
    return None


def registered(descriptor: dict) -> bool:
    """Whether a rule set is registered for the package's `name` (its module is not imported)."""
    name = descriptor.get("name")
    return isinstance(name, str) and any(ep.name == name for ep in entry_points(group=GROUP))


def file_issues(ruleset: RuleSet | None, table: str, file: str, data) -> list[Issue]:
    """The rule set's byte-level file conventions (BOM, line ends)."""
    if ruleset is None:
        return []
    issues = []
    if ruleset.no_bom and data[:3] == b"\xef\xbb\xbf":
        issues.append(Issue(table, "encoding-error", "the file starts with a byte-order mark", file=file, line=1,
                            hint="Save as UTF-8 without BOM (make-data build writes it so)."))
    cr = data.find(b"\r") if ruleset.lf_only else -1
    if cr >= 0:
        line = data[:cr].count(b"\n") + 1
        issues.append(Issue(table, "format-error", "carriage return (CRLF or CR line end) found", file=file, line=line,
                            hint="Use LF line ends only."))
    return issues


def rule_checks(ruleset: RuleSet, ctx) -> tuple[dict[str, dict[str, list]], list[Issue]]:
    """Checks per table and column for every applicable rule, plus package-level issues."""
    from banjska.validate.checks import make_check

    issues = list(ruleset.prepare(ctx) or []) if ruleset.prepare else []
    extra: dict[str, dict[str, list]] = {}
    complete = {name for name, td in ctx.tables.items() if all(f["name"] in td.parsed for f in td.schema["fields"])}
    for r in ruleset.rules:
        # A rule runs only on tables whose header matches the schema; header errors are reported already.
        if not all(t in complete for t in r.needs):
            continue
        column = r.column or _first_key_field(ctx.tables[r.table].schema)
        if column is None:
            continue
        check = make_check(f"dataset:{r.fn.__name__}", r.fn, _guard(r, ctx), r.hint)
        extra.setdefault(r.table, {}).setdefault(column, []).append(check)
    for td in ctx.tables.values():
        for column, checks in text_checks(ruleset, td).items():
            extra.setdefault(td.name, {}).setdefault(column, []).extend(checks)
    return extra, issues


def text_checks(ruleset: RuleSet, td) -> dict[str, list]:
    """The rule set's text-cell rules as checks on every string column of one table (or one batch of it)."""
    from banjska.validate.checks import make_check

    out: dict[str, list] = {}
    for fn, hint in ruleset.text_rules:
        for f in td.schema["fields"]:
            if f.get("type", "string") == "string" and f["name"] in td.columns:
                check = make_check(f"dataset:{fn.__name__}", fn, lambda fn=fn, n=f["name"]: fn(td, n), hint)
                out.setdefault(f["name"], []).append(check)
    return out


def needs_whole(ruleset: RuleSet | None) -> set[str]:
    """Tables the rule set's row rules read whole (they cannot be validated in batches)."""
    return {t for r in ruleset.rules for t in r.needs} if ruleset is not None else set()


def _first_key_field(schema: dict) -> str | None:
    key = schema.get("primaryKey")
    key = [key] if isinstance(key, str) else key
    return key[0] if isinstance(key, list) and key and isinstance(key[0], str) else None


def _guard(r: Rule, ctx):
    def run():
        try:
            return r.fn(ctx)
        except KeyError:  # a column the rule needs is absent: the header check already reports it
            return True
    return run
