"""Mistakes and valid alternatives for a07_collate."""

from tests.support import alternative, mutant

A = "a07_collate"

MASK_LINE = "    attention_mask = torch.arange(max_len).unsqueeze(0) < lengths.unsqueeze(1)\n"
LENGTHS_LINE = "    lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.int64)\n"
TOTAL_LINE = "    total = x.masked_fill(~mask3, 0).sum(dim=1)\n"
COUNT_LINE = "    count = mask3.sum(dim=1).clamp(min=1).to(x.dtype)\n"

PAD_BODY = (
    "    lengths = torch.tensor([len(ids) for ids, _ in batch], dtype=torch.int64)\n"
    "    max_len = int(lengths.max())\n"
    "    input_ids = torch.full((len(batch), max_len), pad_value, dtype=torch.int64)\n"
    "    for row, (ids, _) in enumerate(batch):\n"
    "        input_ids[row, : len(ids)] = ids\n"
    "    attention_mask = torch.arange(max_len).unsqueeze(0) < lengths.unsqueeze(1)\n"
    "    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)\n"
)

KEY_CHECKS = (
    "        for key in keys:\n"
    "            if key not in sample:\n"
    "                raise ValueError(\n"
    "                    f\"sample {i} has no key {key!r}, but sample 0 has it (sample 0 keys: {keys})\"\n"
    "                )\n"
    "        for key in sample:\n"
    "            if key not in samples[0]:\n"
    "                raise ValueError(\n"
    "                    f\"sample {i} has the key {key!r}, which sample 0 does not have \"\n"
    "                    f\"(sample 0 keys: {keys})\"\n"
    "                )\n"
)

BOOL_INT = (
    "        elif all(isinstance(v, bool) for v in values):\n"
    "            out[key] = torch.tensor(values, dtype=torch.bool)\n"
    "        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):\n"
    "            out[key] = torch.tensor(values, dtype=torch.int64)\n"
)

SHAPE_CHECK = (
    "            shapes = [tuple(v.shape) for v in values]\n"
    "            if len(set(shapes)) > 1:\n"
    "                raise ValueError(\n"
    "                    f\"cannot stack the tensors of key {key!r}: they have different shapes {shapes}\"\n"
    "                )\n"
)

