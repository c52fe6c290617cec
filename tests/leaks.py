"""Finding solution text in feedback: the statements students write, searched token for token.

The solution is what the reference writes where the skeleton raises
``NotImplementedError``. Each statement of those bodies with at least
``MIN_TOKENS`` tokens (a compound statement: its header line) is a needle; a
text leaks it when the needle's tokens appear in the text's tokens, in order
and contiguous. Tokens are identifiers, numbers and single operator characters,
so spacing and line breaks do not hide a copy.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from graders.engine.layout import ASSIGNMENTS, ASSIGNMENTS_DIR, REFERENCE_DIR

MIN_TOKENS = 6
TOKEN = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?(?:e-?\d+)?|\*\*|//|->|[=!<>]=|\S")
SEP = "\x00"


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


@dataclass(frozen=True)
class Needle:
    assignment: str
    function: str
    statement: str

    @property
    def key(self) -> str:
        return SEP + SEP.join(tokens(self.statement)) + SEP


def _functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                walk(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[f"{prefix}{node.name}"] = node

    walk(tree.body, "")
    return found


def _raises_not_implemented(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = [s for s in fn.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return len(body) == 1 and isinstance(body[0], ast.Raise) and "NotImplementedError" in ast.unparse(body[0])


def _statement_texts(fn: ast.FunctionDef | ast.AsyncFunctionDef, source: str) -> list[str]:
    texts = []
    for node in ast.walk(fn):
        if node is fn or not isinstance(node, ast.stmt):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            continue  # a docstring
        text = ast.get_source_segment(source, node) or ""
        if hasattr(node, "body"):  # compound: its header line only
            text = text.split("\n", 1)[0]
        texts.append(text)
    return texts


def solution_needles(assignments: tuple[str, ...] = ASSIGNMENTS) -> list[Needle]:
    """Every statement of MIN_TOKENS tokens or more that students must write."""
    needles = []
    for name in assignments:
        skeleton = _functions(ast.parse((ASSIGNMENTS_DIR / f"{name}.py").read_text(encoding="utf-8")))
        source = (REFERENCE_DIR / f"{name}.py").read_text(encoding="utf-8")
        for qualname, fn in _functions(ast.parse(source)).items():
            if qualname in skeleton and _raises_not_implemented(skeleton[qualname]):
                for text in _statement_texts(fn, source):
                    if len(tokens(text)) >= MIN_TOKENS:
                        needles.append(Needle(name, qualname, " ".join(text.split())))
    return needles


def leaks(text: str, needles: list[Needle]) -> list[Needle]:
    """The needles whose tokens appear, contiguous, in ``text``."""
    hay = SEP + SEP.join(tokens(text)) + SEP
    return [n for n in needles if n.key in hay]


def string_constants(path: Path) -> list[str]:
    """Every string a Python file could print: literals and the literal parts of f-strings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def without_own_code(message: str) -> str:
    """``message`` less the student's own lines quoted in a traceback (their code, not a leak)."""
    kept, in_trace = [], False
    for line in message.splitlines():
        if "Traceback through your code" in line:
            in_trace = True
            continue
        if in_trace and line.startswith("    "):
            continue
        in_trace = False
        kept.append(line)
    return "\n".join(kept)
