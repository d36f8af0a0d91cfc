"""What every demo loader shares: the report of what a run created or changed, the content
files' text as rich text, and StreamField data compared without the block ids Wagtail adds."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any


def rich_text(text: str) -> str:
    """Turn the content files' mini-format (paragraphs; "- " bullet lines) into rich text."""
    html: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            html.append(f"<p>{escape(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for raw in text.strip().splitlines():
        line = raw.strip()
        if line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif not line:
            flush()
        else:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "".join(html)


def without_ids(data: Any) -> Any:
    """StreamField data minus the block ids Wagtail adds, for comparing content."""
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k != "id"}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


@dataclass
class LoadReport:
    """What one run of the loader did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)
