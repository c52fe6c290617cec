"""The class report (``python -m graders report``) and homeworks (``--assignments``), on a synthetic class
graded once: its numbers equal those computed from the results directly, it is one offline page, and bad
input is refused without writing anything."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graders.engine.checks import all_checks
from graders.engine.cli import main as cli_main
from graders.engine.errors import InstructorError
from graders.engine.grading import goldens
from graders.engine.grading.results import RESULTS_FORMAT
from graders.engine.report import graded as graded_module
from graders.engine.report.extras import require
from graders.engine.report.stats import spread
from graders.engine.report.topics import OTHER, topic_of
from tests.support import ASSIGNMENTS, KIT_ROOT, REFERENCE_DIR
from tests.synthetic import build_graded_class

SEED = 31
HOMEWORK = ("a01_modules", "a02_autograd", "a03_optimizers", "a04_training")
CHARTS = ("chart-totals", "chart-assignments", "chart-checks", "chart-topics", "chart-diagnoses")
ATTEMPTED, FAILING = ("passed", "failed", "error", "forbidden"), ("failed", "error", "forbidden")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", *args], cwd=KIT_ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("klass")
    made = build_graded_class(root / "submissions")
    goldens.record(root / "goldens.pt", seed=SEED)
    done = _cli("grade", str(root / "submissions"), "--out", str(root / "graded"), "--goldens",
                str(root / "goldens.pt"), "--jobs", "2", "--timeout", "20")
    assert done.returncode == 0, done.stderr
    report = _cli("report", str(root / "graded"), "--out", str(root / "report" / "report.html"))
    assert report.returncode == 0, report.stderr
    return {"root": root, "made": made, "graded": root / "graded", "html": root / "report" / "report.html",
            "csv": root / "report" / "report-checks.csv", "stdout": report.stdout}


def _results(graded: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(graded.glob("*/results.json"))}


class Rows(HTMLParser):
    """Every table row that has an id: id -> its cells' text."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.links: list[str] = []
        self.ids: list[str] = []
        self._row: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        for key in ("href", "src", "xlink:href"):
            if attrs.get(key) is not None:
                self.links.append(attrs[key])
        if tag == "tr" and "id" in attrs:
            self._row = attrs["id"]
            self.rows[self._row] = []
        elif tag in ("td", "th") and self._row:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row and self._cell is not None:
            self.rows[self._row].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> Rows:
    rows = Rows()
    rows.feed(html)
    return rows


def _number(text: str) -> float:
    return float(text)


# --- the report's numbers ----------------------------------------------------------------------------

def test_the_summary_equals_the_numbers_computed_from_the_results(klass) -> None:
    results = _results(klass["graded"])
    rows = _parse(klass["html"].read_text()).rows
    assert len(results) == len(klass["made"]) == 8
    assignments = list(dict.fromkeys(t["extra_data"]["assignment"] for t in results["reference"]["tests"]))
    for a in assignments:
        def of(data: dict) -> list[dict]:
            return [t for t in data["tests"] if t["extra_data"]["assignment"] == a]  # noqa: B023

        takers = [s for s, d in results.items() if any(t["extra_data"]["status"] != "missing" for t in of(d))]
        idle = [s for s, d in results.items()
                if all(t["extra_data"]["status"] in ("not_attempted", "missing") for t in of(d))]
        scores = [sum(t["score"] for t in of(results[s])) for s in takers]
        q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
        cells = rows[f"summary-{a}"]
        assert cells[0] == a and _number(cells[1]) == sum(t["max_score"] for t in of(results["reference"]))
        assert (int(cells[2]), int(cells[3])) == (len(takers), len(idle)), a
        assert [_number(c) for c in cells[4:7]] == pytest.approx([q1, median, q3]), a
    totals = [d["score"] for d in results.values()]
    cells = rows["summary-total"]
    assert _number(cells[1]) == results["reference"]["max_score"]
    assert [_number(c) for c in cells[4:7]] == pytest.approx(statistics.quantiles(totals, n=4, method="inclusive"))
    assert (int(cells[2]), int(cells[3])) == (8, 1)  # everyone handed something in; the skeleton attempted nothing


