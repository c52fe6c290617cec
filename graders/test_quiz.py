"""Grader of the quiz: one check per question.

Observations are salted hashes of the answers, never the answers, so golden
files and a student release hold no answer in plain text. Every check is
``deferred``: a student release reports "answered (graded at submission)"
without judging, and only official grading (and the kit's self-check against
the reference) tells right from wrong. A wrong answer's feedback names the
topic to revisit and the hint ladder, never the right letter: titles, topics
and hints name the subject of a question, not its answer.
"""

from __future__ import annotations

import hashlib

from graders.engine import check

CHOICES = "abcd"

TOPICS = {
    "Q01": "what module.parameters() yields (registering parameters)",
    "Q02": "the order of the calls in one training iteration",
    "Q03": "what happens to .grad over several iterations when optimizer.zero_grad() is never called",
    "Q04": "the default behaviour of optimizer.zero_grad() in torch 2.x",
    "Q05": "buffers registered with register_buffer, compared with parameters",
    "Q06": "giving an operation a gradient of your own",
    "Q07": "why an optimizer's step() changes the parameters under torch.no_grad()",
    "Q08": "the protocol of a map-style Dataset",
    "Q09": "the role of collate_fn in a DataLoader",
    "Q10": "the role of a sampler in a DataLoader",
    "Q11": "an IterableDataset read by several DataLoader workers",
    "Q12": "what DataLoader's pin_memory option does",
}

# Hint ladders: (1) a question to reconsider, (2) where to read in the torch docs or the course,
# (3) an analogous situation or a small experiment. None of them names, or points at, an option.
HINTS = {
    "Q01": (
        "How does an nn.Module find out which of its attributes are parameters: does it look at every tensor it "
        "holds, or only at some of them?",
        "torch.nn.Parameter and torch.nn.Module.register_parameter in the torch docs, and a01 of this course.",
        "A small experiment: give a Module one tensor wrapped in nn.Parameter and another created with "
        "requires_grad=True, then print the names that named_parameters() lists.",
    ),
    "Q02": (
        "Each update should use the gradients of the current batch only: when must the old gradients be cleared, "
        "and what has to exist before step() can use the new ones?",
        "The training loop in the lecture notes and 'Taking an optimization step' in the torch.optim docs; a04 of "
        "this course.",
        "An analogous situation: a cashier clears the register, scans a customer's items, reads the total and only "
        "then takes the payment. Map each of these actions to one call of the loop.",
    ),
    "Q03": (
        "What does backward() do with a .grad that already holds a value from an earlier call?",
        "torch.Tensor.backward in the torch docs (what it says about the .grad of leaf tensors) and "
        "torch.optim.Optimizer.zero_grad.",
        "A small experiment: x = torch.ones(2, requires_grad=True); run (3 * x).sum().backward() twice and print "
        "x.grad after each call.",
    ),
    "Q04": (
        "Right after zero_grad(), what exactly does a parameter's .grad hold, and how could you find out?",
        "torch.optim.Optimizer.zero_grad in the torch 2.x docs: read its argument and that argument's default.",
        "A small experiment: build an optimizer over one parameter, run a backward() and then zero_grad(), and "
        "print the parameter's .grad.",
    ),
    "Q05": (
        "What is a buffer for (think of a running average a layer keeps), and which of the optimizer, state_dict() "
        "and .to() should know about it?",
        "torch.nn.Module.register_buffer in the torch docs (and its persistent argument) and a01 of this course.",
        "An analogous case: nn.BatchNorm1d keeps a running_mean. Build one and look for running_mean in "
        "named_parameters(), in state_dict() and after .to(torch.float64).",
    ),
    "Q06": (
        "Which torch class lets you write the forward computation and, separately, the rule that computes its "
        "gradient?",
        "'Extending PyTorch' in the torch docs, and a02 of this course.",
        "An analogous situation: rounding has a zero gradient almost everywhere, yet you want to train through it "
        "as if it were the identity. Where would you write that replacement gradient, and what does that place "
        "look like in a02?",
    ),
    "Q07": (
        "What would autograd make of a change to the parameters made while gradient tracking is on: something "
        "useful, or a problem?",
        "torch.no_grad in the torch docs and the part on in-place operations in the autograd mechanics notes; "
        "a03 of this course.",
        "A small experiment: w = torch.ones(3, requires_grad=True); try w.add_(1) once outside and once inside "
        "torch.no_grad(), and read what happens.",
    ),
    "Q08": (
        "A sampler hands the DataLoader indices: which two questions must a map-style dataset answer for that to "
        "work?",
        "torch.utils.data.Dataset and 'Map-style datasets' in the torch.utils.data docs; a05 of this course.",
        "An analogous case: which special methods does a Python class need so that len(obj) and obj[3] both work?",
    ),
    "Q09": (
        "Between fetching the single samples of one batch and handing that batch to your loop, what has to happen, "
        "and which DataLoader argument controls it?",
        "'Working with collate_fn' in the torch.utils.data docs; a07 of this course.",
        "An analogous situation: a post office receives single letters and gives the carrier one bundle per "
        "street, putting some letters into envelopes of one size first. Which DataLoader argument does that job?",
    ),
    "Q10": (
        "When the DataLoader needs its next sample, what decides which one it will be?",
        "'Data Loading Order and Sampler' in the torch.utils.data docs; a06 of this course.",
        "An analogous situation: a teacher chooses which students to call on and in which order, without changing "
        "what any student answers. Which part of a DataLoader plays the teacher?",
    ),
    "Q11": (
        "With num_workers=2, how many copies of the dataset run __iter__, and what does each copy yield when it "
        "does not know which worker it is?",
        "torch.utils.data.IterableDataset in the torch docs (its examples with get_worker_info) and a08 of this "
        "course.",
        "A small experiment: an IterableDataset whose __iter__ yields range(3), read through "
        "DataLoader(ds, batch_size=None, num_workers=2); count the items that come out.",
    ),
    "Q12": (
        "Where does a batch live right after the DataLoader makes it, and what has to happen before the GPU can "
        "use it?",
        "'Memory Pinning' in the torch.utils.data docs and the CUDA semantics notes on pinned memory.",
        "A small experiment on a machine with a GPU: take one batch of a DataLoader with pin_memory=True and print "
        "its .device and its .is_pinned().",
    ),
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
    graded = check(points=1, concept=topic, hints=HINTS[question], deferred=True)(probe)
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
