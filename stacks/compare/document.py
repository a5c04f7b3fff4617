"""A small document model (sections of paragraphs, tables and images) and its two renderings:
Markdown (report.md, and the summary printed at the end) and self-contained HTML."""

from __future__ import annotations

import base64
import dataclasses
import html
import re
from collections.abc import Sequence
from pathlib import Path


@dataclasses.dataclass
class Table:
    headers: list[str]
    rows: Sequence[Sequence[object]]  # each cell written as str() writes it


@dataclasses.dataclass
class Image:
    filename: str
    caption: str


@dataclasses.dataclass
class Section:
    title: str
    blocks: Sequence[str | Table | Image]  # a paragraph, a table or an image


# -- Markdown ----------------------------------------------------------------------------------
def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: Table) -> str:
    """A pipe table with padded columns, readable as plain text too."""
    cells = [[_cell(h) for h in table.headers]] + [[_cell(c) for c in row] for row in table.rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(table.headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def markdown_blocks(section: Section, *, image_dir: str = "") -> list[str]:
    """A section's blocks as markdown: tables, images (under `image_dir`, if given), text."""
    prefix = f"{image_dir}/" if image_dir else ""
    parts = []
    for block in section.blocks:
        if isinstance(block, Table):
            parts.append(markdown_table(block))
        elif isinstance(block, Image):
            parts.append(f"![{block.caption}]({prefix}{block.filename})")
        else:
            parts.append(block)
    return parts


def render_markdown(title: str, sections: list[Section]) -> str:
    parts = [f"# {title}"]
    for section in sections:
        parts.append(f"## {section.title}")
        parts.extend(markdown_blocks(section))
    return "\n\n".join(parts) + "\n"


# -- HTML --------------------------------------------------------------------------------------
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 2em auto; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.yes { background: #e3f6e3; } td.no { background: #fbe3e3; } td.partly { background: #fff4d6; }
figure { margin: 1em 0; } img { max-width: 100%; } figcaption { font-size: 0.85em; color: #555; }
code { background: #f4f4f4; padding: 0 0.2em; }
"""
VERDICT_CLASSES = {
    "yes": "yes",
    "holds": "yes",
    "no": "no",
    "does not hold": "no",
    "partly": "partly",
}


def _inline(text: str) -> str:
    """Escape, then `code` spans (the only inline markup the report uses)."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def html_table(table: Table) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in table.headers)
    body = []
    for row in table.rows:
        cells = []
        for cell in row:
            css = VERDICT_CLASSES.get(str(cell))
            attribute = f' class="{css}"' if css else ""
            cells.append(f"<td{attribute}>{html.escape(str(cell))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_image(image: Image, directory: Path) -> str:
    """The PNG embedded as a data URI, so the page is one self-contained file."""
    path = directory / image.filename
    if not path.exists():
        return f"<p>(chart {html.escape(image.filename)} missing)</p>"
    data = base64.b64encode(path.read_bytes()).decode()
    return (
        f'<figure><img alt="{html.escape(image.caption)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(image.caption)}</figcaption></figure>"
    )


def render_html(title: str, sections: list[Section], directory: Path) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                parts.append(html_table(block))
            elif isinstance(block, Image):
                parts.append(html_image(block, directory))
            else:
                parts.append(f"<p>{_inline(block)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
