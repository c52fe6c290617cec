"""Autograders of the PyTorch fundamentals kit.

``pytest graders/`` grades ``assignments/``; ``python -m graders --help``
lists the instructor commands. The engine lives in :mod:`graders.engine`.
"""

__version__ = "0.1.0"  # the kit's version (pyproject.toml says the same); goldens record it
