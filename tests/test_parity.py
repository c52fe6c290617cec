"""Skeletons and reference are identical except for the bodies students write."""

from __future__ import annotations

import ast

import pytest

from tests.support import ASSIGNMENTS, ASSIGNMENTS_DIR, REFERENCE_DIR


def _functions(tree: ast.AST, prefix: str = ""):
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")


def _doc_and_rest(node: ast.FunctionDef) -> tuple[list[ast.stmt], list[ast.stmt]]:
    body = node.body
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        return body[:1], body[1:]
    return [], body


def _stub_message(node: ast.FunctionDef) -> str | None:
    """The NotImplementedError message if the body is a stub, else None."""
    _, rest = _doc_and_rest(node)
    if len(rest) == 1 and isinstance(rest[0], ast.Raise) and isinstance(rest[0].exc, ast.Call):
        call = rest[0].exc
        if isinstance(call.func, ast.Name) and call.func.id == "NotImplementedError":
            args = call.args
            return args[0].value if args and isinstance(args[0], ast.Constant) else ""
    return None


def _normalized(tree: ast.Module, stubs: set[str], quiz: bool) -> list[str]:
    for qualname, node in _functions(tree):
        if qualname in stubs:
            node.body = _doc_and_rest(node)[0] or [ast.Pass()]
    if quiz:
        for node in tree.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id.startswith("Q"):
                node.value = ast.Constant(None)
    return [ast.dump(n) for n in tree.body]


def test_same_files() -> None:
    skeletons = sorted(p.name for p in ASSIGNMENTS_DIR.glob("*.py"))
    solutions = sorted(p.name for p in REFERENCE_DIR.glob("*.py"))
    assert skeletons == solutions
    assert set(skeletons) <= {f"{n}.py" for n in ASSIGNMENTS}


@pytest.mark.parametrize("name", [p.stem for p in sorted(ASSIGNMENTS_DIR.glob("*.py"))])
def test_skeleton_matches_reference_except_student_bodies(name: str) -> None:
    skeleton = ast.parse((ASSIGNMENTS_DIR / f"{name}.py").read_text(encoding="utf-8"))
    reference = ast.parse((REFERENCE_DIR / f"{name}.py").read_text(encoding="utf-8"))
    stubs = {q for q, node in _functions(skeleton) if _stub_message(node) is not None}
    quiz = name == "quiz"
    assert stubs or quiz, f"{name}: the skeleton has no body for students to write"
    tag = name.split("_")[0]
    for qualname, node in _functions(skeleton):
        message = _stub_message(node)
        if message is not None:
            assert message.startswith(f"{tag} task ") and qualname in message, (
                f"{name}.{qualname}: the stub's message should say the task and name, "
                f"e.g. '{tag} task 1: implement {qualname} "
                f"(see the docstring)', but got {message!r}"
            )
    left, right = _normalized(skeleton, stubs, quiz), _normalized(reference, stubs, quiz)
    for i, (a, b) in enumerate(zip(left, right)):
        assert a == b, (
            f"{name}: top-level statement {i} differs between skeleton and reference beyond the student bodies"
        )
    assert len(left) == len(right), f"{name}: the skeleton and the reference have a different number of statements"
    if quiz:
        values = [n.value.value for n in skeleton.body if isinstance(n, ast.AnnAssign) and n.target.id.startswith("Q")]
        assert values == [None] * 12
