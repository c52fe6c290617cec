"""Grader of a05_datasets: CSVDataset, TextFolderDataset, transforms, tokenize, Vocab, TextClassificationDataset.

Every probe writes its own small test data (CSV files, a class-per-folder
corpus) into a fresh temporary directory, works inside it (short relative
paths, so even the student's own error messages read the same in every run)
and removes it before returning; the repository's data/ folder is never
read. Paths never appear in an observation: sample paths are recorded
relative to the corpus root, and exception messages are recorded with the
temporary directory replaced by ``<tmp>`` (it differs between the student's
and the reference's run). Exception checks record the exception's type (a
subclass of the reference's passes) and whether its message names what
the docstring says it must name (the column, the available columns, the line
number).

Laziness is observed, not assumed: transforms and tokenizers are counting
callables (how often they ran during ``__init__`` and during each access), and
:func:`graders.engine.audit.count_opens` lists the files opened under the
corpus root while ``TextFolderDataset.__init__`` and each ``__getitem__`` run.

Checks are independent of the other tasks: the CSV and folder datasets get
plain callables as transforms, ``Compose`` composes lambdas,
``TextClassificationDataset`` gets a stand-in vocabulary (:class:`StubVocab`)
and an explicit tokenizer, so a student who wrote task 5 but not task 4
still gets task 5's points.

One mistake, one diagnosis: within a task, checks are isolated too. The
transform checks are metamorphic: the items of a dataset built with
transforms are compared with the student's *own* untransformed items passed
through the same callables (:func:`agreement`), so a mistake in reading the
file fails only the reading check. ``csv_items`` records the target by value
only (its dtype and 0-d shape are ``csv_targets``' concern); ``vocab_lookup``
uses a corpus without ties, specials or rare tokens, so ordering and
``min_freq`` mistakes fail only ``vocab_itos``; ``textcls_lazy`` records ids,
not labels. Where a check still cannot run without an earlier one working
(a dataset it builds), it declares ``builds_on``.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from graders.engine import check, is_raised
from graders.engine.audit import count_opens
from graders.engine.compare import compare
from graders.engine.observations import normalize
from graders.engine.probes import expect_raise_with_exception

TASKS = {
    1: ("CSVDataset.__init__", "CSVDataset.__len__", "CSVDataset.__getitem__"),
    2: ("TextFolderDataset.__init__", "TextFolderDataset.__len__", "TextFolderDataset.__getitem__"),
    3: ("Compose.__init__", "Compose.__call__", "ToTensor.__call__", "Normalize.__init__", "Normalize.__call__",
        "RandomHorizontalFlip.__init__", "RandomHorizontalFlip.__call__"),
    4: ("tokenize", "Vocab.__init__", "Vocab.__len__", "Vocab.__contains__", "Vocab.__getitem__", "Vocab.encode",
        "Vocab.decode", "Vocab.pad_id", "Vocab.unk_id"),
    5: ("TextClassificationDataset.__init__", "TextClassificationDataset.__len__",
        "TextClassificationDataset.__getitem__"),
}

TMP = "<tmp>"
SAME = "the same"


# ---------------------------------------------------------------- helpers


class Counting:
    """A callable that counts its calls and remembers what kind of value it got."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.calls = 0
        self.received: list[str] = []

    def __call__(self, value: Any) -> Any:
        self.calls += 1
        self.received.append(kind_of(value))
        return self.fn(value)


def kind_of(value: Any) -> str:
    """``"Tensor float32 (3,)"``, ``"str"``...: what a callable was given."""
    if isinstance(value, torch.Tensor):
        return f"Tensor {str(value.dtype).replace('torch.', '')} {tuple(value.shape)}"
    return type(value).__name__


@contextlib.contextmanager
def scratch() -> Iterator[str]:
    """A fresh temporary directory, the working directory while the block runs.

    Probes pass short relative paths ("default.csv", "corpus"), so the
    student's own error messages read the same in every run; yields the
    directory's absolute path (for :func:`scrub`). The previous working
    directory is restored and the directory removed afterwards.
    """
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):
        yield tmp


def scrub(text: str, *roots: str | os.PathLike[str]) -> str:
    """``text`` with every spelling of the temporary directories replaced by ``<tmp>``."""
    for root in roots:
        for spelling in {os.fspath(root), os.path.realpath(root), os.path.abspath(root)}:
            text = text.replace(spelling, TMP)
    return text


