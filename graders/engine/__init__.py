"""The grading engine: probe and judge.

Grader files import what they need from here::

    from graders.engine import Tolerance, check, Mismatch
"""

from .checks import Check, check
from .compare import Mismatch, Tolerance, compare, compare_tensors
from .observations import describe, is_raised, raised
from .probing import Probe

__all__ = ["Check", "Mismatch", "Probe", "Tolerance", "check", "compare", "compare_tensors", "describe", "is_raised", "raised"]
