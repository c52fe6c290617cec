"""The reference solutions of a05..a09 (lecture 5) behave as their docstrings and docs/authoring.md say.

Wherever the curriculum says "identical to torch", the reference is compared
index for index with torch's own class (``SequentialSampler``,
``RandomSampler``, ``BatchSampler``, ``WeightedRandomSampler``,
``DistributedSampler``, ``pack_padded_sequence``, ``default_collate``);
elsewhere the tests check the stated properties. a08 runs real DataLoader
worker processes (``num_workers=2``); a09 trains on a synthetic corpus built
here.

The capstone imports earlier assignments by plain module name, so the
``reference`` fixture puts ``reference/`` first on ``sys.path`` and imports
every module by its plain name; afterwards it restores ``sys.path`` and
``sys.modules`` (so other tests never see these modules under those names).
"""

from __future__ import annotations

import collections
import importlib
import math
import pickle
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils import data as tud
from torch.utils.data import DataLoader, default_collate

from graders.engine.audit import count_opens
from graders.engine.layout import ASSIGNMENTS, REFERENCE_DIR

PLAIN_NAMES = ASSIGNMENTS


@pytest.fixture(scope="module")
def reference() -> Iterator[None]:
    """Make ``reference/`` the importable home of ``a01_modules`` ... ``a09_capstone``, then restore."""
    saved_modules = {name: sys.modules.pop(name) for name in PLAIN_NAMES if name in sys.modules}
    saved_path = list(sys.path)
    saved_bytecode = sys.dont_write_bytecode
    sys.path.insert(0, str(REFERENCE_DIR))
    sys.dont_write_bytecode = True
    importlib.invalidate_caches()
    try:
        yield
    finally:
        for name in PLAIN_NAMES:
            sys.modules.pop(name, None)
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        sys.dont_write_bytecode = saved_bytecode


def _import(name: str) -> ModuleType:
    module = importlib.import_module(name)
    assert Path(module.__file__).resolve().parent == REFERENCE_DIR, module.__file__
    return module


@pytest.fixture(scope="module")
def a05(reference: None) -> ModuleType:
    return _import("a05_datasets")


@pytest.fixture(scope="module")
def a06(reference: None) -> ModuleType:
    return _import("a06_samplers")


@pytest.fixture(scope="module")
def a07(reference: None) -> ModuleType:
    return _import("a07_collate")


@pytest.fixture(scope="module")
def a08(reference: None) -> ModuleType:
    return _import("a08_parallel")


@pytest.fixture(scope="module")
def a09(reference: None) -> ModuleType:
    return _import("a09_capstone")


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


# ==========================================================================
# a05_datasets


def test_csv_dataset_default_features_and_dtypes(a05: ModuleType, tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "f1,y,f2\n1.5,0,2\n-3,2,4.25\n,1,0\n")
    ds = a05.CSVDataset(path, target="y")
    assert ds.features == ["f1", "f2"]
    assert len(ds) == 3
    x, y = ds[0]
    assert x.dtype == torch.float32 and x.shape == (2,)
    assert y.dtype == torch.int64 and y.shape == ()
    assert x.tolist() == [1.5, 2.0] and y.item() == 0
    x, y = ds[1]
    assert x.tolist() == [-3.0, 4.25] and y.item() == 2
    x, _ = ds[2]
    assert math.isnan(x[0].item()) and x[1].item() == 0.0  # empty cell -> nan
    # negative indices, out of range
    torch.testing.assert_close(ds[-1][0], ds[2][0], equal_nan=True, rtol=0, atol=0)
    assert ds[-3][1].item() == 0
    for bad in (3, -4, 100):
        with pytest.raises(IndexError):
            ds[bad]
    # the items are new tensors: editing one does not change the dataset
    x, _ = ds[0]
    x.zero_()
    assert ds[0][0].tolist() == [1.5, 2.0]


def test_csv_dataset_target_dtype_rules(a05: ModuleType, tmp_path: Path) -> None:
    ints = a05.CSVDataset(_write(tmp_path / "i.csv", "x,y\n1,3\n2, 4\n"), target="y")
    assert ints[1][1].dtype == torch.int64 and ints[1][1].item() == 4
    floats = a05.CSVDataset(_write(tmp_path / "f.csv", "x,y\n1,3\n2,3.0\n"), target="y")  # "3.0": not int()
    assert floats[0][1].dtype == torch.float32 and floats[0][1].item() == 3.0
    assert floats[1][1].dtype == torch.float32
    empty = a05.CSVDataset(_write(tmp_path / "e.csv", "x,y\n1,3\n2,\n"), target="y")  # empty target
    assert empty[0][1].dtype == torch.float32 and empty[0][1].item() == 3.0
    assert math.isnan(empty[1][1].item())


def test_csv_dataset_ignores_unselected_text_columns(a05: ModuleType, tmp_path: Path) -> None:
    text = 'name,a,b,label,comment\nsetosa,1,2,0,"hello, world"\nvirginica,3,4,1,\n'
    path = _write(tmp_path / "t.csv", text)
    ds = a05.CSVDataset(path, target="label", features=["b", "a"])
    assert ds.features == ["b", "a"]
    assert ds[0][0].tolist() == [2.0, 1.0]
    assert ds[1][0].tolist() == [4.0, 3.0] and ds[1][1].item() == 1
    with pytest.raises(ValueError, match="name"):
        a05.CSVDataset(path, target="label")  # the default features include the text columns


