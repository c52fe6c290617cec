"""The student release (``python -m graders release``): complete, without solutions or quiz
answers anywhere, and grading exactly like the kit; goldens carry the kit's version."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

import graders
from graders.engine.checks import all_checks
from graders.engine.cli import main as cli_main
from graders.engine.errors import InstructorError
from graders.engine.grading import goldens
from graders.engine.layout import DEFAULT_SEED, NOTEBOOKS_DIR
from graders.engine.observations import is_deferred
from graders.engine.publish import release
from tests.support import ASSIGNMENTS_DIR, KIT_ROOT, REFERENCE_DIR
from tests.test_parity import _doc_and_rest, _functions, _stub_message
from tests.variants import MUTANTS

TOP_LEVEL = {".github", ".gitignore", "README.md", "assignments", "data", "graders", "notebooks", "pyproject.toml",
             "requirements.txt", "tools", "tox.ini"}
JUNK = {"__pycache__", ".pytest_cache"}

# One-statement bodies that a grader's own stand-in needs as code (StubVocab, NoisyValues, the
# capstone's independent tokenizer): container protocol one-liners, or spelled out by the skeleton's
# docstring. Allowed only as code statements of that grader file, never in a string (a hint) or elsewhere.
STAND_INS = {
    ("a05_datasets", "Vocab.__len__"): "graders/test_a05_datasets.py",
    ("a05_datasets", "Vocab.__contains__"): "graders/test_a05_datasets.py",
    ("a05_datasets", "Vocab.encode"): "graders/test_a05_datasets.py",
    ("a05_datasets", "tokenize"): "graders/test_a09_capstone.py",
    ("a08_parallel", "NoisyDataset.__len__"): "graders/test_a08_parallel.py",
}


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "GRADERS_IMPL")}
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**inherited, **env})


def _pytest(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return _run(["-m", "pytest", "graders", "-q", "-p", "no:cacheprovider", *args], cwd, **env)


def _version(pyproject: Path) -> str:
    return re.search(r'^version = "([^"]+)"$', pyproject.read_text(), re.M).group(1)


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not JUNK & set(p.parts)
    }


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    done = _run(["-m", "graders", "release", str(out)], KIT_ROOT)
    assert done.returncode == 0, done.stderr
    assert "public seed" in done.stdout
    return out


# --- what a release holds ---------------------------------------------------------------------

def test_the_release_holds_the_student_files_and_nothing_else(released) -> None:
    assert {p.name for p in released.iterdir()} == TOP_LEVEL
    for name in ("reference", "tests", "student_repo", "gradescope"):
        assert not list(released.rglob(name)), f"{name} must not be shipped"
    assert _files(released / "tools") == {
        "make_example_data.py": (KIT_ROOT / "tools" / "make_example_data.py").read_bytes()
    }
    for folder in ("assignments", "notebooks", "data", "graders"):
        shipped, kit = _files(released / folder), _files(KIT_ROOT / folder)
        if folder == "graders":
            assert shipped.pop("goldens.pt")
        assert shipped == kit, f"{folder}/ should be the kit's, byte for byte"
    for name in ("requirements.txt", "pyproject.toml"):
        assert (released / name).read_bytes() == (KIT_ROOT / name).read_bytes()
    recorded = torch.load(released / "graders" / "goldens.pt", weights_only=True)
    assert recorded["seed"] == DEFAULT_SEED and recorded["kit_version"] == graders.__version__
    assert recorded["fingerprint"] == goldens.fingerprint() == goldens.fingerprint(released / "graders")
    assert set(recorded["observations"]) == {c.id for c in all_checks()}


def test_the_student_readme_tox_and_workflow_say_how_to_work_and_grade(released) -> None:
    readme = (released / "README.md").read_text()
    for words in ("pytest graders/ -m a01", "--impl notebooks", "assignments/a01_modules.py",
                  "--extra-index-url https://download.pytorch.org/whl/cpu", "Summary"):
        assert words in readme
    assert "reference/" not in readme and "tests/" not in readme
    assert "pytest graders {posargs}" in (released / "tox.ini").read_text()
    workflow = (released / ".github" / "workflows" / "grade.yml").read_text()
    assert re.search(r"^on:\n  push:", workflow, re.M)
    assert "pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu" in workflow
    assert "pytest graders/ --results-json results.json" in workflow and "continue-on-error: true" in workflow
    assert _version(released / "pyproject.toml") == graders.__version__
    assert "[tool.pytest.ini_options]" in (released / "pyproject.toml").read_text()


# --- no solution, no answer ---------------------------------------------------------------------

def _stubbed_bodies() -> list[tuple[str, str, str, bool]]:
    """(assignment, qualname, text, one statement) of every reference body that a skeleton stubs out:
    the whole body (docstring excluded, dedented) and, for one-statement bodies, the statement."""
    found: list[tuple[str, str, str, bool]] = []
    for path in sorted(REFERENCE_DIR.glob("*.py")):
        skeleton = ast.parse((ASSIGNMENTS_DIR / path.name).read_text(encoding="utf-8"))
        stubs = {q for q, node in _functions(skeleton) if _stub_message(node) is not None}
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for qualname, node in _functions(ast.parse(source)):
            if qualname not in stubs:
                continue
            body = _doc_and_rest(node)[1]
            single = len(body) == 1
            found.append((
                path.stem,
                qualname,
                textwrap.dedent("\n".join(lines[body[0].lineno - 1 : body[-1].end_lineno])).strip(),
                single,
            ))
            if single:
                statement = textwrap.dedent(ast.get_source_segment(source, body[0], padded=True)).strip()
                if statement != found[-1][2]:
                    found.append((path.stem, qualname, statement, single))
    return found


def _quiz_answer_lines() -> list[str]:
    source = (REFERENCE_DIR / "quiz.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    return [ast.get_source_segment(source, n) for n in tree.body
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and re.fullmatch(r"Q\d\d", n.target.id)
            and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)]


def _spellings(text: str) -> set[bytes]:
    """The text as it appears in a plain file, and JSON-escaped (notebooks)."""
    return {text.encode(), json.dumps(text, ensure_ascii=False)[1:-1].encode()}


def _one_line_statements(path: Path) -> list[str]:
    """The code of every statement on one line of ``path`` (so never text inside a string)."""
    source = path.read_text(encoding="utf-8")
    lines = source.encode().splitlines()
    return [lines[n.lineno - 1][n.col_offset : n.end_col_offset].decode() for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.stmt) and n.lineno == n.end_lineno]


def _leaks(root: Path) -> tuple[list[str], set[tuple[str, str]]]:
    """Every stubbed body and quiz answer found in a file under ``root``, and the allowed stand-ins seen."""
    files = _files(root)
    leaks, stand_ins = [], set()
    for assignment, qualname, text, single in _stubbed_bodies():
        spellings = _spellings(text)
        for name, data in files.items():
            if not any(s in data for s in spellings):
                continue
            if (
                single
                and STAND_INS.get((assignment, qualname)) == name
                and data.decode().count(text) == _one_line_statements(root / name).count(text)
            ):
                stand_ins.add((assignment, qualname))
                continue
            leaks.append(f"{assignment}.{qualname} in {name}: {text!r}")
    for line in _quiz_answer_lines():
        leaks += [
            f"quiz answer {line!r} in {name}"
            for name, data in files.items()
            if any(s in data for s in _spellings(line))
        ]
    return leaks, stand_ins


def test_no_solution_body_and_no_quiz_answer_is_in_any_file_of_the_release(released) -> None:
    bodies, answers = _stubbed_bodies(), _quiz_answer_lines()
    assert len(bodies) > 50 and len(answers) == 12 and "tokenize" in {b[1] for b in bodies}
    assert {"graders/goldens.pt", "notebooks/a01_modules.ipynb", "data/iris_like.csv"} <= set(_files(released))
    leaks, stand_ins = _leaks(released)
    assert not leaks, "the release gives solutions away:\n" + "\n".join(leaks)
    assert stand_ins == set(STAND_INS), f"stale STAND_INS entries: {set(STAND_INS) - stand_ins}"


def test_the_leak_search_finds_bodies_and_answers_in_text_notebooks_binaries_and_hints(tmp_path) -> None:
    body = "return (x - self.mean) / (self.std + self.eps)"
    answer = _quiz_answer_lines()[0]
    (tmp_path / "graders").mkdir()
    tokenize = 'return re.findall(r"\\w+", text.lower())'
    (tmp_path / "notes.ipynb").write_text(
        json.dumps({"source": ["def forward(self, x):\n", f"    {body}\n", f"    {tokenize}\n"]})
    )
    (tmp_path / "blob.pt").write_bytes(b"\x80\x02" + answer.encode() + b"\x00")
    (tmp_path / "graders" / "test_a05_datasets.py").write_text('HINT = "return len(self.itos)"\n')
    leaks, stand_ins = _leaks(tmp_path)
    assert any("Standardize.forward in notes.ipynb" in x for x in leaks)
    assert any("tokenize in notes.ipynb" in x for x in leaks), "JSON-escaped quotes and backslashes are searched too"
    assert any(f"quiz answer {answer!r} in blob.pt" in x for x in leaks)
    assert any("Vocab.__len__ in graders/test_a05_datasets.py" in x for x in leaks), (
        "a stand-in's statement inside a string is a leak"
    )
    assert not stand_ins


def test_the_goldens_withhold_the_quiz(released) -> None:
    """Not even salted digests: with four letters a question could be brute-forced against them."""
    observations = torch.load(released / "graders" / "goldens.pt", weights_only=True)["observations"]
    quiz = {k: v for k, v in observations.items() if k.startswith("quiz::")}
    assert len(quiz) == 12 and all(is_deferred(obs) for obs in quiz.values())
    assert not any(is_deferred(v) for k, v in observations.items() if not k.startswith("quiz::"))


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text).replace('"', "'")


def test_no_hint_spells_out_a_solution_body() -> None:
    """Also with other quotes or spacing than the reference's: hints guide, they do not hand out the body."""
    bodies = {(a, q, _normalized(t)) for a, q, t, _ in _stubbed_bodies()}
    found = [f"{c.id} gives {a}.{q}" for c in all_checks() for a, q, body in bodies
             for text in (*c.hints, c.concept, c.title) if body in _normalized(text)]
    assert not found, "\n".join(found)


