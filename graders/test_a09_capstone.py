"""Grader of a09_capstone: TextClassifier and train_text_classifier, the whole pipeline together.

Each check is a probe (drives the implementation, returns observations)
judged against the reference's observations; see graders/engine. The
capstone imports the student's own ``a01_modules`` ... ``a07_collate`` by
plain name; while a probe runs the engine makes the implementation's files
the importable ones, so :func:`earlier` finds the student's ``Linear``,
``Adam``, ``Vocab``... (and the reference's on the reference side).

TextClassifier checks build the model with the student's constructor, then
overwrite the embedding and linear weights with values from the probe's
generators, so logits compare exactly with the reference's whatever the
student's ``Linear`` initialisation does. The pad row of the embedding gets a
non-zero vector too, so a mean that lets padding in is far off.

train_text_classifier checks run on a synthetic corpus that the probe
generates from its own seeded generator (never shipped: no data files):
four classes, each with its own keywords (made-up words), shared made-up
filler words, lengths with a long tail, occasional unseen words. Values
that depend on the student's earlier assignments beyond their specification
(batch order of the student's ``BucketBatchSampler``, the student's
``Linear`` init stream) are never compared with the reference's: training
is judged on properties (accuracy >= 0.9, the same history for the same
seed, global RNG state untouched). The wiring of the pipeline is observed
with spies: ``train_epoch`` and ``evaluate`` (in the student's a09 module
and in ``a04_training``) are replaced for the call by recorders that return
dummy metrics, so the probe sees the loaders, the optimizer and the loss
function the student built, without training (fast, and a wrong batch format
gives a clear observation instead of a crash inside a04's loop). The history's
format and the global RNG are observed through these spies too (for the RNG
they go through each loader once per epoch, as the real loop does), so a wrong
batch format or a wrong number of classes costs only its own check.

One mistake, one diagnosis: the default mask is judged against the student's
own forward with the mask written out, padding invariance against the
student's own model alone (metamorphic); the training checks that need a
working pipeline declare ``builds_on`` (reproducibility builds on the
batches, the accuracy on the forward pass and the pipeline's wiring).
"""

from __future__ import annotations

import importlib
import random
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np
import torch
from torch import nn

from graders.engine import Mismatch, check, describe
from graders.engine.compare import compare
from graders.engine.observations import is_raised
from graders.engine.probes import expect_raise

TASKS = {
    1: ("TextClassifier.__init__", "TextClassifier.forward"),
    2: ("train_text_classifier",),
}

# --- what a failing learner should revisit, and the hint ladders (question, where to look, another example) ---------

EMBEDDING = ("an embedding layer for padded text: one row per token id, and the row of the model's pad id stays zero "
             "and is never trained (nn.Embedding's padding_idx)")
EMBEDDING_HINTS = (
    "Which row of the embedding table belongs to the pad id, and what should that row hold and learn?",
    "torch.nn.Embedding in the torch docs (its padding_idx argument) and the 'Attributes' paragraph of the "
    "TextClassifier docstring.",
    "A table of 51 position vectors with the reserved id 0 for 'no position' is made with padding_idx=0, so row 0 "
    "starts as zeros and gets no gradient.",
)
OWN_LINEAR = ("reusing your own layer: the classifier is your a01_modules.Linear, mapping embed_dim features to "
              "num_classes scores, not torch's nn.Linear")
OWN_LINEAR_HINTS = (
    "Which linear layer does this assignment ask you to reuse, yours or torch's, and between which sizes does it map?",
    "The 'Attributes' paragraph of the TextClassifier docstring and the imports at the top of a09_capstone.py.",
    "A model for a01's exercises would build its hidden layers from the class you wrote in a01_modules, not from "
    "torch.nn; the names of its parameters (weight, bias) stay the same either way.",
)
POOL = ("masked mean pooling: average the embeddings of the real tokens only (where attention_mask is True), "
        "then apply the classifier")
POOL_HINTS = (
    "Which positions of each row should enter the average, and which tensor tells you that?",
    "The docstring of a07_collate.masked_mean (the shapes it takes, what it returns) and the class docstring of "
    "TextClassifier.",
    "The average exam score of the students who were present adds up the present students' scores only and divides "
    "by how many were present, not by the size of the class.",
)
DEFAULT_MASK = ("the default attention mask: without a mask the real tokens are those different from the model's own "
                "pad_id (the one given to the constructor), so model(input_ids) works alone")
DEFAULT_MASK_HINTS = (
    "When no mask is passed, which tokens count as real, and which pad id does this particular model use?",
    "The 'Args' paragraph of TextClassifier.forward (the default of attention_mask) and the pad_id argument of the "
    "TextClassifier constructor.",
    "A method scale(x, factor=None) fills a missing factor in from the object's own setting, kept by its constructor, "
    "never from a constant that only matches the default.",
)
PADDING = ("padding must not change a prediction: only real tokens enter the mean, so a text scores the same alone, "
           "in a padded batch and with extra padding")
PADDING_HINTS = (
    "If you append more pad tokens to a text, which numbers in your forward pass change?",
    "The docstrings of TextClassifier.forward and a07_collate.masked_mean: what may padding contribute?",
    "The average height of the people in a room does not change when empty chairs are added: count the people, "
    "not the chairs.",
)
HISTORY = ("the training loop and its history: train_epoch then evaluate once per epoch, one history dict per epoch "
           "with 'epoch' an int counted from 1 and the floats train_loss, val_loss and val_accuracy; the function "
           "returns (model, vocab, history)")
