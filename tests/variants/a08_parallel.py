"""Mistakes and valid alternatives for a08_parallel."""

from tests.support import alternative, mutant

A = "a08_parallel"

SHARD_LOOP = (
    "        info = get_worker_info()\n"
    "        worker_id, num_workers = (0, 1) if info is None else (info.id, info.num_workers)\n"
    "        with open(self.path, encoding=\"utf-8\") as f:\n"
    "            for i, line in enumerate(f):\n"
    "                if i % num_workers != worker_id:\n"
    "                    continue\n"
    "                line = line.rstrip(\"\\n\")\n"
    "                yield self.transform(line) if self.transform is not None else line\n"
)
INIT_KEEP = "        self.path = path\n        self.transform = transform\n"
NOISE_LINES = (
    "        noise = self.noise_std * float(self.rng.standard_normal())\n"
    "        return torch.tensor(float(self.values[index]) + noise, dtype=torch.float32)\n"
)
VALIDATION = (
    "        if values.dim() != 1:\n"
    "            raise ValueError(f\"values should be 1-D, but got shape {tuple(values.shape)}\")\n"
    "        if noise_std < 0:\n"
    "            raise ValueError(f\"noise_std should be non-negative, but got noise_std={noise_std}\")\n"
)
SEED_BODY = (
    "    seed = torch.initial_seed() % 2**32\n"
    "    random.seed(seed)\n"
    "    np.random.seed(seed)\n"
    "    info = get_worker_info()\n"
    "    if info is not None and hasattr(info.dataset, \"rng\"):\n"
    "        info.dataset.rng = np.random.default_rng(seed)\n"
)
LOADER_BODY = (
    "    g = torch.Generator()\n"
    "    g.manual_seed(seed)\n"
    "    return DataLoader(\n"
    "        dataset,\n"
    "        batch_size,\n"
    "        shuffle=shuffle,\n"
    "        num_workers=num_workers,\n"
    "        generator=g,\n"
    "        worker_init_fn=seed_worker,\n"
    "        persistent_workers=num_workers > 0,\n"
    "        collate_fn=collate_fn,\n"
    "        drop_last=drop_last,\n"
    "    )\n"
)

