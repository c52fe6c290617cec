"""Synthetic classes built from the kit's own variants, for the class report and the similarity check.

A copied hand-in is made the way students disguise one: local variables
renamed (:func:`rename_locals`), top-level functions in another order
(:func:`reorder_functions`), or handed in as a notebook (:func:`as_notebook`).
Every text is derived from ``reference/``, ``assignments/`` and
``tests/variants`` by code, never stored.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import random
import re
import tokenize
from pathlib import Path

from tests.support import ASSIGNMENTS, ASSIGNMENTS_DIR, REFERENCE_DIR, Variant
from tests.variants import ALTERNATIVES, MUTANTS

CODE_ASSIGNMENTS = tuple(a for a in ASSIGNMENTS if a != "quiz" and (REFERENCE_DIR / f"{a}.py").is_file())


def reference(assignment: str) -> str:
    return (REFERENCE_DIR / f"{assignment}.py").read_text(encoding="utf-8")


def skeleton(assignment: str) -> str:
    return (ASSIGNMENTS_DIR / f"{assignment}.py").read_text(encoding="utf-8")


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name))
    return names


def _renamable(source: str) -> set[str]:
    """Names assigned inside functions that are not parameters, module names, builtins or used in strings."""
    tree = ast.parse(source)
    assigned: set[str] = set()
    declared: set[str] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for node in ast.walk(fn):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    assigned.add(node.id)
                elif isinstance(node, (ast.Global, ast.Nonlocal)):
                    declared.update(node.names)
    params = {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    in_strings = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            in_strings.update(re.findall(r"[A-Za-z_]\w*", tok.string))
    forbidden = params | _module_names(tree) | declared | in_strings | set(dir(builtins)) | {"self", "cls", "_"}
    return {n for n in assigned - forbidden if not keyword.iskeyword(n)}


def rename_locals(source: str, *, seed: int = 0) -> str:
    """``source`` with the local variables of its functions renamed (``w0``, ``w1``, ...), consistently.

    Attribute names (after a dot) and keyword arguments (``f(name=...)``) keep their spelling.
    """
    names = sorted(_renamable(source))
    random.Random(seed).shuffle(names)
    mapping = {name: f"w{i}" for i, name in enumerate(names)}
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits: list[tuple[int, int, int, str]] = []
    depth: list[str] = []
    significant = [t for t in tokens if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT,
                                                       tokenize.INDENT, tokenize.DEDENT)]
    for n, tok in enumerate(significant):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth.append(tok.string)
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth.pop()
        if tok.type != tokenize.NAME or tok.string not in mapping:
            continue
        before = significant[n - 1].string if n else ""
        after = significant[n + 1].string if n + 1 < len(significant) else ""
        if before == "." or (after == "=" and depth and depth[-1] == "("):
            continue
        edits.append((tok.start[0], tok.start[1], tok.end[1], mapping[tok.string]))
    lines = source.splitlines(keepends=True)
    for row, start, end, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines)


def _start(node: ast.stmt) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _segments(lines: list[str], nodes: list[ast.stmt], end: int) -> list[list[str]]:
    """The lines of each statement up to the next one (trailing blank lines dropped)."""
    starts = [_start(n) for n in nodes]
    ends = [*(s - 1 for s in starts[1:]), end]
    segments = []
    for s, e in zip(starts, ends):
        segment = lines[s - 1 : e]
        while segment and not segment[-1].strip():
            segment.pop()
        segments.append(segment)
    return segments


def _reverse_functions(nodes: list[ast.stmt], segments: list[list[str]]) -> None:
    """Reverse the order of the undecorated function definitions among ``segments``, in place."""
    slots = [i for i, n in enumerate(nodes) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and not n.decorator_list]
    moved = [segments[i] for i in reversed(slots)]
    for slot, segment in zip(slots, moved):
        segments[slot] = segment


def _joined(segments: list[list[str]], blank: int) -> list[str]:
    out: list[str] = []
    for n, segment in enumerate(segments):
        out += ([""] * blank if n else []) + segment
    return out


def reorder_functions(source: str) -> str:
    """``source`` with its functions and each class's methods in reverse order (decorated ones stay put)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    segments = _segments(lines, tree.body, len(lines))
    for i, node in enumerate(tree.body):
        if isinstance(node, ast.ClassDef):
            first = _start(node.body[0])
            inner = _segments(lines, node.body, node.end_lineno or first)
            _reverse_functions(node.body, inner)
            head = lines[_start(node) - 1 : first - 1]
            after = segments[i][(node.end_lineno or first) - _start(node) + 1 :]
            segments[i] = head + _joined(inner, 1) + after
    _reverse_functions(tree.body, segments)
    prefix = lines[: _start(tree.body[0]) - 1]
    return "\n".join(prefix + _joined(segments, 2)) + "\n"


def as_notebook(source: str, assignment: str) -> str:
    """``source`` as a notebook the way the kit exports one (docstrings in markdown, code in cells)."""
    import nbformat

    from graders.engine.publish.notebook_export import notebook_from_source

    return nbformat.writes(notebook_from_source(source, assignment)) + "\n"


def disguised(source: str, *, seed: int = 0) -> str:
    """A copy as a student would hide it: variables renamed, functions reordered."""
    return reorder_functions(rename_locals(source, seed=seed))


