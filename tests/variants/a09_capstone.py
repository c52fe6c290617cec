"""Mistakes and valid alternatives for a09_capstone.

Variants edit only ``a09_capstone.py``; ``Variant.build`` puts the
reference's ``a01_modules`` ... ``a07_collate`` next to it, as a student's
earlier files would be.
"""

from tests.support import alternative, mutant

A = "a09_capstone"

DEFAULT_MASK = "            attention_mask = input_ids != self.pad_id\n"
POOLED = "        pooled = masked_mean(self.embedding(input_ids), attention_mask)\n"
FORK = (
    "    with torch.random.fork_rng():\n        torch.manual_seed(seed)\n"
    "        model = TextClassifier(len(vocab), embed_dim, num_classes, pad_id=vocab.pad_id)\n"
)
SAMPLER = "    sampler = BucketBatchSampler(train_lengths, batch_size, generator=g)\n"
LOOP = "    for epoch in range(1, epochs + 1):\n"
HISTORY_LOOP = (
    "    history: list[dict[str, float]] = []\n"
    "    for epoch in range(1, epochs + 1):\n"
    "        train_loss = train_epoch(model, train_loader, loss_fn, optimizer)\n"
    "        metrics = evaluate(model, val_loader, loss_fn)\n"
    "        history.append(\n"
    "            {\n"
    '                "epoch": epoch,\n'
    '                "train_loss": float(train_loss),\n'
    '                "val_loss": float(metrics["loss"]),\n'
    '                "val_accuracy": float(metrics["accuracy"]),\n'
    "            }\n"
    "        )\n"
    "    return model, vocab, history\n"
)

MUTANTS = [
    # --- TextClassifier
    mutant(A, "classifier sized by the vocabulary",
           ("self.classifier = Linear(embed_dim, num_classes)", "self.classifier = Linear(vocab_size, num_classes)"),
           fails="classifier_is_own_linear", concept="embed_dim features"),
    mutant(A, "mean over padding (mask ignored)", (POOLED, "        pooled = self.embedding(input_ids).mean(dim=1)\n"),
           fails=("forward_with_mask", "forward_ignores_padding"), concept="real tokens"),
    mutant(A, "default mask all True",
           (DEFAULT_MASK, "            attention_mask = torch.ones_like(input_ids, dtype=torch.bool)\n"),
           fails="forward_default_mask", concept="pad"),
    mutant(A, "default mask compares with 0, not pad_id",
           (DEFAULT_MASK, "            attention_mask = input_ids != 0\n"),
           fails="forward_default_mask", concept="own pad_id"),
    mutant(A, "sum divided by T (padding counted)",
           (POOLED,
            "        pooled = (self.embedding(input_ids) * attention_mask.unsqueeze(-1)).sum(1) / "
            "input_ids.shape[1]\n"),
           fails=("forward_with_mask", "forward_ignores_padding"), concept="real tokens"),
    mutant(A, "classifier is torch's nn.Linear",
           ("        self.classifier = Linear(embed_dim, num_classes)\n",
            "        self.classifier = nn.Linear(embed_dim, num_classes)\n"),
           fails="classifier_is_own_linear", concept="a01_modules.Linear"),
    mutant(A, "embedding without padding_idx",
           ("self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)",
            "self.embedding = nn.Embedding(vocab_size, embed_dim)"),
           fails="embedding_submodule", concept="padding_idx"),
    # --- train_text_classifier
    mutant(A, "the loader's generator never seeded", ("    g = torch.Generator()\n    g.manual_seed(seed)\n",
                                                      "    g = torch.Generator()\n"),
           fails="train_reproducible", concept="torch.Generator seeded with seed"),
    mutant(A, "the model built after a fixed seed",
           ("        torch.manual_seed(seed)\n", "        torch.manual_seed(0)\n"),
           fails="train_reproducible", concept="forked RNG seeded with seed"),
    mutant(A, "one text per training batch",
           ("BucketBatchSampler(train_lengths, batch_size, generator=g)",
            "BucketBatchSampler(train_lengths, 1, generator=g)"),
           fails="train_batches", concept="BucketBatchSampler"),
    mutant(A, "num_classes from the training labels only",
           ("    num_classes = max(max(int(y) for y in train_labels), max(int(y) for y in val_labels)) + 1\n",
            "    num_classes = max(int(y) for y in train_labels) + 1\n"),
           fails="train_model_sizes", concept="validation"),
    mutant(A, "vocab built from training and validation texts",
           ("    vocab = Vocab([tokenize(text) for text in train_texts])\n",
            "    vocab = Vocab([tokenize(text) for text in list(train_texts) + list(val_texts)])\n"),
           fails="train_vocab", concept="training texts only"),
    mutant(A, "model init from the global RNG (no fork_rng, no manual_seed)",
           (FORK, "    model = TextClassifier(len(vocab), embed_dim, num_classes, pad_id=vocab.pad_id)\n"),
           fails=("train_reproducible", "train_keeps_global_rng"), concept="global RNG"),
    mutant(A, "manual_seed without fork_rng (moves the global RNG)",
           (FORK,
            "    torch.manual_seed(seed)\n"
            "    model = TextClassifier(len(vocab), embed_dim, num_classes, pad_id=vocab.pad_id)\n"),
           fails="train_keeps_global_rng", concept="fork_rng"),
    mutant(A, "BucketBatchSampler without the generator",
           (SAMPLER, "    sampler = BucketBatchSampler(train_lengths, batch_size)\n"),
           fails="train_reproducible", concept="seeded with seed"),
    mutant(A, "DataLoaders without the generator",
           ("    train_loader = DataLoader(train_ds, batch_sampler=sampler, collate_fn=collate, generator=g)\n"
            "    val_loader = DataLoader(val_ds, batch_size=batch_size, collate_fn=collate, generator=g)\n",
            "    train_loader = DataLoader(train_ds, batch_sampler=sampler, collate_fn=collate)\n"
            "    val_loader = DataLoader(val_ds, batch_size=batch_size, collate_fn=collate)\n"),
           fails="train_keeps_global_rng", concept="generator"),
    mutant(A, "lr ignored (Adam's default)",
           ("    optimizer = Adam(model.parameters(), lr=lr)\n", "    optimizer = Adam(model.parameters())\n"),
           fails="train_optimizer", concept="lr"),
    mutant(A, "one epoch too few", (LOOP, "    for epoch in range(1, epochs):\n"),
           fails="train_returns", concept="per epoch"),
    mutant(A, "epochs counted from 0",
           ('                "epoch": epoch,\n', '                "epoch": epoch - 1,\n'),
           fails="train_returns", concept="counted from 1"),
    mutant(A, "collate returns pad_collate's dict",
           ("    collate = functools.partial(_ids_and_labels, pad_value=vocab.pad_id)\n",
            "    collate = functools.partial(pad_collate, pad_value=vocab.pad_id)\n"),
           fails="train_batches", concept="(input_ids, labels)"),
    mutant(A, "plain batches instead of BucketBatchSampler",
           ("    train_loader = DataLoader(train_ds, batch_sampler=sampler, collate_fn=collate, generator=g)\n",
            "    train_loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True, collate_fn=collate, "
            "generator=g)\n"),
           fails="train_batches", concept="BucketBatchSampler"),
    mutant(A, "validation texts encoded with their own vocabulary",
           ("    val_ds = TextClassificationDataset(val_texts, val_labels, vocab)\n",
            "    val_ds = TextClassificationDataset(val_texts, val_labels, Vocab([tokenize(t) for t in val_texts]))\n"),
           fails="train_accuracy", concept="training vocabulary"),
    mutant(A, "epoch stored as a float",
           ('                "epoch": epoch,\n', '                "epoch": float(epoch),\n'),
           fails="train_returns", concept="an int"),
]