def expect_error(p: Any, where: str, fn: Callable[..., Any], *args: Any, tmp: str | os.PathLike[str],
                 names: tuple[str, ...] = (), line: int | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call ``fn`` expecting an exception: its type, and whether its message names ``names`` and ``line``.

    The message is judged in full (the observation keeps a truncated,
    path-free copy); ``NotImplementedError`` propagates (not attempted).
    """
    marker, exc = expect_raise_with_exception(p, where, fn, *args, **kwargs)
    text = ""
    if exc is not None:
        marker["message"] = scrub(marker["message"], tmp)
        text = scrub(str(exc), tmp)
    obs: dict[str, Any] = {"raises": marker}
    for name in names:
        obs[f"the message names {name!r}"] = name in text
    if line is not None:
        obs[f"the message names line {line} (the header is line 1)"] = (
            re.search(rf"(?<![\d.]){line}(?![\d.])", text) is not None
        )
    return obs


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join([",".join(header)] + [",".join(row) for row in rows]) + "\n"


def cells(values: torch.Tensor) -> list[str]:
    """Numbers as CSV cells with two decimals (exactly what float(cell) parses back)."""
    return [f"{float(v):.2f}" for v in values]


def relative(path: Any, root: Path) -> str:
    """A sample path relative to the corpus root, with forward slashes."""
    return Path(os.path.relpath(os.fspath(path), os.fspath(root))).as_posix()


def opened_txt(opened: list[str], root: Path) -> list[str]:
    return sorted(relative(path, root) for path in opened if path.endswith(".txt"))


def agreement(got: Any, want: Any) -> str:
    """``"the same"`` when ``got`` equals ``want`` (types, dtypes, shapes, values), else what differs.

    The metamorphic checks compare two runs of the student's own code (with
    and without a transform), so the reference's observation is always
    ``"the same"`` and the student's says where the two runs part.
    """
    mismatch = compare(normalize(got), normalize(want))
    if mismatch is None:
        return SAME
    where = f" at {mismatch.where}" if mismatch.where else ""
    return f"not the same{where}: expected {mismatch.expected}, got {mismatch.got}"


def target_value(y: Any) -> Any:
    """The number a target holds, whatever its dtype and shape (those are graded by ``csv_targets``)."""
    if isinstance(y, torch.Tensor) and y.numel() == 1:
        return float(y.reshape(-1)[0])
    if isinstance(y, (int, float)) and not isinstance(y, bool):
        return float(y)
    return kind_of(y)


def read_items(p: Any, ds: Any, indices: Any, view: Callable[[Any], Any] = lambda item: item) -> dict[str, Any]:
    """``{"ds[i]": view(ds[i])}``: keyed by the call, so a mismatch reads "..., ds[2][0]" (x of item 2)."""
    return {f"ds[{i}]": view(p.call(f"ds[{i}]", ds.__getitem__, i)) for i in indices}


def item_values(item: Any) -> Any:
    """``(x, value of y)`` for a dataset item; anything that is not a pair is kept as it is."""
    if isinstance(item, tuple) and len(item) == 2:
        return item[0], target_value(item[1])
    return item


def change_in_place(item: Any) -> None:
    """Add to both tensors of an ``(x, y)`` item in place (a new item must not share memory with the dataset)."""
    x, y = item
    x.add_(100.0)
    y.add_(1)


# ---------------------------------------------------------------- task 1: CSVDataset

CSV = ("a map-style Dataset over a CSV file read with the csv module: x is float32 of shape (len(features),) with the "
       "features in the given order; features default to every column but the target, in file order; an empty cell "
       "is nan; only the selected columns are parsed; __len__, negative indices and IndexError out of range; each "
       "item is a new tensor, so changing it in place leaves the dataset as it was")


@check(points=3, task=1, concept=CSV,
       hints=("Which columns make up x when no features are given, and in which order? How does a quoted field that "
              "holds a comma reach you? Which indices must a dataset of n rows accept, and which must it refuse?",
              "Read the CSVDataset docstring (the 'features' argument, the empty cell, and the 'Raises' paragraph of "
              "__getitem__), and the csv module's reader: how it splits a line with quoted fields.",
              "The line 7,\"Smith, J.\",3 holds three fields for csv.reader but four for line.split(','); a Python "
              "list of 5 items answers index -2 with item 3 and index 5 with IndexError."))
def csv_items(m, p):
    """CSVDataset items: default and selected features, nan for empty cells, negative indices, IndexError"""
    obs: dict[str, Any] = {}
    with scratch():
        n = 5
        values = p.randn(n, 3) * 3
        labels = p.randint(0, 3, (n,))
        rows = [[c0, str(int(y)), c1, c2] for (c0, c1, c2), y in zip((cells(v) for v in values), labels)]
        rows[2][2] = ""  # an empty feature cell
        path = write(Path("default.csv"), csv_text(["w", "label", "h", "d"], rows))
        ds = p.call("CSVDataset('default.csv', target='label') (columns w,label,h,d)", m.CSVDataset, str(path), "label")
        where = "CSVDataset('default.csv', target='label') (columns w,label,h,d; row 2 has an empty 'h')"
        obs[f"len of {where}"] = p.call("len(ds)", len, ds)
        obs[f"{where}: (x, value of y) of each item"] = read_items(p, ds, range(n), item_values)
        obs[f"{where}: (x, value of y) of ds[-1]"] = item_values(p.call("ds[-1]", ds.__getitem__, -1))
        obs[f"{where}: (x, value of y) of ds[-{n}]"] = item_values(p.call(f"ds[-{n}]", ds.__getitem__, -n))
        obs[f"{where}: ds[{n}] (out of range)"] = p.attempt(f"ds[{n}]", ds.__getitem__, n)
        obs[f"{where}: ds[-{n + 1}] (out of range)"] = p.attempt(f"ds[-{n + 1}]", ds.__getitem__, -n - 1)
        p.call("x.add_(100.0) and y.add_(1) on (x, y) = ds[0]", change_in_place, ds[0])
        obs[f"{where}: (x, value of y) of ds[0] after an earlier ds[0] was changed in place"] = item_values(
            p.call("ds[0]", ds.__getitem__, 0))

        values = p.randn(4, 2) * 5
        labels = p.randint(0, 4, (4,))
        notes = ['"Smith, J."', "plain text", '"says ""hi"""', "n/a"]
        rows = [
            [f"id{i}", a, note, str(int(y)), b]
            for i, ((a, b), note, y) in enumerate(zip((cells(v) for v in values), notes, labels))
        ]
        path = write(Path("mixed.csv"), csv_text(["name", "a", "note", "label", "b"], rows))
        where = "CSVDataset('mixed.csv', target='label', features=['b', 'a']) (text columns name, note; quoted commas)"
        ds = p.call(where, m.CSVDataset, str(path), "label", features=["b", "a"])
        obs[f"len of {where}"] = p.call("len(ds)", len, ds)
        obs[f"{where}: (x, value of y) of each item"] = read_items(p, ds, range(4), item_values)
    return obs


TARGETS = ("the target's dtype and shape: an int64 0-d tensor when int(cell) succeeds for every target cell, otherwise "
           "float32 0-d for the whole column ('3.0' or an empty cell makes it float; empty -> nan)")


@check(points=2, task=1, concept=TARGETS, builds_on=("csv_items",),
       hints=("Is the target column integer as a whole? One cell that is not a whole number decides for every row. "
              "And how many dimensions does the target of one row have?",
              "The second and third paragraphs of the CSVDataset docstring: when the column is int64 or float32, and "
              "'y a 0-d tensor'; compare int('3.0') with float('3.0') in a Python shell.",
              "For t = torch.tensor([4, 7, 9]): t[1] has shape () (0-d), t[1:2] has shape (1,); "
              "torch.tensor([1.5, float('nan')]) is float32."))
def csv_targets(m, p):
    """CSVDataset targets: int64 0-d when every cell is an int, float32 otherwise (empty -> nan)"""
    n = 4
    ints = [str(int(v)) for v in p.randint(-3, 6, (n,))]
    floats = cells(p.randn(n) * 4)
    cases = {
        "integer targets": ints,
        "integer targets and one '3.0'": ints[:2] + ["3.0"] + ints[3:],
        "integer targets and one empty cell": ints[:1] + [""] + ints[2:],
        "decimal targets": floats,
    }
    obs: dict[str, Any] = {}
    features = cells(p.randn(n))
    with scratch():
        for i, (label, column) in enumerate(cases.items()):
            path = write(Path(f"t{i}.csv"), csv_text(["x", "y"], [[f, t] for f, t in zip(features, column)]))
            where = f"CSVDataset(file with {label} {column}, target='y')"
            ds = p.call(where, m.CSVDataset, str(path), "y")
            obs[f"{where}: y of each item"] = read_items(p, ds, range(n), lambda item: item[1])
    return obs


