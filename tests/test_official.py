"""Official grading as instructors use it: the command, its outputs, the whitelist, the boundary."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
import time

import pytest
import torch

from graders.engine.checks import all_checks
from graders.engine.grading import goldens
from graders.engine.official.gradebook import csv_cell
from graders.engine.official.jobs import JobProgress, JobResult, decode_frames
from graders.engine.official.records import CONFINED, HEADER, IMPORTED, BadRecord, decode, encode, validate
from graders.engine.official.submissions import whitelist
from tests.support import ASSIGNMENTS_DIR, KIT_ROOT, REFERENCE_DIR
from tests.variants import MUTANTS

EVIL_NAME = "=SUM(1+1)*cmd|'calc'!A0"


def _grade_cmd(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", "grade", *args], cwd=KIT_ROOT, capture_output=True,
                          text=True, timeout=600)


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
    goldens.record(path, seed=5)
    out = root / "out"
    done = _grade_cmd(str(subs), "--out", str(out), "--jobs", "2", "--timeout", "20", "--goldens", str(path))
    return {"root": root, "subs": subs, "out": out, "goldens": path, "run": done}


def test_the_command_writes_results_feedback_and_a_gradebook(klass) -> None:
    run, out = klass["run"], klass["out"]
    assert run.returncode == 0, run.stderr
    assert "graded 3/3" in run.stderr and "ETA" in run.stderr
    honest = json.loads((out / "honest" / "results.json").read_text())
    assert set(honest) == {"score", "max_score", "tests", "extra_data"}
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
        [sys.executable, "-m", "pytest", "graders", "--impl", str(impl), "--goldens", str(klass["goldens"]),
         "--results-json", str(out), "-q", "-p", "no:cacheprovider"],
        cwd=KIT_ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    official = json.loads((klass["out"] / "honest" / "results.json").read_text())
    self_check = json.loads(out.read_text())
    assert official["score"] == self_check["score"] and official["max_score"] == self_check["max_score"]
    assert [(t["name"], t["score"], t["status"]) for t in official["tests"]] == [
        (t["name"], t["score"], t["status"]) for t in self_check["tests"]
    ]


def test_rerunning_skips_graded_students_unless_forced(klass) -> None:
    results = klass["out"] / "honest" / "results.json"
    results.write_text(results.read_text())  # mark a time
    before = results.stat().st_mtime_ns
    again = _grade_cmd(str(klass["subs"]), "--out", str(klass["out"]), "--goldens", str(klass["goldens"]))
    assert again.returncode == 0 and results.stat().st_mtime_ns == before
    forced = _grade_cmd(str(klass["subs"]), "--out", str(klass["out"]), "--goldens", str(klass["goldens"]), "--force",
                        "--jobs", "2")
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
    for junk in ("conftest.py", "pytest.ini", "sitecustomize.py", "torch.py", "a04_training.cpython-311.pyc",
                 "a05_datasets.so", "A01_MODULES.py"):
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
        decode(_payload({"event": "done", "value": torch.ones(2).as_subclass(Liar)}))
    with pytest.raises(BadRecord):
        validate({"x": object()})
    with pytest.raises(BadRecord):
        decode(b"not a torch file")
    long = validate({"message": "x" * 100_000})
    assert len(long["message"]) < 5_000
    ok = decode(_payload({"event": "done", "value": {"y": torch.zeros(3), "n": [1, 2.5, None, True, "s"]}}))
    assert type(ok["value"]["y"]) is torch.Tensor


def _same(a, b) -> bool:
    """Equal, with the same exact types all the way down (tensors bitwise, nan equal to nan)."""
    if type(a) is not type(b):
        return False
    if type(a) is torch.Tensor:
        return a.dtype == b.dtype and a.shape == b.shape and torch.equal(a.nan_to_num(7.0), b.nan_to_num(7.0))
    if type(a) is float:
        return (a != a and b != b) or (a == b and str(a) == str(b))
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return a == b


def test_packed_values_arrive_exactly_as_sent() -> None:
    shared = torch.arange(6.0).reshape(2, 3)
    value = {
        "plain": [None, True, False, 0, -3, 2**70, 0.1, -0.0, float("inf"), float("-inf"), float("nan"), "",
                  "é\u2603 \ud800 \"q\""],
        "containers": ([], (), {}, (1, [2, (3,)]), [[1, 2], {"k": [3]}]),
        7: {"int key": 1, 0: "zero", "order": "kept"},
        "tensors": [shared, shared[1], torch.tensor([True, False]), torch.zeros(0, 2, dtype=torch.int64),
                    torch.tensor(float("nan")), torch.tensor([1 + 2j], dtype=torch.complex64),
                    torch.arange(3, dtype=torch.int8), torch.randn(2, 2, dtype=torch.float64),
                    torch.tensor([1.5], dtype=torch.bfloat16), torch.tensor(7, dtype=torch.int16)],
        "tags as data": {"t": [1], "d": [[1, 2]], "o": 0},
    }
    record = {"event": "done", "check": "a01_modules::x", "status": "ok", "value": value, "message": "m",
              "notes": ["n"]}
    frame = encode(record, 0)
    payload = frame[HEADER.size :]
    raw = torch.load(io.BytesIO(payload), weights_only=True)
    assert "packed" in raw and raw["objects"] == []  # the compact form: every tensor's bytes in the blob
    got = decode(payload)
    assert _same(got["value"], value) and got["message"] == "m" and got["notes"] == ["n"] and got["status"] == "ok"


def test_values_that_cannot_be_packed_are_judged_as_before() -> None:
    nested: list = []
    nested.append(nested)  # a list holding itself: too deep, as it was unpacked
    with pytest.raises(BadRecord, match="too deeply"):
        decode(encode({"event": "done", "value": nested}, 0)[HEADER.size :])
    with pytest.raises(BadRecord):  # a tensor subclass rides as an object and is refused
        decode(encode({"event": "done", "value": {"x": torch.ones(2).as_subclass(Liar)}}, 0)[HEADER.size :])
    strided = torch.arange(6.0).reshape(2, 3).t()  # not contiguous: sent as it is, arrives with its strides
    got = decode(encode({"event": "done", "value": [strided]}, 0)[HEADER.size :])["value"][0]
    assert torch.equal(got, strided) and got.stride() == strided.stride()
    wide = [[0.5] * 1000] * 300  # more nodes than packing takes: sent as it is, still accepted
    assert "packed" not in torch.load(io.BytesIO(encode({"event": "done", "value": wide}, 0)[HEADER.size :]),
                                      weights_only=True)
    with pytest.raises(BadRecord):  # the packed record must be the event it claims
        decode(_payload({"event": "done", "packed": '{"d": [["event", "imported"]]}', "blob": None, "objects": []}))
    assert decode(encode({"event": "done", "value": wide}, 0)[HEADER.size :])["value"] == wide


@pytest.mark.parametrize("text, objects", [
    ('{"o": 3}', [torch.ones(1)]),  # an object that is not there
    ('{"T": ["float32", [4], 0]}', []),  # bytes beyond the blob
    ('{"T": ["float32", [1], 3]}', []),  # misaligned
    ('{"T": ["object", [1], 0]}', []),  # not a dtype
    ('{"T": ["float32", [-1], 0]}', []),
    ('{"T": ["float32", [3000, 3000], 0]}', []),  # too large
    ('{"x": 1}', []),  # an unknown tag
    ('{"d": [[1.5, 2]]}', []),  # a float key
    ('{"d": [[1, 2, 3]]}', []),  # not a pair
    ('{"t": 1}', []),
    ("[" * 100_000 + "]" * 100_000, []),  # too deep for the parser
    ("not json", []),
])
def test_forged_packed_values_are_refused(text, objects) -> None:
    with pytest.raises(BadRecord):
        decode(_payload({"event": "done", "packed": f'{{"d": [["event", "done"], ["value", {text}]]}}',
                         "blob": torch.zeros(8, dtype=torch.uint8), "objects": objects}))


def test_the_parent_follows_the_childs_checks_by_the_frames_headers() -> None:
    """No "start" record: after "imported" and after each check's record the next check of the job runs;
    frames out of turn (a forked copy of the child writing too) and repeats are ignored."""
    checks = {c.id: c for c in all_checks(["a09_capstone"])}
    order = list(checks)
    # a09's training checks have a longer limit
    slow = next(i for i, c in enumerate(order) if (checks[c].timeout or 0) > 30)
    result = JobResult()
    progress = JobProgress(order, checks, 5.0, result)
    progress.deadline = 1.0

    def state() -> tuple:
        return progress.current, progress.deadline

    progress.follow(CONFINED, b"c")
    assert (*state(), result.confined) == ("import", 1.0, b"c")
    progress.follow(0, b"early")
    assert state() == ("import", 1.0)  # nothing counts before the import
    progress.follow(IMPORTED, b"")
    assert progress.current == order[0] and 4.0 < progress.deadline - time.monotonic() <= 5.0
    before = state()
    progress.follow(2, b"ahead")
    assert state() == before  # out of turn
    for i in range(slow):
        progress.follow(i, f"r{i}".encode())
    assert progress.current == order[slow] and progress.deadline - time.monotonic() > 30
    before = state()
    progress.follow(0, b"again")
    assert state() == before  # a repeat
    assert list(result.frames) == order[:slow] and result.frames[order[0]] == b"r0"
    for i in range(slow, len(order)):
        progress.follow(i, b"x")
    assert progress.current is None and len(result.frames) == len(order)


def _frame(record: dict, tag: int = 0) -> bytes:
    return encode(record, tag)[HEADER.size :]


def test_records_are_decoded_in_a_batch_and_matched_to_their_checks() -> None:
    done = {"event": "done", "status": "ok", "value": {"x": torch.ones(2)}, "message": "", "notes": []}
    result = JobResult(
        frames={"a::one": _frame({**done, "check": "a::one"}), "a::two": _frame({**done, "check": "a::one"}),
                "a::three": b"junk"},
        confined=_frame({"event": "confined", "applied": ["uid"], "missing": ["cgroups (not writable)"]}, CONFINED),
    )
    decode_frames(result)
    observed = result.observed
    assert observed["a::one"].status == "ok" and torch.equal(observed["a::one"].value["x"], torch.ones(2))
    # a forged header
    assert observed["a::two"].status == "error" and "one for 'a::two' was expected" in observed["a::two"].message
    assert observed["a::three"].status == "error" and "could not accept" in observed["a::three"].message
    assert result.confinement == {"applied": ["uid"], "missing": ["cgroups (not writable)"]} and not result.frames


def test_feedback_shows_level_one_hints_unless_another_level_is_asked(klass, tmp_path) -> None:
    mutant = next(v for v in MUTANTS if v.id == "a01_modules:transposed weight")
    mutant.build(tmp_path / "subs" / "student")
    levels = {}
    for level in (None, "3", "0"):
        out = tmp_path / f"out{level}"
        extra = ("--hint-level", level) if level else ()
        done = _grade_cmd(str(tmp_path / "subs"), "--out", str(out), "--goldens", str(klass["goldens"]), *extra)
        assert done.returncode == 0, done.stderr
        levels[level] = (out / "student" / "feedback.md").read_text()
    assert "hint (1 of 3)" in levels[None] and "hint (2 of 3)" not in levels[None]
    assert "hint (3 of 3)" in levels["3"] and "hint (" not in levels["0"]
    refused = _grade_cmd(str(tmp_path / "subs"), "--out", str(tmp_path / "x"), "--hint-level", "5")
    assert refused.returncode == 2 and "--hint-level" in refused.stderr