ALTERNATIVES = [
    alternative(
        A, "classifier created before the embedding (another parameter order)",
        ("        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)\n"
         "        self.classifier = Linear(embed_dim, num_classes)\n",
         "        self.classifier = Linear(embed_dim, num_classes)\n"
         "        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)\n"),
    ),
    alternative(
        A, "sum / count pooling by hand, ne() default mask",
        ("        if attention_mask is None:\n            attention_mask = input_ids != self.pad_id\n" + POOLED,
         "        mask = input_ids.ne(self.pad_id) if attention_mask is None else attention_mask\n"
         "        weights = mask.unsqueeze(-1).to(self.embedding.weight.dtype)\n"
         "        summed = (self.embedding(input_ids) * weights).sum(dim=1)\n"
         "        pooled = summed / weights.sum(dim=1).clamp(min=1.0)\n"),
    ),
    alternative(
        A, "collate as a small class, a04's fit, one generator per loader, labels gathered first",
        ("def _ids_and_labels(",
         "class _PairCollate:\n"
         "    def __init__(self, pad_value: int) -> None:\n"
         "        self.pad_value = pad_value\n\n"
         "    def __call__(self, batch):\n"
         "        padded = pad_collate(batch, self.pad_value)\n"
         "        return padded[\"input_ids\"], padded[\"labels\"]\n\n\n"
         "def _ids_and_labels("),
        ("    collate = functools.partial(_ids_and_labels, pad_value=vocab.pad_id)\n",
         "    collate = _PairCollate(vocab.pad_id)\n"),
        ("    g = torch.Generator()\n    g.manual_seed(seed)\n" + SAMPLER,
         "    g = torch.Generator().manual_seed(seed)\n"
         "    sampler = BucketBatchSampler(train_lengths, batch_size=batch_size, generator=g)\n"),
        ("    val_loader = DataLoader(val_ds, batch_size=batch_size, collate_fn=collate, generator=g)\n",
         "    val_loader = DataLoader(val_ds, batch_size=batch_size, shuffle=False, collate_fn=collate,\n"
         "                            generator=torch.Generator().manual_seed(seed + 1))\n"),
        ("    num_classes = max(max(int(y) for y in train_labels), max(int(y) for y in val_labels)) + 1\n",
         "    num_classes = 1 + max(int(y) for y in [*train_labels, *val_labels])\n"),
        (FORK,
         "    with torch.random.fork_rng(devices=[]):\n        torch.manual_seed(seed)\n"
         "        model = TextClassifier(len(vocab), embed_dim, num_classes, vocab.pad_id)\n"),
        (HISTORY_LOOP,
         "    from a04_training import fit\n\n"
         "    return model, vocab, fit(model, train_loader, val_loader, loss_fn, optimizer, epochs)\n"),
    ),
    alternative(
        A, "whole training inside one fork_rng, sampler and loaders seeded from the (forked) global RNG",
        ("    vocab = Vocab([tokenize(text) for text in train_texts])\n",
         "    with torch.random.fork_rng():\n"
         "        torch.manual_seed(seed)\n"
         "        return _train(train_texts, train_labels, val_texts, val_labels, epochs, batch_size, embed_dim, lr)\n"
         "\n\n"
         "def _train(train_texts, train_labels, val_texts, val_labels, epochs, batch_size, embed_dim, lr):\n"
         "    vocab = Vocab([tokenize(text) for text in train_texts])\n"),
        ("    g = torch.Generator()\n    g.manual_seed(seed)\n", "    g = None\n"),
        (FORK, "    model = TextClassifier(len(vocab), embed_dim, num_classes, pad_id=vocab.pad_id)\n"),
    ),
]