LAZY_TRANSFORM = ("transforms of a dataset run in __getitem__, once per access, never in __init__ "
                  "(a random augmentation must be drawn anew each time a sample is read); transform gets x, "
                  "target_transform gets y")


@check(points=2, task=1, concept=LAZY_TRANSFORM, builds_on=("csv_items",),
       hints=("When does a transform run: once when the dataset is built, or every time a sample is read? Think of a "
              "random augmentation. And which part of the item does each of the two callables get?",
              "The CSVDataset docstring: 'transform(x) and target_transform(y) are applied in __getitem__, never in "
              "__init__'; __init__ only keeps the callables.",
              "An image dataset with an augmentation aug keeps aug in __init__; reading image k returns aug applied to "
              "that one image, so two reads of image k give two fresh draws."))
def csv_transforms(m, p):
    """CSVDataset applies transform and target_transform in __getitem__, never in __init__"""
    n = 4
    values = p.randn(n, 2)
    labels = p.randint(0, 3, (n,))
    rows = [[a, b, str(int(y))] for (a, b), y in zip((cells(v) for v in values), labels)]

    def plus(x: Any) -> Any:
        return x * 2 + 1

    def shift(y: Any) -> Any:
        return y + 10

    transform, target_transform = Counting(plus), Counting(shift)
    obs: dict[str, Any] = {}
    with scratch():
        path = write(Path("data.csv"), csv_text(["a", "b", "label"], rows))
        plain = p.call("CSVDataset('data.csv', target='label')", m.CSVDataset, str(path), "label")
        where = "CSVDataset('data.csv', target='label', transform=x * 2 + 1, target_transform=y + 10)"
        ds = p.call(where, m.CSVDataset, str(path), "label", transform=transform, target_transform=target_transform)
        obs["calls of (transform, target_transform) during __init__"] = (transform.calls, target_transform.calls)
        given: list[str] = []
        for k, i in enumerate((0, n - 1, 0, 2), 1):
            got = p.call(f"ds[{i}]", ds.__getitem__, i)
            x, y = p.call(f"ds[{i}] of the dataset without transforms", plain.__getitem__, i)
            given.append(kind_of(x))
            obs[f"access {k}: ds[{i}], against (x * 2 + 1, y + 10) for the (x, y) that ds[{i}] gives without "
                "transforms"] = agreement(got, (plus(x), shift(y)))
        obs["calls of (transform, target_transform) after __init__ and 4 accesses"] = (
            transform.calls, target_transform.calls
        )
        obs["what transform received, against the x of the same items without transforms"] = agreement(
            transform.received, given)
    return obs


CSV_ERRORS = ("validating the file in __init__: ValueError naming the missing column and listing the available "
              "columns, or naming the column and the line number of a cell that is not a number (the header is line 1)")


@check(points=2, task=1, concept=CSV_ERRORS,
       hints=("When a file is wrong, what does its author need to read in the error to fix it: which column, which "
              "columns exist, which line?",
              "The 'Raises' paragraph of the CSVDataset docstring, and the line_num attribute of a csv reader (lines "
              "read so far, the header included).",
              "A config loader that meets an unknown key says: ValueError(f\"unknown key {key!r}; known keys: "
              "{sorted(known)}\"), and a log parser failing on its 7th line says 'line 7', counting from 1."))
def csv_errors(m, p):
    """CSVDataset.__init__ raises ValueError naming the column, available columns or line number"""
    header = ["width", "height", "kind", "label"]
    n = 5
    values = p.randn(n, 2)
    labels = p.randint(0, 3, (n,))
    kinds = ["oak", "pine", "oak", "elm", "fir"]
    good = [[a, b, k, str(int(y))] for (a, b), k, y in zip((cells(v) for v in values), kinds, labels)]
    bad_row = p.integer(1, n)  # data row index; its line number is bad_row + 2
    obs: dict[str, Any] = {}
    with scratch() as tmp:
        path = str(write(Path("trees.csv"), csv_text(header, good)))
        obs["CSVDataset(trees.csv, target='colour') (no such column)"] = expect_error(
            p, "CSVDataset(trees.csv, target='colour')", m.CSVDataset, path, "colour", tmp=tmp,
            names=("colour", *header))
        obs["CSVDataset(trees.csv, target='label', features=['width', 'depth']) (no column 'depth')"] = expect_error(
            p, "CSVDataset(trees.csv, target='label', features=['width', 'depth'])", m.CSVDataset, path, "label",
            features=["width", "depth"], tmp=tmp, names=("depth", *header))
        obs["CSVDataset(trees.csv, target='label') (default features include the text column 'kind')"] = expect_error(
            p, "CSVDataset(trees.csv, target='label')", m.CSVDataset, path, "label", tmp=tmp, names=("kind",), line=2)

        rows = [list(r) for r in good]
        rows[bad_row][1] = "n/a"
        path = str(write(Path("bad_cell.csv"), csv_text(header, rows)))
        obs[f"CSVDataset(file with 'n/a' in column 'height' on line {bad_row + 2}, "
            "target='label', features=['width', 'height'])"] = expect_error(
            p, "CSVDataset(bad_cell.csv, target='label', features=['width', 'height'])", m.CSVDataset, path, "label",
            features=["width", "height"], tmp=tmp, names=("height",), line=bad_row + 2)

        rows = [list(r) for r in good]
        rows[bad_row][3] = "cat"
        path = str(write(Path("bad_target.csv"), csv_text(header, rows)))
        obs[f"CSVDataset(file with 'cat' in the target column 'label' on line {bad_row + 2}, target='label', "
            "features=['width'])"] = expect_error(
            p, "CSVDataset(bad_target.csv, target='label', features=['width'])", m.CSVDataset, path, "label",
            features=["width"], tmp=tmp, names=("label",), line=bad_row + 2)
    return obs


# ---------------------------------------------------------------- task 2: TextFolderDataset

