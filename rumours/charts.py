"""The coach board's timeline: how often each club was mentioned, period by period.

Pure geometry with no database and no drawing: counts per rumour and day go
in, rows of dots with positions come out, and the template draws them as an
inline SVG (so dates are localised there, and no chart library or script is
needed). Coordinates are whole numbers so no locale's decimal comma can ever
reach an SVG attribute.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

RIGHT_PAD = 18
TOP_PAD = 8
ROW_HEIGHT = 34
AXIS_HEIGHT = 30
MAX_ROWS = 6
# Beyond 16 weeks of news, weekly dots get too small to read: count by month.
WEEKLY_UP_TO_DAYS = 16 * 7
# Old news stays in the evidence lists; the chart shows the last two years.
MAX_MONTHS = 24


@dataclass(frozen=True)
class Layout:
    """Size of the drawing: a wide one for desktops, a narrow one whose text stays legible
    when a phone shrinks it to 300 pixels."""

    width: int
    label_width: int
    max_ticks: int
    label_chars: int


WIDE = Layout(width=880, label_width=140, max_ticks=6, label_chars=18)
NARROW = Layout(width=460, label_width=136, max_ticks=3, label_chars=11)


@dataclass(frozen=True)
class Dot:
    """Mentions of one club in one period: a circle whose area follows the count."""

    x: int
    r: int
    mentions: int
    start: date


@dataclass(frozen=True)
class Row:
    """One club's line of dots; kind colours it like the rumour's card."""

    rumour_id: int
    label: str
    full_label: str
    kind: str
    y: int
    total: int
    first: date
    last: date
    dots: tuple[Dot, ...]


@dataclass(frozen=True)
class Tick:
    x: int
    start: date


@dataclass(frozen=True)
class Timeline:
    """Everything the template needs to draw and describe the chart."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    axis_y: int
    by_month: bool
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    hidden_clubs: int
    start: date
    end: date


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _periods(first: date, last: date, by_month: bool) -> list[date]:
    periods, current = [], first
    while current <= last:
        periods.append(current)
        current = _next_month(current) if by_month else current + timedelta(days=7)
    return periods


def _shorten(label: str, chars: int) -> str:
    return label if len(label) <= chars else label[: chars - 1].rstrip() + "…"


def mentions_timeline(
    counts: Iterable[Mapping], *, max_rows: int = MAX_ROWS, layout: Layout = WIDE
) -> Timeline | None:
    """Lay out mentions per club over time; None when there is nothing to draw.

    counts holds rows like EvidenceQuerySet.mentions_per_day() gives:
    rumour_id, club_name, kind, day (a date) and mentions. The most
    mentioned clubs get a row each (max_rows at most); hidden_clubs says how
    many were left out.
    """
    per_rumour: dict[int, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    about: dict[int, tuple[str, str]] = {}
    for row in counts:
        if row["day"] is None:
            continue
        per_rumour[row["rumour_id"]][row["day"]] += row["mentions"]
        about[row["rumour_id"]] = (row["club_name"], row["kind"])
    if not per_rumour:
        return None

    last_day = max(max(days) for days in per_rumour.values())
    window_start = _months_back(_month(last_day), MAX_MONTHS - 1)
    for days in per_rumour.values():
        for day in [day for day in days if day < window_start]:
            del days[day]
    totals = {rumour_id: sum(days.values()) for rumour_id, days in per_rumour.items() if days}
    shown = sorted(totals, key=lambda rumour_id: (-totals[rumour_id], about[rumour_id][0]))
    hidden_clubs = max(len(shown) - max_rows, 0)
    shown = shown[:max_rows]

    first_day = min(min(per_rumour[rumour_id]) for rumour_id in shown)
    last_day = max(max(per_rumour[rumour_id]) for rumour_id in shown)
    by_month = (last_day - first_day).days > WEEKLY_UP_TO_DAYS
    period_of = _month if by_month else _week
    periods = _periods(period_of(first_day), period_of(last_day), by_month)
    index = {period: position for position, period in enumerate(periods)}

    width = layout.width
    plot_left, plot_right = layout.label_width + 8, width - RIGHT_PAD
    column = (plot_right - plot_left) / len(periods)
    max_radius = max(3, min(ROW_HEIGHT // 2 - 3, int(column * 0.7)))

    def x_of(position: int) -> int:
        return round(plot_left + (position + 0.5) * column)

    binned: dict[int, dict[date, int]] = {}
    for rumour_id in shown:
        bins: dict[date, int] = defaultdict(int)
        for day, mentions in per_rumour[rumour_id].items():
            bins[period_of(day)] += mentions
        binned[rumour_id] = bins
    busiest = max(max(bins.values()) for bins in binned.values())

    rows = []
    for position, rumour_id in enumerate(shown):
        club_name, kind = about[rumour_id]
        dots = tuple(
            Dot(
                x=x_of(index[period]),
                r=max(3, round(max_radius * math.sqrt(mentions / busiest))),
                mentions=mentions,
                start=period,
            )
            for period, mentions in sorted(binned[rumour_id].items())
        )
        days = per_rumour[rumour_id]
        rows.append(
            Row(
                rumour_id=rumour_id,
                label=_shorten(club_name, layout.label_chars),
                full_label=club_name,
                kind=kind,
                y=TOP_PAD + position * ROW_HEIGHT + ROW_HEIGHT // 2,
                total=totals[rumour_id],
                first=min(days),
                last=max(days),
                dots=dots,
            )
        )

    step = math.ceil(len(periods) / layout.max_ticks)
    ticks = tuple(Tick(x=x_of(i), start=periods[i]) for i in range(0, len(periods), step))
    axis_y = TOP_PAD + len(rows) * ROW_HEIGHT + 4
    return Timeline(
        width=width,
        height=axis_y + AXIS_HEIGHT,
        plot_left=plot_left,
        plot_right=plot_right,
        axis_y=axis_y,
        by_month=by_month,
        rows=tuple(rows),
        ticks=ticks,
        hidden_clubs=hidden_clubs,
        start=first_day,
        end=last_day,
    )
