"""The codebook's timeline figure: every event and statement on one date axis, as deterministic PNG bytes.

Why this exists: the date fields (date / date_start / date_end with date_precision) are easier to grasp
drawn than read. Each row is one event or statement; how a row is drawn follows its date_precision:
a dot for `day`, a bar for `span`, an arrow reaching back from date_end for `before`, an arrow running
on from date_start for `after`, and a hollow marker in the "undated" column for `unknown`.
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
    precision: str
    date: dt.date | None
    start: dt.date | None
    end: dt.date | None


def _value(v):
    import pandas as pd

    return None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v


def rows_from(tables: dict) -> list[Row]:
    """One Row per event, then one per statement (speaker in the label), in table order."""
    out = []
    for kind, table, key in (("event", "events", "event_id"), ("statement", "statements", "statement_id")):
        frame = tables[table]
        for rec in frame.to_dict("records"):
            label = str(rec[key])
            if kind == "statement":
                label += f"  ({rec['speaker_actor_id']})"
            out.append(Row(kind, label, str(_value(rec["date_precision"]) or "unknown"),
                           _value(rec["date"]), _value(rec["date_start"]), _value(rec["date_end"])))
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
            y = n - 1 - i
            colour = EVENT_COLOUR if r.kind == "event" else STATEMENT_COLOUR
            ax.axhline(y, color="#eeeeee", linewidth=0.6, zorder=0)
            if r.precision == "day" and (r.date or r.start):
                ax.plot([mdates.date2num(r.date or r.start)], [y], "o", color=colour, markersize=7)
            elif r.precision == "span" and r.start and r.end:
                ax.plot([mdates.date2num(r.start), mdates.date2num(r.end)], [y, y], "-", color=colour,
                        linewidth=5, solid_capstyle="butt")
                ax.plot([mdates.date2num(r.start), mdates.date2num(r.end)], [y, y], "|", color=colour, markersize=11)
            elif r.precision == "before" and r.end:
                x = mdates.date2num(r.end)
                ax.plot([lo + 0.2, x], [y, y], "-", color=colour, linewidth=1.6)
                ax.plot([lo + 0.2], [y], "<", color=colour, markersize=7)
                ax.plot([x], [y], "o", color=colour, markersize=5)
            elif r.precision == "after" and r.start:
                x = mdates.date2num(r.start)
                ax.plot([x, hi - 0.2], [y, y], "-", color=colour, linewidth=1.6)
                ax.plot([hi - 0.2], [y], ">", color=colour, markersize=7)
                ax.plot([x], [y], "o", color=colour, markersize=5)
            else:
                ax.plot([undated_x], [y], "o", markerfacecolor="white", markeredgecolor=colour, markersize=7)
        ax.axvline(hi + 0.5, color="#999999", linestyle="--", linewidth=0.8)
        ax.set_xlim(lo, hi + 2.5)
        ax.set_ylim(-0.8, n - 0.2)
        ax.set_yticks(range(n))
        ax.set_yticklabels([r.label for r in reversed(rows)])
        for tick, r in zip(ax.get_yticklabels(), reversed(rows), strict=True):
            tick.set_color(EVENT_COLOUR if r.kind == "event" else STATEMENT_COLOUR)
        ticks = [lo + k for k in range(int(hi - lo) + 1)]
        ax.set_xticks(ticks + [undated_x])
        ax.set_xticklabels([mdates.num2date(t).strftime("%d %b") for t in ticks] + ["undated"], rotation=0)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        year = f" {first.year}" if first.year == last.year else ""
        ax.set_title(f"Events (blue) and statements (red) by date{year}, drawn by date_precision")
        legend = [
            Line2D([], [], marker="o", linestyle="", color="#444444", label="day: known day"),
            Line2D([], [], linewidth=5, color="#444444", label="span: between date_start and date_end"),
            Line2D([], [], marker="<", color="#444444", label="before: on or before date_end"),
            Line2D([], [], marker=">", color="#444444", label="after: on or after date_start"),
            Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#444444",
                   label="unknown: no temporal expression"),
        ]
        ax.legend(handles=legend, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, frameon=False, fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