def test_csv_dataset_errors_name_column_and_line(a05: ModuleType, tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "a,b,y\n1,2,0\n3,oops,1\n")
    with pytest.raises(ValueError) as info:
        a05.CSVDataset(path, target="y")
    assert "'b'" in str(info.value) and "line 3" in str(info.value)  # the header is line 1
    bad_target = _write(tmp_path / "bt.csv", "a,y\n1,0\n2,0\n3,cat\n")
    with pytest.raises(ValueError) as info:
        a05.CSVDataset(bad_target, target="y")
    assert "'y'" in str(info.value) and "line 4" in str(info.value)
    with pytest.raises(ValueError) as info:
        a05.CSVDataset(path, target="label")
    assert "'label'" in str(info.value) and "'a'" in str(info.value)  # lists the available columns
    with pytest.raises(ValueError) as info:
        a05.CSVDataset(path, target="y", features=["a", "c"])
    assert "'c'" in str(info.value)
    ok = a05.CSVDataset(path, target="y", features=["a"])  # the bad cell is in an unparsed column
    assert len(ok) == 2


def test_csv_dataset_transforms_run_on_access(a05: ModuleType, tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "a,y\n1,0\n2,1\n")
    calls = []

    def transform(x: torch.Tensor) -> torch.Tensor:
        calls.append("x")
        return x * 10

    def target_transform(y: torch.Tensor) -> torch.Tensor:
        calls.append("y")
        return y + 100

    ds = a05.CSVDataset(path, target="y", transform=transform, target_transform=target_transform)
    assert calls == []
    x, y = ds[1]
    assert x.tolist() == [20.0] and y.item() == 101
    ds[0]
    assert calls == ["x", "y", "x", "y"]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    _write(root / "pos" / "2.txt", "good\n")
    _write(root / "pos" / "10.txt", "great")
    _write(root / "pos" / "1.txt", "정말 좋은 영화")
    _write(root / "pos" / "readme.md", "not a sample")
    _write(root / "neg" / "b.txt", "bad")
    _write(root / "neg" / "a.txt", "awful")
    (root / "empty").mkdir()
    return root


def test_text_folder_dataset_listing(a05: ModuleType, corpus: Path) -> None:
    ds = a05.TextFolderDataset(corpus)
    assert ds.classes == ["empty", "neg", "pos"]
    assert ds.class_to_idx == {"empty": 0, "neg": 1, "pos": 2}
    names = [(Path(p).parent.name, Path(p).name, c) for p, c in ds.samples]
    assert names == [
        ("neg", "a.txt", 1),
        ("neg", "b.txt", 1),
        ("pos", "1.txt", 2),
        ("pos", "10.txt", 2),
        ("pos", "2.txt", 2),
    ]
    assert all(isinstance(p, str) for p, _ in ds.samples)
    assert len(ds) == 5
    assert ds[2] == ("정말 좋은 영화", 2)
    assert ds[-1] == ("good\n", 2)
    with pytest.raises(IndexError):
        ds[5]
    tokens = a05.TextFolderDataset(str(corpus), transform=a05.tokenize)
    assert tokens[2] == (["정말", "좋은", "영화"], 2)


def test_text_folder_dataset_is_lazy(a05: ModuleType, corpus: Path) -> None:
    with count_opens(corpus) as opened:
        ds = a05.TextFolderDataset(corpus)
    assert opened == [], f"__init__ opened {opened}"
    with count_opens(corpus) as opened:
        text, label = ds[3]
    assert text == "great" and label == 2
    assert [Path(p).name for p in opened] == ["10.txt"]
    with count_opens(corpus) as opened:
        for i in range(len(ds)):
            ds[i]
    assert len(opened) == len(ds)