HISTORY_HINTS = (
    "For epochs=3, how many times do train_epoch and evaluate run, what goes into the history after each epoch, and "
    "what exactly does the function return?",
    "The 'Returns' paragraph of the train_text_classifier docstring and step 6 of its pipeline; a04_training.fit "
    "returns the same kind of history.",
    "A log of three daily runs numbered from day 1 holds one entry per day, e.g. {'day': 2, 'km': 5.0}: the day an "
    "int, the distance a float.",
)
COLLATE = ("the training pipeline's loaders: BucketBatchSampler batches training texts of similar length, and the "
           "collate yields the (input_ids, labels) pairs that a04's train_epoch and evaluate expect")
COLLATE_HINTS = (
    "What does one batch from your loaders look like, and is it what train_epoch and evaluate unpack?",
    "Steps 3 and 4 of the train_text_classifier docstring, the given helper _ids_and_labels, and the batch_sampler "
    "and collate_fn arguments of torch.utils.data.DataLoader.",
    "An image loop that unpacks (images, targets) needs a collate turning each batch into that pair, not a dict; a "
    "sampler grouping images of similar size goes in as batch_sampler.",
)
OPTIMIZER = ("training with your own optimizer: your a03_optimizers.Adam over all the model's parameters with the "
             "given lr, and a cross-entropy loss, handed to train_epoch and evaluate with the returned model")
OPTIMIZER_HINTS = (
    "Which optimizer, over which parameters, with which learning rate, and which loss function does the docstring "
    "ask for?",
    "Step 6 of the train_text_classifier docstring; the constructor of a03_optimizers.Adam and "
    "torch.nn.CrossEntropyLoss.",
    "Fine-tuning a regressor at a learning rate of 0.003 means passing that rate to its optimizer; leaving it out "
    "silently uses the optimizer's default.",
)
SIZES = ("sizing the model from the data: as many classes as the largest label over training and validation, plus "
         "one; one embedding row per vocabulary id; the vocabulary's pad id as padding")
SIZES_HINTS = (
    "Which labels can the model be asked to score, including those that appear only in the validation set, and how "
    "many ids does the vocabulary have?",
    "Step 5 of the train_text_classifier docstring and the arguments of TextClassifier; len(vocab) and vocab.pad_id "
    "of a05_datasets.Vocab.",
    "A digit classifier tested on a set that holds a 9 its training set lacks still needs 10 outputs: size it by the "
    "largest label anywhere, plus one.",
)
VOCAB = ("the vocabulary is built from the training texts only: validation words are unknown (<unk>) to the model, "
         "as new words are after deployment")
VOCAB_HINTS = (
    "Which texts may the model learn its words from, and what should happen to a word that appears only in "
    "validation?",
    "Step 1 of the train_text_classifier docstring and the docstring of a05_datasets.Vocab (unknown tokens map to "
    "<unk>).",
    "A spell checker's dictionary comes from its training books; a word that first appears in the exam essays is "
    "treated as unknown, never added.",
)
SEEDING = ("reproducibility: every random choice comes from the seed (the model's init under a forked RNG seeded with "
           "seed, the batch order from a torch.Generator seeded with seed), never from the global RNG")
SEEDING_HINTS = (
    "Which steps of your pipeline draw random numbers, and does each get its randomness from seed rather than from "
    "whatever state torch happens to be in?",
    "Steps 3 and 5 of the train_text_classifier docstring; torch.Generator.manual_seed, torch.random.fork_rng and "
    "the generator argument of BucketBatchSampler.",
    "A card game that must replay exactly shuffles with its own generator seeded by the game number, whatever other "
    "games did before it.",
)
GLOBAL_RNG = ("leave the global RNG alone: draw the model init inside torch.random.fork_rng() and give every "
              "DataLoader and sampler the seeded generator, so training does not move torch's global RNG")
GLOBAL_RNG_HINTS = (
    "After your function returns, is torch's global RNG where it was before? Which of your steps could have drawn "
    "from it?",
    "torch.random.fork_rng in the torch docs, and the generator argument of torch.utils.data.DataLoader (without "
    "one, each epoch draws a base seed from the global RNG).",
    "A test that needs random numbers without disturbing the others draws them inside a fork_rng block: the global "
    "state is put back when the block ends.",
)
LEARNS = ("the whole pipeline learns: a bag-of-embeddings classifier separates texts by their keywords (a validation "
          "set encoded with the training vocabulary, the given lr, masked mean pooling)")
LEARNS_HINTS = (
    "Does train_loss fall from epoch to epoch, and are the validation texts turned into ids exactly like the "
    "training texts?",
    "Steps 1, 2 and 6 of the train_text_classifier docstring; print the history of a run on the example data.",
    "A translator who learned one dictionary must read the exam with that same dictionary; a new dictionary built "
    "from the exam would give familiar words other numbers.",
)

BATCH_PAIR = "a pair of tensors (input_ids, labels)"
ACCURACY_KEY = "final val_accuracy on the held-out synthetic corpus (default settings)"
MIN_ACCURACY = 0.9


# --- helpers -------------------------------------------------------------------------------------------------------


def earlier(name: str) -> ModuleType:
    """The implementation's own earlier assignment (``a01_modules``...), as the capstone imports it."""
    module = sys.modules.get(name)
    return module if module is not None else importlib.import_module(name)


def words_of(text: str) -> list[str]:
    """The tokens a05's ``tokenize`` gives (computed here, so the checks never rely on the student's)."""
    return re.findall(r"\w+", text.lower())


CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"


def made_up(rng: np.random.Generator, syllables: int) -> str:
    return "".join(CONSONANTS[rng.integers(len(CONSONANTS))] + VOWELS[rng.integers(len(VOWELS))]
                   for _ in range(syllables))


def fresh_words(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < count:
        word = made_up(rng, int(rng.integers(2, 4)))
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


class Corpus:
    """A synthetic corpus from the probe's generator: class keywords among shared filler words.

    Each class has its own made-up keywords; texts mix 30-50 % keywords of
    their class with shared filler words, have lengths from a long-tailed
    (log-normal) distribution between 3 and 120 words, random capitals and
    punctuation, and 15 % of them one made-up word seen nowhere else (so the
    validation texts hold a few unknown words; most validation words are seen
    in training). With 600 training texts the reference reaches 0.97-1.0
    validation accuracy with the default settings (0.975 at worst over 300 seeds,
    about 0.1 s per training run on one thread).
    """

    def __init__(self, p: Any, n_classes: int = 4, n_keywords: int = 10, n_filler: int = 40) -> None:
        self.rng = p.numpy_rng()
        self.taken: set[str] = set()
        self.keywords = [fresh_words(self.rng, n_keywords, self.taken) for _ in range(n_classes)]
        self.filler = fresh_words(self.rng, n_filler, self.taken)

    def texts(self, n: int, labels: list[int] | None = None) -> tuple[list[str], list[int]]:
        rng = self.rng
        out, out_labels = [], []
        for i in range(n):
            label = int(rng.integers(len(self.keywords))) if labels is None else labels[i % len(labels)]
            keywords = self.keywords[label % len(self.keywords)]
            length = int(np.clip(np.exp(rng.normal(2.0, 0.7)), 3, 120))
            k = max(1, int(round(length * rng.uniform(0.3, 0.5))))
            words = [keywords[j] for j in rng.integers(len(keywords), size=k)]
            words += [self.filler[j] for j in rng.integers(len(self.filler), size=length - k)]
            if rng.random() < 0.15:
                words += fresh_words(rng, 1, self.taken)
            words = [words[j] for j in rng.permutation(len(words))]
            words[0] = words[0].capitalize()
            text = " ".join(w + ("," if rng.random() < 0.1 else "") for w in words[:-1])
            text = (text + " " if text else "") + words[-1] + ".!?"[int(rng.integers(3))]
            out.append(text)
            out_labels.append(label)
        return out, out_labels


def small_corpus(p: Any) -> tuple[list[str], list[int], list[str], list[int], list[str]]:
    """48 training texts of classes 0-2 and 16 validation texts of classes 0-2 and 4 (the largest label is only
    in validation), with three words that occur only in the validation texts. Returns those words last."""
    corpus = Corpus(p, n_classes=5)
    train_texts, train_labels = corpus.texts(48, labels=[0, 1, 2])
    val_texts, val_labels = corpus.texts(16, labels=[0, 1, 2, 4])
    val_only = fresh_words(corpus.rng, 3, corpus.taken)
    for i, word in enumerate(val_only):
        val_texts[3 * i] = f"{val_texts[3 * i][:-1]} {word}."
    return train_texts, train_labels, val_texts, val_labels, val_only


def history_of(result: Any) -> Any:
    """The history from ``(model, vocab, history)``, or a description of what came back instead."""
    if isinstance(result, tuple) and len(result) == 3:
        return result[2]
    return f"<train_text_classifier returned {describe_value(result)}, not (model, vocab, history)>"


def describe_value(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def final_accuracy(history: Any) -> Any:
    if isinstance(history, str):  # history_of's description of a wrong return value
        return history
    try:
        value = history[-1]["val_accuracy"]
    except Exception:
        return f"<no history[-1]['val_accuracy'] in {describe(history) if not isinstance(history, str) else history}>"
    return value if isinstance(value, float) else (
        f"<history[-1]['val_accuracy'] is a {type(value).__name__}, not a float>")


def rng_snapshot() -> tuple[torch.Tensor, Any, Any]:
    return torch.get_rng_state(), random.getstate(), np.random.get_state()


def same_rng(a: tuple[torch.Tensor, Any, Any], b: tuple[torch.Tensor, Any, Any]) -> dict[str, bool]:
    return {
        "torch's global RNG state is unchanged by the call": bool(torch.equal(a[0], b[0])),
        "Python's random state is unchanged by the call": a[1] == b[1],
        "numpy's global RNG state is unchanged by the call": (
            a[2][0] == b[2][0] and bool(np.array_equal(a[2][1], b[2][1])) and a[2][2:] == b[2][2:]),
    }


def scramble_global_rng() -> None:
    """Give torch, random and numpy a global state different from the engine's seeding."""
    torch.manual_seed(123)
    torch.rand(7)
    random.seed(123)
    random.random()
    np.random.seed(123)
    np.random.rand(3)


# --- spies on the training loop ------------------------------------------------------------------------------------


class LoopSpy:
    """Stands in for ``train_epoch`` and ``evaluate``: records the arguments, returns dummy metrics, trains nothing."""

    def __init__(self, iterate: bool = False) -> None:
        self.iterate = iterate
        self.train_calls: list[dict[str, Any]] = []
        self.eval_calls: list[dict[str, Any]] = []

    def train_epoch(self, model: Any, loader: Any, loss_fn: Any, optimizer: Any) -> float:
        self.train_calls.append({"model": model, "loader": loader, "loss_fn": loss_fn, "optimizer": optimizer})
        self._pass(loader)
        return 1.0

    def evaluate(self, model: Any, loader: Any, loss_fn: Any) -> dict[str, float]:
        self.eval_calls.append({"model": model, "loader": loader, "loss_fn": loss_fn})
        self._pass(loader)
        return {"loss": 1.0, "accuracy": 0.5}

    def _pass(self, loader: Any) -> None:
        """With ``iterate``, go once through ``loader`` as the real loop would (its random draws included); what
        the batches are, or whether they can be made, is left to the checks of the batches."""
        if not self.iterate:
            return
        try:
            for _ in loader:
                pass
        except Exception:
            pass


@contextmanager
def spied_loop(m: ModuleType, iterate: bool = False) -> Iterator[LoopSpy]:
    """Replace ``train_epoch``/``evaluate`` in the capstone module and in ``a04_training`` (so ``fit`` and
    ``a04_training.train_epoch(...)`` are seen too), then restore them. With ``iterate`` the spies go through
    each loader they get once, as the real loop does."""
    spy = LoopSpy(iterate)
    targets = [m, earlier("a04_training")]
    saved = []
    for module in targets:
        for name in ("train_epoch", "evaluate"):
            if name in vars(module):
                saved.append((module, name, vars(module)[name]))
                setattr(module, name, getattr(spy, name))
    try:
        yield spy
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def spied_run(m: ModuleType, p: Any, where: str, *args: Any, iterate: bool = False,
              **kwargs: Any) -> tuple[Any, LoopSpy]:
    with spied_loop(m, iterate) as spy:
        result = p.call(where, m.train_text_classifier, *args, **kwargs)
    return result, spy


def batch_kind(batch: Any) -> str:
    if isinstance(batch, dict):
        return f"a dict with keys {sorted(map(str, batch))}"
    if isinstance(batch, (tuple, list)) and len(batch) == 2 and all(isinstance(t, torch.Tensor) for t in batch):
        return BATCH_PAIR
    if isinstance(batch, (tuple, list)):
        return f"a {type(batch).__name__} of {len(batch)} items"
    return f"a {type(batch).__name__}"


def loader_report(p: Any, label: str, loader: Any, batch_size: int | None, n_classes: int) -> dict[str, Any]:
    """What the batches of ``loader`` are, for one pass (ids are padded with 0 = vocab.pad_id).

    ``batch_size=None`` leaves the batch sizes free (validation: the metrics do not depend on them).
    """
    batches = p.attempt(f"iterating the {label} loader", lambda: [b for b in loader])
    if is_raised(batches):
        return {f"{label} loader: iterating it": batches}
    pairs = [b for b in batches if batch_kind(b) == BATCH_PAIR]
    labels = torch.cat([b[1].reshape(-1) for b in pairs]) if pairs else torch.zeros(0, dtype=torch.int64)
    obs = {
        f"{label} loader: what each batch is": sorted({batch_kind(b) for b in batches}),
        f"{label} loader: input_ids dtype and number of dims": sorted(
            {(str(ids.dtype), ids.dim()) for ids, _ in pairs}
        ),
        f"{label} loader: labels dtype, and labels of shape (B,) for input_ids of shape (B, T)": sorted(
            {(str(y.dtype), ids.dim() == 2 and tuple(y.shape) == (ids.shape[0],)) for ids, y in pairs}
        ),
        f"{label} loader: every batch is padded with 0 to its longest text": all(
            ids.dim() == 2 and ids.shape[1] == int((ids != 0).sum(1).max()) for ids, _ in pairs if ids.numel()
        ),
        f"{label} loader: label counts over one pass (every text exactly once)": torch.bincount(
            labels.long().clamp(min=0), minlength=n_classes
        ).tolist() if labels.dtype in (torch.int64, torch.int32) else str(labels.dtype),
    }
    if batch_size is not None:
        obs[f"{label} loader: every batch holds at most batch_size={batch_size} texts"] = all(
            len(y) <= batch_size for _, y in pairs)
        obs[f"{label} loader: number of batches in one pass"] = len(batches)
    return obs


# --- Task 1: TextClassifier ----------------------------------------------------------------------------------------


def fixed_model(m: ModuleType, p: Any, where: str, vocab_size: int, embed_dim: int, num_classes: int, **kwargs: Any):
    """The student's TextClassifier with weights from the probe's generators (the pad row non-zero too).

    The weights are new Parameters of the contract's shapes, so a forward is judged on its own even when a
    layer was built with other sizes (that mistake is embedding_submodule's and classifier_is_own_linear's).
    """
    model = p.call(where, m.TextClassifier, vocab_size, embed_dim, num_classes, **kwargs)
    p.where = (f"{where}: giving model.embedding and model.classifier fixed weights "
               "(the probe sets new Parameters as their .weight/.bias)")
    model.embedding.weight = nn.Parameter(p.randn(vocab_size, embed_dim))
    model.classifier.weight = nn.Parameter(p.randn(num_classes, embed_dim))
    model.classifier.bias = nn.Parameter(p.randn(num_classes))
    return model


@check(points=2, task=1, concept=EMBEDDING, hints=EMBEDDING_HINTS)
def embedding_submodule(m, p):
    """TextClassifier.embedding is nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)"""
    obs = {}
    for label, kwargs in (("TextClassifier(12, 5, 3)", {}), ("TextClassifier(12, 5, 3, pad_id=4)", {"pad_id": 4})):
        model = p.call(label, m.TextClassifier, 12, 5, 3, **kwargs)
        emb = getattr(model, "embedding", None)
        pad = kwargs.get("pad_id", 0)
        obs[f"{label}.embedding is an nn.Embedding"] = isinstance(emb, nn.Embedding)
        if isinstance(emb, nn.Embedding):
            obs[f"{label}.embedding: (num_embeddings, embedding_dim)"] = (emb.num_embeddings, emb.embedding_dim)
            obs[f"{label}.embedding.padding_idx"] = emb.padding_idx
            obs[f"{label}.embedding.weight[{pad}] (the pad row) is all zeros"] = bool((emb.weight[pad] == 0).all())
    return obs


@check(points=2, task=1, concept=OWN_LINEAR, hints=OWN_LINEAR_HINTS)
def classifier_is_own_linear(m, p):
    """TextClassifier.classifier is your a01_modules.Linear(embed_dim, num_classes)"""
    own_linear = earlier("a01_modules").Linear
    model = p.call("TextClassifier(12, 5, 3)", m.TextClassifier, 12, 5, 3)
    classifier = getattr(model, "classifier", None)
    return {
        "TextClassifier(12, 5, 3).classifier is an a01_modules.Linear": isinstance(classifier, own_linear),
        "TextClassifier(12, 5, 3).classifier is not torch's nn.Linear": not isinstance(classifier, nn.Linear),
        "TextClassifier(12, 5, 3).classifier: named_parameters() names and shapes, sorted by name": sorted(
            (n, tuple(q.shape)) for n, q in classifier.named_parameters()) if isinstance(classifier, nn.Module)
        else describe_value(classifier),
    }


# B = 4 texts, T = 6: lengths 6, 3, 1, 4 (0 = pad)
LENGTHS = [6, 3, 1, 4]


def padded_ids(p: Any, lengths: list[int], pad_id: int, low: int, high: int, width: int | None = None) -> torch.Tensor:
    width = width or max(lengths)
    ids = p.randint(low, high, (len(lengths), width))
    for b, n in enumerate(lengths):
        ids[b, n:] = pad_id
    return ids


@check(points=3, task=1, concept=POOL, hints=POOL_HINTS)
def forward_with_mask(m, p):
    """forward(input_ids, attention_mask) averages the embeddings where the mask is True, then applies the classifier"""
    model = fixed_model(m, p, "TextClassifier(10, 4, 3)", 10, 4, 3)
    ids = padded_ids(p, LENGTHS, 0, 1, 10)
    mask = ids != 0
    mask[0, 2] = mask[0, 5] = mask[3, 0] = False  # the mask, not the ids, decides what is real
    obs = {}
    where = ("TextClassifier(10, 4, 3)(input_ids of shape (4, 6), attention_mask) with lengths [6, 3, 1, 4] "
             "and 3 real tokens masked out")
    obs[where] = p.call("model(input_ids, attention_mask)", model, ids, mask)
    obs["the same, attention_mask passed by keyword"] = p.call(
        "model(input_ids, attention_mask=mask)", model, ids, attention_mask=mask)
    return obs


def rows_that_differ(got: Any, want: Any) -> Any:
    """Row indices where two logits tensors of the same shape differ, or a description when they cannot be compared."""
    if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)) or got.shape != want.shape:
        return f"<cannot compare {describe(got)} with {describe(want)}>"
    if got.dim() == 0:
        return [] if bool(torch.isclose(got, want, rtol=1e-5, atol=1e-6)) else [0]
    close = torch.isclose(got, want, rtol=1e-5, atol=1e-6).reshape(got.shape[0], -1).all(dim=1)
    return [i for i, ok in enumerate(close.tolist()) if not ok]


