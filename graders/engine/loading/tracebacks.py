"""Student-facing error texts: tracebacks through the student's own files only.

Grader frames mean nothing to a learner: :class:`Tracebacks` keeps the frames
of one implementation's files (a notebook's named by cell) and formats an
import failure with the offending line and a caret.
"""

from __future__ import annotations

import linecache
import traceback
from pathlib import Path

from .sources import Sources

SHOWN_FRAMES = 6


class Tracebacks:
    """Formats exceptions raised through the files of ``sources``."""

    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def student(self, exc: BaseException) -> str:
        """The traceback of ``exc`` through this implementation's files only ("" when none)."""
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if self.sources.owns(f.filename)]
        if not frames:
            return ""
        lines = ["  Traceback through your code (most recent call last):"]
        for frame in frames[-SHOWN_FRAMES:]:
            lines.append(f"    {self.sources.locate(frame.filename, frame.lineno or 0)}, in {frame.name}")
            code = frame.line or linecache.getline(frame.filename, frame.lineno or 0).strip()
            if code:
                lines.append(f"      {code}")
        return "\n".join(lines)

    def raised_in_own_code(self, exc: BaseException) -> bool:
        """Whether the innermost frame of ``exc`` is in this implementation."""
        frames = traceback.extract_tb(exc.__traceback__)
        return bool(frames) and self.sources.owns(frames[-1].filename)

    def import_failed(self, name: str, exc: BaseException) -> str:
        """Why importing assignment ``name`` failed: a syntax error with its caret, or the traceback."""
        source = self.sources.source_of(name)
        head = f"importing {source.name if source else name + '.py'} failed, so none of its checks could run:"
        if isinstance(exc, SyntaxError) and exc.filename:
            return f"{head}\n  SyntaxError: {exc.msg} ({Path(exc.filename).name}, line {exc.lineno})\n{_caret(exc)}"
        return f"{head}\n  {type(exc).__name__}: {exc}\n{self.student(exc)}"


def _caret(exc: SyntaxError) -> str:
    """The offending line, stripped, with a caret under the column the parser stopped at."""
    text = (exc.text or "").rstrip("\n")
    shown = f"      {text.strip()}"
    if not (text and exc.offset):
        return shown
    indent = len(text) - len(text.lstrip())
    return shown + "\n      " + " " * indent + " " * max(exc.offset - 1 - indent, 0) + "^"
