"""Grader of a07_collate: padding, attention masks, masked means, packing, dict collation.

Each check is a probe (drives the implementation, returns observations)
judged against the reference's observations; see graders/engine. Batches are
built from the probe's generators with lengths chosen so that ``B != T``
(a transposed ``(T, B)`` result changes the shape), a zero-length sequence,
real tokens equal to the pad value (a mask computed from values is wrong
there) and labels that change when the batch is sorted by length. Padded
positions of ``masked_mean``'s input hold large finite values, so a mean
taken over padding is far off. The error-message checks of
``collate_dicts`` use a judge that asks the student's ``ValueError`` message
to name what the reference's names (the key, the sample index, the shapes),
however it is worded.

One mistake, one diagnosis: the check of input order (lengths and labels)
comes first, and the padding and mask checks build on it, so a batch sorted by
length is diagnosed once, as an order mistake. pack_collate builds on
pad_collate (its docstring pads "as pad_collate does"), masked_mean's empty
rows and gradients build on its values, and the empty-batch error of
pack_collate builds on pad_collate's.
"""

from __future__ import annotations

import re
from typing import Any

import torch
from torch.nn.utils.rnn import PackedSequence

from graders.engine import check
from graders.engine.compare import Mismatch, compare
from graders.engine.observations import RAISED, is_raised
from graders.engine.probes import expect_raise

TASKS = {1: ("pad_collate",), 2: ("masked_mean",), 3: ("pack_collate",), 4: ("collate_dicts",)}

ORDER = "a collate function keeps the samples in input order: row b of every output is sample b"
PAD = ("right padding to the longest sequence, in input order: row b holds sample b's ids, then pad_value up to T; "
       "int64 of shape (B, T)")
MASK = ("the attention mask: a bool tensor of shape (B, T), True on real tokens and False on padding, decided by "
        "position (j < length), not by value: a real token may equal pad_value")
MEAN = ("a masked mean: sum over real positions only, divided by their count "
        "(padding must not enter the sum or the count; "
        "x itself stays unchanged: no in-place writes into it)")
EMPTY_ROW = "a row with no real position has count 0: divide by max(count, 1) so it gives zeros, never 0/0 = nan"
PACK = ("packing a padded batch for an RNN: pack_padded_sequence with batch_first=True and enforce_sorted=False "
        "remembers the original order, so nothing needs sorting by hand and the labels stay in input order")
DICTS = ("collating dict samples key by key: tensors stacked, bool/int/float become tensors of bool/int64/float64, "
         "the rest lists")
ERRORS = ("error messages a user can act on: raise ValueError naming what is wrong "
          "(the key, the sample index, the shapes)")

KEYS = ("input_ids", "attention_mask", "lengths", "labels")


# --- helpers -------------------------------------------------------------------------------------------------------


def entry(out: Any, key: str) -> Any:
    """``out[key]``, or a description of why there is none (so the judge says 'expected a tensor, got str')."""
    if not isinstance(out, dict):
        return f"<pad_collate returned a {type(out).__name__}, not a dict>"
    return out[key] if key in out else f"<no key {key!r} in the returned dict>"


def token_batch(p, lengths: list[int], labels: list[Any], *, high: int = 10,
                force: dict[tuple[int, int], int] | None = None):
    """``(ids, label)`` pairs: int64 ids in ``[1, high)`` of the given lengths; ``force[(b, j)]`` overrides a token."""
    batch = []
    for b, (n, label) in enumerate(zip(lengths, labels)):
        ids = p.randint(1, high, (n,))
        for (row, j), value in (force or {}).items():
            if row == b:
                ids[j] = value
        batch.append((ids, label))
    return batch


# B = 5 sequences, longest T = 4: the zero-length sample and a transposed (T, B) result both show.
LENGTHS = [3, 1, 0, 4, 2]
LABELS = [4, 0, 3, 1, 2]  # sorting by length (descending or ascending) reorders them
# real tokens equal to the default pad 0 and to pad_value 7
FORCED = {(0, 1): 0, (3, 3): 0, (1, 0): 7, (3, 0): 7}


def main_batch(p) -> list:
    return token_batch(p, LENGTHS, LABELS, force=FORCED)


