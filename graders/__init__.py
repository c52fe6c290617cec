"""Autograders of the PyTorch fundamentals kit.

``pytest graders/`` grades ``assignments/``; ``python -m graders --help``
lists the instructor commands. The engine lives in :mod:`graders.engine`.
"""