MUTANTS = [
    # --- pad_collate
    mutant(A, "token_ids never checked to be a tensor",
           ("if not isinstance(ids, Tensor):", "if ids is None:"),
           fails="pad_collate_empty_batch", concept="TypeError"),
    mutant(A, "2-D token_ids accepted", ("if ids.dim() != 1:", "if ids.dim() == 0:"),
           fails="pad_collate_empty_batch", concept="must be 1-D"),
    mutant(A, "mask from the pad value", (MASK_LINE, "    attention_mask = input_ids != pad_value\n"),
           fails="pad_collate_attention_mask", concept="by position"),
    mutant(A, "inverted mask",
           (MASK_LINE, "    attention_mask = torch.arange(max_len).unsqueeze(0) >= lengths.unsqueeze(1)\n"),
           fails="pad_collate_attention_mask", concept="True on real tokens"),
    mutant(A, "(T, B) instead of (B, T)",
           ('        "input_ids": input_ids,\n', '        "input_ids": input_ids.T,\n'),
           ('        "attention_mask": attention_mask,\n', '        "attention_mask": attention_mask.T,\n'),
           fails=("pad_collate_input_ids", "pad_collate_attention_mask"), concept="shape"),
    mutant(A, "batch sorted by length (labels reordered)",
           (LENGTHS_LINE,
            "    batch = sorted(batch, key=lambda sample: len(sample[0]), reverse=True)\n" + LENGTHS_LINE),
           fails="pad_collate_lengths_labels", concept="input order"),
    mutant(A, "lengths as a list", ('        "lengths": lengths,\n', '        "lengths": lengths.tolist(),\n'),
           fails="pad_collate_lengths_labels", concept="int64 tensors"),
    mutant(A, "labels as a list",
           ("    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)\n",
            "    labels = [label for _, label in batch]\n"),
           fails="pad_collate_lengths_labels", concept="int64 tensors"),
    mutant(A, "pads with zeros whatever pad_value",
           ("torch.full((len(batch), max_len), pad_value, dtype=torch.int64)",
            "torch.zeros((len(batch), max_len), dtype=torch.int64)"),
           fails="pad_collate_input_ids", concept="pad_value"),
    mutant(A, "uses pad_sequence",
           ("from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence",
            "from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_sequence"),
           ("    input_ids = torch.full((len(batch), max_len), pad_value, dtype=torch.int64)\n"
            "    for row, (ids, _) in enumerate(batch):\n"
            "        input_ids[row, : len(ids)] = ids\n",
            "    input_ids = pad_sequence([ids for ids, _ in batch], batch_first=True, padding_value=pad_value)\n"),
           fails="pad_collate_lengths_labels", concept="implement it yourself"),
    mutant(A, "no ValueError for an empty batch",
           ('    if len(batch) == 0:\n'
            '        raise ValueError("batch should hold at least one sample, but it is empty")\n', ""),
           fails="pad_collate_empty_batch", concept="ValueError"),
    # --- masked_mean
    mutant(A, "the mask's shape never compared with x's", ("if mask.shape != x.shape[:2]:", "if mask.dim() != 2:"),
           fails="masked_mean_validation", concept="wrong shapes"),
    mutant(A, "padding summed into the mean", (TOTAL_LINE, "    total = x.sum(dim=1)\n"),
           fails="masked_mean_values", concept="padding must not enter"),
    mutant(A, "divided by T instead of the real count",
           (COUNT_LINE, "    count = torch.tensor(float(x.shape[1]), dtype=x.dtype)\n"),
           fails="masked_mean_values", concept="divided by their count"),
    mutant(A, "nan on empty rows", (COUNT_LINE, "    count = mask3.sum(dim=1).to(x.dtype)\n"),
           fails="masked_mean_empty_rows", concept="nan"),
    mutant(A, "nan_to_num hides 0/0 in the forward pass only",
           (TOTAL_LINE, "    total = (x * mask3).sum(dim=1)\n"),
           (COUNT_LINE + "    return total / count\n",
            "    count = mask3.sum(dim=1).to(x.dtype)\n    return torch.nan_to_num(total / count)\n"),
           fails="masked_mean_gradients", concept="no nan"),
    mutant(A, "x detached", (TOTAL_LINE, "    total = x.detach().masked_fill(~mask3, 0).sum(dim=1)\n"),
           fails="masked_mean_gradients", concept="differentiable"),
    mutant(A, "padding zeroed in place in x", (TOTAL_LINE, "    total = x.masked_fill_(~mask3, 0).sum(dim=1)\n"),
           fails="masked_mean_values", concept="in-place"),
    # --- pack_collate
    mutant(A, "pack_collate labels in sorted order",
           ('    return packed, padded["labels"]\n', '    return packed, padded["labels"][packed.sorted_indices]\n'),
           fails="pack_collate_fields", concept="input order"),
    mutant(A, "sorted by hand, packed with enforce_sorted=True",
           ("    padded = pad_collate(batch)\n",
            "    batch = sorted(batch, key=lambda sample: len(sample[0]), reverse=True)\n"
            "    padded = pad_collate(batch)\n"),
           ("batch_first=True, enforce_sorted=False\n    )", "batch_first=True, enforce_sorted=True\n    )"),
           fails="pack_collate_fields", concept="enforce_sorted=False"),
    mutant(A, "batch_first forgotten", ("batch_first=True, enforce_sorted=False\n    )", "enforce_sorted=False\n    )"),
           fails="pack_collate_fields", concept="batch_first"),
    mutant(A, "no check for zero-length sequences",
           ("    for i, (ids, _) in enumerate(batch):\n        if len(ids) == 0:\n"
            "            raise ValueError(f\"sample {i} is a zero-length sequence, which cannot be packed\")\n", ""),
           fails="pack_collate_errors", concept="ValueError"),
    # --- collate_dicts
    mutant(A, "a sample that is not a dict never checked", ("if not isinstance(sample, Mapping):",
                                                            "if sample is None:"),
           fails="collate_dicts_key_errors", concept="naming what is wrong"),
    mutant(A, "keys sorted", ("    keys = list(samples[0])\n", "    keys = sorted(samples[0])\n"),
           fails=("collate_dicts_tensors", "collate_dicts_scalars"), concept="order"),
    mutant(A, "torch.cat instead of torch.stack", ("out[key] = torch.stack(values)", "out[key] = torch.cat(values)"),
           fails="collate_dicts_tensors", concept="stack"),
    mutant(A, "ints checked before bools",
           (BOOL_INT,
            "        elif all(isinstance(v, int) for v in values):\n"
            "            out[key] = torch.tensor(values, dtype=torch.int64)\n"
            "        elif all(isinstance(v, bool) for v in values):\n"
            "            out[key] = torch.tensor(values, dtype=torch.bool)\n"),
           fails="collate_dicts_scalars", concept="bool"),
    mutant(A, "floats as float32",
           ("torch.tensor([float(v) for v in values], dtype=torch.float64)",
            "torch.tensor([float(v) for v in values])"),
           fails="collate_dicts_scalars", concept="float64"),
    mutant(A, "ints mixed with floats left as a list",
           ("        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and any(\n"
            "            isinstance(v, float) for v in values\n        ):\n",
            "        elif all(isinstance(v, float) for v in values):\n"),
           fails="collate_dicts_scalars", concept="float64"),
    mutant(A, "other values passed to torch.tensor",
           ("        else:\n            out[key] = list(values)\n",
            "        elif all(isinstance(v, str) for v in values):\n            out[key] = list(values)\n"
            "        else:\n            out[key] = torch.tensor(values)\n"),
           fails="collate_dicts_scalars", concept="lists"),
    mutant(A, "no ValueError for no samples",
           ('    if len(samples) == 0:\n'
            '        raise ValueError("samples should hold at least one sample, but it is empty")\n', ""),
           fails="collate_dicts_key_errors", concept="ValueError"),
    mutant(A, "differing keys: vague message",
           (KEY_CHECKS,
            "        if set(sample) != set(samples[0]):\n"
            "            raise ValueError(\"all samples should have the same keys\")\n"),
           fails="collate_dicts_key_errors", concept="sample index"),
    mutant(A, "differing keys not checked (KeyError, extra keys ignored)", (KEY_CHECKS, "        pass\n"),
           fails="collate_dicts_key_errors", concept="ValueError"),
    mutant(A, "no shape check before torch.stack (RuntimeError)", (SHAPE_CHECK, ""),
           fails="collate_dicts_shape_error", concept="ValueError"),
    mutant(A, "shape message without the shapes",
           ("f\"cannot stack the tensors of key {key!r}: they have different shapes {shapes}\"",
            "f\"cannot stack the tensors of key {key!r}: they have different shapes\""),
           fails="collate_dicts_shape_error", concept="shapes"),
]