FOLDER = ("indexing a class-per-folder corpus: classes are the sorted names of all sub-directories "
          "(empty ones too, not files), class_to_idx maps them to their positions, samples are (path as str, class "
          "index) of the .txt files directly inside a class folder, sorted by class then file name; "
          "FileNotFoundError for a missing root, ValueError when no class folder holds a .txt file")


@check(points=3, task=2, concept=FOLDER,
       hints=("Which entries of the root are classes (every directory, even an empty one; never a file), which files "
              "are samples, and in which order must classes and samples come out?",
              "os.scandir (DirEntry.name, is_dir, is_file) or pathlib.Path.iterdir, and the 'samples' and 'Raises' "
              "paragraphs of the TextFolderDataset docstring.",
              "A music library ordered by album, then by track name: loop over the sorted album names and, inside "
              "each album, over its sorted track names; an album without tracks is still an album."))
def textfolder_index(m, p):
    """TextFolderDataset lists classes (empty ones too) and samples sorted by class then file name"""
    obs: dict[str, Any] = {}
    with scratch() as tmp:
        root = Path("corpus")
        extra = [f"{int(k):03d}.txt" for k in p.randint(0, 1000, (p.integer(1, 4),))]
        layout = {
            "zebra": ["b.txt", "a10.txt", "a2.txt", "notes.md"],
            "apple": ["x.txt", *extra],
            "empty": [],
            "Mango": ["m.txt", "k.txt"],
        }
        for name, files in layout.items():
            (root / name).mkdir(parents=True)
            for file in files:
                write(root / name / file, f"{name} {file}\n")
        write(root / "readme.txt", "not a class\n")
        write(root / "zebra" / "nested" / "deep.txt", "not directly inside a class folder\n")
        where = ("TextFolderDataset(root) with zebra/{b,a10,a2}.txt + notes.md + nested/deep.txt, "
                 f"apple/{{x.txt, {', '.join(extra)}}}, empty/, Mango/{{m,k}}.txt, readme.txt")
        ds = p.call(where, m.TextFolderDataset, str(root))
        obs[f"{where}: classes"] = ds.classes
        obs[f"{where}: class_to_idx"] = ds.class_to_idx
        obs[f"{where}: samples (paths relative to root)"] = [(relative(path, root), idx) for path, idx in ds.samples]
        obs[f"{where}: every sample path is a str"] = all(isinstance(path, str) for path, _ in ds.samples)
        obs[f"{where}: len"] = p.call("len(ds)", len, ds)

        obs["TextFolderDataset(a root that does not exist)"] = expect_error(
            p, "TextFolderDataset(missing root)", m.TextFolderDataset, str(Path("missing")), tmp=tmp)
        bare = Path("no_txt")
        (bare / "a").mkdir(parents=True)
        write(bare / "b" / "notes.md", "no .txt here\n")
        write(bare / "top.txt", "a file at the root is not a sample\n")
        obs["TextFolderDataset(root whose class folders hold no .txt file)"] = expect_error(
            p, "TextFolderDataset(root without .txt files in its class folders)",
            m.TextFolderDataset, str(bare), tmp=tmp)
        empty = Path("empty_root")
        empty.mkdir()
        obs["TextFolderDataset(empty root folder)"] = expect_error(
            p, "TextFolderDataset(empty root)", m.TextFolderDataset, str(empty), tmp=tmp)
    return obs


LAZY_FILES = ("lazy loading: __init__ only lists the files (reads none); __getitem__ opens and reads exactly one file, "
              "as UTF-8, and returns its text with the class index")

WORDS = ["good", "bad", "plot", "actor", "scene", "music", "boring", "great", "slow", "funny"]
KOREAN = ["정말", "좋은", "영화", "배우", "연기", "지루한", "음악", "최고"]


def write_reviews(p: Any, root: Path) -> None:
    """neg/{a,b}.txt and pos/{c,d}.txt: English, Korean and accented text (UTF-8), one file with two lines."""
    rng = p.numpy_rng()
    texts = {
        "neg/a.txt": " ".join(rng.choice(WORDS, 5)).capitalize() + ".\n",
        "neg/b.txt": " ".join(rng.choice(KOREAN, 4)) + "! 배우들의 연기가 훌륭했다.\n",
        "pos/c.txt": "Très bon film, naïve café ☕ " + " ".join(rng.choice(WORDS, 3)) + "\n",
        "pos/d.txt": " ".join(rng.choice(WORDS, 6)) + "\nsecond line\n",
    }
    for rel, text in texts.items():
        write(root / rel, text)


@check(points=2, task=2, concept=LAZY_FILES, builds_on=("textfolder_index",),
       hints=("What must __init__ do, and not do, so that a corpus larger than memory still works? When is the text "
              "of a file needed, and in which encoding was it written?",
              "The TextFolderDataset docstring ('__init__ only lists the files; it reads none of them', 'read (as "
              "UTF-8) in __getitem__') and the encoding argument of open().",
              "A lazy image dataset keeps only file names in __init__ and opens the one file of image k when image k "
              "is asked for; a Korean text file decodes correctly only with the encoding it was written in."))
def textfolder_lazy(m, p):
    """TextFolderDataset reads no file in __init__ and exactly one UTF-8 file per item"""
    obs: dict[str, Any] = {}
    with scratch():
        root = Path("reviews")
        write_reviews(p, root)
        with count_opens(root) as opened:
            ds = p.call("TextFolderDataset(Path(root)) over neg/{a,b}.txt, pos/{c,d}.txt", m.TextFolderDataset, root)
        obs["files opened by TextFolderDataset.__init__"] = opened_txt(opened, root)
        for i in (0, 1, -2, 3):
            with count_opens(root) as opened:
                item = p.call(f"ds[{i}]", ds.__getitem__, i)
            obs[f"files opened by ds[{i}]"] = opened_txt(opened, root)
            obs[f"ds[{i}]"] = item
    return obs


FOLDER_TRANSFORM = ("a folder dataset's transform: applied on access to the text of every item (the class index is "
                    "left as it is), once per item read, never in __init__")


@check(points=1, task=2, concept=FOLDER_TRANSFORM, builds_on=("textfolder_index", "textfolder_lazy"),
       hints=("Does the text of every item pass through the transform you were given, and when does that happen?",
              "The 'Returns' paragraph of TextFolderDataset.__getitem__: the file's content, passed through "
              "transform if there is one.",
              "A dataset of captions with an optional callable clean: caption k is clean(raw caption k) when clean "
              "is given, the raw caption otherwise (clean=str.upper turns 'ok' into 'OK')."))