def test_text_folder_dataset_errors(a05: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        a05.TextFolderDataset(tmp_path / "missing")
    (tmp_path / "only_md" / "c").mkdir(parents=True)
    _write(tmp_path / "only_md" / "c" / "x.md", "x")
    with pytest.raises(ValueError):
        a05.TextFolderDataset(tmp_path / "only_md")


def test_compose_and_to_tensor(a05: ModuleType) -> None:
    assert a05.Compose([lambda v: v + 1, lambda v: v * 3])(2) == 9
    assert a05.Compose([])(5) == 5
    rgb = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    t = a05.ToTensor()(rgb)
    assert t.dtype == torch.float32 and t.shape == (3, 2, 3)
    assert torch.allclose(t, torch.from_numpy(rgb).permute(2, 0, 1).float() / 255)
    gray = np.array([[0, 255], [51, 102]], dtype=np.uint8)
    g = a05.ToTensor()(gray)
    assert g.shape == (1, 2, 2) and torch.allclose(g[0], torch.tensor([[0.0, 1.0], [0.2, 0.4]]))
    f64 = np.full((2, 2, 1), 7.5)
    f = a05.ToTensor()(f64)
    assert f.dtype == torch.float32 and f.shape == (1, 2, 2) and f.eq(7.5).all()  # unscaled
    f64[0, 0, 0] = -1
    assert f[0, 0, 0].item() == 7.5  # no shared memory


def test_normalize(a05: ModuleType) -> None:
    x = torch.arange(12, dtype=torch.float32).reshape(3, 2, 2)
    before = x.clone()
    mean, std = [1.0, 2.0, 3.0], [0.5, 2.0, 4.0]
    out = a05.Normalize(mean, std)(x)
    expected = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    assert torch.allclose(out, expected) and out.shape == x.shape
    assert torch.equal(x, before) and out.data_ptr() != x.data_ptr()
    with pytest.raises(ValueError):
        a05.Normalize([0.0, 0.0], [1.0, 0.0])
    with pytest.raises(ValueError):
        a05.Normalize([0.0, 0.0], [1.0, 1.0])(x)
    with pytest.raises(ValueError):
        a05.Normalize([0.0], [1.0])(x)  # no broadcasting of a single mean
    with pytest.raises(ValueError):
        a05.Normalize([0.0, 0.0, 0.0], [1.0, 1.0])(x)


def test_random_horizontal_flip_draws_once_per_call(a05: ModuleType) -> None:
    x = torch.arange(6).reshape(1, 2, 3)
    for p in (0.0, 0.3, 0.5, 1.0):
        g = _gen(11)
        shadow = _gen(11)
        flip = a05.RandomHorizontalFlip(p=p, generator=g)
        for _ in range(30):
            out = flip(x)
            expect_flip = torch.rand(1, generator=shadow).item() < p
            assert torch.equal(out, x.flip(-1) if expect_flip else x)
    torch.manual_seed(3)
    results = [a05.RandomHorizontalFlip()(x) for _ in range(5)]
    torch.manual_seed(3)
    assert all(torch.equal(r, torch.flip(x, [-1]) if torch.rand(1).item() < 0.5 else x) for r in results)
    with pytest.raises(ValueError):
        a05.RandomHorizontalFlip(p=1.5)


def test_tokenize(a05: ModuleType) -> None:
    assert a05.tokenize("Hello, World!  It's 2 o'clock.") == ["hello", "world", "it", "s", "2", "o", "clock"]
    assert a05.tokenize("정말 좋은 영화였어요! Café") == ["정말", "좋은", "영화였어요", "café"]
    assert a05.tokenize("  ...  ") == []


def test_vocab(a05: ModuleType) -> None:
    corpus = [["e", "b", "d"], ["b", "c", "a", "b"], ["c", "<unk>"]]
    vocab = a05.Vocab(corpus)
    # b:3, c:2, then a, d, e (count 1) alphabetically, not in order of appearance;
    # the corpus token "<unk>" is not added a second time
    assert vocab.itos == ["<pad>", "<unk>", "b", "c", "a", "d", "e"]
    assert vocab.stoi == {t: i for i, t in enumerate(vocab.itos)}
    assert len(vocab) == 7 and vocab.pad_id == 0 and vocab.unk_id == 1
    assert "c" in vocab and "zzz" not in vocab
    assert vocab["d"] == 5 and vocab["zzz"] == 1
    assert vocab.encode(["a", "zzz", "e"]) == [4, 1, 6]
    assert vocab.decode([2, 0, 6]) == ["b", "<pad>", "e"]
    assert vocab.decode(torch.tensor([3, 4])) == ["c", "a"]
    for bad in ([7], [-1]):
        with pytest.raises(IndexError):
            vocab.decode(bad)
    frequent = a05.Vocab(iter(corpus), min_freq=2)  # a generator is fine
    assert frequent.itos == ["<pad>", "<unk>", "b", "c"]
    custom = a05.Vocab(corpus, specials=("<s>", "<pad>"))
    assert custom.itos[:2] == ["<s>", "<pad>"] and custom.pad_id == 1 and "<unk>" in custom  # a corpus token here
    no_specials = a05.Vocab([["x", "y", "x"]], specials=())
    assert no_specials.itos == ["x", "y"]
    with pytest.raises(KeyError):
        no_specials["z"]
    with pytest.raises(KeyError):
        no_specials.encode(["x", "z"])
    with pytest.raises(KeyError):
        _ = no_specials.pad_id
    with pytest.raises(KeyError):
        _ = no_specials.unk_id
    assert no_specials["y"] == 1


def test_text_classification_dataset(a05: ModuleType) -> None:
    vocab = a05.Vocab([a05.tokenize("the cat sat on the mat")])
    calls = []

    def tokenizer(text: str) -> list[str]:
        calls.append(text)
        return a05.tokenize(text)

    ds = a05.TextClassificationDataset(["The cat ran", "", "mat mat"], [2, 0, 1], vocab, tokenizer=tokenizer)
    assert calls == [] and len(ds) == 3
    ids, label = ds[0]
    assert ids.dtype == torch.int64 and ids.shape == (3,) and ids.tolist() == vocab.encode(["the", "cat", "ran"])
    assert label.dtype == torch.int64 and label.shape == () and label.item() == 2
    ids, label = ds[1]
    assert ids.shape == (0,) and ids.dtype == torch.int64 and label.item() == 0
    assert ds[-1][1].item() == 1
    assert calls == ["The cat ran", "", "mat mat"]
    with pytest.raises(ValueError):
        a05.TextClassificationDataset(["a", "b"], [0], vocab)


# ==========================================================================
# a06_samplers


def test_samplers_subclass_only_sampler(a06: ModuleType) -> None:
    torch_samplers = (
        tud.SequentialSampler,
        tud.RandomSampler,
        tud.BatchSampler,
        tud.WeightedRandomSampler,
        tud.DistributedSampler,
    )
    for name in a06.__all__:
        cls = getattr(a06, name)
        assert issubclass(cls, tud.Sampler)
        assert not issubclass(cls, torch_samplers), name


def test_sequential_sampler(a06: ModuleType) -> None:
    for n in (0, 1, 7):
        data = list(range(100, 100 + n))
        assert list(a06.SequentialSampler(data)) == list(tud.SequentialSampler(data))
        assert len(a06.SequentialSampler(data)) == n


def test_random_sampler_matches_torch(a06: ModuleType) -> None:
    for n in (1, 2, 5, 10):
        data = range(n)
        for num_samples in (None, 1, n, 2 * n + 3, 5 * n):
            for seed in (0, 7):
                ours = a06.RandomSampler(data, num_samples=num_samples, generator=_gen(seed))
                theirs = tud.RandomSampler(data, num_samples=num_samples, generator=_gen(seed))
                assert list(ours) == list(theirs), (n, num_samples, seed)
                assert len(ours) == len(theirs)
    # without a generator: one seed drawn from the global RNG per epoch, as torch does
    torch.manual_seed(123)
    ours = [list(a06.RandomSampler(range(9), num_samples=20)) for _ in range(2)]
    torch.manual_seed(123)
    theirs = [list(tud.RandomSampler(range(9), num_samples=20)) for _ in range(2)]
    assert ours == theirs and ours[0] != ours[1]


def test_random_sampler_with_replacement(a06: ModuleType) -> None:
    sampler = a06.RandomSampler(range(4), replacement=True, num_samples=8000, generator=_gen(0))
    draws = list(sampler)
    assert len(draws) == len(sampler) == 8000
    counts = collections.Counter(draws)
    assert set(counts) == {0, 1, 2, 3}
    assert all(1800 < c < 2200 for c in counts.values()), counts
    assert len(a06.RandomSampler(range(5), replacement=True)) == 5


def test_random_sampler_errors(a06: ModuleType) -> None:
    for bad in (0, -3):
        with pytest.raises(ValueError, match="num_samples"):
            a06.RandomSampler(range(5), num_samples=bad)
    with pytest.raises(ValueError):
        a06.RandomSampler([])  # default num_samples = 0
    with pytest.raises(TypeError):
        a06.RandomSampler(range(5), replacement=1)


def test_batch_sampler_matches_torch(a06: ModuleType) -> None:
    for n in (0, 1, 9, 10, 11):
        for batch_size in (1, 3, 5, 10, 12):
            for drop_last in (False, True):
                ours = a06.BatchSampler(a06.SequentialSampler(range(n)), batch_size, drop_last)
                theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), batch_size, drop_last)
                assert list(ours) == list(theirs) and len(ours) == len(theirs), (n, batch_size, drop_last)
    # any iterable works; a random inner sampler gives the same batches as torch's
    ours = a06.BatchSampler(a06.RandomSampler(range(10), generator=_gen(1)), 4, False)
    theirs = tud.BatchSampler(tud.RandomSampler(range(10), generator=_gen(1)), 4, False)
    assert list(ours) == list(theirs)
    assert list(a06.BatchSampler([5, 6, 7], 2, drop_last=False)) == [[5, 6], [7]]