def first_alternative(assignment: str) -> Variant | None:
    return next((v for v in ALTERNATIVES if v.assignment == assignment), None)


def mutants_of(assignment: str) -> list[Variant]:
    return [v for v in MUTANTS if v.assignment == assignment]


def alternative_source(assignment: str) -> str:
    alt = first_alternative(assignment)
    return alt.source() if alt else reference(assignment)


def write_student(root: Path, student: str, files: dict[str, str]) -> Path:
    """``root/student/`` holding ``files`` (name -> text)."""
    folder = root / student
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    return folder


def _reference_files(assignments: tuple[str, ...] = ASSIGNMENTS) -> dict[str, str]:
    return {f"{a}.py": reference(a) for a in assignments if (REFERENCE_DIR / f"{a}.py").is_file()}


def random_class(
    root: Path, *, students: int, seed: int = 0, copies: int = 3, notebooks: float = 0.1
) -> list[tuple[str, str, str]]:
    """``students`` folders of random hand-ins under ``root``; returns the copied pairs (assignment, from, to).

    Each student hands in each assignment with a chance: the reference, a mutant of it (a realistic mistake)
    or an alternative, with local variables renamed (no two students alike), now and then as a notebook,
    sometimes the untouched skeleton or nothing. ``copies`` pairs copy an assignment from another student,
    disguised (renamed, reordered).
    """
    rng = random.Random(seed)
    names = [f"s{n:03d}" for n in range(students)]
    files: dict[str, dict[str, str]] = {name: {} for name in names}
    for name in names:
        for a in CODE_ASSIGNMENTS:
            roll = rng.random()
            if roll < 0.05:
                continue
            if roll < 0.1:
                text = skeleton(a)
            elif roll < 0.5 and mutants_of(a):
                text = rng.choice(mutants_of(a)).source()
            elif roll < 0.65:
                text = alternative_source(a)
            else:
                text = reference(a)
            if roll >= 0.1:
                text = rename_locals(text, seed=rng.randrange(10**6))
            if rng.random() < notebooks:
                files[name][f"{a}.ipynb"] = as_notebook(text, a)
            else:
                files[name][f"{a}.py"] = text
        files[name]["quiz.py"] = reference("quiz") if rng.random() < 0.8 else skeleton("quiz")
    copied = []
    for _ in range(copies):
        source, target = rng.sample(names, 2)
        a = rng.choice(CODE_ASSIGNMENTS)
        if files[source].get(f"{a}.py", skeleton(a)) != skeleton(a):  # a skeleton copied copies nothing
            files[target].pop(f"{a}.ipynb", None)
            files[target][f"{a}.py"] = disguised(files[source][f"{a}.py"], seed=rng.randrange(10**6))
            copied.append((a, source, target))
    for name in names:
        write_student(root, name, files[name])
    return copied


def build_graded_class(root: Path) -> dict[str, str]:
    """Eight students made from the variants, for the class report; returns student -> what they are.

    ``reference`` (full marks), ``skeleton`` (nothing attempted), ``early`` (the reference of the
    first three assignments only), ``mutant1`` and ``mutant2`` (a mistake in several assignments),
    ``broken`` (one file that does not import, one mutant), ``alternative`` (the first valid
    alternative of each assignment), ``copycat`` (``alternative`` disguised, a01 as a notebook).
    """
    made = {
        "reference": "the reference",
        "skeleton": "the skeletons",
        "early": "the reference of the first three assignments only",
        "mutant1": "the first mutant of every other assignment",
        "mutant2": "the second mutant of a01, a03, a05, a07",
        "broken": "a02 that does not import, a04's first mutant",
        "alternative": "the first alternative of each assignment",
        "copycat": "alternative, renamed and reordered; a01 as a notebook",
    }
    write_student(root, "reference", _reference_files())
    write_student(root, "skeleton", {f"{a}.py": skeleton(a) for a in ASSIGNMENTS})
    write_student(root, "early", _reference_files(CODE_ASSIGNMENTS[:3]))
    first = {a: mutants_of(a)[0].source() for a in CODE_ASSIGNMENTS[::2]}
    write_student(root, "mutant1", {**_reference_files(), **{f"{a}.py": s for a, s in first.items()}})
    second = {a: mutants_of(a)[1].source() for a in CODE_ASSIGNMENTS[:7:2]}
    write_student(root, "mutant2", {**_reference_files(), **{f"{a}.py": s for a, s in second.items()}})
    broken = {"a02_autograd.py": reference("a02_autograd").replace("import torch", "import torch as", 1),
              f"{CODE_ASSIGNMENTS[3]}.py": mutants_of(CODE_ASSIGNMENTS[3])[0].source()}
    write_student(root, "broken", {**_reference_files(), **broken})
    alternative = {**_reference_files(), **{f"{a}.py": alternative_source(a) for a in CODE_ASSIGNMENTS}}
    write_student(root, "alternative", alternative)
    copy = {name: disguised(text, seed=7) if name != "quiz.py" else text for name, text in alternative.items()}
    copy["a01_modules.ipynb"] = as_notebook(copy.pop("a01_modules.py"), "a01_modules")
    write_student(root, "copycat", copy)
    return made
