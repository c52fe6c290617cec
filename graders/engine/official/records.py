"""Records crossing the sandbox boundary: what a child sends, and how the parent takes it.

A record is ``<8-byte length><torch.save bytes>`` on the child's result pipe
(:func:`encode`); the parent loads it with ``torch.load(weights_only=True)`` and
re-checks everything in it: exact plain types, bounded sizes, truncated texts
(:func:`decode`). A child sends "confined", "imported", then one "done" per check.
The frame's header says which (the check's position in the job), so the parent
can follow the job without decoding, and decodes a job's records in one batch,
where its caches are warm (records decoded one at a time cost twice as much).

A record travels packed: its plain structure as one JSON string, the bytes of
its tensors in one ``uint8`` tensor beside it. The weights-only unpickler runs
opcode by opcode in Python, about 1 us per opcode and 50 us per tensor, and
loading records was the grading parent's largest cost; packed, a record is a
string and at most one tensor, three times cheaper to load. Containers are tagged, so the packing is
unambiguous: a JSON array is a list, ``{"t": [...]}`` a tuple,
``{"d": [[key, value], ...]}`` a dict (int keys and order kept),
``{"T": [dtype, shape, offset]}`` a tensor (a contiguous CPU ``torch.Tensor``,
as :func:`..observations.normalize` makes them, rebuilt bit for bit), and
``{"o": i}`` the i-th entry of a list of objects sent as they are: anything
else, which the parent then takes or refuses exactly as it would unpacked.
"""

from __future__ import annotations

import io
import json
import math
import struct
from typing import Any

import torch

from ..observations import MAX_TEXT, PROBE_STATUSES, RAISED, Observed

HEADER = struct.Struct(
    "<QI"
)  # a record's length, and what it is: CONFINED, IMPORTED, or its check's position in the job
CONFINED, IMPORTED = 0xFFFF_FFFF, 0xFFFF_FFFE
MAX_RECORD = 64 * 2**20
MAX_DEPTH = 16
MAX_NODES = 200_000  # a value larger than this (or shared many times over) travels unpacked
PLAIN = (bool, int, float, str)
ALIGN = 16  # every tensor's bytes start at a multiple of this in the blob, so any dtype can view them
DTYPES = {
    d: str(d).removeprefix("torch.")
    for d in (
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.float16,
        torch.bfloat16,
        torch.float32,
        torch.float64,
        torch.complex64,
        torch.complex128,
    )
}
BY_NAME = {name: d for d, name in DTYPES.items()}
ITEMSIZE = {d: torch.empty(0, dtype=d).element_size() for d in DTYPES}


class BadRecord(ValueError):
    """What a child sent cannot be accepted: the check it belongs to scores an error."""


# --- the child's side ------------------------------------------------------------------------


def encode(record: dict[str, Any], tag: int) -> bytes:
    """``record`` packed and framed for the result pipe; ``tag`` is CONFINED, IMPORTED or the check's position."""
    packer = _Packer()
    try:
        packed = json.dumps(packer.pack(record, 0), separators=(",", ":"))
        record = {"event": record["event"], "packed": packed, "blob": packer.blob(), "objects": packer.objects}
    except (_TooBig, ValueError, TypeError):  # e.g. too many nodes: send it as it is
        pass
    buffer = io.BytesIO()
    torch.save(record, buffer)
    return HEADER.pack(len(buffer.getvalue()), tag) + buffer.getvalue()


class _TooBig(Exception):
    pass