def test_check_failure_rates_and_diagnoses_equal_those_of_the_results(klass) -> None:
    results = _results(klass["graded"])
    rows = _parse(klass["html"].read_text()).rows
    tests = [t["extra_data"] for d in results.values() for t in d["tests"]]
    for c in all_checks():
        mine = [t for t in tests if (t["assignment"], t["check"]) == (c.assignment, c.name)]
        attempted = sum(t["status"] in ATTEMPTED for t in mine)
        failed = sum(t["status"] in FAILING for t in mine)
        cells = rows[f"check-{c.assignment}-{c.name}"]
        assert (int(cells[4]), int(cells[5])) == (attempted, failed), c.id
    ranked = [key for key in rows if key.startswith("check-")]
    rates = [int(rows[k][5]) / int(rows[k][4]) for k in ranked if int(rows[k][4])]
    assert rates == sorted(rates, reverse=True) and rates[0] > 0  # highest failure rate first
    diagnoses = Counter(t["category"] for t in tests if t["status"] in FAILING
                        and t["category"] != "builds on a failing check")
    shown = [(rows[k][0], int(rows[k][1])) for k in rows if k.startswith("diagnosis-")]
    assert shown == sorted(diagnoses.items(), key=lambda kv: (-kv[1], kv[0]))[:12] and shown


def test_the_students_who_may_need_help_are_listed_with_links_to_their_feedback(klass) -> None:
    parsed = _parse(klass["html"].read_text())
    helped = {key.removeprefix("help-") for key in parsed.rows if key.startswith("help-")}
    assert {"skeleton", "early"} <= helped and "reference" not in helped
    assert parsed.rows["help-skeleton"][3] == str(len(ASSIGNMENTS))
    assert "most not attempted" in parsed.rows["help-early"][5]
    feedback = [link for link in parsed.links if link.endswith("feedback.md")]
    assert len(feedback) == len(helped)
    for link in feedback:
        assert (klass["html"].parent / link).resolve().is_file()


def test_the_per_check_csv_holds_every_student_and_check(klass) -> None:
    results = _results(klass["graded"])
    rows = list(csv.reader(io.StringIO(klass["csv"].read_text())))
    checks = all_checks()
    assert rows[0] == ["student", *(c.id for c in checks), "total"] and rows[1][0] == "(max)"
    by_student = {r[0]: r for r in rows[2:]}
    assert set(by_student) == set(results)
    for student, data in results.items():
        scores = {f"{t['extra_data']['assignment']}::{t['extra_data']['check']}": t["score"] for t in data["tests"]}
        assert [float(x) for x in by_student[student][1:-1]] == [scores[c.id] for c in checks]
        assert float(by_student[student][-1]) == data["score"]


# --- one offline page ---------------------------------------------------------------------------------

def test_the_report_is_one_offline_page_with_every_chart(klass) -> None:
    html = klass["html"].read_text()
    parsed = _parse(html)
    for anchor in CHARTS:
        figure = re.search(rf'<figure id="{anchor}">(.*?)</figure>', html, re.S)
        assert figure and "<svg" in figure.group(1) and "<path" in figure.group(1), anchor
    assert "<title>" in html and html.count("<svg") == len(CHARTS)
    for tag in ("<script", "<link", "<img", "<image", "<iframe", "<object", "<embed", "@import", "@font-face",
                "url(http", '"data:'):
        assert tag not in html.lower(), tag
    assert "http://" not in html and "https://" not in html and "//" not in "".join(parsed.links)
    for link in parsed.links:
        assert link.startswith("#") or (klass["html"].parent / link).resolve().is_file(), link
    inside = [link for link in parsed.links if link.startswith("#")]
    assert all(link[1:] in parsed.ids for link in inside)
    assert len(parsed.ids) == len(set(parsed.ids)), "ids must be unique across the inlined charts"
    assert "wrote the class report" in klass["stdout"]


# --- bad input, nothing lost --------------------------------------------------------------------------

def _snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_report_writes_only_its_two_files(klass, tmp_path) -> None:
    before = _snapshot(klass["graded"])
    elsewhere = _cli("report", str(klass["graded"]), "--out", str(tmp_path / "r.html"))
    assert elsewhere.returncode == 0 and _snapshot(klass["graded"]) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r-checks.csv", "r.html"]
    inside = _cli("report", str(klass["graded"]), "--out", str(klass["graded"] / "class.html"))
    assert inside.returncode == 0, inside.stderr
    after = _snapshot(klass["graded"])
    assert set(after) - set(before) == {"class.html", "class-checks.csv"}
    assert {k: v for k, v in after.items() if k in before} == before
    for name in ("class.html", "class-checks.csv"):
        (klass["graded"] / name).unlink()


@pytest.mark.parametrize("case", ["not a grading output", "folder without results", "another kit version",
                                  "out in a student folder", "not html", "missing assignment"])
