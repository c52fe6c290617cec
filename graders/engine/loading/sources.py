"""Where an implementation's files are: ``name.py`` or ``name.ipynb``, and notebooks converted once.

A :class:`Sources` answers, for one implementation directory, which file is
graded for an assignment (the ``.py`` wins over the ``.ipynb``: the kit's own
format, and a notebook left beside a graded file never changes its grade),
converts a handed-in notebook to a module file in a scratch directory outside
the submission (once, removed with the object), and tells the implementation's
files from everyone else's (for tracebacks through the student's code only).
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from ..layout import ASSIGNMENTS
from .notebooks import NOTEBOOK_SUFFIX, Converted, convert


class Sources:
    """The files of one implementation directory.

    Args:
        root: the directory holding ``a01_modules.py`` (or ``.ipynb``) etc.

    Raises:
        TypeError: ``root`` is not a :class:`pathlib.Path`.
    """

    def __init__(self, root: Path) -> None:
        if not isinstance(root, Path):
            raise TypeError(f"root should be a pathlib.Path, but got root={root!r}")
        self.root = root.resolve()
        self._notebooks: dict[str, Converted] = {}
        self._scratch: Path | None = None

    def source_of(self, name: str) -> Path | None:
        """The file graded for assignment ``name``: ``name.py``, else ``name.ipynb``, else None."""
        for suffix in (".py", NOTEBOOK_SUFFIX):
            path = self.root / f"{name}{suffix}"
            if path.is_file():
                return path
        return None

    def both_handed_in(self, name: str) -> bool:
        return (self.root / f"{name}.py").is_file() and (self.root / f"{name}{NOTEBOOK_SUFFIX}").is_file()

    def notebook(self, name: str) -> Converted | None:
        """Assignment ``name`` converted to a module file, when it is handed in as a notebook.

        Raises:
            NotebookError: the notebook cannot be graded.
        """
        source = self.source_of(name) if name in ASSIGNMENTS else None
        if source is None or source.suffix != NOTEBOOK_SUFFIX:
            return None
        if name not in self._notebooks:
            self._notebooks[name] = convert(source, self.scratch_dir() / f"{name}.py")
        return self._notebooks[name]

    def scratch_dir(self) -> Path:
        """Where converted notebooks live: a fresh directory outside the submission, removed with ``self``."""
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="graders-notebooks-")).resolve()
            weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
        return self._scratch

    def has_notebooks(self) -> bool:
        return any((self.root / f"{n}{NOTEBOOK_SUFFIX}").is_file() for n in ASSIGNMENTS)

    def owns(self, filename: str) -> bool:
        """Whether ``filename`` is one of this implementation's files (or a converted notebook)."""
        try:
            return Path(filename).resolve().parent in (self.root, self._scratch)
        except (OSError, ValueError):
            return False

    def locate(self, filename: str, lineno: int) -> str:
        """``"a01_modules.py, line 7"``, or ``"a01_modules.ipynb, cell 3, line 2"`` for a notebook."""
        for converted in self._notebooks.values():
            if str(converted.script) == filename:
                return converted.locate(lineno)
        return f"{Path(filename).name}, line {lineno}"
