"""Red team: hostile submissions against official grading (``python -m graders grade``).

Every attack is a student folder; the whole class is graded once. Each attack
must score nothing it did not earn, leave no process behind, and leave the
student's other assignment (the quiz, handed in correct) graded in full.
Every attack is bounded (loops end, floods stop at a count, sleeps end) so
that it cannot harm the machine even if a defence fails.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from pathlib import Path

import pytest

from graders.engine.checks import all_checks
from graders.engine.grading import goldens
from graders.engine.official.classroom import Options, grade_class
from graders.engine.official.sandbox import SANDBOX_UID_BASE, Limits, is_root
from tests.support import KIT_ROOT, REFERENCE_DIR

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the sandbox is Linux-only")

A01 = (REFERENCE_DIR / "a01_modules.py").read_text(encoding="utf-8")
COUNT = "    return sum(\n        param.numel()"  # start of count_parameters' body in the reference
SECRET = "classmate-secret-4711"
TIMEOUT = 4.0


def at_import(code: str) -> str:
    """The reference a01 with ``code`` run at the end of the import."""
    return A01 + "\n\n" + code + "\n"


def in_function(code: str) -> str:
    """The reference a01 whose count_parameters runs ``code`` first (only its check is at stake)."""
    assert A01.count(COUNT) == 1
    body = "\n".join("    " + line for line in code.strip("\n").splitlines())
    return A01.replace(COUNT, body + "\n" + COUNT)


def wrong_count(text: str) -> str:
    """Also make count_parameters wrong, so that its check can only be earned by cheating."""
    return text.replace(COUNT, "    return 0\n" + COUNT, 1)


WRONG_LINEAR = "out = x @ self.weight.T\n"
LIARS = """
class _Liar(torch.Tensor):
    def __eq__(self, other):
        return True
    __ne__ = lambda self, other: False
    def allclose(self, *a, **k):
        return True
