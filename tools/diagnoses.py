"""How many diagnoses one mistake gets: the kit's mutants graded, failing checks counted.

Usage:
    python tools/diagnoses.py [-a a03_optimizers] [--verbose]

Each mutant in tests/variants is one realistic mistake. For each, the script
grades its assignment and counts the failing checks that give a diagnosis of
their own (not "builds on ...: fix that check first"), and whether the first
failing check names the mutant's concept. It prints the median count, the
share of mutants with more than 3, and the share whose first failure names the
concept, against the targets (median <= 2, at most 1 in 10 above 3, at least
9 in 10 named first); exit 1 when a target is missed. Not a test: the kit's
test tests/test_hints.py checks the same targets.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.engine.grading.isolation import configure_torch  # noqa: E402
from graders.engine.grading.outcomes import Outcome  # noqa: E402
from graders.engine.grading.pipeline import LiveReference, grade  # noqa: E402
from graders.engine.layout import DEFAULT_SEED, REFERENCE_DIR  # noqa: E402
from tests.support import Variant  # noqa: E402
from tests.variants import MUTANTS  # noqa: E402

MAX_MEDIAN = 2
MAX_SHARE_ABOVE_3 = 0.10
MIN_SHARE_NAMED_FIRST = 0.90


@dataclass
class Diagnosed:
    variant: Variant
    own: list[Outcome]  # failing checks with a diagnosis of their own
    named_first: bool  # the first failing check names the mistake's concept

    def line(self) -> str:
        first = "named first" if self.named_first else "NOT named first"
        return f"{len(self.own)} own diagnoses, {first}: {self.variant.id} ({', '.join(o.name for o in self.own)})"


def diagnose(variant: Variant, reference: LiveReference) -> Diagnosed:
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = grade(variant.build(Path(tmp)), [variant.assignment], reference=reference)
    failing = [o for o in outcomes if not o.passed]
    own = [o for o in failing if not o.blocked_by]
    named = bool(failing) and variant.concept.lower() in failing[0].message.lower()
    return Diagnosed(variant, own, named)


def measure(mutants: list[Variant]) -> list[Diagnosed]:
    configure_torch()
    reference = LiveReference(REFERENCE_DIR, DEFAULT_SEED)
    return [diagnose(v, reference) for v in mutants]


def summary(results: list[Diagnosed]) -> tuple[float, float, float]:
    """(median own diagnoses, share with more than 3, share whose first failure names the concept)."""
    counts = [len(r.own) for r in results]
    return (
        statistics.median(counts),
        sum(c > 3 for c in counts) / len(counts),
        sum(r.named_first for r in results) / len(results),
    )


def meets_targets(median: float, above: float, named: float) -> bool:
    return median <= MAX_MEDIAN and above <= MAX_SHARE_ABOVE_3 and named >= MIN_SHARE_NAMED_FIRST


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-a", "--assignment", help="only this assignment's mutants, e.g. a03_optimizers")
    parser.add_argument("--verbose", action="store_true", help="one line per mutant")
    args = parser.parse_args()
    mutants = [v for v in MUTANTS if args.assignment in (None, v.assignment)]
    results = measure(mutants)
    for r in results:
        if args.verbose or len(r.own) > 3 or not r.named_first:
            print(r.line())
    median, above, named = summary(results)
    print(f"{len(results)} mutants: median {median:g} own diagnoses (target <= {MAX_MEDIAN}); "
          f"{above:.0%} above 3 (target <= {MAX_SHARE_ABOVE_3:.0%}); "
          f"first failure names the concept for {named:.0%} (target >= {MIN_SHARE_NAMED_FIRST:.0%})")
    return 0 if meets_targets(median, above, named) else 1


if __name__ == "__main__":
    sys.exit(main())
