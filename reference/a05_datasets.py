"""Assignment a05: Dataset and transforms (lecture 5).

What this assignment teaches
----------------------------
A map-style :class:`torch.utils.data.Dataset` is any object with ``__len__``
(how many samples) and ``__getitem__`` (sample ``i``). The DataLoader only
ever asks for one index at a time, so a dataset can keep everything in memory
(:class:`CSVDataset`) or read each sample from disk when it is asked for
(:class:`TextFolderDataset`: *lazy loading*). Transforms are plain callables
applied to a sample in ``__getitem__``, so random augmentations are drawn
anew every time a sample is read. Text needs one more step before it becomes
a tensor: tokens, then a vocabulary that maps tokens to integer ids.

Tasks
-----
Task 1: ``CSVDataset`` -- parse a CSV file into feature and target tensors.
Task 2: ``TextFolderDataset`` -- a class-per-folder text corpus, read lazily.
Task 3: ``Compose``, ``ToTensor``, ``Normalize``, ``RandomHorizontalFlip`` -- transforms.
Task 4: ``tokenize`` and ``Vocab`` -- from text to token ids.
Task 5: ``TextClassificationDataset`` -- texts and labels as id tensors.

Grading
-------
Run ``pytest graders/ -m a05`` from the repository root.

Try it on the example data
--------------------------
From the ``assignments/`` folder (``python tools/make_example_data.py``
recreates ``data/``)::

    python -c "from a05_datasets import CSVDataset; ds = CSVDataset('../data/iris_like.csv', target='species', features=['sepal_length', 'sepal_width', 'petal_length', 'petal_width']); print(len(ds), ds[0], ds[4])"
    python -c "from a05_datasets import CSVDataset; CSVDataset('../data/iris_like.csv', target='species')"
    python -c "from a05_datasets import TextFolderDataset; ds = TextFolderDataset('../data/reviews'); print(ds.classes, len(ds), ds[-1])"
    python -c "from a05_datasets import TextFolderDataset, Vocab, tokenize; ds = TextFolderDataset('../data/reviews', transform=tokenize); vocab = Vocab(ds[i][0] for i in range(len(ds))); print(len(vocab), vocab.itos[:12])"

The second command must fail with a ValueError that names the text column
``note``: by default every column except the target is a feature.
"""

from __future__ import annotations

import csv
import math
import operator
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

__all__ = [
    "CSVDataset",
    "Compose",
    "Normalize",
    "RandomHorizontalFlip",
    "TextClassificationDataset",
    "TextFolderDataset",
    "ToTensor",
    "Vocab",
    "tokenize",
]


