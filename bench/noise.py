"""Noise: every figure of `make bench` is the median of several runs, kept with its spread.

``summarise`` turns the runs of one measurement into one result: each named
figure becomes the median over the runs, with ``<figure>_spread`` = [min, max]
beside it, and the runs themselves under ``runs``. ``fmt`` prints a figure as
"median (min–max)". ``machine`` describes the machine the figures come from,
with the load average, so a figure from a busy minute can be told apart.
"""

import os
import platform
import statistics
from collections.abc import Callable, Sequence

REPEATS = 3


def summarise(runs: Sequence[dict], figures: Sequence[str]) -> dict:
    """The last run's other fields, each figure as the median over ``runs`` with its spread."""
    if not runs:
        raise ValueError("no runs to summarise")
    result = dict(runs[-1])
    for name in figures:
        values = [run[name] for run in runs]
        middle = statistics.median(values)
        result[name] = round(middle, 2) if isinstance(middle, float) else middle
        result[f"{name}_spread"] = [min(values), max(values)]
    result["repeats"] = len(runs)
    result["runs"] = [{name: run[name] for name in figures if name in run} for run in runs]
    return result


def repeat(measure: Callable[[], dict], times: int, figures: Sequence[str]) -> dict:
    return summarise([measure() for _ in range(times)], figures)


def fmt(result: dict, name: str, digits: int = 1) -> str:
    """ "67.2 (65.1–70.3)": the median and the spread of one figure."""
    value = result.get(name)
    if value is None:
        return "n/a"
    low, high = result.get(f"{name}_spread", [value, value])
    if low == high:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}f} ({low:.{digits}f}–{high:.{digits}f})"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine(database: str, *, load_before: list[float]) -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": database,
        "load_avg_before": load_before,  # 1, 5 and 15 minutes, when the run started
        "load_avg_after": load_average(),
    }
