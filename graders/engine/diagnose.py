"""Plain-language diagnoses of errors learners commonly hit in PyTorch.

torch's error texts are precise but name internals; each entry here maps a
fragment of such a text to the idea behind it, added under the error in the
feedback.
"""

from __future__ import annotations

DIAGNOSES: tuple[tuple[str, str], ...] = (
    (
        "before Module.__init__() call",
        "call the parent class's __init__ (through super) before anything else in __init__: nn.Module must set up its "
        "registries before parameters or "
        "submodules are assigned.",
    ),
    (
        "a leaf Variable that requires grad is being used in an in-place operation",
        "in-place updates of parameters must run under torch.no_grad() (autograd must not record them).",
    ),
    (
        "does not require grad and does not have a grad_fn",
        "the tensor you called backward() on is not connected to the parameters: was it detached, turned into a "
        "Python number, or computed under torch.no_grad()?",
    ),
    (
        "Trying to backward through the graph a second time",
        "each forward pass builds a new graph that backward() frees; run the forward again before the next backward().",
    ),
    (
        "shapes cannot be multiplied",
        "the inner dimensions of a matrix product must agree: (n, k) @ (k, m); print the shapes of both operands "
        "(a layer's weight is (out_features, in_features)) and ask which of their dimensions must meet.",
    ),
    (
        "must match the size of tensor",
        "two tensors could not be broadcast together: compare their shapes dimension by dimension from the right.",
    ),
    (
        "returned an incorrect number of gradients",
        "backward must return exactly one gradient (or None) per input of forward, in the same order.",
    ),
    (
        "in DataLoader worker process",
        "your dataset (or collate_fn) raised inside a DataLoader worker: the worker's own traceback is in the message "
        "above.",
    ),
    (
        "DataLoader timed out",
        "a worker took too long to produce a batch: look for an endless loop or a blocking call in "
        "__getitem__/__iter__.",
    ),
    ("is not a Module subclass", "only nn.Module instances can be registered as submodules."),
    ("object is not callable", "something you call is not a function or module: check what the attribute holds."),
)


def diagnose(message: str) -> str:
    """The plain-language idea behind an error message, or ``""``."""
    for fragment, idea in DIAGNOSES:
        if fragment in message:
            return idea
    return ""
