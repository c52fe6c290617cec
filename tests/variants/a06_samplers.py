"""Mistakes and valid alternatives for a06_samplers."""

from tests.support import alternative, mutant

A = "a06_samplers"

RANDOM_PERMS = (
    "            for _ in range(self.num_samples // n):\n"
    "                yield from torch.randperm(n, generator=generator).tolist()\n"
    "            yield from torch.randperm(n, generator=generator).tolist()[: self.num_samples % n]\n"
)
RANDOM_SEEDING = (
    "        generator = self.generator\n"
    "        if generator is None:\n"
    "            seed = int(torch.empty((), dtype=torch.int64).random_().item())\n"
    "            generator = torch.Generator()\n"
    "            generator.manual_seed(seed)\n"
    "        if self.replacement:\n"
)
RANDOM_LEN = (
    "    def __len__(self) -> int:\n"
    '        """Return ``num_samples``."""\n'
    "        return self.num_samples\n"
    "\n"
    "\n"
    "class BatchSampler("
)
BATCH_LEN = (
    "    def __len__(self) -> int:\n"
    '        """Return the number of batches: ``len(sampler) / batch_size``, rounded down with\n'
    '        ``drop_last``, else up."""\n'
    "        if self.drop_last:\n"
    "            return len(self.sampler) // self.batch_size\n"
    "        return (len(self.sampler) + self.batch_size - 1) // self.batch_size\n"
)
BUCKET_SHUFFLE_BATCHES = (
    "        if self.shuffle:\n"
    "            order = torch.randperm(len(batches), generator=generator).tolist()\n"
    "            batches = [batches[i] for i in order]\n"
)
SHARD_SEED = "g.manual_seed(self.seed + self.epoch)"

