"""The codebook's timeline figure: every event and statement on one date axis, as deterministic PNG bytes.

Why this exists: the date fields are easier to grasp drawn than read. Each row is one event or statement.
Its best-estimate `date` is a dot: filled when the hard bounds pin the day (time_precision 1, or
date_precision `day` in packages without time_precision), hollow when it is an estimate. The hard bounds
are drawn behind it: a bar between date_start and date_end when both are known; a bound that is open on
one side is a bracket at the known bound with a dotted line that runs off the edge of the plot, so it never
looks like an end date. A row without any date sits in the "undated" column.
Rendering uses matplotlib's Agg backend with fixed size, dpi, font and no Software/date metadata, so the
same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

EVENT_COLOUR = "#1f5fa8"
STATEMENT_COLOUR = "#c0392b"


@dataclass(frozen=True)
class Row:
    kind: str  # "event" or "statement"
    label: str
    date: dt.date | None
    exact: bool  # the hard bounds pin the day of `date`
    start: dt.date | None
    end: dt.date | None


def _value(v):
    import pandas as pd

    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def rows_from(tables: dict) -> list[Row]:
    """One Row per event, then one per statement (speaker in the label), in table order; a table the package
    lacks has no rows."""
    out = []
    for kind, table, key in (("event", "events", "event_id"), ("statement", "statements", "statement_id")):
        frame = tables.get(table)
        for rec in ([] if frame is None else frame.to_dict("records")):
            label = str(rec[key])
            if kind == "statement":
                label += f"  ({rec.get('speaker_actor_id', '')})"
            tp = _value(rec.get("time_precision"))
            exact = tp == 1 if tp is not None else str(_value(rec.get("date_precision"))) == "day"
            out.append(Row(kind, label, _value(rec.get("date")), exact, _value(rec.get("date_start")),
                           _value(rec.get("date_end"))))
    return out


def render_png(tables: dict) -> bytes:
    """Draw the timeline of `tables` (as returned by banjska.load) and return PNG bytes."""
    from banjska.extras import require

    matplotlib = require("matplotlib", "docs")
    matplotlib.use("Agg", force=False)
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    rows = rows_from(tables)
    dates = [d for r in rows for d in (r.date, r.start, r.end) if d is not None]
    undated = any(r.date is None for r in rows)
    first = min(dates) - dt.timedelta(days=2) if dates else dt.date(2000, 1, 1)
    last = max(dates) + dt.timedelta(days=2) if dates else dt.date(2000, 1, 8)
    lo, hi = mdates.date2num(first), mdates.date2num(last)
    undated_x = hi + 1.5

    with matplotlib.rc_context({"font.family": "DejaVu Sans", "font.size": 9, "svg.hashsalt": "banjska",
                                "path.simplify": False}):
        fig = Figure(figsize=(11, 0.32 * len(rows) + 1.8), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(1, 1, 1)
        n = len(rows)
        for i, r in enumerate(rows):
            _draw_row(ax, mdates, r, n - 1 - i, lo, hi + 0.5 if undated else hi + 1, undated_x)
        if undated:
            ax.axvline(hi + 0.5, color="#999999", linestyle="--", linewidth=0.8)
        ax.set_xlim(lo, hi + 2.5 if undated else hi)
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_yticks(range(n))
        ax.set_yticklabels([r.label for r in reversed(rows)])
        for tick, r in zip(ax.get_yticklabels(), reversed(rows), strict=True):
            tick.set_color(EVENT_COLOUR if r.kind == "event" else STATEMENT_COLOUR)
        ticks = [lo + k for k in range(int(hi - lo) + 1)]
        extra = [undated_x] if undated else []
        ax.set_xticks(ticks + extra)
        ax.set_xticklabels([mdates.num2date(t).strftime("%d %b") for t in ticks] + ["undated"] * len(extra), rotation=0)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        year = f" {first.year}" if first.year == last.year else ""
        ax.set_title(f"Events (blue) and statements (red) by best-estimate date{year}, with their hard bounds")
        legend = [
            Line2D([], [], marker="o", linestyle="", color="#444444", label="date, day known (time_precision 1)"),
            Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#444444",
                   label="date, best estimate (time_precision 2-3)"),
            Line2D([], [], linewidth=5, color="#bbbbbb", label="hard bounds date_start to date_end"),
            Line2D([], [], marker="|", linestyle=":", color="#444444", markersize=10,
                   label="one-sided bound: open beyond the plot"),
        ]
        ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, frameon=False, fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _draw_row(ax, mdates, r: Row, y: float, lo: float, right: float, undated_x: float) -> None:
    """One row: hard bounds behind, the best estimate in front (see the module docstring)."""
    colour = EVENT_COLOUR if r.kind == "event" else STATEMENT_COLOUR
    ax.axhline(y, color="#eeeeee", linewidth=0.6, zorder=0)
    start = mdates.date2num(r.start) if r.start else None
    end = mdates.date2num(r.end) if r.end else None
    if start is not None and end is not None and end > start:
        ax.plot([start, end], [y, y], "-", color=colour, alpha=0.3, linewidth=6, solid_capstyle="butt", zorder=1)
    elif start is not None and end is None:
        ax.plot([start, right], [y, y], ":", color=colour, linewidth=1.4, zorder=1, clip_on=True)
        ax.plot([start], [y], "|", color=colour, markersize=11, zorder=2)
    elif end is not None and start is None:
        ax.plot([lo - 1, end], [y, y], ":", color=colour, linewidth=1.4, zorder=1, clip_on=True)
        ax.plot([end], [y], "|", color=colour, markersize=11, zorder=2)
    if r.date is None:
        ax.plot([undated_x], [y], "x", color=colour, markersize=7, zorder=3)
    elif r.exact:
        ax.plot([mdates.date2num(r.date)], [y], "o", color=colour, markersize=7, zorder=3)
    else:
        ax.plot([mdates.date2num(r.date)], [y], "o", markerfacecolor="white", markeredgecolor=colour,
                markeredgewidth=1.6, markersize=7, zorder=3)
