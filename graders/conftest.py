"""Wires the grading engine into pytest for ``pytest graders/``."""

from graders.engine.selfcheck.plugin import (  # noqa: F401  (pytest finds hooks by name)
    pytest_addoption,
    pytest_configure,
    pytest_pycollect_makeitem,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