def test_batch_sampler_errors_match_torch(a06: ModuleType) -> None:
    for batch_size, drop_last in ((0, False), (-2, False), (2.0, False), (True, False), (3, 1), (3, None)):
        with pytest.raises(ValueError) as ours:
            a06.BatchSampler(range(5), batch_size, drop_last)
        with pytest.raises(ValueError) as theirs:
            tud.BatchSampler(range(5), batch_size, drop_last)
        assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match=r"batch_size should be a positive integer value, but got batch_size=0"):
        a06.BatchSampler(range(5), 0, False)


def test_class_balanced_sampler_matches_weighted_random_sampler(a06: ModuleType) -> None:
    labels = [0, 0, 0, 0, 1, 2, 2, 0, 1, 0]
    counts = collections.Counter(labels)
    weights = [1.0 / counts[y] for y in labels]
    for num_samples in (None, 3, 50):
        ours = a06.ClassBalancedSampler(labels, num_samples=num_samples, generator=_gen(4))
        k = len(labels) if num_samples is None else num_samples
        theirs = tud.WeightedRandomSampler(weights, k, replacement=True, generator=_gen(4))
        assert list(ours) == list(theirs) and len(ours) == k
    sampler = a06.ClassBalancedSampler(torch.tensor(labels))
    assert sampler.weights.dtype == torch.float64
    assert torch.allclose(sampler.weights, torch.tensor(weights, dtype=torch.float64))
    drawn = list(a06.ClassBalancedSampler(labels, num_samples=6000, generator=_gen(0)))
    per_class = collections.Counter(labels[i] for i in drawn)
    assert all(1800 < c < 2200 for c in per_class.values()), per_class
    with pytest.raises(ValueError):
        a06.ClassBalancedSampler(labels, num_samples=0)


def _padding_overhead(batches: list[list[int]], lengths: list[int]) -> float:
    padded = sum(len(b) * max(lengths[i] for i in b) for b in batches)
    real = sum(lengths[i] for b in batches for i in b)
    return (padded - real) / real


def _long_tailed_lengths(n: int, seed: int = 0) -> list[int]:
    g = _gen(seed)
    return (torch.randn(n, generator=g) * 0.9 + 2.5).exp().ceil().clamp(max=400).long().tolist()


def test_bucket_batch_sampler_coverage_sizes_len(a06: ModuleType) -> None:
    lengths = _long_tailed_lengths(1003)
    for batch_size, bucket_size in ((16, 10), (7, 1), (50, 100), (2000, 3)):
        sampler = a06.BucketBatchSampler(lengths, batch_size, bucket_size=bucket_size, generator=_gen(0))
        batches = list(sampler)
        assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
        sizes = collections.Counter(len(b) for b in batches)
        assert set(sizes) <= {batch_size, len(lengths) % batch_size} and sizes[len(lengths) % batch_size] <= 1
        assert len(sampler) == len(batches) == math.ceil(len(lengths) / batch_size)
        dropped = a06.BucketBatchSampler(
            lengths, batch_size, bucket_size=bucket_size, drop_last=True, generator=_gen(0)
        )
        kept = list(dropped)
        assert all(len(b) == batch_size for b in kept)
        assert len(dropped) == len(kept) == len(lengths) // batch_size
        flat = [i for b in kept for i in b]
        assert len(flat) == len(set(flat))
    assert list(a06.BucketBatchSampler([], 4)) == [] and len(a06.BucketBatchSampler([], 4)) == 0