MUTANTS = [
    # ------------------------------------------------------------ SequentialSampler
    mutant(A, "sequential starts at 1",
           ("return iter(range(len(self.data_source)))", "return iter(range(1, len(self.data_source) + 1))"),
           fails="sequential_sampler", concept="0, 1, ..., len(data_source) - 1"),
    mutant(A, "subclasses torch's SequentialSampler",
           ("class SequentialSampler(Sampler[int]):", "class SequentialSampler(torch.utils.data.SequentialSampler):"),
           ("        return iter(range(len(self.data_source)))\n", "        return super().__iter__()\n"),
           fails="sequential_sampler", concept="implement it yourself"),
    # ------------------------------------------------------------ RandomSampler
    mutant(A, "random.shuffle ignores the generator",
           (RANDOM_PERMS,
            "            import random\n\n"
            "            for _ in range(self.num_samples // n):\n"
            "                order = list(range(n))\n"
            "                random.shuffle(order)\n"
            "                yield from order\n"
            "            order = list(range(n))\n"
            "            random.shuffle(order)\n"
            "            yield from order[: self.num_samples % n]\n"),
           fails=("random_sampler_permutation", "random_sampler_epochs"), concept="generator"),
    mutant(A, "one permutation truncated when num_samples > n",
           (RANDOM_PERMS,
            "            yield from torch.randperm(n, generator=generator).tolist()[: self.num_samples]\n"),
           fails="random_sampler_permutation", concept="whole permutations"),
    # torch draws the last permutation even when it contributes no index: only a later epoch shows the difference
    mutant(A, "no extra permutation when num_samples is a multiple of n",
           (RANDOM_PERMS,
            "            for _ in range(self.num_samples // n):\n"
            "                yield from torch.randperm(n, generator=generator).tolist()\n"
            "            if self.num_samples % n:\n"
            "                yield from torch.randperm(n, generator=generator).tolist()[: self.num_samples % n]\n"),
           fails="random_sampler_epoch_after_epoch", concept="one more permutation"),
    mutant(A, "ceil(num_samples / n) permutations concatenated",
           (RANDOM_PERMS,
            "            rounds = -(-self.num_samples // n)\n"
            "            perms = [torch.randperm(n, generator=generator) for _ in range(rounds)]\n"
            "            yield from torch.cat(perms)[: self.num_samples].tolist()\n"),
           fails="random_sampler_epoch_after_epoch", concept="one more permutation"),
    mutant(A, "permutation as tensor elements, not ints",
           (RANDOM_PERMS,
            "            for _ in range(self.num_samples // n):\n"
            "                yield from torch.randperm(n, generator=generator)\n"
            "            yield from torch.randperm(n, generator=generator)[: self.num_samples % n]\n"),
           fails="random_sampler_permutation", concept="Python ints"),
    mutant(A, "RandomSampler without __len__", (RANDOM_LEN, "class BatchSampler("),
           fails="random_sampler_permutation", concept="__len__"),
    mutant(A, "generator=None draws from the global RNG directly",
           (RANDOM_SEEDING, "        generator = self.generator\n        if self.replacement:\n"),
           fails="random_sampler_epochs", concept="global RNG"),
    mutant(A, "generator=None seeded once in __init__",
           ("        self.replacement = replacement\n        self.num_samples = num_samples\n"
            "        self.generator = generator\n",
            "        self.replacement = replacement\n        self.num_samples = num_samples\n"
            "        if generator is None:\n"
            "            generator = torch.Generator()\n"
            "            generator.manual_seed(int(torch.empty((), dtype=torch.int64).random_().item()))\n"
            "        self.generator = generator\n"),
           fails="random_sampler_epochs", concept="every __iter__"),
    mutant(A, "given generator copied every epoch",
           (RANDOM_SEEDING,
            "        generator = self.generator\n"
            "        if generator is not None:\n"
            "            generator = torch.Generator().set_state(generator.get_state())\n"
            "        if generator is None:\n"
            "            seed = int(torch.empty((), dtype=torch.int64).random_().item())\n"
            "            generator = torch.Generator()\n"
            "            generator.manual_seed(seed)\n"
            "        if self.replacement:\n"),
           fails="random_sampler_epochs", concept="each epoch differs"),
    mutant(A, "with replacement: randint high n - 1",
           ("draws = torch.randint(high=n, size=", "draws = torch.randint(high=n - 1, size="),
           fails="random_sampler_replacement", concept="uniform in [0, n)"),
    mutant(A, "replacement ignored",
           ("        if self.replacement:\n            draws", "        if False:\n            draws"),
           fails="random_sampler_replacement", concept="indices may repeat"),
    mutant(A, "with replacement: draws n instead of num_samples",
           ("size=(self.num_samples,), generator=generator)", "size=(n,), generator=generator)"),
           fails="random_sampler_replacement", concept="num_samples independent draws"),
    mutant(A, "num_samples = 0 accepted",
           ("            num_samples = len(data_source)\n"
            "        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples <= 0:",
            "            num_samples = len(data_source)\n"
            "        if not isinstance(num_samples, int) or isinstance(num_samples, bool) or num_samples < 0:"),
           fails="random_sampler_validation", concept="ValueError"),
    mutant(A, "wraps torch's RandomSampler",
           ('        """Yield ``num_samples`` random indices (one epoch)."""\n',
            '        """Yield ``num_samples`` random indices (one epoch)."""\n'
            "        yield from torch.utils.data.RandomSampler(self.data_source, self.replacement, self.num_samples, "
            "self.generator)\n"
            "        return\n"),
           fails=("random_sampler_permutation", "random_sampler_epochs", "random_sampler_replacement"),
           concept="implement it yourself"),
    # ------------------------------------------------------------ BatchSampler
    mutant(A, "BatchSampler without __len__", (BATCH_LEN, ""), fails="batch_sampler_len", concept="__len__"),
    mutant(A, "BatchSampler len off by one when it divides",
           ("        return (len(self.sampler) + self.batch_size - 1) // self.batch_size\n",
            "        return len(self.sampler) // self.batch_size + 1\n"),
           fails="batch_sampler_len", concept="ceil"),
    mutant(A, "BatchSampler len ignores drop_last",
           ("        if self.drop_last:\n            return len(self.sampler) // self.batch_size\n", ""),
           fails="batch_sampler_len", concept="drop_last"),
    mutant(A, "incomplete batch kept with drop_last",
           ("        if batch and not self.drop_last:\n", "        if batch:\n"),
           fails="batch_sampler_batches", concept="drop_last"),
    mutant(A, "empty last batch when the size divides",
           ("        if batch and not self.drop_last:\n", "        if not self.drop_last:\n"),
           fails="batch_sampler_batches", concept="shorter last batch"),
    mutant(A, "inner sampler read once in __init__",
           ("        self.sampler = sampler\n", "        self.sampler = list(sampler)\n"),
           fails="batch_sampler_batches", concept="iterated anew"),
    mutant(A, "same batch list reused",
           ("                yield batch\n                batch = []\n",
            "                yield batch\n                batch.clear()\n"),
           fails="batch_sampler_batches", concept="batching a sampler"),
    mutant(A, "drop_last type not checked",
           ("        if not isinstance(drop_last, bool):\n"
            '            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")\n',
            ""),
           fails="batch_sampler_validation", concept="drop_last a bool"),
    mutant(A, "batch_size type not checked",
           ("        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0:\n",
            "        if batch_size <= 0:\n"),
           fails="batch_sampler_validation", concept="positive int"),
    # ------------------------------------------------------------ ClassBalancedSampler
    mutant(A, "weights are class frequency, not inverse",
           ("[1.0 / counts[label] for label in labels]", "[counts[label] / len(labels) for label in labels]"),
           fails="class_balanced_weights", concept="inverse class frequency"),
    mutant(A, "tensor labels counted as distinct objects",
           ("        if isinstance(labels, torch.Tensor):\n            labels = labels.tolist()\n"
            "        labels = list(labels)\n",
            "        labels = list(labels)\n"),
           fails="class_balanced_weights", concept="counted by value"),
    mutant(A, "float32 weights",
           ("for label in labels], dtype=torch.float64)", "for label in labels], dtype=torch.float32)"),
           fails="class_balanced_weights", concept="float64"),
    mutant(A, "class-balanced draws without replacement",
           ("torch.multinomial(self.weights, self.num_samples, True,",
            "torch.multinomial(self.weights, self.num_samples, False,"),
           fails="class_balanced_indices", concept="with replacement"),
    mutant(A, "wraps torch's WeightedRandomSampler",
           ("        draws = torch.multinomial(self.weights, self.num_samples, True, generator=self.generator)\n",
            "        draws = torch.tensor(list(torch.utils.data.WeightedRandomSampler(self.weights, self.num_samples, "
            "generator=self.generator)))\n"),
           fails="class_balanced_indices", concept="implement it yourself"),
    mutant(A, "default num_samples = number of classes",
           ("            num_samples = len(labels)\n", "            num_samples = len(set(labels))\n"),
           fails="class_balanced_indices", concept="num_samples"),
    # ------------------------------------------------------------ BucketBatchSampler
    mutant(A, "buckets cut from index order even when shuffled",
           ("bucket = sorted(indices[start : start + step], key=self.lengths.__getitem__)",
            "bucket = sorted(range(start, min(start + step, n)), key=self.lengths.__getitem__)"),
           fails="bucket_randomness", concept="shuffled indices"),
    mutant(A, "buckets not sorted by length",
           ("bucket = sorted(indices[start : start + step], key=self.lengths.__getitem__)",
            "bucket = indices[start : start + step]"),
           fails="bucket_padding", concept="sort"),
    mutant(A, "bucket holds bucket_size indices",
           ("step = self.bucket_size * self.batch_size", "step = self.bucket_size"),
           fails="bucket_coverage", concept="bucket_size * batch_size"),
    mutant(A, "batch order not shuffled", (BUCKET_SHUFFLE_BATCHES, ""), fails="bucket_randomness",
           concept="batch order"),
    mutant(A, "bucket indices shuffled with random.shuffle",
           ("            indices = torch.randperm(n, generator=generator).tolist()\n        else:\n"
            "            indices = list(range(n))\n        step",
            "            indices = list(range(n))\n            __import__('random').shuffle(indices)\n        else:\n"
            "            indices = list(range(n))\n        step"),
           fails="bucket_randomness", concept="from the generator only"),
    mutant(A, "bucket generator re-seeded every epoch",
           ("        generator = self.generator\n        if self.shuffle and generator is None:\n",
            "        generator = self.generator\n"
            "        if generator is not None:\n"
            "            generator = torch.Generator().manual_seed(generator.initial_seed())\n"
            "        if self.shuffle and generator is None:\n"),
           fails="bucket_randomness", concept="new order"),
    mutant(A, "bucket __len__ ignores drop_last",
           ("        if self.drop_last:\n            return len(self.lengths) // self.batch_size\n", ""),
           fails="bucket_coverage", concept="__len__"),
    mutant(A, "bucket drop_last ignored",
           ("if len(batch) == self.batch_size or not self.drop_last:", "if True:"),
           fails="bucket_coverage", concept="drop_last"),
    mutant(A, "last bucket lost", ("for start in range(0, n, step):", "for start in range(0, n - step + 1, step):"),
           fails="bucket_coverage", concept="every index once"),
    # ------------------------------------------------------------ ShardSampler
    mutant(A, "ShardSampler seeds the global RNG instead of its own generator",
           ("            g = torch.Generator()\n            g.manual_seed(self.seed + self.epoch)\n"
            "            indices = torch.randperm(n, generator=g).tolist()\n",
            "            torch.manual_seed(self.seed + self.epoch)\n"
            "            indices = torch.randperm(n).tolist()\n"),
           fails="shard_set_epoch", concept="global RNG"),
    mutant(A, "seed ignores the epoch", (SHARD_SEED, "g.manual_seed(self.seed)"), fails="shard_set_epoch",
           concept="set_epoch"),
    mutant(A, "set_epoch does nothing", ("        self.epoch = epoch\n", "        pass\n"), fails="shard_set_epoch",
           concept="set_epoch"),
    mutant(A, "every rank shuffles with its own seed",
           (SHARD_SEED, "g.manual_seed(self.seed + self.epoch + self.rank)"),
           fails="shard_indices", concept="seed + epoch"),
    mutant(A, "truncates without drop_last",
           ("self.num_samples = n // num_replicas if drop_last else math.ceil(n / num_replicas)",
            "self.num_samples = n // num_replicas"),
           fails="shard_indices", concept="drop_last"),
    mutant(A, "drop_last off by one",
           ("self.num_samples = n // num_replicas if drop_last else math.ceil(n / num_replicas)",
            "self.num_samples = n // num_replicas + 1 if drop_last else math.ceil(n / num_replicas)"),
           fails="shard_indices", concept="drop_last"),
    mutant(A, "contiguous chunks instead of strided",
           ("return iter(indices[self.rank : self.total_size : self.num_replicas])",
            "return iter(indices[self.rank * self.num_samples : (self.rank + 1) * self.num_samples])"),
           fails="shard_indices", concept="strided"),
    mutant(A, "pads by wrapping around only once",
           ("indices = (indices * math.ceil(self.total_size / n))[: self.total_size]",
            "indices = (indices + indices)[: self.total_size]"),
           fails="shard_indices", concept="wrapping around"),
    mutant(A, "rank == num_replicas accepted", ("not 0 <= rank < num_replicas", "not 0 <= rank <= num_replicas"),
           fails="shard_validation", concept="[0, num_replicas)"),
    mutant(A, "wraps torch's DistributedSampler",
           ('        """Yield this rank\'s indices for the current epoch."""\n',
            '        """Yield this rank\'s indices for the current epoch."""\n'
            "        inner = torch.utils.data.DistributedSampler(\n"
            "            self.data_source, self.num_replicas, self.rank, self.shuffle, self.seed, self.drop_last\n"
            "        )\n"
            "        inner.set_epoch(self.epoch)\n"
            "        return iter(inner)\n"),
           fails=("shard_indices", "shard_set_epoch", "shard_coverage"), concept="implement it yourself"),
]


