"""Snapshot of what students see: the results JSON of the reference, the skeletons and every variant.

Usage:
    python tools/snapshot_results.py --out before.json
    python tools/snapshot_results.py --out after.json --compare before.json

A refactoring of the engine must not change a single score or message: record a
snapshot before, another after, and compare them (exit 1 and the first
differences when they differ). Not a test: a full snapshot takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graders.engine.grading.isolation import configure_torch  # noqa: E402
from graders.engine.grading.pipeline import LiveReference, grade  # noqa: E402
from graders.engine.grading.results import results_json  # noqa: E402
from graders.engine.layout import ASSIGNMENTS, ASSIGNMENTS_DIR, DEFAULT_SEED, REFERENCE_DIR  # noqa: E402
from tests.variants import ALTERNATIVES, MUTANTS  # noqa: E402


def snapshot() -> dict[str, object]:
    configure_torch()
    reference = LiveReference(REFERENCE_DIR, DEFAULT_SEED)
    shots: dict[str, object] = {
        "reference": results_json(grade(REFERENCE_DIR, ASSIGNMENTS, reference=reference)),
        "skeletons": results_json(grade(ASSIGNMENTS_DIR, ASSIGNMENTS, reference=reference)),
    }
    for variant in [*MUTANTS, *ALTERNATIVES]:
        with tempfile.TemporaryDirectory() as tmp:
            outcomes = grade(variant.build(Path(tmp)), [variant.assignment], reference=reference)
        shots[variant.id] = results_json(outcomes)
    return shots


def differences(before: dict, after: dict) -> list[str]:
    lines = [f"only before: {key}" for key in sorted(before.keys() - after.keys())]
    lines += [f"only after: {key}" for key in sorted(after.keys() - before.keys())]
    for key in sorted(before.keys() & after.keys()):
        if before[key] != after[key]:
            old = json.dumps(before[key], indent=1, sort_keys=True).splitlines()
            new = json.dumps(after[key], indent=1, sort_keys=True).splitlines()
            changed = [f"  - {a}\n  + {b}" for a, b in zip(old, new) if a != b][:3]
            lines.append(f"differs: {key}\n" + "\n".join(changed))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="JSON file to write the snapshot to")
    parser.add_argument("--compare", help="an earlier snapshot to compare with")
    args = parser.parse_args()
    shots = snapshot()
    Path(args.out).write_text(json.dumps(shots, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(shots)} results to {args.out}")
    if not args.compare:
        return 0
    diff = differences(json.loads(Path(args.compare).read_text(encoding="utf-8")), shots)
    print("\n".join(diff[:20]) if diff else f"identical to {args.compare}")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