"""

ATTACKS: dict[str, dict[str, str]] = {
    "exit at import": {"a01_modules.py": at_import("import sys\nsys.exit(0)")},
    "os._exit at import": {"a01_modules.py": at_import("import os\nos._exit(0)")},
    "syntax error": {"a01_modules.py": A01 + "\ndef broken(:\n    pass\n"},
    "loop at import": {"a01_modules.py": at_import("import time\n_end = time.time() + 120\nwhile time.time() < _end:\n"
                                                   "    pass")},
    "sys.exit in a function": {"a01_modules.py": in_function("import sys\nsys.exit(0)")},
    "os._exit in a function": {"a01_modules.py": in_function("import os\nos._exit(3)")},
    "KeyboardInterrupt in a function": {"a01_modules.py": in_function("raise KeyboardInterrupt")},
    "pytest.skip in a function": {"a01_modules.py": in_function("import pytest\npytest.skip('nothing to see')")},
    "pytest.exit in a function": {"a01_modules.py": in_function("import pytest\npytest.exit('bye', returncode=0)")},
    "loop in a function, SIGALRM ignored": {
        "a01_modules.py": in_function("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                      "_end = time.time() + 120\nwhile time.time() < _end:\n    pass")
    },
    "dropped pytest and python files": {
        "a01_modules.py": wrong_count(A01.replace(WRONG_LINEAR, "out = x @ self.weight.T * 0\n", 1)),
        "conftest.py": "import pytest\n@pytest.hookimpl(tryfirst=True)\ndef pytest_runtest_makereport(item, call):\n"
                       "    raise SystemExit(0)\n",
        "pytest.ini": "[pytest]\naddopts = -p no:graders\n",
        "sitecustomize.py": "import builtins\nbuiltins.print = None\n",
        "torch.py": "raise SystemExit('fake torch')\n",
        "a01_modules.cpython-311.pyc": "not bytecode",
        "extension.so": "not a library",
    },
    "monkeypatched comparisons and builtins": {
        "a01_modules.py": at_import(
            "import builtins, torch, math\n"
            "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
            "torch.testing.assert_close = lambda *a, **k: None\nmath.isclose = lambda *a, **k: True\n"
            "builtins.isinstance = lambda *a: True\n"
        ).replace(WRONG_LINEAR, "out = x @ self.weight.T + 1\n", 1).replace(COUNT, "    return 0\n" + COUNT, 1)
    },
    "tensor subclass whose __eq__ lies": {
        "a01_modules.py": wrong_count(A01.replace(
            WRONG_LINEAR, "out = (x @ self.weight.T * 0).as_subclass(_Liar)\n", 1
        ).replace(
            "class Linear(nn.Module):", LIARS + "\n\nclass Linear(nn.Module):", 1
        ))
    },
    "object whose __eq__ lies": {
        "a01_modules.py": in_function("class _Any:\n    def __eq__(self, other):\n        return True\n"
                                      "    def __int__(self):\n        return 0\nreturn _Any()")
    },
    "reads the reference and the goldens": {
        "a01_modules.py": at_import(
            "import glob, os, sys\n"
            "_found = []\n"
            f"for _pattern in ({str(KIT_ROOT)!r} + '/reference/*.py', {str(KIT_ROOT)!r} + '/**/*.pt', '/tmp/**/*.pt', "
            "'/proc/*/cmdline'):\n"
            "    for _path in glob.glob(_pattern, recursive=True)[:50]:\n"
            "        try:\n"
            "            _text = open(_path, 'rb').read(100000)\n"
            "        except OSError:\n"
            "            continue\n"
            "        if b'def count_parameters' in _text or b'goldens' in _text or b'.pt' in _text:\n"
            "            _found.append(_path)\n"
            "try:\n"
            "    import reference.a01_modules as _ref  # noqa\n"
            "    _found.append('import reference')\n"
            "except Exception:\n"
            "    pass\n"
            "if _found:\n"
            "    raise RuntimeError('FOUND ' + ' '.join(_found))\n"
        ).replace(COUNT, "    return 0\n" + COUNT, 1)
    },
    "forges results with atexit and the result pipe": {
        "a01_modules.py": at_import(
            "import atexit, json, os, glob\n"
            "def _forge():\n"
            "    for path in glob.glob('/tmp/**/results.json', recursive=True)[:20]:\n"
            "        try:\n"
            "            open(path, 'w').write(json.dumps({'score': 999, 'max_score': 1, 'tests': []}))\n"
            "        except OSError:\n"
            "            pass\n"
            "    for fd in range(3, 64):\n"
            "        try:\n"
            "            os.write(fd, (10**6).to_bytes(8, 'little') + b'forged' * 10)\n"
            "        except OSError:\n"
            "            pass\n"
            "atexit.register(_forge)\n"
            "_forge()\n"
        ).replace(COUNT, "    return -1\n" + COUNT, 1)
    },
    "reads other submissions and the environment": {
        "a01_modules.py": in_function(
            "import glob, os\n"
            "_seen = []\n"
            "for _path in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline'):\n"
            "    try:\n"
            "        _seen.append(open(_path, 'rb').read(4096).decode('latin-1'))\n"
            "    except OSError:\n"
            "        pass\n"
            "for _path in glob.glob('/tmp/**/victim/*.py', recursive=True)[:20]:\n"
            "    try:\n"
            "        _seen.append(open(_path).read())\n"
            "    except OSError:\n"
            "        pass\n"
            f"_hits = [s for s in _seen if {SECRET!r} in s or 'victim' in s]\n"
            "raise ValueError('LEAK ' + repr(_hits)[:300])\n"
        )
    },
    "memory flood (bounded)": {
        "a01_modules.py": in_function("_hog = []\nfor _ in range(48):\n    _hog.append(bytearray(64 * 2**20))\n"
                                      "return 0")
    },
    "process flood and double fork (bounded)": {
        "a01_modules.py": in_function(
            "import os, time\n"
            "for _ in range(100):\n"
            "    try:\n"
            "        pid = os.fork()\n"
            "    except OSError:\n"
            "        break\n"
            "    if pid == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            time.sleep(60)\n"
            "        os._exit(0)\n"
            "return 0"
        )
    },
    "opens a socket": {
        "a01_modules.py": in_function(
            "import socket\n"
            "_s = socket.create_connection(('127.0.0.1', PORT), timeout=2)\n"
            "_s.sendall(b'leak')\n"
            "return 0"
        )
    },
}


def _student_files(name: str, files: dict[str, str], port: int) -> dict[str, str]:
    out = {"quiz.py": (REFERENCE_DIR / "quiz.py").read_text(encoding="utf-8")}
    for fname, text in files.items():
        out[fname] = text.replace("PORT", str(port))
    return out


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _sandbox_processes() -> list[str]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        uid = int(next(line.split()[1] for line in text.splitlines() if line.startswith("Uid:")))
        if SANDBOX_UID_BASE <= uid < SANDBOX_UID_BASE + 16:
            found.append(status.parent.name)
    return found


@pytest.fixture(scope="module")
def listener():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    yield server
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    root = tmp_path_factory.mktemp("redteam")
    subs, out = root / "submissions", root / "out"
    port = listener.getsockname()[1]
    for i, (name, files) in enumerate(ATTACKS.items()):
        folder = subs / f"attack{i:02d}"
        folder.mkdir(parents=True)
        for fname, text in _student_files(name, files, port).items():
            (folder / fname).write_text(text, encoding="utf-8")
    (subs / "victim").mkdir()
    (subs / "victim" / "a01_modules.py").write_text(A01 + f"\n# {SECRET}\n", encoding="utf-8")
    (subs / "honest").mkdir()
    for fname in ("a01_modules.py", "quiz.py"):
        (subs / "honest" / fname).write_text((REFERENCE_DIR / fname).read_text(encoding="utf-8"), encoding="utf-8")
    path = root / "goldens.pt"
    goldens.record(path, seed=77)
    before = _tree_digest(subs)
    start = time.monotonic()
    outcomes = grade_class(Options(subs, out, goldens.Goldens(path), jobs=2, timeout=TIMEOUT,
                                   limits=Limits(memory_mb=768, processes=32)))
    elapsed = time.monotonic() - start
    time.sleep(0.5)
    connections = 0
    try:
        while True:
            listener.accept()[0].close()
            connections += 1
    except OSError:
        pass
    return {"outcomes": outcomes, "out": out, "subs": subs, "before": before, "elapsed": elapsed,
            "connections": connections}


def _scores(graded, student: str) -> dict[str, dict[str, float]]:
    data = json.loads((graded["out"] / student / "results.json").read_text())
    per: dict[str, dict[str, float]] = {}
    for test in data["tests"]:
        assignment, title = test["name"].split(": ", 1)
        per.setdefault(assignment, {})[title] = test["score"]
    return per


def _max(assignment: str) -> float:
    return sum(c.points for c in all_checks([assignment]))


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_attack_earns_nothing_and_the_quiz_is_still_graded(graded, attack) -> None:
    student = f"attack{list(ATTACKS).index(attack):02d}"
    scores = _scores(graded, student)
    assert sum(scores["quiz"].values()) == _max("quiz"), f"{attack}: the quiz was not graded in full"
    honest = _scores(graded, "honest")["a01_modules"]
    a01 = scores["a01_modules"]
    assert sum(a01.values()) < sum(honest.values()), f"{attack}: scored full marks on a01"
    count_check = next(t for t in a01 if t.startswith("count_parameters"))
    assert a01[count_check] == 0, f"{attack}: earned the count_parameters check"
    feedback = (graded["out"] / student / "feedback.md").read_text()
    assert SECRET not in feedback and "FOUND" not in feedback, f"{attack}: read something it must not:\n{feedback}"


def test_attacks_that_break_one_function_keep_the_other_checks(graded) -> None:
    honest = _scores(graded, "honest")["a01_modules"]
    for attack in ("sys.exit in a function", "os._exit in a function", "KeyboardInterrupt in a function",
                   "pytest.skip in a function", "pytest.exit in a function", "loop in a function, SIGALRM ignored",
                   "memory flood (bounded)", "process flood and double fork (bounded)"):
        a01 = _scores(graded, f"attack{list(ATTACKS).index(attack):02d}")["a01_modules"]
        lost = [t for t in a01 if a01[t] != honest[t]]
        assert len(lost) == 1 and lost[0].startswith("count_parameters"), f"{attack}: lost {lost}"


def test_honest_and_victim_students_get_full_marks(graded) -> None:
    for student in ("honest", "victim"):
        a01 = _scores(graded, student)["a01_modules"]
        assert sum(a01.values()) == _max("a01_modules")


def test_no_network_no_leftover_process_no_changed_file(graded) -> None:
    assert graded["connections"] == 0 or not is_root(), "a sandboxed child reached a socket on the host"
    assert _tree_digest(graded["subs"]) == graded["before"], "grading changed a submission"
    if is_root():
        assert _sandbox_processes() == [], "sandboxed processes survived grading"


def test_the_dropped_files_are_ignored_and_named(graded) -> None:
    student = f"attack{list(ATTACKS).index('dropped pytest and python files'):02d}"
    feedback = (graded["out"] / student / "feedback.md").read_text()
    assert "ignored (not assignment files)" in feedback and "conftest.py" in feedback and "torch.py" in feedback


def test_timeouts_are_decided_by_the_parent_and_name_the_limit(graded) -> None:
    student = f"attack{list(ATTACKS).index('loop in a function, SIGALRM ignored'):02d}"
    feedback = (graded["out"] / student / "feedback.md").read_text()
    assert f"did not finish within {TIMEOUT:g} s" in feedback
    loop_import = (graded["out"] / f"attack{list(ATTACKS).index('loop at import'):02d}" / "feedback.md").read_text()
    assert "importing a01_modules did not finish" in loop_import
    assert graded["elapsed"] < 240
