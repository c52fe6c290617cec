"""Self-check: ``pytest graders/`` grades a student's files in-process (see :mod:`.plugin`)."""