MUTANTS = [
    mutant(A, "loader seed mixed with the number of workers",
           ("g.manual_seed(seed)", "g.manual_seed(seed + num_workers)"),
           fails="make_loader_independent_of_workers", concept="num_workers=0 and num_workers=2"),
    mutant(A, "noise_std=0 rejected", ("        if noise_std < 0:", "        if noise_std <= 0:"),
           fails="noisy_validation", concept="zero noise is allowed"),
    mutant(A, "strip() removes the spaces around a line too", ('line = line.rstrip("\\n")', "line = line.strip()"),
           fails="sharded_lines_in_main_process", concept="without its trailing newline"),
    mutant(A, "seed_worker without % 2**32",
           ("    seed = torch.initial_seed() % 2**32\n", "    seed = torch.initial_seed()\n"),
           fails="seed_worker_in_main_process", concept="below 2**32"),
    mutant(A, "iterable dataset not sharded (every line once per worker)",
           ("                if i % num_workers != worker_id:\n                    continue\n", ""),
           fails="sharded_two_workers", concept="exactly once per epoch"),
    mutant(A, "sharded by contiguous blocks instead of i % n",
           (SHARD_LOOP,
            "        info = get_worker_info()\n"
            "        with open(self.path, encoding=\"utf-8\") as f:\n"
            "            lines = [line.rstrip(\"\\n\") for line in f]\n"
            "        if info is not None:\n"
            "            size = -(-len(lines) // info.num_workers)\n"
            "            lines = lines[info.id * size:(info.id + 1) * size]\n"
            "        for line in lines:\n"
            "            yield self.transform(line) if self.transform is not None else line\n"),
           fails="sharded_two_workers", concept="round-robin"),
    mutant(A, "line[:-1] chops the last line, which has no newline",
           ("                line = line.rstrip(\"\\n\")\n", "                line = line[:-1]\n"),
           fails="sharded_lines_in_main_process", concept="without its trailing newline"),
    mutant(A, "empty lines skipped",
           ("                line = line.rstrip(\"\\n\")\n",
            "                line = line.rstrip(\"\\n\")\n                if not line:\n"
            "                    continue\n"),
           fails="sharded_lines_in_main_process", concept="empty lines included"),
    mutant(A, "file handle opened in __init__ (exhausted after one pass)",
           (INIT_KEEP, INIT_KEEP + "        self.file = open(path, encoding=\"utf-8\")\n"),
           ("        with open(self.path, encoding=\"utf-8\") as f:\n            for i, line in enumerate(f):\n",
            "        if True:\n            for i, line in enumerate(self.file):\n"),
           fails=("sharded_lines_in_main_process", "sharded_opens_lazily"), concept="exhausted after one pass"),
    mutant(A, "lines read in __init__ (not lazy)",
           (INIT_KEEP,
            INIT_KEEP + "        with open(path, encoding=\"utf-8\") as f:\n"
                        "            self.lines = f.read().split(\"\\n\")\n"),
           ("        with open(self.path, encoding=\"utf-8\") as f:\n            for i, line in enumerate(f):\n",
            "        if True:\n            for i, line in enumerate(self.lines):\n"),
           fails="sharded_opens_lazily", concept="lazy loading"),
    mutant(A, "transform not applied",
           ("                yield self.transform(line) if self.transform is not None else line\n",
            "                yield line\n"),
           fails="sharded_transform", concept="transform is applied to every item"),
    mutant(A, "transform applied before the newline is removed",
           ("                line = line.rstrip(\"\\n\")\n"
            "                yield self.transform(line) if self.transform is not None else line\n",
            "                if self.transform is not None:\n                    line = self.transform(line)\n"
            "                yield line.rstrip(\"\\n\")\n"),
           fails="sharded_transform", concept="after removing the newline"),
    mutant(A, "noise drawn with numpy's global RNG",
           ("        noise = self.noise_std * float(self.rng.standard_normal())\n",
            "        noise = self.noise_std * float(np.random.standard_normal())\n"),
           fails="noisy_items", concept="self.rng"),
    mutant(A, "noise drawn with torch.randn",
           ("        noise = self.noise_std * float(self.rng.standard_normal())\n",
            "        noise = self.noise_std * float(torch.randn(()))\n"),
           fails="noisy_items", concept="not torch's"),
    mutant(A, "item keeps the dtype of values (float64)",
           (NOISE_LINES,
            "        noise = self.noise_std * float(self.rng.standard_normal())\n"
            "        return self.values[index] + noise\n"),
           fails="noisy_items", concept="float32 0-d tensor"),
    mutant(A, "noise_std used as a variance",
           ("        noise = self.noise_std * float(self.rng.standard_normal())\n",
            "        noise = self.noise_std**0.5 * float(self.rng.standard_normal())\n"),
           fails="noisy_items", concept="scaled by noise_std"),
    mutant(A, "generator kept under another name (seed_worker cannot replace it)",
           ("        self.rng = np.random.default_rng(seed)\n",
            "        self.rng = np.random.default_rng(seed)\n        self._noise_source = self.rng\n"),
           ("        noise = self.noise_std * float(self.rng.standard_normal())\n",
            "        noise = self.noise_std * float(self._noise_source.standard_normal())\n"),
           fails="noisy_in_workers", concept="looked up at every access"),
    mutant(A, "noise drawn once in __init__ (the same noise on every access)",
           ("        self.rng = np.random.default_rng(seed)\n",
            "        self.rng = np.random.default_rng(seed)\n"
            "        self.noise = self.rng.standard_normal(len(values))\n"),
           ("        noise = self.noise_std * float(self.rng.standard_normal())\n",
            "        noise = self.noise_std * float(self.noise[index])\n"),
           fails="noisy_items", concept="one fresh standard-normal draw per access"),
    mutant(A, "no validation in NoisyDataset", (VALIDATION, ""),
           fails="noisy_validation", concept="ValueError"),
    mutant(A, "generator created in __init__ and never reseeded (seed_worker leaves dataset.rng)",
           ("    info = get_worker_info()\n    if info is not None and hasattr(info.dataset, \"rng\"):\n"
            "        info.dataset.rng = np.random.default_rng(seed)\n", ""),
           fails="seed_worker_in_workers", concept="never reseeded is identical in all workers"),
    mutant(A, "seed_worker does not reseed numpy and random",
           ("    random.seed(seed)\n    np.random.seed(seed)\n", ""),
           fails="seed_worker_in_main_process", concept="random"),
    mutant(A, "seed_worker seeds from worker_id (same in every epoch and loader)",
           ("    seed = torch.initial_seed() % 2**32\n    random.seed(seed)\n",
            "    seed = worker_id\n    random.seed(seed)\n"),
           fails="seed_worker_in_main_process", concept="torch.initial_seed()"),
    mutant(A, "seed_worker assumes it runs in a worker",
           ("    if info is not None and hasattr(info.dataset, \"rng\"):\n",
            "    if hasattr(info.dataset, \"rng\"):\n"),
           fails="seed_worker_in_main_process", concept="get_worker_info() is None"),
    mutant(A, "loader not seeded (global RNG shuffles, epochs not reproducible)",
           ("        generator=g,\n", ""),
           fails="make_loader_reproducible", concept="seeded generator"),
    mutant(A, "generator created but never seeded",
           ("    g.manual_seed(seed)\n", ""),
           fails="make_loader_reproducible", concept="seeded"),
    mutant(A, "persistent_workers never set",
           ("        persistent_workers=num_workers > 0,\n", ""),
           fails="make_loader_worker_settings", concept="persistent_workers"),
    mutant(A, "persistent_workers always True",
           ("        persistent_workers=num_workers > 0,\n", "        persistent_workers=True,\n"),
           fails="make_loader_worker_settings", concept="refuses persistent workers without workers"),
    mutant(A, "lambda worker_init_fn (breaks under spawn)",
           ("        worker_init_fn=seed_worker,\n",
            "        worker_init_fn=lambda worker_id: seed_worker(worker_id),\n"),
           fails="make_loader_worker_settings", concept="worker_init_fn"),
    mutant(A, "lambda collate wrapper (breaks under spawn)",
           ("        collate_fn=collate_fn,\n",
            "        collate_fn=lambda batch: (collate_fn or torch.utils.data.default_collate)(batch),\n"),
           fails="make_loader_picklable", concept="not lambdas or nested functions"),
    mutant(A, "collate_fn and drop_last ignored",
           ("        collate_fn=collate_fn,\n        drop_last=drop_last,\n", ""),
           fails="make_loader_settings", concept="passes its arguments"),
    mutant(A, "shuffle ignored",
           ("        shuffle=shuffle,\n", ""),
           fails="make_loader_settings", concept="shuffle"),
]