@check(points=2, task=1, concept=DEFAULT_MASK, hints=DEFAULT_MASK_HINTS)
def forward_default_mask(m, p):
    """forward(input_ids) without a mask gives what your forward gives with the mask input_ids != pad_id"""
    obs = {}
    for pad_id in (0, 1):
        kwargs = {} if pad_id == 0 else {"pad_id": 1}
        label = "TextClassifier(10, 4, 3)" if pad_id == 0 else "TextClassifier(10, 4, 3, pad_id=1)"
        model = fixed_model(m, p, label, 10, 4, 3, **kwargs)
        ids = padded_ids(p, LENGTHS, pad_id, 0, 10)
        ids[ids == pad_id] = 5  # real tokens are never the pad id...
        for b, n in enumerate(LENGTHS):
            ids[b, n:] = pad_id  # ...except in the padding
        if pad_id == 1:
            ids[0, 1] = ids[1, 0] = 0  # real tokens equal to 0 (not the pad id here)
        masked = p.call(f"{label}(input_ids, input_ids != {pad_id})", model, ids, ids != pad_id)
        alone = p.call(f"{label}(input_ids)", model, ids)
        none = p.call(f"{label}(input_ids, attention_mask=None)", model, ids, attention_mask=None)
        where = f"{label} on input_ids with lengths [6, 3, 1, 4], padded with {pad_id}"
        obs[f"{where}: rows of model(input_ids) that differ from model(input_ids, input_ids != {pad_id})"] = (
            rows_that_differ(alone, masked))
        obs[f"{where}: rows of model(input_ids, attention_mask=None) that differ from it"] = (
            rows_that_differ(none, masked))
    return obs


