"""Probes are deterministic: same seed -> same observations and results, whatever the
global RNG state, check order or PYTHONHASHSEED; judging from goldens equals live judging."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from graders.engine.checks import all_checks
from graders.engine.cli import main as cli_main
from graders.engine.errors import InstructorError
from graders.engine.grading import goldens
from graders.engine.grading.pipeline import Grading
from tests.support import KIT_ROOT, REFERENCE_DIR
from tests.variants import MUTANTS


@pytest.fixture(scope="module")
def mixed_submission(tmp_path_factory) -> Path:
    """Reference files with one mutant per assignment, so messages appear in the results."""
    root = tmp_path_factory.mktemp("mixed")
    chosen = {}
    for variant in MUTANTS:
        chosen.setdefault(variant.assignment, variant)
    for variant in chosen.values():
        variant.build(root)
    for variant in chosen.values():  # build() copies the reference for the others; rewrite every mutant last
        (root / f"{variant.assignment}.py").write_text(variant.source(), encoding="utf-8")
    return root


def _run(impl: Path, reverse: bool, global_seed: int | None, **kwargs) -> dict:
    if global_seed is not None:
        torch.manual_seed(global_seed)
        random.seed(global_seed)
        np.random.seed(global_seed)
    grading = Grading(impl, **kwargs)
    checks = all_checks()
    ordered = list(reversed(checks)) if reverse else checks
    return {c.id: grading.grade_check(c).as_dict() for c in ordered}


def test_results_ignore_global_rng_state_and_check_order(mixed_submission) -> None:
    first = _run(mixed_submission, reverse=False, global_seed=None)
    second = _run(mixed_submission, reverse=True, global_seed=12345)
    assert first == second
    assert any(not o["score"] for o in first.values()), "the mixed submission should fail some checks"


def test_goldens_judge_exactly_like_the_live_reference(mixed_submission, tmp_path) -> None:
    path = tmp_path / "goldens.pt"
    goldens.record(path, seed=31)
    live = _run(mixed_submission, reverse=False, global_seed=None, seed=31)
    recorded = _run(mixed_submission, reverse=False, global_seed=None, goldens=path)
    assert live == recorded


def test_the_seed_changes_the_inputs_and_the_reference_still_passes(tmp_path) -> None:
    a = goldens.observe_reference(all_checks(), REFERENCE_DIR, seed=1)["observations"]
    b = goldens.observe_reference(all_checks(), REFERENCE_DIR, seed=2)["observations"]
    assert a.keys() == b.keys()
    differ = [k for k in a if repr(a[k]) != repr(b[k])]
    assert len(differ) > len(a) // 3, "a different seed should give different probe inputs"
    outcomes = _run(REFERENCE_DIR, reverse=False, global_seed=None, seed=2)
    assert all(o["status"] == "passed" for o in outcomes.values())


def test_record_command_writes_loadable_goldens(tmp_path, capsys) -> None:
    out = tmp_path / "g.pt"
    assert cli_main(["record", "--out", str(out), "--seed", "9", "--assignment", "a01_modules"]) == 0
    data = torch.load(out, weights_only=True)
    assert data["seed"] == 9 and all(k.startswith("a01_modules::") for k in data["observations"])
    assert "recorded" in capsys.readouterr().out


def test_goldens_for_other_graders_are_refused(tmp_path) -> None:
    path = tmp_path / "g.pt"
    data = goldens.observe_reference(all_checks(["quiz"]), REFERENCE_DIR, seed=1)
    data["fingerprint"] = "0" * 16
    goldens.save(data, path)
    with pytest.raises(InstructorError, match="re-record"):
        goldens.Goldens(path)
    path.write_text("not a golden file")
    with pytest.raises(InstructorError, match="not a golden file"):
        goldens.Goldens(path)


def _pytest_results(impl: Path, out: Path, global_seed: int, hashseed: str) -> str:
    script = (
        "import random, sys, torch, pytest; "
        f"torch.manual_seed({global_seed}); random.seed({global_seed}); "
        "sys.exit(pytest.main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    cmd = [sys.executable, "-c", script, "graders", "--impl", str(impl), "--results-json", str(out), "-q", "-p",
           "no:cacheprovider"]
    done = subprocess.run(cmd, cwd=KIT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return out.read_text()


def test_two_full_runs_in_fresh_processes_give_identical_results_json(mixed_submission, tmp_path) -> None:
    a = _pytest_results(mixed_submission, tmp_path / "a.json", 1, "0")
    b = _pytest_results(mixed_submission, tmp_path / "b.json", 999, "4242")
    assert a == b
    data = json.loads(a)
    assert data["score"] < data["max_score"]
