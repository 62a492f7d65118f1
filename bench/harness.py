"""What every benchmark shares: the context it runs in, its result, the table and the JSON.

A benchmark module `bench/bench_<name>.py` exposes `run(ctx: Context) -> list[Result]`.
The machine is noisy, so a result carries all its samples, and a comparison carries
baseline samples measured in the same run (interleaved, where the module can): the
ratio is median(ours) / median(baseline), never a comparison with an old run.
"""
import json
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Context:
    parcels: int  # BENCH_PARCELS: size of generated data sets
    repeat: int  # BENCH_REPEAT: samples per measurement
    database: str  # name of the benchmark database (never the demo database)
    # BENCH_SCALE_PARCELS: the size the issues name for the hot paths (a million parcels:
    # vector tiles, the parcel API, reconciliation); those benchmarks run at this size.
    scale_parcels: int = 1_000_000

    def at_scale(self) -> "Context":
        return replace(self, parcels=self.scale_parcels)


@dataclass
class Result:
    name: str
    unit: str  # unit of the samples: "s", "ms", "req/s", ...
    samples: list[float]
    baseline_samples: list[float] | None = None
    extra: dict = field(default_factory=dict)
    goal: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_samples) if self.baseline_samples else None

    @property
    def baseline_p95(self) -> float | None:
        return percentile(self.baseline_samples, 95) if self.baseline_samples else None

    @property
    def ratio(self) -> float | None:
        """median(ours) / median(baseline): below 1 is faster for times."""
        base = self.baseline_median
        return self.median / base if base else None

    def as_dict(self) -> dict:
        return {**asdict(self), "n": len(self.samples), "median": self.median, "p95": self.p95,
                "baseline_median": self.baseline_median, "baseline_p95": self.baseline_p95,
                "ratio": self.ratio}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with few samples, p95 is the largest one."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "–"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"{text} {unit}".strip()


COLUMNS = ("name", "n", "median", "p95", "base median", "base p95", "ratio", "goal")


def table(results: list[Result]) -> str:
    rows = [COLUMNS] + [
        (r.name, str(len(r.samples)), _number(r.median, r.unit), _number(r.p95, r.unit),
         _number(r.baseline_median, r.unit), _number(r.baseline_p95, r.unit),
         f"{r.ratio:.2f}x" if r.ratio is not None else "–", r.goal)
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    numeric = {1, 2, 3, 4, 5, 6}
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.rjust(w) if i in numeric else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(results: list[Result], ctx: Context, started: datetime,
               directory: Path = RESULTS_DIR, errors: dict[str, str] | None = None) -> Path:
    """Write <UTC timestamp>.json and latest.json; return the timestamped path."""
    finished = datetime.now(UTC)
    document = {
        "started_at": started.isoformat(), "finished_at": finished.isoformat(),
        "context": asdict(ctx),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
        "results": [r.as_dict() for r in results],
        "errors": errors or {},
    }
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False, default=str)
    path = directory / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(text, encoding="utf-8")
    (directory / "latest.json").write_text(text, encoding="utf-8")
    return path
