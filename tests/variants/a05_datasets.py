"""Mistakes and valid alternatives for a05_datasets."""

from tests.support import REFERENCE_DIR, alternative, mutant

A = "a05_datasets"

CSV_GETITEM_TRANSFORMS = (
    "        if self.transform is not None:\n"
    "            x = self.transform(x)\n"
    "        if self.target_transform is not None:\n"
    "            y = self.target_transform(y)\n"
    "        return x, y\n"
)
CSV_INIT_END = (
    "            self.targets = torch.tensor(targets, dtype=torch.float32)\n"
    "\n"
    "    def __len__(self) -> int:\n"
)
FOLDER_NO_TXT = (
    "        if not self.samples:\n"
    "            raise ValueError(\n"
    "                f\"no class folder of {str(root)!r} holds a .txt file (classes found: \"\n"
    "                f\"{self.classes})\"\n"
    "            )\n"
)
FOLDER_READ = (
    "        path, class_index = self.samples[index]\n"
    "        with open(path, encoding=\"utf-8\") as f:\n"
    "            text = f.read()\n"
)
TO_TENSOR_SCALE = (
    "        if pic.dtype == np.uint8:\n"
    "            return tensor.to(torch.float32).div(255)\n"
    "        return tensor.to(torch.float32)\n"
)
NORMALIZE_ZERO = (
    "        if any(s == 0 for s in self.std):\n"
    "            raise ValueError(\n"
    "                f\"std should not contain a zero (division by zero), but got std={self.std}\"\n"
    "            )\n"
)
NORMALIZE_CHANNELS = (
    "        if len(self.mean) != channels or len(self.std) != channels:\n"
    "            raise ValueError(\n"
    "                f\"x has {channels} channels, but got {len(self.mean)} means \"\n"
    "                f\"and {len(self.std)} stds\"\n"
    "            )\n"
)
NORMALIZE_MATH = (
    "        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device).view(-1, 1, 1)\n"
    "        std = torch.tensor(self.std, dtype=x.dtype, device=x.device).view(-1, 1, 1)\n"
    "        return (x - mean) / std\n"
)
FLIP_DRAW = "        if torch.rand(1, generator=self.generator).item() < self.p:\n"
TEXTCLS_LENGTHS = (
    "        if len(texts) != len(labels):\n"
    "            raise ValueError(\n"
    "                f\"texts and labels should have the same length, but got {len(texts)} and \"\n"
    "                f\"{len(labels)}\"\n"
    "            )\n"
)

