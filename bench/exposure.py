"""Time the exposure model: (a) a year's band, (b) a synthetic population.

(a) ``exposure_band`` for a year of 4 doses a day (1460 doses, every 6 h with a little jitter)
    on an hourly grid (8761 points), over the published half-life sweep. Target: median <= 20 ms.
(b) ``simulate_population`` for 10,000 people over 90 days. Target: median <= 2 s.

Medians of several runs, measured with time.perf_counter after one warm-up run (which loads the
data files and numpy's code paths).

Run: .venv/bin/python bench/exposure.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from mitra.domain import exposure

TARGET_BAND_MS = 20.0
TARGET_POPULATION_S = 2.0


def median_seconds(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21, help="runs of (a); (b) uses a third")
    args = parser.parse_args()

    rng = np.random.default_rng(2026)
    times = np.arange(365 * 4) * 6.0 + rng.uniform(-1.0, 1.0, 365 * 4)
    doses = rng.lognormal(np.log(25.4), 0.3, times.size)
    grid = np.arange(0.0, 365 * 24 + 1.0)

    band = median_seconds(lambda: exposure.exposure_band(times, doses, grid), args.runs)
    print(
        f"(a) exposure band, {times.size} doses x {grid.size} hourly points x "
        f"{len(exposure.default_params().half_lives_for_band)} half-lives: "
        f"median {band * 1000:.2f} ms (target <= {TARGET_BAND_MS:g} ms) "
        f"{'OK' if band * 1000 <= TARGET_BAND_MS else 'SLOW'}"
    )

    population = median_seconds(
        lambda: exposure.simulate_population(10_000, 90, np.random.default_rng(7)),
        max(3, args.runs // 3),
    )
    print(
        f"(b) population, 10,000 people x 90 days: median {population:.3f} s "
        f"(target <= {TARGET_POPULATION_S:g} s) "
        f"{'OK' if population <= TARGET_POPULATION_S else 'SLOW'}"
    )


if __name__ == "__main__":
    main()