def test_bad_input_gets_a_clear_message_and_loses_nothing(klass, tmp_path, case) -> None:
    graded = tmp_path / "graded"
    shutil.copytree(klass["graded"], graded)
    out = tmp_path / "report.html"
    args = [str(graded)]
    if case == "not a grading output":
        args, expected = [str(klass["root"] / "submissions")], "is not a grading output"
    elif case == "folder without results":
        (graded / "newcomer").mkdir()
        expected = "have no results.json: newcomer"
    elif case == "another kit version":
        path = graded / "mutant1" / "results.json"
        data = json.loads(path.read_text())
        data["extra_data"]["kit_version"] = "0.0.1"
        path.write_text(json.dumps(data))
        expected = "was written by kit version 0.0.1"
    elif case == "out in a student folder":
        out, expected = graded / "reference" / "report.html", "inside a student's folder"
    elif case == "not html":
        out, expected = tmp_path / "report.csv", "should name a .html file"
    else:
        path = graded / "early" / "results.json"
        data = json.loads(path.read_text())
        data["tests"] = [t for t in data["tests"] if t["extra_data"]["assignment"] != "a05_datasets"]
        path.write_text(json.dumps(data))
        expected = "graded for different assignments"
    before = _snapshot(graded)
    done = _cli("report", *args, "--out", str(out))
    assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not out.exists() and not out.with_name("report-checks.csv").exists()
    assert _snapshot(graded) == before


# --- homeworks: --assignments ---------------------------------------------------------------------------

def test_a_homework_is_graded_and_reported_out_of_its_own_points(klass, tmp_path) -> None:
    subs = tmp_path / "submissions"
    for student in ("reference", "early"):
        shutil.copytree(klass["root"] / "submissions" / student, subs / student)
    out = tmp_path / "hw1"
    done = _cli("grade", str(subs), "--out", str(out), "--goldens", str(klass["root"] / "goldens.pt"),
                "--assignments", "a01,a02,a03_optimizers,a04", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    possible = sum(c.points for c in all_checks(HOMEWORK))
    reference = json.loads((out / "reference" / "results.json").read_text())
    assert reference["score"] == reference["max_score"] == possible < sum(c.points for c in all_checks())
    assert {t["extra_data"]["assignment"] for t in reference["tests"]} == set(HOMEWORK)
    rows = list(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))
    assert rows[0] == ["student", *HOMEWORK, "total"]
    early = json.loads((out / "early" / "results.json").read_text())  # a01-a03 handed in, a04 not
    assert early["score"] == sum(c.points for c in all_checks(HOMEWORK[:3])) and early["max_score"] == possible
    report = _cli("report", str(out), "--out", str(tmp_path / "hw1.html"))
    assert report.returncode == 0, report.stderr
    summary = [k for k in _parse((tmp_path / "hw1.html").read_text()).rows if k.startswith("summary-")]
    assert summary == [f"summary-{a}" for a in HOMEWORK] + ["summary-total"]
    missing = _cli("report", str(out), "--assignments", "a05", "--out", str(tmp_path / "no.html"))
    assert missing.returncode == 2 and "has no results for a05_datasets" in missing.stderr
    again = _cli("grade", str(subs), "--out", str(out), "--goldens", str(klass["root"] / "goldens.pt"),
                 "--assignments", "a01")
    assert again.returncode == 0 and "graded 2/2" in again.stderr  # other assignments than graded: graded again
    assert list(csv.reader(io.StringIO((out / "gradebook.csv").read_text())))[0] == ["student", "a01_modules", "total"]


def test_the_report_of_a_class_shows_only_the_assignments_asked_for(klass, tmp_path) -> None:
    done = _cli("report", str(klass["graded"]), "--assignments", "a02,a01", "--out", str(tmp_path / "r.html"))
    assert done.returncode == 0, done.stderr
    rows = _parse((tmp_path / "r.html").read_text()).rows
    assert [k for k in rows if k.startswith("summary-")] == ["summary-a01_modules", "summary-a02_autograd",
                                                             "summary-total"]
    assert _number(rows["summary-total"][1]) == sum(c.points for c in all_checks(HOMEWORK[:2]))
    header = next(csv.reader(io.StringIO((tmp_path / "r-checks.csv").read_text())))
    assert header[1:-1] == [c.id for c in all_checks(HOMEWORK[:2])]


