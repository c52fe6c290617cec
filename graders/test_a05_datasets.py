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
from graders.engine.probes import expect_raise_with_exception

TMP = "<tmp>"


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


# ---------------------------------------------------------------- task 1: CSVDataset

CSV = ("a map-style Dataset over a CSV file (csv module): x is float32 of shape (len(features),) in the given order, "
       "features default to every column but the target in file order, empty cell -> nan, only the selected columns "
       "are parsed; __len__, negative indices and IndexError out of range")
CSV_HINT = ("read with csv.reader (a quoted field may hold a comma); features = [c for c in header if c != target] "
            "when None; parse only the selected columns, float(cell) or nan when empty; in __getitem__ accept "
            "-len(self) <= i < len(self)")


@check(points=3, concept=CSV, hint=CSV_HINT)
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
        obs[f"{where}: items ds[0] .. ds[{n - 1}]"] = [p.call(f"ds[{i}]", ds.__getitem__, i) for i in range(n)]
        obs[f"{where}: ds[-1]"] = p.call("ds[-1]", ds.__getitem__, -1)
        obs[f"{where}: ds[-{n}]"] = p.call(f"ds[-{n}]", ds.__getitem__, -n)
        obs[f"{where}: ds[{n}] (out of range)"] = p.attempt(f"ds[{n}]", ds.__getitem__, n)
        obs[f"{where}: ds[-{n + 1}] (out of range)"] = p.attempt(f"ds[-{n + 1}]", ds.__getitem__, -n - 1)

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
        obs[f"{where}: items ds[0] .. ds[3]"] = [p.call(f"ds[{i}]", ds.__getitem__, i) for i in range(4)]
    return obs


TARGETS = ("the target's dtype: an int64 0-d tensor when int(cell) works for every target cell, otherwise float32 0-d "
           "for the whole column ('3.0' or an empty cell makes it float; empty -> nan)")


@check(points=2, concept=TARGETS,
       hint="try [int(c) for c in target_cells] once for the whole column; on ValueError parse every cell with float "
            "(empty -> nan) into a float32 tensor; y = self.targets[i] is 0-d (not shape (1,))")
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
            obs[f"{where}: y of ds[0] .. ds[{n - 1}]"] = [p.call(f"ds[{k}]", ds.__getitem__, k)[1] for k in range(n)]
    return obs


LAZY_TRANSFORM = ("transforms run in __getitem__, once per access, never in __init__ "
                  "(a random augmentation must be drawn anew each time a sample is read); transform gets x, "
                  "target_transform gets y")


@check(points=2, concept=LAZY_TRANSFORM,
       hint="keep transform/target_transform in __init__; in __getitem__: if self.transform is not None: x = "
            "self.transform(x) (same for y) and return what they return")
def csv_transforms(m, p):
    """CSVDataset applies transform and target_transform in __getitem__, never in __init__"""
    n = 4
    values = p.randn(n, 2)
    labels = p.randint(0, 3, (n,))
    rows = [[a, b, str(int(y))] for (a, b), y in zip((cells(v) for v in values), labels)]
    transform = Counting(lambda x: x * 2 + 1)
    target_transform = Counting(lambda y: y + 10)
    obs: dict[str, Any] = {}
    with scratch():
        path = write(Path("data.csv"), csv_text(["a", "b", "label"], rows))
        where = "CSVDataset(..., target='label', transform=x * 2 + 1, target_transform=y + 10)"
        ds = p.call(where, m.CSVDataset, str(path), "label", transform=transform, target_transform=target_transform)
        obs["calls of (transform, target_transform) during __init__"] = (transform.calls, target_transform.calls)
        for k, i in enumerate((0, -1, 0, 2), 1):
            obs[f"access {k}: ds[{i}] (transformed)"] = p.call(f"ds[{i}]", ds.__getitem__, i)
        obs["calls of (transform, target_transform) after __init__ and 4 accesses"] = (
            transform.calls, target_transform.calls
        )
        obs["what transform received"] = transform.received
        obs["what target_transform received"] = target_transform.received
    return obs


CSV_ERRORS = ("validating the file in __init__: ValueError naming the missing column and listing the available "
              "columns, or naming the column and the line number of a cell that is not a number (the header is line 1)")


@check(points=2, concept=CSV_ERRORS,
       hint="check the target and every feature against the header before parsing; wrap float(cell) in try/except "
            "ValueError and raise ValueError(f'column {name!r}, line {reader.line_num}: cannot parse {cell!r}') from "
            "__init__")
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

FOLDER = ("indexing a class-per-folder corpus: classes = sorted names of all sub-directories "
          "(empty ones too, not files), class_to_idx, samples = (path as str, class index) of the .txt files directly "
          "inside a class folder, sorted by class then file name; FileNotFoundError for a missing root, ValueError "
          "when no class folder holds a .txt file")
