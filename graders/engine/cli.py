"""``python -m graders``: instructor commands, thin wrappers over engine functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

from .goldens import record, save
from .judging import GraderBug
from .loading import ASSIGNMENTS
from .probing import DEFAULT_SEED
from .runner import REFERENCE_DIR, all_checks, configure_torch


def _record(args: argparse.Namespace) -> int:
    configure_torch()
    names = args.assignment or list(ASSIGNMENTS)
    unknown = sorted(set(names) - set(ASSIGNMENTS))
    if unknown:
        print(f"error: unknown assignment(s) {unknown}; choose from {list(ASSIGNMENTS)}", file=sys.stderr)
        return 2
    checks = all_checks(names)
    try:
        data = record(checks, Path(args.reference), args.seed)
    except GraderBug as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    save(data, Path(args.out))
    print(f"recorded {len(checks)} observations (seed {args.seed}) to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m graders", description="Instructor commands of the PyTorch assignment kit.")
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="record the reference's observations (goldens) for judging without reference/")
    rec.add_argument("--out", default="goldens.pt", help="file to write (default: goldens.pt)")
    rec.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"seed of the probes' inputs (default {DEFAULT_SEED}); keep a secret one for official grading")
    rec.add_argument("--reference", default=str(REFERENCE_DIR), help="reference implementation directory")
    rec.add_argument("--assignment", action="append", help="record only this assignment (repeatable), e.g. a01_modules")
    rec.set_defaults(run=_record)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
