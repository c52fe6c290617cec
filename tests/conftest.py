"""Fixtures of the kit's own tests."""

from __future__ import annotations

import os
import tempfile

import pytest

# Hint levels a test unlocks go to a scratch file, never to the kit's own .graders-hints.json
# (set before the engine is imported; subprocesses inherit it).
os.environ.setdefault("GRADERS_HINT_STATE", os.path.join(tempfile.mkdtemp(prefix="kit-hints-"), "hints.json"))

from graders.engine.grading.isolation import configure_torch  # noqa: E402
from graders.engine.grading.pipeline import LiveReference  # noqa: E402
from graders.engine.layout import DEFAULT_SEED, REFERENCE_DIR  # noqa: E402


@pytest.fixture(scope="session")
def live_reference() -> LiveReference:
    """Reference observations shared by every test of the session (computed once per check)."""
    configure_torch()
    return LiveReference(REFERENCE_DIR, DEFAULT_SEED)
