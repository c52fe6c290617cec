"""The pytest surface students and instructors use, run as they run it (pytester subprocesses)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import KIT_ROOT, REFERENCE_DIR

pytest_plugins = ["pytester"]


def _grade(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        str(KIT_ROOT / "graders"), "--rootdir", str(KIT_ROOT), "-c", str(KIT_ROOT / "pyproject.toml"), *args,
        timeout=300
    )


def _copy_reference(dest: Path, *names: str) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(REFERENCE_DIR / f"{name}.py", dest / f"{name}.py")
    return dest


def test_untouched_skeletons_read_not_attempted_with_a_zero_grade(pytester) -> None:
    result = _grade(pytester, "-m", "a01 or quiz")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    out = result.stdout.str()
    assert "not attempted: a01 task 1: implement Linear.__init__" in out
    assert "not attempted: Q01 is still None" in out
    result.stdout.re_match_lines([r"^total\s+0 / \d+\s+\(0%\)$"])
    assert "Traceback" not in out and "INTERNALERROR" not in out and "Error" not in out.replace("ValueError", "")


def test_bodies_emptied_to_pass_are_not_attempted_under_pytest_too(pytester, tmp_path) -> None:
    """The students' own command knows each check's task: empty bodies earn nothing and get no hint."""
    impl = tmp_path / "emptied"
    impl.mkdir()
    for name in ("a08_parallel", "a10_hooks"):  # each has a check that an empty body would pass
        text = (KIT_ROOT / "assignments" / f"{name}.py").read_text(encoding="utf-8")
        (impl / f"{name}.py").write_text(re.sub(r"raise NotImplementedError\(.*\)", "pass", text), encoding="utf-8")
    out = tmp_path / "results.json"
    _grade(pytester, "--impl", str(impl), "-m", "a08 or a10", "--hint-level", "3", "--results-json", str(out))
    tests = json.loads(out.read_text())["tests"]
    assert tests and {t["status"] for t in tests} == {"failed"}
    wrong = [t["name"] for t in tests if "\nnot attempted: " not in t["output"] or "hint" in t["output"]]
    assert not wrong, wrong


def test_reference_scores_full_marks_and_results_json_is_gradescope_shaped(pytester, tmp_path) -> None:
    out = tmp_path / "results.json"
    result = _grade(pytester, "--impl", str(REFERENCE_DIR), "--results-json", str(out))
    assert result.ret == pytest.ExitCode.OK
    result.stdout.re_match_lines([r"^total\s+(\d+) / \1\s+\(100%\)$"])
    data = json.loads(out.read_text())
    assert data["score"] == data["max_score"] > 0
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "extra_data"}
        assert test["name"].split(":")[0] in {
            "a01_modules", "a02_autograd", "a03_optimizers", "a04_training", "quiz"} | {
            "a05_datasets", "a06_samplers", "a07_collate", "a08_parallel", "a09_capstone", "a10_hooks"}
        assert test["status"] == "passed" and test["score"] == test["max_score"]


def test_marker_selects_one_assignment_and_a_broken_file_costs_only_its_own(pytester, tmp_path) -> None:
    impl = _copy_reference(tmp_path / "sub", "quiz")
    (impl / "a01_modules.py").write_text("import torch\n\nclass Linear(torch.nn.Module)\n    pass\n")
    result = _grade(pytester, "--impl", str(impl), "-m", "a01 or quiz")
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "importing a01_modules.py failed" in out and "SyntaxError" in out
    result.stdout.re_match_lines([r"^a01_modules\s+0 / \d+", r"^quiz\s+12 / 12"])
    assert "a02_autograd" not in out.split("= grade =")[-1]


def test_impl_from_the_environment_and_goldens_from_record(pytester, tmp_path, monkeypatch) -> None:
    goldens = tmp_path / "g.pt"
    done = subprocess.run([sys.executable, "-m", "graders", "record", "--out", str(goldens), "--seed", "5"],
                          cwd=KIT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    impl = _copy_reference(tmp_path / "sub", "quiz")
    monkeypatch.setenv("GRADERS_IMPL", str(impl))
    result = _grade(pytester, "--goldens", str(goldens), "-m", "quiz")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.re_match_lines([r"^quiz\s+12 / 12"])
    mismatch = _grade(pytester, "--goldens", str(goldens), "--seed", "6", "-m", "quiz")
    assert mismatch.ret == pytest.ExitCode.USAGE_ERROR
    assert "differs from the seed 5" in mismatch.stderr.str()


def test_a_missing_impl_directory_is_a_usage_error(pytester, tmp_path) -> None:
    result = _grade(pytester, "--impl", str(tmp_path / "nowhere"))
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "should be a directory" in result.stderr.str()


def test_an_endless_loop_times_out_and_the_run_still_ends_with_a_grade(pytester, tmp_path) -> None:
    impl = tmp_path / "sub"
    impl.mkdir()
    source = (REFERENCE_DIR / "a01_modules.py").read_text()
    source = source.replace("    return sum(\n        param.numel()",
                            "    while True:\n        pass\n    return sum(\n        param.numel()", 1)
    (impl / "a01_modules.py").write_text(source)
    result = _grade(pytester, "--impl", str(impl), "-m", "a01", "--timeout", "2")
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "did not finish in time" in out
    result.stdout.re_match_lines([r"^a01_modules\s+\d+ / \d+"])