def textfolder_transform(m, p):
    """TextFolderDataset passes the text of every item it reads through its transform"""
    obs: dict[str, Any] = {}

    def split(text: Any) -> Any:
        return text.split()

    transform = Counting(split)
    with scratch():
        root = Path("reviews")
        write_reviews(p, root)
        plain = p.call("TextFolderDataset(root)", m.TextFolderDataset, str(root))
        ds = p.call("TextFolderDataset(root, transform=str.split)", m.TextFolderDataset, str(root),
                    transform=transform)
        obs["transform calls during TextFolderDataset(root, transform=str.split).__init__"] = transform.calls
        for k, i in enumerate((1, 2, 1), 1):
            got = p.call(f"ds[{i}]", ds.__getitem__, i)
            text, index = p.call(f"ds[{i}] of the dataset without transform", plain.__getitem__, i)
            obs[f"access {k}: ds[{i}] with transform=str.split, against (text.split(), class index) for the item "
                f"that ds[{i}] gives without transform"] = agreement(got, (split(text), index))
        obs["transform calls after 3 accesses"] = transform.calls
    return obs


# ---------------------------------------------------------------- task 3: transforms


@check(points=1, task=3, concept="Compose applies its transforms in the given order: Compose([f, g])(x) == g(f(x)); "
                                 "Compose([]) is the identity",
       hints=("When two transforms are chained, which one sees the input first, and what does the other one "
              "receive? What should a chain of no transforms at all do?",
              "The Compose docstring: 'Compose([f, g])(x) == g(f(x))' and 'applied in order'; a tuple of transforms "
              "is a sequence too.",
              "A pipeline folded by hand: start with value = 3, then let add_one and then double each replace value "
              "by their result: 8, not 7."))
def compose_order(m, p):
    """Compose applies the transforms in order"""
    x = p.randn(4)
    double, shift, rev = (lambda v: v * 2), (lambda v: v + 1), (lambda v: v.flip(0))
    cases = {
        "Compose([x * 2, x + 1])(x)": ([double, shift], x),
        "Compose([x + 1, x * 2])(x)": ([shift, double], x),
        "Compose([])(x)": ([], x),
        "Compose([str.upper, str.split])('a b')": ([str.upper, str.split], "a b"),
    }
    obs = {}
    for where, (transforms, value) in cases.items():
        composed = p.call(where.split(")(")[0] + ")", m.Compose, transforms)
        obs[where] = p.call(where, composed, value)
    both = p.call("Compose((x * 2, x + 1, x.flip(0))) (a tuple)", m.Compose, (double, shift, rev))
    obs["Compose((x * 2, x + 1, x.flip(0)))(x), called twice"] = [
        p.call("Compose((...))(x)", both, x) for _ in range(2)
    ]
    return obs


TO_TENSOR = ("image layout: ToTensor turns (H, W, C) into (C, H, W) by moving the channel axis with a transpose (not "
             "a reshape) and (H, W) into (1, H, W); float32, uint8 divided by 255 and other dtypes unscaled; a copy "
             "that does not share memory with the array")


@check(points=2, task=3, concept=TO_TENSOR,
       hints=("Where do the channels live in an (H, W, C) array and in a (C, H, W) tensor: is going from one to the "
              "other a reshape or a reordering of axes? Which dtypes hold 0..255 pixel values?",
              "numpy.ndarray.transpose (or numpy.moveaxis), the ToTensor docstring (only uint8 is divided by 255; "
              "the result does not share memory with the array), and how torch.tensor and torch.from_numpy differ.",
              "A (T, F) spectrogram becomes (F, T) by swapping axes (a.T); a.reshape(F, T) only re-cuts the same "
              "memory order and mixes the rows; a (T,) signal gains a leading axis with a[None]."))
def to_tensor(m, p):
    """ToTensor converts (H, W, C) and (H, W) arrays to float32 (C, H, W), scaling only uint8"""
    rng = p.numpy_rng()
    to = p.call("ToTensor()", m.ToTensor)
    arrays = {
        "uint8 array of shape (2, 3, 3)": rng.integers(0, 256, (2, 3, 3)).astype(np.uint8),
        "uint8 array of shape (3, 2) (grayscale)": rng.integers(0, 256, (3, 2)).astype(np.uint8),
        "float64 array of shape (2, 3, 2) with values up to 5": rng.uniform(0, 5, (2, 3, 2)),
        "int64 array of shape (2, 2, 1) with values up to 300": rng.integers(0, 300, (2, 2, 1)),
    }
    obs: dict[str, Any] = {}
    for label, array in arrays.items():
        out = p.call(f"ToTensor()({label})", to, array)
        obs[f"ToTensor()({label}) is a torch.Tensor"] = isinstance(out, torch.Tensor)
        obs[f"ToTensor()({label})"] = out
    array = rng.uniform(0, 1, (2, 2, 3)).astype(np.float32)
    out = p.call("ToTensor()(float32 array of shape (2, 2, 3))", to, array)
    array += 1.0
    obs["ToTensor()(float32 array), then array += 1 (the tensor must not share memory with the array)"] = out
    return obs


NORMALIZE = ("per-channel normalization: channel c of x uses mean[c] and std[c], the channels being the first "
             "dimension of x, across all of H and W; the result is a new tensor of x's dtype (x itself stays "
             "unchanged)")


@check(points=2, task=3, concept=NORMALIZE,
       hints=("Which dimension of x holds the channels, and how must a list of C means be shaped so that it lines up "
              "with that dimension rather than with the width? Does your result leave x as it was?",
              "torch broadcasting semantics (trailing dimensions are matched first) and torch.Tensor.view / reshape; "
              "the Normalize.__call__ docstring ('a new normalized tensor; x itself is not changed').",
              "To subtract a per-row offset b of shape (R,) from m of shape (R, K): m - b.reshape(R, 1); m - b would "
              "line b up with the K columns instead, and m.sub_(...) would overwrite m."))