# --- Task 1: pad_collate -------------------------------------------------------------------------------------------


@check(points=2, task=1, forbid=("pad_sequence",),
       concept=ORDER + "; lengths and labels are int64 tensors of shape (B,), a length counting every position of "
                       "the sample's token_ids (whatever their values)",
       hints=("Is row b of every output still sample b of the batch? Are lengths and labels tensors, of which dtype, "
              "whether a label arrives as an int or as a 0-d tensor?",
              "The 'Returns' paragraph of the pad_collate docstring ('lengths': int64 (B,), 'labels': int64 (B,)) "
              "and its sentence 'Everything stays in input order'; the dtype argument of torch.tensor.",
              "Pattern on other data: the ages of people, in the order given, as an int64 tensor of shape (N,) "
              "(torch.tensor([person.age for person in people], dtype=torch.int64)); int(torch.tensor(5)) == 5."))
def pad_collate_lengths_labels(m, p):
    """lengths and labels are int64 (B,) tensors in input order, from int or 0-d tensor labels"""
    batch = main_batch(p)
    obs = {}
    out = p.call("pad_collate(batch) with lengths [3, 1, 0, 4, 2], int labels [4, 0, 3, 1, 2]", m.pad_collate, batch)
    obs["pad_collate(batch) with lengths [3, 1, 0, 4, 2]: lengths"] = entry(out, "lengths")
    obs["pad_collate(batch) with int labels [4, 0, 3, 1, 2]: labels"] = entry(out, "labels")
    tensor_labels = [(ids, torch.tensor(label)) for ids, label in token_batch(p, [2, 5, 1], [2, 0, 1])]
    where = "pad_collate(batch) with lengths [2, 5, 1], 0-d tensor labels tensor(2), tensor(0), tensor(1)"
    out = p.call(where, m.pad_collate, tensor_labels)
    obs[f"{where}: lengths"] = entry(out, "lengths")
    obs[f"{where}: labels"] = entry(out, "labels")
    return obs


@check(points=3, task=1, forbid=("pad_sequence",), builds_on=("pad_collate_lengths_labels",), concept=PAD,
       hints=("How long is the longest sequence, what goes into a row after its sequence ends, and which value do "
              "you pad with when pad_value is given? What is T when every sequence is empty?",
              "The first paragraph and the 'Returns' paragraph of the pad_collate docstring (input_ids: int64 "
              "(B, T)); torch.full, and assigning into a slice of one row of a tensor.",
              "Pattern: a 2 x 5 grid filled with -1, then the word lengths [4, 2, 7] written into the start of row 0: "
              "grid = torch.full((2, 5), -1); grid[0, :3] = torch.tensor([4, 2, 7])."))
def pad_collate_input_ids(m, p):
    """pad_collate right-pads input_ids to (B, T) int64 with pad_value, zero-length sequences included"""
    batch = main_batch(p)
    obs = {}
    out = p.call("pad_collate(batch) with lengths [3, 1, 0, 4, 2]", m.pad_collate, batch)
    obs["pad_collate(batch) with lengths [3, 1, 0, 4, 2]: input_ids"] = entry(out, "input_ids")
    out = p.call("pad_collate(batch, pad_value=7)", m.pad_collate, batch, pad_value=7)
    obs["pad_collate(batch with lengths [3, 1, 0, 4, 2], pad_value=7): input_ids"] = entry(out, "input_ids")
    out = p.call("pad_collate(batch, pad_value=-1)", m.pad_collate, batch, -1)
    obs["pad_collate(batch with lengths [3, 1, 0, 4, 2], -1) (pad_value passed by position): input_ids"] = entry(
        out, "input_ids")
    equal = token_batch(p, [2, 2, 2], [1, 0, 1])
    out = p.call("pad_collate(batch with lengths [2, 2, 2])", m.pad_collate, equal)
    obs["pad_collate(batch with lengths [2, 2, 2]) (nothing to pad): input_ids"] = entry(out, "input_ids")
    empty = [(torch.zeros(0, dtype=torch.int64), 1), (torch.zeros(0, dtype=torch.int64), 0)]
    out = p.call("pad_collate(batch of two zero-length sequences)", m.pad_collate, empty)
    obs["pad_collate(batch of two zero-length sequences): input_ids (T = 0)"] = entry(out, "input_ids")
    return obs


