"""The codebook's record listings: every event and statement in a line each, and the intercoder tables.

Why this exists: a reader of the codebook should see the data itself, not only its fields: when each event
and statement happened (best estimate, basis and hard bounds), who acted or spoke, what, and the article's
words. The rows come from the loaded tables (banjska.load), so the listing cannot drift from the data.
Tables or fields a package lacks are skipped.
"""

from __future__ import annotations

from collections import defaultdict


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value)
    return "" if text in ("<NA>", "NaT", "nan") else text


def _rows(tables: dict, name: str) -> list[dict]:
    frame = tables.get(name)
    return [] if frame is None else frame.to_dict("records")


def _quotes(tables: dict) -> dict[tuple[str, str], str]:
    """(table, record_id) -> the record's first quote that supports it as a whole (else its first quote)."""
    out: dict[tuple[str, str], str] = {}
    whole: set[tuple[str, str]] = set()
    for ev in _rows(tables, "evidence"):
        ident = (_text(ev.get("table_name")), _text(ev.get("record_id")))
        if ident in whole:
            continue
        if not _text(ev.get("field")):
            out[ident] = _text(ev.get("quote"))
            whole.add(ident)
        else:
            out.setdefault(ident, _text(ev.get("quote")))
    return out


def _links(tables: dict, table: str, parent: str, child: str, role: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for row in _rows(tables, table):
        out[_text(row.get(parent))].append(f"{_text(row.get(child))} ({_text(row.get(role))})")
    return out


def when(row: dict) -> tuple[str, str]:
    """The best estimate with its basis and precision, and the hard bounds, as two short texts."""
    date, tp, basis = _text(row.get("date")), _text(row.get("time_precision")), _text(row.get("date_basis"))
    best = date + (f" ({basis}" + (f", precision {tp}" if tp else "") + ")" if basis or tp else "")
    lo, hi = _text(row.get("date_start")), _text(row.get("date_end"))
    bounds = "none" if not lo and not hi else lo if lo == hi else f"{lo or 'open'} to {hi or 'open'}"
    return best or "undated", bounds


def events(tables: dict, esc, code) -> list[str]:
    rows = _rows(tables, "events")
    if not rows:
        return []
    quotes, actors = _quotes(tables), _links(tables, "event_actors", "event_id", "actor_id", "role")
    places = _links(tables, "event_places", "event_id", "place_id", "relation")
    out = ["### Events", "", "| best-estimate date | hard bounds | event | status | reported by | actors | places | "
           "ACLED / CAMEO | the article |", "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (_text(r.get("date")), _text(r.get("event_id")))):
        key = _text(r.get("event_id"))
        best, bounds = when(r)
        acled = " / ".join(x for x in (_text(r.get("acled_event_type")), _text(r.get("acled_sub_event_type"))) if x)
        codes = "; ".join(x for x in (acled, f"CAMEO {_text(r.get('cameo_code'))}" if _text(r.get("cameo_code")) else "") if x)
        out.append(f"| {esc(best)} | {esc(bounds)} | {code(key)}: {esc(r.get('description'))} | {esc(r.get('event_status'))} | "
                   f"{esc(_text(r.get('reported_by_actor_id')))} | {esc(', '.join(actors.get(key, [])))} | "
                   f"{esc(', '.join(places.get(key, [])))} | {esc(codes)} | \"{esc(quotes.get(('events', key), ''))}\" |")
    return out + [""]


def statements(tables: dict, esc, code) -> list[str]:
    rows = _rows(tables, "statements")
    if not rows:
        return []
    quotes, actors = _quotes(tables), _links(tables, "statement_actors", "statement_id", "actor_id", "role")
    out = ["### Statements", "", "| best-estimate date | hard bounds | statement | speaker (relay) | act (CAMEO) | "
           "channel | to / about | event | the article |", "|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (_text(r.get("date")), _text(r.get("statement_id")))):
        key = _text(r.get("statement_id"))
        best, bounds = when(r)
        relay = _text(r.get("reported_by_actor_id"))
        speaker = _text(r.get("speaker_actor_id")) + (f" (via {relay})" if relay else "")
        act = _text(r.get("speech_act")) + (f" ({_text(r.get('cameo_code'))})" if _text(r.get("cameo_code")) else "")
        out.append(f"| {esc(best)} | {esc(bounds)} | {code(key)} | {esc(speaker)} | {esc(act)} | {esc(r.get('channel'))} | "
                   f"{esc(', '.join(actors.get(key, [])))} | {esc(_text(r.get('event_id')))} | "
                   f"\"{esc(quotes.get(('statements', key), ''))}\" |")
    return out + [""]


def agreement(tables: dict, esc, code) -> list[str]:
    rows, disagreements = _rows(tables, "intercoder_agreement"), _rows(tables, "intercoder_disagreements")
    if not rows:
        return []
    out = ["## Intercoder agreement", "",
           "Two coders coded the article independently: the first coding is release 1.0.0, the second a blind coding "
           "from the article, the schemas and the coding rules only. Per field: the records both coded, how many "
           "agree, percent agreement and Cohen's kappa (empty when undefined). `(record)` rows count whether both "
           "coders coded a record at all. Every disagreement is listed below with the value this release keeps and "
           "why ([`intercoder_agreement`](#table-intercoder-agreement), "
           "[`intercoder_disagreements`](#table-intercoder-disagreements)).", "",
           "| aspect | table | field | compared | agreed | only first | only second | % agreement | kappa |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        out.append(" | ".join(["", esc(r.get("aspect")), code(_text(r.get("table_name"))), code(_text(r.get("field"))),
                               *(esc(_text(r.get(k))) for k in ("records_compared", "records_agreed", "records_first_only",
                                                                 "records_second_only", "percent_agreement", "cohen_kappa")),
                               ""]).strip())
    if disagreements:
        settled = defaultdict(int)
        for d in disagreements:
            settled[_text(d.get("settled_by"))] += 1
        summary = ", ".join(f"{n} by the {k} coder's value" if k in ("first", "second") else f"{n} {k}"
                            for k, n in sorted(settled.items()))
        out += ["", f"{len(disagreements)} disagreements, settled: {summary}.", "",
                "| table | record | field | first coder | second coder | final | reason |", "|---|---|---|---|---|---|---|"]
        out += [f"| {code(_text(d.get('table_name')))} | {code(_text(d.get('record_key')))} | {code(_text(d.get('field')))} | "
                f"{esc(_text(d.get('first_value')))} | {esc(_text(d.get('second_value')))} | {esc(_text(d.get('final_value')))} | "
                f"{esc(_text(d.get('reason')))} |" for d in disagreements]
    return out + [""]


def _count(best: str, low: str, high: str) -> str:
    """A death count with its bounds: '5', '7 (7 to open)', '' when none is given."""
    if not (best or low or high):
        return ""
    if low == best == high:
        return best
    return f"{best or '?'} ({low or 'open'} to {high or 'open'})"


def sources(tables: dict, esc, code) -> list[str]:
    """The sources, then per event its estimates across sources and each source's claim."""
    srcs, claims, estimates = _rows(tables, "sources"), _rows(tables, "claims"), _rows(tables, "event_estimates")
    if not srcs:
        return []
    units = defaultdict(int)
    for u in _rows(tables, "units"):
        units[_text(u.get("source_id"))] += 1
    out = ["## Sources and claims", "",
           "| source | title | published (earliest to latest) | language | sentences | text |", "|---|---|---|---|---|---|"]
    for s in srcs:
        sid = _text(s.get("source_id"))
        published = " to ".join(dict.fromkeys(x for x in (_text(s.get("publication_date_earliest")),
                                                            _text(s.get("publication_date_latest"))) if x)) or "unknown"
        out.append(f"| {code(sid)} | {esc(_text(s.get('title')) or 'unknown')} | {esc(published)} | "
                   f"{esc(_text(s.get('language')))} | {units[sid]} | {code(_text(s.get('path')))} |")
    if estimates:
        by_event = defaultdict(list)
        for c in claims:
            by_event[_text(c.get("event_id"))].append(c)
        out += ["", "Per event, the estimates across its sources ([`event_estimates`](#table-event-estimates): best, "
                "then low to high) and what each source claims ([`claims`](#table-claims)); the rule is the coding rule "
                "*Sources, claims and estimates*.", "",
                "| event | sources | date: best (low to high) | deaths: best (low to high) | claims |", "|---|---|---|---|---|"]
        for e in estimates:
            eid = _text(e.get("event_id"))
            date = _text(e.get("date_best"))
            span = f"{_text(e.get('date_low')) or 'open'} to {_text(e.get('date_high')) or 'open'}"
            deaths = _count(*(_text(e.get(k)) for k in ("fatalities_best", "fatalities_low", "fatalities_high")))
            each = "; ".join(f"{code(_text(c.get('source_id')))}: {esc(_text(c.get('date')) or 'no date')}"
                             + (f", {esc(dead)} dead" if (dead := _count(*(_text(c.get(k)) for k in (
                                 "fatalities", "fatalities_low", "fatalities_high")))) else "")
                             for c in by_event.get(eid, []))
            out.append(f"| {code(eid)} | {esc(_text(e.get('sources')))} | {esc(date or 'none')} ({esc(span)}) | "
                       f"{esc(deaths or 'none given')} | {each} |")
    return out + [""]