def normalize_values(m, p):
    """Normalize standardizes each channel with its own mean and std, into a new tensor"""
    x = p.rand(3, 2, 3)
    mean = [round(float(v), 3) for v in p.rand(3)]
    std = [round(float(v) + 0.2, 3) for v in p.rand(3)]
    norm = p.call(f"Normalize({mean}, {std})", m.Normalize, mean, std)
    out = p.call(f"Normalize({mean}, {std})(x of shape (3, 2, 3))", norm, x)
    obs = {
        f"Normalize(mean={mean}, std={std}) on x of shape (3, 2, 3)": out,
        "x after the call (must be unchanged)": x,
        "the result is a new tensor (not x itself)": out is not x,
    }
    x64 = p.rand(2, 3, 2, dtype=torch.float64)
    norm2 = p.call("Normalize((0.5, 0.25), (2.0, 0.5))", m.Normalize, (0.5, 0.25), (2.0, 0.5))
    obs["Normalize((0.5, 0.25), (2.0, 0.5)) on float64 x of shape (2, 3, 2)"] = p.call(
        "Normalize(...)(x64)", norm2, x64
    )
    return obs


@check(points=1, task=3,
       concept="validating arguments: ValueError for a zero std in the constructor, and in the call when len(mean) or "
               "len(std) differs from the number of channels C (broadcasting would silently hide a length-1 list)",
       hints=("Which arguments make the result meaningless or silently wrong: a std of zero, or fewer or more means "
              "than x has channels? Would broadcasting tell you?",
              "The Normalize docstrings: the class's 'Raises' (a zero std, from the constructor) and __call__'s "
              "'Raises' (len(mean) or len(std) differs from C).",
              "A resize transform given size=(32,) refuses it before doing any work: a ValueError saying it "
              "expected (height, width) and got one value."))
def normalize_errors(m, p):
    """Normalize raises ValueError for a zero std (constructor) and a channel-count mismatch (call)"""
    x = p.rand(3, 2, 2)
    obs: dict[str, Any] = {
        "Normalize([0.5, 0.5, 0.5], [0.2, 0.0, 0.3]) (zero std)": p.attempt(
            "Normalize([0.5, 0.5, 0.5], [0.2, 0.0, 0.3])", m.Normalize, [0.5, 0.5, 0.5], [0.2, 0.0, 0.3]),
    }
    for mean, std in (([0.5, 0.5], [1.0, 1.0]), ([0.1, 0.2, 0.3], [1.0, 2.0]), ([0.5], [0.5])):
        # a constructor that already refuses len(mean) != len(std) is fine too: its ValueError counts
        norm = p.attempt(f"Normalize({mean}, {std})", m.Normalize, mean, std)
        result = norm if is_raised(norm) else p.attempt(f"Normalize({mean}, {std})(x)", norm, x)
        obs[f"Normalize({mean}, {std})(x with 3 channels)"] = result
    return obs


FLIP = ("a reproducible random transform: every call draws exactly one number with torch.rand from the flip's "
        "generator (also when p is 0 or 1) and flips the last dimension when that number is < p")


@check(points=3, task=3, concept=FLIP,
       hints=("Where does the random number come from, how many numbers does one call draw whatever p is, and which "
              "dimension of an image is its width?",
              "The generator argument of torch.rand, the RandomHorizontalFlip docstring ('every call draws exactly "
              "one number ... and flips when it is < p'), torch.Tensor.flip and numpy.flip.",
              "A random brightness jitter with its own generator g draws its factor from g on every call, even at "
              "strength 0 (skipping a draw shifts every later one); reversing the columns of an (H, W) image "
              "reverses dimension -1."))
def random_flip(m, p):
    """RandomHorizontalFlip draws one number from its generator per call and flips the last dimension below p"""
    x = torch.arange(12.0).reshape(1, 3, 4)
    calls = 10
    obs: dict[str, Any] = {}
    for prob, n in ((0.5, calls), (0.3, calls), (0.0, 4), (1.0, 4)):
        gen = p.generator()
        flip = p.call(f"RandomHorizontalFlip(p={prob}, generator=g)", m.RandomHorizontalFlip, prob, gen)
        flipped = []
        for _ in range(n):
            out = p.call(f"RandomHorizontalFlip(p={prob}, generator=g)(x)", flip, x)
            flipped.append(bool(isinstance(out, torch.Tensor) and not torch.equal(out, x)))
        obs[f"RandomHorizontalFlip(p={prob}, generator=g): which of {n} calls flipped"] = flipped
        obs[f"RandomHorizontalFlip(p={prob}, generator=g): torch.rand(2, generator=g) after {n} "
            "calls (one draw per call)"] = torch.rand(2, generator=gen)

    flip = p.call("RandomHorizontalFlip()", m.RandomHorizontalFlip)
    flipped = []
    for _ in range(calls):
        out = p.call("RandomHorizontalFlip()(x)", flip, x)
        flipped.append(bool(isinstance(out, torch.Tensor) and not torch.equal(out, x)))
    obs[f"RandomHorizontalFlip() without generator (torch's global RNG): which of {calls} calls flipped"] = flipped
    obs[f"RandomHorizontalFlip() without generator: torch.rand(2) after {calls} calls"] = torch.rand(2)

    always = p.call("RandomHorizontalFlip(p=1.0)", m.RandomHorizontalFlip, 1.0)
    obs["RandomHorizontalFlip(p=1.0)(x of shape (1, 3, 4))"] = p.call("RandomHorizontalFlip(p=1.0)(x)", always, x)
    image = p.randn(2, 3)
    obs["RandomHorizontalFlip(p=1.0)(x of shape (2, 3))"] = p.call("RandomHorizontalFlip(p=1.0)(x)", always, image)
    array = image.numpy().copy()
    out = p.call("RandomHorizontalFlip(p=1.0)(numpy array of shape (2, 3))", always, array)
    obs["RandomHorizontalFlip(p=1.0)(numpy array of shape (2, 3)): type"] = type(out).__name__
    obs["RandomHorizontalFlip(p=1.0)(numpy array of shape (2, 3)): values"] = torch.tensor(np.asarray(out))
    return obs


# ---------------------------------------------------------------- task 4: tokenize and Vocab


@check(points=1, task=4, concept="Unicode-aware tokenizing: lowercase runs of word characters (Python's \\w, which "
                                 "is Unicode-aware) keep Korean, accented words, digits and '_', and drop punctuation "
                                 "and whitespace",
       hints=("What counts as a word character in Korean or in 'café', and what must happen to punctuation, to "
              "runs of spaces and to capital letters?",
              "The re module's \\w (Unicode word characters in str patterns), re.findall, and str.lower; the "
              "tokenize docstring.",
              "Collecting the numbers of a text: re.findall(r'\\d+', 'a1b22 c333') gives ['1', '22', '333'], "
              "without splitting on spaces first."))