def test_bucket_batch_sampler_pads_far_less_than_random_batching(a06: ModuleType) -> None:
    lengths = _long_tailed_lengths(4000, seed=1)
    bucketed = list(a06.BucketBatchSampler(lengths, 32, bucket_size=50, generator=_gen(0)))
    random_batches = list(tud.BatchSampler(tud.RandomSampler(lengths, generator=_gen(0)), 32, False))
    ours, baseline = _padding_overhead(bucketed, lengths), _padding_overhead(random_batches, lengths)
    assert baseline > 2.0, baseline  # the length distribution really is long-tailed
    assert ours < 0.1 * baseline, (ours, baseline)


def test_bucket_batch_sampler_randomness(a06: ModuleType) -> None:
    lengths = _long_tailed_lengths(300, seed=2)
    first = a06.BucketBatchSampler(lengths, 8, bucket_size=5, generator=_gen(5))
    second = a06.BucketBatchSampler(lengths, 8, bucket_size=5, generator=_gen(5))
    epochs_first = [list(first) for _ in range(2)]
    epochs_second = [list(second) for _ in range(2)]
    assert epochs_first == epochs_second  # reproducible with a seeded generator
    assert epochs_first[0] != epochs_first[1]  # a new order each epoch
    other_seed = list(a06.BucketBatchSampler(lengths, 8, bucket_size=5, generator=_gen(6)))
    # the batch order is shuffled too: with a single bucket, sorted batches would come shortest first
    one_bucket = list(a06.BucketBatchSampler(lengths, 8, bucket_size=1000, generator=_gen(0)))
    longest = [max(lengths[i] for i in batch) for batch in one_bucket]
    assert longest != sorted(longest)
    assert sorted(longest) == [
        max(lengths[i] for i in b) for b in a06.BucketBatchSampler(lengths, 8, 1000, shuffle=False)
    ]
    assert other_seed != epochs_first[0]
    # no generator: seeded from the global RNG, like RandomSampler
    torch.manual_seed(9)
    a = [list(a06.BucketBatchSampler(lengths, 8)) for _ in range(2)]
    torch.manual_seed(9)
    b = [list(a06.BucketBatchSampler(lengths, 8)) for _ in range(2)]
    assert a == b and a[0] != a[1]
    # shuffle=False: nothing random, buckets in index order, sorted within
    fixed = a06.BucketBatchSampler(lengths, 8, bucket_size=5, shuffle=False)
    state = torch.get_rng_state()
    batches = list(fixed)
    assert torch.equal(state, torch.get_rng_state())
    assert batches == list(fixed)
    expected = []
    for start in range(0, len(lengths), 40):
        bucket = sorted(range(start, min(start + 40, len(lengths))), key=lambda i: lengths[i])
        expected += [bucket[k : k + 8] for k in range(0, len(bucket), 8)]
    assert batches == expected


def test_bucket_batch_sampler_errors(a06: ModuleType) -> None:
    for kwargs in (
        {"batch_size": 0},
        {"batch_size": 2, "bucket_size": 0},
        {"batch_size": 2, "shuffle": 1},
        {"batch_size": 2, "drop_last": "no"},
    ):
        with pytest.raises(ValueError):
            a06.BucketBatchSampler([1, 2, 3], **kwargs)


def test_shard_sampler_matches_distributed_sampler(a06: ModuleType) -> None:
    for n in (1, 2, 7, 10, 13):
        data = list(range(n))
        for num_replicas in (1, 2, 3, 4):
            for shuffle in (False, True):
                for drop_last in (False, True):
                    for seed, epoch in ((0, 0), (0, 3), (5, 1)):
                        shards = []
                        for rank in range(num_replicas):
                            options = {"shuffle": shuffle, "seed": seed, "drop_last": drop_last}
                            ours = a06.ShardSampler(data, num_replicas, rank, **options)
                            theirs = tud.DistributedSampler(data, num_replicas=num_replicas, rank=rank, **options)
                            ours.set_epoch(epoch)
                            theirs.set_epoch(epoch)
                            case = (n, num_replicas, rank, shuffle, drop_last, seed, epoch)
                            assert list(ours) == list(theirs), case
                            assert len(ours) == len(theirs), case
                            shards.append(list(ours))
                        covered = {i for shard in shards for i in shard}
                        if not drop_last:
                            assert covered == set(data)
                        if drop_last or n % num_replicas == 0:
                            flat = [i for shard in shards for i in shard]
                            assert len(flat) == len(set(flat))


def test_shard_sampler_epochs_and_errors(a06: ModuleType) -> None:
    sampler = a06.ShardSampler(range(20), 2, 0)
    epoch0 = list(sampler)
    assert list(sampler) == epoch0  # same epoch, same order
    sampler.set_epoch(1)
    assert list(sampler) != epoch0
    for rank in (-1, 2, 5):
        with pytest.raises(ValueError):
            a06.ShardSampler(range(20), 2, rank)


# ==========================================================================
# a07_collate


