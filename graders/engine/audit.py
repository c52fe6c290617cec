"""Counting what student code does, through Python's audit hooks.

Audit hooks cannot be removed once added, so one hook is installed per
process the first time it is needed and does nothing unless a
:func:`count_opens` block is active.

Example:
    >>> with count_opens(Path("data/reviews")) as opened:  # doctest: +SKIP
    ...     dataset = TextFolderDataset("data/reviews")
    >>> opened  # files under data/reviews opened for reading
    []
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_watched: list[tuple[str, list[str]]] = []
_installed = False


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not _watched or not args:
        return
    path = args[0]
    if isinstance(path, int):  # os.fdopen and friends: no path
        return
    try:
        text = os.fsdecode(path)
    except (TypeError, ValueError):
        return
    mode = args[1] if len(args) > 1 else "r"
    if isinstance(mode, str) and any(c in mode for c in "wax"):
        return
    absolute = os.path.abspath(text)
    for root, seen in _watched:
        if absolute == root or absolute.startswith(root + os.sep):
            seen.append(absolute)


@contextmanager
def count_opens(root: Path) -> Iterator[list[str]]:
    """Collect the paths under ``root`` opened for reading inside the block (files and directories listed by open())."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    seen: list[str] = []
    entry = (os.path.abspath(os.fspath(root)), seen)
    _watched.append(entry)
    try:
        yield seen
    finally:
        _watched.remove(entry)