@check(points=3, task=1, forbid=("pad_sequence",), builds_on=("pad_collate_lengths_labels",), concept=MASK,
       hints=("Is a position real because of where it is (before the end of its sequence) or because of the value "
              "stored there? What if a real token equals pad_value?",
              "The 'attention_mask' entry of the 'Returns' paragraph of the pad_collate docstring; torch.arange and "
              "broadcasting a comparison between a row and a column.",
              "Pattern: an upper-triangular bool mask compares the row index with the column index for every cell "
              "at once: torch.arange(4)[:, None] <= torch.arange(4)[None, :]."))
def pad_collate_attention_mask(m, p):
    """attention_mask is a bool (B, T) tensor, True exactly on real tokens (even those equal to pad_value)"""
    batch = main_batch(p)
    obs = {}
    out = p.call("pad_collate(batch) with lengths [3, 1, 0, 4, 2]", m.pad_collate, batch)
    obs["pad_collate(batch) with lengths [3, 1, 0, 4, 2], real tokens equal to 0 in rows 0 and 3: attention_mask"] = \
        entry(out, "attention_mask")
    out = p.call("pad_collate(batch, pad_value=7)", m.pad_collate, batch, pad_value=7)
    obs["pad_collate(batch, pad_value=7), real tokens equal to 7 in rows 1 and 3: attention_mask"] = entry(
        out, "attention_mask")
    empty = [(torch.zeros(0, dtype=torch.int64), 1), (torch.zeros(0, dtype=torch.int64), 0)]
    out = p.call("pad_collate(batch of two zero-length sequences)", m.pad_collate, empty)
    obs["pad_collate(batch of two zero-length sequences): attention_mask (T = 0)"] = entry(out, "attention_mask")
    return obs


@check(points=1, task=1, forbid=("pad_sequence",),
       concept="validating inputs: an empty batch has no T to pad to and token_ids must be 1-D, so raise ValueError; "
               "token_ids that are not a tensor are a TypeError",
       hints=("What is T when there are no samples at all? What should the caller learn, instead of an obscure "
              "error from deep inside your function?",
              "The 'Raises' paragraph of the pad_collate docstring: ValueError when batch is empty.",
              "Pattern in another function: average(xs) refuses an empty list up front with "
              "raise ValueError('xs should hold at least one number, but it is empty')."))
def pad_collate_empty_batch(m, p):
    """pad_collate raises ValueError for an empty batch or 2-D token_ids, TypeError for ids that are not a tensor"""
    ids = p.randint(1, 10, (3,))
    return {
        "pad_collate([])": expect_raise(p, "pad_collate([])", m.pad_collate, []),
        "pad_collate([(ids, 0), (a list of ints, 1)])": expect_raise(
            p, "pad_collate([(ids, 0), (a list of ints, 1)])", m.pad_collate, [(ids, 0), ([4, 5], 1)]),
        "pad_collate([(ids, 0), (2-D ids of shape (2, 3), 1)])": expect_raise(
            p, "pad_collate([(ids, 0), (2-D ids, 1)])", m.pad_collate, [(ids, 0), (ids.repeat(2, 1), 1)]),
    }


# --- Task 2: masked_mean -------------------------------------------------------------------------------------------