MUTANTS = [
    # ---------------------------------------------------------------- CSVDataset
    mutant(A, "CSVDataset items share memory with the dataset",
           ("x = self.data[index].clone()", "x = self.data[index]"),
           fails="csv_items", concept="changing it in place"),
    mutant(A, "target is also a default feature",
           ("features = [name for name in header if name != target]", "features = list(header)"),
           fails="csv_items", concept="every column but the target"),
    mutant(A, "negative indices refused",
           ("if not -n <= index < n:", "if not 0 <= index < n:"),
           fails="csv_items", concept="negative indices"),
    mutant(A, "splits lines on commas (quotes ignored)",
           ("reader = csv.reader(f)", "reader = csv.reader(f, quoting=csv.QUOTE_NONE)"),
           fails="csv_items", concept="csv module"),
    mutant(A, "target parsed with int(float(cell))",
           ("[int(cell) for cell, _ in target_cells]", "[int(float(cell)) for cell, _ in target_cells]"),
           fails="csv_targets", concept="int(cell) succeeds for every target cell"),
    mutant(A, "target of shape (1,)",
           ("y = self.targets[index].clone()", "y = self.targets[index].clone().reshape(1)"),
           fails="csv_targets", concept="0-d"),
    mutant(A, "transforms applied once in __init__",
           (CSV_INIT_END,
            "            self.targets = torch.tensor(targets, dtype=torch.float32)\n"
            "        if transform is not None and len(self.data):\n"
            "            self.data = torch.stack([transform(x) for x in self.data])\n"
            "        if target_transform is not None and len(self.targets):\n"
            "            self.targets = torch.stack([target_transform(y) for y in self.targets])\n"
            "\n"
            "    def __len__(self) -> int:\n"),
           (CSV_GETITEM_TRANSFORMS, "        return x, y\n"),
           fails="csv_transforms", concept="never in __init__"),
    mutant(A, "transform and target_transform swapped",
           ("            x = self.transform(x)\n", "            x = self.target_transform(x)\n"),
           ("            y = self.target_transform(y)\n", "            y = self.transform(y)\n"),
           fails="csv_transforms", concept="transform gets x, target_transform gets y"),
    mutant(A, "line numbers count data rows from 1",
           ("line = reader.line_num", "line = reader.line_num - 1"),
           fails="csv_errors", concept="line number"),
    mutant(A, "missing column message without the available columns",
           ("f\"target column {target!r} is not in {path}; available columns: {header}\"",
            "f\"target column {target!r} is not in {path}\""),
           fails="csv_errors", concept="available columns"),
    # ---------------------------------------------------------------- TextFolderDataset
    mutant(A, "empty class folders dropped",
           ("self.classes = sorted(entry.name for entry in os.scandir(root_path) if entry.is_dir())",
            "self.classes = sorted(\n            entry.name for entry in os.scandir(root_path)\n"
            "            if entry.is_dir() and any(n.endswith(\".txt\") for n in os.listdir(entry.path))\n        )"),
           fails="textfolder_index", concept="empty ones too"),
    mutant(A, "samples sorted by file name across classes",
           (FOLDER_NO_TXT, "        self.samples.sort(key=lambda s: os.path.basename(s[0]))\n" + FOLDER_NO_TXT),
           fails="textfolder_index", concept="sorted by class then file name"),
    mutant(A, "no ValueError for a corpus without .txt files",
           (FOLDER_NO_TXT, ""),
           fails="textfolder_index", concept="ValueError when no class folder holds a .txt file"),
    mutant(A, "every file read in __init__ (eager)",
           (FOLDER_NO_TXT,
            FOLDER_NO_TXT + "        self.texts = [Path(path).read_text(encoding=\"utf-8\") for path, _ in "
                            "self.samples]\n"),
           (FOLDER_READ, "        text, class_index = self.texts[index], self.samples[index][1]\n"),
           fails="textfolder_lazy", concept="lazy loading"),
    mutant(A, "files read as latin-1",
           ("with open(path, encoding=\"utf-8\") as f:", "with open(path, encoding=\"latin-1\") as f:"),
           fails="textfolder_lazy", concept="UTF-8"),
    mutant(A, "transform ignored",
           ("        if self.transform is not None:\n            text = self.transform(text)\n", ""),
           fails="textfolder_transform", concept="applied on access to the text of every item"),
    # ---------------------------------------------------------------- transforms
    mutant(A, "Compose applies the transforms in reverse",
           ("for transform in self.transforms:", "for transform in reversed(self.transforms):"),
           fails="compose_order", concept="in the given order"),
    mutant(A, "ToTensor reshapes instead of transposing",
           ("tensor = torch.tensor(pic.transpose(2, 0, 1))",
            "tensor = torch.tensor(pic.reshape(pic.shape[2], pic.shape[0], pic.shape[1]))"),
           fails="to_tensor", concept="transpose"),
    mutant(A, "ToTensor divides every dtype by 255",
           (TO_TENSOR_SCALE, "        return tensor.to(torch.float32).div(255)\n"),
           fails="to_tensor", concept="uint8 divided by 255"),
    mutant(A, "ToTensor shares memory with the array",
           ("tensor = torch.tensor(pic.transpose(2, 0, 1))", "tensor = torch.from_numpy(pic).permute(2, 0, 1)"),
           fails="to_tensor", concept="does not share memory"),
    mutant(A, "Normalize works in place",
           ("return (x - mean) / std", "return x.sub_(mean).div_(std)"),
           fails="normalize_values", concept="new tensor"),
    mutant(A, "Normalize broadcasts over the last dimension",
           (NORMALIZE_MATH,
            "        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device)\n"
            "        std = torch.tensor(self.std, dtype=x.dtype, device=x.device)\n"
            "        return (x - mean) / std\n"),
           fails="normalize_values", concept="the first dimension of x"),
    mutant(A, "Normalize accepts a zero std",
           (NORMALIZE_ZERO, ""),
           fails="normalize_errors", concept="zero std"),
    mutant(A, "Normalize does not compare len(mean) with C",
           (NORMALIZE_CHANNELS, ""),
           fails="normalize_errors", concept="len(mean)"),
    mutant(A, "flip ignores the generator",
           (FLIP_DRAW, "        if torch.rand(1).item() < self.p:\n"),
           fails="random_flip", concept="generator"),
    mutant(A, "flip along the height",
           ("return x.flip(-1)", "return x.flip(-2)"),
           fails="random_flip", concept="last dimension"),
    mutant(A, "no draw when p is 0 or 1",
           (FLIP_DRAW,
            "        if self.p == 1.0 or (self.p > 0.0 and torch.rand(1, generator=self.generator).item() < "
            "self.p):\n"),
           fails="random_flip", concept="also when p is 0 or 1"),
    mutant(A, "flip when the draw is >= p",
           (FLIP_DRAW, "        if torch.rand(1, generator=self.generator).item() >= 1 - self.p:\n"),
           fails="random_flip", concept="< p"),
    # ---------------------------------------------------------------- tokenize and Vocab
    mutant(A, "ASCII-only tokens",
           ('return re.findall(r"\\w+", text.lower())', 'return re.findall(r"[a-z0-9_]+", text.lower())'),
           fails="tokenize_unicode", concept="Unicode"),
    mutant(A, "tokenize with str.split",
           ('return re.findall(r"\\w+", text.lower())', "return text.lower().split()"),
           fails="tokenize_unicode", concept="punctuation"),
    mutant(A, "ties in first-seen order",
           ("key=lambda token: (-counts[token], token),", "key=lambda token: -counts[token],"),
           fails="vocab_itos", concept="ties alphabetically"),
    mutant(A, "specials found in the corpus added again",
           ("if count >= min_freq and t not in special_set", "if count >= min_freq"),
           fails="vocab_itos", concept="not added twice"),
    mutant(A, "min_freq compared with >",
           ("if count >= min_freq and t not in special_set", "if count > min_freq and t not in special_set"),
           fails="vocab_itos", concept="min_freq"),
    mutant(A, "stoi numbered from 1",  # vocab_lookup fails too, but says it builds on vocab_itos
           ("self.stoi = {token: i for i, token in enumerate(self.itos)}",
            "self.stoi = {token: i for i, token in enumerate(self.itos, 1)}"),
           fails="vocab_itos", concept="stoi is the inverse"),
    mutant(A, "unknown tokens get id 1",
           ('        return self.stoi["<unk>"]\n\n    def encode', "        return 1\n\n    def encode"),
           fails="vocab_lookup", concept="id of '<unk>'"),
    mutant(A, "decode accepts negative ids",
           ("if not 0 <= i < len(self.itos):", "if i >= len(self.itos):"),
           fails="vocab_lookup", concept="negative ids"),
    mutant(A, "pad_id None when absent",
           ('        if "<pad>" not in self.stoi:\n'
            '            raise KeyError("this vocabulary has no \'<pad>\' special")\n'
            '        return self.stoi["<pad>"]',
            '        return self.stoi.get("<pad>")'),
           fails="vocab_lookup", concept="KeyError when absent"),
    # ---------------------------------------------------------------- TextClassificationDataset
    mutant(A, "ids without dtype (float32 when empty)",
           ("return torch.tensor(ids, dtype=torch.int64), label", "return torch.tensor(ids), label"),
           fails="textcls_items", concept="int64 also for a text without tokens"),
    mutant(A, "label as a Python int",
           ("label = torch.tensor(int(self.labels[index]), dtype=torch.int64)", "label = int(self.labels[index])"),
           fails="textcls_items", concept="0-d label"),
    mutant(A, "no length check",
           (TEXTCLS_LENGTHS, ""),
           fails="textcls_items", concept="ValueError when texts and labels differ"),
    mutant(A, "texts encoded in __init__",
           ("        self.tokenizer = tokenizer\n",
            "        self.tokenizer = tokenizer\n"
            "        self.encoded = [vocab.encode(tokenizer(text)) for text in texts]\n"),
           ("ids = self.vocab.encode(self.tokenizer(self.texts[index]))", "ids = self.encoded[index]"),
           fails="textcls_lazy", concept="encoding at access time"),
]