class _Packer:
    """Walks a value once: plain data to tagged JSON, tensor bytes into one blob."""

    def __init__(self) -> None:
        self.nodes = 0
        self.chunks: list[torch.Tensor] = []
        self.size = 0
        self.objects: list[Any] = []

    def pack(self, value: Any, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig
        kind = type(value)
        if value is None or kind in PLAIN:
            return value
        if kind is torch.Tensor and _is_plain_tensor(value):
            return {"T": [DTYPES[value.dtype], list(value.shape), self._add(value)]}
        if depth < MAX_DEPTH:
            if kind is list:
                return [self.pack(v, depth + 1) for v in value]
            if kind is tuple:
                return {"t": [self.pack(v, depth + 1) for v in value]}
            if kind is dict and all(type(k) in (str, int) for k in value):
                return {"d": [[k, self.pack(v, depth + 1)] for k, v in value.items()]}
        self.objects.append(value)  # what the parent will judge (and refuse) as torch.save sent it
        return {"o": len(self.objects) - 1}

    def _add(self, tensor: torch.Tensor) -> int:
        pad = -self.size % ALIGN
        if pad:
            self.chunks.append(torch.zeros(pad, dtype=torch.uint8))
        offset = self.size + pad
        data = tensor.reshape(-1).view(torch.uint8)
        self.chunks.append(data)
        self.size = offset + data.numel()
        return offset

    def blob(self) -> torch.Tensor | None:
        return torch.cat(self.chunks) if self.chunks else None  # no tensor at all costs the parent ~50 us less


def _is_plain_tensor(t: torch.Tensor) -> bool:
    return (
        t.layout == torch.strided
        and t.device.type == "cpu"
        and t.dtype in DTYPES
        and t.is_contiguous()
        and not t.requires_grad
    )


# --- the parent's side -----------------------------------------------------------------------


def decode(payload: bytes) -> dict[str, Any]:
    """Load one record with ``weights_only=True``, unpack its value, re-check all of it."""
    try:
        record = torch.load(io.BytesIO(payload), weights_only=True)
    except Exception as exc:
        raise BadRecord(f"unreadable observation ({type(exc).__name__})") from None
    if type(record) is not dict or type(record.get("event")) is not str:
        raise BadRecord("record of unexpected shape")
    if "packed" in record:
        text, blob, objects = record.get("packed"), record.get("blob"), record.get("objects")
        if blob is None:
            blob = torch.zeros(0, dtype=torch.uint8)
        if (
            type(text) is not str
            or type(blob) is not torch.Tensor
            or blob.dtype != torch.uint8
            or blob.dim() != 1
            or type(objects) is not list
        ):
            raise BadRecord("record of unexpected shape")
        event = record["event"]
        record = unpack(text, blob.contiguous(), objects)
        if type(record) is not dict or record.get("event") != event:
            raise BadRecord("record of unexpected shape")
    return validate(record)


def unpack(text: str, blob: torch.Tensor, objects: list[Any]) -> Any:
    """The value :class:`_Packer` wrote; any other shape is a :class:`BadRecord`."""

    def untag(obj: dict[str, Any]) -> Any:
        if len(obj) == 1:
            ((tag, body),) = obj.items()
            if tag == "t" and type(body) is list:
                return tuple(body)
            if (
                tag == "d"
                and type(body) is list
                and all(type(p) is list and len(p) == 2 and type(p[0]) in (str, int) for p in body)
            ):
                return {k: v for k, v in body}
            if tag == "T" and type(body) is list and len(body) == 3:
                return _tensor(blob, *body)
            if tag == "o" and type(body) is int and 0 <= body < len(objects):
                return objects[body]
        raise BadRecord("observation of unexpected shape")

    try:
        return json.loads(text, object_hook=untag)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, BadRecord):
            raise
        raise BadRecord(f"unreadable observation ({type(exc).__name__})") from None


def _tensor(blob: torch.Tensor, dtype_name: Any, shape: Any, offset: Any) -> torch.Tensor:
    dtype = BY_NAME.get(dtype_name) if type(dtype_name) is str else None
    if (
        dtype is None
        or type(shape) is not list
        or any(type(n) is not int or n < 0 for n in shape)
        or len(shape) > 16
        or type(offset) is not int
    ):
        raise BadRecord("tensor observation of unexpected kind or size")
    numel = math.prod(shape)
    nbytes = numel * ITEMSIZE[dtype]
    if numel > 5_000_000 or offset < 0 or offset % ALIGN or offset + nbytes > blob.numel():
        raise BadRecord("tensor observation of unexpected kind or size")
    if numel == 0:
        return torch.zeros(shape, dtype=dtype)
    return blob[offset : offset + nbytes].view(dtype).reshape(shape).clone()


def validate(value: Any, depth: int = 0) -> Any:
    """Exact plain types only, bounded sizes; long strings truncated."""
    if depth > MAX_DEPTH:
        raise BadRecord("observation nested too deeply")
    kind = type(value)
    if value is None or kind in (bool, int, float):
        return value
    if kind is str:
        return value if len(value) <= MAX_TEXT * 4 else value[: MAX_TEXT * 4] + "..."
    if kind is torch.Tensor:
        if value.layout != torch.strided or value.device.type != "cpu" or value.numel() > 5_000_000:
            raise BadRecord("tensor observation of unexpected kind or size")
        return value
    if kind in (list, tuple):
        if len(value) > 100_000:
            raise BadRecord("observation list too long")
        items = [validate(v, depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if kind is dict:
        if len(value) > 10_000 or any(type(k) not in (str, int) for k in value):
            raise BadRecord("observation dict of unexpected shape")
        return {k: validate(v, depth + 1) for k, v in value.items()}
    raise BadRecord(f"observation of type {kind.__name__}")


def observed_from(record: dict[str, Any]) -> Observed:
    """The observation a "done" record carries, texts capped."""
    status = record.get("status")
    if status not in PROBE_STATUSES:
        raise BadRecord(f"unknown status {status!r}")
    message = record.get("message") if type(record.get("message")) is str else ""
    value = record.get("value")
    if isinstance(value, dict) and RAISED in value and type(value.get("message")) is str:
        value["message"] = value["message"][:MAX_TEXT]
    notes = record.get("notes")
    notes = tuple(n[:MAX_TEXT] for n in notes[:20] if type(n) is str) if type(notes) is list else ()
    empty = record.get("empty")
    empty = tuple(n[:MAX_TEXT] for n in empty[:20] if type(n) is str) if type(empty) is list else ()
    return Observed(status, value if status == "ok" else None, message[: MAX_TEXT * 4], notes, empty)