# --- grading inside the release --------------------------------------------------------------------

@pytest.fixture(scope="module")
def buggy(tmp_path_factory) -> Path:
    """Reference files with one mutant per assignment: messages of every kind to compare."""
    root = tmp_path_factory.mktemp("buggy")
    chosen = {}
    for variant in MUTANTS:
        chosen.setdefault(variant.assignment, variant)
    for variant in chosen.values():
        variant.build(root)
    for variant in chosen.values():
        (root / f"{variant.assignment}.py").write_text(variant.source(), encoding="utf-8")
    return root


def test_the_release_grades_a_buggy_submission_exactly_like_the_kit(released, buggy, tmp_path) -> None:
    kit = _pytest(KIT_ROOT, "--impl", str(buggy), "--results-json", str(tmp_path / "kit.json"))
    shipped = _pytest(released, "--impl", str(buggy), "--results-json", str(tmp_path / "release.json"))
    assert kit.returncode == shipped.returncode == 1, kit.stdout[-3000:] + shipped.stdout[-3000:] + shipped.stderr
    expected = json.loads((tmp_path / "kit.json").read_text())
    data = json.loads((tmp_path / "release.json").read_text())
    graded_here = [t for t in data["tests"] if not t["name"].startswith("quiz:")]
    assert graded_here == [t for t in expected["tests"] if not t["name"].startswith("quiz:")]
    quiz = [t for t in data["tests"] if t["name"].startswith("quiz:")]
    assert quiz and all(t["output"].startswith("answered (graded at submission)") and t["max_score"] == 0 for t in quiz)
    assert 0 < data["score"] < data["max_score"] and len(data["tests"]) == len(all_checks())
    assert {v.assignment for v in MUTANTS} <= {
        t["name"].split(":")[0] for t in data["tests"] if t["status"] == "failed"
    }


