"""Grading shared by every mode: running a probe in isolation, judging, goldens, reports.

:mod:`.isolation` runs one probe on one implementation (seeded, RNG state
isolated) and returns an ``Observed``; :mod:`.outcomes` judges it against the
reference's into an ``Outcome``; :mod:`.goldens` records and verifies the
reference's observations; :mod:`.pipeline` grades a submission in-process;
:mod:`.results` writes grade tables and Gradescope results.
"""