class CSVDataset(Dataset):
    r"""The rows of a CSV file as ``(features, target)`` tensors.

    ``__init__`` reads the whole file once with the :mod:`csv` module
    (``newline=""``, UTF-8). The first line is the header (the column names);
    line numbers in error messages count the header as line 1. Only the
    ``target`` column and the selected ``features`` columns are parsed, so
    other columns may hold text. A cell is parsed with ``float(cell)``; an
    empty (or all-blank) cell becomes ``nan``.

    The target column is int64 when ``int(cell)`` succeeds for *every* target
    cell, otherwise float32: one ``"3.0"`` or one empty target cell makes the
    whole column float (empty -> ``nan``).

    Item ``i`` is ``(x, y)``: ``x`` a float32 tensor of shape
    ``(len(features),)`` and ``y`` a 0-d tensor (int64 or float32, see
    above). ``transform(x)`` and ``target_transform(y)`` are applied in
    :meth:`__getitem__`, never in ``__init__`` (a random transform must be
    drawn anew on every access).

    Args:
        path (str or os.PathLike): the CSV file.
        target (str): name of the target column.
        features (sequence of str, optional): names of the feature columns, in
            the order they appear in ``x``. Default: every column except
            ``target``, in file order.
        transform (callable, optional): applied to ``x`` on access.
        target_transform (callable, optional): applied to ``y`` on access.

    Attributes:
        target (str): the target column name.
        features (list[str]): the feature column names, in ``x`` order.
        data (Tensor): float32, shape ``(N, len(features))``.
        targets (Tensor): shape ``(N,)``, int64 or float32.

    Raises:
        TypeError: ``features`` is a single string instead of a sequence of
            names.
        ValueError: from ``__init__`` for an empty file (no header); for a
            ``target`` or feature column that is not in the header (the
            message names the column and lists the available columns); for
            a row whose number of fields differs from the header's (the
            message names the line); for a cell of a parsed column that is
            not a number (the message names the column and the line).

    Example:
        >>> ds = CSVDataset("../data/iris_like.csv", target="species",
        ...                 features=["sepal_length", "petal_length"])
        >>> len(ds)
        60
        >>> ds[0]
        (tensor([5.0000, 1.1000]), tensor(0))
        >>> ds[-1][0].shape, ds.targets.dtype
        (torch.Size([2]), torch.int64)
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        target: str,
        features: Sequence[str] | None = None,
        transform: Callable[[Tensor], Any] | None = None,
        target_transform: Callable[[Tensor], Any] | None = None,
    ) -> None:
        """Read and parse the file; see the class docstring."""
        self.path = path
        self.target = target
        self.transform = transform
        self.target_transform = target_transform
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header is None:
                raise ValueError(f"{path} is empty: expected a header line with the column names")
            if target not in header:
                raise ValueError(
                    f"target column {target!r} is not in {path}; available columns: {header}"
                )
            if features is None:
                features = [name for name in header if name != target]
            elif isinstance(features, str):
                raise TypeError(
                    "features should be a sequence of column names, but got the string "
                    f"{features!r}"
                )
            for name in features:
                if name not in header:
                    raise ValueError(
                        f"feature column {name!r} is not in {path}; available columns: {header}"
                    )
            self.features = list(features)
            feature_cols = [header.index(name) for name in self.features]
            target_col = header.index(target)

            rows: list[list[float]] = []
            target_cells: list[tuple[str, int]] = []
            for row in reader:
                if not row:  # a blank line
                    continue
                line = reader.line_num
                if len(row) != len(header):
                    raise ValueError(
                        f"{path}, line {line}: expected {len(header)} fields like the header, "
                        f"got {len(row)}"
                    )
                values = []
                for name, col in zip(self.features, feature_cols):
                    cell = row[col].strip()
                    try:
                        values.append(float(cell) if cell else math.nan)
                    except ValueError:
                        raise ValueError(
                            f"column {name!r}, line {line}: cannot parse {row[col]!r} as a number"
                        ) from None
                rows.append(values)
                target_cells.append((row[target_col].strip(), line))

        self.data = torch.tensor(rows, dtype=torch.float32).reshape(len(rows), len(self.features))
        try:
            self.targets = torch.tensor([int(cell) for cell, _ in target_cells], dtype=torch.int64)
        except ValueError:
            targets = []
            for cell, line in target_cells:
                try:
                    targets.append(float(cell) if cell else math.nan)
                except ValueError:
                    raise ValueError(
                        f"column {target!r}, line {line}: cannot parse {cell!r} as a number"
                    ) from None
            self.targets = torch.tensor(targets, dtype=torch.float32)

    def __len__(self) -> int:
        """Return the number of data rows (the header is not a row)."""
        return self.data.shape[0]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Return row ``index`` as ``(x, y)``, transformed if asked.

        Args:
            index (int): a row index; negative indices count from the end.

        Returns:
            ``(x, y)``: float32 ``(len(features),)`` and a 0-d int64 or float32
            tensor (before the transforms). They are new tensors: changing
            them in place does not change the dataset.

        Raises:
            IndexError: ``index`` outside ``[-len(self), len(self))``.
        """
        index = operator.index(index)
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for a dataset of {n} rows")
        x = self.data[index].clone()
        y = self.targets[index].clone()
        if self.transform is not None:
            x = self.transform(x)
        if self.target_transform is not None:
            y = self.target_transform(y)
        return x, y