@check(points=2, task=1, concept=PADDING, hints=PADDING_HINTS, builds_on=("forward_default_mask",))
def forward_ignores_padding(m, p):
    """Padding changes no prediction: a text scores the same alone, in a padded batch, and with extra padding

    Metamorphic: the student's model is compared with itself only (the values of the logits are
    forward_with_mask's business).
    """
    model = fixed_model(m, p, "TextClassifier(10, 4, 3)", 10, 4, 3)
    ids = padded_ids(p, LENGTHS, 0, 1, 10)
    batch = p.call("model(input_ids) with lengths [6, 3, 1, 4]", model, ids)
    alone = torch.cat([p.call(f"model(text {b} alone, unpadded)", model, ids[b : b + 1, :n])
                       for b, n in enumerate(LENGTHS)])
    extra = torch.cat([ids, torch.zeros(4, 5, dtype=torch.int64)], dim=1)
    more = p.call("model(input_ids with 5 more pad columns)", model, extra)
    return {
        "every row of model(padded batch) equals model(that text alone, unpadded)": bool(
            batch.shape == alone.shape and torch.allclose(batch, alone, rtol=1e-5, atol=1e-6)
        ),
        "5 more pad columns change nothing": bool(
            batch.shape == more.shape and torch.allclose(batch, more, rtol=1e-5, atol=1e-6)
        ),
        "shape of model(input_ids) with lengths [6, 3, 1, 4], padded with 0": (
            tuple(batch.shape) if isinstance(batch, torch.Tensor) else describe(batch)),
    }