ALTERNATIVES = [
    alternative(
        A, "islice sharding, rng.normal, bit-mask seed, keyword loader",
        (SHARD_LOOP,
         "        import itertools\n\n"
         "        info = torch.utils.data.get_worker_info()\n"
         "        start = 0 if info is None else info.id\n"
         "        step = 1 if info is None else info.num_workers\n"
         "        with open(self.path, \"r\", encoding=\"utf-8\") as handle:\n"
         "            for raw in itertools.islice(handle, start, None, step):\n"
         "                text = raw[:-1] if raw.endswith(\"\\n\") else raw\n"
         "                if self.transform is None:\n"
         "                    yield text\n"
         "                else:\n"
         "                    yield self.transform(text)\n"),
        (NOISE_LINES,
         "        value = self.values[index].item() + self.rng.normal(0.0, self.noise_std)\n"
         "        return torch.tensor(value).float()\n"),
        (SEED_BODY,
         "    seed = torch.initial_seed() & 0xFFFFFFFF\n"
         "    np.random.seed(seed)\n"
         "    random.seed(seed)\n"
         "    worker = torch.utils.data.get_worker_info()\n"
         "    if worker is None:\n"
         "        return\n"
         "    if getattr(worker.dataset, \"rng\", None) is not None:\n"
         "        worker.dataset.rng = np.random.default_rng(seed)\n"),
        (LOADER_BODY,
         "    options = dict(\n"
         "        batch_size=batch_size,\n"
         "        shuffle=shuffle,\n"
         "        drop_last=drop_last,\n"
         "        num_workers=num_workers,\n"
         "        worker_init_fn=seed_worker,\n"
         "        persistent_workers=bool(num_workers),\n"
         "        generator=torch.Generator().manual_seed(seed),\n"
         "    )\n"
         "    if collate_fn is not None:\n"
         "        options[\"collate_fn\"] = collate_fn\n"
         "    return DataLoader(dataset, **options)\n"),
    ),
    alternative(
        A, "read_text in __iter__, float32 arithmetic, stored settings",
        (SHARD_LOOP,
         "        from pathlib import Path\n\n"
         "        lines = Path(self.path).read_text(encoding=\"utf-8\").split(\"\\n\")\n"
         "        if lines[-1] == \"\":  # the newline that ends the file ends the last line\n"
         "            lines.pop()\n"
         "        info = get_worker_info()\n"
         "        mine = lines if info is None else lines[info.id::info.num_workers]\n"
         "        for line in mine:\n"
         "            yield line if self.transform is None else self.transform(line)\n"),
        (NOISE_LINES,
         "        draw = self.rng.standard_normal()\n"
         "        return (self.values[index].to(torch.float32) + torch.tensor(self.noise_std * draw, "
         "dtype=torch.float32)).reshape(())\n"),
    ),
]
