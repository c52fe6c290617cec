"""Write the small example data that the assignments' docstrings use.

Usage::

    python tools/make_example_data.py [OUT_DIR]

``OUT_DIR`` defaults to ``data/`` at the repository root. The output is
deterministic (a fixed seed, fixed texts, ``\\n`` line endings, UTF-8), so
running the script again reproduces the committed files byte for byte:

- ``iris_like.csv``: 60 rows, four numeric feature columns, a free-text
  ``note`` column (some cells quoted because they hold a comma, some empty),
  one empty feature cell (row 4, which ``CSVDataset`` reads as nan) and an
  int target column ``species`` (0, 1, 2). Used by a05.
- ``reviews/<class>/*.txt``: a class-per-folder text corpus, three classes of
  eight short reviews each; ``positive/08_korean.txt`` is Korean. Used by a05
  and a09.
- ``lines.txt``: 50 lines of words with a long-tailed length distribution.
  Used by a06, a07 and a08.

Only the standard library and numpy are needed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

SEED = 0

SPECIES_MEANS = {
    0: (5.0, 3.4, 1.5, 0.2),
    1: (5.9, 2.8, 4.3, 1.3),
    2: (6.6, 3.0, 5.6, 2.0),
}
SPECIES_STDS = (0.3, 0.3, 0.3, 0.15)
NOTES = ("field sample", "greenhouse", "", "collected late, dry soil", "photo only", "")

REVIEWS = {
    "negative": [
        "Terrible film. The plot was boring and the acting was awful.",
        "I was bored from start to finish; a dull, awful mess.",
        "Awful sound, terrible pacing, and a boring ending.",
        "A waste of time. Boring characters and a terrible script.",
        "The worst movie I have seen this year. Dull and awful.",
        "Poorly written and badly acted. Terrible.",
        "I walked out after an hour: boring, slow and awful.",
        "Do not bother. A dull, terrible and forgettable film.",
    ],
    "neutral": [
        "An okay film. Some scenes work, others do not.",
        "It was fine: average acting and an average story.",
        "Neither good nor bad, just an ordinary afternoon movie.",
        "The plot is okay and the music is fine.",
        "Average in every way. I might watch it again, or not.",
        "A fine but ordinary film with an okay ending.",
        "Some parts were okay, some were average.",
        "Watchable. Ordinary characters, fine pacing.",
    ],
    "positive": [
        "A wonderful film! Great acting and a lovely story.",
        "I loved it. The music was great and the ending wonderful.",
        "Brilliant, moving and wonderful from start to finish.",
        "Great cast, great script, a film I will love for years.",
        "One of the best movies of the year. Loved every minute.",
        "Wonderful photography and a brilliant lead performance.",
        "A lovely, great and funny film. Highly recommended!",
        "정말 좋은 영화였어요! 배우들의 연기가 훌륭하고 음악도 아름다웠습니다.",
    ],
}

LINE_WORDS = (
    "the data loader reads every line of this file once per epoch while "
    "workers prepare batches in parallel and the sampler decides which "
    "indices come next so padding stays small"
).split()


def write_csv(path: Path, rng: np.random.Generator) -> None:
    """Write ``iris_like.csv`` (60 rows, see the module docstring)."""
    species = rng.permutation(np.repeat(np.arange(3), 20))
    header = ["sepal_length", "sepal_width", "petal_length", "petal_width", "note", "species"]
    rows = []
    for i, label in enumerate(species.tolist()):
        values = rng.normal(SPECIES_MEANS[label], SPECIES_STDS)
        cells = [f"{max(v, 0.1):.1f}" for v in values]
        if i == 4:
            cells[3] = ""  # an empty feature cell: CSVDataset reads it as nan
        rows.append(cells + [NOTES[i % len(NOTES)], str(label)])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_reviews(root: Path) -> None:
    """Write ``reviews/<class>/NN.txt`` (the Korean review is ``positive/08_korean.txt``)."""
    for class_name, texts in REVIEWS.items():
        folder = root / class_name
        folder.mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts, start=1):
            name = f"{i:02d}_korean.txt" if text[0] > "\u3000" else f"{i:02d}.txt"
            with open(folder / name, "w", newline="\n", encoding="utf-8") as f:
                f.write(text + "\n")


def write_lines(path: Path, rng: np.random.Generator, n: int = 50) -> None:
    """Write ``n`` lines of words whose lengths follow a long-tailed distribution."""
    lengths = np.minimum(1 + rng.geometric(0.15, size=n), 40)
    lines = []
    for i, length in enumerate(lengths.tolist()):
        words = rng.choice(LINE_WORDS, size=length).tolist()
        lines.append(f"line {i:02d}: " + " ".join(words))
    with open(path, "w", newline="\n", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> Path:
    """Write all example files into ``argv[0]`` (default: ``data/`` at the repository root)."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "data"
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    write_csv(out / "iris_like.csv", rng)
    write_reviews(out / "reviews")
    write_lines(out / "lines.txt", rng)
    return out


if __name__ == "__main__":
    print(f"example data written to {main()}")
