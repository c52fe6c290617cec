"""What a student wrote in each function: a digest of its code, and whether its body is still empty.

A task whose functions are all empty is not attempted, however its checks
fail: a body of only ``pass``, ``...``, ``return``/``return None``, a docstring
or ``raise NotImplementedError(...)`` does no work, and grading it would hand
out hints for nothing. The digests tell when a student changed a task's code
(a new attempt unlocks the next hint level).
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass, field


@dataclass
class Bodies:
    """The functions of one module source, by qualified name (``Linear.forward``)."""

    digests: dict[str, str] = field(default_factory=dict)
    empty: set[str] = field(default_factory=set)
    whole: str = ""  # digest of the whole source

    def digest_of(self, names: tuple[str, ...]) -> str:
        """One digest of the code of ``names`` (missing functions count as absent); no names: the whole file."""
        if not names:
            return self.whole
        joined = "\0".join(f"{n}={self.digests.get(n, '')}" for n in names)
        return hashlib.sha256(joined.encode()).hexdigest()[:16]


def read_bodies(source: str) -> Bodies:
    """The functions defined in ``source`` at module level and in classes (nested classes too).

    A source that does not parse has no functions (its import fails anyway).
    """
    whole = hashlib.sha256(source.encode("utf-8", errors="replace")).hexdigest()[:16]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Bodies(whole=whole)
    bodies = Bodies(whole=whole)
    _walk(tree.body, "", bodies)
    return bodies


def _walk(statements: list[ast.stmt], prefix: str, bodies: Bodies) -> None:
    for node in statements:
        if isinstance(node, ast.ClassDef):
            _walk(node.body, f"{prefix}{node.name}.", bodies)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = f"{prefix}{node.name}"
            bodies.digests[name] = hashlib.sha256(ast.dump(node, include_attributes=False).encode()).hexdigest()[:16]
            if is_empty(node.body):
                bodies.empty.add(name)


def is_empty(body: list[ast.stmt]) -> bool:
    """Whether a function body does no work: only pass, ``...``, a docstring, a bare
    ``return``/``return None`` or ``raise NotImplementedError(...)``."""
    return all(_is_placeholder(statement) for statement in body)


def _is_placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return node.value.value is Ellipsis or isinstance(node.value.value, str)
    if isinstance(node, ast.Return):
        return node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None)
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False
