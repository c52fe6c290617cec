"""The Gradescope bundle (``python -m graders gradescope``): its contents, and its run_autograder
executed in a folder laid out like Gradescope's /autograder."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from graders.engine.checks import all_checks
from graders.engine.layout import DEFAULT_SEED
from tests.support import KIT_ROOT, REFERENCE_DIR

SEED = 8675309
HANDED_IN = {"a01_modules", "quiz"}
CPU_INDEX = "--extra-index-url https://download.pytorch.org/whl/cpu"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graders", *args], cwd=KIT_ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    done = _cli("gradescope", str(path), "--seed", str(SEED))
    assert done.returncode == 0, done.stderr
    assert f"seed {SEED}" in done.stdout and "secret" in done.stdout
    return path


def test_the_bundle_holds_the_scripts_graders_and_secret_goldens_but_no_solutions(bundle, tmp_path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        archive.extractall(tmp_path)
    assert {"setup.sh", "run_autograder", "goldens.pt", "requirements.txt", "pyproject.toml", "graders/__init__.py",
            "graders/test_a01_modules.py"} <= names
    assert not [
        n
        for n in names
        if n.split("/")[0] in ("reference", "tests", "tools", "assignments") or "__pycache__" in n
        or n == "graders/goldens.pt"
    ]
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    for name in names - {"goldens.pt"}:
        kit_file = KIT_ROOT / "gradescope" / name if name in ("setup.sh", "run_autograder") else KIT_ROOT / name
        assert (tmp_path / name).read_bytes() == kit_file.read_bytes(), f"{name} should be the kit's, byte for byte"
    recorded = torch.load(tmp_path / "goldens.pt", weights_only=True)
    assert recorded["seed"] == SEED != DEFAULT_SEED
    setup = (tmp_path / "setup.sh").read_text()
    assert f"python3 -m pip install -r requirements.txt {CPU_INDEX}" in setup
    assert subprocess.run(["bash", "-n", str(tmp_path / "setup.sh")]).returncode == 0


def test_given_goldens_are_verified_and_shipped_as_they_are(bundle, tmp_path) -> None:
    with zipfile.ZipFile(bundle) as archive:
        goldens = archive.read("goldens.pt")
    (tmp_path / "g.pt").write_bytes(goldens)
    done = _cli("gradescope", str(tmp_path / "again.zip"), "--goldens", str(tmp_path / "g.pt"))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        assert archive.read("goldens.pt") == goldens
    (tmp_path / "bad.pt").write_text("not goldens")
    refused = _cli("gradescope", str(tmp_path / "bad.zip"), "--goldens", str(tmp_path / "bad.pt"))
    assert refused.returncode == 2 and "not a golden file" in refused.stderr and not (tmp_path / "bad.zip").exists()


def _autograder(bundle: Path, root: Path, files: dict[str, Path], goldens: bytes | None = None) -> dict:
    """Lay ``root`` out like Gradescope's /autograder, run run_autograder, return results.json."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
        mode = archive.getinfo("run_autograder").external_attr >> 16
    if goldens is not None:
        (root / "source" / "goldens.pt").write_bytes(goldens)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")  # Gradescope runs it from /autograder
    os.chmod(root / "run_autograder", mode)
    for name, source in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, root / "submission" / name)
    (root / "submission").mkdir(exist_ok=True)
    (root / "results").mkdir()
    venv_bin = Path(sys.executable).parent  # python3 on PATH is the kit's interpreter
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_gives_a_correct_submission_full_marks_on_what_it_handed_in(bundle, tmp_path) -> None:
    # as uploaded from a GitHub release: files at the top and in assignments/, other files, a link
    files = {"a01_modules.py": REFERENCE_DIR / "a01_modules.py", "assignments/quiz.py": REFERENCE_DIR / "quiz.py",
             "notes.txt": REFERENCE_DIR / "quiz.py"}
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "a02_autograd.py").symlink_to(REFERENCE_DIR / "a02_autograd.py")
    data = _autograder(bundle, tmp_path, files)
    tests = data["tests"]
    assert [t["name"] for t in tests] == [f"{c.assignment}: {c.title}" for c in all_checks()]
    handed_in = [t for t in tests if t["name"].split(":")[0] in HANDED_IN]
    assert handed_in and all(t["status"] == "passed" and t["score"] == t["max_score"] > 0 for t in handed_in)
    assert all(t["score"] == 0 and t["output"].startswith("not handed in") for t in tests if t not in handed_in)
    assert data["score"] == sum(t["max_score"] for t in handed_in) > 0
    assert (
        data["output_format"] == "md" and "a02_autograd          0 / 36" in data["output"] and "total" in data["output"]
    )


def test_run_autograder_gives_a_submission_without_assignment_files_zeros(bundle, tmp_path) -> None:
    data = _autograder(bundle, tmp_path, {"README.md": KIT_ROOT / "README.md"})
    assert data["score"] == 0 and len(data["tests"]) == len(all_checks())
    assert all(t["score"] == 0 and t["status"] == "failed" and "not handed in" in t["output"] for t in data["tests"])


def test_an_instructor_side_failure_still_writes_results_that_say_so(bundle, tmp_path) -> None:
    data = _autograder(bundle, tmp_path, {"a01_modules.py": REFERENCE_DIR / "a01_modules.py"}, goldens=b"not goldens")
    assert (
        data["score"] == 0 and "autograder failed (exit 2)" in data["output"] and "not a golden file" in data["output"]
    )