class TextFolderDataset(Dataset):
    r"""A text corpus stored as ``root/<class_name>/*.txt``, read lazily.

    ``__init__`` only *lists* the files; it reads none of them. A file is read
    (as UTF-8) in :meth:`__getitem__`, when the sample is asked for, so a
    corpus larger than memory works and a DataLoader's workers share the
    reading.

    Args:
        root (str or os.PathLike): the corpus folder.
        transform (callable, optional): applied to the text on access
            (for example :func:`tokenize`).

    Attributes:
        classes (list[str]): the sorted names of *all* sub-directories of
            ``root`` (empty ones too).
        class_to_idx (dict[str, int]): ``classes[i] -> i``.
        samples (list[tuple[str, int]]): ``(path, class_index)`` for every
            ``.txt`` file directly inside a class folder, sorted by class,
            then by file name. ``path`` is ``str(Path(root) / class_name / file_name)``.

    Raises:
        FileNotFoundError: ``root`` does not exist or is not a directory.
        ValueError: no class folder holds a ``.txt`` file.

    Example:
        >>> ds = TextFolderDataset("../data/reviews")
        >>> ds.classes, ds.class_to_idx["positive"], len(ds)
        (['negative', 'neutral', 'positive'], 2, 24)
        >>> ds[0]
        ('Terrible film. The plot was boring and the acting was awful.\n', 0)
    """

    def __init__(
        self, root: str | os.PathLike[str], transform: Callable[[str], Any] | None = None
    ) -> None:
        """List the class folders and their ``.txt`` files; see the class docstring."""
        root_path = Path(root)
        if not root_path.is_dir():
            raise FileNotFoundError(
                f"dataset root {str(root)!r} does not exist or is not a directory"
            )
        self.root = root
        self.transform = transform
        self.classes = sorted(entry.name for entry in os.scandir(root_path) if entry.is_dir())
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
        self.samples = []
        for name in self.classes:
            folder = root_path / name
            files = sorted(
                entry.name
                for entry in os.scandir(folder)
                if entry.name.endswith(".txt") and entry.is_file()
            )
            self.samples.extend((str(folder / file), self.class_to_idx[name]) for file in files)
        if not self.samples:
            raise ValueError(
                f"no class folder of {str(root)!r} holds a .txt file (classes found: "
                f"{self.classes})"
            )

    def __len__(self) -> int:
        """Return the number of ``.txt`` files."""
        return len(self.samples)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        """Read sample ``index``.

        Args:
            index (int): a sample index; negative indices count from the end.

        Returns:
            ``(text, class_index)``, where ``text`` is the file's content
            (UTF-8), passed through ``transform`` if there is one.

        Raises:
            IndexError: ``index`` out of range.
        """
        path, class_index = self.samples[index]
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if self.transform is not None:
            text = self.transform(text)
        return text, class_index


class Compose:
    r"""Chain transforms: ``Compose([f, g])(x) == g(f(x))``.

    Args:
        transforms (sequence of callables): applied in order.

    Example:
        >>> Compose([lambda v: v + 1, lambda v: v * 10])(1)
        20
    """

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        """Keep the transforms (as a list)."""
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        """Apply every transform in order and return the result."""
        for transform in self.transforms:
            x = transform(x)
        return x