FOLDER_HINT = ("classes = sorted(e.name for e in os.scandir(root) if e.is_dir()); for each class in that order, "
               "sorted(names ending with '.txt' that are files) -> (str(Path(root) / cls / name), idx); "
               "raise ValueError if samples is empty")


@check(points=3, concept=FOLDER, hint=FOLDER_HINT)
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
              "as UTF-8, and returns (transform(text) if transform else text, class_index)")

WORDS = ["good", "bad", "plot", "actor", "scene", "music", "boring", "great", "slow", "funny"]
KOREAN = ["정말", "좋은", "영화", "배우", "연기", "지루한", "음악", "최고"]


@check(points=3, concept=LAZY_FILES,
       hint="in __init__ only collect paths (os.scandir / sorted); in __getitem__: with open(path, encoding='utf-8') "
            "as f: text = f.read(); apply self.transform if set")
def textfolder_lazy(m, p):
    """TextFolderDataset reads no file in __init__ and exactly one UTF-8 file per item"""
    rng = p.numpy_rng()
    obs: dict[str, Any] = {}
    with scratch():
        root = Path("reviews")
        texts = {
            "neg/a.txt": " ".join(rng.choice(WORDS, 5)).capitalize() + ".\n",
            "neg/b.txt": " ".join(rng.choice(KOREAN, 4)) + "! 배우들의 연기가 훌륭했다.\n",
            "pos/c.txt": "Très bon film, naïve café ☕ " + " ".join(rng.choice(WORDS, 3)) + "\n",
            "pos/d.txt": " ".join(rng.choice(WORDS, 6)) + "\nsecond line\n",
        }
        for rel, text in texts.items():
            write(root / rel, text)
        with count_opens(root) as opened:
            ds = p.call("TextFolderDataset(Path(root)) over neg/{a,b}.txt, pos/{c,d}.txt", m.TextFolderDataset, root)
        obs["files opened by TextFolderDataset.__init__"] = opened_txt(opened, root)
        for i in (0, 1, -2, 3):
            with count_opens(root) as opened:
                item = p.call(f"ds[{i}]", ds.__getitem__, i)
            obs[f"files opened by ds[{i}]"] = opened_txt(opened, root)
            obs[f"ds[{i}]"] = item

        transform = Counting(lambda text: text.split())
        with count_opens(root) as opened:
            ds = p.call("TextFolderDataset(root, transform=str.split)", m.TextFolderDataset, str(root),
                        transform=transform)
        obs["transform calls and files opened during TextFolderDataset(root, transform=...).__init__"] = (
            transform.calls, opened_txt(opened, root))
        for i in (1, 2):
            obs[f"ds[{i}] with transform=str.split"] = p.call(f"ds[{i}]", ds.__getitem__, i)
        obs["transform calls after 2 accesses"] = transform.calls
        obs["what transform received"] = transform.received
    return obs


# ---------------------------------------------------------------- task 3: transforms


@check(points=1, concept="Compose applies its transforms in the given order: Compose([f, g])(x) == g(f(x)); "
                         "Compose([]) is the identity",
       hint="keep list(transforms); in __call__: for t in self.transforms: x = t(x); return x")
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


TO_TENSOR = ("image layout: ToTensor turns (H, W, C) into (C, H, W) with a transpose (not a reshape) and (H, W) into "
             "(1, H, W), float32, uint8 divided by 255 and other dtypes unscaled, a copy that does not share memory "
             "with the array")


@check(points=2, concept=TO_TENSOR,
       hint="if pic.ndim == 2: pic = pic[:, :, None]; t = torch.tensor(pic.transpose(2, 0, 1)) (a copy); "
            "return t.float().div(255) if pic.dtype == np.uint8 else t.float()")
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


NORMALIZE = ("per-channel normalization (x[c] - mean[c]) / std[c] with mean and std shaped (C, 1, 1) so they broadcast "
             "over H and W, returning a new tensor of x's dtype (x itself stays unchanged)")


@check(points=2, concept=NORMALIZE,
       hint="mean = torch.tensor(self.mean, dtype=x.dtype).view(-1, 1, 1); same for std; "
            "return (x - mean) / std (no in-place ops)")
def normalize_values(m, p):
    """Normalize computes (x - mean[c]) / std[c] per channel into a new tensor"""
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


@check(points=1, concept="validating arguments: ValueError for a zero std in the constructor, and in the call when "
       "len(mean) or len(std) differs from the number of channels C (broadcasting would silently hide a length-1 list)",
       hint="in __init__: if any(s == 0 for s in std): raise ValueError(...); in __call__: if len(self.mean) != "
            "x.shape[0] or len(self.std) != x.shape[0]: raise ValueError(...)")
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