ALTERNATIVES = [
    alternative(
        A, "generators, itertools batching, torch.unique weights, torch.sort buckets, padding loop",
        # SequentialSampler as a generator function
        ("        return iter(range(len(self.data_source)))\n",
         "        i = 0\n        while i < len(self.data_source):\n            yield i\n            i += 1\n"),
        # RandomSampler: num_samples // n + 1 permutations concatenated and cut (the same randperm calls as torch's,
        # so later epochs match too), multinomial draws with replacement
        ("        n = len(self.data_source)\n        generator = self.generator\n        if generator is None:\n"
         "            seed = int(torch.empty((), dtype=torch.int64).random_().item())\n"
         "            generator = torch.Generator()\n            generator.manual_seed(seed)\n"
         "        if self.replacement:\n"
         "            draws = torch.randint(high=n, size=(self.num_samples,), generator=generator)\n"
         "            yield from draws.tolist()\n        else:\n" + RANDOM_PERMS,
         "        n = len(self.data_source)\n        g = self.generator\n        if g is None:\n"
         "            g = torch.Generator()\n"
         "            g.manual_seed(int(torch.empty((), dtype=torch.int64).random_().item()))\n"
         "        if self.replacement:\n"
         "            out = torch.multinomial(torch.ones(n, dtype=torch.float64), self.num_samples, True, "
         "generator=g)\n"
         "        else:\n"
         "            rounds = self.num_samples // n + 1\n"
         "            out = torch.cat([torch.randperm(n, generator=g) for _ in range(rounds)])[: self.num_samples]\n"
         "        return iter(out.tolist())\n"),
        # BatchSampler with itertools.islice
        ("        batch: list[int] = []\n        for index in self.sampler:\n            batch.append(index)\n"
         "            if len(batch) == self.batch_size:\n                yield batch\n                batch = []\n"
         "        if batch and not self.drop_last:\n            yield batch\n",
         "        import itertools\n\n        it = iter(self.sampler)\n"
         "        while True:\n            batch = list(itertools.islice(it, self.batch_size))\n"
         "            if not batch or (len(batch) < self.batch_size and self.drop_last):\n                return\n"
         "            yield batch\n"),
        ("        if self.drop_last:\n            return len(self.sampler) // self.batch_size\n"
         "        return (len(self.sampler) + self.batch_size - 1) // self.batch_size\n",
         "        whole, rest = divmod(len(self.sampler), self.batch_size)\n"
         "        return whole + (1 if rest and not self.drop_last else 0)\n"),
        # ClassBalancedSampler weights from torch.unique counts
        ("        counts = Counter(labels)\n"
         "        self.weights = torch.tensor([1.0 / counts[label] for label in labels], dtype=torch.float64)\n",
         "        _, inverse, counts = torch.unique(torch.tensor(labels), return_inverse=True, return_counts=True)\n"
         "        self.weights = 1.0 / counts.to(torch.float64)[inverse]\n"),
        # BucketBatchSampler: stable torch.sort per bucket, batch order from rand().argsort()
        ("        step = self.bucket_size * self.batch_size\n        batches = []\n"
         "        for start in range(0, n, step):\n"
         "            bucket = sorted(indices[start : start + step], key=self.lengths.__getitem__)\n"
         "            for first in range(0, len(bucket), self.batch_size):\n"
         "                batch = bucket[first : first + self.batch_size]\n"
         "                if len(batch) == self.batch_size or not self.drop_last:\n"
         "                    batches.append(batch)\n" + BUCKET_SHUFFLE_BATCHES,
         "        order = torch.tensor(indices, dtype=torch.long)\n"
         "        lengths = torch.tensor(self.lengths, dtype=torch.long)\n"
         "        batches = []\n"
         "        for chunk in order.split(self.bucket_size * self.batch_size) if n else ():\n"
         "            _, pos = torch.sort(lengths[chunk], stable=True)\n"
         "            batches += [b.tolist() for b in chunk[pos].split(self.batch_size)]\n"
         "        if self.drop_last and batches and len(batches[-1]) < self.batch_size:\n"
         "            batches.pop()\n"
         "        if self.shuffle and batches:\n"
         "            keys = torch.rand(len(batches), generator=generator)\n"
         "            batches = [batches[i] for i in keys.argsort().tolist()]\n"),
        # ShardSampler: pad with a loop
        ("        if self.drop_last:\n            indices = indices[: self.total_size]\n"
         "        elif indices:\n            indices = (indices * math.ceil(self.total_size / n))[: self.total_size]\n",
         "        while indices and len(indices) < self.total_size:\n"
         "            indices += indices[: self.total_size - len(indices)]\n"
         "        indices = indices[: self.total_size]\n"),
    ),
    alternative(
        A, "torch-style: chunks of 32 with replacement, zip batching, DistributedSampler-style padding, numpy buckets",
        ("            draws = torch.randint(high=n, size=(self.num_samples,), generator=generator)\n"
         "            yield from draws.tolist()\n",
         "            for _ in range(self.num_samples // 32):\n"
         "                yield from torch.randint(high=n, size=(32,), dtype=torch.int64, "
         "generator=generator).tolist()\n"
         "            yield from torch.randint(high=n, size=(self.num_samples % 32,), dtype=torch.int64, "
         "generator=generator).tolist()\n"),
        ("        batch: list[int] = []\n        for index in self.sampler:\n            batch.append(index)\n"
         "            if len(batch) == self.batch_size:\n                yield batch\n                batch = []\n"
         "        if batch and not self.drop_last:\n            yield batch\n",
         "        if self.drop_last:\n"
         "            it = iter(self.sampler)\n"
         "            for batch in zip(*[it] * self.batch_size):\n"
         "                yield [*batch]\n"
         "        else:\n"
         "            batch = [0] * self.batch_size\n"
         "            k = 0\n"
         "            for idx in self.sampler:\n"
         "                batch[k] = idx\n"
         "                k += 1\n"
         "                if k == self.batch_size:\n"
         "                    yield batch\n"
         "                    k = 0\n"
         "                    batch = [0] * self.batch_size\n"
         "            if k > 0:\n"
         "                yield batch[:k]\n"),
        ("        counts = Counter(labels)\n",
         "        counts = {}\n        for label in labels:\n            counts[label] = counts.get(label, 0) + 1\n"),
        ("        step = self.bucket_size * self.batch_size\n        batches = []\n"
         "        for start in range(0, n, step):\n"
         "            bucket = sorted(indices[start : start + step], key=self.lengths.__getitem__)\n",
         "        import numpy as np\n\n"
         "        step = self.bucket_size * self.batch_size\n        batches = []\n"
         "        lengths = np.asarray(self.lengths, dtype=np.int64)\n"
         "        for start in range(0, n, step):\n"
         "            chunk = np.asarray(indices[start : start + step], dtype=np.int64)\n"
         "            bucket = chunk[np.argsort(lengths[chunk], kind='stable')].tolist()\n"),
        ("        if self.drop_last:\n            indices = indices[: self.total_size]\n"
         "        elif indices:\n            indices = (indices * math.ceil(self.total_size / n))[: self.total_size]\n"
         "        return iter(indices[self.rank : self.total_size : self.num_replicas])\n",
         "        if not self.drop_last:\n"
         "            padding_size = self.total_size - len(indices)\n"
         "            if padding_size <= len(indices):\n"
         "                indices += indices[:padding_size]\n"
         "            elif indices:\n"
         "                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]\n"
         "        else:\n"
         "            indices = indices[: self.total_size]\n"
         "        assert len(indices) == self.total_size\n"
         "        own = indices[self.rank : self.total_size : self.num_replicas]\n"
         "        assert len(own) == self.num_samples\n"
         "        return iter(own)\n"),
    ),
]