class ToTensor:
    r"""Turn an image given as a numpy array into a float32 ``(C, H, W)`` tensor.

    An ``(H, W, C)`` array becomes ``(C, H, W)``; an ``(H, W)`` (grayscale)
    array becomes ``(1, H, W)``. uint8 values are divided by 255 (to
    ``[0, 1]``); other dtypes are converted to float32 without scaling. The
    result does not share memory with the array.

    Example:
        >>> img = np.full((2, 3, 3), 255, dtype=np.uint8)
        >>> t = ToTensor()(img)
        >>> t.shape, t.dtype, t.max().item()
        (torch.Size([3, 2, 3]), torch.float32, 1.0)
    """

    def __call__(self, pic: np.ndarray) -> Tensor:
        """Convert ``pic``.

        Args:
            pic (numpy.ndarray): shape ``(H, W, C)`` or ``(H, W)``.

        Returns:
            Tensor: float32, shape ``(C, H, W)`` (``C = 1`` for a 2-D array).

        Raises:
            TypeError: ``pic`` is not a numpy array.
            ValueError: ``pic`` is not 2-D or 3-D.
        """
        if not isinstance(pic, np.ndarray):
            raise TypeError(f"pic should be a numpy.ndarray, but got {type(pic).__name__}")
        if pic.ndim not in (2, 3):
            raise ValueError(
                f"pic should have shape (H, W, C) or (H, W), but got shape {pic.shape}"
            )
        if pic.ndim == 2:
            pic = pic[:, :, None]
        tensor = torch.tensor(pic.transpose(2, 0, 1))
        if pic.dtype == np.uint8:
            return tensor.to(torch.float32).div(255)
        return tensor.to(torch.float32)