def test_pad_collate(a07: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("pad_collate must not call pad_sequence")

    monkeypatch.setattr(torch.nn.utils.rnn, "pad_sequence", forbidden)
    batch = [
        (torch.tensor([4, 5, 6]), 2),
        (torch.tensor([], dtype=torch.int64), torch.tensor(0)),
        (torch.tensor([0, 9]), 1),
    ]
    out = a07.pad_collate(batch)
    assert set(out) == {"input_ids", "attention_mask", "lengths", "labels"}
    assert out["input_ids"].dtype == torch.int64 and out["input_ids"].tolist() == [[4, 5, 6], [0, 0, 0], [0, 9, 0]]
    assert out["attention_mask"].dtype == torch.bool
    assert out["attention_mask"].tolist() == [[True, True, True], [False, False, False], [True, True, False]]
    assert out["lengths"].dtype == torch.int64 and out["lengths"].tolist() == [3, 0, 2]
    assert out["labels"].dtype == torch.int64 and out["labels"].tolist() == [2, 0, 1]
    minus = a07.pad_collate(batch, pad_value=-1)
    assert minus["input_ids"].tolist() == [[4, 5, 6], [-1, -1, -1], [0, 9, -1]]
    empty_rows = a07.pad_collate([(torch.tensor([], dtype=torch.int64), 3)] * 2)
    assert empty_rows["input_ids"].shape == (2, 0) and empty_rows["attention_mask"].shape == (2, 0)
    with pytest.raises(ValueError):
        a07.pad_collate([])


def test_masked_mean(a07: ModuleType) -> None:
    g = _gen(0)
    x = torch.randn(4, 5, 3, generator=g, dtype=torch.float64)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 1, 0, 1, 0]], dtype=torch.bool)
    out = a07.masked_mean(x, mask)
    assert out.shape == (4, 3) and out.dtype == torch.float64
    for b in range(4):
        real = x[b][mask[b]]
        expected = real.mean(0) if len(real) else torch.zeros(3, dtype=torch.float64)
        assert torch.allclose(out[b], expected)
    noisy = x.clone()
    noisy[~mask] = 1e6  # finite padding values must not change the result
    assert torch.allclose(a07.masked_mean(noisy, mask), out)
    assert not torch.isnan(out).any()
    leaf = x.clone().requires_grad_()
    a07.masked_mean(leaf, mask).sum().backward()
    counts = mask.sum(1, keepdim=True).clamp(min=1).to(torch.float64)
    expected_grad = (mask.to(torch.float64) / counts).unsqueeze(-1).expand_as(x)
    assert torch.allclose(leaf.grad, expected_grad)
    assert torch.autograd.gradcheck(lambda t: a07.masked_mean(t, mask), (x[:, :, :2].clone().requires_grad_(),))


def test_pack_collate(a07: ModuleType) -> None:
    seqs = [torch.tensor([1, 2]), torch.tensor([3, 4, 5, 6]), torch.tensor([7])]
    labels = [1, 0, 2]
    packed, out_labels = a07.pack_collate(list(zip(seqs, labels)))
    expected = pack_padded_sequence(
        pad_sequence(seqs, batch_first=True), torch.tensor([2, 4, 1]), batch_first=True, enforce_sorted=False
    )
    assert isinstance(packed, torch.nn.utils.rnn.PackedSequence)
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        assert torch.equal(getattr(packed, field), getattr(expected, field)), field
    assert out_labels.dtype == torch.int64 and out_labels.tolist() == labels
    padded, lengths = pad_packed_sequence(packed, batch_first=True)
    assert lengths.tolist() == [2, 4, 1]
    assert [padded[i, : len(s)].tolist() for i, s in enumerate(seqs)] == [s.tolist() for s in seqs]
    with pytest.raises(ValueError):
        a07.pack_collate([(torch.tensor([1]), 0), (torch.tensor([], dtype=torch.int64), 1)])