FLIP = ("a reproducible random transform: every call draws exactly one torch.rand(1, generator=self.generator) "
        "(also when p is 0 or 1) and flips the last dimension when that number is < p")


@check(points=3, concept=FLIP,
       hint="if torch.rand(1, generator=self.generator).item() < self.p: return x.flip(-1) "
            "(np.flip(x, -1).copy() for an array); else return x")
def random_flip(m, p):
    """RandomHorizontalFlip draws one torch.rand(1, generator) per call and flips the last dimension when < p"""
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


@check(points=1, concept="Unicode-aware tokenizing: re.findall(r'\\w+', text.lower()) keeps Korean, accented words, "
       "digits and '_', and drops punctuation and whitespace",
       hint="lowercase the text, then let re.findall collect the runs of \\w characters "
            "(\\w matches Unicode letters; [a-z] and str.split() do not do this)")
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


VOCAB = ("building a vocabulary: itos = specials in the given order, then the tokens counted >= min_freq times, by "
         "descending count, ties alphabetically; a corpus token equal to a special is not added twice; stoi is the "
         "inverse; the corpus (maybe a generator) is read once")
VOCAB_HINT = ("counts = Counter(); for tokens in token_lists: counts.update(tokens); then "
              "sorted((t for t, c in counts.items() if c >= min_freq and t not in specials), key=lambda t: "
              "(-counts[t], t))")


def vocab_summary(vocab: Any) -> dict[str, Any]:
    return {"itos": vocab.itos, "stoi": vocab.stoi, "len": len(vocab)}


@check(points=3, concept=VOCAB, hint=VOCAB_HINT)
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


@check(points=3, concept=LOOKUP,
       hint="__getitem__: return self.stoi[token] if known, else self.stoi['<unk>'] "
            "(raise KeyError if '<unk>' not in stoi); decode: check 0 <= i < len(self.itos) for every id; pad_id: "
            "return self.stoi['<pad>'] (a KeyError when missing)")
def vocab_lookup(m, p):
    """Vocab lookups: unknown -> <unk>, contains, encode/decode, pad_id/unk_id and their errors"""
    corpus = [["b", "a", "b"], ["c", "a", "b"], ["d"]]
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


@check(points=2, concept="a text dataset's item: int64 1-D token ids (int64 also for a text without tokens) and an "
       "int64 0-d label; len; ValueError when texts and labels differ in length",
       hint="ids = self.vocab.encode(self.tokenizer(self.texts[i])); return torch.tensor(ids, dtype=torch.int64), "
            "torch.tensor(self.labels[i], dtype=torch.int64); compare len(texts) and len(labels) in __init__")
def textcls_items(m, p):
    """TextClassificationDataset items are (int64 ids, int64 0-d label); lengths must match"""
    vocab = StubVocab(WORDS)
    texts = random_texts(p, 4) + [""]
    labels = tuple(int(v) for v in p.randint(0, 3, (5,)))
    where = f"TextClassificationDataset({texts}, {labels}, vocab, tokenizer=str.split)"
    ds = p.call(where, m.TextClassificationDataset, texts, labels, vocab, str.split)
    obs: dict[str, Any] = {
        f"len of {where}": p.call("len(ds)", len, ds),
        f"{where}: items ds[0] .. ds[4]": [p.call(f"ds[{i}]", ds.__getitem__, i) for i in range(5)],
        f"{where}: ds[-2]": p.call("ds[-2]", ds.__getitem__, -2),
    }
    obs["TextClassificationDataset(['a b', 'c'], [0], vocab) (lengths differ)"] = p.attempt(
        "TextClassificationDataset(['a b', 'c'], [0], vocab)", m.TextClassificationDataset, ["a b", "c"],
        [0], vocab, str.split)
    return obs


@check(points=2, concept="encoding at access time: the tokenizer and the vocabulary run in __getitem__, once per item "
       "read, never in __init__",
       hint="__init__ only stores texts, labels, vocab and tokenizer; __getitem__ calls "
            "self.tokenizer(self.texts[i]) and encodes")
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
        obs[f"access {k}: ds[{i}]"] = p.call(f"ds[{i}]", ds.__getitem__, i)
        obs[f"tokenizer calls after access {k} (ds[{i}])"] = tokenizer.calls
    vocab.stoi["good"], vocab.stoi["bad"] = vocab.stoi["bad"], vocab.stoi["good"]
    obs["ids of every item after the vocabulary changed (swap of 'good' and 'bad')"] = [
        p.call(f"ds[{i}]", ds.__getitem__, i)[0] for i in range(4)]
    obs["what the tokenizer received"] = tokenizer.received
    return obs
