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

ORDER = "a collate function keeps the samples in input order: row b of every output is sample b"
PAD = ("right padding to the longest sequence, in input order: row b holds sample b's ids, then pad_value up to T; "
       "shape (B, T)")
PAD_HINT = ("T = max(lengths) (0 when all are empty); input_ids = torch.full((B, T), pad_value, dtype=torch.int64); "
            "then input_ids[b, :len_b] = ids_b for every sample")
MASK = ("the attention mask marks real positions by position (j < length), not by value: "
        "a real token may equal pad_value")
MASK_HINT = ("attention_mask = torch.arange(T)[None, :] < lengths[:, None]  (bool, True on real tokens); "
             "never input_ids != pad_value")
MEAN = ("a masked mean: sum over real positions only, divided by their count "
        "(padding must not enter the sum or the count; "
        "x itself stays unchanged: no in-place writes into it)")
MEAN_HINT = ("total = x.masked_fill(~mask[..., None], 0).sum(1); count = mask.sum(1, keepdim=True).clamp(min=1); "
             "return total / count")
EMPTY_ROW = "a row with no real position has count 0: divide by max(count, 1) so it gives zeros, never 0/0 = nan"
PACK = ("pack_padded_sequence(input_ids, lengths, batch_first=True, enforce_sorted=False) "
        "packs without reordering the labels")
PACK_HINT = ("pad as pad_collate does, then packed = pack_padded_sequence(input_ids, lengths, batch_first=True, "
             "enforce_sorted=False); return packed, labels "
             "(labels in input order: the packed sequence remembers the order)")
DICTS = ("collating dict samples key by key: tensors stacked, bool/int/float become tensors of bool/int64/float64, "
         "the rest lists")
DICTS_HINT = ("for each key of samples[0]: values = [s[key] for s in samples]; torch.stack for tensors; "
              "check bool before int (True is an int); torch.tensor(values, dtype=torch.float64) for floats; "
              "list(values) otherwise")
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


@check(points=3, concept=PAD, hint=PAD_HINT, forbid=("pad_sequence",))
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


@check(points=3, concept=MASK, hint=MASK_HINT, forbid=("pad_sequence",))
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


@check(points=2, concept=ORDER + "; lengths and labels are int64 tensors of shape (B,)",
       hint="lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.int64); "
            "labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64); do not sort the batch",
       forbid=("pad_sequence",))
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


@check(points=1, concept="validating inputs: an empty batch has no T to pad to, so raise ValueError",
       hint="if len(batch) == 0: raise ValueError('batch should hold at least one sample, but it is empty')",
       forbid=("pad_sequence",))
def pad_collate_empty_batch(m, p):
    """pad_collate raises ValueError for an empty batch"""
    return {"pad_collate([])": expect_raise(p, "pad_collate([])", m.pad_collate, [])}


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


@check(points=3, concept=MEAN, hint=MEAN_HINT)
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


@check(points=2, concept=EMPTY_ROW,
       hint="count = mask.sum(dim=1, keepdim=True).clamp(min=1) (or torch.where(count > 0, ...))")
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


@check(points=2, concept="masked_mean is differentiable: x.grad is weight / count on real positions "
                         "and exactly 0 on padding (no nan, even for rows without real positions)",
       hint="compute with differentiable tensor ops on x itself (masked_fill or torch.where, no .detach(), "
            "no in-place writes into x, no nan that nan_to_num hides in the forward pass only)")
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


# --- Task 3: pack_collate ------------------------------------------------------------------------------------------


def packed_fields(packed: Any) -> dict[str, Any]:
    """The four fields of a PackedSequence, recorded as tensors (None where a field is None)."""
    fields = {"type of the first returned value": type(packed).__name__,
              "it is a torch.nn.utils.rnn.PackedSequence": isinstance(packed, PackedSequence)}
    for name in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        fields[f"packed.{name}"] = getattr(packed, name, f"<no attribute {name}>")
    return fields


@check(points=3, concept=PACK + "; the labels stay in input order", hint=PACK_HINT)
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


@check(points=1, concept="validating inputs: a zero-length sequence cannot be packed, "
                         "so raise ValueError naming the sample (pack_padded_sequence raises a RuntimeError)",
       hint="for i, (ids, _) in enumerate(batch): if len(ids) == 0: "
            "raise ValueError(f'sample {i} is a zero-length sequence, ...')")
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


@check(points=2, concept=DICTS + " (torch.stack adds a leading batch dimension; keys in the first sample's order)",
       hint=DICTS_HINT)
def collate_dicts_tensors(m, p):
    """collate_dicts stacks tensor values into (B, ...) and keeps the first sample's key order"""
    samples = [{"image": p.randn(2, 3), "score": p.randn(()), "ids": p.randint(0, 9, (4,))} for _ in range(3)]
    out = p.call("collate_dicts(3 samples with keys image (2, 3), score 0-d, ids int64 (4,))", m.collate_dicts, samples)
    obs: dict[str, Any] = {
        "keys of the result, in order": list(out) if isinstance(out, dict) else f"<a {type(out).__name__}>"}
    for key in ("image", "score", "ids"):
        obs[f"collate_dicts(...)[{key!r}]"] = out.get(key) if isinstance(out, dict) else None
    return obs


@check(points=3, concept=DICTS, hint=DICTS_HINT)
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


@check(points=2, concept=ERRORS,
       hint="for i, s in enumerate(samples): compare set(s) with set(samples[0]) and "
            "raise ValueError(f'sample {i} has no key {key!r} ...') for the first key that differs")
def collate_dicts_key_errors(m, p):
    """ValueError for no samples, and for keys that differ, naming the key and the sample index"""
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
    }


collate_dicts_key_errors.judge(message_judge)


@check(points=2, concept=ERRORS, hint="before torch.stack, collect the shapes; if they differ, "
                                      "raise ValueError(f'cannot stack the tensors of key {key!r}: shapes {shapes}')")
def collate_dicts_shape_error(m, p):
    """ValueError naming the key and the shapes when a key's tensors cannot be stacked"""
    samples = [{"pixels": p.randn(2, 3), "label": 0}, {"pixels": p.randn(2, 3), "label": 1},
               {"pixels": p.randn(2, 5), "label": 2}]
    where = list(MUST_NAME)[2]
    return {where: expect_raise(p, where, m.collate_dicts, samples)}


collate_dicts_shape_error.judge(message_judge)
