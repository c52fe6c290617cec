"""Concepts grouped into topics, so that a heat map can show one idea across assignments.

Each check names its own concept in a sentence ("registering trainable
tensors as nn.Parameter (...)"); nearly every sentence is unique. A topic is
a broader idea that several assignments exercise (validating arguments,
reproducible randomness, in-place updates under no_grad, ...): the first
topic whose pattern matches the concept's name (the text before its first
colon), else the first that matches the whole sentence, else "other".
"""

from __future__ import annotations

import re

OTHER = "other"

TOPICS: tuple[tuple[str, str], ...] = (
    ("validating arguments, errors", r"validating|valueerror|error messages|keyerror"),
    ("no_grad, in-place updates", r"no_grad|in place|in-place|carry no autograd"),
    ("padding, masks", r"\bpad|mask|real position"),
    ("DataLoader workers", r"worker|dataloader|picklable|pin_memory"),
    ("seeds, generators, randomness", r"seed|generator|\brng\b|random|reproduc|permutation|multinomial"),
    ("train / eval modes", r"\beval\b|train mode|train\(\)|training behaviour|module\.training"),
    ("the training loop", r"epoch|weighted mean|\.item\(\)|history|training-step|training-loop|train_step|accumulat"),
    ("optimizers", r"optimi[sz]er|momentum|adam|sgd|weight decay|param groups|closure|\.grad is none"),
    ("autograd, custom backward", r"autograd|backward|gradient|chain rule|gradcheck|\wfunction\b|differentiable"),
    ("samplers, batching, sharding", r"sampler|batch|bucket|shard|\branks?\b|balanc"),
    ("datasets, transforms, vocabularies", r"dataset|__getitem__|lazy|transform|vocabular|token|collat|csv|corpus"),
    ("parameters, buffers, submodules", r"parameter|buffer|modulelist|submodule|register"),
    ("shapes, dtypes, broadcasting", r"shape|dtype|broadcast|float32|int64|layout|flatten|channel"),
    ("modules, forward passes", r"module|forward|layer|linear|embedding|initiali|uniform|pooling|classif|standardi"),
)
_COMPILED = tuple((name, re.compile(pattern, re.IGNORECASE)) for name, pattern in TOPICS)
ORDER = tuple(name for name, _ in TOPICS) + (OTHER,)


def topic_of(concept: str) -> str:
    """The topic of a check's concept sentence ("other" when no pattern matches).

    Example:
        >>> topic_of("validating constructor arguments: raise ValueError ...")
        'validating arguments, errors'
    """
    head = re.split(r"[:;]", concept, maxsplit=1)[0]
    for text in (head, concept):  # the concept's name first, then its explanation
        for name, pattern in _COMPILED:
            if pattern.search(text):
                return name
    return OTHER
