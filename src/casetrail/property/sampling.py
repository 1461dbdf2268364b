"""How many of a location's ordinary items a stock-take counts, and what that count proves.

Discovery sampling without replacement: if ``ceil(rate * N)`` of the ``N`` items were missing,
the chance that a random sample of ``n`` finds none of them is the hypergeometric

    P(0) = prod_{i=0}^{n-1} (N - D - i) / (N - i)

and the sample is the smallest ``n`` with ``1 - P(0) >= confidence``. A sample that finds every
item it looked for therefore says: "with this confidence, fewer than ``rate`` of the items are
missing". High-risk items are never sampled (they are all counted).
"""

from __future__ import annotations

import math

DEFAULT_RATE = 0.05
DEFAULT_CONFIDENCE = 0.95


def missing_at_rate(population: int, rate: float) -> int:
    return min(population, max(1, math.ceil(rate * population))) if population else 0


def detection(population: int, sample: int, rate: float) -> float:
    """The chance a random sample of ``sample`` items finds at least one missing item, if the
    share ``rate`` of ``population`` were missing."""
    if population == 0:
        return 1.0
    sample = min(sample, population)
    defects = missing_at_rate(population, rate)
    none_found = 1.0
    for i in range(sample):
        if population - defects - i <= 0:
            return 1.0
        none_found *= (population - defects - i) / (population - i)
    return 1.0 - none_found


def sample_size(
    population: int, *, rate: float = DEFAULT_RATE, confidence: float = DEFAULT_CONFIDENCE
) -> int:
    """The smallest sample that finds a loss of ``rate`` with ``confidence`` (all when small)."""
    if not 0 < rate <= 1 or not 0 < confidence < 1:
        raise ValueError("rate in (0, 1] and confidence in (0, 1)")
    defects = missing_at_rate(population, rate)
    none_found = 1.0
    for n in range(1, population + 1):
        i = n - 1
        if population - defects - i <= 0:
            return n
        none_found *= (population - defects - i) / (population - i)
        if 1.0 - none_found >= confidence:
            return n
    return population