ALTERNATIVES = [
    alternative(A, "masked_mean validated in another order and other words",
                ("    if not isinstance(mask, Tensor) or mask.dtype != torch.bool:",
                 "    if x.ndim != 3 or tuple(mask.shape) != tuple(x.shape[:2]):\n"
                 "        if torch.is_tensor(mask) and mask.dtype == torch.bool:\n"
                 "            raise ValueError(f\"bad shapes: x {list(x.shape)}, mask {list(mask.shape)}\")\n"
                 "    if not torch.is_tensor(mask) or mask.dtype is not torch.bool:")),
    alternative(
        A, "Python lists for padding, multiply-by-mask mean, pack_sequence, type-set dispatch",
        (PAD_BODY,
         "    seqs = [ids for ids, _ in batch]\n"
         "    longest = max((s.numel() for s in seqs), default=0)\n"
         "    rows, marks = [], []\n"
         "    for s in seqs:\n"
         "        n = s.numel()\n"
         "        rows.append(s.tolist() + [pad_value] * (longest - n))\n"
         "        marks.append([True] * n + [False] * (longest - n))\n"
         "    input_ids = torch.tensor(rows, dtype=torch.long).reshape(len(seqs), longest)\n"
         "    attention_mask = torch.tensor(marks, dtype=torch.bool).reshape(len(seqs), longest)\n"
         "    lengths = torch.tensor([s.numel() for s in seqs], dtype=torch.long)\n"
         "    labels = torch.tensor([label for _, label in batch], dtype=torch.long)\n"),
        ("    mask3 = mask.unsqueeze(-1)\n" + TOTAL_LINE + COUNT_LINE + "    return total / count\n",
         "    weights = mask[..., None].to(x.dtype)\n"
         "    return (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1)\n"),
        ("    for i, (ids, _) in enumerate(batch):\n        if len(ids) == 0:\n"
         "            raise ValueError(f\"sample {i} is a zero-length sequence, which cannot be packed\")\n"
         "    padded = pad_collate(batch)\n"
         "    packed = pack_padded_sequence(\n"
         "        padded[\"input_ids\"], padded[\"lengths\"], batch_first=True, enforce_sorted=False\n"
         "    )\n"
         "    return packed, padded[\"labels\"]\n",
         "    from torch.nn.utils.rnn import pack_sequence\n\n"
         "    if not batch:\n        raise ValueError(\"empty batch\")\n"
         "    if any(ids.numel() == 0 for ids, _ in batch):\n"
         "        raise ValueError(\"zero-length sequences cannot be packed\")\n"
         "    packed = pack_sequence([ids.long() for ids, _ in batch], enforce_sorted=False)\n"
         "    return packed, torch.tensor([int(label) for _, label in batch], dtype=torch.long)\n"),
        ("    keys = list(samples[0])\n    for i, sample in enumerate(samples[1:], start=1):\n" + KEY_CHECKS,
         "    keys = list(samples[0])\n    for i, sample in enumerate(samples):\n"
         "        differ = sorted(set(keys) ^ set(sample))\n"
         "        if differ:\n"
         "            raise ValueError(f\"key {differ[0]!r} differs between sample 0 and sample {i}\")\n"),
        ("        if all(isinstance(v, Tensor) for v in values):\n" + SHAPE_CHECK
         + "            out[key] = torch.stack(values)\n"
         + BOOL_INT,
         "        kinds = {type(v) for v in values}\n"
         "        if all(torch.is_tensor(v) for v in values):\n"
         "            try:\n"
         "                out[key] = torch.stack(values)\n"
         "            except RuntimeError:\n"
         "                raise ValueError(f\"key {key!r}: shapes {[list(v.shape) for v in values]} do not match\") "
         "from None\n"
         "        elif kinds == {bool}:\n"
         "            out[key] = torch.tensor(values)\n"
         "        elif kinds == {int}:\n"
         "            out[key] = torch.tensor(values, dtype=torch.int64)\n"),
    ),
    alternative(
        A, "per-row loops, torch.where mean with explicit empty rows",
        ("    max_len = int(lengths.max())\n"
         "    input_ids = torch.full((len(batch), max_len), pad_value, dtype=torch.int64)\n"
         "    for row, (ids, _) in enumerate(batch):\n"
         "        input_ids[row, : len(ids)] = ids\n"
         "    attention_mask = torch.arange(max_len).unsqueeze(0) < lengths.unsqueeze(1)\n",
         "    max_len = max(int(n) for n in lengths)\n"
         "    rows, masks = [], []\n"
         "    for (ids, _), n in zip(batch, lengths.tolist()):\n"
         "        pad = torch.full((max_len - n,), pad_value, dtype=torch.int64)\n"
         "        rows.append(torch.cat([ids.to(torch.int64), pad]))\n"
         "        masks.append(torch.cat([torch.ones(n, dtype=torch.bool), torch.zeros(max_len - n, "
         "dtype=torch.bool)]))\n"
         "    input_ids = torch.stack(rows)\n"
         "    attention_mask = torch.stack(masks)\n"),
        ("    mask3 = mask.unsqueeze(-1)\n" + TOTAL_LINE + COUNT_LINE + "    return total / count\n",
         "    rows = []\n"
         "    for b in range(x.shape[0]):\n"
         "        real = x[b][mask[b]]\n"
         "        rows.append(real.mean(dim=0) if real.shape[0] > 0 else x.new_zeros(x.shape[2]))\n"
         "    return torch.stack(rows)\n"),
    ),
]