def test_collate_dicts_types(a07: ModuleType) -> None:
    samples = [
        {"x": torch.tensor([1.0, 2.0]), "n": 3, "f": 0.5, "ok": True, "text": "a b", "meta": None},
        {"x": torch.tensor([3.0, 4.0]), "n": 4, "f": 2, "ok": False, "text": "c", "meta": {"k": 1}},
    ]
    out = a07.collate_dicts(samples)
    assert list(out) == ["x", "n", "f", "ok", "text", "meta"]
    assert torch.equal(out["x"], torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert out["n"].dtype == torch.int64 and out["n"].tolist() == [3, 4]
    assert out["f"].dtype == torch.float64 and out["f"].tolist() == [0.5, 2.0]
    assert out["ok"].dtype == torch.bool and out["ok"].tolist() == [True, False]
    assert out["text"] == ["a b", "c"] and out["meta"] == [None, {"k": 1}]
    same = [{k: v for k, v in s.items() if k in ("x", "n", "text")} for s in samples]
    reference = default_collate(same)
    mine = a07.collate_dicts(same)
    assert torch.equal(mine["x"], reference["x"]) and torch.equal(mine["n"], reference["n"])
    assert mine["text"] == reference["text"]
    floats = a07.collate_dicts([{"f": 1.5}, {"f": 2.5}])
    assert torch.equal(floats["f"], default_collate([{"f": 1.5}, {"f": 2.5}])["f"])


def test_collate_dicts_errors(a07: ModuleType) -> None:
    with pytest.raises(ValueError):
        a07.collate_dicts([])
    with pytest.raises(ValueError) as info:
        a07.collate_dicts([{"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 3}])
    assert "'b'" in str(info.value) and "2" in str(info.value)
    with pytest.raises(ValueError) as info:
        a07.collate_dicts([{"a": 1}, {"a": 1, "extra": 2}])
    assert "'extra'" in str(info.value) and "1" in str(info.value)
    with pytest.raises(ValueError) as info:
        a07.collate_dicts([{"t": torch.zeros(2, 3)}, {"t": torch.zeros(3)}])
    message = str(info.value)
    assert "'t'" in message and "(2, 3)" in message and "(3,)" in message


# ==========================================================================
# a08_parallel


@pytest.fixture()
def lines_file(tmp_path: Path) -> Path:
    lines = [f"line {i} " + "word " * (i % 4) for i in range(23)] + ["", "last without newline"]
    return _write(tmp_path / "lines.txt", "\n".join(lines))


def _file_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def test_sharded_line_dataset_main_process_and_laziness(a08: ModuleType, lines_file: Path) -> None:
    with count_opens(lines_file.parent) as opened:
        ds = a08.ShardedLineDataset(lines_file)
    assert opened == []
    expected = _file_lines(lines_file)
    with count_opens(lines_file.parent) as opened:
        assert list(ds) == expected
    assert len(opened) == 1
    upper = a08.ShardedLineDataset(lines_file, transform=str.upper)
    assert list(upper) == [s.upper() for s in expected]
    missing = a08.ShardedLineDataset(lines_file.parent / "missing.txt")  # nothing opened yet
    with pytest.raises(FileNotFoundError):
        list(missing)


def test_sharded_line_dataset_shards_by_line_index(
    a08: ModuleType, lines_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = _file_lines(lines_file)
    for worker_id in range(3):
        info = SimpleNamespace(id=worker_id, num_workers=3, dataset=None)
        monkeypatch.setattr(a08, "get_worker_info", lambda info=info: info)
        assert list(a08.ShardedLineDataset(lines_file)) == lines[worker_id::3]


def test_sharded_line_dataset_with_two_workers(a08: ModuleType, lines_file: Path) -> None:
    loader = a08.make_loader(a08.ShardedLineDataset(lines_file), batch_size=4, num_workers=2)
    for _ in range(2):  # two epochs with persistent workers
        produced = [line for batch in loader for line in batch]
        assert collections.Counter(produced) == collections.Counter(_file_lines(lines_file))
    del loader


class _Squares(tud.Dataset):
    """A deterministic map-style dataset (module level: picklable)."""

    def __len__(self) -> int:
        return 23

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor([index, index * index])


def _epoch(loader: DataLoader) -> list[list[list[int]]]:
    return [batch.tolist() for batch in loader]


def test_make_loader_configuration(a08: ModuleType) -> None:
    def collate(batch: list[Any]) -> list[Any]:
        return batch

    loader = a08.make_loader(
        _Squares(), 5, shuffle=True, num_workers=0, seed=4, collate_fn=collate, drop_last=True
    )
    assert isinstance(loader, DataLoader)
    assert loader.batch_size == 5 and loader.drop_last and loader.collate_fn is collate
    assert loader.worker_init_fn is a08.seed_worker and loader.num_workers == 0 and not loader.persistent_workers
    assert isinstance(loader.sampler, tud.RandomSampler) and loader.generator is not None
    assert torch.equal(loader.generator.get_state(), _gen(4).get_state())
    assert len(list(loader)) == 4
    workers = a08.make_loader(_Squares(), 5, num_workers=2)
    assert workers.persistent_workers and workers.num_workers == 2
    assert isinstance(workers.sampler, tud.SequentialSampler)


def test_make_loader_reproducible_and_independent_of_workers(a08: ModuleType) -> None:
    first = _epoch(a08.make_loader(_Squares(), 4, shuffle=True, seed=7))
    assert _epoch(a08.make_loader(_Squares(), 4, shuffle=True, seed=7)) == first
    assert _epoch(a08.make_loader(_Squares(), 4, shuffle=True, seed=8)) != first
    torch.manual_seed(0)
    with_workers = a08.make_loader(_Squares(), 4, shuffle=True, seed=7, num_workers=2)
    torch.manual_seed(1)  # the global RNG does not matter
    assert _epoch(with_workers) == first
    assert _epoch(with_workers) != first  # the next epoch is reshuffled
    del with_workers
    assert sorted(row for batch in first for row in batch) == [[i, i * i] for i in range(23)]


def test_noisy_dataset_in_main_process(a08: ModuleType) -> None:
    values = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    ds = a08.NoisyDataset(values, noise_std=0.5, seed=3)
    assert isinstance(ds.rng, np.random.Generator) and len(ds) == 3
    rng = np.random.default_rng(3)
    for i in (0, 2, 2, 1):
        item = ds[i]
        assert item.dtype == torch.float32 and item.shape == ()
        assert item.item() == pytest.approx(values[i].item() + 0.5 * rng.standard_normal(), abs=1e-6)
    first_noise = 0.1 * np.random.default_rng(0).standard_normal()  # the defaults: noise_std=0.1, seed=0
    assert a08.NoisyDataset(torch.zeros(4))[0].item() == pytest.approx(first_noise, abs=1e-6)


def test_seed_worker_in_main_process(a08: ModuleType) -> None:
    py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        torch.manual_seed(2**32 + 5)
        a08.seed_worker(0)
        assert random.random() == random.Random(5).random()
        assert np.random.rand() == np.random.RandomState(5).rand()
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)


def test_noisy_dataset_with_two_workers(a08: ModuleType) -> None:
    def epoch(seed: int) -> tuple[list[list[float]], list[list[float]]]:
        loader = a08.make_loader(a08.NoisyDataset(torch.zeros(8), noise_std=1.0), 2, num_workers=2, seed=seed)
        return [b.tolist() for b in loader], [b.tolist() for b in loader]

    first, second = epoch(1)
    assert first[0] != first[1] and first[2] != first[3], "both workers drew the same noise"
    # worker k's rng is default_rng((base_seed + k) % 2**32), base_seed drawn from the loader's generator
    base_seed = int(torch.empty((), dtype=torch.int64).random_(generator=_gen(1)).item())
    expected = []
    rngs = [np.random.default_rng((base_seed + k) % 2**32) for k in range(2)]
    for batch in range(4):  # round robin: worker 0 loads batches 0 and 2, worker 1 batches 1 and 3
        rng = rngs[batch % 2]
        expected.append([rng.standard_normal(), rng.standard_normal()])
    assert np.allclose(first, expected, atol=1e-6)
    assert epoch(1) == (first, second)  # reproducible from the seed
    assert second != first  # persistent workers keep drawing new noise
    assert epoch(2)[0] != first


def test_a08_objects_are_picklable(a08: ModuleType, lines_file: Path) -> None:
    for obj in (a08.ShardedLineDataset(lines_file), a08.NoisyDataset(torch.zeros(3)), a08.seed_worker):
        pickle.loads(pickle.dumps(obj))
    noisy = pickle.loads(pickle.dumps(a08.NoisyDataset(torch.zeros(3), seed=5)))
    assert noisy[0].item() == pytest.approx(0.1 * np.random.default_rng(5).standard_normal(), abs=1e-6)


# ==========================================================================
# a09_capstone


def _synthetic_corpus(n: int, seed: int) -> tuple[list[str], list[int]]:
    """Texts of 4 classes: 2-4 words from the class's own keywords among 4-10 shared filler words."""
    rng = random.Random(seed)
    keywords = {
        0: "apple banana cherry grape lemon mango peach plum".split(),
        1: "football tennis soccer hockey rugby cricket golf boxing".split(),
        2: "python compiler kernel server database network linux python3".split(),
        3: "violin piano guitar drums trumpet cello flute harp".split(),
    }
    filler = (
        "the a an of to in on at for with and but or is was are were this that it very really quite "
        "today yesterday we they you people some many often always never maybe".split()
    )
    texts, labels = [], []
    for _ in range(n):
        label = rng.randrange(4)
        words = rng.choices(keywords[label], k=rng.randint(2, 4)) + rng.choices(filler, k=rng.randint(4, 10))
        rng.shuffle(words)
        text = " ".join(words)
        texts.append(text[0].upper() + text[1:] + rng.choice([".", "!", "?"]))
        labels.append(label)
    return texts, labels


@pytest.fixture()
def one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def test_text_classifier_structure(a09: ModuleType) -> None:
    a01 = _import("a01_modules")
    torch.manual_seed(0)
    model = a09.TextClassifier(vocab_size=20, embed_dim=6, num_classes=3, pad_id=1)
    assert isinstance(model.embedding, torch.nn.Embedding) and model.embedding.padding_idx == 1
    assert model.embedding.weight.shape == (20, 6)
    assert isinstance(model.classifier, a01.Linear) and model.classifier.weight.shape == (3, 6)
    ids = torch.tensor([[3, 4, 1, 1], [5, 1, 1, 1], [1, 1, 1, 1]])
    logits = model(ids)
    assert logits.shape == (3, 3) and logits.dtype == torch.float32
    assert torch.allclose(logits, model(ids, ids != 1))
    assert torch.allclose(logits[0], model(ids[:1, :2])[0])  # padding changes nothing
    assert torch.allclose(logits[2], model.classifier(torch.zeros(6)))  # all padding: a zero mean
    mask = torch.tensor([[True, False, False, False]] * 3)
    assert torch.allclose(model(ids, mask), model(ids[:, :1], mask[:, :1]))


def test_train_text_classifier_learns_and_is_reproducible(a09: ModuleType, one_thread: None) -> None:
    train_texts, train_labels = _synthetic_corpus(600, seed=1)
    val_texts, val_labels = _synthetic_corpus(200, seed=2)
    torch.manual_seed(0)
    state = torch.get_rng_state()
    start = time.perf_counter()
    model, vocab, history = a09.train_text_classifier(train_texts, train_labels, val_texts, val_labels)
    elapsed = time.perf_counter() - start
    assert torch.equal(torch.get_rng_state(), state), "the global RNG state changed"
    assert elapsed < 10, f"training took {elapsed:.1f} s"
    assert isinstance(model, a09.TextClassifier) and isinstance(vocab, _import("a05_datasets").Vocab)
    assert vocab.pad_id == 0 and model.embedding.num_embeddings == len(vocab)
    assert model.classifier.weight.shape == (4, 32)
    assert [h["epoch"] for h in history] == [1, 2, 3, 4, 5]
    for h in history:
        assert set(h) == {"epoch", "train_loss", "val_loss", "val_accuracy"}
        assert all(isinstance(h[k], float) for k in ("train_loss", "val_loss", "val_accuracy"))
    assert history[-1]["val_accuracy"] >= 0.95, history
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    torch.manual_seed(12345)  # another global RNG state: the same history
    random.seed(1)
    np.random.seed(1)
    _, _, again = a09.train_text_classifier(train_texts, train_labels, val_texts, val_labels)
    assert again == history
    _, _, other = a09.train_text_classifier(train_texts, train_labels, val_texts, val_labels, seed=1, epochs=2)
    assert other != history[:2]


def test_train_text_classifier_options(a09: ModuleType, one_thread: None) -> None:
    texts = ["red apple", "green apple", "fast car", "slow car", "red car", "blue sky"]
    labels = [0, 0, 1, 1, 1, 0]
    model, vocab, history = a09.train_text_classifier(
        texts, labels, ["apple sky", "car zebra"], [0, 4], epochs=3, batch_size=2, embed_dim=5, lr=0.1, seed=3
    )
    assert len(history) == 3 and model.embedding.embedding_dim == 5
    assert model.classifier.weight.shape == (5, 5)  # num_classes = max label over train and val + 1
    assert "zebra" not in vocab and "apple" in vocab  # the vocabulary comes from the training texts
    with pytest.raises(ValueError):
        a09.train_text_classifier(texts, labels[:-1], texts, labels, epochs=1)