class Normalize:
    r"""Normalize a ``(C, H, W)`` float tensor per channel: ``(x[c] - mean[c]) / std[c]``.

    Args:
        mean (sequence of float): one mean per channel.
        std (sequence of float): one standard deviation per channel.

    Raises:
        ValueError: from the constructor when a ``std`` value is zero.

    Example:
        >>> x = torch.ones(2, 1, 2)
        >>> Normalize(mean=[0.5, 1.0], std=[0.5, 2.0])(x).flatten().tolist()
        [1.0, 1.0, 0.0, 0.0]
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float]) -> None:
        """Keep ``mean`` and ``std`` as lists of floats; ValueError for a zero std."""
        self.mean = [float(m) for m in mean]
        self.std = [float(s) for s in std]
        if any(s == 0 for s in self.std):
            raise ValueError(
                f"std should not contain a zero (division by zero), but got std={self.std}"
            )

    def __call__(self, x: Tensor) -> Tensor:
        """Return a new normalized tensor; ``x`` itself is not changed.

        Args:
            x (Tensor): floating point, shape ``(C, H, W)``.

        Returns:
            Tensor: same shape and dtype as ``x``.

        Raises:
            TypeError: ``x`` is not a floating point tensor.
            ValueError: ``x`` is not 3-D, or ``len(mean)`` or ``len(std)``
                differs from ``C``.
        """
        if not isinstance(x, Tensor) or not x.is_floating_point():
            raise TypeError(f"x should be a floating point tensor, but got {type(x).__name__}")
        if x.dim() != 3:
            raise ValueError(f"x should have shape (C, H, W), but got shape {tuple(x.shape)}")
        channels = x.shape[0]
        if len(self.mean) != channels or len(self.std) != channels:
            raise ValueError(
                f"x has {channels} channels, but got {len(self.mean)} means "
                f"and {len(self.std)} stds"
            )
        mean = torch.tensor(self.mean, dtype=x.dtype, device=x.device).view(-1, 1, 1)
        std = torch.tensor(self.std, dtype=x.dtype, device=x.device).view(-1, 1, 1)
        return (x - mean) / std


class RandomHorizontalFlip:
    r"""Flip an image left-right (its last dimension) with probability ``p``.

    Every call draws exactly one number ``torch.rand(1, generator=generator)``
    and flips when it is ``< p``; so ``p=0`` never flips, ``p=1`` always
    flips, and a seeded generator makes the flips reproducible.

    Args:
        p (float): flip probability, in ``[0, 1]``. Default: ``0.5``.
        generator (torch.Generator, optional): the source of the random
            numbers (default: torch's global generator).

    Raises:
        ValueError: ``p`` outside ``[0, 1]``.

    Example:
        >>> RandomHorizontalFlip(p=1.0)(torch.tensor([[1, 2, 3]]))
        tensor([[3, 2, 1]])
    """

    def __init__(self, p: float = 0.5, generator: torch.Generator | None = None) -> None:
        """Keep ``p`` and ``generator``; ValueError for ``p`` outside ``[0, 1]``."""
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p should be a probability in [0, 1], but got p={p}")
        self.p = p
        self.generator = generator

    def __call__(self, x: Tensor | np.ndarray) -> Tensor | np.ndarray:
        """Return ``x`` flipped along its last dimension (a new array/tensor), or ``x`` itself.

        Args:
            x (Tensor or numpy.ndarray): an image, ``(C, H, W)`` or ``(H, W)``
                (any shape: the last dimension is flipped).
        """
        if torch.rand(1, generator=self.generator).item() < self.p:
            if isinstance(x, np.ndarray):
                return np.flip(x, axis=-1).copy()
            return x.flip(-1)
        return x


def tokenize(text: str) -> list[str]:
    r"""Split ``text`` into lowercase word tokens: ``re.findall(r"\w+", text.lower())``.

    ``\w`` is Unicode-aware, so accented and Korean words are tokens too;
    punctuation and whitespace are dropped.

    Example:
        >>> tokenize("Hello, World! 안녕 세상")
        ['hello', 'world', '안녕', '세상']
    """
    return re.findall(r"\w+", text.lower())


class Vocab:
    r"""A token <-> id mapping built from a corpus.

    ``itos`` (id to string) holds the ``specials`` first, in the given order,
    then every corpus token counted at least ``min_freq`` times, sorted by
    descending count, ties alphabetically. A corpus token equal to a special
    is not added a second time. ``stoi`` is the inverse mapping.

    Args:
        token_lists (iterable of sequences of str): the tokenized corpus, one
            token sequence per text (may be a generator: it is read once).
        min_freq (int): the least count a token needs. Default: ``1``.
        specials (sequence of str): special tokens placed first. Default:
            ``("<pad>", "<unk>")``, so ``pad_id == 0`` and ``unk_id == 1``.

    Attributes:
        itos (list[str]): id -> token.
        stoi (dict[str, int]): token -> id.

    Raises:
        TypeError: an element of ``token_lists`` is a single string (tokenize
            the texts first).
        ValueError: ``min_freq < 1`` or a repeated special.

    Example:
        >>> vocab = Vocab([["b", "a", "b"], ["c", "a", "b"]], min_freq=2)
        >>> vocab.itos
        ['<pad>', '<unk>', 'b', 'a']
        >>> vocab["a"], vocab["zzz"], vocab.encode(["b", "c"])
        (3, 1, [2, 1])
        >>> vocab.decode([2, 3, 0])
        ['b', 'a', '<pad>']
    """

    def __init__(
        self,
        token_lists: Iterable[Sequence[str]],
        min_freq: int = 1,
        specials: Sequence[str] = ("<pad>", "<unk>"),
    ) -> None:
        """Count the tokens and build ``itos``/``stoi``; see the class docstring."""
        if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 1:
            raise ValueError(
                f"min_freq should be a positive integer value, but got min_freq={min_freq}"
            )
        specials = list(specials)
        if len(set(specials)) != len(specials):
            raise ValueError(f"specials should be distinct, but got specials={specials}")
        counts: Counter[str] = Counter()
        for i, tokens in enumerate(token_lists):
            if isinstance(tokens, str):
                raise TypeError(
                    f"token_lists should hold token sequences, but element {i} is the string "
                    f"{tokens[:30]!r}"
                    " (tokenize the texts first)"
                )
            counts.update(tokens)
        special_set = set(specials)
        tokens = sorted(
            (t for t, count in counts.items() if count >= min_freq and t not in special_set),
            key=lambda token: (-counts[token], token),
        )
        self.itos = specials + tokens
        self.stoi = {token: i for i, token in enumerate(self.itos)}

    def __len__(self) -> int:
        """Return the number of tokens, specials included."""
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        """Return whether ``token`` has its own id (an unknown token is not "in" the vocabulary)."""
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        """Return the id of ``token``; an unknown token gets the id of ``"<unk>"``.

        Raises:
            KeyError: ``token`` is unknown and there is no ``"<unk>"`` special.
        """
        index = self.stoi.get(token)
        if index is not None:
            return index
        if "<unk>" not in self.stoi:
            raise KeyError(
                f"token {token!r} is not in the vocabulary and there is no '<unk>' special"
            )
        return self.stoi["<unk>"]

    def encode(self, tokens: Iterable[str]) -> list[int]:
        """Return ``[self[token] for token in tokens]`` (same errors as :meth:`__getitem__`)."""
        return [self[token] for token in tokens]

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Return the tokens of ``ids`` (ints, or a 1-D integer tensor).

        Raises:
            IndexError: an id outside ``[0, len(self))`` (negative ids too).
        """
        tokens = []
        for i in ids:
            i = operator.index(i)
            if not 0 <= i < len(self.itos):
                raise IndexError(
                    f"id {i} is out of range for a vocabulary of {len(self.itos)} tokens"
                )
            tokens.append(self.itos[i])
        return tokens

    @property
    def pad_id(self) -> int:
        """The id of ``"<pad>"``; KeyError when there is no such special."""
        if "<pad>" not in self.stoi:
            raise KeyError("this vocabulary has no '<pad>' special")
        return self.stoi["<pad>"]

    @property
    def unk_id(self) -> int:
        """The id of ``"<unk>"``; KeyError when there is no such special."""
        if "<unk>" not in self.stoi:
            raise KeyError("this vocabulary has no '<unk>' special")
        return self.stoi["<unk>"]


class TextClassificationDataset(Dataset):
    r"""Texts with integer labels, encoded to token ids when a sample is read.

    Item ``i`` is ``(ids, label)``: ``ids`` the int64 1-D tensor
    ``vocab.encode(tokenizer(texts[i]))`` (length 0 for a text without
    tokens) and ``label`` the int64 0-d tensor ``labels[i]``. Encoding happens
    in :meth:`__getitem__`, not in ``__init__``.

    Args:
        texts (sequence of str): the texts.
        labels (sequence of int): one class index per text.
        vocab (Vocab): maps tokens to ids.
        tokenizer (callable): ``str -> list[str]``. Default: :func:`tokenize`.

    Raises:
        ValueError: ``texts`` and ``labels`` have different lengths.

    Example:
        >>> vocab = Vocab([tokenize("a b b")])
        >>> ds = TextClassificationDataset(["b a c", ""], [1, 0], vocab)
        >>> ds[0]
        (tensor([2, 3, 1]), tensor(1))
        >>> ds[1][0].shape, ds[1][0].dtype
        (torch.Size([0]), torch.int64)
    """

    def __init__(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        vocab: Vocab,
        tokenizer: Callable[[str], list[str]] = tokenize,
    ) -> None:
        """Keep the texts, labels, vocab and tokenizer; ValueError for different lengths."""
        if len(texts) != len(labels):
            raise ValueError(
                f"texts and labels should have the same length, but got {len(texts)} and "
                f"{len(labels)}"
            )
        self.texts = texts
        self.labels = labels
        self.vocab = vocab
        self.tokenizer = tokenizer

    def __len__(self) -> int:
        """Return the number of texts."""
        return len(self.texts)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        """Return ``(ids, label)`` for text ``index``: int64 ``(L,)`` and int64 0-d tensors.

        Raises:
            IndexError: ``index`` out of range.
        """
        ids = self.vocab.encode(self.tokenizer(self.texts[index]))
        label = torch.tensor(int(self.labels[index]), dtype=torch.int64)
        return torch.tensor(ids, dtype=torch.int64), label