def test_the_untouched_release_scores_zero_and_writes_the_job_summary(released, tmp_path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    done = _pytest(released, "--results-json", str(tmp_path / "r.json"), GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["score"] == 0 and data["tests"]
    assert all(t["output"].startswith("not attempted") for t in data["tests"])
    text = summary.read_text()
    assert text.startswith("earlier step\n## Grade\n")
    assert "| assignment | score | passed | failed | not attempted |" in text
    assert (
        "| a01_modules | 0 / 36 | 0 | 0 | 16 |" in text
        and f"| **total** | **0 / {data['max_score']:g}** (0%) |" in text
    )


def test_the_reference_scores_full_marks_inside_the_release(released, tmp_path) -> None:
    summary = tmp_path / "summary.md"
    done = _pytest(released, "--impl", str(REFERENCE_DIR), "--results-json", str(tmp_path / "r.json"),
                   GITHUB_STEP_SUMMARY=str(summary))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["score"] == data["max_score"] > 0  # the quiz counts at submission only
    assert "(100%)" in summary.read_text()
    assert "quiz: 12 answered, graded at submission" in done.stdout and " 12 skipped" in done.stdout


def test_progress_in_the_release_counts_quiz_answers_apart_and_starts_at_a01(released, tmp_path) -> None:
    """Answered quiz questions are neither points nor the next thing to do: a01 task 1 is."""
    answers = tmp_path / "answers"
    answers.mkdir()
    shutil.copy(REFERENCE_DIR / "quiz.py", answers / "quiz.py")
    done = _run(["-m", "graders", "progress", "--impl", str(answers)], released)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    quiz = next(line for line in lines if line.startswith("quiz"))
    assert "0 / 0" in quiz and "12 of 12 answered, graded at submission" in quiz, quiz
    assert lines[-1].startswith("next: a01_modules task 1"), lines[-1]


def test_without_a_step_summary_variable_nothing_is_written(tmp_path) -> None:
    from graders.engine.grading.results import append_step_summary

    append_step_summary([], None)
    append_step_summary([], "")
    assert not list(tmp_path.iterdir())


# --- refusals ---------------------------------------------------------------------------------------

def test_release_refuses_a_used_folder_and_stale_notebooks(tmp_path, monkeypatch, capsys) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "homework.txt").write_text("mine")
    assert cli_main(["release", str(tmp_path / "used")]) == 2
    assert "not empty" in capsys.readouterr().err
    assert cli_main(["release", str(KIT_ROOT / "data" / "release")]) == 2
    assert "overlap" in capsys.readouterr().err
    stale = tmp_path / "notebooks"
    stale.mkdir()
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        (stale / path.name).write_bytes(path.read_bytes())
    (stale / "a01_modules.ipynb").write_text(
        (stale / "a01_modules.ipynb").read_text().replace("NotImplementedError", "RuntimeError")
    )
    monkeypatch.setattr(release, "NOTEBOOKS_DIR", stale)
    with pytest.raises(InstructorError, match=r"a01_modules.ipynb.*python -m graders notebooks"):
        release.check_notebooks_current()


# --- the version stamp --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def other_version(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("version") / "old.pt"
    data = goldens.observe_reference(all_checks(["quiz"]), REFERENCE_DIR, seed=3)
    assert data["kit_version"] == graders.__version__
    data["kit_version"] = "0.0.1"
    goldens.save(data, path)
    return path


def test_the_version_is_one_and_goldens_of_another_version_are_refused(other_version) -> None:
    assert _version(KIT_ROOT / "pyproject.toml") == graders.__version__
    with pytest.raises(InstructorError, match=rf"0\.0\.1.*{re.escape(graders.__version__)}.*re-record"):
        goldens.Goldens(other_version)


def test_pytest_refuses_goldens_of_another_version(other_version) -> None:
    done = _pytest(KIT_ROOT, "--goldens", str(other_version), "-m", "quiz")
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "0.0.1" in done.stderr and graders.__version__ in done.stderr and "re-record" in done.stderr


def test_official_grading_refuses_goldens_of_another_version(other_version, tmp_path) -> None:
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    done = _run(["-m", "graders", "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--goldens",
                 str(other_version)], KIT_ROOT)
    assert done.returncode == 2, done.stderr
    assert "0.0.1" in done.stderr and graders.__version__ in done.stderr and "re-record" in done.stderr
    assert not (tmp_path / "out" / "alice").exists()
