"""Plain-text tables and lines that the command line prints."""

from __future__ import annotations

from collections.abc import Sequence

from .evaluation import METRIC_LABELS
from .money import format_money

__all__ = ["format_table", "metrics_table", "format_metric"]

_MONEY_METRICS = ("rmse", "mae", "median_ae")


def format_metric(name: str, value: float | None, currency: str) -> str:
    """Format one metric: money for error sizes, a percentage for MAPE, 4 decimals otherwise."""
    if value is None:
        return "n/a"
    if name in _MONEY_METRICS:
        return format_money(value, currency)
    if name == "mape":
        return f"{100 * value:.2f}%"
    return f"{value:.4f}"


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [str(row[0]).ljust(widths[0])] + [str(cell).rjust(width) for cell, width in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def metrics_table(columns: dict[str, dict], currency: str, names: Sequence[str] = ("rmse", "mae", "r2", "mape", "rmsle")) -> str:
    """Tabulate metric blocks side by side: one row per metric, one column per block."""
    header = ["metric", *columns]
    rows = [[METRIC_LABELS[name], *(format_metric(name, block.get(name), currency) for block in columns.values())]
            for name in names]
    return format_table(header, rows)