def _span(start: str, end: str) -> str:
    """The reference's text from ``start`` through ``end`` (both must occur once), for edits replacing a whole body."""
    text = (REFERENCE_DIR / f"{A}.py").read_text(encoding="utf-8")
    i = text.index(start)
    j = text.index(end, i) + len(end)
    return text[i:j]


CSV_ALTERNATIVE_INIT = '''        self.target = target
        self.transform, self.target_transform = transform, target_transform
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames
            if not header:
                raise ValueError(f"{path} has no header line")
            names = [c for c in header if c != target] if features is None else list(features)
            for name in [target, *names]:
                if name not in header:
                    raise ValueError(f"no column {name!r}; the file has the columns {', '.join(header)}")
            self.features = names
            xs, raw = [], []
            for line, record in enumerate(reader, start=2):
                x = []
                for name in names:
                    cell = record[name].strip()
                    try:
                        x.append(float(cell) if cell != "" else float("nan"))
                    except ValueError:
                        raise ValueError(f"line {line}: {cell!r} in column {name!r} is not a number") from None
                xs.append(torch.tensor(x, dtype=torch.float32))
                raw.append((line, record[target].strip()))

        def is_int(cell: str) -> bool:
            try:
                int(cell)
            except ValueError:
                return False
            return True

        if all(is_int(cell) for _, cell in raw):
            ys = [torch.tensor(int(cell), dtype=torch.int64) for _, cell in raw]
        else:
            ys = []
            for line, cell in raw:
                try:
                    value = float(cell) if cell else math.nan
                except ValueError:
                    raise ValueError(f"line {line}: target {target!r} holds {cell!r}, not a number") from None
                ys.append(torch.tensor(value, dtype=torch.float32))
        self.rows = list(zip(xs, ys))

    def __len__(self) -> int:
        """Return the number of data rows (the header is not a row)."""
        return len(self.rows)
'''