def test_record_takes_a_homework(tmp_path) -> None:
    done = _cli("record", "--assignments", "a01,quiz", "--out", str(tmp_path / "g.pt"), "--seed", "3")
    assert done.returncode == 0, done.stderr
    import torch

    recorded = torch.load(tmp_path / "g.pt", weights_only=True)
    assert set(recorded["observations"]) == {c.id for c in all_checks(("a01_modules", "quiz"))}


def test_a_gradescope_bundle_for_a_homework_scores_out_of_its_points(tmp_path) -> None:
    bundle = tmp_path / "hw.zip"
    done = _cli("gradescope", str(bundle), "--seed", "4242", "--assignments", "a01,quiz")
    assert done.returncode == 0 and "grades a01_modules, quiz" in done.stdout, done.stderr
    with zipfile.ZipFile(bundle) as archive:
        assert archive.read("assignments.txt").decode().strip() == "a01_modules,quiz"
        archive.extractall(tmp_path / "root" / "source")
    root = tmp_path / "root"
    for name in ("a01_modules.py", "quiz.py", "a02_autograd.py"):
        (root / "submission").mkdir(exist_ok=True)
        shutil.copy(REFERENCE_DIR / name, root / "submission" / name)
    (root / "results").mkdir()
    os.chmod(root / "source" / "run_autograder", 0o755)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([str(root / "source" / "run_autograder")], cwd=root, env=env, capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == data["max_score"] == sum(c.points for c in all_checks(("a01_modules", "quiz")))
    assert {t["name"].split(":")[0] for t in data["tests"]} == {"a01_modules", "quiz"}
    goldens.record(tmp_path / "a01.pt", seed=5, assignments=["a01_modules"])
    lacking = _cli("gradescope", str(tmp_path / "x.zip"), "--goldens", str(tmp_path / "a01.pt"), "--assignments", "a02")
    assert lacking.returncode == 2 and "no goldens for a02_autograd" in lacking.stderr
    assert not (tmp_path / "x.zip").exists()


# --- pieces -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [("a01,a02", ("a01_modules", "a02_autograd")),
                                                 ("quiz,a01_modules", ("a01_modules", "quiz")),
                                                 ("a03,a03", ("a03_optimizers",))])
def test_assignments_are_a_comma_list_of_short_or_full_names(value, expected) -> None:
    from graders.engine.cli import assignment_list

    assert assignment_list(value) == expected


@pytest.mark.parametrize("value", ["a11", "a01,", "modules", ""])
def test_unknown_assignments_are_refused_by_the_parser(value, capsys) -> None:
    assert cli_main(["report", "graded", "--assignments", value]) == 2
    assert "--assignments" in capsys.readouterr().err


def test_quartiles_are_the_inclusive_ones() -> None:
    values = [0.0, 3.0, 3.5, 10.0, 12.0, 30.0]
    where = spread(values)
    assert (where.q1, where.median, where.q3) == pytest.approx(statistics.quantiles(values, n=4, method="inclusive"))
    assert spread([7.0]).median == 7.0 and spread([]) is None


def test_nearly_every_concept_has_a_topic() -> None:
    topics = [topic_of(c.concept) for c in all_checks()]
    assert sum(t == OTHER for t in topics) <= len(topics) // 10
    assert len(set(topics)) >= 10


def test_the_report_reads_the_results_format_the_grader_writes() -> None:
    assert graded_module.RESULTS_FORMAT == RESULTS_FORMAT


def test_a_missing_instructor_extra_says_how_to_install_it() -> None:
    with pytest.raises(InstructorError, match="requirements-instructor.txt"):
        require("no_such_plotting_library")


def test_the_instructor_extras_are_never_a_student_requirement() -> None:
    extras = ("matplotlib", "copydetect")
    students = (KIT_ROOT / "requirements.txt").read_text()
    instructor = (KIT_ROOT / "requirements-instructor.txt").read_text()
    pyproject = (KIT_ROOT / "pyproject.toml").read_text()
    tox = (KIT_ROOT / "tox.ini").read_text()
    for name in extras:
        assert name not in students and re.search(rf"^{name}>=", instructor, re.M)
        assert re.search(rf'^instructor = \[.*"{name}>=', pyproject, re.M)
    assert "-r requirements-instructor.txt" in tox
    readme = (KIT_ROOT / "README.md").read_text()
    assert "python -m graders report" in readme and "python -m graders similarity" in readme
    assert "(docs/report.png)" in readme and (KIT_ROOT / "docs" / "report.png").stat().st_size < 100_000
