"""The instructor extras (matplotlib, copydetect): imported on demand, with a clear message when missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from ..errors import InstructorError

INSTALL = "pip install -r requirements-instructor.txt (or pip install '.[instructor]')"


def require(module: str) -> ModuleType:
    """Import ``module`` (an instructor extra) or say how to install it.

    Raises:
        InstructorError: the module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise InstructorError(
            f"this command needs {module.split('.')[0]}, an instructor extra that is not installed ({exc}); "
            f"install it with `{INSTALL}`"
        ) from None