CSV_ALTERNATIVE_GETITEM = '''        if index < 0:
            index += len(self.rows)
        if index < 0 or index >= len(self.rows):
            raise IndexError("row index out of range")
        x, y = (t.clone() for t in self.rows[index])
        x = x if self.transform is None else self.transform(x)
        y = y if self.target_transform is None else self.target_transform(y)
        return x, y
'''

FOLDER_ALTERNATIVE_INIT = '''        self.classes = sorted(d.name for d in root_path.iterdir() if d.is_dir())
        self.class_to_idx = dict(zip(self.classes, range(len(self.classes))))
        self.samples = [
            (str(file), self.class_to_idx[name])
            for name in self.classes
            for file in sorted(root_path.joinpath(name).glob("*.txt"))
            if file.is_file()
        ]
        if len(self.samples) == 0:
            raise ValueError(f"found no .txt file in the class folders of {root}")
'''

VOCAB_ALTERNATIVE_INIT = '''        counts: dict[str, int] = {}
        for tokens in token_lists:
            for token in tokens:
                counts[token] = counts.get(token, 0) + 1
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        self.itos = list(specials) + [t for t, c in ranked if c >= min_freq and t not in specials]
        self.stoi = {token: i for i, token in enumerate(self.itos)}
'''

ALTERNATIVES = [
    alternative(
        A, "DictReader with per-row tensors; pathlib glob and read_text",
        (_span("        self.path = path\n        self.target = target\n", "        return self.data.shape[0]\n"),
         CSV_ALTERNATIVE_INIT),
        (_span("        index = operator.index(index)\n", CSV_GETITEM_TRANSFORMS), CSV_ALTERNATIVE_GETITEM),
        (_span("        self.classes = sorted(entry.name", FOLDER_NO_TXT), FOLDER_ALTERNATIVE_INIT),
        (FOLDER_READ,
         "        path, class_index = self.samples[index]\n        text = Path(path).read_text(encoding=\"utf-8\")\n"),
    ),
    alternative(
        A, "reduce, moveaxis, per-channel stack, torch.flip, dict counting, as_tensor",
        ("        for transform in self.transforms:\n            x = transform(x)\n        return x\n",
         "        from functools import reduce\n\n"
         "        return reduce(lambda value, transform: transform(value), self.transforms, x)\n"),
        ("        if pic.ndim == 2:\n            pic = pic[:, :, None]\n"
         "        tensor = torch.tensor(pic.transpose(2, 0, 1))\n" + TO_TENSOR_SCALE,
         "        scale = 255.0 if pic.dtype == np.uint8 else 1.0\n"
         "        chw = np.moveaxis(np.atleast_3d(pic), -1, 0)\n"
         "        return torch.from_numpy(np.array(chw, dtype=np.float32)) / scale\n"),
        (NORMALIZE_MATH,
         "        return torch.stack([(x[c] - m) / s for c, (m, s) in enumerate(zip(self.mean, self.std))])\n"),
        (_span(FLIP_DRAW, "            return x.flip(-1)\n        return x\n"),
         "        draw = float(torch.rand(1, generator=self.generator))\n"
         "        if draw >= self.p:\n            return x\n"
         "        if isinstance(x, Tensor):\n            return torch.flip(x, dims=(-1,))\n"
         "        return np.ascontiguousarray(x[..., ::-1])\n"),
        ('    return re.findall(r"\\w+", text.lower())',
         '    return [match.group(0) for match in re.finditer(r"\\w+", text.lower())]'),
        (_span("        if isinstance(min_freq, bool) or not isinstance(min_freq, int)",
               "        self.stoi = {token: i for i, token in enumerate(self.itos)}\n"), VOCAB_ALTERNATIVE_INIT),
        (_span("        index = self.stoi.get(token)\n", "        return self.stoi[\"<unk>\"]\n\n"),
         "        if token in self.stoi:\n            return self.stoi[token]\n        return self.unk_id\n\n"),
        (_span("        tokens = []\n        for i in ids:\n", "        return tokens\n"),
         "        ids = ids.tolist() if isinstance(ids, Tensor) else list(ids)\n"
         "        bad = [i for i in ids if not 0 <= i < len(self)]\n"
         "        if bad:\n            raise IndexError(f\"ids {bad} are not in [0, {len(self)})\")\n"
         "        return [self.itos[i] for i in ids]\n"),
        (TEXTCLS_LENGTHS,
         "        if len({len(texts), len(labels)}) != 1:\n"
         "            raise ValueError(\"one label per text, please\")\n"),
        ("        ids = self.vocab.encode(self.tokenizer(self.texts[index]))\n"
         "        label = torch.tensor(int(self.labels[index]), dtype=torch.int64)\n"
         "        return torch.tensor(ids, dtype=torch.int64), label",
         "        tokens = self.tokenizer(self.texts[index])\n"
         "        return torch.as_tensor([self.vocab[t] for t in tokens], dtype=torch.long), "
         "torch.as_tensor(self.labels[index]).long()"),
    ),
]
