"""HTML building blocks shared by both reports: one self-contained page, escaped text, tables.

A page has its style inline, no script, no external reference (no fonts,
images, stylesheets or links off the page but the relative links it is
given), so it opens offline in any browser.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #222; max-width: 1100px; margin: 0 auto; padding: 0 1.2em 3em; }
h1 { font-size: 1.6em; margin: 1em 0 0.2em; }
h2 { font-size: 1.25em; margin: 1.8em 0 0.4em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.2em 0 0.3em; }
p.lead, p.note, figcaption { color: #555; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 0.4em 0 1em; font-size: 0.93em; }
th, td { padding: 0.25em 0.6em; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #f5f5f5; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: 600; border-top: 2px solid #bbb; }
figure { margin: 0.6em 0 1.2em; }
svg { max-width: 100%; height: auto; }
details { margin: 0.4em 0 1em; }
summary { cursor: pointer; color: #345; }
pre.code { font: 12px/1.35 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #fafafa;
           border: 1px solid #e4e4e4; padding: 0.6em; overflow: auto; white-space: pre; margin: 0;
           max-height: 40em; }
mark { background: #ffd9a8; color: inherit; }
.pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.6em; }
.flag { color: #b3261e; font-weight: 600; }
"""


def text(value: object) -> str:
    """Escaped text for an element's content or an attribute."""
    return escape(str(value), quote=True)


def number(value: float) -> str:
    return f"{value:g}"


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def link_to(target: Path, *, page: Path) -> str:
    """A relative URL from the page's folder to ``target`` (a file URL where no relative path exists)."""
    try:
        relative = os.path.relpath(target.resolve(), page.resolve().parent)
    except ValueError:  # another drive (Windows)
        return target.resolve().as_uri()
    return quote(Path(relative).as_posix())


def table(
    head: Sequence[str], rows: Sequence[Sequence[str]], *, numeric: Sequence[int] = (), ids: Sequence[str] = ()
) -> str:
    """A table of already-escaped cells; columns in ``numeric`` align right; ``ids`` name the rows."""
    def cell(tag: str, i: int, content: str) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{content}</{tag}>"

    lines = ["<table>", "<thead><tr>" + "".join(cell("th", i, h) for i, h in enumerate(head)) + "</tr></thead>"]
    lines.append("<tbody>")
    for n, row in enumerate(rows):
        row_id = f' id="{text(ids[n])}"' if n < len(ids) and ids[n] else ""
        lines.append(f"<tr{row_id}>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>")
    lines += ["</tbody>", "</table>"]
    return "\n".join(lines)


def figure(svg: str, *, anchor: str, caption: str) -> str:
    return f'<figure id="{text(anchor)}">\n{svg}\n<figcaption>{text(caption)}</figcaption>\n</figure>'


def document(*, title: str, body: Sequence[str]) -> str:
    """A whole HTML page: the title, the inline style, the body parts in order."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{text(title)}</title>",
            f"<style>{STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )
