"""Notebook hand-ins: generated student notebooks, grading an .ipynb like a .py, robust reading."""

from __future__ import annotations

import ast
import hashlib
import json
import pickle
import shutil
from pathlib import Path

import nbformat
import pytest
import torch
from nbformat.v4 import new_code_cell, new_markdown_cell
from torch.utils.data import DataLoader

from graders.engine.checks import all_checks
from graders.engine.cli import main
from graders.engine.grading.pipeline import grade
from graders.engine.layout import NOTEBOOKS_DIR
from graders.engine.loading.implementation import Implementation
from graders.engine.loading.notebooks import strip_magics
from graders.engine.publish.notebook_export import markdown, notebook_from_source, write_notebooks
from tests.support import ASSIGNMENTS, ASSIGNMENTS_DIR, REFERENCE_DIR, by_name

GRADED = sorted({c.assignment for c in all_checks()})


def reference_notebook(name: str) -> nbformat.NotebookNode:
    return notebook_from_source((REFERENCE_DIR / f"{name}.py").read_text(encoding="utf-8"), name)


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def definition_cell(nb: nbformat.NotebookNode, name: str) -> int:
    """Index of the code cell defining ``name``."""
    return next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.metadata["kit"].get("definition") == name
    )


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# --- student notebooks from the skeletons --------------------------------------------------

def test_committed_notebooks_equal_a_fresh_generation(tmp_path) -> None:
    written = write_notebooks(ASSIGNMENTS_DIR, tmp_path)
    assert written, "no skeleton was converted"
    fresh = {p.name: p.read_bytes() for p in written}
    committed = {p.name: p.read_bytes() for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    stale = sorted(n for n in fresh.keys() | committed.keys() if fresh.get(n) != committed.get(n))
    assert not stale, f"notebooks/ is out of date with assignments/ ({stale}): run `python -m graders notebooks`"


def test_generation_is_deterministic(tmp_path) -> None:
    one = write_notebooks(ASSIGNMENTS_DIR, tmp_path / "one")
    two = write_notebooks(ASSIGNMENTS_DIR, tmp_path / "two")
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


@pytest.mark.parametrize("name", [n for n in ASSIGNMENTS if (ASSIGNMENTS_DIR / f"{n}.py").exists()])
def test_a_notebook_has_a_cell_per_definition_with_its_docstring_as_markdown(name) -> None:
    source = (ASSIGNMENTS_DIR / f"{name}.py").read_text(encoding="utf-8")
    nb = notebook_from_source(source, name)
    nbformat.validate(nb)
    assert nb.nbformat == 4 and len({c.id for c in nb.cells}) == len(nb.cells)
    assert all(c.metadata["kit"]["assignment"] == name for c in nb.cells)
    tree = ast.parse(source)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert ast.get_docstring(tree).split("\n\n")[1].split()[0] in nb.cells[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].metadata["kit"]["role"] == "imports" and "import" in code[0].source
    definitions = [n for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))]
    assert [c.metadata["kit"].get("definition") for c in code[1:]] == [d.name for d in definitions]
    for node, cell in zip(definitions, code[1:]):
        spec = nb.cells[nb.cells.index(cell) - 1]
        assert spec.cell_type == "markdown" and spec.metadata["kit"] == {"assignment": name, "role": "specification",
                                                                         "definition": node.name}
        assert node.name in spec.source and markdown(ast.get_docstring(node)).splitlines()[0] in spec.source
        compiled = ast.parse(cell.source).body
        assert len(compiled) == 1 and compiled[0].name == node.name and ast.get_docstring(compiled[0]) is None
    # the notebook's code is the file's code: same definitions, same statements
    module = ast.parse("\n\n".join(c.source for c in code))
    assert ast.dump(module) == ast.dump(ast.parse(_without_docstrings(tree)))


def _without_docstrings(tree: ast.Module) -> ast.Module:
    tree.body = tree.body[1:]
    for node in tree.body:
        for child in [node, *getattr(node, "body", [])] if isinstance(node, ast.ClassDef) else [node]:
            if isinstance(child, (ast.ClassDef, ast.FunctionDef)) and ast.get_docstring(child) is not None:
                child.body = child.body[1:] or [ast.Pass()]
    return tree