def tokenize_unicode(m, p):
    """tokenize lowercases and splits on non-word characters, Unicode included"""
    rng = p.numpy_rng()
    texts = [
        "Hello, World! It's 2024.",
        "안녕하세요, 세상! PyTorch_2 데이터셋을   만들자.",
        "Ünïcödé CAFÉ naïve — déjà-vu?",
        " ".join(rng.choice(WORDS + KOREAN, 6)).upper() + "!!",
        "",
        "  ...  ",
    ]
    return {f"tokenize({t!r})": p.call(f"tokenize({t!r})", m.tokenize, t) for t in texts}


VOCAB = ("building a vocabulary: itos holds the specials in the given order, then the tokens counted at least "
         "min_freq times, by descending count, ties alphabetically; a corpus token equal to a special is not added "
         "twice; stoi is the inverse; the corpus (maybe a generator) is read once")


def vocab_summary(vocab: Any) -> dict[str, Any]:
    return {"itos": vocab.itos, "stoi": vocab.stoi, "len": len(vocab)}


@check(points=3, task=4, concept=VOCAB,
       hints=("In which order do tokens get their ids: which come first, which are left out, and how are tokens with "
              "equal counts ordered? What if a special also occurs in the corpus?",
              "collections.Counter, the key argument of sorted (a tuple key sorts by its first item, then its "
              "second), and the first paragraph of the Vocab docstring ('counted at least min_freq times').",
              "Ranking players by descending score, ties by name: sort the names with a key giving (minus the score, "
              "the name); a key giving only minus the score keeps tied players in the order they were met."))
def vocab_itos(m, p):
    """Vocab orders specials, then tokens by descending count (ties alphabetically), with min_freq"""
    # ties c/a and e/d first seen in non-alphabetical order
    corpus = [["b", "c", "b"], ["a", "c", "b"], ["e"], ["d", "a"]]
    obs: dict[str, Any] = {}
    for label, kwargs in (("", {}), (", min_freq=2", {"min_freq": 2}), (", min_freq=4", {"min_freq": 4}),
                          (", specials=('<s>', '</s>', '<unk>')", {"specials": ("<s>", "</s>", "<unk>")}),
                          (", specials=()", {"specials": ()})):
        where = f"Vocab({corpus}{label})"
        obs[where] = vocab_summary(p.call(where, m.Vocab, corpus, **kwargs))
    with_specials = [["<unk>", "x", "<pad>"], ["<pad>", "y", "x"]]
    where = f"Vocab({with_specials}) (corpus tokens equal to specials)"
    obs[where] = vocab_summary(p.call(where, m.Vocab, with_specials))
    where = f"Vocab(generator over {corpus})"
    obs[where] = vocab_summary(p.call(where, m.Vocab, (list(tokens) for tokens in corpus)))
    rng = p.numpy_rng()
    random_corpus = [list(rng.choice(WORDS[:6] + KOREAN[:4], int(rng.integers(1, 6)))) for _ in range(12)]
    where = "Vocab(random corpus of 12 texts over 10 words, English and Korean, min_freq=2)"
    obs[where] = vocab_summary(p.call(where, m.Vocab,
                                      [[str(t) for t in tokens] for tokens in random_corpus], min_freq=2))
    return obs


LOOKUP = ("vocabulary lookups: vocab[token] gives its id and an unknown token the id of '<unk>' "
          "(KeyError when there is no '<unk>'), 'in' is True only for tokens with their own id, decode raises "
          "IndexError out of range (negative ids too), pad_id/unk_id are the ids of '<pad>'/'<unk>' wherever they are "
          "in specials, KeyError when absent")


@check(points=3, task=4, concept=LOOKUP, builds_on=("vocab_itos",),
       hints=("What id does a token outside the vocabulary get, and what if there is no '<unk>'? Which ids can "
              "decode turn back into tokens, and where are '<pad>' and '<unk>' when specials are reordered?",
              "The docstrings of Vocab.__getitem__, __contains__, decode, pad_id and unk_id (their 'Raises' lines: "
              "KeyError, IndexError).",
              "A phone book with a fallback answers an unknown name with the reception's number, and raises KeyError "
              "when it has no reception; a seat number is valid only from 0 to the number of seats minus 1 (Python "
              "lists would accept -1)."))
def vocab_lookup(m, p):
    """Vocab lookups: unknown -> <unk>, contains, encode/decode, pad_id/unk_id and their errors"""
    # distinct counts of at least 2 (b 5, a 4, c 3, d 2), no specials: ordering and min_freq are vocab_itos' concern
    corpus = [["b", "a", "b", "c"], ["c", "a", "b", "d"], ["b", "a", "d"], ["c", "b", "a"]]
    vocab = p.call(f"Vocab({corpus})", m.Vocab, corpus)
    obs: dict[str, Any] = {
        "vocab['b'], vocab['d'], vocab['zzz']": [
            p.call(f"vocab[{t!r}]", vocab.__getitem__, t) for t in ("b", "d", "zzz")
        ],
        "'b' in vocab, 'zzz' in vocab, '<pad>' in vocab": [
            p.call(f"{t!r} in vocab", vocab.__contains__, t) for t in ("b", "zzz", "<pad>")
        ],
        "vocab.encode(['a', 'zzz', 'b', 'c'])": p.call("vocab.encode(['a', 'zzz', 'b', 'c'])", vocab.encode,
                                                       ["a", "zzz", "b", "c"]),
        "vocab.encode([])": p.call("vocab.encode([])", vocab.encode, []),
        "vocab.decode([2, 0, 5, 1])": p.call("vocab.decode([2, 0, 5, 1])", vocab.decode, [2, 0, 5, 1]),
        "vocab.decode(torch.tensor([3, 2]))": p.call("vocab.decode(torch.tensor([3, 2]))", vocab.decode,
                                                     torch.tensor([3, 2])),
        "vocab.decode([6]) (out of range)": p.attempt("vocab.decode([6])", vocab.decode, [6]),
        "vocab.decode([-1]) (negative id)": p.attempt("vocab.decode([-1])", vocab.decode, [-1]),
        "vocab.pad_id, vocab.unk_id": (p.call("vocab.pad_id", getattr, vocab, "pad_id"),
                                       p.call("vocab.unk_id", getattr, vocab, "unk_id")),
    }
    swapped = p.call(f"Vocab({corpus}, specials=('<bos>', '<pad>', '<unk>'))", m.Vocab, corpus,
                     specials=("<bos>", "<pad>", "<unk>"))
    obs["specials=('<bos>', '<pad>', '<unk>'): pad_id, unk_id, vocab['zzz']"] = (
        p.call("vocab.pad_id", getattr, swapped, "pad_id"), p.call("vocab.unk_id", getattr, swapped, "unk_id"),
        p.call("vocab['zzz']", swapped.__getitem__, "zzz"))
    pad_only = p.call(f"Vocab({corpus}, specials=('<pad>',))", m.Vocab, corpus, specials=("<pad>",))
    obs["specials=('<pad>',): vocab['a']"] = p.call("vocab['a']", pad_only.__getitem__, "a")
    obs["specials=('<pad>',): vocab['zzz'] (no '<unk>')"] = p.attempt("vocab['zzz']", pad_only.__getitem__, "zzz")
    obs["specials=('<pad>',): vocab.encode(['a', 'zzz'])"] = p.attempt(
        "vocab.encode(['a', 'zzz'])", pad_only.encode, ["a", "zzz"]
    )
    obs["specials=('<pad>',): vocab.unk_id"] = p.attempt("vocab.unk_id", getattr, pad_only, "unk_id")
    obs["specials=('<pad>',): vocab.pad_id"] = p.call("vocab.pad_id", getattr, pad_only, "pad_id")
    bare = p.call(f"Vocab({corpus}, specials=())", m.Vocab, corpus, specials=())
    obs["specials=(): vocab.pad_id"] = p.attempt("vocab.pad_id", getattr, bare, "pad_id")
    return obs


