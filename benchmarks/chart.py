"""The benchmark's per-call comparison as an SVG bar chart, for docs/performance.md.

``python benchmarks/run.py --chart docs/assets/benchmark.svg`` writes it: for
each operation, the median microseconds per call of botocore's floor, of
kmsmock and of moto (where moto implements it), on one log scale, since moto
is up to a hundred times slower. Plain SVG, written by hand: no plotting
library is needed to read or to make it.
"""

from __future__ import annotations

import math
from html import escape
from pathlib import Path

__all__ = ["COLOURS", "write_chart"]

COLOURS = {"floor": "#9e9e9e", "kmsmock": "#3f51b5", "moto": "#ef6c00"}
"""The colour of each series (the floor is grey: it is the boundary, not a mock)."""

_ROW, _BAR, _LABEL, _PLOT, _TOP = 46, 12, 290, 560, 60


def _x(microseconds: float, low: float, high: float) -> float:
    """Where a value sits on the log axis, in pixels from the plot's left edge."""
    return _PLOT * (math.log10(microseconds) - low) / (high - low)


def write_chart(path: str | Path, rows: list[tuple[str, dict[str, float]]], title: str) -> None:
    """Write the chart of ``rows``: (operation, {series: median µs per call}) each."""
    values = [value for _, series in rows for value in series.values() if value > 0]
    low = math.floor(math.log10(min(values)))
    high = math.ceil(math.log10(max(values)))
    width, height = _LABEL + _PLOT + 40, _TOP + _ROW * len(rows) + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="10" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for n, (name, colour) in enumerate(COLOURS.items()):
        x = 10 + n * 110
        parts.append(f'<rect x="{x}" y="34" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17}" y="44">{name}</text>')
    for power in range(low, high + 1):
        x = _LABEL + _x(10**power, low, high)
        bottom = _TOP + _ROW * len(rows)
        parts.append(
            f'<line x1="{x:.1f}" y1="{_TOP - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{10**power:g} µs</text>'
        )
    for row, (operation, series) in enumerate(rows):
        top = _TOP + row * _ROW
        parts.append(
            f'<text x="{_LABEL - 8}" y="{top + 22}" text-anchor="end">{escape(operation)}</text>'
        )
        for n, (name, colour) in enumerate(COLOURS.items()):
            value = series.get(name)
            if not value:
                continue
            y = top + 4 + n * (_BAR + 1)
            length = max(_x(value, low, high), 1.0)
            parts.append(
                f'<rect x="{_LABEL}" y="{y}" width="{length:.1f}" height="{_BAR}" fill="{colour}">'
                f"<title>{escape(operation)}, {name}: {value:,.0f} µs</title></rect>"
            )
            parts.append(
                f'<text x="{_LABEL + length + 4:.1f}" y="{y + _BAR - 2}" font-size="10">'
                f"{value:,.0f}</text>"
            )
    parts.append(
        f'<text x="{_LABEL}" y="{height - 8}" fill="#555">Median µs per call, log scale. '
        "Written by benchmarks/run.py --chart.</text>"
    )
    parts.append("</svg>")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text("\n".join(parts) + "\n", encoding="utf-8")
