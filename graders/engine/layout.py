"""Where things are and fixed names: no torch here, so any command can start fast."""

from __future__ import annotations

from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_DIR = KIT_ROOT / "reference"
ASSIGNMENTS_DIR = KIT_ROOT / "assignments"
NOTEBOOKS_DIR = KIT_ROOT / "notebooks"
# A student release has no reference/; its graders judge from goldens shipped here (``python -m graders release``).
SHIPPED_GOLDENS = KIT_ROOT / "graders" / "goldens.pt"
DEFAULT_SEED = 2024

ASSIGNMENTS = (
    "a01_modules",
    "a02_autograd",
    "a03_optimizers",
    "a04_training",
    "a05_datasets",
    "a06_samplers",
    "a07_collate",
    "a08_parallel",
    "a09_capstone",
    "a10_hooks",
    "quiz",
)
