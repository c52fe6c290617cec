"""``python -m graders similarity``: a copied pair, disguised, ranks first in every assignment; solutions
written apart are not flagged; the skeleton never counts; it writes only its two files."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from graders.engine.layout import ASSIGNMENTS
from graders.engine.report.handins import collect, without_docstrings
from graders.engine.report.similarity import (
    DEFAULT_THRESHOLD,
    boilerplate_hashes,
    fingerprint,
    rank_pairs,
    shared_matrix,
)
from tests.support import KIT_ROOT
from tests.synthetic import CODE_ASSIGNMENTS, as_notebook, disguised, reference, skeleton, write_student
from tests.variants import ALTERNATIVES

COPIED = ("copycat", "independent")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", *args], cwd=KIT_ROOT, capture_output=True, text=True,
                          timeout=600)


def _most_rewritten(assignment: str) -> str:
    """The alternative that rewrites most of the reference: a solution written apart from it."""
    variants = [v for v in ALTERNATIVES if v.assignment == assignment]
    if not variants:
        return reference(assignment)
    return max(variants, key=lambda v: sum(len(old) for old, _ in v.edits)).source()


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> dict:
    """reference, independent (another solution), copycat (independent disguised; a01 as a notebook), skeleton."""
    root = tmp_path_factory.mktemp("similarity")
    subs = root / "submissions"
    independent = {f"{a}.py": _most_rewritten(a) for a in CODE_ASSIGNMENTS}
    write_student(subs, "reference", {f"{a}.py": reference(a) for a in ASSIGNMENTS})
    write_student(subs, "independent", {**independent, "quiz.py": reference("quiz")})
    copy = {name: disguised(text, seed=5) for name, text in independent.items()}
    copy["a01_modules.ipynb"] = as_notebook(copy.pop("a01_modules.py"), "a01_modules")
    write_student(subs, "copycat", {**copy, "quiz.py": reference("quiz")})
    write_student(subs, "skeleton", {f"{a}.py": skeleton(a) for a in ASSIGNMENTS})
    before = _snapshot(subs)
    out = root / "out" / "similarity.html"
    done = _cli("similarity", str(subs), "--out", str(out), "--jobs", "2", "--top", "3")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(out.with_name("similarity-pairs.csv").read_text())))
    return {"subs": subs, "out": out, "html": out.read_text(), "rows": rows, "stdout": done.stdout,
            "unchanged": _snapshot(subs) == before}


def _similarity(rows: list[dict], assignment: str, a: str, b: str) -> float:
    for r in rows:
        if r["assignment"] == assignment and {r["student"], r["other_student"]} == {a, b}:
            return float(r["similarity"])
    return 0.0


def test_the_copied_pair_ranks_first_in_every_assignment_and_is_flagged(compared) -> None:
    rows = compared["rows"]
    for a in CODE_ASSIGNMENTS:
        mine = [r for r in rows if r["assignment"] == a]
        assert {mine[0]["student"], mine[0]["other_student"]} == set(COPIED), a
        assert float(mine[0]["similarity"]) >= 0.85 > DEFAULT_THRESHOLD, a
        assert re.search(rf'<tr id="top-{a}-1"><td class="num">1</td><td>copycat</td><td>independent</td>.*flagged',
                         compared["html"]), a


def test_solutions_written_apart_do_not_pair_up_and_the_skeleton_never_counts(compared) -> None:
    rows = compared["rows"]
    for a in CODE_ASSIGNMENTS:
        assert _similarity(rows, a, "reference", "independent") < DEFAULT_THRESHOLD, a
        assert _similarity(rows, a, "reference", "copycat") < DEFAULT_THRESHOLD, a
        for other in ("reference", "independent", "copycat"):
            assert _similarity(rows, a, "skeleton", other) == 0.0, a
    assert "flagged" not in compared["html"].split(f'<tr id="top-{CODE_ASSIGNMENTS[0]}-2">')[1].split("</tr>")[0]


def test_the_csv_lists_every_pair_that_shares_code_most_similar_first(compared) -> None:
    rows = compared["rows"]
    values = [float(r["similarity"]) for r in rows]
    assert values == sorted(values, reverse=True) and all(v > 0 for v in values)
    assert list(rows[0]) == ["assignment", "student", "other_student", "similarity"]
    assert {r["assignment"] for r in rows} == set(CODE_ASSIGNMENTS)  # the quiz is not compared
    assert len(rows) == 3 * len(CODE_ASSIGNMENTS)  # the three pairs without the skeleton
    assert f"compared {6 * len(CODE_ASSIGNMENTS)} pairs" in compared["stdout"]


def test_the_page_shows_the_shared_code_of_the_top_pairs_offline(compared) -> None:
    html = compared["html"]
    assert html.count("<svg") == 1 and 'id="chart-similarity"' in html
    for tag in ("<script", "<link", "<img", "<image", "<iframe", "@import", "url(http", '"data:', "http://",
                "https://"):
        assert tag not in html.lower(), tag
    first = re.search(r'<details id="pair-a01_modules-1" open>(.*?)</details>', html, re.S)
    assert first and "copycat/a01_modules.ipynb" in first.group(1) and "independent/a01_modules.py" in first.group(1)
    assert first.group(1).count("<mark>") >= 2 and "# cell " in first.group(1)  # the notebook's code cells
    assert "quiz: not compared" in html
    assert compared["unchanged"], "similarity must not write inside SUBMISSIONS_DIR"


def test_the_shares_are_copydetects_own() -> None:
    """The all-pairs matrix gives copydetect's compare_files numbers for every ordered pair."""
    import copydetect

    a = "a03_optimizers"
    codes = [without_docstrings(t) for t in (reference(a), _most_rewritten(a), disguised(_most_rewritten(a)),
                                             skeleton(a), reference(a)[: len(reference(a)) // 2])]
    fps = [fingerprint(c, name=f"{n}.py", boilerplate=boilerplate_hashes(a)) for n, c in enumerate(codes)]
    shared = shared_matrix(fps)
    for i in range(len(fps)):
        for j in range(len(fps)):
            if i != j:
                overlap, _, _ = copydetect.compare_files(fps[i], fps[j])
                assert shared[i, j] == overlap, (i, j)
    pairs = rank_pairs(a, ["r", "i", "c", "s", "h"], fps)
    assert {pairs[0].first, pairs[0].second} == {"c", "i"}


def test_a_notebook_and_its_file_compare_as_the_same_code(tmp_path) -> None:
    a = "a01_modules"
    write_student(tmp_path, "py", {f"{a}.py": reference(a)})
    write_student(tmp_path, "nb", {f"{a}.ipynb": as_notebook(reference(a), a)})
    handins = collect(tmp_path, assignments=[a]).handins[a]
    fps = [fingerprint(h.code, name=h.path.name, boilerplate=boilerplate_hashes(a)) for h in handins]
    assert rank_pairs(a, [h.student for h in handins], fps)[0].similarity > 0.97


@pytest.mark.parametrize("case", ["not a folder", "no student folder", "out in a student folder", "quiz only"])
def test_bad_input_gets_a_clear_message_and_writes_nothing(compared, tmp_path, case) -> None:
    subs, out = compared["subs"], tmp_path / "s.html"
    extra: list[str] = []
    if case == "not a folder":
        subs, expected = tmp_path / "nowhere", "should be a directory"
    elif case == "no student folder":
        subs, expected = tmp_path / "empty", "has no student folder"
        subs.mkdir()
    elif case == "out in a student folder":
        out, expected = subs / "reference" / "s.html", "inside a student's folder"
    else:
        extra, expected = ["--assignments", "quiz"], "quiz alone cannot be compared"
    before = _snapshot(compared["subs"])
    done = _cli("similarity", str(subs), "--out", str(out), *extra)
    assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not out.exists() and not out.with_name("s-pairs.csv").exists()
    assert _snapshot(compared["subs"]) == before