def padded_input(p, masks: list[list[bool]], d: int,
                 dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """``x`` of shape ``(B, T, d)``: small values on real positions, large finite ones (around 1e6) on padding."""
    mask = torch.tensor(masks, dtype=torch.bool)
    b, t = mask.shape
    real = p.randn(b, t, d, dtype=dtype)
    junk = 1e6 + 1e5 * p.randn(b, t, d, dtype=dtype)
    return torch.where(mask[..., None], real, junk), mask


MASKS = [
    [True, True, True, False, False],
    [True, False, True, True, False],  # not a prefix: any bool mask is allowed
    [True, True, True, True, True],
    [False, False, False, True, False],
]


@check(points=3, task=2, concept=MEAN,
       hints=("Which positions should enter the sum, and by what number do you divide: T, or how many positions of "
              "that row are real? Does your code write into x?",
              "The formula in the masked_mean docstring (out[b] = sum_t(mask[b, t] * x[b, t]) / max(1, sum_t "
              "mask[b, t])); torch.Tensor.masked_fill versus masked_fill_ (a trailing underscore writes in place).",
              "Pattern: a mean that skips missing values, vals = torch.tensor([2.0, float('nan'), 4.0]): "
              "keep = ~vals.isnan(); vals[keep].sum() / keep.sum() == 3.0, and vals itself is unchanged."))
def masked_mean_values(m, p):
    """masked_mean averages (B, T, D) over real positions only; padded values do not change it; x is left unchanged"""
    obs = {}
    for dtype, d in ((torch.float32, 3), (torch.float64, 2)):
        x, mask = padded_input(p, MASKS, d, dtype)
        before = x.clone()
        name = str(dtype).replace("torch.", "")
        where = f"masked_mean(x, mask), x {name} of shape (4, 5, {d}) with about 1e6 at padded positions, mask {MASKS}"
        obs[where] = p.call(where, m.masked_mean, x, mask)
        obs[f"x is unchanged after masked_mean ({name})"] = torch.equal(x, before)
    return obs


@check(points=2, task=2, builds_on=("masked_mean_values",), concept=EMPTY_ROW,
       hints=("How many real positions does a row without any have, and what is 0 / 0 in floating point?",
              "The masked_mean docstring: 'a row without real positions gives zeros, never nan', and the max(1, ...) "
              "in its formula; torch.clamp.",
              "Pattern: hit rates for tries [0, 4] and hits [0, 2]: hits / tries gives [nan, 0.5], "
              "hits / tries.clamp(min=1) gives [0.0, 0.5]."))
def masked_mean_empty_rows(m, p):
    """a row with no real position gives zeros, never nan"""
    masks = [[True, True, False, False], [False, False, False, False], [False, True, False, False]]
    x, mask = padded_input(p, masks, 3)
    obs = {f"masked_mean(x, mask), x (3, 4, 3), mask {masks} (row 1 has no real position)":
           p.call("masked_mean(x, mask)", m.masked_mean, x, mask)}
    x, mask = padded_input(p, [[False] * 3] * 2, 4)
    obs["masked_mean(x, mask), x (2, 3, 4), mask all False"] = p.call(
        "masked_mean(x, all-False mask)", m.masked_mean, x, mask)
    return obs


@check(points=2, task=2, builds_on=("masked_mean_values", "masked_mean_empty_rows"),
       concept="masked_mean is differentiable: x.grad is weight / count on real positions "
               "and exactly 0 on padding (no nan, even for rows without real positions)",
       hints=("Is your result still connected to x, and which gradient reaches a padded position? Could a nan be "
              "created inside the graph even if the value you return looks clean?",
              "Out-of-place torch.where and Tensor.masked_fill keep the graph, Tensor.detach cuts it; "
              "torch.nan_to_num repairs values, not the gradients flowing back through them.",
              "Pattern: y = torch.where(x > 0, x.sqrt(), 0) still has nan gradients where x < 0 (sqrt's backward runs "
              "on every element); taking the square root of x.clamp(min=0) instead avoids them."))
def masked_mean_gradients(m, p):
    """gradients of masked_mean w.r.t. x match the reference's and are zero at padded positions"""
    masks = MASKS + [[False] * 5]
    x, mask = padded_input(p, masks, 3)
    x.requires_grad_()
    where = "out = masked_mean(x, mask) with x.requires_grad=True, x (5, 5, 3), row 4 without real positions"
    out = p.call(where, m.masked_mean, x, mask)
    connected = bool(getattr(out, "requires_grad", False))
    obs: dict[str, Any] = {f"{where}: out.requires_grad (the result is connected to x)": connected}
    weight = p.randn(5, 3)
    if connected:
        p.call("(out * w).sum().backward() with w of shape (5, 3)", (out * weight).sum().backward)
    grad = x.grad
    obs["after (out * w).sum().backward(): x.grad"] = grad if grad is not None else "<no gradient reached x>"
    obs["x.grad is exactly 0 at every padded position"] = grad is not None and bool((grad[~mask] == 0).all())
    return obs


@check(points=1, task=2,
       concept="validating inputs: masked_mean needs x of shape (B, T, D) and a bool mask of shape (B, T) (TypeError "
               "for a mask of another dtype, ValueError for wrong shapes), rather than a silently broadcast result",
       hints=("What would your function return for a 0/1 float mask, or a mask of the wrong shape, and would the "
              "caller ever notice?",
              "The 'Raises' paragraph of the masked_mean docstring; torch.Tensor.dtype, torch.Tensor.dim and "
              "torch.Tensor.shape.",
              "Pattern: a function taking an image of shape (C, H, W) refuses a batch up front: if image.dim() != 3: "
              "raise ValueError(f'image should be 3-D (C, H, W), but got shape {tuple(image.shape)}')."))
def masked_mean_validation(m, p):
    """masked_mean raises TypeError for a mask that is not bool, ValueError for x not 3-D or a mask of another shape"""
    x = p.randn(2, 3, 4)
    mask = torch.tensor([[True, True, False], [True, False, False]])
    cases = {
        "masked_mean(x, a float 0/1 mask)": (x, mask.float()),
        "masked_mean(x of shape (2, 3), mask of shape (2, 3))": (x[:, :, 0], mask),
        "masked_mean(x of shape (2, 3, 4), mask of shape (2, 2))": (x, mask[:, :2]),
    }
    return {label: expect_raise(p, label, m.masked_mean, *args) for label, args in cases.items()}


# --- Task 3: pack_collate ------------------------------------------------------------------------------------------


def packed_fields(packed: Any) -> dict[str, Any]:
    """The four fields of a PackedSequence, recorded as tensors (None where a field is None)."""
    fields = {"type of the first returned value": type(packed).__name__,
              "it is a torch.nn.utils.rnn.PackedSequence": isinstance(packed, PackedSequence)}
    for name in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        fields[f"packed.{name}"] = getattr(packed, name, f"<no attribute {name}>")
    return fields


@check(points=3, task=3, builds_on=("pad_collate_lengths_labels", "pad_collate_input_ids"), concept=PACK,
       hints=("Does your packed sequence know the original order of the samples? Which layout does your padded "
              "tensor have (batch first?), and must the labels follow the sorted order or the input order?",
              "The pack_collate docstring, and torch.nn.utils.rnn.pack_padded_sequence: its batch_first and "
              "enforce_sorted arguments, and the sorted_indices and unsorted_indices fields of a PackedSequence.",
              "Pattern: torch.sort(lengths, descending=True) returns (values, order), and order.argsort() maps the "
              "sorted rows back to their original places: a PackedSequence keeps both to undo its sorting."))
def pack_collate_fields(m, p):
    """pack_collate returns the PackedSequence of pack_padded_sequence(enforce_sorted=False) and labels in input order"""  # noqa: E501
    obs: dict[str, Any] = {}
    cases = (
        ("lengths [2, 5, 1, 3], int labels [3, 1, 0, 2]", [2, 5, 1, 3], [3, 1, 0, 2], False),
        ("lengths [1, 2, 4], 0-d tensor labels tensor(0), tensor(2), tensor(1)", [1, 2, 4], [0, 2, 1], True),
    )
    for text, lengths, labels, as_tensors in cases:
        batch = token_batch(p, lengths, labels, high=50)
        if as_tensors:
            batch = [(ids, torch.tensor(label)) for ids, label in batch]
        where = f"pack_collate(batch) with {text}"
        result = p.call(where, m.pack_collate, batch)
        if not isinstance(result, tuple) or len(result) != 2:
            obs[f"{where}: returns a (PackedSequence, labels) pair"] = False
            continue
        obs[f"{where}: returns a (PackedSequence, labels) pair"] = True
        packed, out_labels = result
        obs.update({f"{where}: {k}": v for k, v in packed_fields(packed).items()})
        obs[f"{where}: labels"] = out_labels
    return obs


@check(points=1, task=3, builds_on=("pad_collate_empty_batch",),
       concept="validating inputs: a zero-length sequence cannot be packed, "
               "so raise ValueError naming the sample (pack_padded_sequence raises a RuntimeError)",
       hints=("What does pack_padded_sequence do with a length of 0, and which error would help the caller more? "
              "Which sample is it?",
              "The 'Raises' paragraph of the pack_collate docstring: ValueError for an empty batch or a zero-length "
              "sequence.",
              "Pattern: a word list with an empty word is refused by position: for row, word in enumerate(words): "
              "if not word: raise ValueError(f'word {row} is empty')."))
def pack_collate_errors(m, p):
    """pack_collate raises ValueError for a zero-length sequence and for an empty batch"""
    ids = p.randint(1, 10, (3,))
    empty = torch.zeros(0, dtype=torch.int64)
    return {
        "pack_collate([(ids of length 3, 0), (ids of length 0, 1)])": expect_raise(
            p, "pack_collate(...)", m.pack_collate, [(ids, 0), (empty, 1)]),
        "pack_collate([(ids of length 0, 0)])": expect_raise(p, "pack_collate(...)", m.pack_collate, [(empty, 0)]),
        "pack_collate([])": expect_raise(p, "pack_collate([])", m.pack_collate, []),
    }


# --- Task 4: collate_dicts -----------------------------------------------------------------------------------------


@check(points=2, task=4,
       concept=DICTS + " (torch.stack adds a leading batch dimension; keys in the first sample's order)",
       hints=("Three samples hold tensors of shape (2, 3) under one key: should the batch be (6, 3) or (3, 2, 3)? "
              "In which order do the keys come out?",
              "The collate_dicts docstring ('tensors: torch.stack (a new leading batch dimension)', 'the result has "
              "them in the first sample's order'); torch.stack versus torch.cat; dicts keep insertion order.",
              "Pattern: for three vectors of shape (4,), torch.stack([a, b, c]).shape == (3, 4) while "
              "torch.cat([a, b, c]).shape == (12,)."))
def collate_dicts_tensors(m, p):
    """collate_dicts stacks tensor values into (B, ...) and keeps the first sample's key order"""
    samples = [{"image": p.randn(2, 3), "score": p.randn(()), "ids": p.randint(0, 9, (4,))} for _ in range(3)]
    out = p.call("collate_dicts(3 samples with keys image (2, 3), score 0-d, ids int64 (4,))", m.collate_dicts, samples)
    obs: dict[str, Any] = {
        "keys of the result, in order": list(out) if isinstance(out, dict) else f"<a {type(out).__name__}>"}
    for key in ("image", "score", "ids"):
        obs[f"collate_dicts(...)[{key!r}]"] = out.get(key) if isinstance(out, dict) else None
    return obs


@check(points=3, task=4, concept=DICTS,
       hints=("For each key, what do all samples hold: bools, ints, floats (perhaps mixed with ints), or anything "
              "else? Which test must come first, given that True is also an int?",
              "The bullet list of the collate_dicts docstring; isinstance(True, int) is True; the dtype argument of "
              "torch.tensor (torch.bool, torch.int64, torch.float64).",
              "Pattern: sorting a column of a spreadsheet into a kind: ['1', 2, 3.5] is neither all numbers nor "
              "all text, so it stays a plain list; [2, 3.5] is numbers with a float, so it becomes float64."))
def collate_dicts_scalars(m, p):
    """ints -> int64, floats (ints mixed in) -> float64, bools -> bool tensors; strings and other values -> lists"""
    values = {
        "label": [3, 0, 7],
        "weight": [0.5, 1.25, 2.0],
        "mixed_number": [1, 2.5, 3],
        "flag": [True, False, True],
        "text": ["a b", "c", ""],
        "meta": [None, (1, 2), {"k": 1}],
        "kinds": [1, "two", 3],
        "x": [p.randn(2), p.randn(2), p.randn(2)],
    }
    samples = [{key: vals[i] for key, vals in values.items()} for i in range(3)]
    out = p.call("collate_dicts(samples)", m.collate_dicts, samples)
    obs: dict[str, Any] = {
        "keys of the result, in order": list(out) if isinstance(out, dict) else f"<a {type(out).__name__}>"}
    for key, vals in values.items():
        if key == "x":
            continue
        where = f"collate_dicts(samples)[{key!r}] for values {vals!r}"
        value = out.get(key) if isinstance(out, dict) else None
        obs[f"{where}: type"] = type(value).__name__
        obs[where] = value
    return obs


def shape_pattern(shape: tuple[int, ...]) -> str:
    """A regex for a 2-D shape however it is written: (2, 3), [2, 3], torch.Size([2, 3]), 2x3."""
    return r"(?<!\d)" + r"\s*[,x×]\s*".join(str(n) for n in shape) + r"(?!\d)"


def number_pattern(n: int) -> str:
    return rf"(?<!\d){n}(?!\d)"


# what each error message must name (where the reference's message names it too): observation key -> [(label, regex)]
MUST_NAME: dict[str, list[tuple[str, str]]] = {
    "collate_dicts(4 samples, sample 3 lacks the key 'label')": [
        ("the key 'label'", r"label"), ("the sample index 3", number_pattern(3))],
    "collate_dicts(4 samples, sample 2 has an extra key 'extra_field')": [
        ("the key 'extra_field'", r"extra_field"), ("the sample index 2", number_pattern(2))],
    "collate_dicts(3 samples, key 'pixels' with tensors of shapes (2, 3), (2, 3), (2, 5))": [
        ("the key 'pixels'", r"pixels"), ("the shape (2, 3)", shape_pattern((2, 3))),
        ("the shape (2, 5)", shape_pattern((2, 5)))],
}


def message_judge(got: Any, expected: Any) -> Mismatch | None:
    """Same exception type as the reference (or a subclass), and a message naming what the reference's names."""
    found = compare(got, expected)
    if found:
        return found
    for where, want in expected.items():
        if not (is_raised(want) and is_raised(got[where])):
            continue
        missing = [label for label, pattern in MUST_NAME.get(where, ())
                   if re.search(pattern, want["message"]) and not re.search(pattern, got[where]["message"])]
        if missing:
            return Mismatch(where, f"{want[RAISED]} with a message naming {' and '.join(missing)}",
                            f"{got[where][RAISED]}: {got[where]['message']}")
    return None


@check(points=2, task=4, concept=ERRORS,
       hints=("If sample 3 lacks a key, what must the message say so that the user can find and fix that sample? "
              "What if a sample has a key the first one lacks, or there are no samples at all?",
              "The 'Raises' paragraph of the collate_dicts docstring ('the message names the key and the sample "
              "index'); set operations on dict keys.",
              "Pattern: a CSV row without a column is reported by both: "
              "raise ValueError(f'row {i} has no column {name!r}')."))
def collate_dicts_key_errors(m, p):
    """ValueError for no samples or keys that differ (naming the key and the sample index); TypeError for a non-dict"""
    base = [{"x": p.randn(2), "label": i} for i in range(4)]
    missing = [dict(s) for s in base]
    del missing[3]["label"]
    extra = [dict(s) for s in base]
    extra[2]["extra_field"] = 1.0
    keys = list(MUST_NAME)
    return {
        "collate_dicts([])": expect_raise(p, "collate_dicts([])", m.collate_dicts, []),
        keys[0]: expect_raise(p, keys[0], m.collate_dicts, missing),
        keys[1]: expect_raise(p, keys[1], m.collate_dicts, extra),
        "collate_dicts([a dict sample, a list sample])": expect_raise(
            p, "collate_dicts([a dict sample, a list sample])", m.collate_dicts, [base[0], [p.randn(2), 1]]),
    }


collate_dicts_key_errors.judge(message_judge)


@check(points=2, task=4, concept=ERRORS,
       hints=("Which key's tensors disagree, and in which shapes? What does torch.stack raise, and would its message "
              "tell the user which key to look at?",
              "The 'Raises' paragraph of the collate_dicts docstring ('the tensors of a key have different shapes "
              "(the message names the key and the shapes)'); Tensor.shape.",
              "Pattern: before adding matrices, compare their shapes and refuse with a message that lists them: "
              "raise ValueError(f'cannot add matrices of shapes {[tuple(a.shape) for a in mats]}')."))
def collate_dicts_shape_error(m, p):
    """ValueError naming the key and the shapes when a key's tensors cannot be stacked"""
    samples = [{"pixels": p.randn(2, 3), "label": 0}, {"pixels": p.randn(2, 3), "label": 1},
               {"pixels": p.randn(2, 5), "label": 2}]
    where = list(MUST_NAME)[2]
    return {where: expect_raise(p, where, m.collate_dicts, samples)}


collate_dicts_shape_error.judge(message_judge)
