"""Grader of the quiz: one check per question.

Observations are salted hashes of the answers, never the answers, so golden
files and a student release hold no answer in plain text; a wrong answer's
feedback names the concept to revisit, never the right letter.
"""

from __future__ import annotations

import hashlib

from graders.engine import check

CHOICES = "abcd"

TOPICS = {
    "Q01": "nn.Parameter registration: which attributes does parameters() yield?",
    "Q02": "the training-loop order zero_grad -> forward -> loss -> backward -> step",
    "Q03": "gradients accumulate in .grad across backward() calls",
    "Q04": "what optimizer.zero_grad() does by default in torch 2.x (set_to_none)",
    "Q05": "buffers (register_buffer) versus parameters",
    "Q06": "custom gradients with torch.autograd.Function",
    "Q07": "why optimizers update parameters under torch.no_grad()",
    "Q08": "the map-style Dataset protocol",
    "Q09": "what collate_fn does in a DataLoader",
    "Q10": "what a sampler decides",
    "Q11": "IterableDataset with several workers and get_worker_info()",
    "Q12": "pin_memory and host-to-GPU copies",
}


def answer_digest(question: str, answer: object, seed: int) -> dict:
    """The observation of one answer: whether it is well-formed, and its salted hash."""
    if not isinstance(answer, str) or answer.strip().lower() not in CHOICES or len(answer.strip()) != 1:
        return {"well-formed (one letter a-d)": False, "answer digest": ""}
    letter = answer.strip().lower()
    digest = hashlib.sha256(f"quiz:{question}:{seed}:{letter}".encode()).hexdigest()
    return {"well-formed (one letter a-d)": True, "answer digest": digest}


def _question_check(question: str, topic: str):
    def probe(m, p):
        answer = getattr(m, question, None)
        if answer is None:
            p.not_attempted(f"{question} is still None: set it to one lowercase letter (a-d)")
        return answer_digest(question, answer, p.seed)

    probe.__name__ = probe.__qualname__ = question.lower()
    probe.__doc__ = f"{question}: {topic}"
    graded = check(points=1, concept=topic, hint="reread the lecture notes on this topic and try again")(probe)
    graded.judge(_judge_answer)
    return graded


def _judge_answer(got: dict, expected: dict) -> str | None:
    if not got["well-formed (one letter a-d)"]:
        return "the answer should be one lowercase letter a, b, c or d"
    if got["answer digest"] != expected["answer digest"]:
        return "this answer is not the right one"
    return None


for _question, _topic in TOPICS.items():
    globals()[_question.lower()] = _question_check(_question, _topic)
