"""Official grading as instructors use it: the command, its outputs, the whitelist, the boundary."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys

import pytest
import torch

from graders.engine import goldens
from graders.engine.official import BadRecord, JobResult, _handle, csv_cell, load_record, validate, whitelist
from graders.engine.runner import all_checks
from tests.support import ASSIGNMENTS_DIR, KIT_ROOT, REFERENCE_DIR

EVIL_NAME = "=SUM(1+1)*cmd|'calc'!A0"


def _grade_cmd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", "grade", *args], cwd=KIT_ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("class")
    subs = root / "submissions"
    for student, source in (("untouched", ASSIGNMENTS_DIR), (EVIL_NAME, REFERENCE_DIR)):
        (subs / student).mkdir(parents=True)
        for name in ("a01_modules.py", "quiz.py"):
            shutil.copy(source / name, subs / student / name)
    shutil.copytree(REFERENCE_DIR, subs / "honest", ignore=shutil.ignore_patterns("__pycache__"))  # every assignment
    path = root / "goldens.pt"
    goldens.save(goldens.record(all_checks(), REFERENCE_DIR, seed=5), path)
    out = root / "out"
    done = _grade_cmd(str(subs), "--out", str(out), "--jobs", "2", "--timeout", "20", "--goldens", str(path))
    return {"root": root, "subs": subs, "out": out, "goldens": path, "run": done}


def test_the_command_writes_results_feedback_and_a_gradebook(klass) -> None:
    run, out = klass["run"], klass["out"]
    assert run.returncode == 0, run.stderr
    assert "graded 3/3" in run.stderr and "ETA" in run.stderr
    honest = json.loads((out / "honest" / "results.json").read_text())
    assert set(honest) == {"score", "max_score", "tests"}
    assert honest["score"] == honest["max_score"] == sum(c.points for c in all_checks())  # the reference: full marks
    assert all(t["status"] == "passed" for t in honest["tests"])
    untouched = (out / "untouched" / "feedback.md").read_text()
    assert "not attempted" in untouched and "a02_autograd: not handed in" in untouched
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))
    assert rows[0][0] == "student" and rows[0][-1] == "total" and "a01_modules" in rows[0]
    names = [r[0] for r in rows[1:]]
    assert "'" + EVIL_NAME in names and EVIL_NAME not in names
    honest_row = rows[1 + names.index("honest")]
    assert float(honest_row[-1]) == honest["score"] > 0


def test_official_results_equal_self_check_results(klass, tmp_path) -> None:
    impl = klass["subs"] / "honest"
    out = tmp_path / "self.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "graders", "--impl", str(impl), "--goldens", str(klass["goldens"]), "--results-json", str(out), "-q", "-p", "no:cacheprovider"],
        cwd=KIT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    official = json.loads((klass["out"] / "honest" / "results.json").read_text())
    self_check = json.loads(out.read_text())
    assert official["score"] == self_check["score"] and official["max_score"] == self_check["max_score"]
    assert [(t["name"], t["score"], t["status"]) for t in official["tests"]] == [(t["name"], t["score"], t["status"]) for t in self_check["tests"]]


def test_rerunning_skips_graded_students_unless_forced(klass) -> None:
    results = klass["out"] / "honest" / "results.json"
    results.write_text(results.read_text())  # mark a time
    before = results.stat().st_mtime_ns
    again = _grade_cmd(str(klass["subs"]), "--out", str(klass["out"]), "--goldens", str(klass["goldens"]))
    assert again.returncode == 0 and results.stat().st_mtime_ns == before
    forced = _grade_cmd(str(klass["subs"]), "--out", str(klass["out"]), "--goldens", str(klass["goldens"]), "--force", "--jobs", "2")
    assert forced.returncode == 0 and results.stat().st_mtime_ns != before


def test_instructor_errors_exit_non_zero(klass, tmp_path) -> None:
    missing = _grade_cmd(str(tmp_path / "nowhere"), "--out", str(tmp_path / "o"))
    assert missing.returncode == 2 and "SUBMISSIONS_DIR" in missing.stderr
    stale = tmp_path / "stale.pt"
    data = torch.load(klass["goldens"], weights_only=True)
    data["fingerprint"] = "stale"
    torch.save(data, stale)
    refused = _grade_cmd(str(klass["subs"]), "--out", str(tmp_path / "o"), "--goldens", str(stale))
    assert refused.returncode == 2 and "re-record" in refused.stderr


def test_whitelist_takes_exact_regular_files_only(tmp_path) -> None:
    (tmp_path / "a01_modules.py").write_text("x = 1\n")
    (tmp_path / "a02_autograd.py").symlink_to(REFERENCE_DIR / "a02_autograd.py")
    (tmp_path / "a03_optimizers.py").mkdir()
    (tmp_path / "quiz.py").write_text("Q01 = 'a'\n")
    (tmp_path / "quiz.ipynb").write_text("{}")
    for junk in ("conftest.py", "pytest.ini", "sitecustomize.py", "torch.py", "a04_training.cpython-311.pyc", "a05_datasets.so", "A01_MODULES.py"):
        (tmp_path / junk).write_text("")
    (tmp_path / "__pycache__").mkdir()
    sub = whitelist(tmp_path)
    assert sorted(sub.files) == ["a01_modules.py", "quiz.py"]
    notes = "\n".join(sub.notes)
    assert "a02_autograd.py is not a regular file" in notes and "a03_optimizers.py is not a regular file" in notes
    assert "quiz.py was graded" in notes and "conftest.py" in notes and "torch.py" in notes


def test_spreadsheet_formulas_are_escaped() -> None:
    assert csv_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert csv_cell("+1") == "'+1" and csv_cell("@SUM(A1)") == "'@SUM(A1)" and csv_cell("alice") == "alice"


def _payload(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


class Liar(torch.Tensor):
    """A tensor subclass a student might send back."""


def test_observations_crossing_the_boundary_are_rechecked() -> None:
    with pytest.raises(BadRecord):
        load_record(_payload({"event": "done", "value": torch.ones(2).as_subclass(Liar)}))
    with pytest.raises(BadRecord):
        validate({"x": object()})
    with pytest.raises(BadRecord):
        load_record(b"not a torch file")
    long = validate({"message": "x" * 100_000})
    assert len(long["message"]) < 5_000
    ok = load_record(_payload({"event": "done", "value": {"y": torch.zeros(3), "n": [1, 2.5, None, True, "s"]}}))
    assert type(ok["value"]["y"]) is torch.Tensor


def test_the_parent_follows_the_childs_checks_in_the_order_it_sent_them() -> None:
    """No "start" record: after "imported" and after each "done" the next check of the job runs."""
    checks = {c.id: c for c in all_checks(["a01_modules"])}
    order = list(checks)[:3]
    result = JobResult()
    done = {"event": "done", "status": "ok", "value": 1, "message": "", "notes": []}
    current, _ = _handle({"event": "done", **done, "check": order[0]}, result, order, checks, "import", 0.0, 5.0)
    assert current == "import" and not result.observed  # nothing counts before the import finished
    current, deadline = _handle({"event": "imported"}, result, order, checks, current, 0.0, 5.0)
    assert current == order[0] and deadline > 0
    current, _ = _handle({**done, "check": order[2]}, result, order, checks, current, deadline, 5.0)
    assert current == order[0] and not result.observed  # out of order: ignored
    for i, check_id in enumerate(order):
        current, _ = _handle({**done, "check": check_id}, result, order, checks, current, deadline, 5.0)
        assert current == (order[i + 1] if i + 1 < len(order) else None)
    assert list(result.observed) == order
    current, _ = _handle({**done, "check": order[0]}, result, order, checks, current, deadline, 5.0)
    assert current is None and len(result.observed) == 3  # a repeated "done" changes nothing
