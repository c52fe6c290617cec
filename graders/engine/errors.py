"""Errors meant for the instructor: one type, carrying its message and the command's exit code.

Engine functions raise :class:`InstructorError` for anything an instructor
must fix (a missing folder, goldens recorded for other graders, a reference
that fails a check); ``python -m graders`` prints the message and exits with
the code, and nothing else in the engine prints errors. Exit codes: 0 success,
1 a grading run that found failures (self-check), 2 an instructor-side error.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_INSTRUCTOR = 2


class InstructorError(Exception):
    """Something the instructor must fix; ``exit_code`` is what the command exits with.

    Example:
        >>> raise InstructorError("SUBMISSIONS_DIR should be a directory, but got x")  # doctest: +SKIP
    """

    def __init__(self, message: str, exit_code: int = EXIT_INSTRUCTOR) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class GraderBug(InstructorError):
    """The reference could not be observed: the kit, not the student, is wrong."""

    @classmethod
    def reference_failed(cls, check_id: str, status: str, message: str) -> GraderBug:
        return cls(f"the reference failed check {check_id} ({status}):\n{message}")
