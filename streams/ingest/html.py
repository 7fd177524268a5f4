"""HTML from feeds to plain text: paragraphs become blank-line separated, markup and scripts go.

Feed entries carry HTML (``content:encoded``, ``summary``). The pipeline wants plain text with
paragraphs separated by blank lines (``ArticlePublished.body``), and nothing from a feed is ever
executed or rendered as markup downstream, so tags are dropped here and entities decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset(
    "p div section article blockquote li ul ol h1 h2 h3 h4 h5 h6 pre table tr figure figcaption header footer".split()
)
DROPPED_TAGS = frozenset("script style noscript template iframe object svg head".split())
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANKS = re.compile(r"\n\s*\n+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropped = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_TAGS:
            self._dropped += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_TAGS:
            self._dropped = max(0, self._dropped - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment (or of plain text, unchanged but for whitespace)."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    text = "".join(collector.parts)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return _BLANKS.sub("\n\n", text).strip()