# --- Task 2: train_text_classifier ---------------------------------------------------------------------------------


@check(points=2, task=2, concept=HISTORY, hints=HISTORY_HINTS)
def train_returns(m, p):
    """train_text_classifier runs train_epoch and evaluate once per epoch and returns (model, vocab, history) with one history entry per epoch"""  # noqa: E501
    train_texts, train_labels, val_texts, val_labels, _ = small_corpus(p)
    Vocab = earlier("a05_datasets").Vocab
    obs = {}
    for epochs in (3, 1):
        where = f"train_text_classifier(48 texts, ..., epochs={epochs}, batch_size=8, embed_dim=8)"
        result, spy = spied_run(m, p, where, train_texts, train_labels, val_texts, val_labels,
                                epochs=epochs, batch_size=8, embed_dim=8)
        obs[f"{where}: calls of train_epoch, then of evaluate (train_epoch and evaluate stand-ins that train "
            "nothing, return train_loss 1.0 and loss 1.0, accuracy 0.5)"] = [len(spy.train_calls), len(spy.eval_calls)]
        obs[f"{where} returns"] = describe_value(result)
        if not (isinstance(result, tuple) and len(result) == 3):
            continue
        model, vocab, history = result
        obs[f"{where}: model is a TextClassifier"] = isinstance(model, m.TextClassifier)
        obs[f"{where}: vocab is an a05_datasets.Vocab"] = isinstance(vocab, Vocab)
        obs[f"{where}: the model is left in train mode"] = getattr(model, "training", None)
        entries = history if isinstance(history, list) else []
        obs[f"{where}: history is a list of dicts"] = isinstance(history, list) and all(
            isinstance(h, dict) for h in history)
        obs[f"{where}: history epochs"] = [h.get("epoch") if isinstance(h, dict) else None for h in entries]
        obs[f"{where}: keys of each history entry"] = [
            sorted(map(str, h)) if isinstance(h, dict) else None for h in entries]
        obs[f"{where}: types of train_loss, val_loss, val_accuracy"] = [
            [type(h.get(k)).__name__ for k in ("train_loss", "val_loss", "val_accuracy")]
            if isinstance(h, dict) else None
            for h in entries
        ]
    where = "train_text_classifier(texts, labels one shorter than texts, ...)"
    with spied_loop(m):
        obs[f"{where} (TextClassificationDataset's ValueError)"] = expect_raise(
            p, where, m.train_text_classifier, train_texts, train_labels[:-1], val_texts, val_labels, epochs=1
        )
    return obs


@check(points=3, task=2, concept=COLLATE, hints=COLLATE_HINTS)
def train_batches(m, p):
    """The training and validation loaders yield (input_ids, labels) batches; training batches come from BucketBatchSampler"""  # noqa: E501
    train_texts, train_labels, val_texts, val_labels, _ = small_corpus(p)
    where = "train_text_classifier(48 texts, ..., epochs=2, batch_size=8)"
    _, spy = spied_run(m, p, where, train_texts, train_labels, val_texts, val_labels, epochs=2, batch_size=8)
    obs: dict[str, Any] = {"train_epoch was called": bool(spy.train_calls), "evaluate was called": bool(spy.eval_calls)}
    if spy.train_calls:
        loader = spy.train_calls[0]["loader"]
        obs.update(loader_report(p, "training", loader, 8, 5))
        obs["the training loader's batch_sampler is your a06_samplers.BucketBatchSampler"] = isinstance(
            getattr(loader, "batch_sampler", None), earlier("a06_samplers").BucketBatchSampler
        )
    if spy.eval_calls:
        obs.update(loader_report(p, "validation", spy.eval_calls[0]["loader"], None, 5))
    return obs


