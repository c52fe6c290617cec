"""Wrong and alternative quiz answers (answers are read from the reference, never written here)."""

import re

from graders.test_quiz import TOPICS
from tests.support import REFERENCE_DIR, alternative, mutant

A = "quiz"
_ANSWERS = dict(re.findall(r'^(Q\d\d): str \| None = "([a-d])"$', (REFERENCE_DIR / "quiz.py").read_text(), re.M))


def _line(q: str, value: str) -> str:
    return f"{q}: str | None = {value}"


def _wrong(letter: str) -> str:
    return "abcd"[("abcd".index(letter) + 1) % 4]


MUTANTS = [
    mutant(A, f"wrong answer to {q}", (_line(q, f'"{a}"'), _line(q, f'"{_wrong(a)}"')), fails=q.lower(),
           concept=TOPICS[q])
    for q, a in sorted(_ANSWERS.items())
] + [
    mutant(A, "answer with its parenthesis",
           (_line("Q02", f'"{_ANSWERS["Q02"]}"'), _line("Q02", f'"{_ANSWERS["Q02"]})"')),
           fails="q02", concept="one lowercase letter"),
    mutant(A, "answer as the option text",
           (_line("Q05", f'"{_ANSWERS["Q05"]}"'), _line("Q05", '"buffers are in state_dict"')),
           fails="q05", concept="one lowercase letter"),
]

ALTERNATIVES = [
    alternative(A, "upper case and spaces",
                *[(_line(q, f'"{a}"'), _line(q, f'" {a.upper()} "')) for q, a in sorted(_ANSWERS.items())]),
]