# ---------------------------------------------------------------- task 5: TextClassificationDataset


class StubVocab:
    """A stand-in vocabulary (not the student's Vocab), so task 5 is graded on its own.

    ``<pad>`` is 0, ``<unk>`` 1, then ``tokens`` in order; it supports every
    way a dataset may ask for ids (``encode``, ``vocab[token]``, ``stoi``).
    """

    def __init__(self, tokens: list[str]) -> None:
        self.itos = ["<pad>", "<unk>", *tokens]
        self.stoi = {token: i for i, token in enumerate(self.itos)}
        self.pad_id, self.unk_id = 0, 1

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def __getitem__(self, token: str) -> int:
        return self.stoi.get(token, self.unk_id)

    def encode(self, tokens: Any) -> list[int]:
        return [self[token] for token in tokens]

    def decode(self, ids: Any) -> list[str]:
        return [self.itos[int(i)] for i in ids]


def random_texts(p: Any, count: int) -> list[str]:
    rng = p.numpy_rng()
    return [" ".join(rng.choice(WORDS + ["unknown"], int(rng.integers(1, 6)))) for _ in range(count)]


@check(points=2, task=5,
       concept="a text dataset's item: int64 1-D token ids (int64 also for a text without tokens) and an int64 0-d "
               "label; len; ValueError when texts and labels differ in length",
       hints=("What types must an item have: the ids as one int64 tensor (also with zero tokens), the label as a "
              "tensor rather than a Python int? What if there are more texts than labels?",
              "The dtype argument of torch.tensor (an empty list becomes float32 by default) and the "
              "TextClassificationDataset docstring ('Item i is (ids, label)' and 'Raises').",
              "A ratings dataset returns one rating as a 0-d int64 tensor (shape ()), and an empty list of ids as "
              "torch.empty(0, dtype=torch.long), shape (0,)."))
def textcls_items(m, p):
    """TextClassificationDataset items are (int64 ids, int64 0-d label); lengths must match"""
    vocab = StubVocab(WORDS)
    texts = random_texts(p, 4) + [""]
    labels = tuple(int(v) for v in p.randint(0, 3, (5,)))
    where = f"TextClassificationDataset({texts}, {labels}, vocab, tokenizer=str.split)"
    ds = p.call(where, m.TextClassificationDataset, texts, labels, vocab, str.split)
    obs: dict[str, Any] = {
        f"len of {where}": p.call("len(ds)", len, ds),
        f"{where}: each item": read_items(p, ds, range(5)),
        f"{where}: ds[-2]": p.call("ds[-2]", ds.__getitem__, -2),
    }
    obs["TextClassificationDataset(['a b', 'c'], [0], vocab) (lengths differ)"] = p.attempt(
        "TextClassificationDataset(['a b', 'c'], [0], vocab)", m.TextClassificationDataset, ["a b", "c"],
        [0], vocab, str.split)
    return obs


@check(points=2, task=5, builds_on=("textcls_items",),
       concept="encoding at access time: the tokenizer and the vocabulary run in __getitem__, once per item read, "
               "never in __init__",
       hints=("When does a text become ids: when the dataset is built, or each time an item is read? What should "
              "happen to later reads when the vocabulary changes?",
              "The TextClassificationDataset docstring: 'Encoding happens in __getitem__, not in __init__'.",
              "A lazy audio dataset keeps file names and a feature extractor; clip k's features are computed when "
              "clip k is read, so a changed extractor applies to every later read."))
def textcls_lazy(m, p):
    """TextClassificationDataset tokenizes in __getitem__, once per access, not in __init__"""
    vocab = StubVocab(WORDS)
    texts = random_texts(p, 4)
    labels = [int(v) for v in p.randint(0, 2, (4,))]
    tokenizer = Counting(str.split)
    ds = p.call("TextClassificationDataset(texts, labels, vocab, tokenizer=counting str.split)",
                m.TextClassificationDataset, texts, labels, vocab, tokenizer)
    obs: dict[str, Any] = {"tokenizer calls during __init__": tokenizer.calls}
    for k, i in enumerate((2, 0, 2), 1):
        obs[f"access {k}: ids of ds[{i}]"] = p.call(f"ds[{i}]", ds.__getitem__, i)[0]
        obs[f"tokenizer calls after access {k} (ds[{i}])"] = tokenizer.calls
    vocab.stoi["good"], vocab.stoi["bad"] = vocab.stoi["bad"], vocab.stoi["good"]
    obs["ids of every item after the vocabulary changed (swap of 'good' and 'bad')"] = [
        p.call(f"ds[{i}]", ds.__getitem__, i)[0] for i in range(4)]
    obs["what the tokenizer received"] = tokenizer.received
    return obs