@check(points=2, task=2, concept=OPTIMIZER, hints=OPTIMIZER_HINTS)
def train_optimizer(m, p):
    """train_text_classifier trains the returned model with your Adam at the given lr and a cross-entropy loss"""
    train_texts, train_labels, val_texts, val_labels, _ = small_corpus(p)
    where = "train_text_classifier(48 texts, ..., epochs=3, lr=0.05)"
    result, spy = spied_run(m, p, where, train_texts, train_labels, val_texts, val_labels, epochs=3, lr=0.05)
    model = result[0] if isinstance(result, tuple) and result else None
    obs: dict[str, Any] = {"train_epoch was called": bool(spy.train_calls)}
    if not spy.train_calls:
        return obs
    call = spy.train_calls[0]
    optimizer = call["optimizer"]
    Adam = earlier("a03_optimizers").Adam
    groups = getattr(optimizer, "param_groups", [])
    in_optimizer = [id(q) for g in groups for q in g.get("params", [])]
    obs["train_epoch trains the returned model"] = call["model"] is model
    obs["the optimizer is your a03_optimizers.Adam"] = isinstance(optimizer, Adam)
    obs["lr of every parameter group"] = [g.get("lr") for g in groups]
    obs["the optimizer holds every parameter of the model, once"] = (
        isinstance(model, nn.Module) and sorted(in_optimizer) == sorted(id(q) for q in model.parameters())
    )
    logits, targets = p.randn(5, 4), torch.tensor([0, 3, 1, 1, 2])
    for label, fn in (("train_epoch", call["loss_fn"]),
                      ("evaluate", spy.eval_calls[0]["loss_fn"] if spy.eval_calls else None)):
        if fn is None:
            continue
        loss = p.call(f"loss_fn(logits, targets) with the loss_fn given to {label}", fn, logits, targets)
        obs[f"loss_fn given to {label}: loss_fn(logits of shape (5, 4), targets) "
            "(cross-entropy, mean over the batch)"] = (
            float(loss) if isinstance(loss, torch.Tensor) and loss.numel() == 1 else describe(loss)
        )
    obs["evaluate gets the returned model"] = bool(spy.eval_calls) and all(c["model"] is model for c in spy.eval_calls)
    return obs


@check(points=2, task=2, concept=SIZES, hints=SIZES_HINTS, builds_on=("embedding_submodule",))
def train_model_sizes(m, p):
    """The model has len(vocab) embeddings of size embed_dim and max label + 1 classes (the largest label only in validation)"""  # noqa: E501
    train_texts, train_labels, val_texts, val_labels, _ = small_corpus(p)
    where = "train_text_classifier(texts with labels 0-2, validation texts with labels 0-2 and 4, ..., embed_dim=6)"
    result, _ = spied_run(m, p, where, train_texts, train_labels, val_texts, val_labels, epochs=1, embed_dim=6)
    if not (isinstance(result, tuple) and len(result) == 3):
        return {f"{where} returns": describe_value(result)}
    model, vocab, _ = result
    emb = getattr(model, "embedding", None)
    classifier = getattr(model, "classifier", None)
    weight = getattr(classifier, "weight", None)
    return {
        "num_classes: rows of model.classifier.weight (labels 0-2 in training, up to 4 in validation)":
            int(weight.shape[0]) if isinstance(weight, torch.Tensor) else describe(weight),
        "model.embedding.num_embeddings == len(vocab)":
            isinstance(emb, nn.Embedding) and emb.num_embeddings == len(vocab),
        "model.embedding.embedding_dim (embed_dim=6)": getattr(emb, "embedding_dim", None),
        "model.embedding.padding_idx == vocab.pad_id":
            isinstance(emb, nn.Embedding) and emb.padding_idx == vocab.pad_id,
    }


@check(points=2, task=2, concept=VOCAB, hints=VOCAB_HINTS)
def train_vocab(m, p):
    """The returned vocab holds exactly the training words (plus <pad>, <unk>), no validation-only word"""
    train_texts, train_labels, val_texts, val_labels, val_only = small_corpus(p)
    where = "train_text_classifier(48 texts, ..., 16 validation texts with 3 words seen only there)"
    result, _ = spied_run(m, p, where, train_texts, train_labels, val_texts, val_labels, epochs=1)
    if not (isinstance(result, tuple) and len(result) == 3):
        return {f"{where} returns": describe_value(result)}
    vocab = result[1]
    train_words = sorted({w for t in train_texts for w in words_of(t)})
    return {
        "validation-only words found in vocab": [w for w in val_only if w in vocab],
        "every training word is in vocab": all(w in vocab for w in train_words),
        f"len(vocab) (the {len(train_words)} distinct training words + 2 specials)": len(vocab),
        "vocab.pad_id": vocab.pad_id,
    }


@check(points=3, task=2, concept=SEEDING, hints=SEEDING_HINTS, timeout=120,
       builds_on=("classifier_is_own_linear", "forward_with_mask", "train_batches"))
def train_reproducible(m, p):
    """The same seed gives the same history and model, even when the global RNG state differs between calls"""
    corpus = Corpus(p)
    train_texts, train_labels = corpus.texts(300)
    val_texts, val_labels = corpus.texts(100)
    where = "train_text_classifier(300 texts, ..., epochs=3, seed=3)"
    first = p.call(where, m.train_text_classifier, train_texts, train_labels, val_texts, val_labels, epochs=3, seed=3)
    scramble_global_rng()
    second = p.call(where + " again, after torch.manual_seed(123)", m.train_text_classifier,
                    train_texts, train_labels, val_texts, val_labels, epochs=3, seed=3)
    h1, h2 = history_of(first), history_of(second)
    try:
        equal = bool(h1 == h2)
    except Exception:
        equal = False
    same_model = False
    if isinstance(first, tuple) and isinstance(second, tuple) and len(first) == len(second) == 3:
        try:
            s1, s2 = first[0].state_dict(), second[0].state_dict()
            same_model = list(s1) == list(s2) and all(torch.equal(s1[k], s2[k]) for k in s1)
        except Exception:
            same_model = False
    texts = small_corpus(p)[:4]
    starts = [first_batches_and_weights(m, p, texts, seed) for seed in (3, 4)]
    return {"the two histories are equal": equal, "the two trained models are equal": same_model,
            "history of the first call": h1, "history of the second call": h2,
            BATCHES_DIFFER: None not in starts and starts[0][0] != starts[1][0],
            WEIGHTS_DIFFER: None not in starts and any(
                not torch.equal(a, b) for a, b in zip(starts[0][1], starts[1][1]))}


