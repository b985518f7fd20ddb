"""Small random draws on top of `random.Random` (kept stdlib-only so bytes never change with numpy).

Each source gets its own generator seeded from (seed, source name), so adding a draw in one source
does not shift every other source's data.
"""
from __future__ import annotations

import math
import random


def source_rng(seed: int, source: str) -> random.Random:
    # String seeds are hashed with SHA-512 by random.seed: stable across runs and PYTHONHASHSEED.
    return random.Random(f"kpi-demo/{seed}/{source}")


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean < 30:
        limit, k, p = math.exp(-mean), 0, 1.0
        while True:
            p *= rng.random()
            if p <= limit:
                return k
            k += 1
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def binomial(rng: random.Random, n: int, p: float) -> int:
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    if n < 40:
        return sum(1 for _ in range(n) if rng.random() < p)
    x = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, x))


def jitter(rng: random.Random, sigma: float) -> float:
    """A multiplicative factor around 1 (log-normal), for over-dispersed daily volumes."""
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def centred(values: list[float], weights: list[float], target: float) -> list[float]:
    """Shift values so their weighted mean is exactly target (keeps designed city-wide figures)."""
    total = sum(weights)
    if total <= 0:
        return values
    shift = target - sum(v * w for v, w in zip(values, weights)) / total
    return [v + shift for v in values]
