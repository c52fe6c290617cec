"""The learner loop as a student uses it: `watch` in a real terminal, `progress`, grades equal to pytest's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from graders.engine.checks import all_checks
from graders.engine.learner.forked import grade_forked
from graders.engine.learner.hints import HintPolicy
from graders.engine.learner.screen import fit
from tests.support import ASSIGNMENTS_DIR, KIT_ROOT, REFERENCE_DIR
from tests.variants import MUTANTS

TRANSPOSED = next(v for v in MUTANTS if v.id == "a01_modules:transposed weight")
WAIT = 60  # seconds a screen may take on a loaded CI machine (it takes well under one here)


def _skeletons(dest: Path) -> Path:
    shutil.copytree(ASSIGNMENTS_DIR, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _processes_mentioning(text: str) -> list[str]:
    found = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()
    return [line for line in found if text in line and "ps -eo" not in line]


def test_watch_grades_exactly_like_pytest(tmp_path) -> None:
    impl = TRANSPOSED.build(tmp_path / "sub")
    (impl / "a08_parallel.py").write_text(next(v for v in MUTANTS if v.assignment == "a08_parallel").source())
    results = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl", str(impl), "-m", "a01 or a08", "-q",
                           "-p", "no:cacheprovider", "--results-json", str(results)], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr
    expected = {(t["extra_data"]["check"], t["score"], t["extra_data"]["status"])
                for t in json.loads(results.read_text())["tests"]}
    outcomes = grade_forked(["a01_modules", "a08_parallel"], impl, HintPolicy(fixed=1))
    got = {(o.name, o.score, o.status) for o in outcomes.values()}
    assert got == expected and len(got) == len([c for c in all_checks() if c.marker in ("a01", "a08")])


def test_a_crash_in_student_code_costs_that_run_only(tmp_path) -> None:
    impl = tmp_path / "sub"
    impl.mkdir()
    source = (REFERENCE_DIR / "a01_modules.py").read_text()
    head = "def count_parameters(module: nn.Module, trainable_only: bool = True) -> int:"
    crash = source.replace(head, head + "\n    import os\n    os._exit(3)", 1)
    assert crash != source
    (impl / "a01_modules.py").write_text(crash)
    outcomes = grade_forked(["a01_modules"], impl, HintPolicy(fixed=1))
    lost = sorted(o.name for o in outcomes.values() if not o.passed)
    assert lost and all(o.status == "error" for o in outcomes.values() if not o.passed)
    assert any("crash, sys.exit or os._exit" in o.message for o in outcomes.values())
    assert sum(o.passed for o in outcomes.values()) > 5  # the checks before the crash kept their grades


def test_progress_prints_every_assignment_and_the_next_task(tmp_path) -> None:
    impl = _skeletons(tmp_path / "sub")
    shutil.copy(REFERENCE_DIR / "a01_modules.py", impl / "a01_modules.py")
    done = subprocess.run([sys.executable, "-m", "graders", "progress", "--impl", str(impl)], cwd=KIT_ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("a01_modules") and "36 / 36" in lines[0]
    assert any(line.startswith("a02_autograd") and "not attempted" in line for line in lines)
    assert lines[-1].startswith("next: a02_autograd task 1")


def test_watch_in_a_terminal_follows_saves_and_keys_and_leaves_nothing_behind(tmp_path) -> None:
    impl = _skeletons(tmp_path / "watched")
    env = {**os.environ, "TERM": "xterm", "GRADERS_HINT_STATE": str(tmp_path / "hints.json")}
    child = pexpect.spawn(sys.executable, ["-m", "graders", "watch", "a01", "--impl", str(impl)], cwd=str(KIT_ROOT),
                          env=env, encoding="utf-8", timeout=WAIT, dimensions=(60, 80))  # a default terminal
    try:
        child.expect("next: a01_modules task 1")  # the first screen: nothing attempted yet
        (impl / "a01_modules.py").write_text(TRANSPOSED.source())
        start = time.monotonic()
        child.expect(r"hint \(1 of 3\)")  # a wrong implementation: the first failure in full
        assert time.monotonic() - start < WAIT
        child.send("h")
        child.expect(r"hint \(2 of 3\)")
        child.send("a")  # all failures
        child.expect("concept to revisit")
        (impl / "a01_modules.py").write_text((REFERENCE_DIR / "a01_modules.py").read_text())
        child.expect("36 / 36")
        child.send("q")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
    time.sleep(0.5)
    assert not _processes_mentioning(str(impl)), "watch left processes behind"


def test_long_lines_wrap_at_spaces_to_the_terminal_width() -> None:
    diagnosis = "  concept to revisit: " + " ".join(f"word{i}" for i in range(40))
    fitted = fit([diagnosis, "short"], 50)
    assert fitted[-1] == "short" and len(fitted) > 3
    assert all(len(line) <= 50 for line in fitted)
    assert " ".join(fitted[:-1]).split() == diagnosis.split()  # no word cut in two
    assert fitted[0].startswith("  concept") and all(line.startswith("    word") for line in fitted[1:-1])


def test_watch_without_a_terminal_prints_plain_lines_and_stops_on_ctrl_c(tmp_path) -> None:
    impl = _skeletons(tmp_path / "piped")
    env = {**os.environ, "GRADERS_HINT_STATE": str(tmp_path / "hints.json")}
    proc = subprocess.Popen([sys.executable, "-m", "graders", "watch", "a01", "--impl", str(impl)], cwd=KIT_ROOT,
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        first = []
        for line in proc.stdout:
            first.append(line)
            if line.startswith("next: a01_modules task 1"):
                break
        assert not any("\x1b[" in line for line in first)  # no terminal escapes in a pipe
        proc.send_signal(2)  # Ctrl-C
        assert proc.wait(timeout=WAIT) == 0  # Ctrl-C is how a student stops it: not an error
    finally:
        if proc.poll() is None:
            proc.kill()
    time.sleep(0.5)
    assert not _processes_mentioning(str(impl))


@pytest.mark.parametrize("name", ["a42", "a01_nothing"])
def test_watch_refuses_an_unknown_assignment(name) -> None:
    done = subprocess.run([sys.executable, "-m", "graders", "watch", name], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and "should be one of" in done.stderr