def test_docstrings_become_readable_markdown() -> None:
    doc = '''Title line.

    Tasks
    -----
    Task 1: ``Linear`` -- a layer, see :class:`torch.nn.Linear`.

    Run this::

        python -c "print(1)"

    Args:
        x (Tensor): the input,
            of any shape.

    Example:
        >>> f(1)
        2
    '''
    text = markdown(doc)
    assert "## Tasks" in text and "- Task 1: `Linear` -- a layer, see `torch.nn.Linear`." in text
    assert "Run this:\n\n```\npython -c \"print(1)\"\n```" in text
    assert "**Args:**\n\n- `x` (Tensor): the input, of any shape." in text
    assert "```python\n>>> f(1)\n2\n```" in text


def test_cli_writes_notebooks(tmp_path, capsys) -> None:
    assert main(["notebooks", "--out", str(tmp_path), "--assignment", "a01_modules"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["a01_modules.ipynb"] and "wrote" in capsys.readouterr().out
    assert main(["notebooks", "--out", str(tmp_path), "--assignment", "a99_nothing"]) == 2


def test_skeleton_notebooks_read_not_attempted(tmp_path, live_reference) -> None:
    write_notebooks(ASSIGNMENTS_DIR, tmp_path)
    outcomes = grade(tmp_path, GRADED, reference=live_reference)
    assert outcomes and all(o.status == "not_attempted" for o in outcomes), [
        o.check_id for o in outcomes if o.status != "not_attempted"
    ]


# --- grading notebooks ----------------------------------------------------------------------

def test_the_reference_as_notebooks_scores_full_marks(tmp_path, live_reference) -> None:
    write_notebooks(REFERENCE_DIR, tmp_path)
    outcomes = grade(tmp_path, GRADED, reference=live_reference)
    failed = [f"{o.check_id}: {o.status}\n{o.message}" for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert {o.assignment for o in outcomes} == set(GRADED)


def test_a_notebook_imports_the_other_notebooks_by_module_name(tmp_path) -> None:
    write_notebooks(REFERENCE_DIR, tmp_path)
    impl = Implementation(tmp_path)
    capstone = impl.load("a09_capstone")
    assert capstone.module is not None and not capstone.notes, capstone.problem or capstone.notes
    linear = capstone.module.Linear
    assert linear.__module__ == "a01_modules" and linear is impl.load("a01_modules").module.Linear
    assert impl.sources.owns(capstone.module.__file__) and not Path(capstone.module.__file__).is_relative_to(tmp_path)


REALISTIC = [
    ("code", "%matplotlib inline\n!touch {tmp}/shell_ran\nimport a_module_that_is_not_installed"),
    ("code", "x = torch.ones(2, 3)\nprint(x.shape)"),
    ("code", ""),
    ("markdown", "## My notes\nLinear? is how Jupyter shows help."),
    ("code", "Linear?\n?MLP\nfiles = !ls\ncount = 3  # how many? (a comment ending in ?)"),
    ("code", "%%time\nopen('{tmp}/time_cell_ran', 'w').close()"),
    ("code", "%%bash\ntouch {tmp}/bash_ran"),
    ("code",
     "layer = Linear(3, 2)\nprint(layer(torch.ones(1, 3)))\nassert layer.weight.shape == (3, 2), 'my scratch check'"),
    ("code", "print(undefined_name)"),
    ("code",
     "def helper(x: NotDefinedAnywhere) -> int:\n    '''%% and ! inside a string: not magic\n!ls\n'''\n    return 1"),
    ("code", "def half_written(:\n    pass"),
    ("code", "import sys\nsys.exit('leaving early')"),
    ("code", "print(count_parameters(MLP([3, 4, 2])))"),
]


def realistic_notebook(tmp: Path) -> nbformat.NotebookNode:
    """The reference's a01 with a student's exploration: magics, prints, an empty cell, failing cells."""
    nb = reference_notebook("a01_modules")
    at = definition_cell(nb, "Linear")
    cells = [new_code_cell(s.format(tmp=tmp)) if k == "code" else new_markdown_cell(s) for k, s in REALISTIC]
    nb.cells[at:at] = cells[:1]  # between the definitions too
    nb.cells += cells[1:]
    return nb


def test_a_realistic_student_notebook_scores_full_marks_with_notes(tmp_path, live_reference) -> None:
    impl = tmp_path / "sub"
    nb = realistic_notebook(tmp_path)
    save(nb, impl / "a01_modules.ipynb")
    outcomes = grade(impl, ["a01_modules"], reference=live_reference)
    assert outcomes and all(o.passed for o in outcomes), [
        f"{o.check_id}: {o.message}" for o in outcomes if not o.passed
    ]
    assert not any((tmp_path / f).exists() for f in ("shell_ran", "time_cell_ran", "bash_ran")), "a magic was executed"
    notes = "\n".join(Implementation(impl).load("a01_modules").notes)
    number = {c.source: i for i, c in enumerate(nb.cells, 1)}

    def cell(fragment: str) -> int:
        return next(n for s, n in number.items() if fragment in s)

    assert f"cell {cell('%matplotlib')} `%matplotlib inline`" in notes and "`!touch" in notes
    assert f"cell {cell('?MLP')} `Linear?`" in notes and "`?MLP`" in notes and "`files = !ls`" in notes
    assert f"cell {cell('%%time')} `%%time` cell" in notes and "`%%bash` cell" in notes
    assert "count = 3" not in notes and "NotDefinedAnywhere" not in notes  # a comment; a postponed annotation
    assert f"cell {cell('a_module_that_is_not')} raised ModuleNotFoundError" in notes
    assert f"cell {cell('my scratch check')} raised AssertionError: my scratch check" in notes
    assert f"cell {cell('undefined_name')} raised NameError" in notes
    assert f"a01_modules.ipynb, cell {cell('undefined_name')}, line 1, in <module>" in notes
    assert (
        f"cell {cell('half_written')} did not run: SyntaxError" in notes
        and f"(cell {cell('half_written')}, line 1)" in notes
    )
    assert f"cell {cell('sys.exit')} raised SystemExit: leaving early" in notes


def test_notes_and_cell_locations_reach_failing_checks(tmp_path, live_reference) -> None:
    nb = reference_notebook("a01_modules")
    at = definition_cell(nb, "Linear")
    assert "out = x @ self.weight.T" in nb.cells[at].source
    nb.cells[at].source = nb.cells[at].source.replace("out = x @ self.weight.T",
                                                      "out = x @ self.weight.T @ self.weight", 1)
    standardize = definition_cell(nb, "Standardize")
    nb.cells[standardize].source = nb.cells[standardize].source.replace("def forward(self", "def forward(self,,", 1)
    nb.cells.insert(0, new_code_cell("%matplotlib inline"))
    save(nb, tmp_path / "a01_modules.ipynb")
    outcomes = by_name(grade(tmp_path, ["a01_modules"], reference=live_reference))
    forward = outcomes["linear_forward"]
    line = [code.strip() for code in nb.cells[at + 1].source.splitlines()].index("out = out + self.bias") + 1
    assert forward.status == "error"
    assert f"a01_modules.ipynb, cell {at + 2}, line {line}, in forward\n      out = out + self.bias" in forward.message
    assert "note: a01_modules.ipynb: the grader does not run IPython magics" in forward.message
    broken = [outcomes["standardize_buffers"], outcomes["standardize_forward"]]
    assert all(o.status == "error" and "has no attribute 'Standardize'" in o.message for o in broken)
    assert all(f"note: a01_modules.ipynb, cell {standardize + 2} did not run: SyntaxError" in o.message for o in broken)
    assert outcomes["mlp_structure"].passed


MALFORMED = {
    "invalid JSON": (b'{"cells": [', "is not valid notebook JSON (Expecting value at line 1, column 12)"),
    "empty file": (b"", "is empty"),
    "UTF-8 byte-order mark": (b"\xef\xbb\xbf" + json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                            "cells": []}).encode(), "byte-order mark"),
    "not UTF-8": ('{"nbformat": 4, "cells": ["é"]}'.encode("latin-1"), "is not UTF-8"),
    "top-level list": (b"[]", "should hold a JSON object (a notebook), but got a JSON array"),
    "nbformat 3": (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}).encode(),
                   "nbformat=3"),
    "nbformat 5": (json.dumps({"nbformat": 5, "nbformat_minor": 0, "metadata": {}, "cells": []}).encode(),
                   "nbformat=5"),
    "no nbformat": (json.dumps({"metadata": {}, "cells": []}).encode(), "nbformat=None"),
    "cells not a list": (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}).encode(),
                         "cells should be a list, but got cells={}"),
    "source a number": (
        json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                    "cells": [{"cell_type": "code", "source": 5, "metadata": {}, "outputs": [],
                               "execution_count": None}]}).encode(),
        "cell 1's source should be a string or a list of strings, but got source=5",
    ),
    "source a list of numbers": (
        json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                    "cells": [{"cell_type": "markdown", "source": [1, 2], "metadata": {}}]}).encode(),
        "but got source=[1, 2]",
    ),
    "unknown cell type": (
        json.dumps({"nbformat": 4, "nbformat_minor": 4, "metadata": {},
                    "cells": [{"cell_type": "python", "source": "", "metadata": {}}]}).encode(),
        "cell 1's cell_type should be one of ['code', 'markdown', 'raw'], but got cell_type='python'",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_notebook_costs_only_its_assignment(tmp_path, live_reference, case) -> None:
    data, expected = MALFORMED[case]
    (tmp_path / "a01_modules.ipynb").write_bytes(data)
    shutil.copy(REFERENCE_DIR / "quiz.py", tmp_path / "quiz.py")
    outcomes = grade(tmp_path, ["a01_modules", "quiz"], reference=live_reference)
    a01 = [o for o in outcomes if o.assignment == "a01_modules"]
    assert a01 and all(o.status == "import_error" and o.score == 0 for o in a01)
    assert "a01_modules.ipynb" in a01[0].message and expected in a01[0].message, a01[0].message
    assert all(o.passed for o in outcomes if o.assignment == "quiz")


def test_schema_slips_that_do_not_matter_are_graded_with_a_note(tmp_path, live_reference) -> None:
    nb = json.loads(nbformat.writes(reference_notebook("quiz")))
    for cell in nb["cells"]:
        cell.pop("metadata")
    (tmp_path / "quiz.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    assert all(o.passed for o in grade(tmp_path, ["quiz"], reference=live_reference))
    notes = Implementation(tmp_path).load("quiz").notes
    assert len(notes) == 1 and "does not follow the notebook format exactly" in notes[0] and "graded anyway" in notes[0]


def test_when_both_files_exist_the_py_is_graded_and_the_notebook_named(tmp_path, live_reference) -> None:
    shutil.copy(ASSIGNMENTS_DIR / "a01_modules.py", tmp_path / "a01_modules.py")
    save(reference_notebook("a01_modules"), tmp_path / "a01_modules.ipynb")
    outcomes = grade(tmp_path, ["a01_modules"], reference=live_reference)
    assert outcomes and all(o.status == "not_attempted" for o in outcomes)
    assert all("a01_modules.py was graded and a01_modules.ipynb ignored" in o.message for o in outcomes)


def test_grading_never_modifies_a_notebook_submission(tmp_path, live_reference) -> None:
    impl = tmp_path / "sub"
    save(realistic_notebook(tmp_path), impl / "a01_modules.ipynb")
    write_notebooks(REFERENCE_DIR, impl, ["quiz"])
    before = tree_digest(impl)
    grade(impl, ["a01_modules", "quiz"], reference=live_reference)
    assert tree_digest(impl) == before


SQUARES = '''
class Squares(torch.utils.data.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        return torch.tensor([i * i])
'''


@pytest.mark.parametrize("context", ["fork", "spawn"])
def test_classes_of_a_notebook_pickle_and_cross_to_dataloader_workers(tmp_path, context) -> None:
    nb = reference_notebook("a01_modules")
    nb.cells += [new_code_cell(SQUARES), new_code_cell("raise RuntimeError('scratch cell')"),
                 new_code_cell("%matplotlib inline")]
    save(nb, tmp_path / "a01_modules.ipynb")
    impl = Implementation(tmp_path)
    module = impl.load("a01_modules").module
    with impl.active():
        assert type(pickle.loads(pickle.dumps(module.Squares()))) is module.Squares
        layer = pickle.loads(pickle.dumps(module.Linear(2, 3)))
        assert isinstance(layer, module.Linear)
        loader = DataLoader(module.Squares(), batch_size=2, num_workers=2, multiprocessing_context=context)
        assert torch.cat(list(loader)).flatten().tolist() == [0, 1, 4, 9, 16, 25]


# --- magics ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "source, skipped",
    [
        ("%matplotlib inline\nx = 1", ["`%matplotlib inline`"]),
        ("!pip install x\nfiles = !ls\nt = %timeit -o f()",
         ["`!pip install x`", "`files = !ls`", "`t = %timeit -o f()`"]),
        ("Linear?\nnn.Linear??\n?MLP", ["`Linear?`", "`nn.Linear??`", "`?MLP`"]),
        ("\n%%bash\necho hi", ["`%%bash` cell"]),
        ("s = '''\n%not magic\n!nor this?\n'''\nx = (1\n% 2)\ny = 3  # why?\nz = a != b", []),
        ("for i in range(2):\n    %time f(i)", ["`%time f(i)`"]),
    ],
)
def test_ipython_lines_are_commented_out_and_reported(source, skipped) -> None:
    lines, found = strip_magics(source)
    assert found == skipped
    assert len(lines) == len(source.split("\n"))
    compile("\n".join(lines), "<cell>", "exec")