SEEDS = "train_text_classifier(48 texts, ..., epochs=1) with seed=3 and with seed=4 (train_epoch spied, no training)"
BATCHES_DIFFER = f"{SEEDS}: the first epoch's training batches differ (the seed decides the batch order)"
WEIGHTS_DIFFER = f"{SEEDS}: the initial weights differ (the seed decides the model's initialisation)"


def first_batches_and_weights(m: ModuleType, p: Any, texts: tuple[Any, ...], seed: int) -> Any:
    """The batches of the first training epoch (as text) and the model's initial parameters; None when not reached."""
    where = f"train_text_classifier(48 texts, ..., epochs=1, seed={seed}) (train_epoch spied)"
    _, spy = spied_run(m, p, where, *texts, epochs=1, seed=seed)
    if not spy.train_calls or not isinstance(spy.train_calls[0]["model"], nn.Module):
        return None
    call = spy.train_calls[0]
    batches = p.attempt(f"iterating the training loader of {where}", lambda: [repr(b) for b in call["loader"]])
    return batches, [q.detach().clone() for q in call["model"].parameters()]


@train_reproducible.judge
def _reproducible_judge(got: Any, expected: Any) -> Mismatch | None:
    if not isinstance(got, dict) or set(got) != set(expected):
        return compare(got, expected)
    where = ("train_text_classifier(300 texts, ..., epochs=3, seed=3) twice, the global RNG state "
             "(torch.manual_seed(123), random, numpy) changed in between")
    h1, h2 = got["history of the first call"], got["history of the second call"]
    if not got["the two histories are equal"]:
        detail = ""
        if isinstance(h1, list) and isinstance(h2, list):
            first = next((i for i, (a, b) in enumerate(zip(h1, h2)) if a != b), min(len(h1), len(h2)))
            detail = f"first difference at history[{first}]"
        return Mismatch(where, "the same history from both calls",
                        f"first call: {describe(h1)}; second call: {describe(h2)}", detail)
    if not isinstance(h1, list) or not h1:
        return Mismatch(where, "a non-empty history (a list of dicts)", describe(h1))
    if not got["the two trained models are equal"]:
        return Mismatch(where, "the same trained parameters from both calls",
                        "different parameters (state_dict values differ)")
    for key in (BATCHES_DIFFER, WEIGHTS_DIFFER):
        if not got[key]:
            return Mismatch(key, "True (the seed decides it)", "False")
    return None


@check(points=1, task=2, concept=GLOBAL_RNG, hints=GLOBAL_RNG_HINTS)
def train_keeps_global_rng(m, p):
    """train_text_classifier leaves the global RNG states (torch, random, numpy) as they were"""
    train_texts, train_labels, val_texts, val_labels, _ = small_corpus(p)
    before = rng_snapshot()
    # the loop's stand-ins go through every loader once per epoch, as the real loop does, without training
    spied_run(m, p, "train_text_classifier(48 texts, ..., epochs=2)", train_texts, train_labels, val_texts,
              val_labels, epochs=2, iterate=True)
    return same_rng(before, rng_snapshot())


@check(points=3, task=2, concept=LEARNS, hints=LEARNS_HINTS, timeout=120,
       builds_on=("classifier_is_own_linear", "forward_with_mask", "forward_default_mask", "train_batches",
                  "train_optimizer", "train_model_sizes", "train_vocab"))
def train_accuracy(m, p):
    """With the default settings the model reaches validation accuracy >= 0.9 on a held-out synthetic corpus"""
    corpus = Corpus(p)
    train_texts, train_labels = corpus.texts(600)
    val_texts, val_labels = corpus.texts(200)
    result = p.call("train_text_classifier(600 synthetic texts, their labels, 200 validation texts, their labels)",
                    m.train_text_classifier, train_texts, train_labels, val_texts, val_labels)
    history = history_of(result)
    try:
        per_epoch = [h["val_accuracy"] for h in history]
    except Exception:
        per_epoch = None
    return {ACCURACY_KEY: final_accuracy(history), "val_accuracy per epoch": per_epoch}


@train_accuracy.judge
def _accuracy_judge(got: Any, expected: Any) -> Mismatch | None:
    have = got.get(ACCURACY_KEY) if isinstance(got, dict) else got
    want = expected[ACCURACY_KEY]
    if isinstance(have, float) and have >= MIN_ACCURACY:
        return None
    shown = f"{have:.3f}" if isinstance(have, float) else describe(have)
    per_epoch = got.get("val_accuracy per epoch") if isinstance(got, dict) else None
    return Mismatch(
        "train_text_classifier(600 synthetic texts of 4 classes, ..., 200 validation texts) with the default settings",
        f"final val_accuracy >= {MIN_ACCURACY} (the reference reaches {want:.3f})",
        shown,
        f"val_accuracy per epoch: {describe(per_epoch)}" if isinstance(per_epoch, list) else "",
    )
