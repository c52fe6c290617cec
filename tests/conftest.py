"""Fixtures of the kit's own tests."""

from __future__ import annotations

import pytest

from graders.engine.grading.isolation import configure_torch
from graders.engine.grading.pipeline import LiveReference
from graders.engine.layout import DEFAULT_SEED, REFERENCE_DIR


@pytest.fixture(scope="session")
def live_reference() -> LiveReference:
    """Reference observations shared by every test of the session (computed once per check)."""
    configure_torch()
    return LiveReference(REFERENCE_DIR, DEFAULT_SEED)
